"""Anchor ranking (谁是链主): which organisations anchor an industry chain, with every part of the score shown beside
the total and the sentences it rests on.

Designations dominate where the articles make them (链主, 龙头); where they make none, the order comes from what they
do say: named as a representative (代表) firm or project, awards (灯塔工厂 …), listing, the chain's segments the firm,
its projects or its group's subsidiaries cover, scale figures, investment, supporting firms brought in, supplier
links. Each component is scaled to 0–1 within the chain and weighted by a setting (anchor_weight_*). Only
organisations rank: a project, facility or platform counts for the organisation that owns or runs it. Candidates
with no evidence at all are listed apart, unranked; ties share a rank, and among them more evidence comes first —
never the IRI. Nothing here writes the store or knows about HTTP; the SPARQL is in graph/queries/*.rq.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields

import networkx as nx

from chainkg.graph import queries
from chainkg.graph.chainmap import OWNED_KINDS, ChainFacts, Named, chain_facts
from chainkg.graph.evidence import Evidence, evidence_of, ordered
from chainkg.graph.namespaces import local_name
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.views import name_nodes

# The components in the order they are reported; each has a weight setting anchor_weight_<name>.
COMPONENTS = ("chain_leader", "leading_enterprise", "representative", "awards", "listed", "segments", "size",
              "investment", "supporting_firms", "supplier_links")
COMPONENT_LABELS = {
    "chain_leader": ("链主", "designated chain leader"),
    "leading_enterprise": ("龙头企业", "leading enterprise"),
    "representative": ("代表企业", "named as representative"),
    "awards": ("荣誉", "awards"),
    "listed": ("上市", "listed"),
    "segments": ("覆盖环节", "segments covered"),
    "size": ("规模", "scale"),
    "investment": ("投资", "investment"),
    "supporting_firms": ("带动配套", "supporting firms brought in"),
    "supplier_links": ("供应关系", "supplier links"),
}
# Kinds that are organisations but do not anchor a chain: they run things for others.
NOT_RANKED_KINDS = frozenset({"GovernmentBody", "ServiceCenter", "Platform"})
# "以A、B为代表", "A等代表性企业", "代表企业有A、B": the text between the markers names the representatives.
REPRESENTATIVE_PATTERNS = (re.compile(r"以([^，。；]{2,200}?)为代表"), re.compile(r"([^，。；]{2,120}?)等代表性"),
                           re.compile(r"代表(?:性)?(?:企业|项目)(?:有|包括|如)([^。；]{2,200})"))
# 龙头 of the chain counts in full, of its cluster half; a role a later article gives to another counts half of that.
LEAD_SCORES = {"chain": 1.0, "cluster": 0.5, "chain-history": 0.5, "cluster-history": 0.25}
SIZE_MEASURES = ("revenue", "output-value", "industrial-output-value")
INVESTMENT_MEASURES = ("investment", "fixed-asset-investment")


@dataclass(frozen=True)
class Weights:
    """How much each component counts; read from the settings anchor_weight_* unless given."""

    chain_leader: float = 12.0
    leading_enterprise: float = 6.0
    representative: float = 2.0
    awards: float = 1.0
    listed: float = 1.0
    segments: float = 2.0
    size: float = 1.0
    investment: float = 1.0
    supporting_firms: float = 2.0
    supplier_links: float = 1.0

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
    `points` = score × weight; `basis_zh` / `basis` say in words what the value is, `evidence` the sentences."""

    value: float | int | bool | str | None
    score: float
    weight: float
    basis: str = ""
    basis_zh: str = ""
    evidence: tuple[Evidence, ...] = ()

    @property
    def points(self) -> float:
        return self.score * self.weight


@dataclass(frozen=True)
class Anchor:
    """One ranked organisation: its rank (shared when tied), total, every component, how it is tied to the chain,
    and the projects or facilities counted for it (`via`)."""

    iri: str
    label_zh: str
    label_en: str
    kind: str
    rank: int
    total: float
    components: dict[str, Component]
    links: tuple[str, ...]
    roles: tuple[str, ...]
    tied: bool = False
    evidence_count: int = 0
    via: tuple[Named, ...] = ()


@dataclass(frozen=True)
class AnchorRanking:
    """A chain's anchors, best first (`anchors` may be cut by a limit; `candidates` counts the organisations
    considered), the organisations with no evidence at all (`unranked`), and what was not ranked as it is no
    organisation of its own (`not_ranked`: projects, facilities, platforms with no recorded owner; government)."""

    chain: str
    label_zh: str
    label_en: str
    weights: Weights
    anchors: list[Anchor] = field(default_factory=list)
    candidates: int = 0
    unranked: list[Named] = field(default_factory=list)
    not_ranked: list[Named] = field(default_factory=list)

    @property
    def leaders(self) -> list[Anchor]:
        """The anchors ranked first (several when tied)."""
        return [a for a in self.anchors if a.rank == 1]


def rank_anchors(kg: KnowledgeGraph, chain_iri: str, weights: Weights | None = None,
                 limit: int | None = None, facts: ChainFacts | None = None) -> AnchorRanking:
    """Rank the organisations that could anchor a chain: its members, designated leaders, the leading enterprises
    of its cluster, the owners of its projects and facilities, the groups of its members, and the anchors its
    members support or were brought in by.

    >>> from chainkg.graph import loader
    >>> kg = KnowledgeGraph.in_memory(); _ = loader.load_shipped(kg)
    >>> ranking = rank_anchors(kg, kg.settings.base_iri + "id/ivd-chain", limit=1)
    >>> top = ranking.anchors[0]
    >>> top.label_zh, top.rank, top.components["chain_leader"].value
    ('中元汇吉', 1, True)
    """
    facts = facts or chain_facts(kg, chain_iri, with_evidence=False)  # read with the ranking's own, in one go
    weights = weights or Weights.from_settings(kg.settings)
    return _Ranker(kg, facts, weights).ranking(limit)


def rank_all(kg: KnowledgeGraph, weights: Weights | None = None, limit: int | None = None) -> list[AnchorRanking]:
    """Every chain's ranking, chains in IRI order (the same as rank_anchors chain by chain)."""
    chains = sorted(row["chain"].value for row in queries.rows(kg, "chain_iris"))
    return [rank_anchors(kg, chain, weights, limit) for chain in chains]


class _Ranker:
    """The candidates of one chain and what the graph says about each."""

    def __init__(self, kg: KnowledgeGraph, facts: ChainFacts, weights: Weights) -> None:
        self.kg, self.facts, self.weights = kg, facts, weights
        self.placed = facts.placed_nodes()
        self.links: dict[str, set[str]] = defaultdict(set)
        for node, relation, target in facts.ties:
            holder = facts.holder(node)
            link = {"chainLeaderOf": "chain-leader", "inSegment": "member", "inChain": "member"}.get(relation)
            if relation == "leadingEnterpriseOf":
                link = "leading-enterprise" if target == facts.chain else "leading-enterprise-of-cluster"
            self.links[holder].add(link or relation)
            if holder != node:
                self.links[holder].add("owner")
        for holder in list(self.links):
            for parent in facts.ancestors(holder):
                self.links[parent].add("group")
        self.placed_by: dict[str, list[str]] = defaultdict(list)   # organisation → nodes placed for it
        for node in self.placed:
            self.placed_by[facts.holder(node)].append(node)
        self.ties_of: dict[str, dict] = defaultdict(dict)
        for key, graphs in facts.ties.items():
            self.ties_of[facts.holder(key[0])][key] = graphs
        self.held = defaultdict(set)
        for node in facts.owners:
            holder = facts.holder(node)
            if holder != node:
                self.held[holder].add(node)
        self.rows = self._rows(set(self.links) | {n for v in self.held.values() for n in v})
        self.rows_of: dict[str, list] = defaultdict(list)
        for row in self.rows:
            self.rows_of[row[0]].append(row)
        for node, what, other, _ in self.rows:  # the anchors members support or were brought in by
            if what == "supports" and node in self.links:
                self.links[self.facts.holder(other)].add("anchor-of-member")
        extra = {a for a in self.links if a not in self.facts.names}
        if extra:
            self._describe_more(extra)

    def _describe_more(self, nodes: set[str]) -> None:
        graph = nx.DiGraph()
        graph.add_nodes_from(nodes)
        name_nodes(self.kg, graph)
        for n, a in graph.nodes(data=True):
            self.facts.names[n] = Named(n, a["label_zh"], a["label_en"], a["kind"])

    def _rows(self, nodes: set[str]) -> list[tuple[str, str, str, str | None]]:
        rows = []
        for row in queries.rows(self.kg, "anchor_evidence", nodes=sorted(nodes)):
            other = row["other"]
            value = other.value if hasattr(other, "value") else str(other)
            if row["what"].value == "award" and getattr(other, "language", None) and \
                    not other.language.lower().startswith("zh"):
                continue  # the English form of an award is the same award
            rows.append((row["node"].value, row["what"].value, value, row["g"].value if "g" in row else None))
        for row in queries.rows(self.kg, "anchor_evidence_out", nodes=sorted(nodes)):
            rows.append((row["node"].value, "supports", row["other"].value, row["g"].value if "g" in row else None))
        return rows

    # ---------------------------------------------------------------- the ranking
    def ranking(self, limit: int | None) -> AnchorRanking:
        facts = self.facts
        organisations, not_ranked = [], []
        for node in self.links:
            kind = facts.name(node).kind
            (not_ranked if kind in OWNED_KINDS or kind in NOT_RANKED_KINDS else organisations).append(node)
        extra_graphs = {g for *_, g in self.rows if g}
        self.figures = self._figures(organisations)
        extra_graphs |= {f["g"] for fs in self.figures.values() for f in fs if f["g"]}
        facts.evidence.update(evidence_of(self.kg, (facts.evidence_graphs | extra_graphs) - set(facts.evidence)))
        self.spans = self._spans()
        self.latest: dict[tuple[str, str], str] = {}  # (relation, target) → date of the latest article saying so
        for key, graphs in facts.ties.items():
            self.latest[key[1:]] = max(self.latest.get(key[1:], ""), self._date(graphs))
        measured = {o: self._measure(o) for o in organisations}
        most = {name: max((m[name][0] for m in measured.values() if isinstance(m[name][0], (int, float))),
                          default=0) for name in ("awards", "segments", "size", "investment", "supporting_firms",
                                                  "supplier_links")}
        anchors, unranked = [], []
        for o in organisations:
            components = self._components(measured[o], most)
            total = sum(c.points for c in components.values())
            if total <= 0:
                unranked.append(facts.name(o))
                continue
            evidence = {e for c in components.values() if c.points > 0 for e in c.evidence}
            named = facts.name(o)
            roles = tuple(sorted({r for r in self.links[o] if r in ("chain-leader", "leading-enterprise")}
                                 | ({"listed"} if components["listed"].value else set())))
            anchors.append(Anchor(o, named.label_zh, named.label_en, named.kind, 0, total, components,
                                  tuple(sorted(self.links[o])), roles, False, len(evidence),
                                  tuple(sorted((facts.name(n) for n in self.held.get(o, ())),
                                               key=lambda n: n.label_zh))))
        anchors = _ranked(anchors)
        chain = facts.name(facts.chain)
        return AnchorRanking(facts.chain, chain.label_zh, chain.label_en, self.weights,
                             anchors[:limit] if limit else anchors, len(organisations),
                             sorted(unranked, key=lambda n: (n.label_zh, n.label_en)),
                             sorted((facts.name(n) for n in not_ranked), key=lambda n: (n.label_zh, n.label_en)))

    def _spans(self) -> dict[str, list[str]]:
        """Quote graph → its 以…为代表 spans, for the chain's quotes that have any."""
        spans: dict[str, list[str]] = {}
        for graphs in self.facts.ties.values():
            for g in graphs:
                evidence = self.facts.evidence.get(g)
                if g not in spans and evidence is not None and evidence.kind == "quote":
                    spans[g] = [m.group(1) for p in REPRESENTATIVE_PATTERNS for m in p.finditer(evidence.quote)]
        return {g: found for g, found in spans.items() if found}

    def _figures(self, organisations: list[str]) -> dict[str, list[dict]]:
        nodes = set(organisations) | {n for o in organisations for n in self.held.get(o, ())}
        units = {row["unit"].value: (float(row["factor"].value) if "factor" in row else None,
                                     row["zh"].value if "zh" in row else "")
                 for row in queries.rows(self.kg, "unit_names")}
        found: dict[str, dict[str, dict]] = defaultdict(dict)
        for row in queries.rows(self.kg, "anchor_figures", nodes=sorted(nodes)):
            unit = row["unit"].value if "unit" in row else ""
            factor, unit_zh = units.get(unit, (None, ""))
            status = local_name(row["status"].value) if "status" in row else "actual"
            figure = {"node": row["node"].value, "measure": local_name(row["measure"].value),
                      "value": float(row["value"].value), "year": int(row["year"].value[:4]) if "year" in row else 0,
                      "unit": unit_zh, "yuan": float(row["value"].value) * factor if factor is not None else None,
                      "status": status, "g": row["g"].value if "g" in row else None}
            found[row["node"].value][row["stat"].value] = figure
        return {node: list(figures.values()) for node, figures in found.items()}

    def _date(self, graphs: set[str]) -> str:
        return max((e.date for e in self.facts.cited(graphs)), default="")

    def _current(self, ties: dict, relation: str, target: str) -> bool:
        """Whether the latest article naming anyone to this role of this target names this holder."""
        dates = [self._date(gs) for (n, r, t), gs in ties.items() if r == relation and t == target]
        return bool(dates) and max(dates) >= self.latest.get((relation, target), "")

    def _measure(self, o: str) -> dict[str, tuple]:
        """Each component's raw value and evidence graphs (or evidence) for one organisation."""
        facts, chain = self.facts, self.facts.chain
        mine = {o} | self.held.get(o, set())
        ties = self.ties_of.get(o, {})
        leader = {g for (n, r, t), gs in ties.items() if r == "chainLeaderOf" for g in gs}
        chain_lead = {g for (n, r, t), gs in ties.items() if r == "leadingEnterpriseOf" and t == chain for g in gs}
        cluster_lead = {g for (n, r, t), gs in ties.items() if r == "leadingEnterpriseOf" and t != chain for g in gs}
        has_leader = any(r == "chainLeaderOf" for (_, r, _) in ties)
        has_chain_lead = any(r == "leadingEnterpriseOf" and t == chain for (_, r, t) in ties)
        has_cluster_lead = any(r == "leadingEnterpriseOf" and t != chain for (_, r, t) in ties)
        # a role a later article gives to another is history: it counts half
        lead = ("chain" if has_chain_lead else "cluster" if has_cluster_lead else None)
        if lead == "chain" and not self._current(ties, "leadingEnterpriseOf", chain):
            lead = "chain-history"
        elif lead == "cluster" and not any(self._current(ties, "leadingEnterpriseOf", t)
                                           for (_, r, t) in ties if r == "leadingEnterpriseOf" and t != chain):
            lead = "cluster-history"
        rows = [r for n in mine for r in self.rows_of.get(n, ())]
        awards = {(n, v): g for n, w, v, g in rows if w == "award"}
        listed = {g for n, w, v, g in rows if w == "listed" and n == o}
        is_listed = any(w == "listed" and n == o for n, w, v, g in rows)
        supporters = defaultdict(set)
        for n, w, v, g in rows:
            if w == "supporting" and n == o:
                supporters[v].add(g)
        candidates = set(self.links)
        suppliers = defaultdict(set)
        for n, w, v, g in rows:
            if w in ("supplies", "supplied-by") and n == o and facts.holder(v) in candidates and facts.holder(v) != o:
                suppliers[v].add(g)
        segments = defaultdict(set)
        for member in {o} | facts.descendants(o):
            for node in self.placed_by.get(member, ()):
                for s in self.placed[node]:
                    segments[s] |= facts.ties.get((node, "inSegment", s), set())
        return {
            "chain_leader": (has_leader, leader),
            "leading_enterprise": (lead, chain_lead or cluster_lead),
            "representative": self._representative(o),
            "awards": (len(awards), {g for g in awards.values()}, sorted(v for _, v in awards)),
            "listed": (is_listed, listed),
            "segments": (len(segments), {g for gs in segments.values() for g in gs},
                         sorted(facts.name(s).label_zh for s in segments)),
            "size": self._size(o),
            "investment": self._investment(mine),
            "supporting_firms": (len(supporters), {g for gs in supporters.values() for g in gs},
                                 sorted(facts.name(v).label_zh for v in supporters)),
            "supplier_links": (len(suppliers), {g for gs in suppliers.values() for g in gs},
                               sorted(facts.name(v).label_zh for v in suppliers)),
        }

    def _representative(self, o: str) -> tuple:
        """Quotes about the chain that name the organisation, or a project or facility of its, in a 以…为代表 span."""
        names = {self.facts.name(n).label_zh for n in {o} | self.held.get(o, set())}
        names = {n for n in names if len(n) >= 2}
        hits = {g for g, spans in self.spans.items() if any(name in span for span in spans for name in names)}
        # a sentence quoted twice (stated, and again for a curators' reading) is one sentence
        return (len(hits) > 0, hits, len({self.facts.evidence[g].quote for g in hits}))

    def _size(self, o: str) -> tuple:
        figures = [f for f in self.figures.get(o, []) if f["measure"] in SIZE_MEASURES and f["status"] == "actual"
                   and f["yuan"] is not None]
        if not figures:
            return (None, set(), None)
        best = max(figures, key=lambda f: (f["year"], -SIZE_MEASURES.index(f["measure"])))
        return (best["yuan"], {best["g"]} - {None}, best)

    def _investment(self, mine: set[str]) -> tuple:
        """The latest investment figure of the firm and of each of its projects, summed, in yuan."""
        total, graphs, parts = 0.0, set(), []
        for node in sorted(mine):
            figures = [f for f in self.figures.get(node, []) if f["measure"] in INVESTMENT_MEASURES
                       and f["yuan"] is not None]
            if figures:
                best = max(figures, key=lambda f: (f["year"], f["value"]))
                total += best["yuan"]
                graphs |= {best["g"]} - {None}
                parts.append(best)
        return (total or None, graphs, parts)

    def _components(self, measured: dict[str, tuple], most: dict[str, float]) -> dict[str, Component]:
        w = self.weights
        cite = self.facts.cited
        out = {}
        value, graphs = measured["chain_leader"][:2]
        out["chain_leader"] = Component(value, 1.0 if value else 0.0, w.chain_leader,
                                        "designated 链主 of this chain" if value else "not designated 链主",
                                        "本链链主" if value else "未被指定为链主", cite(graphs))
        value, graphs = measured["leading_enterprise"][:2]
        out["leading_enterprise"] = Component(
            value, LEAD_SCORES.get(value, 0.0), w.leading_enterprise,
            {"chain": "龙头 of this chain", "cluster": "龙头 of the chain's cluster (counts half)",
             "chain-history": "was 龙头 of this chain; a later article names another (counts half)",
             "cluster-history": "was 龙头 of the chain's cluster; a later article names another (counts a quarter)",
             }.get(value, "not named 龙头"),
            {"chain": "本链龙头企业", "cluster": "所属集群的龙头企业（计一半）",
             "chain-history": "曾为本链龙头，后来的报道另有所指（计一半）",
             "cluster-history": "曾为所属集群龙头，后来的报道另有所指（计四分之一）"}.get(value, "未被称为龙头"), cite(graphs))
        value, graphs, count = measured["representative"]
        out["representative"] = Component(
            value, 1.0 if value else 0.0, w.representative,
            f"named as a representative (以…为代表) in {count} sentence(s)" if value else "not named as representative",
            f"在{count}句报道中被列为代表（以…为代表）" if value else "未被列为代表", cite(graphs))
        out["awards"] = self._counted("awards", measured, most, "award(s)", "项荣誉")
        value, graphs = measured["listed"][:2]
        out["listed"] = Component(value, 1.0 if value else 0.0, w.listed, "listed company (上市)" if value else
                                  "not said to be listed", "上市公司" if value else "未见上市记载", cite(graphs))
        out["segments"] = self._counted("segments", measured, most, "segment(s) of the chain, by itself, its projects "
                                        "or its group's subsidiaries", "个环节（本身、项目或集团子公司）")
        value, graphs, figure = measured["size"]
        if figure:
            basis = f"{figure['measure']} {figure['year']}: {figure['value']:g} {figure['unit']}"
            basis_zh = f"{figure['year']}年{'营收' if figure['measure'] == 'revenue' else '产值'} {figure['value']:g}{figure['unit']}"
        else:
            basis, basis_zh = "no revenue or output figure", "无营收或产值数据"
        out["size"] = Component(value, value / most["size"] if value and most["size"] else 0.0, w.size,
                                f"{basis}; the chain's largest counts 1" if figure else basis, basis_zh, cite(graphs))
        value, graphs, parts = measured["investment"]
        if parts:
            listed = "; ".join(f"{self.facts.name(p['node']).label_zh} {p['value']:g}{p['unit']} ({p['year']})"
                               for p in parts)
            basis, basis_zh = f"investment: {listed}", f"投资：{listed}"
        else:
            basis, basis_zh = "no investment figure", "无投资数据"
        out["investment"] = Component(value, value / most["investment"] if value and most["investment"] else 0.0,
                                      w.investment, basis, basis_zh, cite(graphs))
        out["supporting_firms"] = self._counted("supporting_firms", measured, most,
                                                "supporting firms (配套) or firms brought in", "家配套或带动落户企业")
        out["supplier_links"] = self._counted("supplier_links", measured, most,
                                              "supplier or customer link(s) within the chain", "条链内供应关系")
        return out

    def _counted(self, name: str, measured: dict, most: dict, en: str, zh: str) -> Component:
        value, graphs, items = measured[name]
        top = most[name]
        listed = "、".join(items) if items else ""
        basis = f"{value} {en}" + (f": {listed}" if listed else "") + (f"; the chain's most: {top}" if top else "")
        basis_zh = f"{value}{zh}" + (f"：{listed}" if listed else "")
        return Component(value, value / top if top else 0.0, getattr(self.weights, name), basis, basis_zh,
                         self.facts.cited(graphs))


def _ranked(anchors: list[Anchor]) -> list[Anchor]:
    """Best total first; at equal totals more evidence first; what is still equal shares the rank (named in
    Chinese-label order, never IRI order)."""
    from dataclasses import replace

    def key(a: Anchor) -> tuple:
        return (-round(a.total, 6), -a.evidence_count)

    keys = {id(a): key(a) for a in anchors}
    counts = Counter(keys.values())
    anchors = sorted(anchors, key=lambda a: (*keys[id(a)], a.label_zh, a.label_en))
    result, rank = [], 0
    for i, anchor in enumerate(anchors):
        if i == 0 or keys[id(anchor)] != keys[id(anchors[i - 1])]:
            rank = i + 1
        result.append(replace(anchor, rank=rank, tied=counts[keys[id(anchor)]] > 1))
    return result


def component_label(name: str) -> tuple[str, str]:
    return COMPONENT_LABELS[name]


def evidence_list(component: Component) -> tuple[Evidence, ...]:
    return ordered(component.evidence)
