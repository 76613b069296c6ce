"""Anchor ranking: which organisations anchor an industry chain, with every part of the score shown beside the total.

A score is a weighted sum of components, each scaled to 0–1 within the chain, so a reader can see why a firm ranks
where it does and re-weigh it (settings anchor_weight_*; README "Anchor ranking" gives the method and its limits).
Nothing here writes the store or knows about HTTP; the SPARQL is in graph/queries/*.rq.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import networkx as nx
import pyoxigraph as ox

from graph import queries
from graph.settings import Settings
from graph.store import KnowledgeGraph
from graph.views import describe, latest_sizes, list_chains, local_name, require, select_for

# The components in the order they are reported; each has a weight setting anchor_weight_<name>.
COMPONENTS = (
    "chain_leader", "leading_enterprise", "listed", "supplier_fan_in", "supporting_firms", "pagerank", "size",
)
# Relations that make up a chain's supplier network, each drawn from the one who serves to the one served.
SUPPLIER_RELATIONS = ("supplies", "supportingCompanyOf", "broughtInBy")
# Relations by which a firm counts as a supporting firm (配套) or project an anchor brought in (带动落户).
SUPPORT_RELATIONS = ("supportingCompanyOf", "broughtInBy")


@dataclass(frozen=True)
class Weights:
    """How much each component counts; read from the settings anchor_weight_* unless given."""

    chain_leader: float = 4.0
    leading_enterprise: float = 2.0
    listed: float = 1.0
    supplier_fan_in: float = 1.0
    supporting_firms: float = 2.0
    pagerank: float = 1.0
    size: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Weights:
        """
        >>> Weights.from_settings(Settings(anchor_weight_listed=0.5)).listed
        0.5
        """
        return cls(**{f.name: getattr(settings, f"anchor_weight_{f.name}") for f in fields(cls)})

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in COMPONENTS}


@dataclass(frozen=True)
class Component:
    """One part of a score: what was measured (`value`), its 0–1 `score` within the chain, the `weight`, and
    `points` = score × weight. `basis` says in words what the value is (e.g. the figure's year and unit)."""

    value: float | int | bool | str | None
    score: float
    weight: float
    basis: str = ""

    @property
    def points(self) -> float:
        return self.score * self.weight


@dataclass(frozen=True)
class Anchor:
    """One ranked organisation: its total, every component of it, and how it is tied to the chain."""

    iri: str
    label_zh: str
    label_en: str
    kind: str
    rank: int
    total: float
    components: dict[str, Component]
    links: tuple[str, ...]
    roles: tuple[str, ...]


@dataclass(frozen=True)
class AnchorRanking:
    """A chain's anchors, best first (`anchors` may be cut by a limit; `candidates` counts them all)."""

    chain: str
    label_zh: str
    label_en: str
    weights: Weights
    anchors: list[Anchor] = field(default_factory=list)
    candidates: int = 0


def rank_anchors(kg: KnowledgeGraph, chain_iri: str, weights: Weights | None = None,
                 limit: int | None = None) -> AnchorRanking:
    """Rank the organisations that could anchor a chain: its members, its designated leaders, and the anchors its
    members support or were brought in by.

    Components (each 0–1, times its weight): chain_leader — designated 链主 of the chain; leading_enterprise — 龙头
    of the chain (1) or of its cluster (0.5); listed — a listed company; supplier_fan_in — suppliers among the
    chain's candidates, over the chain's highest; supporting_firms — supporting firms (配套) and projects it brought
    in, anywhere, over the chain's highest; pagerank — PageRank on the chain's supplier network (supplier → customer,
    supporting firm → anchor), over the highest, 0 for firms with no link; size — latest actual revenue (else output
    value) in yuan, over the chain's largest, 0 where unknown.

    >>> from bench.generate import load
    >>> kg = KnowledgeGraph.in_memory(); _ = load(kg, companies=300)
    >>> ranking = rank_anchors(kg, kg.settings.base_iri + "id/syn-chain-0-0", limit=1)
    >>> top = ranking.anchors[0]
    >>> top.rank, top.components["chain_leader"].value, round(top.total, 6) == round(sum(c.points for c in top.components.values()), 6)
    (1, True, True)
    """
    require(kg, chain_iri, "IndustryChain")
    weights = weights or Weights.from_settings(kg.settings)
    links: dict[str, set[str]] = {}
    for row in kg.select(queries.text("chain_anchor_candidates"), chain=ox.NamedNode(chain_iri)):
        links.setdefault(row["company"].value, set()).add(row["link"].value)
    candidates = set(links)
    network = nx.DiGraph()
    network.add_nodes_from(candidates)
    supporters: dict[str, set[str]] = {c: set() for c in candidates}
    suppliers: dict[str, set[str]] = {c: set() for c in candidates}
    for row in select_for(kg, "supplier_links", sorted(candidates)):
        source, target, relation = row["source"].value, row["target"].value, local_name(row["relation"].value)
        if source == target:
            continue
        if relation in SUPPORT_RELATIONS and target in candidates:
            supporters[target].add(source)
        if relation == "supplies" and target in candidates and source in candidates:
            suppliers[target].add(source)
        if relation in SUPPLIER_RELATIONS and source in candidates and target in candidates:
            if network.has_edge(source, target):
                network.edges[source, target]["relations"].append(relation)
            else:
                network.add_edge(source, target, relations=[relation])
    network.add_node(chain_iri)  # described with the candidates, for its names; it has no supplier links
    describe(kg, network, context={chain_iri})
    zh, en = network.nodes[chain_iri]["label_zh"], network.nodes[chain_iri]["label_en"]
    if not candidates:
        return AnchorRanking(chain_iri, zh, en, weights, [], 0)
    sizes = latest_sizes(kg, sorted(candidates))

    linked = network.subgraph(n for n in network if network.degree(n) > 0)
    pagerank = nx.pagerank(linked) if linked.number_of_edges() else {}
    yuan = {n: f.yuan for n, f in sizes.items() if f.yuan is not None}
    most = {
        "supplier_fan_in": max((len(s) for s in suppliers.values()), default=0),
        "supporting_firms": max((len(s) for s in supporters.values()), default=0),
        "pagerank": max(pagerank.values(), default=0.0),
        "size": max(yuan.values(), default=0.0),
    }

    def relative(value: float, name: str) -> float:
        return value / most[name] if most[name] else 0.0

    scored = []
    for company in candidates:
        tie = links[company]
        leading = 1.0 if "leading-enterprise" in tie else 0.5 if "leading-enterprise-of-cluster" in tie else 0.0
        attributes = network.nodes[company]
        listed = "listed" in attributes["roles"]
        figure = sizes.get(company)
        components = {
            "chain_leader": Component("chain-leader" in tie, float("chain-leader" in tie), weights.chain_leader,
                                      "designated 链主 of this chain"),
            "leading_enterprise": Component(
                "chain" if leading == 1.0 else "cluster" if leading else None, leading, weights.leading_enterprise,
                "龙头 of this chain (1) or of its cluster (0.5)"),
            "listed": Component(listed, float(listed), weights.listed, "listed company (上市)"),
            "supplier_fan_in": Component(
                len(suppliers[company]), relative(len(suppliers[company]), "supplier_fan_in"), weights.supplier_fan_in,
                f"suppliers within the chain; the chain's most: {most['supplier_fan_in']}"),
            "supporting_firms": Component(
                len(supporters[company]), relative(len(supporters[company]), "supporting_firms"),
                weights.supporting_firms, f"supporting firms and projects brought in; the chain's most: {most['supporting_firms']}"),
            "pagerank": Component(
                round(pagerank.get(company, 0.0), 6), relative(pagerank.get(company, 0.0), "pagerank"), weights.pagerank,
                "PageRank on the chain's supplier network, over the chain's highest"),
            "size": Component(
                figure.yuan if figure and figure.yuan is not None else None,
                relative(figure.yuan, "size") if figure and figure.yuan is not None else 0.0, weights.size,
                f"{figure.measure} {figure.year}: {figure.value:g} {figure.unit_zh or figure.unit_en} (in yuan)"
                if figure else "no revenue or output figure"),
        }
        total = sum(c.points for c in components.values())
        scored.append((company, attributes, total, components, tie))

    scored.sort(key=lambda s: (-round(s[2], 9), s[1]["label_en"], s[0]))
    anchors = [
        Anchor(company, a["label_zh"], a["label_en"], a["kind"], rank, total, components,
               tuple(sorted(tie)), tuple(a["roles"]))
        for rank, (company, a, total, components, tie) in enumerate(scored[:limit] if limit else scored, start=1)
    ]
    return AnchorRanking(chain_iri, zh, en, weights, anchors, len(candidates))


def rank_all(kg: KnowledgeGraph, weights: Weights | None = None, limit: int | None = None) -> list[AnchorRanking]:
    """Every chain's ranking, chains in IRI order."""
    weights = weights or Weights.from_settings(kg.settings)
    return [rank_anchors(kg, chain.iri, weights, limit) for chain in list_chains(kg)]
