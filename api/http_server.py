"""How `chainkg serve` runs uvicorn: the HTTP parser, the size of a request head, and the answer to one too long.

uvicorn's default parser (httptools) cannot take a URL over 65,535 bytes, and h11 stops a request head at its
buffer size; both answer a plain-text 400 that chainkg never sees and that reaches no access log. A GET query may
be `CHAINKG_MAX_QUERY_BYTES` of text (100 kB), up to three times that once percent-encoded, so chainkg serves with
h11 and a head limit sized from that setting; a longer head gets a JSON 414 (its request line) or 431 (its
headers) and an access-log line, like every other refusal. Must not: touch a request that fits.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from chainkg.api.observability import LOG_CONFIG, line
from chainkg.api.server import uvicorn_options
from chainkg.graph.settings import Settings

log = logging.getLogger("chainkg.access")

HEADERS_ALLOWANCE = 64 * 1024  # headers and the other parameters of a GET, beside its query
PERCENT_ENCODED = 3  # a byte of query text is at most three bytes of URL (%E4)
LINGER_S = 2.0  # after refusing, read and drop what the client still sends, so closing does not reset the answer
REASONS = {414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


def head_limit(settings: Settings) -> int:
    """Bytes of request line and headers accepted: room for the longest query the settings allow, sent by GET.

    >>> head_limit(Settings(max_query_bytes=100_000))
    365536
    """
    return PERCENT_ENCODED * settings.max_query_bytes + HEADERS_ALLOWANCE


def run(app: Any, settings: Settings) -> None:
    """Serve `app` until stopped, with chainkg's access log instead of uvicorn's (which prints a write's URL), the
    connection caps and read deadlines of api/server.py, and the head limit here."""
    import uvicorn

    options = uvicorn_options(settings)
    options["http"] = type("ChainkgHttpProtocol", (LimitedHeadProtocol, options["http"]), {})
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False,
                log_config=LOG_CONFIG, h11_max_incomplete_event_size=head_limit(settings), **options)


class _Connection(h11.Connection):
    """h11's connection, remembering why it last refused what it received."""

    refusal: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as error:
            self.refusal = error
            raise


class LimitedHeadProtocol(H11Protocol):
    """uvicorn's h11 protocol; a head over the limit is answered as chainkg answers errors, and logged."""

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.limit = config.h11_max_incomplete_event_size
        self.conn = _Connection(h11.SERVER, self.limit)
        self.refused = False

    def data_received(self, data: bytes) -> None:
        if not self.refused:
            super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        refusal = self.conn.refusal
        if refusal is None or refusal.error_status_hint != 431:  # h11's hint for a head past the buffer size
            super().send_400_response(msg)
            return
        head, _ = self.conn.trailing_data
        status, code, message = too_long(head, self.limit)
        body = json.dumps({"error": code, "message": message}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"x-content-type-options", b"nosniff"), (b"connection", b"close")]
        response = h11.Response(status_code=status, headers=headers, reason=REASONS[status])
        for event in (response, h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.refused = True
        self.loop.call_later(LINGER_S, self.transport.close)
        log.info(line(_scope_of(head, self.client), status, 0.0, code))


def too_long(head: bytes, limit: int) -> tuple[int, str, str]:
    """(status, error code, message) for a head over `limit`: 414 when its request line alone does not fit.

    >>> too_long(b"GET /sparql?query=" + b"x" * 50, 40)[:2]
    (414, 'uri-too-long')
    >>> too_long(b"GET / HTTP/1.1\\r\\nCookie: " + b"x" * 50, 40)[:2]
    (431, 'headers-too-large')
    """
    if b"\n" not in head:
        return 414, "uri-too-long", (f"the request line is longer than {limit:,} bytes: send a long query with "
                                     "POST (application/sparql-query), within CHAINKG_MAX_QUERY_BYTES")
    return 431, "headers-too-large", f"the request's headers are longer than {limit:,} bytes"


def _scope_of(head: bytes, client: tuple[str, int] | None) -> dict[str, Any]:
    """Enough of an ASGI scope for the access-log line: method, path and the start of the query string."""
    method, _, rest = head[:4096].partition(b" ")
    target = rest.split(b" ", 1)[0]
    path, _, query = target.partition(b"?")
    method_text = method.decode("latin-1") if method.isalpha() and len(method) < 10 else "?"
    return {"method": method_text, "path": path.decode("latin-1")[:200], "query_string": query, "client": client}
