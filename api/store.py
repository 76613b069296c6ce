"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: GET, HEAD, PUT, POST and DELETE of whole graphs.

`?graph=<IRI>` names a graph, `?default` the store's default graph; a POST with neither loads a dataset syntax
(TriG, N-Quads) or a companies CSV, whose graphs come from the data. Writes need the write token and are
all-or-nothing: parse, validate, then one transaction (graph.graph_store).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from chainkg.api.auth import require_write_token
from chainkg.api.errors import ApiError
from chainkg.api.limits import read_body
from chainkg.api.sparql import GRAPH_TYPES, WRITTEN_AS, choose
from chainkg.graph import formats, graph_store

router = APIRouter(tags=["graph store"])

GraphParam = Annotated[str | None, Query(alias="graph", description="IRI of the graph")]
DefaultParam = Annotated[str | None, Query(alias="default", description="present: the default graph")]
UPLOAD_TYPES = [s.media_type for s in formats.SYNTAXES] + ["text/csv"]


def target_of(graph: str | None, default: str | None, *, required: bool = True) -> tuple[str | None, bool]:
    """(graph IRI or None for the default graph, whether the request named a target at all)."""
    if graph is not None and default is not None:
        raise ApiError(400, "bad-request", "give ?graph=<IRI> or ?default, not both")
    if graph is not None:
        if ":" not in graph:
            raise ApiError(400, "bad-request", f"graph must be an absolute IRI, not {graph!r}")
        return graph, True
    if default is None and required:
        raise ApiError(400, "bad-request", "name the graph: ?graph=<IRI> or ?default")
    return None, default is not None


@router.get("/store", summary="Read a graph", responses={200: {"content": {t: {} for t in GRAPH_TYPES}}})
@router.head("/store", include_in_schema=False)
async def read_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None,
                     format: str | None = None) -> Response:
    target, _ = target_of(graph, default)
    media_type = choose(GRAPH_TYPES, formats.RDF_ALIASES, request.headers.get("accept"),
                        request.query_params.getlist("format"))
    syntax = formats.by_media_type(WRITTEN_AS.get(media_type, media_type))
    kg = request.app.state.kg
    try:
        body = await run_in_threadpool(graph_store.read, kg, target, syntax)
    except graph_store.GraphNotFound as missing:
        raise ApiError(404, "graph-not-found", str(missing)) from None
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    return Response(body, media_type=media_type + charset, headers={"Vary": "Accept"})


@router.put("/store", summary="Replace a graph (needs the write token)", status_code=204,
            openapi_extra={"requestBody": {"content": {t: {"schema": {"type": "string"}} for t in UPLOAD_TYPES}}})
async def put_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    target, _ = target_of(graph, default)
    quads = await _upload(request, target, explicit=True)
    created = await run_in_threadpool(graph_store.replace, request.app.state.kg, target, quads)
    return Response(status_code=201 if created else 204)


@router.post("/store", summary="Add to a graph, or load a dataset or companies CSV (needs the write token)",
             status_code=204,
             openapi_extra={"requestBody": {"content": {t: {"schema": {"type": "string"}} for t in UPLOAD_TYPES}}})
async def post_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    target, explicit = target_of(graph, default, required=False)
    quads = await _upload(request, target, explicit=explicit)
    await run_in_threadpool(graph_store.add, request.app.state.kg, quads)
    return Response(status_code=204)


@router.delete("/store", summary="Delete a graph (needs the write token)", status_code=204)
async def delete_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    require_write_token(request, request.app.state.settings)
    target, _ = target_of(graph, default)
    try:
        await run_in_threadpool(graph_store.delete, request.app.state.kg, target)
    except graph_store.GraphNotFound as missing:
        raise ApiError(404, "graph-not-found", str(missing)) from None
    return Response(status_code=204)


async def _upload(request: Request, target: str | None, *, explicit: bool) -> list:
    settings = request.app.state.settings
    require_write_token(request, settings)
    media_type = request.headers.get("content-type")
    if not media_type:
        raise ApiError(415, "unsupported-media-type", "say what the body is with Content-Type: "
                                                      + ", ".join(UPLOAD_TYPES))
    data = await read_body(request, settings.max_upload_bytes, "upload")
    return await run_in_threadpool(graph_store.parse_upload, request.app.state.kg, data, media_type, target,
                                   explicit_target=explicit, sandbox=request.app.state.sparql.engine)
