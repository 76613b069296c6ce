"""No query or update reaches outside the server (issue 19): two fences, each tested on its own.

1. The guard (graph/guard.py) refuses SERVICE, LOAD and dataset clauses the settings do not allow, including
   keywords glued to the token before or after them, which Oxigraph's lexer reads and a whitespace scanner did not.
   Property test: generated texts glue the keywords to every kind of preceding token and go to a real server by
   GET, POST body and POST form (updates with the write token); a loopback listener must see no connection.
2. The OS fence (graph/sandbox.py), which does not depend on parsing: the engine is handed texts the guard never
   saw, and the kernel refuses the sockets. A worker process that tries dies by SIGSYS and the client gets 403;
   the update thread of the serving process gets an error; a fenced process cannot read files outside the store.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from chainkg.graph import guard, sandbox
from chainkg.graph.engine import ProcessEngine, ThreadEngine
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.worker import Job, UpdateCheck
from tests.conftest import WRITE_TOKEN, Server, running_server

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
QUERY_FORM = "application/x-www-form-urlencoded"


class Listener:
    """A TCP listener on loopback that counts the connections it accepts and answers each like a SPARQL endpoint
    with one row, so that a query which did reach it would also get data back."""

    BODY = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"leaked"}}]}}'
    PROBE = b"\0settled?\0"  # what settled() sends; no HTTP request starts with a NUL byte

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:  # one connection at a time, in the order the kernel queued them: settled() counts on it
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    request = conn.recv(65536)
                except OSError:
                    request = b""
                if request == self.PROBE:
                    conn.sendall(b"%d" % self.connections)
                    continue
                self.connections += 1
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                 b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(self.BODY), self.BODY))
                except OSError:
                    pass

    def settled(self) -> int:
        """The count of connections made before this call, once every one of them has been counted. Called after
        the server's answer (or the engine's error) came back: any connection made while the request was handled
        was made before that, so its handshake was done and it sat in the listening socket's queue before this
        call's own probe connection joins the queue. The kernel hands queued connections to accept() first in,
        first out, and the thread above takes them one at a time, so when it answers the probe it has counted
        every earlier one; the probe itself is not counted. No fixed wait: this used to wait until the count held
        still for 0.1 s (~130 calls, ~13 s of the module)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as probe:
            probe.sendall(self.PROBE)
            answer = b""
            while chunk := probe.recv(64):
                answer += chunk
        return int(answer)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.sock.close()


def test_the_listener_sees_an_unfenced_engine_connect(listener):
    """The control: without the fences, pyoxigraph really connects (so a count of zero below means something)."""
    before = listener.connections
    rows = list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?x ?y ?z }} }}"))
    assert listener.settled() > before
    assert rows and rows[0]["x"] == ox.Literal("leaked")


# ---------------------------------------------------------------------------------------------- the listed attacks
# @URL@ is the listener's endpoint, @BASE@ its root, @PORT@ its port
ATTACK_QUERIES = [
    "SELECT ?x WHERE { ?c ?p trueSERVICE <@URL@> { ?x ?y ?z } }",
    "SELECT ?x WHERE { ?c ?p falseSERVICE <@URL@> { ?x ?y ?z } }",
    "SELECT ?x WHERE { ?c ?p 1e5SERVICE <@URL@> { ?x ?y ?z } }",
    "ASK { ?c ?p trueSERVICE <@URL@> { ?x ?y ?z } }",
    "SELECT ?x WHERE { ?c <urn:p>/<urn:q> trueSERVICE <@URL@> { ?x ?y ?z } }",
    "SELECT * WHERE { SERVICESILENT<@URL@>{ ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICESILENT<@URL@>{ ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICESILENT<@URL@>{ ?s ?p ?o } } } }",
    "SELECT * WHERE { SERVICE <@URL@> { ?s ?p ?o } }",
    "PREFIX l: <@URL@> SELECT * WHERE { SERVICE l: { ?s ?p ?o } }",
]
ATTACK_UPDATES = [
    "INSERT { <urn:s> <urn:p> ?x } WHERE { ?c ?p trueSERVICE <@URL@> { ?x ?y ?z } }",
    "INSERT DATA { <urn:s> <urn:p> <urn:o> } ; LOADSILENT<@URL@>",
    "DELETE WHERE { ?s <urn:none> ?o } ; INSERT { ?s ?p ?o } WHERE { SERVICESILENT<@URL@>{ ?s ?p ?o } }",
    "LOAD <@URL@> INTO GRAPH <urn:g>",
]


def filled(text: str, listener: Listener) -> str:
    return (text.replace("@URL@", listener.url).replace("@BASE@", f"http://127.0.0.1:{listener.port}/")
            .replace("@PORT@", str(listener.port)))


def send_query(server: Server, text: str) -> list[httpx.Response]:
    """The query by GET, by POST body and by POST form."""
    return [
        server.get("/sparql", params={"query": text}),
        server.post("/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"}),
        server.post("/sparql", data={"query": text}),
    ]


def send_update(server: Server, text: str) -> list[httpx.Response]:
    """The update by POST body to /update and by POST form to /sparql, with the write token."""
    return [
        server.post("/update", content=text.encode(), headers={**AUTH, "Content-Type": "application/sparql-update"}),
        server.post("/sparql", data={"update": text}, headers=AUTH),
    ]


@pytest.mark.parametrize("template", ATTACK_QUERIES)
def test_the_reported_queries_are_refused_without_a_connection(server, listener, template):
    before = listener.connections
    for response in send_query(server, filled(template, listener)):
        assert response.status_code == 403, response.text
        assert "leaked" not in response.text
    assert listener.settled() == before


@pytest.mark.parametrize("template", ATTACK_UPDATES)
def test_the_reported_updates_are_refused_without_a_connection(scratch_server, listener, template):
    before = listener.connections
    for response in send_update(scratch_server, filled(template, listener)):
        assert response.status_code == 403, response.text
    assert listener.settled() == before


# ---------------------------------------------------------------------------------------------- generated texts
BEFORE = ["true", "false", "TRUE", "1", "-1", "1e5", "1.5E-3", "+2.", ".5e+7", "'x'", '"x"@en', '"x"@en-US',
          '"x"^^xsd:integer', '"x"^^<http://www.w3.org/2001/XMLSchema#string>', "<urn:o>", "ex:o", "?o", "$o",
          "_:b", ".", ";", ",", "(", ")", "[", "]", "[]", "{", "}", "a", "*", "<urn:p>/<urn:q>", "^<urn:p>", "()",
          '"""x"""', "ex:a\\.b", "\\u0053", "#c\n", ""]
GLUE = ["", " ", "\t", "\n", "#x\n", "\r\n"]
SERVICE = ["SERVICE", "service", "SeRvIcE", "SERVICESILENT", "SERVICE SILENT", "SERVICEsilent", "SERVICE\nSILENT",
           "SERVICE#x\nSILENT", "\\u0053ERVICE", "SERVIC\\u0045"]
TARGET = ["<@URL@>", "l:", "l:sparql", "<sparql>", "<//127.0.0.1:@PORT@/sparql>", "?e"]
AFTER = ["", " ", "\n"]
PROLOGUE = "PREFIX l: <@BASE@> PREFIX ex: <urn:ex:> BASE <@BASE@> "
QUERY_SHAPES = [
    "SELECT * WHERE { ?s ?p ?o . @CLAUSE@ }",
    "ASK { ?s ?p @CLAUSE@ }",
    "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { @CLAUSE@ } } }",
    "SELECT * WHERE { OPTIONAL { ?s ?p ?o } @CLAUSE@ }",
    "SELECT * WHERE { FILTER EXISTS { @CLAUSE@ } }",
]
HEAD_ENDS = ["*", "?s", "(1 AS ?x)", "DISTINCT *", "REDUCED ?s"]
DATASET = ["FROM", "FROM NAMED", "FROMNAMED", "from named", "FROM\nNAMED", "NAMED"]
LOAD = ["LOAD", "load", "LOADSILENT", "LOAD SILENT", "LOADsilent", "\\u004cOAD"]
UPDATE_SHAPES = [
    "INSERT { <urn:s> <urn:p> ?o } WHERE { ?s ?p ?o . @CLAUSE@ }",
    "DELETE WHERE { ?s <urn:none> ?o } ; INSERT { ?s ?p ?o } WHERE { @CLAUSE@ }",
]


def pick(draw, *choices: list[str]) -> list[str]:
    return [draw(st.sampled_from(choice)) for choice in choices]


@st.composite
def service_clause(draw) -> str:
    before, glue, keyword, after, target = pick(draw, BEFORE, GLUE, SERVICE, AFTER, TARGET)
    return f"{before}{glue}{keyword}{after}{target}{after}{{ ?x ?y ?z }}"


@st.composite
def query_text(draw) -> str:
    if draw(st.booleans()):
        return PROLOGUE + draw(st.sampled_from(QUERY_SHAPES)).replace("@CLAUSE@", draw(service_clause()))
    # a dataset clause glued to what ends the query's head instead
    before, glue, keyword, after, target = pick(draw, HEAD_ENDS, GLUE, DATASET, AFTER, TARGET)
    return f"{PROLOGUE}SELECT {before}{glue}{keyword}{after}{target} WHERE {{ ?s ?p ?o }}"


@st.composite
def update_text(draw) -> str:
    if draw(st.booleans()):
        return PROLOGUE + draw(st.sampled_from(UPDATE_SHAPES)).replace("@CLAUSE@", draw(service_clause()))
    before, glue, keyword, after, target = pick(draw, BEFORE, GLUE, LOAD, AFTER, TARGET)
    return f"{PROLOGUE}INSERT DATA {{ <urn:s> <urn:p> <urn:o> }} ;{before}{glue}{keyword}{after}{target}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=query_text())
def test_no_generated_query_reaches_the_listener(server, listener, text):
    text = filled(text, listener)
    before = listener.connections
    for response in send_query(server, text):
        assert response.status_code < 500, (text, response.text)
        assert "leaked" not in response.text, text
    assert listener.settled() == before, text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=update_text())
def test_no_generated_update_reaches_the_listener(scratch_server, listener, text):
    text = filled(text, listener)
    before = listener.connections
    for response in send_update(scratch_server, text):
        assert response.status_code < 500, (text, response.text)
    assert listener.settled() == before, text


def test_the_servers_are_whole_after_the_attacks(server, scratch_server, listener):
    """Every worker a fence killed was replaced; the read-only server still answers queries."""
    for running in (server, scratch_server):
        health = running.get("/healthz").json()
        assert health["status"] == "ok", health
    response = server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json()["boolean"] is True


# ---------------------------------------------------------------------------------------------- the OS fence alone
@pytest.fixture(scope="module")
def disk_engine(tmp_path_factory) -> Iterator[ProcessEngine]:
    """The worker pool over a small on-disk store, driven without the guard: what the kernel alone stops."""
    store = tmp_path_factory.mktemp("fenced") / "store"
    kg = KnowledgeGraph(Settings(store=str(store), query_workers=1, query_timeout_s=10, load_shipped=False))
    kg.update("INSERT DATA { <urn:s> <urn:p> <urn:o> }")
    engine = ProcessEngine(kg)
    yield engine
    engine.close()


@pytest.mark.parametrize("template", [
    "SELECT * WHERE { SERVICE <@URL@> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o SERVICE SILENT <@URL@> { ?s ?p ?o } }",  # SILENT hides no attempt
    "ASK { SERVICE SILENT <http://localhost:@PORT@/x> { } }",  # by host name
])
def test_a_worker_asked_to_connect_is_stopped_by_the_kernel(disk_engine, listener, template):
    before, restarts = listener.connections, disk_engine.restarts
    job = Job(filled(template, listener), "application/sparql-results+json", timeout_s=10)
    with pytest.raises(guard.Refused, match="network connection"):
        disk_engine.run(job)
    assert listener.settled() == before
    assert disk_engine.restarts == restarts + 1  # killed (SIGSYS) and replaced
    assert disk_engine.run(Job("ASK { <urn:s> ?p ?o }", "application/sparql-results+json")).body.find(b"true") > 0


def test_the_update_check_is_fenced_too(disk_engine, listener):
    before = listener.connections
    with pytest.raises(guard.Refused, match="network connection"):
        disk_engine.run(UpdateCheck(f"LOAD SILENT <{listener.url}>", timeout_s=10))
    assert listener.settled() == before


def test_the_real_update_runs_on_a_thread_without_network(disk_engine, listener):
    """The update check runs on a checkpoint of the store in a fenced worker, where a SERVICE after a pattern is
    reached and kills the worker. Had a check missed it, the real update runs in the serving process on a fenced
    thread, which gets no socket (SILENT: no error, no connection)."""
    before = listener.connections
    text = f"INSERT {{ <urn:s> <urn:seen> ?x }} WHERE {{ ?s ?p ?o SERVICE SILENT <{listener.url}> {{ ?x ?y ?z }} }}"
    with pytest.raises(guard.Refused, match="network connection"):
        disk_engine.check_update(text)  # the checkpoint holds the store's triples: the SERVICE is reached
    disk_engine.update(text)  # the real update alone, as if the check had passed
    with pytest.raises(guard.Refused, match="network connection"):
        disk_engine.update(text.replace("SILENT ", ""))
    assert listener.settled() == before
    # the web server's own threads are not fenced: this thread can still connect (and the listener counts it)
    with socket.create_connection(("127.0.0.1", listener.port)):
        pass
    assert listener.settled() == before + 1


def test_in_memory_queries_run_on_fenced_threads(listener):
    kg = KnowledgeGraph.in_memory(load_shipped=False)
    kg.update("INSERT DATA { <urn:s> <urn:p> <urn:o> }")
    engine = ThreadEngine(kg)
    try:
        before = listener.connections
        with pytest.raises(guard.Refused, match="network connection"):
            engine.run(Job(f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{listener.url}> {{ }} }}", "text/csv"))
        assert listener.settled() == before
    finally:
        engine.close()


FENCED_PROCESS = """
import os, socket, sys
from chainkg.graph import sandbox
report = sandbox.fence_process([sys.argv[1], *sandbox.code_paths()], [])
print(report, flush=True)
assert report.complete, report
print(open(os.path.join(sys.argv[1], "inside.txt")).read(), flush=True)
for path in (sys.argv[2], "/etc/passwd", "/proc/1/environ"):
    try:
        open(path, "rb").read(1)
        print("READ", path, flush=True)
    except PermissionError:
        print("refused", path, flush=True)
socket.socketpair()  # unix sockets stay: the worker's own pipe to the engine is one
print("unix ok", flush=True)
socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("NOT STOPPED", flush=True)
"""


def test_a_fenced_process_reads_only_the_store_and_dies_on_a_network_socket(tmp_path):
    """The worker's own fence (the same call graph.worker.serve makes) in a process of its own."""
    store, outside = tmp_path / "snapshots", tmp_path / "outside.txt"
    store.mkdir()
    (store / "inside.txt").write_text("inside")
    outside.write_text("secret")
    done = subprocess.run([sys.executable, "-c", FENCED_PROCESS, str(store), str(outside)],
                          capture_output=True, text=True, timeout=60)
    lines = done.stdout.splitlines()
    assert "Landlock ABI" in lines[0] and "seccomp" in lines[0], done.stdout + done.stderr
    assert lines[1:] == ["inside", f"refused {outside}", "refused /etc/passwd", "refused /proc/1/environ",
                         "unix ok"], done.stdout + done.stderr
    assert done.returncode == -31  # SIGSYS: the kernel killed it at socket(AF_INET)


def test_the_fence_filter_checks_the_architecture_word():
    """An i386 or x32 system call (another ABI with other numbers) must not slip past a filter written for this
    one: the first instructions compare the audit arch and refuse what differs."""
    program = sandbox.socket_filter(sandbox.SECCOMP_RET_KILL_PROCESS)
    first = [program[i:i + 8] for i in range(0, 16, 8)]
    audit_arch = sandbox.ARCHES[__import__("platform").machine()][0]
    assert first[0][:2] == b"\x20\x00" and int.from_bytes(first[0][4:], "little") == 4  # load seccomp_data.arch
    assert int.from_bytes(first[1][4:], "little") == audit_arch


# ---------------------------------------------------------------------------------------------- allowed IRIs
@pytest.fixture(scope="module")
def allowing_server(tmp_path_factory, listener) -> Iterator[Server]:
    """A server whose CHAINKG_ALLOWED_REMOTE lists the listener: its SERVICE queries go to the one worker that
    may connect; everything else still runs fenced."""
    allowed = json.dumps([f"http://127.0.0.1:{listener.port}/"])
    with running_server(tmp_path_factory.mktemp("allowing"), load_shipped=False, allowed_remote=allowed) as running:
        yield running


def test_an_allowed_service_is_followed_by_the_network_worker(allowing_server, listener):
    before = listener.connections
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?x ?y ?z }} }}"
    response = allowing_server.get("/sparql", params={"query": query},
                                   headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and "leaked" in response.text, response.text
    assert listener.settled() == before + 1


def test_with_an_allow_list_other_queries_stay_fenced(allowing_server, listener):
    """Only a query whose every SERVICE IRI is allowed reaches the worker that may connect: a SERVICE elsewhere is
    refused by the guard, and a query the guard sees no SERVICE in runs on a fenced worker."""
    before = listener.connections
    elsewhere = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ }} SERVICE <http://127.0.0.2:{listener.port}/> {{ }} }}"
    assert allowing_server.get("/sparql", params={"query": elsewhere}).status_code == 403
    assert listener.settled() == before
    log = Path(allowing_server.log).read_text()
    assert "fence for query workers: seccomp (no network sockets)" in log
    assert "fence for the worker for allowed remote IRIs: seccomp (TCP allowed)" in log


def test_the_network_worker_takes_only_jobs_marked_for_it(disk_engine, listener):
    """Without an allow-list there is no worker that may connect at all: a job marked for one is refused."""
    with pytest.raises(guard.Refused, match="CHAINKG_ALLOWED_REMOTE"):
        disk_engine.run(Job(f"ASK {{ SERVICE <{listener.url}> {{ }} }}", "application/sparql-results+json",
                            network=True))
