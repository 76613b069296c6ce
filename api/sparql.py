"""The SPARQL 1.1 Protocol over HTTP: query by GET and POST, update by POST, the service description.

Thin: the request becomes a `graph.sparql.Request`, the answer's syntax is negotiated (Accept or `format`), and
the work runs on the engine (worker processes for the on-disk store): light queries from the event loop, the rest
through a thread. Limits, refusals and errors are
decided in graph/ and mapped to statuses in api/errors.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from chainkg.api import deps
from chainkg.api.auth import require_write_token
from chainkg.api.conneg import DESCRIPTION_TYPES, GRAPH_TYPES, RESULT_TYPES, WRITTEN_AS, choose
from chainkg.api.errors import ApiError
from chainkg.api.limits import ClientSlots, client_of, read_body
from chainkg.api.sparql_ui import sparql_ui
from chainkg.graph import formats, service_description
from chainkg.graph.engine import LOOP_TEXT_CHARS
from chainkg.graph.sparql import Answer, NotAQuery, Request as SparqlRequest, SparqlService

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
ALLOW = "GET, HEAD, POST, OPTIONS"

# The GET parameters, for the OpenAPI document only: the handler reads them from the query string itself, because
# FastAPI keeps only the last of repeated ones (two queries must be refused, not guessed between), and declaring
# them as handler parameters cost every query ~0.1-0.3 ms of validation for values nobody used.
FORMAT_HELP = ("Result syntax, among those Accept allows: json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, "
               "nquads, trig, n3")


def _parameter(name: str, description: str, *, repeatable: bool = False, example: str | None = None) -> dict:
    schema: dict = {"type": "array", "items": {"type": "string"}} if repeatable else {"type": "string"}
    if example:
        schema["examples"] = [example]
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


SELECT_EXAMPLE = "SELECT ?leader ?name WHERE { ?leader ck:chainLeaderOf ?chain ; skos:prefLabel ?name }"


# ---------------------------------------------------------------------------------------------------- queries
# GET and HEAD as two routes: one route with both methods gave the OpenAPI document a duplicate operationId.
@router.get("/sparql", summary="SPARQL 1.1 query (GET), or the service description",
            responses={200: {"content": {t: {} for t in RESULT_TYPES + GRAPH_TYPES + ["text/html"]}}},
            openapi_extra={"parameters": [
                _parameter("default-graph-uri", "IRI of a default graph (repeatable)", repeatable=True),
                _parameter("named-graph-uri", "IRI of a named graph (repeatable)", repeatable=True),
                _parameter("query", "SPARQL query text", example=SELECT_EXAMPLE),
                _parameter("format", FORMAT_HELP)]})
@router.head("/sparql", include_in_schema=False)
async def sparql_get(request: Request) -> Response:
    """The parameters above document the operation (OpenAPI); their values are read from the query string here."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    query = _one(params, "query")
    if query is None:
        if "update" in params:
            raise ApiError(405, "method-not-allowed", "updates are sent with POST", {"Allow": ALLOW})
        return await describe_service(request, params.get("format", []))
    settings = deps.settings(request)
    if len(query.encode()) > settings.max_query_bytes:
        raise ApiError(414, "query-too-long", f"the query is longer than {settings.max_query_bytes:,} bytes; "
                                              f"POST it (still within that size)")
    dataset = SparqlRequest(query, params.get("default-graph-uri", []), params.get("named-graph-uri", []))
    return await answer_query(request, dataset, params.get("format", []))


@router.post("/sparql", summary="SPARQL 1.1 query or update (POST)",
             openapi_extra={"requestBody": {"content": {
                 FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"},
                                                                     "update": {"type": "string"}}}},
                 "application/sparql-query": {"schema": {"type": "string"}, "example": SELECT_EXAMPLE},
                 "application/sparql-update": {"schema": {"type": "string"}}}}})
async def sparql_post(request: Request) -> Response:
    operation, text, params = await read_operation(request)
    if operation == "update":
        return await run_update(request, text, params)
    dataset = SparqlRequest(text, params.get("default-graph-uri", []), params.get("named-graph-uri", []))
    return await answer_query(request, dataset, params.get("format", []))


@router.post("/update", summary="SPARQL 1.1 update (POST), needs the write token",
             openapi_extra={"requestBody": {"content": {
                 FORM: {"schema": {"type": "object", "properties": {"update": {"type": "string"}}}},
                 "application/sparql-update": {"schema": {"type": "string"}}}}})
async def update_post(request: Request) -> Response:
    operation, text, params = await read_operation(request)
    if operation != "update":
        raise NotAQuery("/update takes updates only (update= or application/sparql-update); query at /sparql")
    return await run_update(request, text, params)


@router.options("/sparql", include_in_schema=False)
@router.options("/update", include_in_schema=False)
async def sparql_options() -> Response:
    return Response(status_code=204, headers={"Allow": ALLOW})


async def read_operation(request: Request) -> tuple[str, str, dict[str, list[str]]]:
    """("query" | "update", text, parameters) from a POST in any of the protocol's three encodings."""
    settings = deps.settings(request)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await read_body(request, settings.max_query_bytes, "query")
    params = parse_qs(request.url.query, keep_blank_values=True)
    try:
        if media_type == FORM:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            for name, values in fields.items():
                params.setdefault(name, []).extend(values)
            if ("query" in fields) == ("update" in fields):
                raise ApiError(400, "bad-request", "a form POST carries exactly one of query= and update=")
            operation = "query" if "query" in fields else "update"
            return operation, _one(fields, operation), params
        if media_type in ("application/sparql-query", "application/sparql-update"):
            return media_type.rsplit("-", 1)[1], body.decode("utf-8"), params
    except UnicodeDecodeError:
        raise ApiError(400, "bad-request", "the request is not UTF-8") from None
    raise ApiError(415, "unsupported-media-type", f"POST a query as {FORM}, application/sparql-query or "
                                                  f"application/sparql-update, not {media_type or 'nothing'}")


async def answer_query(request: Request, dataset: SparqlRequest, format_values: list[str]) -> Response:
    return await answer(deps.sparql_service(request), deps.client_slots(request), client_of(request),
                        request.headers.get("accept"), dataset, format_values)


async def answer(service: SparqlService, slots: ClientSlots, client: str, accept: str | None,
                 dataset: SparqlRequest, format_values: list[str]) -> Response:
    """A query's response, from what the request said (no Request object: api/short_queries.py calls it before routing).

    The client's slot first, then the guard's scan, then the query: a client sending 100 kB of hostile text pays
    for its own scans (up to ~0.45 s each), at most its slots' worth at once. A light text (≤ LOOP_TEXT_CHARS) is
    scanned on the event loop (~35 µs) and its job handed from the loop to an idle worker (engine.run_async); a
    longer one is scanned in a thread (in a worker past SCAN_INLINE_CHARS), so the loop never runs a long scan."""
    async with slots.slot(client):
        if len(dataset.text) <= LOOP_TEXT_CHARS:
            found = service.inspect(dataset)
        else:
            found = await run_in_threadpool(service.inspect, dataset)
        if found.is_update:
            raise NotAQuery("this is an update: POST it as update= or application/sparql-update")
        media_type = negotiated(found.returns_graph, accept, format_values)
        result = await service.query_async(dataset, WRITTEN_AS.get(media_type, media_type), found)
    return as_response(result, media_type)


NEGOTIATED = 256  # (form, Accept, format) triples remembered; a client inventing new ones only empties the memo
_negotiated: dict[tuple[bool, str | None, tuple[str, ...]], str] = {}


def negotiated(returns_graph: bool, accept: str | None, format_values: list[str]) -> str:
    """The syntax of the answer (api.conneg.choose, ~0.1 ms a time), remembered: few Accept headers recur."""
    key = (returns_graph, accept, tuple(format_values))
    media_type = _negotiated.get(key)
    if media_type is None:
        if returns_graph:
            media_type = choose(GRAPH_TYPES, formats.RDF_ALIASES, accept, format_values)
        else:
            media_type = choose(RESULT_TYPES, formats.RESULT_ALIASES, accept, format_values)
        if len(_negotiated) >= NEGOTIATED:
            _negotiated.clear()
        _negotiated[key] = media_type
    return media_type


def as_response(answer: Answer, media_type: str | None = None) -> Response:
    media_type = media_type or answer.media_type
    media_type += "; charset=utf-8" if media_type.startswith("text/") else ""
    return Response(answer.body, media_type=media_type, headers={"Vary": "Accept"})


async def run_update(request: Request, text: str, params: dict[str, list[str]]) -> Response:
    require_write_token(request, deps.settings(request))
    service = deps.sparql_service(request)
    await run_in_threadpool(service.update, text, params.get("using-graph-uri", []),
                            params.get("using-named-graph-uri", []))
    return Response(status_code=204)


async def describe_service(request: Request, format_values: list[str]) -> Response:
    """The service description, in the RDF syntax the client prefers (Turtle when it does not care); a browser
    asking for HTML gets the query UI instead."""
    settings = deps.settings(request)
    media_type = choose(DESCRIPTION_TYPES, {**formats.RDF_ALIASES, "html": "text/html"},
                        request.headers.get("accept"), format_values)
    if media_type == "text/html":
        return await sparql_ui(request)
    endpoint = str(request.url.replace(query="", fragment="")).rstrip("?")
    kg = deps.knowledge_graph(request)
    triples = service_description.describe(kg, endpoint, writable=settings.write_token is not None)
    syntax = formats.by_media_type(media_type)
    body = ox.serialize(triples, format=syntax.oxigraph, prefixes={"sd": service_description.SD}) or b""
    return as_response(Answer(media_type, [body]))


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ApiError(400, "bad-request", f"more than one {name} parameter")
    return values[0]
