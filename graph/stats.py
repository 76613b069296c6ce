"""Counts that say how big and how well-sourced the graph is: entities per class, facts, provenance share."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.namespaces import CK
from chainkg.graph.store import KnowledgeGraph


@dataclass(frozen=True)
class GraphStats:
    entities_per_class: dict[str, int]
    facts: int
    facts_with_provenance: int
    facts_with_quote: int
    unsourced_default_graph: int
    quads: int = field(default=0)

    @property
    def entities(self) -> int:
        return sum(self.entities_per_class.values())

    @property
    def provenance_share(self) -> float:
        """Share of all facts (including any in the store's bare default graph) that have a source."""
        total = self.facts + self.unsourced_default_graph
        return self.facts_with_provenance / total if total else 1.0

    def count(self, local_name: str) -> int:
        return self.entities_per_class.get(local_name, 0)


def compute(kg: KnowledgeGraph) -> GraphStats:
    per_class = {
        row["class"].value.removeprefix(CK): int(row["count"].value)
        for row in queries.rows(kg, "entities_per_class")
    }
    provenance = queries.rows(kg, "fact_provenance")[0]
    bare = queries.rows(kg, "default_graph_size", own=kg.own)[0]
    return GraphStats(
        entities_per_class=per_class,
        facts=_int(provenance.get("facts")),
        facts_with_provenance=_int(provenance.get("withProvenance")),
        facts_with_quote=_int(provenance.get("withQuote")),
        unsourced_default_graph=_int(bare["triples"]),
        quads=len(kg),
    )


def _int(term: ox.Literal | None) -> int:
    return int(term.value) if term is not None else 0
