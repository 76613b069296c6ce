"""Sixteen readers and a writer at once (bench/concurrency.py, a few seconds of it): no errors, and no reader ever
sees half of an update, a version older than one it saw, or a state older than an acknowledged write."""

from __future__ import annotations

from bench import concurrency
from tests.conftest import WRITE_TOKEN


def test_readers_never_see_half_an_update(writable_server):
    summary = concurrency.run(writable_server.url, WRITE_TOKEN, duration=4, readers=16, triples=40)
    assert summary["errors"] == 0, summary["first_errors"]
    assert summary["writes"] >= 3 and summary["reads"] >= 50, summary
    broken = summary["violations_by_kind"]
    if not writable_server.embedded:  # Virtuoso reads at READ COMMITTED (README, "External store"): no snapshots
        broken.pop("half an update", None)
    assert broken == {}, summary["first_violations"]
