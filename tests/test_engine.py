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

from chainkg.graph import engine as engine_module, guard
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


# ------------------------------------------------------------------------ light queries in the serving process
LOOKUP = "SELECT ?p ?l WHERE { <urn:s7> ?p ?l }"
ALL_LABELS = "SELECT ?s ?l WHERE { ?s <urn:label> ?l }"  # 3,000 rows: past the light budget


def light(text: str) -> str:
    found = guard.shape(text, {}, "")
    assert found.light is not None, text
    return found.light


def ready_here(engine: ProcessEngine) -> None:
    """Make the newest snapshot and wait until this process has it open (the first light queries after a write
    go to workers while it opens)."""
    engine.run(Job("ASK {}", JSON))
    deadline = time.monotonic() + 10
    while engine._local is None or engine._local.path != engine.snapshots.ready_path():
        assert time.monotonic() < deadline, "the snapshot was never opened in this process"
        engine._answer_here(Job(LOOKUP, JSON), light(LOOKUP))
        time.sleep(0.005)


def answered(engine: ProcessEngine, job: Job, monkeypatch: pytest.MonkeyPatch, *, here: bool):
    """run_async with the light text; `here`: no worker may be used, else a worker must be."""
    used = []
    with monkeypatch.context() as patch:
        patch.setattr(engine, "run", lambda job: used.append("thread") or pytest.fail("the thread path was taken"))
        taken = engine._idle_worker_now
        patch.setattr(engine, "_idle_worker_now", lambda: used.append("worker") or taken())
        answer = asyncio.run(engine.run_async(job, light(job.text)))
    assert (used == []) if here else (used == ["worker"]), used
    return answer


def test_a_one_pattern_query_is_answered_in_the_serving_process(engine, monkeypatch):
    ready_here(engine)
    answer = answered(engine, Job(LOOKUP, JSON, max_rows=100, timeout_s=10), monkeypatch, here=True)
    assert answer.count == 1 and b'"0000' in answer.body


@pytest.mark.parametrize("media_type", [JSON, "application/sparql-results+xml", "text/csv",
                                        "text/tab-separated-values"])
@pytest.mark.parametrize("text", [LOOKUP, "SELECT * { ?s <urn:label> ?l } LIMIT 20", "SELECT ?s { ?s ?p <urn:none> }",
                                  'SELECT ?s WHERE { ?s <urn:label> "' + "7".zfill(100) + '" }'])
def test_answered_here_byte_for_byte_as_by_a_worker(engine, monkeypatch, media_type, text):
    ready_here(engine)
    job = Job(text, media_type, max_rows=100, timeout_s=10)
    assert answered(engine, job, monkeypatch, here=True).body == engine.run(job).body


def test_past_the_budget_a_worker_answers_the_whole_result(engine, monkeypatch):
    ready_here(engine)
    answer = answered(engine, Job(ALL_LABELS, JSON, max_rows=10_000, timeout_s=10), monkeypatch, here=False)
    assert answer.count >= LABELS and len(answer.body) > LOOP_REPLY_BYTES  # (earlier tests wrote some)


def test_the_row_cap_holds_for_light_queries(engine, monkeypatch):
    """Within the light budget (1,000 rows) but past the row cap: the worker's 422, never a cut result from here."""
    ready_here(engine)
    with pytest.raises(QueryFailed) as failed:
        answered(engine, Job("SELECT * { ?s <urn:label> ?l } LIMIT 50", JSON, max_rows=10, timeout_s=10),
                 monkeypatch, here=False)
    assert failed.value.kind == "rows"


def test_past_the_time_budget_a_worker_answers(engine, monkeypatch):
    ready_here(engine)
    monkeypatch.setattr(engine_module, "LIGHT_S", 1e-9)
    answer = answered(engine, Job(LOOKUP, JSON, max_rows=100, timeout_s=10), monkeypatch, here=False)
    assert answer.count == 1


def test_past_the_byte_budget_a_worker_answers(engine, monkeypatch):
    ready_here(engine)
    monkeypatch.setattr(engine_module, "LIGHT_BYTES", 100)
    answer = answered(engine, Job(LOOKUP, JSON, max_rows=100, timeout_s=10), monkeypatch, here=False)
    assert answer.count == 1


def test_a_dataset_is_never_answered_here(engine, monkeypatch):
    ready_here(engine)
    job = Job(LOOKUP, JSON, union=True, default_graphs=(), named_graphs=(), max_rows=100, timeout_s=10)
    assert answered(engine, job, monkeypatch, here=False).count == 0  # named-graph-uri alone: an empty default


def test_a_write_is_read_by_the_next_light_query_and_then_here(kg, engine, monkeypatch):
    """Read-your-writes: after a write, light queries go to workers (on a new snapshot) until this process has the
    new snapshot open, and never answer from the old one."""
    ready_here(engine)
    old = engine._local.path
    kg.update("INSERT DATA { <urn:written> <urn:label> 'w1' }")
    job = Job("SELECT ?l WHERE { <urn:written> <urn:label> ?l }", JSON, max_rows=100, timeout_s=10)
    for _ in range(5):
        answer = asyncio.run(engine.run_async(job, light(job.text)))
        assert answer.count == 1 and b'"w1"' in answer.body
    ready_here(engine)
    assert engine._local.path != old
    assert b'"w1"' in answered(engine, job, monkeypatch, here=True).body


def test_light_reads_never_see_a_state_older_than_an_acknowledged_write(writable_server):
    """Sixteen readers, half of their reads one-pattern counter reads (answered in the serving process), and a
    writer: no error, no half update, no going back, no stale read (bench/concurrency.py)."""
    from bench import concurrency
    from tests.conftest import WRITE_TOKEN

    summary = concurrency.run(writable_server.url, WRITE_TOKEN, duration=4, readers=16, triples=40, light_share=0.5)
    assert summary["errors"] == 0, summary["first_errors"]
    assert summary["by_kind"]["read light counter"]["n"] >= 50 and summary["writes"] >= 3, summary
    assert summary["violations_by_kind"] == {}, summary["first_violations"]
