"""Chain gap analysis (补链) of a place: for every chain that concerns a district or park, each segment's status
(covered, fragile, missing or unknown) and local firms — the investment-promotion (招商) target list.

The per-chain work is graph/chainmap.py (a gap report *is* the chain map seen from the place); this module picks
the chains of a place and lays them out as chains × segments. Reads the store only, through named queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.chainmap import (COVERED, FRAGILE, MISSING, UNKNOWN, ChainMap, Named, chain_map, home_place,
                                    named_entity)
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.views import UnknownEntity, require

__all__ = ["COVERED", "FRAGILE", "MISSING", "UNKNOWN", "PlaceGaps", "chain_gaps", "gaps_of_place"]


def chain_gaps(kg: KnowledgeGraph, chain_iri: str, place_iri: str | None = None) -> ChainMap:
    """Gaps of one chain in a place (default: the place the chain belongs to, ck:chainOf).

    >>> from chainkg.graph import loader
    >>> kg = KnowledgeGraph.in_memory(); _ = loader.load_shipped(kg)
    >>> e = kg.settings.base_iri + "id/"
    >>> report = chain_gaps(kg, e + "composites-chain")
    >>> report.place.label_en, [s.status for s in report.segments][:2]
    ('Dadukou District', ['fragile', 'fragile'])
    """
    return chain_map(kg, chain_iri, place_iri)


@dataclass(frozen=True)
class PlaceGaps:
    """Every chain that concerns a place, each seen from it; `counts` tallies the segments by status."""

    place: Named
    chains: list[ChainMap]

    @property
    def counts(self) -> dict[str, int]:
        tally = dict.fromkeys((COVERED, FRAGILE, MISSING, UNKNOWN), 0)
        for report in self.chains:
            for segment in report.segments:
                tally[segment.status] += 1
        return tally


def gaps_of_place(kg: KnowledgeGraph, place_iri: str) -> PlaceGaps:
    """Gaps of every chain that concerns a place (its own chains, its district's, or those of areas inside it).

    >>> from chainkg.graph import loader
    >>> kg = KnowledgeGraph.in_memory(); _ = loader.load_shipped(kg)
    >>> report = gaps_of_place(kg, kg.settings.base_iri + "id/banan")
    >>> [c.chain.label_en for c in report.chains][:2]   # its own chains first
    ['Banan new display chain', 'Banan biopharmaceutical chain']
    """
    require(kg, place_iri, "Place")
    chains = [row["chain"].value for row in queries.rows(kg, "chains_of_place", place=ox.NamedNode(place_iri))]
    reports = [chain_map(kg, chain, place_iri) for chain in chains]
    place = reports[0].place if reports else named_entity(kg, place_iri)
    own = {chain for chain in chains if _is_own(kg, chain, place_iri)}
    # the place's own chains first (a park's are its district's), wider ones (the city's) after; no segments last
    reports.sort(key=lambda r: (not r.segments, r.chain.iri not in own, r.chain.label_zh))
    return PlaceGaps(place, reports)




def _within(kg: KnowledgeGraph, place_iri: str) -> set[str]:
    return {row["inner"].value for row in queries.rows(kg, "places_within", place=ox.NamedNode(place_iri))}


def _is_own(kg: KnowledgeGraph, chain_iri: str, place_iri: str) -> bool:
    """The chain's own place (its innermost ck:chainOf) lies within the place, or the place within it."""
    try:
        home = home_place(kg, chain_iri)
    except UnknownEntity:
        return False
    return home in _within(kg, place_iri) or place_iri in _within(kg, home)
