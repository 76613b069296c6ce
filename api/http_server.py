"""How `chainkg serve` runs uvicorn: the HTTP parser, the size of a request head, and the answer to one too long.

uvicorn's parser is httptools (llhttp), which reads a head of any length, and uvicorn keeps the URL and headers it
is given: so this protocol stops a request whose URL or headers outgrow a limit sized from CHAINKG_MAX_QUERY_BYTES
(a GET query may be 100 kB of text, up to three times that once percent-encoded) with a JSON 414 (the URL) or 431
(the headers) and an access-log line, like every other refusal. And httptools' URL splitter refuses a URL over
65,535 bytes (it keeps offsets in 16 bits), which uvicorn then answered with a plain-text 400 that reached no log:
a longer URL is split here instead. Must not: touch a request that fits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.main import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from chainkg.api.observability import LOG_CONFIG, line
from chainkg.api.processes import BEAT_S
from chainkg.api.server import uvicorn_options
from chainkg.graph.settings import Settings

log = logging.getLogger("chainkg.access")

HEADERS_ALLOWANCE = 64 * 1024  # headers and the other parameters of a GET, beside its query
PERCENT_ENCODED = 3  # a byte of query text is at most three bytes of URL (%E4)
LINGER_S = 2.0  # after refusing, read and drop what the client still sends, so closing does not reset the answer
REASONS = {414: b"URI Too Long", 431: b"Request Header Fields Too Large"}
SPLITTER_LIMIT = 65_535  # httptools.parse_url refuses longer URLs


def head_limit(settings: Settings) -> int:
    """Bytes of request line and headers accepted: room for the longest query the settings allow, sent by GET.

    >>> head_limit(Settings(max_query_bytes=100_000))
    365536
    """
    return PERCENT_ENCODED * settings.max_query_bytes + HEADERS_ALLOWANCE


def serve(settings: Settings) -> None:
    """`chainkg serve`: this process serves, or, with CHAINKG_PROCESSES > 1 (read-only only), a supervisor starts
    that many serving processes on one socket (api/processes.py)."""
    if settings.processes > 1:
        from chainkg.api.processes import Supervisor

        Supervisor(settings).run()
        return
    from chainkg.api.app import create_app

    run(create_app(settings), settings)


def run(app: Any, settings: Settings, *, listener: socket.socket | None = None, beat_fd: int | None = None) -> None:
    """Serve `app` until stopped, with chainkg's access log instead of uvicorn's (which prints a write's URL), the
    connection caps and read deadlines of api/server.py, and the head limit here. A serving process of several
    (api/processes.py) gets the supervisor's `listener` and beats on `beat_fd` from its event loop."""
    options = uvicorn_options(settings)
    options["http"] = type("ChainkgHttpProtocol", (LimitedHeadProtocol, options["http"]),
                           {"limit": head_limit(settings)})
    # One uvicorn server for both cases, as uvicorn.run builds it. A serving process of several is handed the
    # listening socket object, not uvicorn.run(fd=…): uvicorn takes a descriptor for a unix socket, so its
    # connections never got TCP_NODELAY and every answer waited ~40 ms for a delayed ACK (measured: 23 look-ups a
    # second, not 1,500).
    server = BeatingServer(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info",
                                          access_log=False, log_config=LOG_CONFIG, **options))
    server.beat_fd = beat_fd
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=None if listener is None else [listener])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


class BeatingServer(uvicorn.Server):
    """uvicorn's server writing a byte to `beat_fd` every BEAT_S from its event loop once started: the supervisor
    replaces a serving process whose loop stops beating (api/processes.py)."""

    beat_fd: int | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.beat_fd is not None and self.started:
            os.set_blocking(self.beat_fd, False)  # never wait on the loop for a supervisor that does not read
            self._beat()

    def _beat(self) -> None:
        try:
            os.write(self.beat_fd, b".")
        except BlockingIOError:  # the supervisor has not read the last ones yet
            pass
        except OSError:  # the supervisor is gone (killed): nobody holds the store's lock any more, so stop too
            logging.getLogger("chainkg.processes").warning("the supervisor of the serving processes is gone: stopping")
            self.should_exit = True
            return
        asyncio.get_running_loop().call_later(BEAT_S, self._beat)


class HeadTooLong(Exception):
    """Raised from a parser callback: llhttp stops, and uvicorn calls send_400_response, answered here."""


class LimitedHeadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; a head over the limit is answered as chainkg answers errors, and logged."""

    limit = 365_536  # set by `run` from the settings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal: int | None = None  # the status of a head over the limit
        self.refused = False
        self.head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if not self.refused:
            super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url), 414)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4, 431)  # ": " and CRLF
        super().on_header(name, value)

    def _count(self, size: int, status: int) -> None:
        self.head_bytes += size
        if self.head_bytes > self.limit:
            self.refusal = status
            raise HeadTooLong(status)

    def on_headers_complete(self) -> None:
        if len(self.url) <= SPLITTER_LIMIT:
            super().on_headers_complete()
            return
        target = bytes(self.url)  # origin form: path, then the query after the first "?"
        path, _, query = target.partition(b"?")
        self.url = path
        super().on_headers_complete()
        self.scope["query_string"] = query  # the cycle holds this scope; its task has not run yet

    def send_400_response(self, msg: str) -> None:
        if self.refusal is None:
            super().send_400_response(msg)
            return
        status = self.refusal
        code, message = too_long(status, self.limit)
        body = json.dumps({"error": code, "message": message}).encode()
        head = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS[status])]
        for name, value in [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"x-content-type-options", b"nosniff"), (b"connection", b"close")]:
            head.append(name + b": " + value + b"\r\n")
        self.transport.write(b"".join(head) + b"\r\n" + body)
        self.refused = True
        self.loop.call_later(LINGER_S, self.transport.close)
        method = self.parser.get_method() if self.url else b"?"
        log.info(line(_scope_of(method, bytes(self.url[:4096]), self.client), status, 0.0, code))


def too_long(status: int, limit: int) -> tuple[str, str]:
    """(error code, message) for a head over `limit`: 414 when its URL alone does not fit, else 431.

    >>> too_long(414, 40)[0], too_long(431, 40)[0]
    ('uri-too-long', 'headers-too-large')
    """
    if status == 414:
        return "uri-too-long", (f"the request line is longer than {limit:,} bytes: send a long query with "
                                "POST (application/sparql-query), within CHAINKG_MAX_QUERY_BYTES")
    return "headers-too-large", f"the request's headers are longer than {limit:,} bytes"


def _scope_of(method: bytes, target: bytes, client: tuple[str, int] | None) -> dict[str, Any]:
    """Enough of an ASGI scope for the access-log line: method, path and the start of the query string."""
    path, _, query = target.partition(b"?")
    method_text = method.decode("latin-1") if method.isalpha() and len(method) < 10 else "?"
    return {"method": method_text, "path": path.decode("latin-1")[:200], "query_string": query, "client": client}
