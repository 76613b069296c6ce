"""Liveness and metrics of the running service: is the store answering, are the query workers alive."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chainkg.api.deps import KG, SPARQL, metrics as app_metrics

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Health: the store answers and the query workers are alive",
            responses={503: {"description": "the store does not answer, or no query worker is alive"}})
def healthz(kg: KG, sparql: SPARQL) -> JSONResponse:
    """`ok` when the store answers and every worker is alive; `degraded` while some are being replaced (still 200);
    `failing` (503) when the store does not answer or no worker is alive."""
    engine = sparql.engine
    try:
        next(iter(kg.match()), None)  # one real read of the store
        store, quads = "ok", kg.quad_count()
    except OSError as error:
        store, quads = f"failing: {error.__class__.__name__}", None
    workers = engine.health()
    if store != "ok" or workers["alive"] == 0:
        status = "failing"
    else:
        status = "ok" if workers["alive"] >= workers["size"] else "degraded"
    body = {"status": status, "store": store, "quads": quads, "workers": workers,
            "process": os.getpid()}  # which serving process answered (CHAINKG_PROCESSES; each has its own workers)
    return JSONResponse(body, status_code=503 if status == "failing" else 200)


@router.get("/metrics", summary="Metrics in the Prometheus text format",
            responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    return Response(generate_latest(app_metrics(request).registry), media_type=CONTENT_TYPE_LATEST)
