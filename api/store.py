"""The SPARQL 1.1 Graph Store HTTP Protocol: GET, HEAD, PUT, POST and DELETE of whole graphs.

Indirect identification at /store: `?graph=<IRI>` names a graph, `?default` the store's default graph. Direct
identification under /store/…: the request URL is the graph's IRI. A POST to /store with neither creates a graph
named by the server (201, `Location`: its URL, which is also where it is read directly), except a dataset syntax
(TriG, N-Quads, JSON-LD) or a companies CSV, whose graphs come from the data. A POST may carry several RDF files as
multipart/form-data. Writes need the write token and are all-or-nothing: parse, validate, then one transaction
(graph.graph_store).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from chainkg.api import deps
from chainkg.api.auth import require_write_token
from chainkg.api.conneg import GRAPH_TYPES, WRITTEN_AS, choose
from chainkg.api.errors import ApiError
from chainkg.api.limits import read_body
from chainkg.graph import formats, graph_store

router = APIRouter(tags=["graph store"])

GraphParam = Annotated[str | None, Query(alias="graph", description="IRI of the graph")]
DefaultParam = Annotated[str | None, Query(alias="default", description="present: the default graph")]
UPLOAD_TYPES = [s.media_type for s in formats.SYNTAXES] + ["text/csv", "multipart/form-data"]
# The OpenAPI document lists the single-file types; a multipart body (several files, each with its Content-Type)
# has no schema of its own to offer there.
UPLOAD_BODY = {"requestBody": {"content": {t: {"schema": {"type": "string"}} for t in UPLOAD_TYPES[:-1]}}}


def target_of(request: Request, graph: str | None, default: str | None, *,
              required: bool = True) -> tuple[str | None, bool]:
    """(graph IRI or None for the default graph, whether the request named a target at all)."""
    if len(request.query_params.getlist("graph")) > 1:
        raise ApiError(400, "bad-request", "more than one graph parameter")
    if graph is not None and default is not None:
        raise ApiError(400, "bad-request", "give ?graph=<IRI> or ?default, not both")
    if graph is not None:
        return _checked(graph), True
    if default is None and required:
        raise ApiError(400, "bad-request", "name the graph: ?graph=<IRI> or ?default")
    return None, default is not None


def direct_target(request: Request) -> str:
    """The graph a URL under /store/ identifies: the URL itself, as the client wrote its path (%31 stays %31)."""
    if "graph" in request.query_params or "default" in request.query_params:
        raise ApiError(400, "bad-request", "a URL under /store/ is the graph's own IRI: no ?graph= or ?default")
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    return _checked(str(request.url.replace(path=raw_path.decode("latin-1"), query="", fragment="")))


def _checked(iri: str) -> str:
    if not graph_store.is_graph_iri(iri):
        raise ApiError(400, "bad-request", f"a graph is named by an absolute IRI, not {iri[:200]!r}")
    return iri


def new_graph_iri(request: Request) -> str:
    """A graph the server names: a fresh URL under /store/, where it is then read, replaced or deleted directly."""
    return str(request.url_for("read_graph_directly", path=uuid.uuid4().hex))


@router.get("/store", summary="Read a graph", responses={200: {"content": {t: {} for t in GRAPH_TYPES}}})
@router.head("/store", include_in_schema=False)
async def read_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None,
                     format: str | None = None) -> Response:
    target, _ = target_of(request, graph, default)
    return await _read(request, target)


@router.put("/store", summary="Replace a graph (needs the write token)", status_code=204,
            openapi_extra=UPLOAD_BODY)
async def put_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    require_write_token(request, deps.settings(request))  # first: without the token, nothing else is said
    target, _ = target_of(request, graph, default)
    return await _replace(request, target)


@router.post("/store", summary="Add to a graph, create a graph, or load a dataset or companies CSV (needs the write "
                                "token)", status_code=204,
             openapi_extra=UPLOAD_BODY)
async def post_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    require_write_token(request, deps.settings(request))
    target, explicit = target_of(request, graph, default, required=False)
    if explicit or graph_store.names_own_graphs(request.headers.get("content-type", "")):
        return await _add(request, target, explicit=explicit)
    created = new_graph_iri(request)
    await _add(request, created, explicit=True)
    return Response(status_code=201, headers={"Location": created})


@router.delete("/store", summary="Delete a graph (needs the write token)", status_code=204)
async def delete_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    require_write_token(request, deps.settings(request))
    target, _ = target_of(request, graph, default)
    return await _delete(request, target)


# ----------------------------------------------------------------------------------------- direct identification
@router.get("/store/{path:path}", summary="Read the graph whose IRI is this URL",
            responses={200: {"content": {t: {} for t in GRAPH_TYPES}}})
@router.head("/store/{path:path}", include_in_schema=False)
async def read_graph_directly(request: Request, path: str) -> Response:
    return await _read(request, direct_target(request))


@router.put("/store/{path:path}", summary="Replace the graph whose IRI is this URL (needs the write token)",
            status_code=204,
            openapi_extra=UPLOAD_BODY)
async def put_graph_directly(request: Request, path: str) -> Response:
    require_write_token(request, deps.settings(request))
    return await _replace(request, direct_target(request))


@router.post("/store/{path:path}", summary="Add to the graph whose IRI is this URL (needs the write token)",
             status_code=204,
             openapi_extra=UPLOAD_BODY)
async def post_graph_directly(request: Request, path: str) -> Response:
    require_write_token(request, deps.settings(request))
    return await _add(request, direct_target(request), explicit=True)


@router.delete("/store/{path:path}", summary="Delete the graph whose IRI is this URL (needs the write token)",
               status_code=204)
async def delete_graph_directly(request: Request, path: str) -> Response:
    require_write_token(request, deps.settings(request))
    return await _delete(request, direct_target(request))


# ----------------------------------------------------------------------------------------------- the operations
async def _read(request: Request, target: str | None) -> Response:
    media_type = choose(GRAPH_TYPES, formats.RDF_ALIASES, request.headers.get("accept"),
                        request.query_params.getlist("format"))
    syntax = formats.by_media_type(WRITTEN_AS.get(media_type, media_type))
    body = await run_in_threadpool(graph_store.read, deps.knowledge_graph(request), target, syntax)
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    return Response(body, media_type=media_type + charset, headers={"Vary": "Accept"})


async def _replace(request: Request, target: str | None) -> Response:
    quads = await _upload(request, target, explicit=True)
    created = await run_in_threadpool(graph_store.replace, deps.knowledge_graph(request), target, quads)
    return Response(status_code=201 if created else 204)


async def _add(request: Request, target: str | None, *, explicit: bool) -> Response:
    """POST: merge into the target (201 when that made the graph), or load a dataset or CSV as it names itself."""
    quads = await _upload(request, target, explicit=explicit)
    kg = deps.knowledge_graph(request)
    new = explicit and not graph_store.exists(kg, target)
    await run_in_threadpool(graph_store.add, kg, quads)
    return Response(status_code=201 if new else 204)


async def _delete(request: Request, target: str | None) -> Response:
    await run_in_threadpool(graph_store.delete, deps.knowledge_graph(request), target)
    return Response(status_code=204)


async def _upload(request: Request, target: str | None, *, explicit: bool) -> list:
    settings = deps.settings(request)
    require_write_token(request, settings)
    media_type = request.headers.get("content-type")
    if not media_type:
        raise ApiError(415, "unsupported-media-type", "say what the body is with Content-Type: "
                                                      + ", ".join(UPLOAD_TYPES))
    data = await read_body(request, settings.max_upload_bytes, "upload")
    return await run_in_threadpool(graph_store.parse_upload, deps.knowledge_graph(request), data, media_type, target,
                                   explicit_target=explicit, sandbox=deps.sparql_service(request).engine)
