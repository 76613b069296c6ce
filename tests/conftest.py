"""Shared fixtures: the shipped graph in memory, empty graphs, and a real chainkg server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from graph import loader
from graph.settings import Settings
from graph.store import KnowledgeGraph

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shipped_kg() -> KnowledgeGraph:
    """The shipped ontology and curated graph, loaded once per session. Treat it as read-only."""
    kg = KnowledgeGraph(Settings(store=":memory:"))
    loader.load_shipped(kg)
    return kg


@pytest.fixture
def empty_kg() -> KnowledgeGraph:
    return KnowledgeGraph(Settings(store=":memory:"))


@pytest.fixture
def ontology_kg() -> KnowledgeGraph:
    """A fresh store holding only the ontology, so shapes can see class hierarchies."""
    kg = KnowledgeGraph(Settings(store=":memory:"))
    ontology_files, _ = loader.shipped_files(kg)
    kg.add([q for f in ontology_files for q in loader.parse_file(f, base_iri=kg.settings.base_iri, graph=kg.names.ontology)])
    return kg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chainkg_command() -> list[str]:
    return [sys.executable, "-m", "graph.cli"]


@dataclass
class Server:
    """A running `chainkg serve` process: its URL, its log file, the settings it was started with."""

    url: str
    log: Path
    env: dict[str, str]
    process: subprocess.Popen

    def __str__(self) -> str:
        return self.url

    def __add__(self, path: str) -> str:  # server + "/sparql", as with a plain URL string
        return self.url + path


@contextmanager
def running_server(workdir: Path, **settings: object) -> Iterator[Server]:
    """`chainkg serve` as a real process on loopback, on an on-disk store in `workdir`, with CHAINKG_* settings."""
    port = free_port()
    env = {**os.environ, "CHAINKG_STORE": str(workdir / "store"), "CHAINKG_PORT": str(port)}
    env.update({f"CHAINKG_{name.upper()}": str(value) for name, value in settings.items()})
    log = workdir / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(chainkg_command() + ["serve"], env=env, cwd=REPO, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield Server(url, log, env, process)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The quick-start service: read-only, default limits, the shipped graph loaded."""
    with running_server(tmp_path_factory.mktemp("server")) as running:
        yield running


WRITE_TOKEN = "test-token-0123456789"


@pytest.fixture(scope="session")
def writable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A service with a write token and tight limits (2 s per query, 50 rows, 4 kB of query text)."""
    with running_server(tmp_path_factory.mktemp("writable"), write_token=WRITE_TOKEN, query_timeout_s=2,
                        max_rows=50, max_query_bytes=4000, max_upload_bytes=200_000) as running:
        yield running


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up in {timeout}s")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The completeness report of the shipped graph, at the end of every test run."""
    from graph import stats

    try:
        kg = KnowledgeGraph(Settings(store=":memory:"))
        loader.load_shipped(kg)
        result = stats.compute(kg)
    except loader.LoadError as error:
        terminalreporter.write_sep("-", "completeness report unavailable")
        terminalreporter.write_line(str(error).splitlines()[0])
        return
    terminalreporter.write_sep("-", "completeness of the shipped graph")
    for name, count in result.entities_per_class.items():
        terminalreporter.write_line(f"  {name:<24} {count:>5}")
    terminalreporter.write_line(
        f"  entities {result.entities}, facts {result.facts}, statistics {result.count('Statistic')}, "
        f"events {sum(c for n, c in result.entities_per_class.items() if n in EVENT_CLASSES)}, "
        f"provenance {result.provenance_share:.1%} (quoted {result.facts_with_quote / max(result.facts, 1):.1%})"
    )


EVENT_CLASSES = {"Event", "Arrival", "Signing", "Investment", "ConstructionStart", "ProductionStart", "Listing",
                 "Opening", "Award", "CooperationAgreement", "Founding", "Meeting"}


@pytest.fixture
def shipped_copy(shipped_kg: KnowledgeGraph) -> KnowledgeGraph:
    """A private in-memory copy of the shipped graph, for tests that write."""
    kg = KnowledgeGraph(Settings(store=":memory:"))
    kg.add(list(shipped_kg.store))
    return kg


# ---------------------------------------------------------------------------------------- reliability and security
@pytest.fixture(scope="session")
def scratch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable service on an empty store, for hostile input: anything may be written to it, nothing is
    validated (so fuzzed uploads reach the parsers), 2 s per query, a 512 MB cap per query worker."""
    with running_server(tmp_path_factory.mktemp("scratch"), write_token=WRITE_TOKEN, load_shipped=False,
                        validate_on_load=False, query_timeout_s=2, query_memory_mb=512, max_rows=1000,
                        max_upload_bytes=1_000_000) as running:
        yield running


def client_from(address: str, **options: object) -> httpx.Client:
    """An HTTP client whose requests come from another loopback address (127.0.0.2 …): another client to the
    server's per-client limits, on the same machine."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), **options)
