"""Shared fixtures: the shipped graph in memory, empty graphs, and a real chainkg server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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


TOY_ECONOMY = REPO / "tests" / "data" / "toy-economy.trig"


def toy_economy(**settings: object) -> KnowledgeGraph:
    """The ontology and the hand-checkable toy economy (tests/data/toy-economy.trig) in a fresh in-memory graph."""
    kg = KnowledgeGraph(Settings(store=":memory:", **settings))
    ontology_files, _ = loader.shipped_files(kg)
    loader.load_files(kg, ontology_files, validate_shapes=False)
    loader.load_files(kg, [TOY_ECONOMY])
    return kg


@pytest.fixture(scope="session")
def toy_kg() -> KnowledgeGraph:
    """The toy economy with default settings. Treat it as read-only."""
    return toy_economy()


@pytest.fixture(scope="session")
def synthetic_kg() -> KnowledgeGraph:
    """A small synthetic economy (bench/generate.py, 600 firms, 2 districts, 6 chains). Treat it as read-only."""
    from bench.generate import load

    kg = KnowledgeGraph(Settings(store=":memory:"))
    load(kg, companies=600)
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


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chainkg serve` as a real process on loopback, on an on-disk store in a temporary directory."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("server")
    env = {**os.environ, "CHAINKG_STORE": str(workdir / "store"), "CHAINKG_PORT": str(port)}
    log = workdir / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(chainkg_command() + ["serve"], env=env, cwd=REPO, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


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
