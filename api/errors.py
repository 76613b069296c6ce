"""Every failure as a short JSON body with the right status: never a stack trace, never an HTML error page.

Routes raise graph/ exceptions (or `ApiError`); the handlers here choose the status. Messages are ours or the SPARQL
parser's, never raw exception dumps, and never contain a token.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainkg.api.conneg import ConflictingFormats, NotAcceptable
from chainkg.graph import graph_store, guard, loader
from chainkg.graph.engine import QueryFailed
from chainkg.graph.formats import UnknownFormat
from chainkg.graph.sparql import NotAQuery, TripleTermRefused
from chainkg.graph.views import UnknownEntity

log = logging.getLogger("chainkg.api")

# QueryFailed.kind -> status. A result over the row cap is the client's to fix (add LIMIT), hence a 4xx; so is a
# query that needs more memory than the cap, or that crashes the engine's parser (it was the text, not the server).
QUERY_FAILURE_STATUS = {"syntax": 400, "too-complex": 400, "rows": 422, "memory": 422, "timeout": 503, "busy": 503,
                        "store": 500}
HTTP_CODES = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 406: "not-acceptable"}
POSITION = re.compile(r"error at (\d+):(\d+)")
# Oxigraph's JSON-LD serialiser cannot write RDF 1.2 triple terms (which queries may compute with TRIPLE(); chainkg
# stores none): such a result is the client's choice of syntax to change, not a server error.
CANNOT_CARRY_TRIPLE_TERMS = "does not support RDF 1.2"


def triple_terms_not_acceptable() -> JSONResponse:
    return error_response(406, "not-acceptable", "the result holds RDF 1.2 triple terms, which JSON-LD cannot carry: "
                                                 "ask for Turtle, N-Triples, N-Quads, TriG or RDF/XML")


class ApiError(Exception):
    """An error a route decides itself: status, a machine-readable code and a message for people."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   **extra: object) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, error.headers)

    @app.exception_handler(QueryFailed)
    async def _query_failed(request: Request, error: QueryFailed) -> JSONResponse:
        if error.kind == "store" and CANNOT_CARRY_TRIPLE_TERMS in str(error):
            return triple_terms_not_acceptable()
        status = QUERY_FAILURE_STATUS.get(error.kind, 500)
        extra: dict[str, object] = {}
        if error.kind == "syntax" and (where := POSITION.search(str(error))):
            extra = {"line": int(where.group(1)), "column": int(where.group(2))}
        headers = {"Retry-After": "1"} if error.kind == "busy" else None
        message = str(error) if status < 500 or error.kind in ("timeout", "busy") else "the store could not answer"
        if status == 500:
            log.error("store error: %s", error)
        return error_response(status, f"query-{error.kind}", message, headers, **extra)

    @app.exception_handler(OSError)
    async def _os_error(request: Request, error: OSError) -> JSONResponse:
        if CANNOT_CARRY_TRIPLE_TERMS in str(error):
            return triple_terms_not_acceptable()
        return await _unexpected(request, error)

    @app.exception_handler(UnknownEntity)
    async def _unknown_entity(request: Request, error: UnknownEntity) -> JSONResponse:
        return error_response(404, "not-found", str(error))

    @app.exception_handler(graph_store.GraphNotFound)
    async def _graph_not_found(request: Request, error: graph_store.GraphNotFound) -> JSONResponse:
        return error_response(404, "graph-not-found", str(error))

    @app.exception_handler(TripleTermRefused)
    async def _triple_term(request: Request, error: TripleTermRefused) -> JSONResponse:
        return error_response(400, "triple-term", str(error))

    @app.exception_handler(guard.Malformed)
    async def _malformed(request: Request, error: guard.Malformed) -> JSONResponse:
        return error_response(400, error.code, str(error))

    @app.exception_handler(guard.Refused)
    async def _refused(request: Request, error: guard.Refused) -> JSONResponse:
        return error_response(403, "refused", str(error))

    @app.exception_handler(NotAQuery)
    async def _not_a_query(request: Request, error: NotAQuery) -> JSONResponse:
        return error_response(400, "wrong-operation", str(error))

    @app.exception_handler(NotAcceptable)
    async def _not_acceptable(request: Request, error: NotAcceptable) -> JSONResponse:
        return error_response(406, "not-acceptable", str(error), offered=error.offered)

    @app.exception_handler(ConflictingFormats)
    async def _conflicting_formats(request: Request, error: ConflictingFormats) -> JSONResponse:
        return error_response(400, "bad-request", str(error))

    @app.exception_handler(UnknownFormat)
    async def _unknown_format(request: Request, error: UnknownFormat) -> JSONResponse:
        return error_response(415, "unsupported-media-type", str(error))

    @app.exception_handler(loader.LoadError)
    async def _load_error(request: Request, error: loader.LoadError) -> JSONResponse:
        status = 422 if error.violations else 400
        return error_response(status, "shape-violation" if error.violations else "bad-rdf", str(error))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return error_response(400, "bad-request", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, "http-error")
        return error_response(error.status_code, code, str(error.detail), getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal-error", "an unexpected error happened; it has been logged")
