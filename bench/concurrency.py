"""Readers and one writer at once, over loopback: no errors, and no reader ever sees half of an update.

The writer replaces the N triples of one graph by N others in one transaction, alternately by a SPARQL update and
by a Graph Store PUT, each time with a new version number that the graph also holds as its counter. Readers, each
from its own loopback address (so each is a client of its own to the per-client cap), ask in one query for the
graph's size, its lowest and highest version and its counter, and check that
- all N triples are there, all of one version, equal to the counter (never half of an update);
- the version never goes back for a reader, and is at least the last one the writer had acknowledged when the
  read began (an acknowledged write is visible to everyone);
others read the graph through the Graph Store (the same checks) or run a light query of the shipped graph.

    python -m bench.concurrency                      # starts its own server on a fresh store, 60 s
    python -m bench.concurrency --duration 10 --url http://127.0.0.1:8000 --token …

Bounded: it stops after --duration seconds, sends only to loopback addresses, and exits non-zero on any error
or violation.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

GRAPH = "urn:bench:swap"
STATE = "urn:bench:state"
VERSION = "urn:bench:version"
CHECK = f"""SELECT (COUNT(?item) AS ?n) (MIN(?v) AS ?lo) (MAX(?v) AS ?hi) (SAMPLE(?c) AS ?counter) WHERE {{
  GRAPH <{GRAPH}> {{ <{STATE}> <{VERSION}> ?c . ?item <{VERSION}> ?v FILTER(?item != <{STATE}>) }} }}"""
LIGHT = "SELECT ?leader ?name WHERE { ?leader ck:chainLeaderOf ?chain ; skos:prefLabel ?name } LIMIT 20"
# One triple pattern: answered in the serving process on an on-disk store (graph/engine.py, the light path), so
# with --light-share the same promises are checked on that path: one counter, never older than acknowledged.
COUNTER = f"SELECT ?c WHERE {{ <{STATE}> <{VERSION}> ?c }}"
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Figures:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    violation_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: int = 0  # the last version the writer got a 2xx for

    def violation(self, kind: str, detail: str) -> None:
        """A read that broke a promise: half an update seen, a version older than one seen, or a stale read."""
        self.violations.append(f"{kind}: {detail}")
        self.violation_kinds[kind] += 1

    def summary(self, seconds: float) -> dict[str, object]:
        every = [x for values in self.latencies.values() for x in values]
        reads = [x for kind, values in self.latencies.items() if not kind.startswith("write") for x in values]
        writes = [x for kind, values in self.latencies.items() if kind.startswith("write") for x in values]
        return {
            "seconds": round(seconds, 1), "requests": len(every), "errors": len(self.errors),
            "violations": len(self.violations), "violations_by_kind": dict(self.violation_kinds),
            "reads": len(reads), "writes": len(writes),
            "read_p50_ms": _ms(reads, 50), "read_p99_ms": _ms(reads, 99),
            "write_p50_ms": _ms(writes, 50), "write_p99_ms": _ms(writes, 99),
            "requests_per_s": round(len(every) / seconds, 1) if seconds else 0.0,
            "by_kind": {kind: {"n": len(v), "p50_ms": _ms(v, 50), "p99_ms": _ms(v, 99)}
                        for kind, v in sorted(self.latencies.items())},
        }


def _ms(values: list[float], percentile: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0] * 1000, 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[percentile - 1] * 1000, 1)


def graph_body(version: int, triples: int) -> str:
    """The graph at a version, as N-Triples (which is also the syntax of INSERT DATA)."""
    number = f'"{version}"^^<http://www.w3.org/2001/XMLSchema#integer>'
    items = "\n".join(f"<urn:bench:item-{version}-{i}> <{VERSION}> {number} ." for i in range(triples))
    return f"{items}\n<{STATE}> <{VERSION}> {number} ."


async def writer(client: httpx.AsyncClient, token: str, triples: int, until: float, figures: Figures) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    version = figures.acknowledged
    while time.monotonic() < until:
        version += 1
        started = time.perf_counter()
        if version % 2:
            update = (f"DROP SILENT GRAPH <{GRAPH}> ; INSERT DATA {{ GRAPH <{GRAPH}> {{ "
                      f"{graph_body(version, triples)} }} }}")
            response = await client.post("/update", content=update.encode(), headers={
                **auth, "Content-Type": "application/sparql-update"})
            kind = "write update"
        else:
            response = await client.put("/store", params={"graph": GRAPH}, content=graph_body(version, triples),
                                        headers={**auth, "Content-Type": "application/n-triples"})
            kind = "write put"
        figures.latencies[kind].append(time.perf_counter() - started)
        if response.status_code >= 300:
            figures.errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
            return
        figures.acknowledged = version


def check(figures: Figures, what: str, n: int, lo: int, hi: int, counter: int, triples: int, floor: int,
          last: int) -> int:
    if not (n == triples and lo == hi == counter):
        figures.violation("half an update", f"{what}: {n} triples, versions {lo}..{hi}, counter {counter}")
    if counter < last:
        figures.violation("went back", f"{what}: from version {last} to {counter}")
    if counter < floor:
        figures.violation("stale read", f"{what}: version {counter} after version {floor} was acknowledged")
    return max(last, counter)


async def reader(client: httpx.AsyncClient, triples: int, until: float, figures: Figures, seed: int,
                 light_share: float = 0.0) -> None:
    rng, last = random.Random(seed), 0
    while time.monotonic() < until:
        floor, started, roll = figures.acknowledged, time.perf_counter(), rng.random()
        if rng.random() < light_share:
            kind = "read light counter"
            response = await client.get("/sparql", params={"query": COUNTER})
        elif roll < 0.7:
            kind = "read query"
            response = await client.get("/sparql", params={"query": CHECK})
        elif roll < 0.85:
            kind = "read graph store"
            response = await client.get("/store", params={"graph": GRAPH}, headers={"Accept": "application/n-triples"})
        else:
            kind = "read light query"
            response = await client.get("/sparql", params={"query": LIGHT})
        figures.latencies[kind].append(time.perf_counter() - started)
        if response.status_code != 200:
            figures.errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
            continue
        if kind == "read light counter":
            values = [int(b["c"]["value"]) for b in response.json()["results"]["bindings"]]
            if len(values) != 1:
                figures.violation("half an update", f"{kind}: counters {values}")
            else:
                last = check(figures, kind, triples, values[0], values[0], values[0], triples, floor, last)
        elif kind == "read query":
            row = {k: int(v["value"]) for k, v in response.json()["results"]["bindings"][0].items()}
            last = check(figures, kind, row["n"], row["lo"], row["hi"], row["counter"], triples, floor, last)
        elif kind == "read graph store":
            versions, counter, n = set(), None, 0
            for line in response.text.splitlines():
                subject, _, value = line.split(" ", 3)[:3]
                number = int(value.split('"')[1])
                if subject == f"<{STATE}>":
                    counter = number
                else:
                    versions.add(number)
                    n += 1
            last = check(figures, kind, n, min(versions, default=-1), max(versions, default=-2),
                         -3 if counter is None else counter, triples, floor, last)


async def run_async(url: str, token: str, duration: float, readers: int, triples: int,
                    own_addresses: bool, light_share: float = 0.0) -> Figures:
    figures = Figures()
    limits = httpx.Limits(max_connections=4)
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as setup:
        first = await setup.put("/store", params={"graph": GRAPH}, content=graph_body(0, triples),
                                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/n-triples"})
        if first.status_code >= 300:
            raise SystemExit(f"cannot write the benchmark graph: {first.status_code} {first.text[:200]}")
    clients = [httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits,
                                 transport=httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + i}")
                                 if own_addresses else None) for i in range(readers + 1)]
    until = time.monotonic() + duration
    try:
        await asyncio.gather(writer(clients[0], token, triples, until, figures),
                             *(reader(clients[i + 1], triples, until, figures, i, light_share) for i in range(readers)))
    finally:
        for client in clients:
            await client.aclose()
    return figures


def run(url: str, token: str, duration: float = 60, readers: int = 16, triples: int = 100,
        own_addresses: bool = True, light_share: float = 0.0) -> dict[str, object]:
    """Run the load against a server already up; the figures as a dict (see Figures.summary). `light_share` of the
    reads (0 by default, the mix the figures were first measured with) are one-pattern counter reads."""
    host = urlparse(url).hostname or ""
    if not (host == "localhost" or ipaddress.ip_address(host).is_loopback):
        raise SystemExit(f"refusing to load {host}: this benchmark only targets loopback addresses")
    started = time.monotonic()
    figures = asyncio.run(run_async(url, token, duration, readers, triples, own_addresses, light_share))
    summary = figures.summary(time.monotonic() - started)
    summary["first_errors"] = figures.errors[:5]
    summary["first_violations"] = figures.violations[:5]
    return summary


@contextmanager
def own_server(shipped: bool):
    """A `chainkg serve` on a fresh store in a temporary directory, on a free loopback port, with a write token."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = os.urandom(16).hex()
    with tempfile.TemporaryDirectory(prefix="chainkg-bench-") as directory:
        env = {**os.environ, "CHAINKG_STORE": f"{directory}/store", "CHAINKG_PORT": str(port),
               "CHAINKG_WRITE_TOKEN": token, "CHAINKG_LOAD_SHIPPED": str(shipped).lower(),
               "CHAINKG_ACCESS_LOG": "false"}
        with open(f"{directory}/server.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "chainkg.cli", "serve"], env=env, cwd=REPO,
                                       stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start:\n" + Path(f"{directory}/server.log").read_text())
                time.sleep(0.2)
            yield url, token
        finally:
            process.terminate()
            process.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--triples", type=int, default=100, help="triples the writer replaces at each write")
    parser.add_argument("--url", help="a running server on loopback (default: start one on a fresh store)")
    parser.add_argument("--token", help="its write token (with --url)")
    parser.add_argument("--no-shipped", action="store_true", help="own server: do not load the shipped graph")
    parser.add_argument("--same-address", action="store_true",
                        help="all readers from 127.0.0.1 (one client to the per-client cap)")
    parser.add_argument("--light-share", type=float, default=0.0,
                        help="share of reads that are a one-pattern counter read (the light path; default 0)")
    args = parser.parse_args(argv)
    if args.url:
        summary = run(args.url, args.token or "", args.duration, args.readers, args.triples, not args.same_address,
                      args.light_share)
    else:
        with own_server(not args.no_shipped) as (url, token):
            summary = run(url, token, args.duration, args.readers, args.triples, not args.same_address,
                          args.light_share)
    for key, value in summary.items():
        if key == "by_kind":
            for kind, figures in value.items():
                print(f"  {kind:<18} {figures}")
        else:
            print(f"{key:<16} {value}")
    if summary["errors"] or summary["violations"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
