"""A synthetic regional economy in chainkg's ontology, deterministic from a seed, for benchmarks and scale tests.

Districts with parks and buildings, clusters, chains with ordered segments, companies placed in parks and segments,
designated chain leaders and leading enterprises, listed firms, heavy-tailed supplier edges (a few customers draw
most suppliers, and a few suppliers serve many: both degree distributions are power laws), supporting firms,
yearly revenue statistics, events (signings, investments, openings… with date, participants and place) and
provenance graphs. About 18 triples per company: `--companies 55000` gives roughly one million triples, and
`--triples N` picks the company count for you. Nothing here reads the store; it only writes N-Quads.

    python -m bench.generate --triples 1000000 --out bench/out/synthetic-1m.nq
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

CK = "https://w3id.org/chainkg/ontology#"
MEASURE = "https://w3id.org/chainkg/ontology/measure/"
UNIT = "https://w3id.org/chainkg/ontology/unit/"
STATUS = "https://w3id.org/chainkg/ontology/status/"
PERIOD = "https://w3id.org/chainkg/ontology/period/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
POSITIONS = ("Upstream", "Upstream", "Midstream", "Midstream", "Downstream", "Downstream")
YEARS = (2021, 2022, 2023)
EVENT_KINDS = ("Signing", "Investment", "Opening", "ProductionStart", "ConstructionStart", "CooperationAgreement",
               "Award", "Arrival")
EVENT_NAMES = {"Signing": ("签约", "signs"), "Investment": ("投资", "invests"), "Opening": ("开业", "opens"),
               "ProductionStart": ("投产", "starts production"), "ConstructionStart": ("开工", "starts construction"),
               "CooperationAgreement": ("合作", "agrees to cooperate"), "Award": ("获奖", "is awarded"),
               "Arrival": ("落户", "arrives")}
DCTERMS_DATE = "http://purl.org/dc/terms/date"
TRIPLES_PER_COMPANY = 18.3  # measured: nquads(companies=50_000) gives 914,089 lines

DISTRICTS_PER_COMPANY = 1 / 3000  # 20 districts at 60,000 companies
PARKS_PER_DISTRICT = 8
BUILDINGS_PER_PARK = 3
CLUSTERS_PER_DISTRICT = 5
CHAINS_PER_DISTRICT = 3
SEGMENTS_PER_CHAIN = 6
COMPANIES_PER_PROVENANCE_GRAPH = 1000


def nquads(companies: int = 60_000, seed: int = 1, base_iri: str = "https://w3id.org/chainkg/") -> Iterator[str]:
    """N-Quads lines of a synthetic economy with `companies` firms; the same arguments give the same lines.

    >>> lines = list(nquads(companies=200, seed=7))
    >>> lines == list(nquads(companies=200, seed=7)), 4000 < len(lines) < 8000
    (True, True)
    """
    rng = random.Random(seed)
    e = base_iri + "id/"
    registry = f"<{base_iri}id/quote/synthetic-registry>"
    provenance = f"<{base_iri}graph/provenance>"

    def iri(local: str) -> str:
        return f"<{e}{local}>"

    def lit(text: str, lang: str) -> str:
        return f'"{text}"@{lang}'

    def typed(value: object, datatype: str) -> str:
        return f'"{value}"^^<{XSD}{datatype}>'

    def names(node: str, zh: str, en: str, graph: str) -> Iterator[str]:
        yield f"{node} <{SKOS}prefLabel> {lit(zh, 'zh-Hans')} {graph} ."
        yield f"{node} <{SKOS}prefLabel> {lit(en, 'en')} {graph} ."

    def fact(s: str, p: str, o: str, graph: str) -> str:
        return f"{s} <{p}> {o} {graph} ."

    yield fact(registry, RDF_TYPE, f"<{CK}CuratorNote>", provenance)
    yield fact(f"<{e}chongqing>", RDF_TYPE, f"<{CK}Municipality>", registry)
    yield from names(f"<{e}chongqing>", "重庆市", "Chongqing", registry)

    n_districts = max(2, round(companies * DISTRICTS_PER_COMPANY))
    districts, parks_of, chains_of, segments_of, cluster_of_chain = [], {}, {}, {}, {}
    for d in range(n_districts):
        district = iri(f"syn-district-{d}")
        districts.append(district)
        yield fact(district, RDF_TYPE, f"<{CK}District>", registry)
        yield fact(district, SCHEMA + "containedInPlace", f"<{e}chongqing>", registry)
        yield from names(district, f"合成区{d}", f"Synthetic District {d}", registry)
        parks_of[district] = []
        for p in range(PARKS_PER_DISTRICT):
            park = iri(f"syn-park-{d}-{p}")
            parks_of[district].append(park)
            yield fact(park, RDF_TYPE, f"<{CK}IndustrialPark>", registry)
            yield fact(park, SCHEMA + "containedInPlace", district, registry)
            yield from names(park, f"合成园区{d}-{p}", f"Synthetic Park {d}-{p}", registry)
            for b in range(BUILDINGS_PER_PARK):
                building = iri(f"syn-building-{d}-{p}-{b}")
                parks_of[district].append(building)
                yield fact(building, RDF_TYPE, f"<{CK}Building>", registry)
                yield fact(building, SCHEMA + "containedInPlace", park, registry)
                yield from names(building, f"合成楼宇{d}-{p}-{b}", f"Synthetic Building {d}-{p}-{b}", registry)
        clusters = []
        for c in range(CLUSTERS_PER_DISTRICT):
            cluster = iri(f"syn-cluster-{d}-{c}")
            clusters.append(cluster)
            yield fact(cluster, RDF_TYPE, f"<{CK}IndustryCluster>", registry)
            yield fact(cluster, CK + "clusterOf", district, registry)
            yield from names(cluster, f"合成集群{d}-{c}", f"Synthetic Cluster {d}-{c}", registry)
            for year in YEARS:
                yield from statistic(f"syn-cluster-{d}-{c}-{year}", cluster, rng.uniform(50, 900), "yi-yuan", year,
                                     e, registry, measure="revenue")
        chains_of[district] = []
        for k in range(CHAINS_PER_DISTRICT):
            chain = iri(f"syn-chain-{d}-{k}")
            chains_of[district].append(chain)
            cluster_of_chain[chain] = clusters[k % len(clusters)]
            yield fact(chain, RDF_TYPE, f"<{CK}IndustryChain>", registry)
            yield fact(chain, CK + "chainOf", district, registry)
            yield fact(chain, CK + "inCluster", cluster_of_chain[chain], registry)
            yield from names(chain, f"合成产业链{d}-{k}", f"Synthetic Chain {d}-{k}", registry)
            segments = [iri(f"syn-seg-{d}-{k}-{s}") for s in range(SEGMENTS_PER_CHAIN)]
            segments_of[chain] = segments
            for s, segment in enumerate(segments):
                yield fact(segment, RDF_TYPE, f"<{CK}ChainSegment>", registry)
                yield fact(segment, CK + "segmentOf", chain, registry)
                yield fact(segment, CK + "order", typed(s + 1, "integer"), registry)
                yield fact(segment, CK + "position", f"<{CK}{POSITIONS[s]}>", registry)
                if s + 1 < len(segments):
                    yield fact(segment, CK + "nextSegment", segments[s + 1], registry)
                yield from names(segment, f"合成环节{d}-{k}-{s}", f"Synthetic Segment {d}-{k}-{s}", registry)

    all_chains = [chain for district in districts for chain in chains_of[district]]
    members: dict[str, list[str]] = {chain: [] for chain in all_chains}
    for i in range(companies):
        graph = f"<{base_iri}id/quote/synthetic-{i // COMPANIES_PER_PROVENANCE_GRAPH}>"
        if i % COMPANIES_PER_PROVENANCE_GRAPH == 0:
            yield fact(graph, RDF_TYPE, f"<{CK}CuratorNote>", provenance)
        company = iri(f"syn-co-{i}")
        district = districts[rng.randrange(n_districts)]
        # most firms work in one of their own district's chains, some in a chain elsewhere
        chain = rng.choice(chains_of[district]) if rng.random() < 0.8 else rng.choice(all_chains)
        members[chain].append(company)
        yield fact(company, RDF_TYPE, f"<{CK}Company>", graph)
        yield from names(company, f"合成企业{i}", f"Synthetic Company {i}", graph)
        yield fact(company, CK + "locatedIn", district, graph)
        if rng.random() < 0.8:
            yield fact(company, CK + "hostedIn", rng.choice(parks_of[district]), graph)
        if rng.random() < 0.9:
            yield fact(company, CK + "inSegment", rng.choice(segments_of[chain]), graph)
        yield fact(company, CK + "inChain", chain, graph)
        yield fact(company, CK + "memberOfCluster", cluster_of_chain[chain], graph)
        if rng.random() < 0.03:
            yield fact(company, CK + "isListedCompany", typed("true", "boolean"), graph)
        for year in YEARS[-2:]:
            if rng.random() < 0.45:
                yield from statistic(f"syn-co-{i}-{year}", company, rng.lognormvariate(1, 1.5), "yi-yuan", year,
                                     e, graph, measure="revenue")
        if rng.random() < 0.15:  # an event: a firm signs, invests, opens… somewhere, on a date, sometimes with another
            kind = EVENT_KINDS[int(len(EVENT_KINDS) * rng.random() ** 2)]
            event = f"<{e}event/syn-{i}>"
            zh, en = EVENT_NAMES[kind]
            yield fact(event, RDF_TYPE, f"<{CK}{kind}>", graph)
            yield from names(event, f"合成企业{i}{zh}", f"Synthetic Company {i} {en}", graph)
            yield fact(event, DCTERMS_DATE, typed(f"{rng.choice(YEARS)}-{rng.randint(1, 12):02d}", "gYearMonth"), graph)
            yield fact(event, CK + "participant", company, graph)
            yield fact(event, CK + "eventPlace", district, graph)
            if i and rng.random() < 0.4:
                yield fact(event, CK + "participant", iri(f"syn-co-{rng.randrange(i)}"), graph)

    # Designations, supplier edges and supporting firms, chain by chain; the first members are the big customers.
    for c, chain in enumerate(all_chains):
        firms = members[chain]
        if not firms:
            continue
        graph = f"<{base_iri}id/quote/synthetic-chain-{c}>"
        yield fact(graph, RDF_TYPE, f"<{CK}CuratorNote>", provenance)
        yield fact(firms[0], CK + "chainLeaderOf", chain, graph)
        for firm in firms[1:3]:
            yield fact(firm, CK + "leadingEnterpriseOf", chain, graph)
        for supplier in firms:
            # out-degree: Pareto (most firms supply one or two customers, a few supply dozens)
            for _ in range(min(int(rng.paretovariate(1.6)), 200)):
                customer = firms[min(int(len(firms) * rng.random() ** 3), len(firms) - 1)]
                if customer != supplier:
                    yield fact(supplier, CK + "supplies", customer, graph)
            if rng.random() < 0.05 and supplier is not firms[0]:
                yield fact(supplier, CK + "supportingCompanyOf", firms[min(int(3 * rng.random()), len(firms) - 1)], graph)


def statistic(local: str, subject: str, value: float, unit: str, year: int, e: str, graph: str,
              *, measure: str) -> Iterator[str]:
    """One ck:Statistic: an actual full-year figure."""
    node = f"<{e}stat/{local}>"
    xsd = XSD
    yield f"{node} <{RDF_TYPE}> <{CK}Statistic> {graph} ."
    yield f"{node} <{CK}statSubject> {subject} {graph} ."
    yield f"{node} <{CK}measure> <{MEASURE}{measure}> {graph} ."
    yield f'{node} <{CK}value> "{value:.2f}"^^<{xsd}decimal> {graph} .'
    yield f"{node} <{CK}unit> <{UNIT}{unit}> {graph} ."
    yield f'{node} <{CK}year> "{year}"^^<{xsd}gYear> {graph} .'
    yield f"{node} <{CK}periodKind> <{PERIOD}full-year> {graph} ."
    yield f"{node} <{CK}status> <{STATUS}actual> {graph} ."


def companies_for(triples: int) -> int:
    """How many companies give about `triples` triples.

    >>> companies_for(1_000_000)
    54645
    """
    return max(50, round(triples / TRIPLES_PER_COMPANY))


def load(kg, companies: int = 60_000, seed: int = 1) -> int:
    """Load the ontology and a synthetic economy into a (fresh) knowledge graph; returns the number of quads."""
    import pyoxigraph as ox

    from chainkg.graph import loader

    ontology_files, _ = loader.shipped_files(kg)
    kg.add([q for f in ontology_files for q in loader.parse_file(f, base_iri=kg.settings.base_iri, graph=kg.names.ontology)])
    data = "\n".join(nquads(companies, seed, kg.settings.base_iri)).encode()
    kg.add(ox.parse(data, format=ox.RdfFormat.N_QUADS))  # through the graph, so the merge holds them too
    return len(kg)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=None, help="number of firms (55,000 ≈ 1 M triples)")
    parser.add_argument("--triples", type=int, default=None, help="about this many triples (sets --companies)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-iri", default="https://w3id.org/chainkg/")
    parser.add_argument("--out", type=Path, help="N-Quads file to write (default: standard output)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    companies = args.companies or companies_for(args.triples or 1_000_000)
    lines = nquads(companies, args.seed, args.base_iri)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as out:
            count = sum(out.write(line + "\n") > 0 for line in lines)
    else:
        count = sum(sys.stdout.write(line + "\n") > 0 for line in lines)
    print(f"{count:,} quads in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
