"""The short way for light queries: a GET of one triple pattern answered before FastAPI's routing.

A point look-up costs the engine ~0.1 ms in this process (graph/engine.py `_answer_here`), but the way there through
FastAPI (exception middleware, the router matching ~100 routes, the endpoint's dependencies, a Request object) cost
about as much again (README "The serving path", measured). So this middleware, inside the access log and CORS and
outside everything else, takes a GET /sparql whose only parameters are one `query` (and `format`), whose text the
guard finds light and allowed, whose syntax is negotiated without error, and which the engine answers at once: it
writes that answer as the route would (`api.sparql.as_response`, same headers), within the client's query slot.
Anything else — and any of those steps that fails or declines — goes on to the app unchanged, where the route
answers or refuses it exactly as before (its guard scan is then done twice, ~35 µs). So nothing but speed differs.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from chainkg.api.conneg import RESULT_TYPES, WRITTEN_AS, ConflictingFormats, NotAcceptable, choose
from chainkg.api.errors import ApiError
from chainkg.api.sparql import as_response
from chainkg.graph import formats, guard
from chainkg.graph.engine import LOOP_TEXT_CHARS
from chainkg.graph.sparql import Request as SparqlRequest

ANSWERED = frozenset({"query", "format"})  # a request with any other parameter goes to the route
NEGOTIATED = 256  # distinct (Accept, format) pairs remembered; a client inventing new ones only empties the memo


class SparqlRoute:
    """What the access log and the metrics read from scope["route"]: the route template answered."""

    path = "/sparql"


class LightQueries:
    """ASGI middleware: answer light SPARQL GETs here, pass everything else on (see the module docstring)."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app, self.owner, self.route = app, owner, SparqlRoute()
        self._negotiated: dict[tuple[str | None, tuple[str, ...]], str] = {}  # few distinct Accept headers recur

    def _media_type(self, accept: str | None, format_values: list[str]) -> str:
        """The negotiated syntax (api.conneg.choose, ~0.1 ms), remembered for the last NEGOTIATED requests' kinds."""
        key = (accept, tuple(format_values))
        media_type = self._negotiated.get(key)
        if media_type is None:
            media_type = choose(RESULT_TYPES, formats.RESULT_ALIASES, accept, format_values)
            if len(self._negotiated) >= NEGOTIATED:
                self._negotiated.clear()
            self._negotiated[key] = media_type
        return media_type

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/sparql":
            response = await self._answer(scope)
            if response is not None:
                scope["route"] = self.route
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope):
        """The route's response to this request if it is light and answerable now, else None."""
        params = _parameters(scope["query_string"])
        if params is None or not params.keys() <= ANSWERED or len(params.get("query", ())) != 1:
            return None
        text = params["query"][0]
        if len(text) > LOOP_TEXT_CHARS:
            return None
        state = self.owner.state
        dataset = SparqlRequest(text, [], [])
        try:
            found = state.sparql.inspect(dataset)
            if found.light is None:
                return None
            media_type = self._media_type(_header(scope, b"accept"), params.get("format", []))
        except (guard.Refused, guard.Malformed, NotAcceptable, ConflictingFormats):
            return None  # the route refuses it, with the status and message it always gave
        client = scope["client"][0] if scope.get("client") else "unknown"
        try:
            async with state.client_slots.slot(client):
                answer = state.sparql.answer_here(dataset, WRITTEN_AS.get(media_type, media_type), found)
        except ApiError:  # too many queries waiting: the route says 429
            return None
        return None if answer is None else as_response(answer, media_type)


def _parameters(query_string: bytes) -> dict[str, list[str]] | None:
    try:
        return parse_qs(query_string.decode("ascii"), keep_blank_values=True)
    except UnicodeDecodeError:  # a raw non-ASCII byte: the route decides what that means
        return None


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of a header, as Starlette's `request.headers.get` reads it for the route."""
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), None)
