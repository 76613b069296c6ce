"""Liveness and basic facts about the running service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import knowledge_graph
from graph.store import KnowledgeGraph

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness: the store answers")
def healthz(kg: Annotated[KnowledgeGraph, Depends(knowledge_graph)]) -> dict[str, object]:
    return {"status": "ok", "quads": len(kg)}
