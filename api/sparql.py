"""The SPARQL endpoint (a first version: GET with SPARQL JSON results)."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import knowledge_graph
from graph.store import KnowledgeGraph

router = APIRouter(tags=["sparql"])


@router.get("/sparql", summary="SPARQL 1.1 query")
async def sparql_get(
    kg: Annotated[KnowledgeGraph, Depends(knowledge_graph)],
    query: Annotated[str, Query(description="SPARQL query text")],
) -> Response:
    try:
        body, media_type = await run_in_threadpool(_run, kg, query)
    except SyntaxError as error:
        return JSONResponse({"error": "malformed query", "detail": str(error)}, status_code=400)
    return Response(body, media_type=media_type)


def _run(kg: KnowledgeGraph, query: str) -> tuple[bytes, str]:
    results = kg.query(query)
    if isinstance(results, ox.QueryTriples):
        return ox.serialize(list(results), format=ox.RdfFormat.TURTLE) or b"", "text/turtle"
    return results.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"
