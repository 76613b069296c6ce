"""What the running service tells its operator: one access-log line per request, and Prometheus metrics.

The access log names the method, the path, the status, the duration and the outcome (the error code the client
got, e.g. `query-timeout`, or `ok`). It never carries headers (the write token travels in one), bodies, or the query
string of a write; a read's query string is kept, shortened, because it is the SPARQL that was asked.
Metrics are labelled by route template (`/store`), never by raw path, so hostile URLs cannot grow them.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import time
from collections.abc import Callable

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import LOGGING_CONFIG

from chainkg.graph.settings import Settings

access_log = logging.getLogger("chainkg.access")

READ_METHODS = ("GET", "HEAD", "OPTIONS")
QUERY_STRING_SHOWN = 300  # characters of a read's query string kept in its log line
ERROR_BODY_READ = 65536  # an error body this short is read for its code (all of ours are)
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

# uvicorn's own logging, plus chainkg's loggers on the same handler; uvicorn's access log is switched off in favour
# of ours, because it prints every request line with its query string, writes included.
LOG_CONFIG = copy.deepcopy(LOGGING_CONFIG)
LOG_CONFIG["loggers"]["chainkg"] = {"handlers": ["default"], "level": "INFO", "propagate": False}


def install(app: FastAPI, settings: Settings) -> None:
    """Count and log every request of `app`; the metrics read the store and the engine when scraped."""
    state = app.state  # kg and engine are set when the app starts: read them when scraped
    state.metrics = Metrics(quads=lambda: state.kg.quad_count(), workers=lambda: state.sparql.engine.health(),
                            restarts=lambda: state.sparql.engine.restarts)
    app.add_middleware(AccessLog, metrics=state.metrics, enabled=settings.access_log)


class Metrics:
    """The service's metrics in a registry of its own (several apps may live in one test process)."""

    def __init__(self, quads: Callable[[], int], workers: Callable[[], dict[str, int]],
                 restarts: Callable[[], int]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("chainkg_http_requests", "HTTP requests answered, by route template and status",
                                ["method", "route", "status"], registry=self.registry)
        self.duration = Histogram("chainkg_http_request_duration_seconds", "Time to answer an HTTP request",
                                  ["route"], buckets=DURATION_BUCKETS, registry=self.registry)
        self.timeouts = Counter("chainkg_query_timeouts", "Queries (and upload parses, update checks) stopped "
                                "at the time limit", registry=self.registry)
        self.rows_refused = Counter("chainkg_query_rows_refusals", "Queries refused for returning more rows than "
                                    "the cap", registry=self.registry)
        self.registry.register(_StateCollector(quads, workers, restarts))

    def observe(self, method: str, route: str, status: int, seconds: float, outcome: str) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(route).observe(seconds)
        if outcome == "query-timeout":
            self.timeouts.inc()
        elif outcome == "query-rows":
            self.rows_refused.inc()


class _StateCollector:
    """Figures read when scraped: the store's size and the query workers'."""

    def __init__(self, quads: Callable[[], int], workers: Callable[[], dict[str, int]],
                 restarts: Callable[[], int]) -> None:
        self.quads, self.workers, self.restarts = quads, workers, restarts

    def describe(self) -> list:
        return []  # collected only when scraped: the store may not be open yet at registration

    def collect(self):
        yield GaugeMetricFamily("chainkg_store_quads", "Quads in the store", value=self.quads())
        workers = self.workers()
        yield GaugeMetricFamily("chainkg_query_workers", "Query workers the engine keeps", value=workers["size"])
        yield GaugeMetricFamily("chainkg_query_workers_alive", "Query workers alive now", value=workers["alive"])
        yield CounterMetricFamily("chainkg_query_worker_restarts", "Query workers killed at the time limit or dead "
                                  "of a query, and replaced", value=self.restarts())


class AccessLog:
    """ASGI middleware: time every HTTP request, log it in one line, count it, and mark every answer `nosniff`.

    The outcome is the `error` code of an error's JSON body (the handlers in api/errors.py write every error so),
    `ok` below 400, `internal-error` when an exception escapes.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None, enabled: bool = True) -> None:
        self.app, self.metrics, self.enabled = app, metrics, enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, error_body, logged = 500, bytearray(), False

        def finish(outcome: str | None = None) -> None:
            nonlocal logged
            if logged:
                return
            logged = True
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            outcome = outcome or _outcome(status, bytes(error_body))
            if self.metrics is not None:
                self.metrics.observe(scope["method"], route, status, seconds, outcome)
            if self.enabled:
                access_log.info(line(scope, status, seconds, outcome))

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-content-type-options" for name, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                if status >= 400 and len(error_body) < ERROR_BODY_READ:
                    error_body.extend(message.get("body", b"")[:ERROR_BODY_READ])
                await send(message)
                if not message.get("more_body", False):
                    finish()
                return
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except BaseException:
            status = 500
            finish("internal-error")
            raise
        finish()


def line(scope: Scope, status: int, seconds: float, outcome: str) -> str:
    """The access-log line of a request, as `key=value` pairs (values quoted when they need it).

    >>> line({"method": "POST", "path": "/update", "query_string": b"token=x", "client": ("127.0.0.1", 5)},
    ...      204, 0.0123, "ok")
    'method=POST path=/update status=204 duration_ms=12.3 outcome=ok client=127.0.0.1'
    >>> line({"method": "GET", "path": "/sparql", "query_string": b"query=ASK%20%7B%7D"}, 200, 0.001, "ok")
    'method=GET path=/sparql status=200 duration_ms=1.0 outcome=ok params="query=ASK%20%7B%7D"'
    """
    fields = {"method": scope["method"], "path": scope["path"], "status": status,
              "duration_ms": f"{seconds * 1000:.1f}", "outcome": outcome}
    if scope.get("client"):
        fields["client"] = scope["client"][0]
    query_string = scope.get("query_string", b"").decode("latin-1")
    if query_string and scope["method"] in READ_METHODS:  # a write's query string is never logged
        shown = query_string[:QUERY_STRING_SHOWN]
        fields["params"] = shown + ("..." if len(query_string) > QUERY_STRING_SHOWN else "")
    return " ".join(f"{key}={_quoted(str(value))}" for key, value in fields.items())


BARE = re.compile(r'[\x21\x23-\x3c\x3e-\x7e]+')  # printable ASCII but space, '"' and '='


def _quoted(value: str) -> str:
    """Bare when safe, else a JSON string: a hostile path cannot forge a second log line or field.

    >>> _quoted("/sparql"), _quoted("a b"), _quoted("x=1"), _quoted("")
    ('/sparql', '"a b"', '"x=1"', '""')
    """
    if BARE.fullmatch(value):
        return value
    return json.dumps(value)


def _outcome(status: int, error_body: bytes) -> str:
    if status < 400:
        return "ok"
    try:
        code = json.loads(error_body).get("error")
    except (ValueError, AttributeError):
        code = None
    return code if isinstance(code, str) and code.isascii() and len(code) < 40 else f"http-{status}"
