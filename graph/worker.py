"""Running one user query to bytes, with a row cap and a deadline: the part of the engine that may be killed.

`execute` is the same code whether it runs in a worker process (on-disk stores: the parent kills the process when
the time limit passes, which is the only way to stop a native Oxigraph evaluation) or in a thread (in-memory
stores, where only streaming results can be cut). `serve` is a worker process's loop; before its first job it
fences itself (graph/sandbox.py): no network socket, no file outside the store's snapshots and its own code. This
module imports nothing of chainkg's but itself and the fence, so a worker starts fast.

Results are serialised natively by Oxigraph. To refuse an oversized result with an error instead of a truncated
body, rows are first written as TSV (SELECT) or N-Triples (CONSTRUCT/DESCRIBE), where a row is exactly one line,
counted as the bytes stream out; when the client asked for another syntax the counted bytes are transcoded, again
natively.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import pyoxigraph as ox

from chainkg.graph import sandbox

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


# Workers yield the CPU to the serving process, which answers every client (pages, /healthz, the queue): on two
# cores, scans and runaway queries in workers took /healthz from 4 ms to 27 ms at p99 at equal priority.
WORKER_NICENESS = 5


class Stop(Exception):
    """Why a query was stopped: `reason` is "timeout" or "rows"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Job:
    """A query to run, everything a worker needs to run it (picklable)."""

    text: str
    media_type: str
    union: bool = True  # False when the query names its own dataset (FROM), which then replaces the merge
    default_graphs: tuple[str, ...] | None = None  # None: the query's own dataset, or the merge
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 0  # 0 = no cap
    timeout_s: float = 0.0  # 0 = no limit
    network: bool = False  # every SERVICE IRI is allowed by CHAINKG_ALLOWED_REMOTE: run where it can connect


@dataclass(frozen=True)
class ParseJob:
    """An upload to parse in the sandbox of a worker; the answer is its quads as N-Quads bytes.

    Oxigraph's JSON-LD and RDF/XML parsers crash, or take quadratic time and memory, on deeply nested input, and
    RDF/XML expands internal entities (a 1 kB "billion laughs" is gigabytes). In a worker the time limit and the
    memory cap stop that; the serving process then reads only N-Quads, which has no nesting at all.
    """

    data: bytes
    media_type: str  # one of GRAPH_FORMATS
    base_iri: str
    timeout_s: float = 0.0


@dataclass(frozen=True)
class UpdateCheck:
    """An update to parse and run first in a worker, before the serving process runs it on the real store.

    Updates run in the serving process (they write the store), whose stack Oxigraph's parser can overflow and
    whose memory and time no limit bounds (an INSERT … WHERE over a cartesian product grew it past 3 GB). Here it
    runs within the worker's time limit and memory cap, on `store`: a writable checkpoint of the real store (hard
    links, made for this check and deleted after), or an empty store when None. What crashes, stalls or outgrows a
    worker here is refused instead.
    """

    text: str
    timeout_s: float = 0.0
    store: str | None = None
    network: bool = False  # every SERVICE and LOAD IRI is allowed by CHAINKG_ALLOWED_REMOTE


@dataclass(frozen=True)
class ScanJob:
    """A long query or update text for the request guard (graph/guard.py) to scan in a worker.

    Scanning 100 kB of hostile text takes the guard up to ~0.45 s of pure Python, and a thread doing it starves the
    serving process's event loop of the GIL (a 1 ms sleep took 216 ms at p99 beside two scans). In a worker the
    sender waits, everyone else does not. The answer is the guard's Shape, or ("malformed", code, message).
    """

    text: str
    prefixes: dict[str, str]
    base_iri: str
    timeout_s: float = 0.0


@dataclass
class Answer:
    media_type: str
    chunks: list[bytes] = field(default_factory=list)
    count: int = 0  # rows of a SELECT, triples of a CONSTRUCT/DESCRIBE, 1 for ASK

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


class _LineCounter:
    """A binary sink for Oxigraph's serialisers: keeps the chunks, counts lines, stops at the cap or deadline."""

    def __init__(self, max_lines: int, deadline: float | None) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.max_lines = max_lines
        self.deadline = deadline

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.max_lines and self.lines > self.max_lines:
            raise Stop("rows")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise Stop("timeout")
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def execute(store: ox.Store, job: Job, *, prefixes: dict[str, str], base_iri: str) -> Answer:
    """Run `job` on `store` and serialise its results; raises Stop, SyntaxError or OSError."""
    deadline = time.monotonic() + job.timeout_s if job.timeout_s else None
    options: dict[str, object] = {"prefixes": prefixes, "base_iri": base_iri}
    if job.default_graphs is not None:  # else the store's default graph: the merge of all graphs (graph/merge.py)
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    results = store.query(job.text, **options)
    if isinstance(results, ox.QueryBoolean):
        return boolean_answer(results, job)
    if isinstance(results, ox.QuerySolutions):
        return solutions_answer(results, job, deadline)
    return _triples(results, job, deadline, prefixes)


def solutions_answer(results: ox.QuerySolutions, job: Job, deadline: float | None) -> Answer:
    """Solutions counted as TSV lines (refused past the row cap or the deadline), then in the asked syntax."""
    counter = _LineCounter(job.max_rows + 1 if job.max_rows else 0, deadline)  # +1: the TSV header line
    results.serialize(counter, format=ox.QueryResultsFormat.TSV)
    rows = counter.lines - 1
    target = _result_format(job.media_type)
    if target == ox.QueryResultsFormat.TSV:
        return Answer(job.media_type, counter.chunks, rows)
    tsv = b"".join(counter.chunks)
    body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=target)
    return Answer(job.media_type, [body], rows)


def _triples(results: ox.QueryTriples, job: Job, deadline: float | None, prefixes: dict[str, str]) -> Answer:
    counter = _LineCounter(job.max_rows, deadline)
    results.serialize(counter, format=ox.RdfFormat.N_TRIPLES)
    return graph_answer(counter.chunks, counter.lines, job, prefixes)


def graph_answer(chunks: list[bytes], lines: int, job: Job, prefixes: dict[str, str]) -> Answer:
    """Counted N-Triples as the answer, transcoded natively when the client asked for another syntax."""
    target = GRAPH_FORMATS.get(job.media_type)
    if target is None:
        raise ValueError(f"unsupported RDF media type {job.media_type!r}")
    if target == ox.RdfFormat.N_TRIPLES:
        return Answer(job.media_type, chunks, lines)
    ntriples = b"".join(chunks)
    used = {name: iri for name, iri in prefixes.items() if iri.encode() in ntriples}  # declare only what is used
    body = ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), format=target, prefixes=used) or b""
    return Answer(job.media_type, [body], lines)


def boolean_answer(result: ox.QueryBoolean, job: Job) -> Answer:
    return Answer(job.media_type, [result.serialize(format=_result_format(job.media_type))], 1)


def _result_format(media_type: str) -> ox.QueryResultsFormat:
    try:
        return RESULT_FORMATS[media_type]
    except KeyError:
        raise ValueError(f"unsupported results media type {media_type!r}") from None


class TripleTerm(SyntaxError):
    """An upload holding an RDF 1.2 triple term (`<<( s p o )>>`), which chainkg does not accept (README)."""


def parse(job: ParseJob) -> bytes:
    """The upload's quads as N-Quads (raises SyntaxError, TripleTerm among them).

    Triple terms are refused here, in the worker: Oxigraph's N-Quads parser recurses into them (50,000 levels
    crash it), so the N-Quads handed back to the serving process must hold none.
    """
    quads = ox.parse(job.data, format=GRAPH_FORMATS[job.media_type], base_iri=job.base_iri)
    try:
        return ox.serialize(_without_triple_terms(quads), format=ox.RdfFormat.N_QUADS) or b""
    except MemoryError as error:  # Oxigraph's parsers hold one token in a buffer of at most 16 MiB
        raise TokenTooLong(str(error)) from None


class TokenTooLong(SyntaxError):
    """One literal or IRI longer than Oxigraph's parser buffer (16 MiB): it cannot be loaded at all."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"a literal or IRI is longer than the parser accepts (16 MiB): {detail}")


def _without_triple_terms(quads):
    for quad in quads:
        if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
            raise TripleTerm("RDF 1.2 triple terms (<<( … )>>, or what << … >> and {| … |} stand for) are not "
                             "accepted: chainkg keeps a statement's provenance in its named graph instead")
        yield quad


def scan(job: ScanJob) -> object:
    """The guard's Shape of the text, or ("malformed", code, message); the guard is imported only when needed."""
    from chainkg.graph import guard

    try:
        return guard.shape(job.text, job.prefixes, job.base_iri)
    except guard.Malformed as malformed:
        return ("malformed", malformed.code, str(malformed))


def check_update(job: UpdateCheck, *, prefixes: dict[str, str], base_iri: str) -> None:
    """Parse the update and run it on the job's checkpoint, or an empty in-memory store (raises SyntaxError)."""
    store = ox.Store(job.store) if job.store else ox.Store()
    try:
        store.update(job.text, prefixes=prefixes, base_iri=base_iri)
    finally:
        del store  # closed before the answer, so the checkpoint can be deleted


# ---------------------------------------------------------------------------------------------- worker process
def serve(connection: Connection) -> None:  # pragma: no cover - runs in a child process
    """A worker process: receive (prefixes, base IRI, memory cap, fence), fence itself, answer ("ready", report,
    complete), then run jobs until the connection closes.

    The fence is (readable, writable, network): directories besides the worker's own code, and whether this worker
    may reach the network (only the one that runs queries whose every SERVICE is allowed by CHAINKG_ALLOWED_REMOTE;
    its files are fenced all the same). It is installed after every import and before any job, so no text a client
    sent has run unfenced here. A job that opens an AF_INET/AF_INET6 socket kills the process (SIGSYS); the engine
    reads that as the evidence it is.

    Each query job names the snapshot to read (None for jobs that read no store); a new one is opened read-only
    when it changes. Replies are ("ok", answer) or ("error", kind, message) with kind one of syntax, timeout,
    rows, store, too-complex. Past the memory cap an allocation fails and Oxigraph aborts the process (SIGABRT), which
    the engine reports as the query's doing.
    """
    prefixes, base_iri, memory_bytes, (readable, writable, network) = connection.recv()
    os.nice(WORKER_NICENESS)
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a fenced death is evidence, not a core file in the cwd
    report = sandbox.fence_process([*readable, *sandbox.code_paths()], writable, network=network)
    connection.send(("ready", str(report), report.complete))
    store, opened = None, None
    while True:
        try:
            snapshot, job = connection.recv()
        except (EOFError, OSError):
            return
        try:
            if isinstance(job, ParseJob):
                connection.send(("ok", parse(job)))
                continue
            if isinstance(job, ScanJob):
                connection.send(("ok", scan(job)))
                continue
            if isinstance(job, UpdateCheck):
                connection.send(("ok", check_update(job, prefixes=prefixes, base_iri=base_iri)))
                continue
            if snapshot != opened:
                store = None  # close the old snapshot before opening the new one
                store, opened = ox.Store.read_only(snapshot), snapshot
            connection.send(("ok", execute(store, job, prefixes=prefixes, base_iri=base_iri)))
        except Stop as stop:
            connection.send(("error", stop.reason, str(stop)))
        except SyntaxError as error:
            connection.send(("error", "syntax", str(error)))
        except (OSError, ValueError) as error:
            connection.send(("error", "store", str(error)))
        except BaseException as error:  # a Rust panic surfaces as pyo3's PanicException, a BaseException
            if type(error).__name__ != "PanicException":
                raise
            connection.send(("error", "too-complex", f"the engine gave up on it: {str(error)[:200]}"))


if __name__ == "__main__":  # pragma: no cover - `python -m graph.worker FD`, started by graph.engine
    # Run the imported module's copy, so pickled Jobs and Answers name graph.worker, not __main__.
    from chainkg.graph import worker

    worker.serve(Connection(int(sys.argv[1])))
