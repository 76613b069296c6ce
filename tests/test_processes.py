"""Several serving processes (CHAINKG_PROCESSES, api/processes.py), as a real `chainkg serve` on the shipped graph.

A connection is answered by one process from start to end, so a test reaches a chosen process by keeping one
connection open (an httpx.Client) and asking /healthz which process it is.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from chainkg.graph.settings import Settings
from tests.conftest import REPO, WRITE_TOKEN, chainkg_command, free_port, running_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/chainkg/id/boyao-testing> ?p ?o }"
QUERIES = [  # the light path, a worker's query, a graph, a boolean, an error
    LOOKUP,
    "PREFIX ck: <https://w3id.org/chainkg/ontology#> SELECT ?chain (COUNT(?firm) AS ?n) WHERE { ?firm ck:inChain "
    "?chain } GROUP BY ?chain ORDER BY DESC(?n) ?chain",
    "CONSTRUCT { ?s a ?type } WHERE { ?s a ?type } ORDER BY ?s LIMIT 40",
    "ASK { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p",
]
TIMEOUT_S = 2  # the query time limit of the server below: a stuck process is replaced after 2 + 10 s


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A read-only service in two serving processes."""
    with running_server(tmp_path_factory.mktemp("processes"), processes=2, query_timeout_s=TIMEOUT_S) as running:
        both_up(running)
        yield running


def both_up(url: str, timeout: float = 120) -> set[int]:
    """The two serving processes, once both answer (/healthz answers as soon as the first one is up)."""
    deadline = time.monotonic() + timeout
    while len(pids := serving_pids(url)) < 2:
        assert time.monotonic() < deadline, f"only {pids} answered within {timeout} s"
        time.sleep(0.5)
    return pids


def process_of(client: httpx.Client) -> int:
    return client.get("/healthz").json()["process"]


def pinned(url: str, pids: set[int] | None = None, avoid: set[int] = frozenset()) -> tuple[httpx.Client, int]:
    """A client whose one keep-alive connection is served by a process in `pids` (any, if None) not in `avoid`."""
    for _ in range(200):
        client = httpx.Client(base_url=url, timeout=30, limits=httpx.Limits(max_connections=1))
        pid = process_of(client)
        if (pids is None or pid in pids) and pid not in avoid:
            return client, pid
        client.close()
    raise AssertionError(f"no connection reached a process in {pids} but {avoid} in 200 tries")


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (its parent may reap it a moment later)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def serving_pids(url: str, count: int = 2) -> set[int]:
    """The processes answering now, from /healthz over new connections (at most 200)."""
    seen: set[int] = set()
    for _ in range(200):
        seen.add(httpx.get(url + "/healthz", timeout=30).json()["process"])
        if len(seen) == count:
            break
    return seen


def test_each_process_gives_the_same_answers(two) -> None:
    first, one = pinned(two)
    second, other = pinned(two, avoid={one})
    statuses = []
    with closing(first), closing(second):
        for text in QUERIES:
            for accept in ("application/sparql-results+json", "text/csv", "text/turtle", "*/*"):
                a = first.get("/sparql", params={"query": text}, headers={"Accept": accept})
                b = second.get("/sparql", params={"query": text}, headers={"Accept": accept})
                assert (a.status_code, a.headers.get("content-type"), a.content) == \
                       (b.status_code, b.headers.get("content-type"), b.content), (text, accept)
                statuses.append(a.status_code)
        assert {process_of(first), process_of(second)} == {one, other}  # each stayed on its process throughout
    assert 200 in statuses and 400 in statuses  # answers and a syntax error, alike in both
    answer = httpx.get(two + "/sparql", params={"query": LOOKUP}, timeout=30)
    assert answer.status_code == 200 and len(answer.json()["results"]["bindings"]) > 3


def test_writes_are_refused_in_every_process(two) -> None:
    first, one = pinned(two)
    second, _ = pinned(two, avoid={one})
    with closing(first), closing(second):
        for client in (first, second):
            headers = {"Authorization": f"Bearer {WRITE_TOKEN}"}
            update = client.post("/update", data={"update": "INSERT DATA { <urn:x> <urn:y> <urn:z> }"},
                                 headers=headers)
            put = client.put("/store", params={"graph": "urn:g"}, content=b"<urn:x> <urn:y> <urn:z> .",
                             headers={**headers, "Content-Type": "application/n-triples"})
            assert (update.status_code, update.json()["error"]) == (403, "read-only")
            assert (put.status_code, put.json()["error"]) == (403, "read-only")
            assert client.get("/sparql", params={"query": "ASK { <urn:x> ?p ?o }"}).json()["boolean"] is False


def test_a_runaway_query_is_stopped_at_its_limit_while_the_other_process_answers(two) -> None:
    first, one = pinned(two)
    second, _ = pinned(two, avoid={one})
    with closing(first), closing(second), ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        runaway = pool.submit(first.get, "/sparql", params={"query": RUNAWAY})
        answered = []
        while not runaway.done():
            began = time.monotonic()
            response = second.get("/sparql", params={"query": LOOKUP})
            answered.append((response.status_code, time.monotonic() - began))
        stopped = runaway.result()
        took = time.monotonic() - started
    assert (stopped.status_code, stopped.json()["error"]) == (503, "query-timeout")
    assert TIMEOUT_S <= took < TIMEOUT_S + 5
    assert answered and all(status == 200 for status, _ in answered)
    assert sorted(seconds for _, seconds in answered)[len(answered) // 2] < 0.5  # median, on a loaded test machine


def sparql_answered(client: httpx.Client) -> float:
    """What /metrics of the client's process counts of GET /sparql answered 200."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('chainkg_http_requests_total{method="GET",route="/sparql",status="200"}'):
            return float(line.split()[-1])
    return 0.0


def test_metrics_and_health_are_each_process_own(two) -> None:
    """As the README says: /metrics and /healthz describe the process that answered, not the service."""
    first, one = pinned(two)
    second, other = pinned(two, avoid={one})
    with closing(first), closing(second):
        before = sparql_answered(first), sparql_answered(second)
        for _ in range(20):
            assert first.get("/sparql", params={"query": LOOKUP}).status_code == 200
        after = sparql_answered(first), sparql_answered(second)
        assert (after[0] - before[0], after[1] - before[1]) == (20, 0)
        assert (process_of(first), process_of(second)) == (one, other)


def test_several_processes_need_a_read_only_on_disk_store(tmp_path: Path) -> None:
    for wrong in ({"write_token": WRITE_TOKEN}, {"store": ":memory:"}, {"remote_query_url": "http://127.0.0.1:9/"}):
        with pytest.raises(ValidationError, match="CHAINKG_PROCESSES above 1 is for a read-only deployment"):
            Settings(processes=2, **wrong)
    assert Settings(processes=1, write_token=WRITE_TOKEN).processes == 1
    env = {**os.environ, "CHAINKG_STORE": str(tmp_path / "store"), "CHAINKG_PORT": str(free_port()),
           "CHAINKG_PROCESSES": "2", "CHAINKG_WRITE_TOKEN": WRITE_TOKEN}
    done = subprocess.run(chainkg_command() + ["serve"], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    assert "CHAINKG_PROCESSES above 1 is for a read-only deployment" in done.stdout + done.stderr
    assert not (tmp_path / "store").exists()  # refused before anything was opened


# The two below replace a serving process of the module's server: they come last.
def test_a_process_that_dies_is_replaced(two) -> None:
    before = serving_pids(two)
    assert len(before) == 2
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    two.log_when(lambda text: f"(pid {victim}) exited with status -9: replaced" in text, timeout=30)
    assert victim not in both_up(two)


def test_a_stuck_process_is_replaced_while_the_other_answers(two) -> None:
    before = serving_pids(two)
    assert len(before) == 2
    stuck = min(before)
    os.kill(stuck, signal.SIGSTOP)  # its event loop stops: connections it accepted get no answer
    try:
        started = time.monotonic()
        answers = []
        while time.monotonic() - started < TIMEOUT_S + 2:
            other, pid = pinned(two, avoid={stuck})
            with closing(other):
                answers.append(other.get("/sparql", params={"query": LOOKUP}).status_code)
        assert set(answers) == {200}
        text = two.log_when(lambda text: f"(pid {stuck}) its event loop has not run" in text, timeout=40)
        assert "replaced" in text.split(f"(pid {stuck}) its event loop has not run", 1)[1].splitlines()[0]
    finally:
        try:
            os.kill(stuck, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert stuck not in both_up(two)


def test_stopping_the_server_stops_every_process_and_removes_the_copies(tmp_path_factory) -> None:
    workdir = tmp_path_factory.mktemp("processes-stop")
    with running_server(workdir, processes=2) as running:
        pids = both_up(running)
        assert (workdir / "store.serving").is_dir()
        children = subprocess.run(["pgrep", "-P", ",".join(map(str, pids))], capture_output=True, text=True)
        workers = {int(pid) for pid in children.stdout.split()}
        assert len(workers) == 6  # three query workers each
    deadline = time.monotonic() + 10
    while left := [pid for pid in pids | workers if alive(pid)]:
        assert time.monotonic() < deadline, left
        time.sleep(0.2)
    assert not (workdir / "store.serving").exists()


def test_the_serving_processes_stop_when_their_supervisor_is_killed(tmp_path_factory) -> None:
    """Nobody would replace them, and the store's lock would be free for a writer beside them."""
    workdir = tmp_path_factory.mktemp("processes-orphans")
    with running_server(workdir, processes=2) as running:
        pids = both_up(running)
        running.process.kill()
        deadline = time.monotonic() + 30
        while left := [pid for pid in pids if alive(pid)]:
            assert time.monotonic() < deadline, left
            time.sleep(0.2)
        assert "the supervisor of the serving processes is gone: stopping" in running.log.read_text()
