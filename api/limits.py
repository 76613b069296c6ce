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
    """At most `per_client` queries of one client address run at once; the next ones wait, then get 429."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
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
                yield
        finally:
            state.users -= 1
            if not state.users:
                del self._clients[client]


class _Client:
    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self.semaphore = semaphore
        self.users = 0  # running and waiting


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"
