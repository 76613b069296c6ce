"""The worker pool's path from the event loop (ProcessEngine.run_async): a light query goes from the loop to an idle
worker and back without a thread, and keeps every limit of the thread path — the time limit (the worker is killed
and replaced), the row cap, the fence, snapshots that hold every acknowledged write — while what would block the
loop (no idle worker, a snapshot to make, a long reply) goes through a thread.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from chainkg.graph import guard
from chainkg.graph.engine import LOOP_REPLY_BYTES, ProcessEngine, QueryFailed
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.worker import Job

JSON = "application/sparql-results+json"
LABELS = 3000  # triples with a 100-character label: a reply well over LOOP_REPLY_BYTES
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def kg(tmp_path_factory) -> KnowledgeGraph:
    store = tmp_path_factory.mktemp("loop") / "store"
    kg = KnowledgeGraph(Settings(store=str(store), query_workers=1, query_timeout_s=2, load_shipped=False))
    kg.update("INSERT DATA { " + " ".join(f'<urn:s{i}> <urn:label> "{i:0100d}" .' for i in range(LABELS)) + " }")
    return kg


@pytest.fixture(scope="module")
def engine(kg: KnowledgeGraph) -> Iterator[ProcessEngine]:
    engine = ProcessEngine(kg)
    yield engine
    engine.close()


def on_the_loop(engine: ProcessEngine, job: Job, monkeypatch: pytest.MonkeyPatch):
    """Run the job by run_async with the thread path (`run`) forbidden: it must go from the loop."""
    engine.run(Job("ASK {}", JSON))  # a snapshot of the store as it is, so the loop path need not make one
    with monkeypatch.context() as patch:
        patch.setattr(engine, "run", lambda job: pytest.fail("the light query took the thread path"))
        return asyncio.run(engine.run_async(job))


def test_a_light_query_goes_from_the_loop_to_a_worker(engine, monkeypatch):
    answer = on_the_loop(engine, Job('SELECT ?l WHERE { <urn:s7> <urn:label> ?l }', JSON), monkeypatch)
    assert answer.count == 1 and b'"0000' in answer.body


def test_a_long_reply_is_read_in_a_thread_and_whole(engine, monkeypatch):
    answer = on_the_loop(engine, Job("SELECT ?s ?l WHERE { ?s <urn:label> ?l }", JSON), monkeypatch)
    assert len(answer.body) > LOOP_REPLY_BYTES
    assert len(list(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON))) == LABELS


def test_the_row_cap_holds_on_the_loop_path(engine, monkeypatch):
    with pytest.raises(QueryFailed) as failed:
        on_the_loop(engine, Job("SELECT ?s WHERE { ?s ?p ?o }", JSON, max_rows=10), monkeypatch)
    assert failed.value.kind == "rows"


def test_a_runaway_query_on_the_loop_path_is_stopped_and_its_worker_replaced(engine, monkeypatch):
    restarts = engine.restarts
    started = time.monotonic()
    with pytest.raises(QueryFailed) as failed:
        on_the_loop(engine, Job(RUNAWAY, JSON, timeout_s=1), monkeypatch)
    assert failed.value.kind == "timeout" and time.monotonic() - started < 4
    assert engine.restarts == restarts + 1
    assert asyncio.run(engine.run_async(Job("ASK { <urn:s1> ?p ?o }", JSON))).body.find(b"true") > 0


def test_the_fence_stops_a_worker_reached_from_the_loop(engine, monkeypatch):
    restarts = engine.restarts
    with pytest.raises(guard.Refused, match="network connection"):
        on_the_loop(engine, Job("SELECT * WHERE { ?s ?p ?o SERVICE SILENT <http://127.0.0.1:8765/x> { ?s ?p ?o } }", JSON,
                                  timeout_s=10), monkeypatch)
    assert engine.restarts == restarts + 1


def test_a_worker_found_dead_while_idle_is_replaced_not_blamed(engine):
    engine.run(Job("ASK {}", JSON))
    idle = engine._idle.queue[0]
    os.kill(idle.process.pid, signal.SIGKILL)
    idle.process.wait(timeout=10)
    restarts = engine.restarts
    answer = asyncio.run(engine.run_async(Job("ASK { <urn:s1> ?p ?o }", JSON, timeout_s=10)))
    assert answer.body.find(b"true") > 0 and engine.restarts == restarts + 1


def test_a_write_is_read_by_the_next_light_query(kg, engine):
    """Read-your-writes: after a write the snapshot must be made anew, which the loop path leaves to a thread."""
    engine.run(Job("ASK {}", JSON))
    kg.update("INSERT DATA { <urn:new> <urn:label> 'new' }")
    answer = asyncio.run(engine.run_async(Job("ASK { <urn:new> ?p ?o }", JSON, timeout_s=10)))
    assert answer.body.find(b"true") > 0
