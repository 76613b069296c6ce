"""Limits that protect the service from one client: request sizes, and queries running at once per client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request

from chainkg.api.errors import ApiError

WAITING_PER_SLOT = 8  # a client may queue this many requests per running slot before it gets 429


async def read_body(request: Request, limit: int, what: str = "request body") -> bytes:
    """The body, refused with 413 as soon as it is known (Content-Length) or seen (streaming) to exceed `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(what, limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(what, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, limit: int) -> ApiError:
    return ApiError(413, "too-large", f"the {what} is larger than {limit:,} bytes")


class ClientSlots:
    """At most `per_client` queries of one client address run at once; the next ones wait, then get 429.

    And `reserve` of the `workers` are kept for clients that have nothing running: a client's second (third …)
    query starts only while more than `reserve` workers are free. Two addresses with two runaway queries each held
    all three workers for the full time limit, and every other client's light query got 503; once both have one
    running, their second ones wait and a third address is answered at once (README "Reliability and security").
    Not covered: a client whose two queries started on an idle pool keeps both, and a second client's first query
    may then take the reserve (stopping the first client's second query would be preemption, not done); and many
    distinct addresses with one runaway query each can fill the pool (the per-address limit's blind spot).
    """

    def __init__(self, per_client: int, workers: int | None = None, reserve: int = 0, wait_s: float = 30.0) -> None:
        self.per_client = per_client
        self.workers = workers
        self.reserve = min(reserve, (workers or 1) - 1)
        self.wait_s = wait_s
        self.running = 0
        self._freed = asyncio.Condition()
        self._clients: dict[str, _Client] = {}

    @asynccontextmanager
    async def slot(self, client: str) -> AsyncIterator[None]:
        state = self._clients.setdefault(client, _Client(asyncio.Semaphore(self.per_client)))
        if state.users >= self.per_client * (1 + WAITING_PER_SLOT):
            raise ApiError(429, "too-many-queries",
                           f"this client already runs {self.per_client} queries and has more waiting "
                           f"(setting CHAINKG_MAX_QUERIES_PER_CLIENT)", {"Retry-After": "1"})
        state.users += 1
        try:
            async with state.semaphore:
                await self._start(state)
                try:
                    yield
                finally:
                    await self._finish(state)
        finally:
            state.users -= 1
            if not state.users:
                del self._clients[client]

    async def _start(self, state: _Client) -> None:
        """Count the query as running; a client with one running already waits while only the reserve is free."""
        if state.running and self.workers is not None and self.reserve:
            async with self._freed:
                try:
                    await asyncio.wait_for(self._freed.wait_for(
                        lambda: self.workers - self.running > self.reserve), self.wait_s)
                except TimeoutError:
                    raise ApiError(503, "query-busy", "the query workers not kept for other clients are busy with "
                                                      "this client's other queries; try again shortly",
                                   {"Retry-After": "1"}) from None
        state.running += 1
        self.running += 1

    async def _finish(self, state: _Client) -> None:
        state.running -= 1
        self.running -= 1
        async with self._freed:
            self._freed.notify_all()


class _Client:
    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self.semaphore = semaphore
        self.users = 0  # running and waiting
        self.running = 0


def client_of(request: Request) -> str:
    return client_address(request.scope)


def client_address(scope: dict) -> str:
    """The address a client's query slots are counted by (also for api/short_queries.py, which has no Request)."""
    client = scope.get("client")
    return client[0] if client else "unknown"
