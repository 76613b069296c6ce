"""Chain gap analysis (补链): which segments of a chain have no organisation in a place, which have only one, and who
elsewhere in the graph works in them — the investment-promotion (招商) target list.

Reads the store through named queries (graph/queries/segment_coverage.rq, chain_members.rq, places_within.rq)
and never writes it. "Local" means sitting in the place, or in a park, building or area inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.namespaces import CK
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.views import UnknownEntity, describe, innermost, local_name, require

MISSING, FRAGILE, COVERED = "missing", "fragile", "covered"


@dataclass(frozen=True)
class Named:
    """An entity with its names and kind, as a report lists it."""

    iri: str
    label_zh: str
    label_en: str
    kind: str


@dataclass(frozen=True)
class Organisation(Named):
    """An organisation or project working in a segment, with the places it sits in (its own, not their parents)."""

    where: tuple[Named, ...] = ()


@dataclass(frozen=True)
class SegmentGap:
    """One segment of a chain as seen from a place: `status` is missing (no local organisation), fragile (exactly
    one) or covered; `targets` are organisations known to sit elsewhere that work in it (missing and fragile
    segments only), at most the setting gap_max_targets, with the rest counted in `targets_omitted`; `unlocated`
    work in it but the graph does not say where they sit (they may be local: check before counting a gap)."""

    segment: Named
    order: int | None
    position: str | None
    status: str
    local: list[Organisation]
    targets: list[Organisation] = field(default_factory=list)
    targets_omitted: int = 0
    unlocated: list[Organisation] = field(default_factory=list)


@dataclass(frozen=True)
class ChainGaps:
    """A chain's segments seen from a place, in chain order, and the local members placed in no segment (their
    segments are unknown to the graph, so a missing segment may be a gap in the data rather than in the place)."""

    chain: Named
    place: Named
    segments: list[SegmentGap]
    unplaced: list[Organisation]

    @property
    def missing(self) -> list[SegmentGap]:
        return [s for s in self.segments if s.status == MISSING]

    @property
    def fragile(self) -> list[SegmentGap]:
        return [s for s in self.segments if s.status == FRAGILE]


def chain_gaps(kg: KnowledgeGraph, chain_iri: str, place_iri: str | None = None) -> ChainGaps:
    """Gaps of one chain in a place (default: the place the chain belongs to, ck:chainOf).

    >>> from bench.generate import load
    >>> kg = KnowledgeGraph.in_memory(); _ = load(kg, companies=300)
    >>> e = kg.settings.base_iri + "id/"
    >>> report = chain_gaps(kg, e + "syn-chain-0-0")
    >>> report.place.label_en, [s.order for s in report.segments]
    ('Synthetic District 0', [1, 2, 3, 4, 5, 6])
    """
    require(kg, chain_iri, "IndustryChain")
    if place_iri is None:
        own = [q.object.value for q in kg.match(ox.NamedNode(chain_iri), ox.NamedNode(CK + "chainOf"), None)
               if isinstance(q.object, ox.NamedNode)]
        place_iri = innermost(kg, own)
        if place_iri is None:
            raise UnknownEntity(f"the chain {chain_iri} belongs to no place (ck:chainOf); name the place to look at")
    else:
        require(kg, place_iri, "Place")
    chain = {"chain": ox.NamedNode(chain_iri)}
    # Local = one of its own places lies within the place. The places within are few (a district's parks and
    # buildings), so they are listed once rather than walking up from every firm (25 s at 1 M triples).
    within = {row["inner"].value for row in kg.select(queries.text("places_within"), place=ox.NamedNode(place_iri))}

    segments: dict[str, dict[str, set[str]]] = {}  # segment → organisation → its own places
    for row in kg.select(queries.text("segment_coverage"), **chain):
        companies = segments.setdefault(row["segment"].value, {})
        if "company" in row:
            where = companies.setdefault(row["company"].value, set())
            if "where" in row:
                where.add(row["where"].value)
    members: dict[str, set[str]] = {}
    for row in kg.select(queries.text("chain_members"), **chain):
        if row["placed"].value == "false":
            members.setdefault(row["company"].value, set()).update([row["where"].value] if "where" in row else [])
    unplaced = sorted(c for c, where in members.items() if where & within)

    graph = nx.DiGraph()
    graph.add_nodes_from([chain_iri, place_iri, *segments, *unplaced])
    for companies in segments.values():
        for company, where in companies.items():
            graph.add_node(company)
            graph.add_nodes_from(where)
    describe(kg, graph)
    names = {n: Named(n, a["label_zh"], a["label_en"], a["kind"]) for n, a in graph.nodes(data=True)}

    def organisation(iri: str, where: set[str]) -> Organisation:
        n = names[iri]
        return Organisation(n.iri, n.label_zh, n.label_en, n.kind, tuple(names[w] for w in sorted(where)))

    def by_name(o: Organisation) -> tuple[str, str]:
        return o.label_en, o.iri

    cap = kg.settings.gap_max_targets
    report = []
    for segment, companies in segments.items():
        local = sorted((organisation(c, w) for c, w in companies.items() if w & within), key=by_name)
        status = MISSING if not local else FRAGILE if len(local) == 1 else COVERED
        elsewhere = [] if status == COVERED else sorted(
            (organisation(c, w) for c, w in companies.items() if w and not w & within), key=by_name)
        unlocated = sorted((organisation(c, set()) for c, w in companies.items() if not w), key=by_name)
        attributes = graph.nodes[segment]
        report.append(SegmentGap(names[segment], attributes.get("order"), attributes.get("position"), status, local,
                                 elsewhere[:cap], max(0, len(elsewhere) - cap), unlocated))
    report.sort(key=lambda s: (s.order is None, s.order or 0, s.segment.label_en))
    return ChainGaps(names[chain_iri], names[place_iri], report, [organisation(c, set()) for c in unplaced])


def gaps_of_place(kg: KnowledgeGraph, place_iri: str) -> list[ChainGaps]:
    """Gaps of every chain that concerns a place (its own chains, its district's, or those of areas inside it).

    >>> from bench.generate import load
    >>> kg = KnowledgeGraph.in_memory(); _ = load(kg, companies=300)
    >>> [local_name(g.chain.iri) for g in gaps_of_place(kg, kg.settings.base_iri + "id/syn-park-0-0")]
    ['syn-chain-0-0', 'syn-chain-0-1', 'syn-chain-0-2']
    """
    require(kg, place_iri, "Place")
    chains = [row["chain"].value for row in kg.select(queries.text("chains_of_place"), place=ox.NamedNode(place_iri))]
    return [chain_gaps(kg, chain, place_iri) for chain in chains]
