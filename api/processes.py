"""Several serving processes for a read-only deployment (setting CHAINKG_PROCESSES > 1; README "The serving path").

One Python serving process answers a point look-up in ~0.7 ms of its own CPU (uvicorn, Starlette, the guard, the
query and its JSON), so at 4 and 16 clients that process is the limit while the machine has more cores. Without a
write token nothing can change the store, so every process can answer from a read-only copy of its own:

- this process (the supervisor) opens the store as `chainkg serve` always does (it holds the store's lock, so the CLI
  still refuses to write beside a running server), loads the shipped graph when it changed, makes one checkpoint of
  the store per serving process (`<store>.serving/<i>`, hard links: independent of whatever RocksDB does to the
  store's own files later), binds the listening socket, and starts the processes;
- each serving process (`python -m chainkg.api.processes`) opens its checkpoint read-only and is an ordinary chainkg
  app on the shared socket: its own query workers, snapshots (`<store>.serving/<i>.snapshots`), light path, client
  slots, metrics and connection caps;
- the supervisor replaces a serving process that exits, and one whose event loop has not beaten for the query time
  limit plus STUCK_GRACE_S (killed first): a process that stops answering is replaced, the others keep answering.

A serving process writes a byte to its beat pipe every BEAT_S from its event loop. On SIGTERM or SIGINT the
supervisor passes SIGTERM on (uvicorn's graceful shutdown: each process closes its workers and snapshots), waits,
then removes the checkpoints.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from chainkg.graph.settings import Settings

log = logging.getLogger("chainkg.processes")

BEAT_S = 1.0  # a serving process's event loop writes a byte to its beat pipe this often
STUCK_GRACE_S = 10.0  # a loop silent for the query time limit plus this is stuck: its process is replaced
START_S = 120.0  # a serving process that has not beaten this long after its start is replaced
STOP_S = 30.0  # on shutdown, a serving process gets this long to close before it is killed
FAILED_STARTS = 5  # this many processes in a row that die within START_S of their start: the supervisor gives up


@dataclass(eq=False)
class Child:
    index: int
    process: subprocess.Popen
    beats: int  # the read end of its beat pipe
    started: float = field(default_factory=time.monotonic)
    beat: float | None = None  # when it last beat


def serving_directory(settings: Settings) -> Path:
    store = Path(settings.store)
    return store.with_name(store.name + ".serving")


class Supervisor:
    """Starts `settings.processes` serving processes on one socket and keeps that many running (module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.children: dict[int, Child] = {}
        self.stopping = False
        self.failed_starts = 0
        self.stuck_s = settings.query_timeout_s + STUCK_GRACE_S

    def run(self) -> None:
        from chainkg.api.observability import LOG_CONFIG
        from chainkg.graph import loader
        from chainkg.graph.store import KnowledgeGraph

        logging.config.dictConfig(LOG_CONFIG)
        kg = KnowledgeGraph(self.settings)  # read-write: holds the store's lock while the processes serve
        if self.settings.load_shipped:
            loader.load_shipped(kg)
        directory = serving_directory(self.settings)
        shutil.rmtree(directory, ignore_errors=True)  # left by an earlier run
        directory.mkdir(parents=True)
        try:
            for index in range(self.settings.processes):
                kg.backup(directory / str(index))
            family = socket.AF_INET6 if ":" in self.settings.host else socket.AF_INET
            listener = socket.create_server((self.settings.host, self.settings.port), family=family, backlog=2048)
            listener.set_inheritable(True)
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._stop)
            log.info("serving on http://%s:%d with %d processes (read-only: no write token)",
                     self.settings.host, self.settings.port, self.settings.processes)
            for index in range(self.settings.processes):
                self._start(index, listener)
            self._watch(listener)
        finally:
            self._stop_all()
            shutil.rmtree(directory, ignore_errors=True)
            del kg
        if self.failed_starts >= FAILED_STARTS:
            raise SystemExit(f"{self.failed_starts} serving processes in a row did not start (see the log above)")

    def _start(self, index: int, listener: socket.socket) -> None:
        read, write = os.pipe()
        os.set_blocking(read, False)
        settings = {**_plain(self.settings), "store": str(serving_directory(self.settings) / str(index)),
                    "load_shipped": False}
        process = subprocess.Popen(
            [sys.executable, "-m", "chainkg.api.processes", str(listener.fileno()), str(write)],
            pass_fds=[listener.fileno(), write], stdin=subprocess.PIPE)
        os.close(write)
        process.stdin.write(json.dumps(settings).encode())
        process.stdin.close()
        self.children[index] = Child(index, process, read)

    def _watch(self, listener: socket.socket) -> None:
        """Until told to stop: read the beats, and replace a process that exited or stopped beating."""
        while not self.stopping:
            pipes = {child.beats: child for child in self.children.values()}
            try:
                ready, _, _ = select.select(list(pipes), [], [], BEAT_S)
            except InterruptedError:  # a signal: the loop looks at self.stopping again
                continue
            now = time.monotonic()
            for fd in ready:
                try:
                    if os.read(fd, 4096):
                        pipes[fd].beat = now
                except BlockingIOError:
                    pass
            for child in list(self.children.values()):
                if self.stopping:
                    break
                reason = self._trouble(child, now)
                if reason is not None:
                    self._replace(child, reason, listener)

    def _trouble(self, child: Child, now: float) -> str | None:
        status = child.process.poll()
        if status is not None:
            return f"exited with status {status}"
        if child.beat is None and now - child.started > START_S:
            return f"did not start within {START_S:g} s"
        if child.beat is not None and now - child.beat > self.stuck_s:
            return (f"its event loop has not run for {now - child.beat:.0f} s (query time limit "
                    f"{self.settings.query_timeout_s:g} s + {STUCK_GRACE_S:g} s)")
        return None

    def _replace(self, child: Child, reason: str, listener: socket.socket) -> None:
        log.warning("serving process %d (pid %d) %s: replaced", child.index, child.process.pid, reason)
        started_well = child.beat is not None and child.beat - child.started < START_S
        self.failed_starts = 0 if started_well else self.failed_starts + 1
        child.process.kill()
        child.process.wait()
        os.close(child.beats)
        del self.children[child.index]
        if self.failed_starts >= FAILED_STARTS:
            log.error("%d serving processes in a row did not start: stopping", self.failed_starts)
            self.stopping = True
            return
        self._start(child.index, listener)

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        for child in self.children.values():
            if child.process.poll() is None:
                child.process.terminate()
        deadline = time.monotonic() + STOP_S
        for child in self.children.values():
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
            os.close(child.beats)
        self.children.clear()


def _plain(settings: Settings) -> dict[str, object]:
    """The settings as JSON values, secrets included (they go to a child through a pipe, never a command line):
    pydantic's own JSON form, which masks a secret, with each secret's value put back."""
    secrets = {name: value.get_secret_value() for name, value in settings if isinstance(value, SecretStr)}
    return {**settings.model_dump(mode="json"), **secrets}


def serve_one(listener_fd: int, beat_fd: int) -> None:  # pragma: no cover - runs in a serving process
    """A serving process: its settings from stdin, its checkpoint opened read-only, the app on the shared socket."""
    from chainkg.api import http_server
    from chainkg.api.app import create_app
    from chainkg.graph.store import KnowledgeGraph

    settings = Settings(**json.loads(sys.stdin.buffer.read()))
    kg = KnowledgeGraph(settings, read_only=True)
    http_server.run(create_app(settings, kg), settings, listener=socket.socket(fileno=listener_fd), beat_fd=beat_fd)


if __name__ == "__main__":  # pragma: no cover - `python -m chainkg.api.processes LISTENER_FD BEAT_FD`
    serve_one(int(sys.argv[1]), int(sys.argv[2]))
