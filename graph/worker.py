"""Running one user query to bytes, with a row cap and a deadline: the part of the engine that may be killed.

`execute` is the same code whether it runs in a worker process (on-disk stores: the parent kills the process when
the time limit passes, which is the only way to stop a native Oxigraph evaluation) or in a thread (in-memory
stores, where only streaming results can be cut). `serve` is a worker process's loop; before its first job it
fences itself (graph/sandbox.py): no network socket, no file outside the store's snapshots and its own code. This
module imports nothing of chainkg's but itself and the fence, so a worker starts fast.

Results are serialised natively by Oxigraph. To refuse an oversized result with an error instead of a truncated
body, rows are counted on the bytes as they stream out: SELECT results in the syntax the client asked for
(`RowCounter` knows where a row starts in each of the four), graphs as N-Triples, where a triple is one line,
transcoded natively when the client asked for another syntax.
"""

from __future__ import annotations

import os
import re
import resource
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import pyoxigraph as ox

from chainkg.graph import formats, sandbox

# Derived from the one table of syntaxes (graph/formats.py, which imports nothing of chainkg's either).
RESULT_FORMATS = {syntax.media_type: syntax.oxigraph for syntax in formats.RESULT_SYNTAXES}
GRAPH_FORMATS = {syntax.media_type: syntax.oxigraph for syntax in formats.SYNTAXES}


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


_JSON_ESCAPE = re.compile(rb"\\.", re.DOTALL)  # a backslash and the byte it escapes (JSON has them in strings only)


class RowCounter:
    r"""A binary sink for Oxigraph's SELECT serialisers that counts the rows written so far in the syntax being
    written, keeps the chunks, and stops past the row cap or the deadline (Stop), so a result is counted in the
    syntax the client gets instead of being written as TSV to be counted and transcoded after.

    Where a row starts, as Oxigraph writes them (tests/test_worker.py checks the count against the real number of
    rows on random results cut into random chunks):
    - TSV: one line per row after the header (newlines in literals are escaped as `\n`);
    - CSV: one line per row after the header, a line ending outside double quotes (a quoted field may hold line
      breaks; an escaped quote `""` toggles twice);
    - XML: one `<result>` element per row (`<` in text is `&lt;`);
    - JSON: one object per row in the bindings array, opened by `[{` or `,{` outside strings (inside a row a
      value object follows a `:`). Counting those bytes everywhere is an upper bound (a literal may hold them) at
      no cost; once it passes the cap the count is made exact, skipping strings by their quotes once the
      backslash escapes are removed, so `rows` is exact past the cap and an upper bound below it.
    State crosses chunk boundaries (Oxigraph writes in ~8 kB pieces that may cut a token anywhere).

    >>> counter = RowCounter(ox.QueryResultsFormat.JSON, 2, None)  # 3 by the quick count, past the cap: exact
    >>> for piece in (b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"a,{\\',
    ...               b'",{\\"', b'"}}', b',{}]}}'):  # cut inside an escape; `,{` inside the string is no row
    ...     _ = counter.write(piece)
    >>> counter.rows
    2
    """

    def __init__(self, syntax: ox.QueryResultsFormat, max_rows: int, deadline: float | None,
                 max_bytes: int = 0) -> None:
        self.chunks: list[bytes] = []
        self.rows = 0
        self.max_rows = max_rows  # 0 = no cap
        self.deadline = deadline
        self.max_bytes = max_bytes  # 0 = no cap; past it: Stop("bytes") (the light path's budget)
        self.size = 0
        self._count = {ox.QueryResultsFormat.TSV: self._tsv, ox.QueryResultsFormat.CSV: self._csv,
                       ox.QueryResultsFormat.XML: self._xml, ox.QueryResultsFormat.JSON: self._json}[syntax]
        self._lines = 0  # TSV, CSV: line ends seen (the first ends the header)
        self._quoted = False  # CSV: inside a quoted field; JSON: inside a string
        self._exact = False  # JSON: counting exactly (strings skipped), since the quick upper bound passed the cap
        self._escaped = False  # JSON: the last chunk ended on a backslash inside a string
        self._tail = b""  # XML: the last bytes, which may begin a <result> the next chunk ends; JSON: the last byte outside strings

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if data:
            self._count(data)
        if self.max_rows and self.rows > self.max_rows:
            raise Stop("rows")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise Stop("timeout")
        self.size += len(data)
        if self.max_bytes and self.size > self.max_bytes:
            raise Stop("bytes")
        self.chunks.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def _tsv(self, data: bytes) -> None:
        self._lines += data.count(b"\n")
        self.rows = max(self._lines - 1, 0)

    def _csv(self, data: bytes) -> None:
        pieces = data.split(b'"')
        self._lines += sum(piece.count(b"\n") for piece in pieces[1 if self._quoted else 0::2])
        self._quoted ^= len(pieces) % 2 == 0  # an odd number of quotes in the chunk
        self.rows = max(self._lines - 1, 0)

    def _xml(self, data: bytes) -> None:
        text = self._tail + data  # the tail is shorter than the tag: nothing is counted twice
        self.rows += text.count(b"<result>")
        self._tail = text[-(len(b"<result>") - 1):]

    def _json(self, data: bytes) -> None:
        if not self._exact:  # an upper bound, as fast as counting bytes: `[{` and `,{` may also sit inside strings
            self.rows += data.count(b"[{") + data.count(b",{") + (self._tail + data[:1] in (b"[{", b",{"))
            self._tail = data[-1:]
            if not self.max_rows or self.rows <= self.max_rows:
                return
            self._exact, self.rows, self._tail = True, 0, b""  # past the cap: count exactly, from the start
            for chunk in self.chunks:
                self._json_exact(chunk)
        self._json_exact(data)

    def _json_exact(self, data: bytes) -> None:
        if self._escaped:
            data, self._escaped = data[1:], False
        if b"\\" in data:
            data = _JSON_ESCAPE.sub(b"", data)
            if data.endswith(b"\\"):  # an escape cut by the chunk's end: its byte opens the next chunk
                data, self._escaped = data[:-1], True
        pieces = data.split(b'"')
        outside = pieces[1 if self._quoted else 0::2]
        text = self._tail + b" ".join(outside)  # a space between pieces: no row mark made across a string
        self.rows += text.count(b"[{") + text.count(b",{")
        self._quoted ^= len(pieces) % 2 == 0
        self._tail = b"" if self._quoted else text[-1:]


def execute(store: ox.Store, job: Job, *, prefixes: dict[str, str], base_iri: str, max_bytes: int = 0) -> Answer:
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
        return solutions_answer(results, job, deadline, max_bytes)
    return _triples(results, job, deadline, prefixes)


def solutions_answer(results: ox.QuerySolutions, job: Job, deadline: float | None, max_bytes: int = 0) -> Answer:
    """Solutions written natively in the asked syntax, rows counted as they stream (refused past the row cap, the
    deadline or `max_bytes`)."""
    syntax = _result_format(job.media_type)
    counter = RowCounter(syntax, job.max_rows, deadline, max_bytes)
    results.serialize(counter, format=syntax)
    return Answer(job.media_type, counter.chunks, counter.rows)


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
