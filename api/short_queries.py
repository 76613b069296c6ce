"""The short way for short queries: a GET of /sparql answered before FastAPI's routing, by the route's own code.

A point look-up costs the engine ~0.1 ms in this process (graph/engine.py `_answer_here`), but the way there through
FastAPI (its exception middleware, the router matching ~100 routes, the endpoint's dependencies, a Request object)
cost as much again (README "The serving path", measured). So this middleware, inside the access log and CORS and
outside everything else, takes a GET /sparql with one `query` of at most LOOP_TEXT_CHARS and no parameters but the
protocol's (`format`, `default-graph-uri`, `named-graph-uri`), and answers it with `api.sparql.answer`, the function
the route calls; an error goes to the app's own exception handlers (api/errors.py). Every other request goes on to
the app unchanged. So what differs is the time, not the answer.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from chainkg.api import sparql
from chainkg.api.limits import client_address
from chainkg.graph.engine import LOOP_TEXT_CHARS
from chainkg.graph.sparql import Request as SparqlRequest

ANSWERED = frozenset({"query", "format", "default-graph-uri", "named-graph-uri"})  # any other: to the route


class SparqlRoute:
    """What the access log and the metrics read from scope["route"]: the route template answered."""

    path = "/sparql"


class ShortQueries:
    """ASGI middleware: answer short SPARQL GETs here, pass everything else on (see the module docstring)."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app, self.owner, self.route = app, owner, SparqlRoute()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = _short_query(scope)
        if params is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = self.route
        state = self.owner.state
        dataset = SparqlRequest(params["query"][0], params.get("default-graph-uri", []),
                                params.get("named-graph-uri", []))
        try:
            response = await sparql.answer(state.sparql, state.client_slots, client_address(scope),
                                           Headers(scope=scope).get("accept"), dataset, params.get("format", []))
        except Exception as error:
            handler = self._handler(error)
            if handler is None:
                raise
            response = await handler(Request(scope, receive), error)
        await response(scope, receive, send)

    def _handler(self, error: Exception):
        """The app's handler for this error, found as Starlette's exception middleware finds it (by the error's
        classes, nearest first); None for the catch-all, which the server-error middleware outside applies."""
        handlers = self.owner.exception_handlers
        return next((handlers[cls] for cls in type(error).__mro__ if cls in handlers and cls is not Exception), None)


def _short_query(scope: Scope) -> dict[str, list[str]] | None:
    """The parameters of a GET /sparql this lane answers, or None."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
        return None
    try:
        params = parse_qs(scope["query_string"].decode("ascii"), keep_blank_values=True)
    except UnicodeDecodeError:  # a raw non-ASCII byte: the route decides what that means
        return None
    queries = params.get("query", ())
    if len(queries) != 1 or len(queries[0]) > LOOP_TEXT_CHARS or not params.keys() <= ANSWERED:
        return None
    return params

