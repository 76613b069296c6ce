"""The external store's HTTP client (graph/remote.py `Client`) and what RemoteEngine sends, against small stand-in
stores on loopback (real sockets, real HTTP/1.1): connections are kept and reused only while open, redirects and
proxies are never followed, the time limit is an error, Digest and Basic credentials are right, and a light query
goes out as the guard wrote it. The store-dependent behaviour on a real Virtuoso is tests/test_backend_contract.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio.to_thread
import pytest

from chainkg.graph import engine as engine_module, guard, remote
from chainkg.graph.engine import QueryFailed, RemoteEngine
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.worker import Job

EMPTY = json.dumps({"head": {"vars": ["p", "o"]}, "results": {"bindings": []}}).encode()
JSON = "application/sparql-results+json"


@dataclass
class Seen:
    connections: int = 0
    requests: list[dict] = field(default_factory=list)


@contextmanager
def stand_in(answer: Callable[[BaseHTTPRequestHandler, dict], None] | None = None) -> Iterator[tuple[str, Seen]]:
    """An HTTP/1.1 server on loopback that records each connection and request (form fields, headers) and answers
    with `answer(handler, request)`, by default 200 and an empty SELECT result, keeping the connection open."""
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            seen.connections += 1

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            request = {"path": self.path, "headers": dict(self.headers),
                       "form": dict(urllib.parse.parse_qsl(body.decode()))}
            seen.requests.append(request)
            (answer or ok)(self, request)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a client that hung up on a slow answer is no news
    # shutdown() waits for serve_forever's next look (every 0.5 s by default): up to 0.5 s per test for nothing
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", seen
    finally:
        server.shutdown()
        server.server_close()


def ok(handler: BaseHTTPRequestHandler, request: dict, body: bytes = EMPTY, headers: dict | None = None) -> None:
    handler.send_response(200)
    for name, value in {"Content-Type": JSON, "Content-Length": str(len(body)), **(headers or {})}.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def store_on(url: str, **settings: object) -> Iterator[remote.RemoteStore]:
    store = remote.RemoteStore(Settings(store=":memory:", remote_query_url=url, **settings))
    try:
        yield store
    finally:
        store.close()
        if LOOP is not None:
            LOOP.run_until_complete(asyncio.sleep(0.01))  # the closed connections' transports let go of them


LOOP: asyncio.AbstractEventLoop | None = None  # the event loop of the test asking from one ("loop" below)


@pytest.fixture(params=["thread", "loop"])
def ask(request: pytest.FixtureRequest) -> Iterator[Callable[..., remote.Reply]]:
    """A query to the store as a thread asks it (request_query) and as the event loop does (request_query_async,
    for light queries): every guarantee below holds for both."""
    global LOOP
    if request.param == "thread":
        yield lambda store, text, **options: store.request_query(text, JSON, **options)
        return
    LOOP = asyncio.new_event_loop()
    try:
        yield lambda store, text, **options: LOOP.run_until_complete(store.request_query_async(text, JSON, **options))
    finally:
        LOOP.close()
        LOOP = None


def test_consecutive_requests_share_one_connection(ask):
    with stand_in() as (url, seen):
        with store_on(url) as store:
            for _ in range(3):
                ask(store, "SELECT * { ?s ?p ?o }")
    assert (seen.connections, len(seen.requests)) == (1, 3)


def test_a_connection_the_store_closed_is_not_reused(ask):
    """The store may drop an idle keep-alive connection without saying so; the next request must not fail on it."""
    def answer_then_hang_up(handler: BaseHTTPRequestHandler, request: dict) -> None:
        ok(handler, request)
        handler.close_connection = True  # no "Connection: close": the client learns it only from the socket

    with stand_in(answer_then_hang_up) as (url, seen):
        with store_on(url) as store:
            ask(store, "SELECT * { ?s ?p ?o }")
            time.sleep(0.2)  # the store's FIN arrives
            if LOOP is not None:
                LOOP.run_until_complete(asyncio.sleep(0.01))  # and the loop sees it, as a running server's would
            ask(store, "SELECT * { ?s ?p ?o }")
    assert (seen.connections, len(seen.requests)) == (2, 2)


def test_a_redirect_is_an_error_and_is_not_followed(ask):
    with stand_in() as (elsewhere, seen_elsewhere):
        def redirect(handler: BaseHTTPRequestHandler, request: dict) -> None:
            handler.send_response(307)
            handler.send_header("Location", elsewhere)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with stand_in(redirect) as (url, seen):
            with store_on(url) as store, pytest.raises(remote.RemoteError) as raised:
                ask(store, "SELECT * { ?s ?p ?o }")
    assert raised.value.status == 307
    assert (len(seen.requests), len(seen_elsewhere.requests)) == (1, 0)


def test_proxies_in_the_environment_are_not_used(ask, monkeypatch):
    with stand_in() as (proxy, seen_by_proxy), stand_in() as (url, seen):
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.removesuffix("/sparql"))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with store_on(url) as store:
            ask(store, "SELECT * { ?s ?p ?o }")
    assert (len(seen.requests), len(seen_by_proxy.requests)) == (1, 0)


def test_a_store_slower_than_the_time_limit_is_a_time_out(ask):
    def slow(handler: BaseHTTPRequestHandler, request: dict) -> None:
        time.sleep(4)
        ok(handler, request)

    with stand_in(slow) as (url, _):
        started = time.monotonic()
        with store_on(url) as store, pytest.raises(remote.RemoteError) as raised:
            ask(store, "SELECT * { ?s ?p ?o }", timeout_s=0.5)
        waited = time.monotonic() - started
    assert raised.value.timed_out
    assert waited < 3, f"the limit of 0.5 s (+1 s of grace) was not held: {waited:.1f} s"


def test_a_store_trickling_its_answer_is_stopped_at_the_time_limit(ask):
    """The limit is the whole request's, not each read's: a byte every 0.2 s for 4 s would pass a per-read one."""
    def trickle(handler: BaseHTTPRequestHandler, request: dict) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", JSON)
        handler.send_header("Content-Length", "20")
        handler.end_headers()
        for _ in range(20):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)

    with stand_in(trickle) as (url, _):
        started = time.monotonic()
        with store_on(url) as store, pytest.raises(remote.RemoteError) as raised:
            ask(store, "SELECT * { ?s ?p ?o }", timeout_s=0.5)
        waited = time.monotonic() - started
    assert raised.value.timed_out
    assert waited < 2.5, f"the limit of 0.5 s (+1 s of grace) was not held: {waited:.1f} s"


def test_an_unreachable_store_is_an_error_without_a_time_out(ask):
    with stand_in() as (url, _):
        pass  # closed: nothing listens there now
    with store_on(url) as store, pytest.raises(remote.RemoteError, match="could not be reached") as raised:
        ask(store, "SELECT * { ?s ?p ?o }")
    assert not raised.value.timed_out and raised.value.status == 0


def digest_store(user: str, password: str) -> tuple[Callable, list[bool]]:
    """A store that wants Digest credentials (RFC 7616, MD5, qop=auth), checked here independently of the client."""
    realm, nonce, verdicts = "chainkg-test", "abc123", []

    def answer(handler: BaseHTTPRequestHandler, request: dict) -> None:
        given = request["headers"].get("Authorization", "")
        if given.startswith("Digest "):
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(given[len("Digest "):]))
            ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
            ha2 = hashlib.md5(f"POST:{fields['uri']}".encode()).hexdigest()
            expected = hashlib.md5(f"{ha1}:{nonce}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}".encode()).hexdigest()
            good = fields["response"] == expected and fields["uri"] == request["path"] and fields["username"] == user
            verdicts.append(good)
            if good:
                ok(handler, request)
                return
        handler.send_response(401)
        handler.send_header("WWW-Authenticate", f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm="MD5"')
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer, verdicts


def test_digest_credentials_answer_the_challenge_then_go_with_every_request(ask):
    answer, verdicts = digest_store("dba", "s3cret")
    with stand_in(answer) as (url, seen):
        with store_on(url, remote_user="dba", remote_password="s3cret", remote_auth="digest") as store:
            ask(store, "SELECT * { ?s ?p ?o }")
            assert len(seen.requests) == 2  # challenged once
            ask(store, "SELECT * { ?s ?p ?o }")
            store.request_update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert len(seen.requests) == 4, "after the first challenge every request carries its answer"
    assert verdicts == [True, True, True]


def test_wrong_digest_credentials_are_the_stores_refusal(ask):
    answer, verdicts = digest_store("dba", "s3cret")
    with stand_in(answer) as (url, seen):
        with store_on(url, remote_user="dba", remote_password="wrong") as store, \
                pytest.raises(remote.RemoteError) as raised:
            ask(store, "SELECT * { ?s ?p ?o }")
    assert raised.value.status == 401 and verdicts == [False] and len(seen.requests) == 2


def test_basic_credentials_go_with_every_request(ask):
    with stand_in() as (url, seen):
        with store_on(url, remote_user="dba", remote_password="s3cret", remote_auth="basic") as store:
            ask(store, "ASK {}")
    assert seen.requests[0]["headers"]["Authorization"] == "Basic ZGJhOnMzY3JldA=="


def test_a_chunked_answer_is_read_whole_and_the_connection_kept(ask):
    def chunked(handler: BaseHTTPRequestHandler, request: dict) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", JSON)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for piece in (EMPTY[:10], EMPTY[10:]):
            handler.wfile.write(b"%x;x=1\r\n%s\r\n" % (len(piece), piece))
        handler.wfile.write(b"0\r\nX-Trailer: 1\r\n\r\n")

    with stand_in(chunked) as (url, seen), store_on(url) as store:
        replies = [ask(store, "SELECT * { ?s ?p ?o }") for _ in range(2)]
    assert [reply.content for reply in replies] == [EMPTY, EMPTY]
    assert (seen.connections, len(seen.requests)) == (1, 2)


# ---------------------------------------------------------------------------------------- what RemoteEngine sends
@pytest.fixture()
def engine_and_store() -> Iterator[tuple[RemoteEngine, Seen]]:
    with stand_in() as (url, seen):
        kg = KnowledgeGraph(Settings(store=":memory:", remote_query_url=url))
        engine = RemoteEngine(kg)
        yield engine, seen
        engine.close()
        kg.store.close()


def sent_query(seen: Seen) -> str:
    """The user's text as the store got it, without the prologue chainkg declares before it."""
    return seen.requests[-1]["form"]["query"].rsplit("\n", 1)[-1]


LOOK_UP = "SELECT ?p ?o WHERE { <urn:firm> ?p ?o } # SERVICE <http://169.254.169.254/> { ?a ?b ?c }"


def test_a_light_query_goes_to_the_store_as_the_guard_wrote_it(engine_and_store):
    engine, seen = engine_and_store
    light = guard.light_query(guard.tokens(LOOK_UP))
    assert light == "SELECT ?p ?o WHERE { <urn:firm> ?p ?o }"
    engine.run(Job(LOOK_UP, JSON), light)
    assert sent_query(seen) == light


def test_a_light_query_asks_the_store_for_no_more_than_the_row_cap_and_one(engine_and_store):
    """The store answers whole: past the cap chainkg answers 422 anyway, so the store is asked for cap + 1 rows
    (a client's smaller LIMIT is kept) instead of computing and sending all of them."""
    engine, seen = engine_and_store
    for text, sent in [("SELECT * { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o } LIMIT 51"),
                       ("SELECT * { ?s ?p ?o } LIMIT 7", "SELECT * WHERE { ?s ?p ?o } LIMIT 7"),
                       ("SELECT * { ?s ?p ?o } LIMIT 70", "SELECT * WHERE { ?s ?p ?o } LIMIT 51")]:
        engine.run(Job(text, JSON, max_rows=50), guard.light_query(guard.tokens(text)))
        assert sent_query(seen) == sent


def test_any_other_query_goes_to_the_store_as_the_client_wrote_it(engine_and_store):
    engine, seen = engine_and_store
    text = "SELECT ?p ?o WHERE { <urn:firm> ?p ?o . ?o ?q ?r } # two patterns"
    assert guard.light_query(guard.tokens(text)) is None
    engine.run(Job(text, JSON), None)
    assert sent_query(seen) == text


def test_the_benchs_before_path_sends_a_light_query_as_the_client_wrote_it(engine_and_store, monkeypatch):
    """bench/remote_before.py (`bench.run --virtuoso-before`) switches the light path off by replacing
    RemoteEngine._light_text: it must still fit the method it replaces (it once hung the bench when that changed)."""
    from bench import remote_before

    engine, seen = engine_and_store
    monkeypatch.setattr(RemoteEngine, "_light_text", remote_before.no_light)
    engine.run(Job(LOOK_UP, JSON, max_rows=50), guard.light_query(guard.tokens(LOOK_UP)))
    assert sent_query(seen) == LOOK_UP


def test_a_light_text_oxigraph_refuses_is_answered_as_the_client_wrote_it(engine_and_store):
    """An undeclared prefix: the rewritten text does not parse, so the client's own text is checked (fenced) and
    its syntax error, with the client's line and column, is the answer; nothing reaches the store."""
    engine, seen = engine_and_store
    text = "SELECT *\n  WHERE {   nowhere:x ?p ?o }"
    light = guard.light_query(guard.tokens(text))
    assert light == "SELECT * WHERE { nowhere:x ?p ?o }"
    with pytest.raises(SyntaxError) as clients:
        remote.check_query_syntax(text, engine.kg.prefixes, engine.kg.settings.base_iri)
    with pytest.raises(QueryFailed) as raised:
        engine.run(Job(text, JSON), light)
    assert raised.value.kind == "syntax" and str(raised.value) == str(clients.value)
    assert str(raised.value).startswith("error at 2:")
    assert seen.requests == []


# ------------------------------------------------------------------ a light query from the event loop (run_async)
def rows(count: int) -> bytes:
    return json.dumps({"head": {"vars": ["p", "o"]}, "results": {"bindings": [
        {"p": {"type": "uri", "value": "urn:p"}, "o": {"type": "literal", "value": "x" * 100 + str(i)}}
        for i in range(count)]}}).encode()


@contextmanager
def engine_on(answer: Callable | None = None, **settings: object) -> Iterator[tuple[RemoteEngine, Seen, Callable]]:
    """A RemoteEngine on a stand-in store, and `from_loop(job, light)`: run_async on an event loop of its own."""
    loop = asyncio.new_event_loop()
    with stand_in(answer) as (url, seen):
        kg = KnowledgeGraph(Settings(store=":memory:", remote_query_url=url, **settings))
        engine = RemoteEngine(kg)
        try:
            yield engine, seen, lambda job, light: loop.run_until_complete(engine.run_async(job, light))
        finally:
            engine.close()
            kg.store.close()
            loop.run_until_complete(asyncio.sleep(0.01))
            loop.close()


OTHER = "SELECT ?p ?o WHERE { <urn:firm> ?p ?o . ?o ?q ?r } # two patterns"


@pytest.mark.parametrize("text, sent", [(LOOK_UP, guard.light_query(guard.tokens(LOOK_UP))), (OTHER, OTHER)],
                         ids=["light", "other"])
def test_a_short_query_from_the_loop_takes_no_thread_of_the_web_server(monkeypatch, text, sent):
    """A light text is checked on the loop; any other on the fenced thread, which is no thread of the web server."""
    with engine_on() as (engine, seen, from_loop):
        monkeypatch.setattr(anyio.to_thread, "run_sync", lambda *args, **kwargs: pytest.fail("a thread was used"))
        answer = from_loop(Job(text, JSON), guard.light_query(guard.tokens(text)))
    assert sent_query(seen) == sent and json.loads(answer.body) == json.loads(EMPTY)


def test_a_short_query_from_the_loop_is_checked_on_the_fenced_thread():
    """An ASK is evaluated as Oxigraph parses it, so the client's text is checked where sockets fail."""
    checked_on = []
    with engine_on() as (engine, seen, from_loop):
        real = engine._checked
        engine._checked = lambda text: checked_on.append(threading.current_thread().name) or real(text)
        from_loop(Job("ASK { ?s ?p ?o . ?o ?q ?r }", JSON), None)
    assert len(checked_on) == 1 and checked_on[0].startswith("chainkg-check")


def test_a_syntax_error_from_the_loop_reads_as_on_the_thread_path():
    text = "SELECT *\n  WHERE {   nowhere:x ?p ?o . ?o ?q ?r }"
    with engine_on() as (engine, seen, from_loop):
        with pytest.raises(QueryFailed) as raised:
            from_loop(Job(text, JSON), None)
        with pytest.raises(QueryFailed) as on_thread:
            engine.run(Job(text, JSON), None)
    assert raised.value.kind == "syntax" and str(raised.value) == str(on_thread.value)
    assert str(raised.value).startswith("error at 2:") and seen.requests == []


def test_a_long_query_from_the_loop_is_checked_and_sent_from_a_thread(monkeypatch):
    text = OTHER + " " * engine_module.LOOP_TEXT_CHARS
    used = []
    real = anyio.to_thread.run_sync

    async def recording(function, *args, **kwargs):
        used.append(getattr(function, "__name__", function))
        return await real(function, *args, **kwargs)

    with engine_on() as (engine, seen, from_loop):
        monkeypatch.setattr(anyio.to_thread, "run_sync", recording)
        from_loop(Job(text, JSON), None)
    assert used == ["run"] and sent_query(seen) == text


def test_a_large_answer_to_a_light_query_is_written_in_a_thread(monkeypatch):
    """Past LOOP_REPLY_BYTES the results' parse and rewrite would hold the loop: a thread does them."""
    big = rows(3_000)
    assert len(big) > engine_module.LOOP_REPLY_BYTES
    used = []
    real = anyio.to_thread.run_sync

    async def recording(function, *args, **kwargs):
        used.append(getattr(function, "__name__", function))
        return await real(function, *args, **kwargs)

    with engine_on(lambda handler, request: ok(handler, request, big)) as (engine, seen, from_loop):
        monkeypatch.setattr(anyio.to_thread, "run_sync", recording)
        answer = from_loop(Job(LOOK_UP, JSON), guard.light_query(guard.tokens(LOOK_UP)))
    assert used == ["_answer"] and len(json.loads(answer.body)["results"]["bindings"]) == 3_000


def test_a_light_query_from_the_loop_keeps_the_time_limit_and_the_row_cap():
    def slow(handler: BaseHTTPRequestHandler, request: dict) -> None:
        time.sleep(4)
        ok(handler, request)

    light = guard.light_query(guard.tokens(LOOK_UP))
    with engine_on(slow) as (engine, seen, from_loop):
        started = time.monotonic()
        with pytest.raises(QueryFailed) as raised:
            from_loop(Job(LOOK_UP, JSON, timeout_s=0.5), light)
        assert raised.value.kind == "timeout" and time.monotonic() - started < 3
    with engine_on(lambda handler, request: ok(handler, request, rows(3))) as (engine, seen, from_loop):
        with pytest.raises(QueryFailed) as raised:
            from_loop(Job(LOOK_UP, JSON, max_rows=2), light)
        assert raised.value.kind == "rows"
        assert len(json.loads(from_loop(Job(LOOK_UP, JSON, max_rows=3), light).body)["results"]["bindings"]) == 3
