"""How uvicorn holds connections: a cap on open connections and deadlines for reading a request, so slow clients
cannot fill the file-descriptor table.

uvicorn (0.55) has a keep-alive time-out between requests but none before the first request or while the request
line, the headers or the body trickle in: ~20,000 connections that never finished a request kept new clients from
being answered. This protocol closes a connection whose request head is not complete within `header_timeout_s` of
its first byte (or of the connection), or whose body is not complete within `body_timeout_s` of its head, and
refuses connections past `max_connections` (or `max_connections_per_client` from one address) at once. Behind a
reverse proxy the proxy's own limits come first (README "Reliability and security").

It is uvicorn's httptools protocol (llhttp, in C): h11, in pure Python, cost ~0.1 ms of every request's ~1 ms
(measured on point look-ups, issue 16); api/http_server.py gives it the head limit h11 had.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from chainkg.graph.settings import Settings

log = logging.getLogger("chainkg.server")

HEAD, BODY = "request head", "request body"  # the phases of reading a request that have a deadline


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a connection cap and read deadlines (set by `protocol_for`)."""

    max_connections = 1000
    max_connections_per_client = 100
    header_timeout_s = 10.0
    body_timeout_s = 60.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        self._reading: str | None = None  # the phase the deadline is for
        super().connection_made(transport)
        address = self.client[0] if self.client else None
        same = sum(1 for other in self.connections if other.client and other.client[0] == address)
        if len(self.connections) > self.max_connections or same > self.max_connections_per_client:
            log.warning("connection refused: %d open, %d from %s (settings CHAINKG_MAX_CONNECTIONS, "
                        "CHAINKG_MAX_CONNECTIONS_PER_CLIENT)", len(self.connections) - 1, same - 1, address)
            self.connections.discard(self)
            transport.abort()
            return
        self._watch(HEAD)  # the first head is due within the limit of the connection

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._watch(HEAD)  # a later head: within the limit of its first byte (idle before it: keep-alive's limit)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._watch(BODY)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._cancel()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # arms uvicorn's keep-alive time-out for the idle time before the next head
        if self._reading == BODY:  # answered before the body was read: the client's body has no deadline left
            self._cancel()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def _watch(self, phase: str) -> None:
        """Keep one deadline per phase of reading a request: the head, then the body."""
        if phase == self._reading or self.transport.is_closing():
            return
        self._cancel()
        self._reading = phase
        limit = self.header_timeout_s if phase == HEAD else self.body_timeout_s
        self._deadline = self.loop.call_later(limit, self._too_slow, phase, limit)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._reading = None, None

    def _too_slow(self, phase: str, limit: float) -> None:
        log.warning("connection closed: the %s took longer than %g s", phase, limit)
        self._deadline, self._reading = None, None
        if not self.transport.is_closing():
            self.transport.abort()


def protocol_for(settings: Settings) -> type[GuardedProtocol]:
    """The protocol class with the settings' limits (uvicorn instantiates it once per connection)."""
    return type("ChainkgHttpToolsProtocol", (GuardedProtocol,), {
        "max_connections": settings.max_connections,
        "max_connections_per_client": settings.max_connections_per_client,
        "header_timeout_s": settings.header_timeout_s,
        "body_timeout_s": settings.body_timeout_s,
    })


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """What `chainkg serve` passes to uvicorn beside the app, host and port."""
    return {"http": protocol_for(settings), "timeout_keep_alive": settings.keep_alive_s,
            "limit_concurrency": settings.max_connections, "backlog": 2048}
