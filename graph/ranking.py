"""Anchor ranking: which organisations anchor an industry chain, with every part of the score shown beside the total.

A score is a weighted sum of components, each scaled to 0–1 within the chain, so a reader can see why a firm ranks
where it does and re-weigh it (settings anchor_weight_*; README "Anchor ranking" gives the method and its limits).
Nothing here writes the store or knows about HTTP; the SPARQL is in graph/queries/*.rq.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

import networkx as nx
import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.labels import VALUES_SLOT
from chainkg.graph.namespaces import CK
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph, bind_parameters
from chainkg.graph.views import Figure, describe, latest_sizes, local_name, require, select_for

# The components in the order they are reported; each has a weight setting anchor_weight_<name>.
COMPONENTS = (
    "chain_leader", "leading_enterprise", "listed", "supplier_fan_in", "supporting_firms", "pagerank", "size",
)
# Relations that make up a chain's supplier network, each drawn from the one who serves to the one served.
SUPPLIER_RELATIONS = ("supplies", "supportingCompanyOf", "broughtInBy")
# Relations by which a firm counts as a supporting firm (配套) or project an anchor brought in (带动落户).
SUPPORT_RELATIONS = ("supportingCompanyOf", "broughtInBy")
RELATION_NAMES = {CK + name: name for name in SUPPLIER_RELATIONS}


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
    members support or were brought in by. Best first; ties in IRI order.

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
    links = {chain_iri: _candidates(kg, chain_iri)}
    candidates = sorted(links[chain_iri])
    rows = select_for(kg, "supplier_links", candidates)
    evidence = _evidence(
        links, ((r["source"].value, local_name(r["relation"].value), r["target"].value) for r in rows),
        listed={r["node"].value for r in select_for(kg, "view_node_roles", candidates) if r["role"].value == "listed"},
        sizes=latest_sizes(kg, candidates),
    )
    return _named(kg, [_rank(chain_iri, links[chain_iri], evidence, weights, limit)])[0]


def rank_all(kg: KnowledgeGraph, weights: Weights | None = None, limit: int | None = None) -> list[AnchorRanking]:
    """Every chain's ranking, chains in IRI order: the same as rank_anchors chain by chain, but the supplier links,
    listings and sizes of the whole graph are read once, and gone through once, rather than once per chain.

    >>> from bench.generate import load
    >>> kg = KnowledgeGraph.in_memory(); _ = load(kg, companies=300)
    >>> [(r.label_en, r.anchors[0].components["chain_leader"].value) for r in rank_all(kg, limit=1)][:2]
    [('Synthetic Chain 0-0', True), ('Synthetic Chain 0-1', True)]
    """
    weights = weights or Weights.from_settings(kg.settings)
    chains = sorted(row["chain"].value for row in kg.select(queries.text("chain_iris")))
    # Candidates chain by chain: with the chain bound the query is a few index look-ups; unbound it took 7.5 s
    # at 1 M triples, against 60 × 15 ms.
    links = {chain: _candidates(kg, chain) for chain in chains}
    evidence = _evidence(
        # rows read as tuples, not dicts: 120,000 of them at 1 M triples
        links, ((s.value, RELATION_NAMES[r.value], t.value) for s, r, t in kg.query(queries.text("supplier_links_all"))),
        # Every node's roles: the query's VALUES slot is dropped rather than left as UNDEF, which Virtuoso mishandles.
        listed={r["node"].value for r in kg.select(queries.text("view_node_roles").replace(VALUES_SLOT, ""))
                if r["role"].value == "listed"},
        sizes=latest_sizes(kg, None),
    )
    return _named(kg, [_rank(chain, links[chain], evidence, weights, limit) for chain in chains])


def _candidates(kg: KnowledgeGraph, chain_iri: str) -> dict[str, set[str]]:
    """Each candidate organisation of a chain, with how it is tied to it (chain-leader, member …)."""
    links: dict[str, set[str]] = {}
    text = bind_parameters(queries.text("chain_anchor_candidates"), {"chain": ox.NamedNode(chain_iri)})
    for company, link in kg.query(text):  # rows as tuples (?company ?link): thousands per chain
        links.setdefault(company.value, set()).add(link.value)
    return links


@dataclass(frozen=True)
class _Evidence:
    """What the scores are computed from, gathered in one pass over the supplier links for every chain at once:
    per chain its supplier network and each candidate's suppliers within it; per firm its supporting firms, the
    roles it serves in (supporting, brought-in), whether it is listed, and its latest size."""

    network: dict[str, set[tuple[str, str]]]          # chain → (source, target) among its candidates
    suppliers: dict[str, dict[str, set[str]]]         # chain → customer → suppliers among its candidates
    supporters: dict[str, set[str]]                   # firm → firms supporting it or brought in by it
    serves: dict[str, set[str]]                       # firm → {"supporting", "brought-in"}
    listed: set[str]
    sizes: dict[str, Figure]


def _evidence(links: dict[str, dict[str, set[str]]], edges: Iterable[tuple[str, str, str]], listed: set[str],
              sizes: dict[str, Figure]) -> _Evidence:
    chains_of: dict[str, set[str]] = {}
    for chain, candidates in links.items():
        for company in candidates:
            chains_of.setdefault(company, set()).add(chain)
    evidence = _Evidence({c: set() for c in links}, {c: {} for c in links}, {}, {}, listed, sizes)
    nowhere: set[str] = set()
    for source, relation, target in edges:  # a link stated twice lands in sets: no need to remove duplicates
        if source == target:
            continue
        if relation in SUPPORT_RELATIONS:
            evidence.supporters.setdefault(target, set()).add(source)
            evidence.serves.setdefault(source, set()).add("supporting" if relation == "supportingCompanyOf" else "brought-in")
        if relation not in SUPPLIER_RELATIONS:
            continue
        for chain in chains_of.get(source, nowhere) & chains_of.get(target, nowhere):
            evidence.network[chain].add((source, target))
            if relation == "supplies":
                evidence.suppliers[chain].setdefault(target, set()).add(source)
    return evidence


def _rank(chain_iri: str, links: dict[str, set[str]], evidence: _Evidence, weights: Weights,
          limit: int | None) -> AnchorRanking:
    """Score one chain's candidates. Every candidate is scored with plain numbers; only the anchors kept (the first
    `limit`) get their components spelt out, and their names are filled in afterwards by _named."""
    candidates = set(links)
    nobody: set[str] = set()
    suppliers = {c: evidence.suppliers[chain_iri].get(c, nobody) for c in candidates}
    supporters = {c: evidence.supporters.get(c, nobody) for c in candidates}
    pagerank = page_rank(evidence.network[chain_iri])  # firms without a link are not in it
    yuan = {c: evidence.sizes[c].yuan for c in candidates if c in evidence.sizes and evidence.sizes[c].yuan is not None}
    most = (max((len(s) for s in suppliers.values()), default=0), max((len(s) for s in supporters.values()), default=0),
            max(pagerank.values(), default=0.0), max(yuan.values(), default=0.0))
    factors = [1.0 / m if m else 0.0 for m in most]
    w = [getattr(weights, name) for name in COMPONENTS]

    def scores(company: str) -> tuple[float, ...]:
        tie = links[company]
        return (
            1.0 if "chain-leader" in tie else 0.0,
            1.0 if "leading-enterprise" in tie else 0.5 if "leading-enterprise-of-cluster" in tie else 0.0,
            1.0 if company in evidence.listed else 0.0,
            len(suppliers[company]) * factors[0],
            len(supporters[company]) * factors[1],
            pagerank.get(company, 0.0) * factors[2],
            yuan.get(company, 0.0) * factors[3],
        )

    scored = {c: scores(c) for c in candidates}
    totals = {c: sum(score * weight for score, weight in zip(s, w)) for c, s in scored.items()}
    order = sorted(candidates, key=lambda c: (-round(totals[c], 9), c))
    bases = (
        "designated 链主 of this chain", "龙头 of this chain (1) or of its cluster (0.5)", "listed company (上市)",
        f"suppliers within the chain; the chain's most: {most[0]}",
        f"supporting firms and projects brought in; the chain's most: {most[1]}",
        "PageRank on the chain's supplier network, over the chain's highest",
    )
    anchors = []
    for rank, company in enumerate(order[:limit] if limit else order, start=1):
        tie, figure, s = links[company], evidence.sizes.get(company), scored[company]
        values = (
            "chain-leader" in tie, "chain" if s[1] == 1.0 else "cluster" if s[1] else None, company in evidence.listed,
            len(suppliers[company]), len(supporters[company]), round(pagerank.get(company, 0.0), 6), yuan.get(company),
        )
        size_basis = (f"{figure.measure} {figure.year}: {figure.value:g} {figure.unit_zh or figure.unit_en} (in yuan)"
                      if figure else "no revenue or output figure")
        components = {name: Component(values[i], s[i], w[i], (*bases, size_basis)[i]) for i, name in enumerate(COMPONENTS)}
        roles = {"chain-leader", "leading-enterprise"} & tie | ({"listed"} if company in evidence.listed else set()) \
            | evidence.serves.get(company, nobody)
        anchors.append(Anchor(company, "", "", "", rank, totals[company], components, tuple(sorted(tie)),
                              tuple(sorted(roles))))
    return AnchorRanking(chain_iri, "", "", weights, anchors, len(candidates))


def page_rank(edges: Iterable[tuple[str, str]], alpha: float = 0.85, max_iter: int = 100,
              tol: float = 1.0e-6) -> dict[str, float]:
    """PageRank of the directed graph of these (source, target) edges: networkx's own scipy algorithm (damping
    `alpha`, uniform teleport, dangling nodes' rank spread evenly, the same convergence test), fed index arrays
    directly. Building a networkx graph per chain and converting it back to a matrix took longer than the rest of
    the ranking (30 ms of 40 per chain); tests/test_ranking.py checks this against nx.pagerank.

    >>> ranks = page_rank([("supplier", "anchor"), ("helper", "anchor")])
    >>> max(ranks, key=ranks.get), round(sum(ranks.values()), 6)
    ('anchor', 1.0)
    """
    import numpy as np  # scipy's, imported when first needed (as networkx does)
    from scipy import sparse

    unique = sorted(set(edges))  # a fixed order: the floating point does not depend on the order rows came in
    nodes = sorted({node for edge in unique for node in edge})
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    rows = np.fromiter((index[s] for s, _ in unique), dtype=np.int64, count=len(unique))
    cols = np.fromiter((index[t] for _, t in unique), dtype=np.int64, count=len(unique))
    matrix = sparse.csr_array((np.ones(len(unique)), (rows, cols)), shape=(n, n))
    out = matrix.sum(axis=1)
    out[out != 0] = 1.0 / out[out != 0]
    matrix = sparse.dia_array((out.T, 0), shape=matrix.shape).tocsr() @ matrix
    teleport = np.repeat(1.0 / n, n)
    dangling = np.where(out == 0)[0]
    x = teleport
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ matrix + x[dangling].sum() * teleport) + (1 - alpha) * teleport
        if np.absolute(x - last).sum() < n * tol:
            return dict(zip(nodes, map(float, x)))
    raise nx.PowerIterationFailedConvergence(max_iter)


def _named(kg: KnowledgeGraph, rankings: list[AnchorRanking]) -> list[AnchorRanking]:
    """Fill in the names and kinds of the chains and of the anchors kept, in one description of all of them."""
    graph = nx.DiGraph()
    graph.add_nodes_from(r.chain for r in rankings)
    graph.add_nodes_from(a.iri for r in rankings for a in r.anchors)
    describe(kg, graph)
    names = graph.nodes
    return [
        replace(r, label_zh=names[r.chain]["label_zh"], label_en=names[r.chain]["label_en"], anchors=[
            replace(a, label_zh=names[a.iri]["label_zh"], label_en=names[a.iri]["label_en"], kind=names[a.iri]["kind"])
            for a in r.anchors
        ])
        for r in rankings
    ]
