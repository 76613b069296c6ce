"""Shared fixtures: the shipped graph in memory, empty graphs, and a real chainkg server process."""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from chainkg.graph import loader
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shipped_kg() -> KnowledgeGraph:
    """The shipped ontology and curated graph, loaded once per session. Treat it as read-only."""
    kg = KnowledgeGraph(Settings(store=":memory:"))
    loader.load_shipped(kg)
    return kg


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The folder of article texts (CHAINKG_SEEDS_DIR; CI sets it to ../shared/seeds). Only the checks that compare
    quotes with the articles need it; where it is not set they are skipped with that reason, everything else runs."""
    seeds = Settings().seeds_dir
    if seeds is None:
        pytest.skip("the article texts are not available here: set CHAINKG_SEEDS_DIR to their folder")
    return seeds


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
    return [sys.executable, "-m", "chainkg.cli"]


class Server(str):
    """A running `chainkg serve` process: a URL string (`server + "/sparql"`) that also knows its log file, the
    settings it was started with, and its process."""

    def __new__(cls, url: str, log: Path, env: dict[str, str], process: subprocess.Popen) -> Server:
        running = super().__new__(cls, url)
        running.url, running.log, running.env, running.process = url, log, env, process
        return running

    @property
    def embedded(self) -> bool:
        """On the embedded store (not an external one): queries run, and are killed, in our own workers."""
        return "CHAINKG_REMOTE_QUERY_URL" not in self.env

    def log_when(self, done, timeout: float = 10) -> str:
        """The log once `done(text)` holds: an access line is written just after its answer, so a test waits for the
        line it needs rather than a fixed time."""
        deadline = time.monotonic() + timeout
        while not done(text := self.log.read_text(errors="replace")):
            assert time.monotonic() < deadline, f"the log did not get there within {timeout} s:\n{text[-2000:]}"
            time.sleep(0.02)
        return text

    def request(self, method: str, path: str, **options: object) -> httpx.Response:
        """One request over HTTP; the same call as `InProcess.request`, so a route test runs on either."""
        return httpx.request(method, self.url + path, **{"timeout": 30, **options})

    def get(self, path: str, **options: object) -> httpx.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: object) -> httpx.Response:
        return self.request("POST", path, **options)


class InProcess:
    """`create_app` driven in this process through httpx's ASGITransport: the routes without a process, a port or
    a disk. httpx's ASGI transport is async only, so an event loop runs in a thread of its own, for the whole
    session, and each call waits for its answer there (the app's lifespan runs on that loop too)."""

    def __init__(self, app) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="in-process-app", daemon=True)
        self.thread.start()
        self.lifespan = app.router.lifespan_context(app)
        self._wait(self.lifespan.__aenter__())
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")

    def _wait(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def request(self, method: str, path: str, **options: object) -> httpx.Response:
        return self._wait(self.client.request(method, path, **options))

    def get(self, path: str, **options: object) -> httpx.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: object) -> httpx.Response:
        return self.request("POST", path, **options)

    def close(self) -> None:
        self._wait(self.client.aclose())
        self._wait(self.lifespan.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture(scope="session")
def app(shipped_kg: KnowledgeGraph) -> Iterator[InProcess]:
    """The quick-start service in this process: read-only, default limits, a private in-memory copy of the shipped
    graph. Route tests use it; tests that need a process (a port, a worker to kill, a browser) use `server`."""
    with in_process(shipped_kg) as service:
        yield service


@contextmanager
def in_process(shipped_kg: KnowledgeGraph, **settings: object) -> Iterator[InProcess]:
    """`create_app` with these settings in this process, on a private in-memory copy of the shipped graph: for route
    tests whose store must hold something of their own (upload it through the app) without a process."""
    from chainkg.api.app import create_app

    config = Settings(store=":memory:", load_shipped=False, **settings)
    kg = KnowledgeGraph(config)
    kg.add(list(shipped_kg.match()))
    service = InProcess(create_app(config, kg=kg))
    try:
        yield service
    finally:
        service.close()


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


# ---- backends: the server tests run on the embedded store; tests/test_backend_contract.py runs the store-dependent
# ones again on an external Virtuoso (graph/remote.py), with the `virtuoso_*` fixtures below.
@contextmanager
def backend_settings(backend: str, workdir: Path) -> Iterator[dict[str, object]]:
    """CHAINKG_* settings for a backend: nothing for the embedded store, a private Virtuoso's endpoints otherwise."""
    if backend == "embedded":
        yield {}
        return
    from tests.virtuoso import running_virtuoso

    with running_virtuoso(workdir / "virtuoso") as virtuoso:
        yield virtuoso.chainkg_settings()


def quick_start_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The quick-start service: read-only, default limits, the shipped graph loaded."""
    workdir = tmp_path_factory.mktemp(f"server-{backend}")
    with backend_settings(backend, workdir) as remote, running_server(workdir, **remote) as running:
        yield running


WRITE_TOKEN = "test-token-0123456789"
TIGHT_LIMITS = dict(write_token=WRITE_TOKEN, query_timeout_s=2, max_rows=50, max_query_bytes=4000,
                    max_upload_bytes=200_000)


def writable_test_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A service with a write token and tight limits (2 s per query, 50 rows, 4 kB of query text)."""
    workdir = tmp_path_factory.mktemp(f"writable-{backend}")
    with backend_settings(backend, workdir) as remote, running_server(workdir, **TIGHT_LIMITS, **remote) as running:
        yield running


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The quick-start service as a real process on the embedded store."""
    yield from quick_start_server("embedded", tmp_path_factory)


# ---- the `alone` part's servers, started together
# `pytest -m alone` (the second part of make test) runs in one process, and its servers started one after another
# when each module first asked for one: ~30 s of its ~115 s, mostly on one core of two. There, every server fixture
# marked @started_together that a selected test uses is started at once, in threads, and all of them are up before
# the first test runs (so no start is load beside a measured latency); each fixture then takes its own server when
# its module asks for it, and stops it when it would have. Elsewhere (plain pytest, make test's first part) such a
# fixture starts its server when asked, as any other.
_started: dict[Callable, tuple[Iterator, Future]] = {}


def started_together(function: Callable[..., Iterator[Server]]) -> Callable[..., Iterator[Server]]:
    """A server fixture's generator (under @pytest.fixture) that `pytest -m alone` starts with the others. It takes
    no fixture but tmp_path_factory."""

    @functools.wraps(function)
    def fixture(**fixtures: object) -> Iterator[Server]:
        started = _started.pop(function, None)
        if started is None:
            yield from function(**fixtures)
            return
        generator, starting = started
        yield starting.result()  # a start that failed fails here, in the tests that asked for it
        yield from generator  # its teardown

    fixture.started_together = function  # type: ignore[attr-defined]
    return fixture


@pytest.fixture(scope="session", autouse=True)
def _alone_servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if request.config.option.markexpr != "alone":
        yield
        return
    wanted = {getattr(definitions[-1].func, "started_together", None)
              for item in request.session.items for definitions in item._fixtureinfo.name2fixturedefs.values()}
    wanted.discard(None)
    tmp_path_factory.getbasetemp()  # made here, once: threads that raced to make it first each made one of their own
    with ThreadPoolExecutor(max(1, len(wanted))) as pool:
        for function in wanted:
            generator = function(tmp_path_factory=tmp_path_factory)
            _started[function] = (generator, pool.submit(next, generator))
    yield  # leaving the pool's block waited for every start
    for generator, starting in _started.values():  # started but never asked for (a module skipped, a run stopped)
        if starting.exception() is None:
            next(generator, None)


@pytest.fixture(scope="session")
@started_together
def writable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable service with tight limits, as a real process on the embedded store."""
    yield from writable_test_server("embedded", tmp_path_factory)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The quick-start service on a private Virtuoso (tests/test_backend_contract.py only)."""
    yield from quick_start_server("virtuoso", tmp_path_factory)


@pytest.fixture(scope="session")
@started_together
def virtuoso_writable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The writable service with tight limits on a private Virtuoso (tests/test_backend_contract.py only)."""
    yield from writable_test_server("virtuoso", tmp_path_factory)
# ---- end of backends


def serve(workdir: Path, **settings: object) -> Iterator[Server]:
    """`running_server` as a generator, for fixtures that `yield from` it."""
    with running_server(workdir, **settings) as running:
        yield running


# A name that is markup: if any page spliced it into HTML or a script, it would run or add elements.
HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
HOSTILE_NAME = "恶意企业" + HOSTILE


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over a private store: the shipped graph plus a firm, quote, article, event and statistics whose
    names and words are markup. The firm leads the IVD chain, sits in 天安数码城 and supplies 中元汇吉, so it
    appears on the home page, in search, on entity pages and in every graph view."""
    workdir = tmp_path_factory.mktemp("hostile")
    trig = workdir / "hostile.trig"
    trig.write_bytes(hostile_trig())
    loaded = subprocess.run(chainkg_command() + ["--store", str(workdir / "store"), "load", "--shipped", "--no-validate",
                                                 str(trig)], cwd=REPO, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    yield from serve(workdir)


def hostile_trig() -> bytes:
    """The hostile additions as TriG, written by pyoxigraph so the markup is quoted correctly in the file."""
    import pyoxigraph as ox

    from chainkg.graph.namespaces import prefixes

    base = Settings().base_iri
    iri = prefixes(base)

    def n(curie: str) -> ox.NamedNode:
        prefix, _, local = curie.partition(":")
        return ox.NamedNode(iri[prefix] + local)

    def zh(text: str) -> ox.Literal:
        return ox.Literal(text, language="zh-Hans")

    def typed(text: str, datatype: str) -> ox.Literal:
        return ox.Literal(text, datatype=n(datatype))

    firm, quote, article, event = n("e:hostile-firm"), n("q:hostile-1"), n("doc:hostile"), n("event:hostile-1")
    facts = [
        (firm, n("rdf:type"), n("ck:Company")),
        (firm, n("skos:prefLabel"), zh(HOSTILE_NAME)),
        (firm, n("skos:prefLabel"), ox.Literal("Evil " + HOSTILE, language="en")),
        (firm, n("skos:altLabel"), zh("坏名字" + HOSTILE)),
        (firm, n("ck:chainLeaderOf"), n("e:ivd-chain")),
        (firm, n("ck:inSegment"), n("e:ivd-seg-reagents")),
        (firm, n("ck:hostedIn"), n("e:tianan-cyberpark")),
        (firm, n("ck:locatedIn"), n("e:dadukou")),
        (firm, n("ck:memberOfCluster"), n("e:dadukou-health-cluster")),
        (firm, n("ck:supplies"), n("e:zhongyuan-huiji")),
        (firm, n("ck:supplies"), n("e:hikvision")),
        (event, n("rdf:type"), n("ck:Signing")),
        (event, n("skos:prefLabel"), zh("签约" + HOSTILE)),
        (event, n("dcterms:date"), typed("2022", "xsd:gYear")),
        (event, n("ck:participant"), firm),
    ]
    for year, value in (("2021", "1.5"), ("2022", "2.5")):
        stat = n(f"stat:hostile-{year}")
        facts += [
            (stat, n("rdf:type"), n("ck:Statistic")), (stat, n("ck:statSubject"), firm),
            (stat, n("ck:measure"), n("measure:revenue")), (stat, n("ck:value"), typed(value, "xsd:decimal")),
            (stat, n("ck:unit"), n("unit:yi-yuan")), (stat, n("ck:year"), typed(year, "xsd:gYear")),
            (stat, n("ck:status"), n("status:actual")), (stat, n("ck:periodKind"), n("period:full-year")),
            (stat, n("ck:periodLabel"), zh(HOSTILE)),
        ]
    described = [
        (quote, n("rdf:type"), n("ck:Quote")), (quote, n("oa:exact"), zh("原文" + HOSTILE)),
        (quote, n("prov:wasQuotedFrom"), article),
        (article, n("rdf:type"), n("ck:Article")), (article, n("dcterms:title"), zh("标题" + HOSTILE)),
        (article, n("dcterms:date"), typed("2022", "xsd:gYear")),
    ]
    provenance = ox.NamedNode(base + "graph/provenance")
    quads = [ox.Quad(s, p, o, quote) for s, p, o in facts] + [ox.Quad(s, p, o, provenance) for s, p, o in described]
    return ox.serialize(quads, format=ox.RdfFormat.TRIG) or b""


# ---------------------------------------------------------------------------------------------------- browsers
# Debian's chromium, driven by Playwright without any browser download; nothing on the command line lets it phone home.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"


class Visitor:
    """One browser tab on one server, remembering every request the pages make."""

    def __init__(self, browser, base: str, **options) -> None:
        self.base = base
        self.context = browser.new_context(base_url=base, viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                           **options)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def goto(self, path: str):
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return response

    def outside(self) -> list[str]:
        """Requests that went anywhere but this server (inline data: and blob: URLs stay in the page)."""
        return [u for u in self.requests if not u.startswith((self.base + "/", "data:", "blob:")) and u != self.base]

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture(scope="module")
def browser():
    """Chromium through Playwright's sync API, which runs an event loop in this thread while it lives: scoped to
    the module, so tests that start their own loop (asyncio.run in bench/concurrency.py) run after it is gone."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def visitor(browser, server) -> Iterator[Visitor]:
    """A fresh browser tab on the shipped-graph server."""
    visiting = Visitor(browser, server)
    yield visiting
    visiting.context.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_visitor(browser, server) -> Iterator[Visitor]:
    """A fresh browser tab on the shipped-graph server at a phone's width (390 px)."""
    visiting = Visitor(browser, server)
    visiting.page.set_viewport_size(PHONE)
    yield visiting
    visiting.context.close()


def no_sideways_scroll(visitor: Visitor) -> bool:
    """The page fits the window's width: nothing to scroll sideways."""
    return visitor.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def hostile_visitor(browser, hostile_server) -> Iterator[Visitor]:
    """A fresh browser tab on the server whose graph holds markup in its names."""
    visiting = Visitor(browser, hostile_server)
    yield visiting
    visiting.context.close()


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Until /healthz answers; a start that takes `timeout` is a hang. Beside two other test processes (make test) a
    server with the shipped graph took up to 30 s to start, 5-8 s alone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')}")
        try:
            # A generous read time-out: on a busy machine /healthz on Virtuoso took 5-10 s, and probes cut at 1 s
            # piled up and the start was declared failed while the server was answering them.
            if httpx.get(url + "/healthz", timeout=15).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up in {timeout}s")


# The modules that hold `alone` tests. `pytest -m alone` (the second part of make test) collects only these rather
# than the whole suite (~8 s of imports and collecting on an idle core, ~20 s beside other processes); a collection
# that meets an `alone` test in any other module stops with an error, so a new one cannot be left out unseen.
ALONE_MODULES = {"test_auth.py", "test_backend_contract.py", "test_limits_under_load.py", "test_sparql_endpoint.py",
                 "test_starvation.py"}
_alone_elsewhere: list[str] = []


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if config.option.markexpr == "alone" and collection_path.suffix == ".py" \
            and collection_path.name.startswith("test_") and collection_path.name not in ALONE_MODULES:
        return True
    return None


def pytest_itemcollected(item: pytest.Item) -> None:
    if item.get_closest_marker("alone") and item.path.name not in ALONE_MODULES:
        _alone_elsewhere.append(item.nodeid)


@pytest.hookimpl(trylast=True)  # after `-m` has deselected
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each schemathesis test (one per operation, test_schema_fuzz) is known by its own node id. In a pytest-xdist
    worker: no two tests to run share a node id, since xdist knows tests by node id and runs one of each, so the
    others would go missing unnoticed. And the longest modules come first."""
    if _alone_elsewhere:
        raise pytest.UsageError(f"`alone` tests outside tests/conftest.py ALONE_MODULES: {_alone_elsewhere}")
    for item in items:
        # schemathesis 4.32 names its tests `test_…[GET /healthz]`, but pytest 9 builds a node id from the function's
        # name and parameters only, and schemathesis passes none: the operation goes back in as the parameters.
        if type(item).__name__ == "SchemathesisFunction" and item.id.params is None and "[" in item.name:
            item._id = item.id.with_params(item.name.partition("[")[2].removesuffix("]"))
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    clashes = [nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1]
    if clashes:
        raise pytest.UsageError(f"tests sharing a node id (pytest-xdist would run one of each): {clashes}")
    first = {name: rank for rank, name in enumerate(LONGEST_MODULES)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))  # stable: the rest keep their order


# The modules that take longest in one process, longest first (seconds of a plain `pytest` run on 2 cores,
# 2026-12-06, `alone` tests left out). `make test` (--no-loadscope-reorder) hands whole modules to its processes in
# collection order, which the hook above makes this order: the long ones start first, and the many short ones fill
# in at the end, so no process is left running a long module while the others wait. By default pytest-xdist hands
# out the modules with the most tests first, which put test_durability (3 tests, 32 s) and test_wheel (2, 25 s)
# last. A module missing here only runs later; a stale figure costs time, never a test.
LONGEST_MODULES = (
    "test_explorer_browser.py",  # 130 s
    "test_malformed_input.py",  # 115
    "test_backend_contract.py",  # 96
    "test_browser.py",  # 67
    "test_ingest.py",  # 63
    "test_processes.py",  # ~50 (2026-12-07, by itself: two serving processes started, killed and replaced)
    "test_cli.py",  # 53
    "test_durability.py",  # 32
    "test_chainmap_browser.py",  # 32
    "test_ssrf.py",  # 29
    "test_hostile_input.py",  # 27
    "test_wheel.py",  # 25
    "test_views_backends.py",  # 25
    "test_sparql_endpoint.py",  # 19
    "test_schema_fuzz.py",  # 17 (2026-12-06, by itself)
    "test_auth.py",  # 18
    "test_doctests.py",  # 17
    "test_w3c_protocol.py",  # 16
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--no-completeness-report", action="store_true",
                     help="leave out the completeness report of the shipped graph (make test prints it once, at its end)")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The completeness report of the shipped graph, at the end of every test run: once, by the process that prints.
    A pytest-xdist worker's terminal output is thrown away, and loading the graph for it took each worker ~5 s; the
    first part of make test leaves it to the second, which ends the run (the same report twice cost ~2 s)."""
    from chainkg.graph import stats

    if os.environ.get("PYTEST_XDIST_WORKER") or config.getoption("no_completeness_report"):
        return
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
    kg.add(list(shipped_kg.match()))  # its sources: the merge is derived again
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
