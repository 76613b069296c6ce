"""`make bench`: one run, one dataset, every figure of issue 7 side by side, printed as a markdown table.

1. a synthetic economy (bench/generate.py) plus the ontology, as one N-Quads file;
2. load throughput: `chainkg load --no-validate` against `oxigraph load`, into fresh stores, with peak memory;
3. views (graph/views.py) and the explorer's graph page (pyvis model, vis-network) at 100 / 1,000 / 5,000 nodes;
4. SPARQL over HTTP with wrk (loopback only, fixed duration per cell): latency p50/p99 and throughput at 1, 4 and 16
   connections for the mix in bench/queries.py, against chainkg serve, `oxigraph serve-read-only` on the *same*
   store directory, and rdflib-endpoint on the same file;
5. peak memory per million triples; the targets as ratios of this run; optionally py-spy profiles of chainkg.

The servers run side by side and are measured in turn, cell by cell, so a background load that comes and goes hits
them alike (only one is under load at any moment: two cores). Every request loop is bounded by wrk's duration and
time-out; every server is stopped at the end, also on errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO))

from bench import generate  # noqa: E402
from bench.queries import MIX, BenchQuery  # noqa: E402

WRK_SCRIPT = """
local paths = {}
local counter = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  counter = tonumber(args[2] or "0")
end
request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], {["Accept"] = "application/sparql-results+json"})
end
done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"status":%d,"timeout":%d,"connect":%d,"read":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.timeout, summary.errors.connect, summary.errors.read))
end
"""


@dataclass
class Cell:
    server: str
    query: str
    weight: str
    clients: int
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    note: str = ""

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Results:
    triples: int
    quads_in_file: int
    loads: dict[str, dict[str, float]] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    views: dict[str, float] = field(default_factory=dict)
    graph_pages: dict[int, float] = field(default_factory=dict)
    serve_rss_mb: dict[str, float] = field(default_factory=dict)
    profiles: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------- helpers
def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(command: list[str], env: dict[str, str] | None = None, log_to: Path | None = None) -> tuple[float, float]:
    """Run a command to completion: (wall seconds, peak RSS in MB of that process, from wait4)."""
    output = open(log_to, "wb") if log_to else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if log_to:
        output.close()
    if process.returncode != 0:
        tail = log_to.read_text(errors="replace")[-2000:] if log_to else ""
        raise RuntimeError(f"{' '.join(command[:3])}… exited {process.returncode}: {tail}")
    return seconds, usage.ru_maxrss / 1024


def tree_rss_mb(pid: int) -> float:
    try:
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20
    except psutil.NoSuchProcess:
        return 0.0


class RssSampler:
    """Peak RSS of a process tree, sampled twice a second in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, tree_rss_mb(self.pid))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, tree_rss_mb(self.pid))


@contextmanager
def running(name: str, command: list[str], url: str, *, env: dict[str, str] | None = None, up_timeout: float = 900,
            log_to: Path, wait: bool = True) -> Iterator[subprocess.Popen]:
    """Start a server, wait until `url` answers (unless wait=False), stop it (TERM, then KILL) afterwards."""
    output = open(log_to, "wb")
    process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=REPO,
                               start_new_session=True)
    try:
        if wait:
            wait_until_answers(name, process, url, up_timeout, log_to)
        yield process
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=30)
        output.close()


def wait_until_answers(name: str, process: subprocess.Popen, url: str, up_timeout: float, log_to: Path) -> None:
    deadline = time.monotonic() + up_timeout
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log_to.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not come up in {up_timeout:g} s")
        time.sleep(0.5)
    log(f"{name} up in {time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------------------------------------------- steps
def make_data(triples: int, seed: int) -> tuple[Path, int]:
    """The generated economy plus the ontology (in its graph), as N-Quads; cached by size and seed."""
    import pyoxigraph as ox

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"data-{triples}-seed{seed}.nq"
    if path.exists() and path.with_suffix(".count").exists():
        return path, int(path.with_suffix(".count").read_text())
    log(f"generating about {triples:,} triples → {path.name}")
    ontology = ox.NamedNode("https://w3id.org/chainkg/graph/ontology")  # as chainkg loads it (GraphNames.ontology)
    count = 0
    with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as out:
        for name in ("chainkg.ttl", "vocab.ttl"):
            quads = [ox.Quad(t.subject, t.predicate, t.object, ontology) for t in
                     ox.parse(path=REPO / "ontology" / name, format=ox.RdfFormat.TURTLE)]
            out.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode())
            count += len(quads)
        for line in generate.nquads(generate.companies_for(triples), seed):
            out.write(line + "\n")
            count += 1
    path.with_suffix(".tmp").rename(path)
    path.with_suffix(".count").write_text(str(count))
    return path, count


def bench_loads(data: Path, work: Path, results: Results) -> Path:
    """chainkg load vs oxigraph load, each into a fresh directory; returns chainkg's store (used from then on)."""
    chainkg_store, oxigraph_store = work / "chainkg-store", work / "oxigraph-store"
    env = {**os.environ, "CHAINKG_STORE": str(chainkg_store), "CHAINKG_LOAD_SHIPPED": "false"}
    log("chainkg load")
    seconds, rss = timed([sys.executable, "-m", "chainkg.cli", "load", str(data), "--no-validate"], env=env,
                         log_to=work / "chainkg-load.log")
    results.loads["chainkg load"] = {"seconds": seconds, "peak_rss_mb": rss}
    log(f"chainkg load: {seconds:.1f} s, {rss:.0f} MB")
    log("oxigraph load")
    seconds, rss = timed([str(BIN / "oxigraph"), "load", "--location", str(oxigraph_store), "--file", str(data)],
                         log_to=work / "oxigraph-load.log")
    results.loads["oxigraph load"] = {"seconds": seconds, "peak_rss_mb": rss}
    log(f"oxigraph load: {seconds:.1f} s, {rss:.0f} MB")
    shutil.rmtree(oxigraph_store, ignore_errors=True)  # serving uses chainkg's own store, the same bytes for both
    return chainkg_store


def start_servers(stack: contextlib.ExitStack, store: Path, data: Path, count: int, concurrency: list[int],
                  args: argparse.Namespace, work: Path, results: Results) -> list[Server]:
    """chainkg serve, `oxigraph serve-read-only` on the very same store directory, and rdflib-endpoint on the file.

    chainkg runs its default engine (worker processes over read-only snapshots). All bench clients share one
    address, so chainkg's per-client limit is raised to the largest client count (its default, 2, is fairness
    between clients, not speed). `oxigraph serve` gets no --timeout-s: with it, 0.5.13 starts one thread per query
    and panics under load ("failed to set up alternative stack guard page").
    """
    servers = []
    rdflib_wanted = args.rdflib == "yes" or (args.rdflib == "auto" and count <= 2_000_000)
    rdflib_port = free_port()
    if rdflib_wanted:  # it loads slowest: start it first, it parses while the others come up
        rdflib_started = time.perf_counter()
        rdflib_cm = running("rdflib-endpoint", [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host",
                                                "127.0.0.1", "--port", str(rdflib_port)],
                            f"http://127.0.0.1:{rdflib_port}/", log_to=work / "rdflib-serve.log", up_timeout=1800,
                            wait=False)
        rdflib_process = stack.enter_context(rdflib_cm)
    port = free_port()
    env = {**os.environ, "CHAINKG_STORE": str(store), "CHAINKG_LOAD_SHIPPED": "false", "CHAINKG_PORT": str(port),
           "CHAINKG_MAX_QUERIES_PER_CLIENT": str(max(concurrency)), "CHAINKG_QUERY_TIMEOUT_S": "120",
           "CHAINKG_PROCESSES": str(args.processes)}
    url = f"http://127.0.0.1:{port}/sparql"
    process = stack.enter_context(running("chainkg", [sys.executable, "-m", "chainkg.cli", "serve"], url, env=env,
                                          log_to=work / "chainkg-serve.log"))
    servers.append(Server("chainkg", url, "/sparql", process, RssSampler(process.pid)))
    if args.processes > 1:  # the same code in one serving process, on a copy: the processes' effect, same run
        results.notes.append(f"chainkg served by {args.processes} processes (CHAINKG_PROCESSES, read-only); "
                             f"'{ONE_PROCESS}' is the same code in one process, on a copy of the store.")
        copy = work / "chainkg-store-one-process"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(store, copy)
        port = free_port()
        url = f"http://127.0.0.1:{port}/sparql"
        process = stack.enter_context(running(ONE_PROCESS, [sys.executable, "-m", "chainkg.cli", "serve"], url,
                                              env={**env, "CHAINKG_STORE": str(copy), "CHAINKG_PORT": str(port),
                                                   "CHAINKG_PROCESSES": "1"},
                                              log_to=work / "chainkg-one-process-serve.log"))
        servers.append(Server(ONE_PROCESS, url, "/sparql", process, RssSampler(process.pid)))
    if args.compare_worker_path:  # the same code with every query sent to a worker (no light path), on a copy
        copy = work / "chainkg-store-workers-only"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(store, copy)
        port = free_port()
        url = f"http://127.0.0.1:{port}/sparql"
        process = stack.enter_context(running(WORKERS_ONLY, [sys.executable, "-c", WORKERS_ONLY_SERVE, "serve"], url,
                                              env={**env, "CHAINKG_STORE": str(copy), "CHAINKG_PORT": str(port),
                                                   "CHAINKG_PROCESSES": "1"},
                                              log_to=work / "chainkg-workers-only-serve.log"))
        servers.append(Server(WORKERS_ONLY, url, "/sparql", process, RssSampler(process.pid)))
    port = free_port()
    url = f"http://127.0.0.1:{port}/query"
    process = stack.enter_context(running("oxigraph serve", [str(BIN / "oxigraph"), "serve-read-only", "--location",
                                                             str(store), "--bind", f"127.0.0.1:{port}"], url,
                                          log_to=work / "oxigraph-serve.log"))
    servers.append(Server("oxigraph serve", url, "/query", process, RssSampler(process.pid)))
    if args.virtuoso:
        servers += start_virtuoso(stack, data, count, concurrency, work, results, before=args.virtuoso_before)
    if rdflib_wanted:
        url = f"http://127.0.0.1:{rdflib_port}/"
        wait_until_answers("rdflib-endpoint", rdflib_process, url, 1800, work / "rdflib-serve.log")
        results.notes.append(f"rdflib-endpoint took {time.perf_counter() - rdflib_started:.0f} s to load the file "
                             f"and start. It answers one request at a time, so its heavy queries ran with 1 client "
                             f"only, with wrk's time-out at the cell's duration, and it was drained after each cell.")
        servers.append(Server("rdflib-endpoint", url, "/", rdflib_process, RssSampler(rdflib_process.pid),
                              heavy_clients=[1], timeout_s=int(args.duration) + 1))
    else:
        results.notes.append(f"rdflib-endpoint was not run at {count:,} quads (it holds every triple as Python "
                             f"objects: about 1.3 GB and 50 s of loading per million).")
    return servers


def start_virtuoso(stack: contextlib.ExitStack, data: Path, count: int, concurrency: list[int], work: Path,
                   results: Results, before: bool = False) -> list[Server]:
    """A private Virtuoso (tests/virtuoso.py) holding the same quads, loaded through chainkg (`chainkg load` on the
    external-store backend, so the merge graph chainkg queries is there too), queried directly and through
    `chainkg serve` on it: the issue's Virtuoso column. Direct requests name the merge as their default graph
    (`default-graph-uri`), which is what chainkg gives its queries there, so both answer over the same triples."""
    from chainkg.graph import merge
    from chainkg.graph.settings import Settings
    from tests.virtuoso import running_virtuoso

    virtuoso = stack.enter_context(running_virtuoso(work / "virtuoso", buffers=max(20_000, count // 5)))
    env = {**os.environ, "CHAINKG_LOAD_SHIPPED": "false", "CHAINKG_STORE": str(work / "chainkg-unused-store"),
           "CHAINKG_MAX_QUERIES_PER_CLIENT": str(max(concurrency)), "CHAINKG_QUERY_TIMEOUT_S": "120",
           **{f"CHAINKG_{key.upper()}": value for key, value in virtuoso.chainkg_settings().items()}}
    seconds, _ = timed([sys.executable, "-m", "chainkg.cli", "load", "--no-validate", str(data)], env=env,
                       log_to=work / "virtuoso-load.log")
    results.notes.append(f"Virtuoso: {count:,} quads (and their merge graph) loaded through `chainkg load` over "
                         f"SPARQL Update in {seconds:.0f} s; direct requests carry default-graph-uri=<merge>.")
    log(f"Virtuoso loaded in {seconds:.0f} s")
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    process = stack.enter_context(running(OVER_VIRTUOSO, [sys.executable, "-m", "chainkg.cli", "serve"], url,
                                          env={**env, "CHAINKG_PORT": str(port)},
                                          log_to=work / "chainkg-virtuoso-serve.log"))
    servers = [Server(OVER_VIRTUOSO, url, "/sparql", process, RssSampler(process.pid))]
    if before:  # the same code with the remote levers off (bench/remote_before.py), on the same Virtuoso
        port = free_port()
        url = f"http://127.0.0.1:{port}/sparql"
        process = stack.enter_context(running(OVER_VIRTUOSO_BEFORE, [sys.executable, "-m", "bench.remote_before",
                                                                     "serve"], url,
                                              env={**env, "CHAINKG_PORT": str(port)},
                                              log_to=work / "chainkg-virtuoso-before-serve.log"))
        servers.append(Server(OVER_VIRTUOSO_BEFORE, url, "/sparql", process, RssSampler(process.pid)))
    merged = merge.Layout(Settings().base_iri, remote=True).merge or ""
    return servers + [
            Server(VIRTUOSO, virtuoso.query_url, "/sparql", virtuoso.process, RssSampler(virtuoso.process.pid),
                   params=f"&default-graph-uri={quote(merged, safe='')}")]


def parameters(store: Path, per_query: int = 50) -> dict[str, list[str]]:
    """Companies, parks and chain leaders to put in parameterised queries, spread over the data."""
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    base = "https://w3id.org/chainkg/id/"
    leaders = sorted(row["l"].value for row in db.query(
        "SELECT DISTINCT ?l WHERE { ?l <https://w3id.org/chainkg/ontology#chainLeaderOf> ?c }"))
    companies = int(next(iter(db.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/chainkg/ontology#Company> }")))["n"].value)
    districts = max(2, round(companies * generate.DISTRICTS_PER_COMPANY))
    del db
    step = max(1, companies // per_query)
    return {
        "company": [f"{base}syn-co-{i}" for i in range(0, companies, step)][:per_query],
        "park": [f"{base}syn-park-{d % districts}-{d % generate.PARKS_PER_DISTRICT}" for d in range(per_query)],
        "leader": leaders[:: max(1, len(leaders) // per_query)][:per_query],
    }


def bench_views(store: Path, results: Results, triples: int) -> None:
    """Each view of graph/views.py (median of 3), and the explorer's graph page at 100/1,000/5,000 nodes."""
    import networkx as nx

    from chainkg.graph import views
    from chainkg.graph.settings import Settings
    from chainkg.graph.store import KnowledgeGraph
    from chainkg.viz import network
    from chainkg.viz.html import Site

    kg = KnowledgeGraph(Settings(store=str(store), load_shipped=False))
    e = kg.settings.base_iri + "id/"
    leader = next(iter(kg.select("SELECT ?l WHERE { ?l ck:chainLeaderOf ?c } LIMIT 1")))["l"].value
    cases = {
        "chain_view": lambda: views.chain_view(kg, e + "syn-chain-0-0"),
        "supplier_network (one district)": lambda: views.supplier_network(kg, e + "syn-district-0"),
        "park_view": lambda: views.park_view(kg, e + "syn-park-0-0"),
        "district_overview": lambda: views.district_overview(kg, e + "syn-district-0"),
        "company_suppliers (depth 2, a leader)": lambda: views.company_suppliers(kg, leader, depth=2),
        "ego_network (radius 2, a leader)": lambda: views.ego_network(kg, leader, radius=2),
    }
    if triples <= 2_000_000:
        cases["supplier_network (whole graph)"] = lambda: views.supplier_network(kg)
    else:
        results.notes.append("supplier_network over the whole graph is left out above 2 M triples (one query "
                             "returns every supplier link; the capped view is built after it).")
    for name, build in cases.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            build()
            times.append(time.perf_counter() - started)
        results.views[name] = statistics.median(times)
        log(f"view {name}: {results.views[name] * 1000:.0f} ms")
    # The explorer's graph page at 100/1,000/5,000 nodes: viz.network (pyvis's model and options, the cap, styles)
    # and the graph.html template, as /graph/… renders it, over a slice of the supplier network.
    rows = kg.select("SELECT ?s ?o WHERE { ?s ck:supplies ?o } LIMIT 40000")
    graph = nx.DiGraph()
    graph.add_edges_from(((r["s"].value, r["o"].value) for r in rows), relation="supplies")
    nx.set_node_attributes(graph, {n: views.local_name(n) for n in graph}, "label_zh")
    nx.set_node_attributes(graph, "Company", "kind")
    site = Site(kg.settings.base_iri)
    for size in (100, 1000, 5000):
        started = time.perf_counter()
        data = network.network(graph, focus=None, limit=size, href=site.href, kind_labels={})
        html = site.render("graph.html", title_zh="供应网络", title_en="Supplier network", data=data, focus=None,
                           more_href=None)
        results.graph_pages[size] = time.perf_counter() - started
        log(f"graph page {data.shown} nodes / {len(data.edges)} edges: {results.graph_pages[size] * 1000:.0f} ms, "
            f"{len(html) / 1024:.0f} kB")
    del kg


def wrk(url_base: str, paths: list[str], clients: int, duration: float, work: Path, timeout_s: int) -> dict:
    script = work / "mix.lua"
    script.write_text(WRK_SCRIPT)
    listing = work / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    threads = min(clients, 2)
    command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{math.ceil(duration)}s", "--timeout", f"{timeout_s}s",
               "-s", str(script), url_base, "--", str(listing), "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout_s + 60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    return json.loads(lines[-1])


def request_paths(endpoint_path: str, texts: list[str], params: str = "") -> list[str]:
    return [f"{endpoint_path}?query={quote(text, safe='')}{params}" for text in texts]


def check_answers(url: str, texts: list[str], server: str, count: int = 3, params: str = "") -> None:
    """Every query of the mix answers 200 with results before it is timed (a fast error is not a fast answer)."""
    for text in texts[:count]:
        response = httpx.get(f"{url}?query={quote(text, safe='')}{params}",
                             headers={"Accept": "application/sparql-results+json"}, timeout=900)
        if response.status_code != 200:
            raise RuntimeError(f"{server} answered {response.status_code} to {text[:120]}…: {response.text[:300]}")


@dataclass
class Server:
    name: str
    url: str  # the query endpoint
    endpoint_path: str
    process: subprocess.Popen
    sampler: RssSampler
    heavy_clients: list[int] | None = None  # None: every client count
    timeout_s: int = 120
    params: str = ""  # added to every request (Virtuoso direct: the default graph chainkg gives its queries)

    @property
    def base(self) -> str:
        return self.url[: -len(self.endpoint_path)] if self.endpoint_path != "/" else self.url.rstrip("/")


def bench_http(servers: list[Server], values: dict[str, list[str]], results: Results, concurrency: list[int],
               duration: float, work: Path, heavy_clients: list[int] | None = None) -> None:
    """Cell by cell, the servers in turn: a background load that comes and goes hits all of them alike."""
    for query in MIX:
        texts = query.texts(values)
        warm: dict[str, float] = {}
        checks = 3 if query.weight == "light" else 1
        for server in servers:
            started = time.perf_counter()
            check_answers(server.url, texts, server.name, checks, server.params)
            warm[server.name] = (time.perf_counter() - started) / min(checks, len(texts))
        for clients in concurrency:
            for server in servers:
                cell = Cell(server.name, query.name, query.weight, clients)
                results.cells.append(cell)
                allowed = server.heavy_clients if server.heavy_clients is not None else heavy_clients
                if query.weight == "heavy" and allowed is not None and clients not in allowed:
                    cell.note = "not run"
                    continue
                # a heavy cell lasts long enough for three answers (up to 120 s), a light one `duration`
                length = duration if query.weight == "light" else min(120.0, max(duration, 3.5 * warm[server.name]))
                if server.name == "rdflib-endpoint":
                    length = duration  # it would need minutes; its time-out is the duration anyway
                figures = wrk(server.base, request_paths(server.endpoint_path, texts, server.params), clients, length,
                              work, server.timeout_s)
                cell.requests = figures["requests"]
                cell.seconds = figures["duration_us"] / 1e6
                if cell.requests:
                    cell.p50_ms, cell.p99_ms = figures["p50_us"] / 1000, figures["p99_us"] / 1000
                cell.errors = figures["status"] + figures["timeout"] + figures["read"] + figures["connect"]
                if not cell.requests:
                    cell.note = f"none in {duration:g} s (one answer: {warm[server.name]:.1f} s)"
                log(f"{server.name:<16} {query.name:<32} c={clients:<3} {cell.throughput:8.1f} req/s  p50 "
                    f"{cell.p50_ms if cell.p50_ms is not None else float('nan'):8.2f} ms  errors {cell.errors}")
                if server.name == "rdflib-endpoint":
                    drain(server.url)
                settle(server)  # what wrk left queued must not run during the next server's cell


def settle(server: Server, limit_s: float = 300) -> None:
    """Wait until the server's process tree is idle (under 5 % of a core for half a second)."""
    try:
        processes = [psutil.Process(server.process.pid)]
        processes += processes[0].children(recursive=True)
    except psutil.NoSuchProcess:
        return
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = sum(_cpu(p) for p in processes)
        time.sleep(0.5)
        if sum(_cpu(p) for p in processes) - before < 0.025:
            return
    log(f"{server.name} still busy after {limit_s:g} s")


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
        return times.user + times.system
    except psutil.NoSuchProcess:
        return 0.0


def drain(url: str, limit_s: float = 600) -> None:
    """rdflib-endpoint answers one request at a time: wait until what wrk left queued is done."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=limit_s)
        except httpx.HTTPError:
            pass
        if time.monotonic() - started < 0.5:
            return
    log("rdflib-endpoint still busy after draining")


def profile(pid: int, url_base: str, path_list: list[str], clients: int, seconds: float, work: Path,
            name: str) -> list[tuple[str, float]]:
    """py-spy on the chainkg process tree while wrk drives one query: the frames where samples land, by share."""
    raw = work / f"profile-{name.replace(' ', '-')}.txt"
    spy = subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(pid), "--subprocesses", "--format", "raw",
                            "--rate", "200", "--duration", str(int(seconds) + 1), "--output", str(raw),
                            "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    wrk(url_base, path_list, clients, seconds, work, 60)
    spy.wait(timeout=120)
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines() if raw.exists() else []:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        where = "worker" if "chainkg.graph.worker" in frames[0] else "server"
        leaf = f"{where}: {_interesting(frames)}"
        leaves[leaf] += int(count)
        total += int(count)
    return [(frame, count / total) for frame, count in leaves.most_common(12)] if total else []


def _interesting(frames: list[str]) -> str:
    """The innermost frame, folded to a readable 'function (file)' — for process-level lines, the process."""
    leaf = frames[-1]
    name, _, where = leaf.partition(" (")
    where = where.rstrip(")")
    short = where.split("site-packages/")[-1].split("wt-perf/")[-1].split("/lib/python3.11/")[-1]
    return f"{name} ({short.rsplit(':', 1)[0]})" if where else name


# ---------------------------------------------------------------------------------------------------- report
def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def answered(cells: dict[tuple[str, str, int], Cell], concurrency: list[int],
             *servers: str) -> Iterator[tuple[BenchQuery, int, list[Cell]]]:
    """Each (query, clients) of the mix that every one of `servers` answered, with their cells in that order:
    the rows of a table of ratios between servers (a server with no answer in a cell has no ratio there)."""
    for query in MIX:
        for clients in concurrency:
            found = [cells.get((server, query.name, clients)) for server in servers]
            if all(cell is not None and cell.requests for cell in found):
                yield query, clients, found  # type: ignore[misc]


def report(results: Results, concurrency: list[int]) -> str:
    m = results.quads_in_file / 1e6
    lines = [f"## chainkg benchmark: {results.quads_in_file:,} quads (target {results.triples:,}), "
             f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}", ""]
    chainkg, oxigraph = results.loads.get("chainkg load"), results.loads.get("oxigraph load")
    lines += ["### Load", "", "| loader | seconds | quads/s | peak RSS MB | MB per M quads |", "|---|---:|---:|---:|---:|"]
    for name, figures in results.loads.items():
        lines.append(f"| {name} | {figures['seconds']:.1f} | {results.quads_in_file / figures['seconds']:,.0f} | "
                     f"{figures['peak_rss_mb']:,.0f} | {figures['peak_rss_mb'] / m:,.0f} |")
    if chainkg and oxigraph:
        share = oxigraph["seconds"] / chainkg["seconds"]
        lines += ["", f"chainkg load throughput = **{share:.0%} of `oxigraph load`** (target ≥ 70 %: "
                      f"{'met' if share >= 0.7 else 'missed'})."]
    cells = {(c.server, c.query, c.clients): c for c in results.cells}
    present = {c.server for c in results.cells}
    columns = SERVERS + tuple(name for name in (ONE_PROCESS, WORKERS_ONLY, OVER_VIRTUOSO, OVER_VIRTUOSO_BEFORE, VIRTUOSO)
                              if name in present)
    lines += ["", "### SPARQL over HTTP (wrk, loopback, JSON results)", "",
              "| query | kind | clients | " + " | ".join(f"{s} req/s · p50 · p99 ms" for s in columns) + " |",
              "|---|---|---:|" + "---:|" * len(columns)]
    for query in MIX:
        for clients in concurrency:
            row = [query.name, query.weight, str(clients)]
            for server in columns:
                cell = cells.get((server, query.name, clients))
                if cell is None or cell.note == "not run":
                    row.append("—")
                elif not cell.requests:
                    row.append(cell.note)
                else:
                    errors = f" ({cell.errors} errors)" if cell.errors else ""
                    row.append(f"{cell.throughput:,.0f} · {cell.p50_ms:.1f} · {cell.p99_ms:.1f}{errors}")
            lines.append("| " + " | ".join(row) + " |")
    lines += ["", "### Targets, as ratios of this run", "",
              "| query | clients | chainkg ÷ oxigraph serve | chainkg ÷ rdflib-endpoint | target | met |",
              "|---|---:|---:|---:|---|---|"]
    for query, clients, (ours, ox_cell) in answered(cells, concurrency, "chainkg", "oxigraph serve"):
        rdf = cells.get(("rdflib-endpoint", query.name, clients))
        if query.weight == "heavy":
            value = ours.p50_ms / ox_cell.p50_ms
            lines.append(f"| {query.name} | {clients} | p50 latency {value:.2f}× | "
                         f"{_rdflib_ratio(ours, rdf, latency=True)} | ≤ 1.25× latency | "
                         f"{'yes' if value <= 1.25 else 'no'} |")
        else:
            share = ours.throughput / ox_cell.throughput
            vs_rdflib = ours.throughput / rdf.throughput if rdf and rdf.requests else None
            met = share >= 0.4 and (vs_rdflib is None or vs_rdflib >= 10)
            lines.append(f"| {query.name} | {clients} | throughput {share:.0%} | "
                         f"{f'{vs_rdflib:.1f}×' if vs_rdflib else '—'} | ≥ 40 % and ≥ 10× rdflib | "
                         f"{'yes' if met else 'no'} |")
    if ONE_PROCESS in columns:
        lines += ["", "### Several serving processes: chainkg ÷ the same code in one process (same run)", "",
                  "| query | clients | throughput | p50 latency | one process ÷ oxigraph serve, throughput |",
                  "|---|---:|---:|---:|---:|"]
        for query, clients, (ours, one, ox_cell) in answered(cells, concurrency, "chainkg", ONE_PROCESS,
                                                             "oxigraph serve"):
            lines.append(f"| {query.name} | {clients} | {ours.throughput / one.throughput:.2f}× | "
                         f"{ours.p50_ms / one.p50_ms:.2f}× | {one.throughput / ox_cell.throughput:.0%} |")
    if WORKERS_ONLY in columns:
        lines += ["", "### The light path: chainkg ÷ chainkg with every query sent to a worker (same run)", "",
                  "| query | clients | throughput | p50 latency |", "|---|---:|---:|---:|"]
        for query, clients, (ours, before) in answered(cells, concurrency, "chainkg", WORKERS_ONLY):
            lines.append(f"| {query.name} | {clients} | {ours.throughput / before.throughput:.2f}× | "
                         f"{ours.p50_ms / before.p50_ms:.2f}× |")
    if VIRTUOSO in columns and OVER_VIRTUOSO in columns:
        lines += ["", "### The Virtuoso column: chainkg over Virtuoso ÷ Virtuoso direct (same run, same triples)", "",
                  "| query | clients | p50 latency (target ≤ 1.25×) | throughput | met |",
                  "|---|---:|---:|---:|---|"]
        for query, clients, (ours, direct) in answered(cells, concurrency, OVER_VIRTUOSO, VIRTUOSO):
            value = ours.p50_ms / direct.p50_ms
            lines.append(f"| {query.name} | {clients} | {value:.2f}× | "
                         f"{ours.throughput / direct.throughput:.0%} | {'yes' if value <= 1.25 else 'no'} |")
    if VIRTUOSO in columns and OVER_VIRTUOSO_BEFORE in columns:
        lines += ["", "### Over Virtuoso before (httpx, every check fenced) ÷ Virtuoso direct, and after ÷ before", "",
                  "| query | clients | before ÷ direct, p50 | after ÷ before, p50 | after ÷ before, throughput |",
                  "|---|---:|---:|---:|---:|"]
        for query, clients, (ours, before, direct) in answered(cells, concurrency, OVER_VIRTUOSO,
                                                                OVER_VIRTUOSO_BEFORE, VIRTUOSO):
            lines.append(f"| {query.name} | {clients} | {before.p50_ms / direct.p50_ms:.2f}× | "
                         f"{ours.p50_ms / before.p50_ms:.2f}× | {ours.throughput / before.throughput:.2f}× |")
    lines += ["", "### Memory", "", "| process | peak RSS MB | MB per M quads |", "|---|---:|---:|"]
    for name, figures in results.loads.items():
        lines.append(f"| {name} | {figures['peak_rss_mb']:,.0f} | {figures['peak_rss_mb'] / m:,.0f} |")
    for name, rss in results.serve_rss_mb.items():
        lines.append(f"| {name} serving (process tree) | {rss:,.0f} | {rss / m:,.0f} |")
    lines += ["", "### Views (graph/views.py, median of 3) and graph pages (pyvis model, vis-network page)", "",
              "| what | ms |", "|---|---:|"]
    lines += [f"| {name} | {seconds * 1000:,.0f} |" for name, seconds in results.views.items()]
    lines += [f"| graph page HTML, {size:,} nodes (viz.network + graph.html) | {seconds * 1000:,.0f} |"
              for size, seconds in results.graph_pages.items()]
    for name, frames in results.profiles.items():
        lines += ["", f"### py-spy: where chainkg's samples land — {name}", "", "| frame | share |", "|---|---:|"]
        lines += [f"| `{frame}` | {share:.0%} |" for frame, share in frames]
    if results.notes:
        lines += ["", "### Notes", ""] + [f"- {note}" for note in results.notes]
    return "\n".join(lines) + "\n"


def _rdflib_ratio(ours: Cell, rdf: Cell | None, *, latency: bool) -> str:
    if not rdf or not rdf.requests:
        return "rdflib: no answer in time" if rdf and rdf.note and rdf.note != "not run" else "—"
    return f"{rdf.p50_ms / ours.p50_ms:.1f}× faster"


SERVERS = ("chainkg", "oxigraph serve", "rdflib-endpoint")
WORKERS_ONLY = "chainkg, workers only"
ONE_PROCESS = "chainkg, 1 process"  # with --processes N > 1: the same code as one serving process
OVER_VIRTUOSO, VIRTUOSO = "chainkg over Virtuoso", "Virtuoso direct"
OVER_VIRTUOSO_BEFORE = "chainkg over Virtuoso, before"  # bench/remote_before.py: httpx, every check fenced
# `chainkg serve` with the light path switched off (graph/engine.py ProcessEngine._answer_here): the "before".
WORKERS_ONLY_SERVE = ("import sys; from chainkg.graph.engine import ProcessEngine; "
                      "ProcessEngine._answer_here = lambda self, job, light: None; "
                      "from chainkg.cli import main; sys.argv[0] = 'chainkg'; main()")


# ---------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="chainkg benchmark (issue 7): one run, ratios side by side")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic economy")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds of wrk per (server, query, clients)")
    parser.add_argument("--clients", default="1,4,16", help="concurrent connections, comma-separated")
    parser.add_argument("--rdflib", choices=("auto", "yes", "no"), default="auto",
                        help="rdflib-endpoint too (auto: up to 2 M triples; it holds everything in Python objects)")
    parser.add_argument("--heavy-clients", default=None,
                        help="client counts for heavy queries (default: all; 1 from 5 M quads on)")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy chainkg on the point look-up and the two-hop path query, 4 clients")
    parser.add_argument("--workdir", type=Path, default=None, help="where stores go (default: a temp dir in bench/out)")
    parser.add_argument("--virtuoso", action="store_true",
                        help="also Virtuoso, directly and under chainkg (its external-store backend), same data")
    parser.add_argument("--virtuoso-before", action="store_true",
                        help="with --virtuoso: also chainkg over Virtuoso with httpx and every check fenced "
                             "(bench/remote_before.py), the same run's before")
    parser.add_argument("--processes", type=int, default=1,
                        help="CHAINKG_PROCESSES of chainkg (read-only serving processes); above 1, the same code in "
                             "one process runs too, cell by cell")
    parser.add_argument("--compare-worker-path", action="store_true",
                        help="also run chainkg with every query sent to a worker (no light path), cell by cell")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does)")
    concurrency = [int(c) for c in args.clients.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
    work.mkdir(parents=True, exist_ok=True)
    data, count = make_data(args.triples, args.seed)
    results = Results(args.triples, count)
    load_at_start = os.getloadavg()
    try:
        store = bench_loads(data, work, results)
        values = parameters(store)
        bench_views(store, results, count)
        with contextlib.ExitStack() as stack:
            servers = start_servers(stack, store, data, count, concurrency, args, work, results)
            if args.heavy_clients is None and count >= 5_000_000:
                args.heavy_clients = "1"
            heavy = [int(c) for c in args.heavy_clients.split(",")] if args.heavy_clients else None
            if heavy:
                results.notes.append(f"heavy queries ran with {args.heavy_clients} client(s) only (--heavy-clients): "
                                     f"at this size one answer takes seconds, and a server without a time limit "
                                     f"would still be working through the queue of a 16-client cell long after it.")
            bench_http(servers, values, results, concurrency, args.duration, work, heavy)
            chainkg = servers[0]
            if args.profile:
                for query, clients in ((MIX[0], 4), (MIX[4], 4)):
                    settle(chainkg)
                    name = f"{query.name}, {clients} clients"
                    results.profiles[name] = profile(chainkg.process.pid, chainkg.base,
                                                     request_paths("/sparql", query.texts(values)), clients, 8, work,
                                                     query.name)
            for server in servers:
                results.serve_rss_mb[server.name] = server.sampler.stop()
    finally:
        results.notes.append("machine load average (1 / 5 / 15 min) at the start " +
                             " / ".join(f"{x:.1f}" for x in load_at_start) + ", at the end " +
                             " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)")
        text = report(results, concurrency)
        name = f"results-{args.triples}"
        (OUT / f"{name}.md").write_text(text, encoding="utf-8")
        (OUT / f"{name}.json").write_text(json.dumps(asdict(results), indent=1, default=str), encoding="utf-8")
        print(text)
        log(f"written to {OUT / name}.md and .json; stores in {work}")
        shutil.rmtree(work / "chainkg-store", ignore_errors=True)


if __name__ == "__main__":
    main()
