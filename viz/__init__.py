"""Rendering only: HTML pages and interactive graphs from what graph/ computes."""
