"""What the default graph as a set (graph/merge.py) costs: load and query, against Oxigraph's bag union, one process.

    python -m bench.merge_cost --triples 300000

1. load: a plain `Store.bulk_load` of the generated N-Quads against `KnowledgeGraph.load_native` (each quad and its
   merged triple in one pass of the bulk loader), into fresh on-disk stores, alternating, medians of 3;
2. queries: the bench mix (bench/queries.py) with `use_default_graph_as_union` on the plain store against the
   default graph of the merged one, alternating, medians of 3, with the rows each returns (the mix has no
   triples repeated across graphs, so the rows agree; on the shipped graph they do not).
Only ratios within this run mean anything on a shared machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time

import pyoxigraph as ox

from bench import generate, run
from bench.queries import MIX
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph


def load_plain(path, directory: str) -> ox.Store:
    store = ox.Store(directory)
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    store.flush()
    return store


def load_merged(path, directory: str) -> ox.Store:
    kg = KnowledgeGraph(Settings(store=directory, load_shipped=False))
    kg.load_native([(path, ox.RdfFormat.N_QUADS)])
    return kg.store


def timed_loads(path, work: str, repeats: int = 3) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"plain": [], "merge": []}
    for _ in range(repeats):
        for name, load in (("plain", load_plain), ("merge", load_merged)):
            directory = tempfile.mkdtemp(dir=work)
            started = time.perf_counter()
            store = load(path, directory)
            times[name].append(time.perf_counter() - started)
            del store
            shutil.rmtree(directory)
    return times


def parameters(store: ox.Store, per_query: int = 5) -> dict[str, list[str]]:
    base = "https://w3id.org/chainkg/id/"
    leaders = sorted(r["l"].value for r in store.query(
        "SELECT DISTINCT ?l WHERE { ?l <https://w3id.org/chainkg/ontology#chainLeaderOf> ?c }"))
    companies = int(next(iter(store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/chainkg/ontology#Company> }")))["n"].value)
    districts = max(2, round(companies * generate.DISTRICTS_PER_COMPANY))
    return {"company": [f"{base}syn-co-{i}" for i in range(0, companies, max(1, companies // per_query))][:per_query],
            "park": [f"{base}syn-park-{d % districts}-{d % generate.PARKS_PER_DISTRICT}" for d in range(per_query)],
            "leader": leaders[:: max(1, len(leaders) // per_query)][:per_query]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=300_000)
    args = parser.parse_args(argv)
    path, count = run.make_data(args.triples, 7)
    work = tempfile.mkdtemp(prefix="merge-cost-")
    try:
        loads = timed_loads(path, work)
        plain_s, merge_s = statistics.median(loads["plain"]), statistics.median(loads["merge"])
        print(f"{count:,} quads. load: plain bulk_load {plain_s:.2f} s, with the merge {merge_s:.2f} s: "
              f"{merge_s / plain_s:.2f}×")
        plain, merged = load_plain(path, tempfile.mkdtemp(dir=work)), load_merged(path, tempfile.mkdtemp(dir=work))
        values = parameters(merged)
        for query in MIX:
            texts = query.texts(values)
            times: dict[str, list[float]] = {"union": [], "merge": []}
            rows: dict[str, int] = {}
            for _ in range(3):
                for name, store, options in (("union", plain, {"use_default_graph_as_union": True}), ("merge", merged, {})):
                    started = time.perf_counter()
                    rows[name] = sum(sum(1 for _ in store.query(text, **options)) for text in texts)
                    times[name].append(time.perf_counter() - started)
            union_s, merge_s = statistics.median(times["union"]), statistics.median(times["merge"])
            print(f"{query.name:32s} union {union_s * 1000:8.1f} ms  merge {merge_s * 1000:8.1f} ms  "
                  f"merge ÷ union {merge_s / union_s:5.2f}  rows {rows['union']} / {rows['merge']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
