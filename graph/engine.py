"""Where user queries run: a pool of worker processes over read-only snapshots, so a time limit really stops work.

pyoxigraph has no timeout or cancel, and an aggregate is one native call that no signal interrupts. The only way
to stop it is to end the process it runs in. So, for the on-disk store (the default), user queries run in worker
processes that each open a *snapshot* of the store read-only: a RocksDB checkpoint made with `Store.backup`, hard
links to the store's immutable files, a few milliseconds to make. A query over its limit gets its worker killed and
replaced; the other workers keep answering. Writes happen in the serving process on the store itself; the first
query after a write makes a new snapshot, so every query sees one committed state (never half an update), and a
client reads its own acknowledged writes.

In-memory stores cannot be snapshotted across processes: there queries run in threads, a streaming result is cut at
the limit, and a query stuck inside one native call is abandoned (its client gets the timeout at once; the thread
finishes on its own). The README says so.

Whatever runs user SPARQL is fenced by the kernel (graph/sandbox.py), whatever graph/guard.py made of the text:
worker processes cannot open a network socket (one that tries dies by SIGSYS, and the client gets 403) nor read
files outside the snapshots and their own code; the real update, in-memory queries and the external store's
syntax checks run on fenced threads of this process, whose sockets fail. Queries whose every SERVICE IRI the
setting CHAINKG_ALLOWED_REMOTE allows (`Job.network`) run on a worker that may connect, files still fenced.

An external store (setting remote_query_url, graph/remote.py) gets `RemoteEngine`: queries are forwarded over
HTTP, and the time limit is the HTTP time-out plus the store's own limit where it has one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import pickle
import queue
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import anyio.to_thread
import pyoxigraph as ox

from chainkg.graph import guard, remote, sandbox, worker
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.worker import Answer, Job, ParseJob, ScanJob, Stop, UpdateCheck

log = logging.getLogger("chainkg.engine")
GRACE_S = 0.5  # a worker gets this long past the limit to stop by itself before it is killed


class QueryFailed(Exception):
    """A query that did not produce results; `kind` says why: syntax, timeout, rows, busy, store, or (the worker
    died of it) too-complex or memory."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Engine:
    """Runs `Job`s and returns `Answer`s; `run` blocks, so call it from a worker thread of the web server."""

    restarts = 0  # workers killed (time limit) or dead (crash, memory) and replaced
    fenced: FencedThread  # where this process runs the user SPARQL it must run itself (see FencedThread)

    def run(self, job: Job) -> Answer:
        raise NotImplementedError

    async def run_async(self, job: Job, light: str | None = None) -> Answer:
        """`run` for the event loop: here in a thread; ProcessEngine talks to an idle worker from the loop itself,
        and answers a `light` query (guard.light_query: the job's text as one triple pattern) in this process."""
        return await anyio.to_thread.run_sync(self.run, job)

    def parse(self, data: bytes, media_type: str) -> bytes:
        """An upload (any RDF syntax) as N-Quads, parsed where a crash or a blow-up cannot reach the server.

        Here, in this process: the in-memory and external stores have no worker process to parse in."""
        try:
            return worker.parse(ParseJob(data, media_type, self.kg.settings.base_iri))
        except SyntaxError as error:
            raise QueryFailed("syntax", str(error)) from None

    def check_update(self, text: str, *, network: bool = False) -> None:
        """Raise QueryFailed if the update would crash or stall the process that runs it (see UpdateCheck), and
        guard.Refused if it tried to open a network socket where it may not (`network`: it may)."""

    def update(self, text: str, *, network: bool = False) -> None:
        """Run a user's update on the store in one transaction, on the fenced thread unless `network` (every
        SERVICE and LOAD IRI allowed by CHAINKG_ALLOWED_REMOTE). Raises guard.Refused when the fence stopped it."""
        try:
            if network:
                self.kg.update(text)
            else:
                self.fenced.call(self.kg.update, text)
        except OSError as error:
            if not sandbox.refused_by_fence(error):
                raise
        else:
            return
        log.warning("an update %s", sandbox.NETWORK_REFUSAL)
        raise _network_refusal("update")

    def scan(self, text: str) -> object:
        """The guard's scan of a long text (worker.scan): here, in this process, for engines without workers."""
        return worker.scan(ScanJob(text, self.kg.prefixes, self.kg.settings.base_iri))

    def health(self) -> dict[str, int]:
        """How many query workers there should be and how many are alive."""
        return {"size": self.kg.settings.query_workers, "alive": self.kg.settings.query_workers}

    def close(self) -> None:
        self.fenced.close()


class FencedThread:
    """Long-lived threads of the serving process (one for updates) that cannot open network sockets
    (graph/sandbox.py), for the user SPARQL this process must run itself: the real update (it writes the store this
    process holds) and the external store's syntax checks. A seccomp filter binds the thread that installs it and the threads it starts,
    not the web server's threads; pyoxigraph's HTTP client runs on the calling thread, so it is fenced too."""

    def __init__(self, name: str, threads: int = 1) -> None:
        self.report: sandbox.Report | None = None
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name, initializer=self._fence)

    def _fence(self) -> None:
        self.report = sandbox.fence_thread()
        _say_once("updates and syntax checks (a fenced thread)", str(self.report), self.report.complete)

    def call(self, function, *args):
        return self._pool.submit(function, *args).result()

    async def call_async(self, function, *args):
        """`call` from the event loop, which stays free meanwhile: no thread of the web server waits for it."""
        return await asyncio.wrap_future(self._pool.submit(function, *args))

    def close(self) -> None:
        self._pool.shutdown(wait=False)


_REPORTED: set[str] = set()


def _say_once(what: str, report: str, complete: bool) -> None:
    """Say once per kind of runner what the fence is, loudly when a layer is missing: it never degrades silently."""
    if what not in _REPORTED:
        _REPORTED.add(what)
        if complete:
            log.info("fence for %s: %s", what, report)
        else:
            log.warning("fence for %s is incomplete: %s", what, report)


def _network_refusal(what: str) -> guard.Refused:
    return guard.Refused(f"the {what} {sandbox.NETWORK_REFUSAL}")


def engine_for(kg: KnowledgeGraph) -> Engine:
    """Worker processes for an on-disk store, threads for an in-memory one, HTTP for an external store."""
    if kg.settings.remote:
        return RemoteEngine(kg)
    if kg.settings.in_memory:
        return ThreadEngine(kg)
    return ProcessEngine(kg)


@contextlib.contextmanager
def _syntax_errors() -> Iterator[None]:
    """Oxigraph's syntax error, with its line and column, as the query's failure."""
    try:
        yield
    except SyntaxError as error:
        raise QueryFailed("syntax", str(error)) from None


def _failure(stop: Stop, job: Job) -> QueryFailed:
    if stop.reason == "rows":
        return QueryFailed("rows", f"the result has more than {job.max_rows:,} rows (setting CHAINKG_MAX_ROWS); "
                                   f"add LIMIT and OFFSET to page through it")
    return _timeout(job)


def _timeout(job: Job | ParseJob | UpdateCheck) -> QueryFailed:
    what = {ParseJob: "parsing the upload took", UpdateCheck: "checking the update took",
            ScanJob: "checking the query took"}.get(type(job), "the query ran")
    return QueryFailed("timeout", f"{what} longer than {job.timeout_s:g} s (setting CHAINKG_QUERY_TIMEOUT_S) "
                                  f"and was stopped")


def _died(returncode: int | None, job: Job | ParseJob | UpdateCheck, settings) -> QueryFailed:
    """What to tell the client whose job killed its worker: past the memory cap (SIGABRT from a failed allocation,
    or SIGKILL from the kernel), or a crash (a stack overflow in Oxigraph's recursive parser is SIGSEGV)."""
    what = {ParseJob: "the upload", UpdateCheck: "the update"}.get(type(job), "the query")
    if returncode in (-signal.SIGABRT, -signal.SIGKILL):
        return QueryFailed("memory", f"{what} needed more memory than {settings.query_memory_mb:,} MB (setting "
                                     f"CHAINKG_QUERY_MEMORY_MB) and was stopped")
    return QueryFailed("too-complex", f"{what} is too complex for the engine (too deeply nested, or too long a chain of "
                                f"operators): it crashed its worker, which was restarted")


class ThreadEngine(Engine):
    """In-memory stores: queries run in a bounded thread pool; see the module docstring for what a limit can stop."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.fenced = FencedThread("chainkg-update")
        self.pool = ThreadPoolExecutor(max_workers=kg.settings.query_workers, thread_name_prefix="chainkg-query",
                                       initializer=self._fence)
        self.network_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chainkg-query-remote")

    @staticmethod
    def _fence() -> None:
        report = sandbox.fence_thread()
        _say_once("in-memory queries (fenced threads)", str(report), report.complete)

    def run(self, job: Job) -> Answer:
        future = (self.network_pool if job.network else self.pool).submit(self._execute, job)
        try:
            return future.result(timeout=job.timeout_s + GRACE_S if job.timeout_s else None)
        except FutureTimeout:
            raise _timeout(job) from None
        except Stop as stop:
            raise _failure(stop, job) from None
        except SyntaxError as error:
            raise QueryFailed("syntax", str(error)) from None
        except (OSError, ValueError) as error:
            raise QueryFailed("store", str(error)) from None

    def _execute(self, job: Job) -> Answer:
        try:
            return worker.execute(self.kg.store, job, prefixes=self.kg.prefixes, base_iri=self.kg.settings.base_iri)
        except OSError as error:
            if not sandbox.refused_by_fence(error):
                raise
        # Raised outside the handler, on this thread: the refusal carries no frame holding pyoxigraph results,
        # which may only be dropped by the thread that made them.
        log.warning("a query %s", sandbox.NETWORK_REFUSAL)
        raise _network_refusal("query")

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.network_pool.shutdown(wait=False, cancel_futures=True)
        super().close()


@dataclass(eq=False)
class _Local:
    """The serving process's own read-only copy of a snapshot, for light queries; holds one reference to it."""

    path: str
    store: ox.Store | None


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen
    connection: Connection
    network: bool = False  # may connect: runs only jobs whose every SERVICE/LOAD IRI is allowed
    snapshot: str | None = None


class ProcessEngine(Engine):
    """On-disk stores: `query_workers` processes, each reading a snapshot; one over its limit is killed and replaced."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.fenced = FencedThread("chainkg-update")
        self.size = kg.settings.query_workers
        self.snapshots = Snapshots(kg)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        # One worker that may connect, for queries whose every SERVICE IRI CHAINKG_ALLOWED_REMOTE allows; none
        # when the setting is empty (the default), so no process of the pool can reach the network then.
        self._network_idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # Light queries answered here (_answer_here): the newest snapshot opened read-only in this process, one
        # being opened in a thread, and a lock that one query at a time holds (non-blocking: a loop finding it
        # taken sends its query to a worker), so the copy is swapped only while no query reads it.
        self._local: _Local | None = None
        self._pending: _Local | None = None
        self._opening = False
        self._here = threading.Lock()
        started = [self._spawn() for _ in range(self.size)]
        if kg.settings.allowed_remote:
            started.append(self._spawn(network=True))
        for proc in started:  # they start side by side; each says how it fenced itself
            self._ready(proc)
            self._queue(proc).put(proc)

    def run(self, job: Job | ParseJob | UpdateCheck | ScanJob) -> Answer:
        proc = self._idle_worker(job)
        previous = None
        if isinstance(job, Job):  # parse and check jobs read no store: the worker keeps its snapshot
            try:
                previous, proc.snapshot = proc.snapshot, self.snapshots.acquire()
            except (OSError, RuntimeError) as error:
                self._queue(proc).put(proc)  # the worker did nothing wrong: it goes back to the pool, not to waste
                log.error("no snapshot of the store could be made: %s", error)
                raise QueryFailed("store", "no snapshot of the store could be made") from None
        try:
            proc.connection.send((proc.snapshot if isinstance(job, Job) else None, job))
            if not proc.connection.poll(job.timeout_s + GRACE_S if job.timeout_s else None):
                self._replace(proc, wait=True)
                raise _timeout(job)
            reply = proc.connection.recv()
        except (EOFError, OSError):
            raise self._broken(proc, job, _exit_status(proc.process)) from None
        finally:
            self.snapshots.release(previous)  # the worker has moved on to its new snapshot (or is gone)
        self._queue(proc).put(proc)
        return _answer(reply, job)

    async def run_async(self, job: Job, light: str | None = None) -> Answer:
        """A one-pattern query (`light`) answered in this process within a budget (_answer_here); past the budget,
        or any other query with a text ≤ LOOP_TEXT_CHARS, straight from the event loop to an idle worker and back:
        the job is written on the worker's socket, the reply read when the loop says it is readable, so no thread of
        the web server carries it (a thread hop each way cost ~0.1 ms of a ~1 ms look-up). The time limit, the row cap,
        the memory cap and the fence are the worker's, as on the thread path. Anything that would block the loop
        goes to `run` in a thread instead: a busy pool (waiting for a worker), a store written since the last
        snapshot (making one is I/O), the network worker, a reply over LOOP_REPLY_BYTES (read in a thread)."""
        if job.network or len(job.text) > LOOP_TEXT_CHARS:
            return await super().run_async(job)
        if light is not None and job.union and job.default_graphs is None and job.named_graphs is None:
            answer = self._answer_here(job, light)
            if answer is not None:
                return answer
        proc = self._idle_worker_now()
        if proc is None:
            return await super().run_async(job)
        snapshot = self.snapshots.acquire_ready()
        if snapshot is None:
            self._idle.put(proc)
            return await super().run_async(job)
        previous, proc.snapshot = proc.snapshot, snapshot
        try:
            proc.connection.send((snapshot, job))  # a few hundred bytes into an idle worker's empty socket
            reply = await asyncio.wait_for(_read_reply(proc.connection),
                                           job.timeout_s + GRACE_S if job.timeout_s else None)
        except asyncio.TimeoutError:
            await anyio.to_thread.run_sync(functools.partial(self._replace, proc, wait=True))
            raise _timeout(job) from None
        except (EOFError, OSError):
            returncode = await anyio.to_thread.run_sync(_exit_status, proc.process)
            raise self._broken(proc, job, returncode) from None
        except BaseException:  # cancelled half-way: the worker's reply would be read by the next job
            self._replace(proc)
            raise
        finally:
            self.snapshots.release(previous)
        self._idle.put(proc)
        return _answer(reply, job)

    def _answer_here(self, job: Job, light: str) -> Answer | None:
        """The answer to a one-triple-pattern SELECT (guard.light_query), computed in this process on the newest
        snapshot, or None: then a worker answers it, with every limit of the worker path.

        Why this keeps the guarantees (README "The serving path"): the text run here is the one the guard wrote
        from the recognised tokens, a single triple pattern on the default graph, whose evaluation is one index
        scan in which every entry read becomes a row; so work between two writes of the serialiser (~8 kB) is
        bounded, and the budget checked at each write (LIGHT_ROWS rows and the row cap, LIGHT_BYTES bytes,
        LIGHT_S seconds) bounds the whole, time and memory. Past the budget nothing is answered from here: the
        worker runs the client's own text from the start under the real limits (so the row cap's 422 and the time
        limit's 503 come from there), as it does after any error here. The snapshot is the one a worker would read
        now (Snapshots.ready_path: it holds every committed write, no write is committing), so isolation and
        read-your-writes are those of the workers; when it is newer than the copy open here, the newer one is
        opened in a thread and, meanwhile, workers answer. The text holds no SERVICE (the grammar has no place for
        one), so nothing here can open a connection, although this thread is not fenced."""
        if not self._here.acquire(blocking=False):
            return None
        try:
            if self._pending is not None:  # opened by _open_local: swapped in while no query reads the old one
                old, self._local, self._pending = self._local, self._pending, None
                if old is not None:
                    threading.Thread(target=self._retire, args=(old,), daemon=True, name="chainkg-local").start()
            newest = self.snapshots.ready_path()
            local = self._local
            if newest is None or self._closed:
                return None
            if local is None or local.path != newest:
                self._open_local()
                return None
            budget = Job(light, job.media_type, max_rows=min(job.max_rows or LIGHT_ROWS, LIGHT_ROWS),
                         timeout_s=LIGHT_S)
            try:
                return worker.execute(local.store, budget, prefixes=self.kg.prefixes,
                                      base_iri=self.kg.settings.base_iri, max_bytes=LIGHT_BYTES)
            except (Stop, SyntaxError, OSError, ValueError):
                return None
            except BaseException as error:  # a Rust panic surfaces as pyo3's PanicException
                if type(error).__name__ != "PanicException":
                    raise
                return None
        finally:
            self._here.release()

    def _open_local(self) -> None:
        """Open the newest snapshot read-only in a thread (I/O, not for the loop), holding a reference to it."""
        if self._opening or self._pending is not None:
            return
        path = self.snapshots.acquire_ready()
        if path is None:
            return
        self._opening = True

        def open_it() -> None:
            try:
                local = _Local(path, ox.Store.read_only(path))
                if self._closed:  # the engine closed meanwhile: its snapshots are gone
                    local.store = None
                else:
                    self._pending = local
            except (OSError, RuntimeError) as error:
                log.warning("light queries: snapshot %s could not be opened here: %s", path, error)
                self.snapshots.release(path)
            finally:
                self._opening = False

        threading.Thread(target=open_it, daemon=True, name="chainkg-local").start()

    def _retire(self, local: _Local) -> None:
        """Close a copy no query reads any more and let its snapshot go (deleting it is I/O: in a thread)."""
        local.store = None
        self.snapshots.release(local.path)

    def _idle_worker_now(self) -> _Worker | None:
        """An idle, live worker without waiting, or None; a dead one found idle is replaced (as in _idle_worker)."""
        while True:
            try:
                proc = self._idle.get_nowait()
            except queue.Empty:
                return None
            if proc.process.poll() is None:
                return proc
            log.warning("query worker found dead (exit status %s) while idle", proc.process.returncode)
            self._replace(proc)

    def _broken(self, proc: _Worker, job: Job | ParseJob | UpdateCheck | ScanJob, returncode: int | None) -> Exception:
        """What a job whose worker's connection broke is told (the worker is replaced): the fence killed it, the
        memory cap stopped it, or it crashed."""
        self._replace(proc)
        if returncode == -signal.SIGSYS:  # the fence killed it: the job tried to open a network socket
            what = {ParseJob: "upload", UpdateCheck: "update"}.get(type(job), "query")
            log.warning("a %s %s; its worker was killed by the fence and replaced", what, sandbox.NETWORK_REFUSAL)
            return _network_refusal(what)
        log.warning("query worker died (exit status %s) on a %s", returncode, type(job).__name__)
        return _died(returncode, job, self.kg.settings)

    def _idle_worker(self, job: Job | ParseJob | UpdateCheck) -> _Worker:
        """An idle worker that is alive: one that died while idle (killed from outside, say) is replaced, not
        handed a job whose failure would then be blamed on the job."""
        # Waiting for a free worker is bounded too: a full pool answers "busy", it does not queue forever.
        deadline = time.monotonic() + job.timeout_s if job.timeout_s else None
        network = getattr(job, "network", False)
        if network and not self.kg.settings.allowed_remote:
            raise guard.Refused("no outbound requests are allowed (setting CHAINKG_ALLOWED_REMOTE is empty)")
        idle = self._network_idle if network else self._idle
        while True:
            try:
                proc = idle.get(timeout=max(deadline - time.monotonic(), 0.001) if deadline else None)
            except queue.Empty:
                raise QueryFailed("busy", "every query worker is busy; try again shortly") from None
            if proc.process.poll() is None:
                return proc
            log.warning("query worker found dead (exit status %s) while idle", proc.process.returncode)
            self._replace(proc)

    def parse(self, data: bytes, media_type: str) -> bytes:
        settings = self.kg.settings
        return self.run(ParseJob(data, media_type, settings.base_iri, settings.query_timeout_s))

    def check_update(self, text: str, *, network: bool = False) -> None:
        """Run the update first on a writable checkpoint of the store, in a worker: within the time limit and the
        memory cap there, or refused before the serving process runs it (see UpdateCheck)."""
        scratch = self.snapshots.scratch()
        try:
            self.run(UpdateCheck(text, self.kg.settings.query_timeout_s, store=scratch, network=network))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def scan(self, text: str) -> object:
        return self.run(ScanJob(text, self.kg.prefixes, self.kg.settings.base_iri, self.kg.settings.query_timeout_s))

    def health(self) -> dict[str, int]:
        with self._lock:
            alive = sum(proc.process.poll() is None for proc in self._workers if not proc.network)
        return {"size": self.size, "alive": alive}

    def close(self) -> None:
        self._closed = True
        with self._here:
            for local in (self._local, self._pending):
                if local is not None:
                    local.store = None
            self._local = self._pending = None
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for proc in workers:
            proc.connection.close()
            proc.process.kill()
            proc.process.wait(timeout=5)
        self.snapshots.remove_all()
        super().close()

    # ------------------------------------------------------------------ the pool
    def _queue(self, proc: _Worker) -> queue.Queue[_Worker]:
        return self._network_idle if proc.network else self._idle

    def _spawn(self, network: bool = False) -> _Worker:
        """Start `python -m chainkg.graph.worker` on one end of a socket pair (not multiprocessing's spawn, which would
        re-import the parent's __main__). It fences itself before reading any job: it may read the snapshots and
        its own code, write nothing, and (unless `network`) open no network socket."""
        parent, child = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", "chainkg.graph.worker", str(child.fileno())], pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL,
        )
        child.close()
        connection = Connection(parent.detach())
        fence = ([str(self.snapshots.directory)], [str(self.snapshots.scratch_directory)], network)
        connection.send((self.kg.prefixes, self.kg.settings.base_iri, self.kg.settings.query_memory_mb * 2**20, fence))
        proc = _Worker(process, connection, network=network)
        with self._lock:
            self._workers.add(proc)
        return proc

    def _ready(self, proc: _Worker) -> None:
        """Wait for a new worker's ("ready", report, complete) and log the report once; a worker that does not
        come up is left to die and be replaced when a job finds it dead."""
        try:
            if proc.connection.poll(60):
                _, report, complete = proc.connection.recv()
                _say_once("the worker for allowed remote IRIs" if proc.network else "query workers", report, complete)
                return
        except (EOFError, OSError):
            pass
        log.error("a query worker did not start (exit status %s)", proc.process.poll())
        proc.process.kill()

    def _replace(self, proc: _Worker, *, wait: bool = False) -> None:
        """Kill a worker (a query over its limit, or a broken pipe) and start another, in the background or, with
        `wait`, before returning. A runaway query's answer waits for its replacement: until then its client still
        holds its slot (api/limits.py), so the slots never promise a worker that is still starting — a client's
        next runaway could otherwise take the one worker kept for others, and their light queries got 503 busy."""
        with self._lock:
            self._workers.discard(proc)
            self.restarts += 1
        proc.process.kill()
        proc.connection.close()
        self.snapshots.release(proc.snapshot)
        if wait:
            self._respawn(proc)
        else:
            threading.Thread(target=self._respawn, args=(proc,), daemon=True, name="chainkg-respawn").start()

    def _respawn(self, dead: _Worker) -> None:
        dead.process.wait(timeout=10)
        if not self._closed:
            proc = self._spawn(network=dead.network)
            self._ready(proc)
            self._queue(proc).put(proc)
            log.info("query worker restarted")


def _at_limit(deadline: float | None, job: Job) -> bool:
    """An external store's error that comes once the time limit has (nearly) passed is that limit biting: Virtuoso
    answers a query it stopped at its `timeout` with a 500 or a cut-off body as often as with its S1TAT header."""
    return deadline is not None and time.monotonic() >= deadline - 0.1 * job.timeout_s


LOOP_TEXT_CHARS = 500  # query texts up to this long are scanned and run from the event loop (api/sparql.py)
LOOP_REPLY_BYTES = 256 * 1024  # a longer reply is read in a thread: copying it would hold the loop
# The budget of a light query answered in the serving process (ProcessEngine._answer_here), on its event loop:
# past any of these a worker answers it instead. 1,000 rows of a look-up as JSON take ~1 ms here.
LIGHT_ROWS = 1000
LIGHT_BYTES = 256 * 1024
LIGHT_S = 0.01


def _answer(reply: tuple, job: Job | ParseJob | UpdateCheck | ScanJob):
    if reply[0] == "ok":
        return reply[1]
    _, kind, message = reply
    if kind in ("timeout", "rows"):
        raise _failure(Stop(kind), job)
    raise QueryFailed(kind, message)


async def _read_reply(connection: Connection) -> tuple:
    """One message of multiprocessing's framing (a 4-byte big-endian length, or -1 and an 8-byte one; then the
    pickle), read on the event loop as the worker writes it: the loop's reader callback reads what has come (the
    socket is readable, so a read returns at once) until the message is whole. A message longer than
    LOOP_REPLY_BYTES is read on in a thread. Raises EOFError when the worker is gone."""
    loop = asyncio.get_running_loop()
    fd = connection.fileno()
    buffer = bytearray()
    done: asyncio.Future[int] = loop.create_future()  # the message's size once known and in, or -1: read on in a thread

    def readable() -> None:
        try:
            data = os.read(fd, 65536)
        except OSError as error:
            data, failure = b"", error
        else:
            failure = EOFError("the worker closed its connection")
        if not data:
            loop.remove_reader(fd)
            if not done.done():
                done.set_exception(failure)
            return
        buffer.extend(data)
        size = _frame_size(buffer)
        if size is None:
            return
        if size > LOOP_REPLY_BYTES and len(buffer) < size:
            loop.remove_reader(fd)
            done.set_result(-1)
        elif len(buffer) >= size:
            loop.remove_reader(fd)
            done.set_result(size)

    loop.add_reader(fd, readable)
    try:
        await done
    finally:
        loop.remove_reader(fd)
    header = 4 if struct.unpack("!i", buffer[:4])[0] != -1 else 12
    if done.result() == -1:
        return await anyio.to_thread.run_sync(_read_rest, fd, bytes(buffer[header:]), _frame_size(buffer) - header)
    return pickle.loads(memoryview(buffer)[header:])


def _frame_size(buffer: bytearray) -> int | None:
    """The whole message's size (header included) once its header is in, else None."""
    if len(buffer) < 4:
        return None
    size, = struct.unpack("!i", buffer[:4])
    if size != -1:
        return 4 + size
    if len(buffer) < 12:
        return None
    return 12 + struct.unpack("!Q", buffer[4:12])[0]


def _read_rest(fd: int, head: bytes, size: int) -> tuple:
    """The rest of a long reply, read (blocking) in a thread, and unpickled there."""
    parts, received = [head], len(head)
    while received < size:
        data = os.read(fd, min(size - received, 1 << 20))
        if not data:
            raise EOFError("the worker closed its connection")
        parts.append(data)
        received += len(data)
    return pickle.loads(b"".join(parts))


def _exit_status(process: subprocess.Popen) -> int | None:
    """The exit status of a worker whose connection just broke (it is exiting), or None if it lingers."""
    try:
        return process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        return None


class Snapshots:
    """Read-only checkpoints of an on-disk store, one per write generation, removed when no worker reads them.

    Each worker holds the snapshot it last opened (a reference); the newest snapshot is also held until a newer one
    replaces it. A snapshot nobody holds is deleted: its hard links go, and with them the store's old files.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        store = Path(kg.settings.store)
        self.directory = store.with_name(store.name + ".snapshots")
        shutil.rmtree(self.directory, ignore_errors=True)  # left by an earlier run
        self.directory.mkdir(parents=True)
        # Update checks write their checkpoints here: the only directory a fenced worker may write (a Landlock
        # rule binds the directory that exists when the worker starts, so it lives as long as the engine).
        self.scratch_directory = self.directory / "updates"
        self.scratch_directory.mkdir()
        self._lock = threading.Lock()
        self._latest: tuple[int, str] | None = None
        self._references: dict[str, int] = {}

    def acquire(self) -> str:
        """A snapshot holding every write committed so far (made now if the store changed), referenced once more."""
        with self._lock:
            # While a write holds the store it may have committed already (and been read by a client through the
            # store itself) without a new generation: then every query gets a fresh snapshot, so a client never
            # reads an older state after a newer one. Read `writing` first: once it is False, the generation is.
            writing = self.kg.writing
            generation = self.kg.generation
            if self._latest is None or self._latest[0] != generation or writing:
                path = str(self.directory / f"gen-{generation}-{uuid.uuid4().hex[:8]}")
                try:
                    self.kg.backup(path)
                except (OSError, RuntimeError):  # RocksDB may retire a log file of its own accord: once more
                    shutil.rmtree(path, ignore_errors=True)
                    self.kg.backup(path)
                old, self._latest = self._latest, (generation, path)
                self._references[path] = 1  # the "newest" reference
                if old is not None:
                    self._drop(old[1])
            self._references[self._latest[1]] += 1
            return self._latest[1]

    def ready_path(self) -> str | None:
        """The newest snapshot when it holds every write committed so far and nobody holds the lock, else None;
        no reference is taken (the caller holds one already, or takes one with acquire_ready)."""
        return self._ready(reference=False)

    def acquire_ready(self) -> str | None:
        """The newest snapshot, referenced once more, when it holds every write committed so far and nobody holds
        the lock; else None (then `acquire` must make one, which is I/O: not for the event loop)."""
        return self._ready(reference=True)

    def _ready(self, *, reference: bool) -> str | None:
        """For the event loop, so it never waits: the lock is only tried, and nothing is made."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            writing = self.kg.writing  # read first, as in acquire
            if self._latest is None or self._latest[0] != self.kg.generation or writing:
                return None
            if reference:
                self._references[self._latest[1]] += 1
            return self._latest[1]
        finally:
            self._lock.release()

    def scratch(self) -> str:
        """A checkpoint of the store as it is now, for one update check to write into (the caller deletes it)."""
        path = str(self.scratch_directory / f"update-{uuid.uuid4().hex[:12]}")
        try:
            self.kg.backup(path)
        except (OSError, RuntimeError):  # as in acquire: RocksDB may retire a log file of its own accord
            shutil.rmtree(path, ignore_errors=True)
            self.kg.backup(path)
        return path

    def release(self, path: str | None) -> None:
        if path is not None:
            with self._lock:
                self._drop(path)

    def remove_all(self) -> None:
        with self._lock:
            self._references.clear()
            self._latest = None
            shutil.rmtree(self.directory, ignore_errors=True)

    def _drop(self, path: str) -> None:
        self._references[path] -= 1
        if self._references[path] == 0:
            del self._references[path]
            shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- external store
EMPTY_GRAPH = "urn:chainkg:no-graph"  # a default-graph-uri naming nothing, for named-graph-uri alone


class RemoteEngine(Engine):
    """An external SPARQL store (graph/remote.py): user queries are forwarded, our limits and formats still apply.

    The text is parsed by Oxigraph first (syntax errors read the same as on the embedded store), then sent with
    chainkg's prefixes and base; results come back in one syntax (setting remote_results) or N-Triples and go
    through the same row counting and native transcoding as the embedded engines. The time limit is the HTTP
    time-out, and the remote's own limit too where the setting remote_timeout_parameter names it; a store that
    keeps working after we hang up is the store's business (the README says which do).
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.store: remote.RemoteStore = kg.store  # type: ignore[assignment]
        self.slots = threading.BoundedSemaphore(kg.settings.query_workers)
        self.fenced = FencedThread("chainkg-check", threads=kg.settings.query_workers)  # checks of every query

    def check_update(self, text: str, *, network: bool = False) -> None:
        """Oxigraph's syntax check (a run on an empty store) on the fenced thread; the update itself goes to the
        external store over HTTP, so it cannot run fenced (see the README: the guard is the fence there)."""
        try:
            self.fenced.call(remote.check_update_syntax, text, self.kg.prefixes, self.kg.settings.base_iri)
        except SyntaxError as error:
            raise QueryFailed("syntax", str(error)) from None
        except OSError as error:
            if not sandbox.refused_by_fence(error):
                raise
        else:
            return
        raise _network_refusal("update")

    def update(self, text: str, *, network: bool = False) -> None:
        self.kg.update(text)

    async def run_async(self, job: Job, light: str | None = None) -> Answer:
        """A query text of at most LOOP_TEXT_CHARS goes from the event loop to the store and back with no thread of
        the web server (a hop to one and back cost 0.01-0.18 ms a query over Virtuoso, measured interleaved). On the
        loop: the check of a light text (`_run` says why it needs no fence), or the fenced thread's check of any other,
        awaited; the request on a connection of the loop's own (remote.Client.post_async), under the same time limit
        (asyncio.wait_for) and error mapping as `run`; the results written here when the store's answer is at most
        LOOP_REPLY_BYTES, in a thread otherwise (copying more would hold the loop). A longer text, or any when every
        slot is busy, goes through a thread (`run`, which waits for a slot)."""
        if len(job.text) > LOOP_TEXT_CHARS or not self.slots.acquire(blocking=False):
            return await anyio.to_thread.run_sync(self.run, job, light)
        try:
            text = self._light_text(light, job)
            if text is None:
                with _syntax_errors():
                    text = await self.fenced.call_async(self._checked, job.text)
            deadline = time.monotonic() + job.timeout_s if job.timeout_s else None
            args, options = self._request(job, text)
            try:
                response = await self.store.request_query_async(*args, **options)
            except remote.RemoteError as error:
                raise self._refusal(error, deadline, job) from None
            if len(response.content) <= LOOP_REPLY_BYTES:
                return self._answer(response, job, deadline)
            return await anyio.to_thread.run_sync(self._answer, response, job, deadline)
        except Stop as stop:
            raise _failure(stop, job) from None
        finally:
            self.slots.release()

    def run(self, job: Job, light: str | None = None) -> Answer:
        if not self.slots.acquire(timeout=job.timeout_s or None):
            raise QueryFailed("busy", "every query slot is busy; try again shortly")
        try:
            return self._run(job, light)
        except Stop as stop:
            raise _failure(stop, job) from None
        finally:
            self.slots.release()

    def _run(self, job: Job, light: str | None) -> Answer:
        """`light` (guard.light_query: the text again from its tokens, one triple pattern) is checked here, on this
        thread, and is what the store gets: a SELECT of one pattern has nowhere to hold a SERVICE and is not evaluated
        by the check, so the fenced thread (a second thread hop, ~0.1 ms) has nothing to stop. Any other text, or a
        light one that Oxigraph refuses, is checked as the client wrote it on the fenced thread and sent as written."""
        text = self._light_text(light, job)
        if text is None:
            with _syntax_errors():
                text = self.fenced.call(self._checked, job.text)
        deadline = time.monotonic() + job.timeout_s if job.timeout_s else None
        args, options = self._request(job, text)
        try:
            response = self.store.request_query(*args, **options)
        except remote.RemoteError as error:
            raise self._refusal(error, deadline, job) from None
        return self._answer(response, job, deadline)

    def _checked(self, text: str) -> str:
        """The client's own text, once Oxigraph has parsed it; run on the fenced thread, since an ASK is evaluated
        (on an empty store) as it is parsed."""
        remote.check_query_syntax(text, self.kg.prefixes, self.kg.settings.base_iri)
        return text

    def _request(self, job: Job, text: str) -> tuple[tuple[str, str], dict]:
        """What `RemoteStore.request_query` is given for a job whose checked text is `text`."""
        defaults = list(job.default_graphs) if job.default_graphs is not None else None
        if defaults is None and job.union:
            defaults = [self.store.merge_graph.value]  # the merge of all graphs (graph/merge.py)
        if defaults == [] and job.named_graphs:
            defaults = [EMPTY_GRAPH]  # the protocol: named-graph-uri alone leaves the default graph empty
        accept = remote.GRAPH_ACCEPT if job.media_type in worker.GRAPH_FORMATS else self.store.results_type
        return ((remote.declare(text, self.kg.prefixes, self.kg.settings.base_iri), accept),
                dict(default_graphs=defaults, timeout_s=job.timeout_s or None,
                     named_graphs=list(job.named_graphs) if job.named_graphs is not None else None))

    @staticmethod
    def _refusal(error: remote.RemoteError, deadline: float | None, job: Job) -> QueryFailed:
        if isinstance(error, remote.RemoteSyntaxError):
            return QueryFailed("syntax", f"the external store refused the query: {error}")
        if error.timed_out or remote.is_time_refusal(str(error)) or _at_limit(deadline, job):
            return _timeout(job)
        return QueryFailed("store", str(error))

    def _answer(self, response: remote.Reply, job: Job, deadline: float | None) -> Answer:
        """The store's answer in the job's syntax, rows counted for the cap (raises Stop past it)."""
        self._check_complete(response, job)
        if job.media_type in worker.GRAPH_FORMATS:
            body = response.content
            lines = body.count(b"\n")
            if job.max_rows and lines > job.max_rows:
                raise Stop("rows")
            return worker.graph_answer([body], lines, job, self.kg.prefixes)
        try:
            results = remote.parse_results(response.content, self.store.results_format)
        except SyntaxError as error:
            if _at_limit(deadline, job):  # cut off mid-answer at its own limit
                raise _timeout(job) from None
            raise QueryFailed("store", f"the external store's results did not parse: {error}") from None
        if isinstance(results, ox.QueryBoolean):
            return worker.boolean_answer(results, job)
        try:
            return worker.solutions_answer(results, job, deadline)
        except Stop as stop:
            reason = stop.reason
        # pyoxigraph results may only be dropped by the thread that made them; an exception carrying this frame
        # to the event loop would drop them there. So let go of them here, and raise a fresh Stop.
        del results
        raise Stop(reason)

    def _light_text(self, light: str | None, job: Job) -> str | None:
        """The light text to send, if Oxigraph accepts it: asking for at most the row cap + 1 rows (guard.capped),
        since the store answers whole and more rows than that change nothing but the time to a 422."""
        if light is None:
            return None
        try:
            remote.check_query_syntax(light, self.kg.prefixes, self.kg.settings.base_iri)
        except SyntaxError:
            return None
        return guard.capped(light, job.max_rows)

    @staticmethod
    def _check_complete(response: remote.Reply, job: Job) -> None:
        """Virtuoso answers 200 with partial results when its own limits bite; say so instead of passing them on."""
        state = response.headers.get("x-sql-state", "")
        if state == "S1TAT":  # its "anytime" time-out
            raise _timeout(job)
        if response.headers.get("x-sparql-maxrows"):
            raise QueryFailed("rows", f"the external store cut the result at {response.headers['x-sparql-maxrows']} "
                                      f"rows (its own result cap); add LIMIT and OFFSET to page through it")
