"""The data of the home page: every district with its clusters, their chains and parks, and the chain leaders.

Named queries only (`home_districts`, `home_chain_leaders`, `home_parks`); nothing here renders or serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chainkg.graph import queries, ranking
from chainkg.graph.entity import Link
from chainkg.graph.evidence import Evidence, evidence_of, ordered
from chainkg.graph.labels import Label, labels
from chainkg.graph.namespaces import local_name
from chainkg.graph.numeric import true
from chainkg.graph.store import KnowledgeGraph


@dataclass
class Cluster:
    link: Link | None  # None for the chains of a district that belong to no cluster of it
    chains: list[Link] = field(default_factory=list)


@dataclass
class District:
    link: Link
    clusters: list[Cluster] = field(default_factory=list)
    parks: list[tuple[Link, int]] = field(default_factory=list)  # park and how many organisations it hosts


@dataclass(frozen=True)
class Leadership:
    """A firm leading a chain or cluster. For a chain: the anchor ranked first on the anchors page (graph/ranking.py),
    as its designated leader (role "chain-leader", 链主), its leading enterprise ("leading-enterprise", 龙头) or, where
    the articles designate nobody, its top-ranked anchor ("top-anchor", 首位); `score` is its rounded total. For a
    cluster: its leading enterprise ("leading-enterprise"). `sources` are the sentences it rests on."""

    leader: Link
    role: str
    chain: Link  # the chain, or the cluster
    is_chain: bool
    district: Link | None
    sources: tuple[Evidence, ...] = ()
    score: float | None = None
    tied: bool = False


@dataclass
class Overview:
    districts: list[District]
    leaders: list[Leadership]


def overview(kg: KnowledgeGraph) -> Overview:
    """Districts (most clusters first), their clusters and chains, parks, and the firms leading chains and clusters.

    >>> from chainkg.graph import loader
    >>> kg = KnowledgeGraph.in_memory(); _ = loader.load_shipped(kg)
    >>> o = overview(kg)
    >>> [d.link.label.zh for d in o.districts]
    ['大渡口区', '巴南区']
    >>> [(l.leader.label.zh, l.chain.label.zh) for l in o.leaders if l.role == "chain-leader"]
    [('中元汇吉', '体外诊断（IVD）产业链'), ('智睿生物', '巴南生物药产业链')]
    >>> [l.leader.label.zh for l in o.leaders if l.chain.iri.endswith("smart-vision-chain")]
    ['海康威视']
    """
    district_rows = queries.rows(kg, "home_districts")
    leader_rows = queries.rows(kg, "home_chain_leaders")
    park_rows = queries.rows(kg, "home_parks")
    iris = {r[v].value for r in district_rows + leader_rows + park_rows for v in ("district", "cluster", "chain", "leader", "park") if v in r}
    names = labels(kg, iris)

    def link(iri: str) -> Link:
        return Link(iri, names.get(iri) or Label(local_name(iri)))

    districts: dict[str, District] = {}
    clusters: dict[tuple[str, str | None], Cluster] = {}
    for row in district_rows:
        district = districts.setdefault(row["district"].value, District(link(row["district"].value)))
        cluster_iri = row["cluster"].value if "cluster" in row else None
        if cluster_iri is None and "chain" not in row:
            continue
        key = (district.link.iri, cluster_iri)
        if key not in clusters:
            clusters[key] = Cluster(link(cluster_iri) if cluster_iri else None)
            district.clusters.append(clusters[key])
        if "chain" in row and all(c.iri != row["chain"].value for c in clusters[key].chains):
            clusters[key].chains.append(link(row["chain"].value))
    for row in park_rows:
        if row["district"].value in districts:
            districts[row["district"].value].parks.append((link(row["park"].value), int(row["organisations"].value)))
    for district in districts.values():
        district.clusters.sort(key=lambda c: (c.link is None, -len(c.chains), c.link.label.zh if c.link else ""))
        for cluster in district.clusters:
            cluster.chains.sort(key=lambda c: c.label.zh)
        district.parks.sort(key=lambda p: (-p[1], p[0].label.zh))

    chain_district = {r["chain"].value: r["district"].value for r in district_rows if "chain" in r}
    leaders = _chain_leaders(kg, link, chain_district) + _cluster_leaders(kg, link, leader_rows)
    # Districts named only in passing (no cluster, chain or park of theirs in the graph) are not the home page's news.
    ordered = sorted((d for d in districts.values() if d.clusters or d.parks),
                     key=lambda d: (-len(d.clusters), d.link.label.zh))
    return Overview(ordered, leaders)


ROLE_ORDER = {"chain-leader": 0, "leading-enterprise": 1, "top-anchor": 2}


def _chain_leaders(kg: KnowledgeGraph, link, chain_district: dict[str, str]) -> list[Leadership]:
    """Each chain's first-ranked anchors, exactly as the anchors page ranks them (several when tied)."""
    rows = []
    for result in ranking.rank_all(kg):
        district = chain_district.get(result.chain)
        for anchor in result.leaders:
            if anchor.components["chain_leader"].value:
                role = "chain-leader"
            elif anchor.components["leading_enterprise"].value == "chain":
                role = "leading-enterprise"
            else:
                role = "top-anchor"
            sources = ordered(e for c in anchor.components.values() if c.points > 0 for e in c.evidence)
            rows.append(Leadership(Link(anchor.iri, Label(anchor.label_zh, anchor.label_en)), role,
                                   link(result.chain), True, link(district) if district else None, sources,
                                   round(anchor.total, 2), anchor.tied))
    return sorted(rows, key=lambda l: (ROLE_ORDER[l.role], l.district.label.zh if l.district else "~",
                                       l.chain.label.zh, l.leader.label.zh))


def _cluster_leaders(kg: KnowledgeGraph, link, leader_rows: list[dict]) -> list[Leadership]:
    """The leading enterprises (龙头) of clusters, with the sentences that name them."""
    graphs: dict[tuple[str, str, str | None], set[str]] = {}
    for r in leader_rows:
        if true(r["isChain"].value):
            continue
        key = (r["leader"].value, r["chain"].value, r["district"].value if "district" in r else None)
        graphs.setdefault(key, set()).update([r["g"].value] if "g" in r else [])
    found = evidence_of(kg, {g for v in graphs.values() for g in v})
    rows = [Leadership(link(leader), "leading-enterprise", link(cluster), False, link(district) if district else None,
                       ordered(found[g] for g in gs if g in found))
            for (leader, cluster, district), gs in graphs.items()]
    return sorted(rows, key=lambda l: (l.district.label.zh if l.district else "~", l.chain.label.zh, l.leader.label.zh))
