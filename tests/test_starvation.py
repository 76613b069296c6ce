"""One client cannot take the service from the rest (issue 20): slow clients are cut by connection caps and read
deadlines (api/server.py), hostile query text costs its sender, not everyone (the guard runs after the client's
slot is taken, off the event loop), and runaway queries leave capacity for light ones (graph/engine.py).

Each test reports what it measured (pytest -s shows it); README "Reliability and security" quotes the figures.
"""

from __future__ import annotations

import os
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import WRITE_TOKEN, client_from, serve, started_together

HEADER_TIMEOUT_S, BODY_TIMEOUT_S = 1.5, 2.5
pytestmark = pytest.mark.alone  # latencies and deadlines: another test's load would be counted as starvation


@pytest.fixture(scope="module")
@started_together
def guarded_server(tmp_path_factory):
    """Small connection caps and short read deadlines, so the tests see them bite."""
    yield from serve(tmp_path_factory.mktemp("starvation"), write_token=WRITE_TOKEN, load_shipped=False,
                     max_connections=60, max_connections_per_client=20, header_timeout_s=HEADER_TIMEOUT_S,
                     body_timeout_s=BODY_TIMEOUT_S, access_log=False)


def connect(server, source: str = "127.0.0.1") -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10, source_address=(source, 0))
    return sock


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed the connection (read returns nothing or resets), or None if it did not."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except (ConnectionResetError, BrokenPipeError):
        pass
    except TimeoutError:
        return None
    return time.monotonic() - started


def open_fds(server) -> int:
    return len(os.listdir(f"/proc/{server.process.pid}/fd"))


def healthz_ms(server, source: str = "127.0.0.9") -> float:
    with client_from(source, timeout=10) as client:
        started = time.monotonic()
        assert client.get(server + "/healthz").status_code == 200
        return (time.monotonic() - started) * 1000


@pytest.mark.parametrize(("sent", "deadline"), [
    (b"", HEADER_TIMEOUT_S),  # connects and says nothing
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n", HEADER_TIMEOUT_S),  # a head that never ends
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK",
     BODY_TIMEOUT_S),  # a body that never ends
])
def test_a_slow_client_is_cut_at_its_deadline(guarded_server, sent, deadline):
    with connect(guarded_server) as sock:
        if sent:
            sock.sendall(sent)
        took = closed_within(sock, deadline + 5)
    assert took is not None and took < deadline + 1.5, took


def test_trickling_bytes_does_not_extend_the_head_deadline(guarded_server):
    with connect(guarded_server) as sock:
        started = time.monotonic()
        try:
            for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
        except OSError:
            pass  # closed by the server while we trickled
        took = closed_within(sock, 5)
    assert took is not None and time.monotonic() - started < HEADER_TIMEOUT_S + 1.5


def test_one_address_holding_many_connections_cannot_lock_others_out(guarded_server):
    """120 idle connections from one address: past 20 they are closed at once, the server's descriptors stay
    bounded, and another address is answered as fast as before."""
    idle_ms = statistics.median(healthz_ms(guarded_server) for _ in range(5))
    held = []
    try:
        for _ in range(120):
            try:
                held.append(connect(guarded_server, "127.0.0.2"))
            except OSError:
                pass
        time.sleep(0.3)
        refused = sum(closed_within(sock, 0.2) is not None for sock in held)
        fds = open_fds(guarded_server)
        busy_ms = statistics.median(healthz_ms(guarded_server) for _ in range(5))
    finally:
        for sock in held:
            sock.close()
    print(f"\nidle /healthz {idle_ms:.1f} ms, with 120 idle connections from one address {busy_ms:.1f} ms; "
          f"{refused} refused at once; server fds {fds}")
    assert refused >= 100
    assert fds < 20 + 60
    assert busy_ms < max(2 * idle_ms, idle_ms + 20)


def test_many_addresses_past_the_cap_wait_only_until_the_deadline(guarded_server):
    """60 idle connections from 6 addresses fill the cap; a new client is refused at once, and is answered again
    once the head deadline has closed them."""
    held = [connect(guarded_server, f"127.0.1.{i % 6 + 1}") for i in range(60)]
    try:
        time.sleep(0.3)
        with pytest.raises(httpx.TransportError):
            httpx.get(guarded_server + "/healthz", timeout=2)
        time.sleep(HEADER_TIMEOUT_S + 0.5)
        assert httpx.get(guarded_server + "/healthz", timeout=5).status_code == 200
    finally:
        for sock in held:
            sock.close()


# ------------------------------------------------------------------------------------------------ the guard's cost
HOSTILE_TEXTS = ["{}" * 49_000, "a." * 49_000, "ab.cd-" * 16_000]  # 100 kB each, ~0.1–0.45 s of scanning


def p99(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.99) - 1)]


def light_latencies(server, source: str, seconds: float, path: str = "/healthz") -> list[float]:
    out = []
    with client_from(source, timeout=30) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            response = client.get(server + path)
            assert response.status_code == 200, response.text
            out.append((time.monotonic() - started) * 1000)
            time.sleep(0.02)
    return out


def test_hostile_query_text_from_one_address_does_not_slow_the_others(guarded_server):
    """Six connections from one address keep sending 100 kB texts the guard takes up to 0.45 s to scan; /healthz
    from another address keeps its idle latency (it went from 4 ms to 0.4–5.8 s when the scan ran on the event
    loop before the per-client cap)."""
    idle = light_latencies(guarded_server, "127.0.0.9", 3)
    stop = threading.Event()  # the flood lasts as long as the other address's light requests

    def flood(i: int) -> int:
        sent = 0
        with client_from("127.0.0.3", timeout=60) as client:
            while not stop.is_set():
                client.post(guarded_server + "/sparql", content=HOSTILE_TEXTS[(i + sent) % 3].encode(),
                            headers={"Content-Type": "application/sparql-query"})
                sent += 1
        return sent

    with ThreadPoolExecutor(6) as pool:
        flooding = [pool.submit(flood, i) for i in range(6)]
        time.sleep(1)
        busy = light_latencies(guarded_server, "127.0.0.9", 6)
        stop.set()
        sent = sum(f.result() for f in flooding)
    print(f"\n/healthz idle p50 {statistics.median(idle):.1f} ms p99 {p99(idle):.1f} ms; under {sent} hostile texts "
          f"from one address p50 {statistics.median(busy):.1f} ms p99 {p99(busy):.1f} ms")
    # The median keeps idle latency; the p99 (reported) stays far below what a scan on the event loop cost
    # (0.4-5.8 s; 0.8-0.9 s with the scan in a thread), whatever else the shared two-core machine is doing.
    assert statistics.median(busy) < max(2 * statistics.median(idle), statistics.median(idle) + 20)
    assert p99(busy) < 400


# ------------------------------------------------------------------------------------------------ runaway queries
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = "SELECT ?leader WHERE { ?leader ck:chainLeaderOf e:ivd-chain }"


@pytest.fixture(scope="module")
@started_together
def runaway_server(tmp_path_factory):
    """The shipped graph, default workers (3), per-client cap (2) and reserve (1); runaway queries last 6 s; a
    worker may take 400 MB."""
    yield from serve(tmp_path_factory.mktemp("runaway"), query_timeout_s=6, access_log=False, write_token=WRITE_TOKEN,
                     query_memory_mb=400)


def test_runaway_queries_from_two_addresses_leave_light_queries_their_latency(runaway_server):
    """Two addresses keep two runaway queries each in flight; a third address's light queries keep their idle
    latency (they got 503 query-busy after 30 s when the four runaways could hold all three workers). The runaways
    loop until the light queries' window ends: each new one meets the others already running, as in a sustained
    attack. (They looped for 14 s, 4 s past the window, and those last runaways ran out the 6 s limit for nothing.)"""
    idle = light_latencies(runaway_server, "127.0.0.4", 4, "/sparql?query=" + LIGHT)
    stop = threading.Event()
    statuses: list[int] = []

    def runaway(address: str) -> None:
        with client_from(address, timeout=60) as client:
            while not stop.is_set():
                statuses.append(client.get(runaway_server + "/sparql", params={"query": CROSS_JOIN}).status_code)

    with ThreadPoolExecutor(4) as pool:
        # each address's first runaway, then its second: the reserve keeps the second ones off the last worker
        # (a client whose two started on an idle pool keeps both: README says what is not covered)
        running = [pool.submit(runaway, address) for address in ("127.0.0.5", "127.0.0.6")]
        time.sleep(0.5)
        running += [pool.submit(runaway, address) for address in ("127.0.0.5", "127.0.0.6")]
        time.sleep(1.5)
        busy = light_latencies(runaway_server, "127.0.0.4", 8, "/sparql?query=" + LIGHT)
        stop.set()
        for future in running:
            future.result()
    print(f"\nlight query idle p50 {statistics.median(idle):.1f} ms p99 {p99(idle):.1f} ms; beside runaway queries "
          f"from two addresses p50 {statistics.median(busy):.1f} ms p99 {p99(busy):.1f} ms "
          f"({len(busy)} queries); runaway answers {sorted(set(statuses))}")
    assert set(statuses) <= {503}  # every runaway stopped at the limit, or told the free workers are not theirs
    # The median stays within 2x of idle, and no light query waits for a runaway (without the reserve they waited
    # 5.8 s). The p99 is reported, not asserted: when a runaway is stopped its worker is killed and respawned
    # (~0.3-1 s of a busy two-core machine), and a light query that lands then waits for it (README).
    assert statistics.median(busy) < max(2 * statistics.median(idle), statistics.median(idle) + 20)
    assert max(busy) < 2000


# ------------------------------------------------------------------------------------------------ runaway updates
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
CARTESIAN_UPDATES = {
    "three-way join": "INSERT { GRAPH <urn:big> { ?a ?b ?z } } WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } "
            "GRAPH ?g3 { ?x ?y ?z } FILTER(?c = ?f && ?f = ?z && ?a != ?d) }",
    "cartesian insert": "INSERT { GRAPH <urn:big> { ?a ?b ?v } } WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?o } "
              "BIND(CONCAT(STR(?a), STR(?d), STR(?c), STR(?o), STR(?e), STR(?b)) AS ?v) }",
}


def serving_rss_peak_mb(server) -> float:
    for row in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    raise AssertionError("no VmHWM")


UPDATE_LIMIT_S = 2


@pytest.fixture(scope="module")
@started_together
def update_server(tmp_path_factory):
    """The shipped graph, writable, 2 s per query or update check, a worker may take 400 MB. Its own server: the
    runaway queries above need their 6 s limit, and a runaway update held to it took 6.9 s a case (of the alone
    part of make test, which runs on one core)."""
    yield from serve(tmp_path_factory.mktemp("updates"), query_timeout_s=UPDATE_LIMIT_S, access_log=False,
                     write_token=WRITE_TOKEN, query_memory_mb=400)


@pytest.mark.parametrize("name", CARTESIAN_UPDATES)
def test_a_runaway_update_is_stopped_in_a_worker_before_it_touches_the_store(update_server, name):
    """An INSERT … WHERE over a cartesian product grew the serving process past 3 GB with no limit: updates now run
    first on a checkpoint of the store in a worker, within its time limit and memory cap."""
    before = serving_rss_peak_mb(update_server)
    started = time.monotonic()
    response = httpx.post(update_server + "/update", data={"update": CARTESIAN_UPDATES[name]}, headers=AUTH,
                          timeout=60)
    took = time.monotonic() - started
    print(f"\n{name}: {response.status_code} {response.json()['error']} after {took:.1f} s; serving process peak "
          f"{before:.0f} -> {serving_rss_peak_mb(update_server):.0f} MB")
    assert response.status_code in (422, 503) and response.json()["error"] in ("query-memory", "query-timeout")
    assert took < UPDATE_LIMIT_S + 5
    assert serving_rss_peak_mb(update_server) < before + 200
    count = httpx.get(update_server + "/sparql", headers={"Accept": "text/csv"},
                      params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:big> { ?s ?p ?o } }"})
    assert count.text.split()[1] == "0"
    assert httpx.get(update_server + "/healthz").status_code == 200


def test_a_plain_update_still_commits_and_says_what_the_check_costs(runaway_server):
    timings = []
    for i in range(5):
        started = time.monotonic()
        response = httpx.post(runaway_server + "/update", headers=AUTH,
                              data={"update": f"INSERT DATA {{ GRAPH <urn:plain> {{ <urn:a> <urn:b> {i} }} }}"})
        timings.append((time.monotonic() - started) * 1000)
        assert response.status_code == 204, response.text
    count = httpx.get(runaway_server + "/sparql", headers={"Accept": "text/csv"},
                      params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:plain> { ?s ?p ?o } }"})
    assert count.text.split()[1] == "5"
    print(f"\nINSERT DATA of one triple, checked on a checkpoint first: median {statistics.median(timings):.0f} ms")
