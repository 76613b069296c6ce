"""How long views, rankings and gap analyses take on a synthetic economy of about a million triples, and how much of
that is SPARQL: each operation's time is reported beside the raw time of the very queries it ran, and their ratio.

    python -m bench.views                      # 60,000 firms ≈ 1 M triples; medians of 5 runs after a warm-up
    python -m bench.views --companies 6000 --repeat 3 --json var/bench/views.json

The raw time replays the recorded query texts on the same store and reads every row, nothing else; the ratio
(operation ÷ raw SPARQL) is the networkx and Python overhead made visible: 1.0 would mean no overhead at all.
Speed is measured here only, never in unit tests.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from bench.generate import load
from chainkg.graph import gaps, ranking, views
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph


@dataclass(frozen=True)
class Measurement:
    operation: str
    seconds: float             # median wall time of the operation
    sparql_seconds: float      # median wall time of its queries alone
    cpu_seconds: float         # the same two in CPU time of this process
    sparql_cpu_seconds: float
    queries: int
    size: str                  # what it produced (nodes/edges, anchors, segments)
    target: float | None       # the bound in seconds, where it sets one (checked against CPU time)

    @property
    def ratio(self) -> float:
        return self.seconds / self.sparql_seconds if self.sparql_seconds else float("inf")

    @property
    def cpu_ratio(self) -> float:
        return self.cpu_seconds / self.sparql_cpu_seconds if self.sparql_cpu_seconds else float("inf")


class Recorder:
    """Wraps a KnowledgeGraph's query method to keep the texts (and options) of every query an operation runs."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg, self.original, self.calls = kg, kg.query, []

    def __enter__(self) -> Recorder:
        def recording(sparql: str, **options: object):
            self.calls.append((sparql, options))
            return self.original(sparql, **options)

        self.kg.query = recording  # an instance attribute shadows the method, so kg.select goes through it too
        return self

    def __exit__(self, *_: object) -> None:
        del self.kg.query


def replay(kg: KnowledgeGraph, calls: list[tuple[str, dict]]) -> None:
    """Run recorded queries and read every row: the raw SPARQL cost of an operation."""
    for sparql, options in calls:
        result = kg.query(sparql, **options)
        if isinstance(result, ox.QuerySolutions):
            for row in result:
                tuple(row)
        elif isinstance(result, ox.QueryTriples):
            list(result)
        else:
            bool(result)


def median_seconds(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of `repeat` runs after a warm-up. The work is single-threaded, so on an
    idle machine the two agree; on a shared one CPU time is what the code costs and wall time what others cost."""
    run()  # warm-up
    gc.collect()  # start each measurement from the same heap, not from the previous one's garbage
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def measure(kg: KnowledgeGraph, name: str, run: Callable[[], object], size: Callable[[object], str],
            repeat: int, target: float | None = None) -> Measurement:
    with Recorder(kg) as recorder:
        result = run()
    seconds, cpu_seconds = median_seconds(run, repeat)
    sparql_seconds, sparql_cpu_seconds = median_seconds(lambda: replay(kg, recorder.calls), repeat)
    return Measurement(name, seconds, sparql_seconds, cpu_seconds, sparql_cpu_seconds, len(recorder.calls),
                       size(result), target)


def view_size(view: views.View) -> str:
    return f"{view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} edges, {view.omitted} omitted"


def operations(kg: KnowledgeGraph) -> list[tuple[str, Callable[[], object], Callable[[object], str], float | None]]:
    e = kg.settings.base_iri + "id/"
    chain, district, park, leader = e + "syn-chain-0-0", e + "syn-district-0", e + "syn-park-0-0", e + "syn-co-0"
    return [
        ("chain view", lambda: views.chain_view(kg, chain), view_size, 1.0),
        ("rank one chain's anchors", lambda: ranking.rank_anchors(kg, chain),
         lambda r: f"{r.candidates} candidates", 1.0),
        # every candidate of every chain is scored; the API names the first few of each (/api/anchors?limit=5)
        ("rank all chains, top 20 each named", lambda: ranking.rank_all(kg, limit=20),
         lambda rs: f"{len(rs)} chains, {sum(r.candidates for r in rs):,} candidates", 5.0),
        ("rank all chains, every candidate named", lambda: ranking.rank_all(kg),
         lambda rs: f"{sum(len(r.anchors) for r in rs):,} anchors", None),
        ("gaps of one chain in its district", lambda: gaps.chain_gaps(kg, chain),
         lambda g: f"{len(g.segments)} segments, {sum(len(s.local) for s in g.segments)} local", None),
        ("gaps of every chain of a park", lambda: gaps.gaps_of_place(kg, park), lambda gs: f"{len(gs.chains)} chains", None),
        ("district overview", lambda: views.district_overview(kg, district), view_size, None),
        ("park view", lambda: views.park_view(kg, park), view_size, None),
        ("supplier network of a district", lambda: views.supplier_network(kg, district), view_size, None),
        ("a chain leader's suppliers", lambda: views.company_suppliers(kg, leader), view_size, None),
        ("ego network, radius 1", lambda: views.ego_network(kg, leader), view_size, None),
        ("list of chains", lambda: views.list_chains(kg), lambda cs: f"{len(cs)} chains", None),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=60_000, help="synthetic firms (60,000 ≈ 1 M triples)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement, after one warm-up")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    kg = KnowledgeGraph(Settings(store=":memory:"))
    started = time.perf_counter()
    quads = load(kg, companies=args.companies)
    loaded = time.perf_counter() - started
    print(f"{quads:,} quads ({args.companies:,} firms) loaded in memory in {loaded:.1f} s; "
          f"medians of {args.repeat} runs; view_max_nodes {kg.settings.view_max_nodes}\n")
    print("| operation | wall | its SPARQL alone | ratio | CPU | its SPARQL alone | ratio | queries | produced | bound (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    results = []
    for name, run, size, target in operations(kg):
        m = measure(kg, name, run, size, args.repeat, target)
        results.append(m)
        bound = "" if target is None else f"< {target:g} s {'ok' if m.cpu_seconds < target else 'MISSED'}"
        print(f"| {m.operation} | {m.seconds * 1000:,.0f} ms | {m.sparql_seconds * 1000:,.0f} ms | {m.ratio:.2f} | "
              f"{m.cpu_seconds * 1000:,.0f} ms | {m.sparql_cpu_seconds * 1000:,.0f} ms | {m.cpu_ratio:.2f} | "
              f"{m.queries} | {m.size} | {bound} |", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "quads": quads, "companies": args.companies, "repeat": args.repeat, "load_seconds": loaded,
            "results": [{**asdict(m), "ratio": m.ratio, "cpu_ratio": m.cpu_ratio} for m in results],
        }, indent=2, ensure_ascii=False))
    missed = [m.operation for m in results if m.target is not None and m.cpu_seconds >= m.target]
    if missed:
        print(f"\nmissed the bound: {', '.join(missed)}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
