"""Dependencies shared by routes: the knowledge graph and the settings of the running app."""

from __future__ import annotations

from fastapi import Request

from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph


def knowledge_graph(request: Request) -> KnowledgeGraph:
    return request.app.state.kg


def settings(request: Request) -> Settings:
    return request.app.state.settings
