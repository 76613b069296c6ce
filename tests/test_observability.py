"""What the operator sees: one access-log line per request, /healthz that checks the store and the workers, and
/metrics in the Prometheus text format."""

from __future__ import annotations

import os
import re
from pathlib import Path
import signal
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import WRITE_TOKEN

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LINE = re.compile(r"method=(\S+) path=(\S+) status=(\d+) duration_ms=([\d.]+) outcome=(\S+)(?: client=(\S+))?(.*)$")


def access_lines(server, marker: str, count: int) -> list[re.Match]:
    """The access lines that name `marker`, once there are `count` of them (each is written just after its answer)."""
    def found(text: str) -> list[re.Match]:
        return [m for row in text.splitlines() if marker in row and (m := LINE.search(row))]

    return found(server.log_when(lambda text: len(found(text)) >= count))


def metrics(server) -> dict[tuple[str, tuple], float]:
    response = httpx.get(server + "/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def test_one_access_line_per_request_with_its_outcome(writable_server):
    marker = "urn:obs:marker"
    httpx.get(writable_server + "/sparql", params={"query": f"ASK {{ <{marker}> ?p ?o }}"})
    httpx.post(writable_server + "/update", params={"note": marker},
               data={"update": f"INSERT DATA {{ <{marker}> <urn:p> 1 }}"}, headers=AUTH)
    httpx.get(writable_server + "/sparql", params={"query": CROSS_JOIN + f" # {marker}"}, timeout=30)
    httpx.get(writable_server + "/store", params={"graph": marker})
    lines = access_lines(writable_server, "urn%3Aobs%3Amarker", 3)
    outcomes = [(m[1], m[2], m[3], m[5]) for m in lines]
    assert outcomes == [("GET", "/sparql", "200", "ok"), ("GET", "/sparql", "503", "query-timeout"),
                        ("GET", "/store", "404", "graph-not-found")]
    assert float(lines[1][4]) >= 2000  # the timed-out query's duration is its real one
    log = writable_server.log.read_text(errors="replace")
    assert "method=POST path=/update status=204" in log and "note=" not in log  # a write's query string: never
    assert "authorization" not in log.lower() and "Bearer" not in log  # nor headers


def test_healthz_says_the_store_answers_and_the_workers_live(writable_server):
    # what it says, not how fast: on Virtuoso beside the other make test processes it took over httpx's default 5 s
    body = httpx.get(writable_server + "/healthz", timeout=30).json()
    assert body["status"] == "ok" and body["store"] == "ok" and body["quads"] > 1000
    assert body["workers"] == {"size": 3, "alive": 3}


def test_healthz_sees_a_dead_worker_and_its_replacement(scratch_server):
    workers = [int(c) for t in Path(f"/proc/{scratch_server.process.pid}/task").iterdir()
               for c in (t / "children").read_text().split()]
    os.kill(workers[0], signal.SIGKILL)  # one of our server's own workers
    deadline = time.monotonic() + 10  # the pool sees the death when the process is reaped: wait for it, not 0.3 s
    while httpx.get(scratch_server + "/healthz").json()["workers"]["alive"] != 2:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    body = httpx.get(scratch_server + "/healthz").json()
    assert body["status"] == "degraded"
    # the next query that lands on the dead worker has it replaced; the service answers all along
    for _ in range(6):
        assert httpx.get(scratch_server + "/sparql", params={"query": "ASK {}"}).status_code == 200
    deadline = time.monotonic() + 10
    while httpx.get(scratch_server + "/healthz").json()["status"] != "ok":
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_metrics_count_requests_timeouts_refusals_restarts_and_the_store(writable_server):
    before = metrics(writable_server)
    httpx.get(writable_server + "/sparql", params={"query": CROSS_JOIN}, timeout=30)
    httpx.get(writable_server + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})  # over the 50 rows
    httpx.put(writable_server + "/store", params={"graph": "urn:obs:size"}, content=b"<urn:a> <urn:b> <urn:c> .",
              headers={**AUTH, "Content-Type": "application/n-triples"})
    after = metrics(writable_server)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("chainkg_query_timeouts_total") == 1
    assert grew("chainkg_query_rows_refusals_total") == 1
    if writable_server.embedded:  # the runaway query's worker was killed; an external store stops its own
        assert grew("chainkg_query_worker_restarts_total") >= 1
    assert grew("chainkg_http_requests_total", method="GET", route="/sparql", status="503") == 1
    assert grew("chainkg_http_requests_total", method="GET", route="/sparql", status="422") == 1
    assert grew("chainkg_http_request_duration_seconds_count", route="/sparql") == 2
    assert grew("chainkg_store_quads") in (0, 1)  # 1 unless this graph was there already
    assert after[("chainkg_store_quads", ())] > 1000
    assert after[("chainkg_query_workers_alive", ())] >= 2
    # hostile URLs do not make new series: an unknown path is counted as "unmatched"
    httpx.get(writable_server + "/no/such/<script>")
    labels = {dict(k[1]).get("route") for k in metrics(writable_server) if k[0] == "chainkg_http_requests_total"}
    assert "unmatched" in labels and not any("script" in (label or "") for label in labels)
