"""A graph view (graph/views.py) as vis-network data: nodes coloured and shaped by class, leaders marked, a node cap
that says what it left out, and physics options that settle.

pyvis supplies the network model and its physics options; its own HTML template is not used (it loads
Bootstrap and vis-network from CDNs and does not escape its heading or menu options): viz/templates/graph.html
draws the page over the vis-network copy pyvis bundles. Nodes and edges are filled into `net.nodes` / `net.edges`
directly (pyvis's `add_node`/`add_edge` check for duplicates linearly, and `from_nx` is quadratic and mutates its
input). Rendering only: no queries here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx
from pyvis.network import Network

from chainkg.graph.evidence import Evidence
from chainkg.graph.labels import Label


@dataclass(frozen=True)
class Style:
    """How a family of classes is drawn, and what the legend calls it."""

    family: str
    colour: str
    shape: str
    zh: str
    en: str


STYLES: dict[str, Style] = {s.family: s for s in (
    Style("company", "#2563eb", "dot", "企业", "company"),
    Style("organisation", "#0d9488", "diamond", "机构", "organisation"),
    Style("chain", "#ea580c", "hexagon", "产业链", "industry chain"),
    Style("segment", "#d97706", "box", "产业链环节", "chain segment"),
    Style("cluster", "#7c3aed", "triangle", "产业集群", "industry cluster"),
    Style("area", "#15803d", "square", "行政区域与功能区", "area"),
    Style("carrier", "#65a30d", "triangleDown", "园区与载体", "park or carrier"),
    Style("project", "#db2777", "dot", "项目", "project"),
    Style("event", "#0891b2", "dot", "事件", "event"),
    Style("policy", "#64748b", "diamond", "政策", "policy"),
    Style("other", "#94a3b8", "dot", "其他", "other"),
)}
FAMILY_OF_KIND = {
    "Company": "company",
    **dict.fromkeys(("ResearchInstitute", "University", "GovernmentBody", "ServiceCenter", "InvestmentFund",
                     "Platform", "Alliance", "Person", "Organization", "FormalOrganization"), "organisation"),
    "IndustryChain": "chain",
    "ChainSegment": "segment",
    "IndustryCluster": "cluster",
    **dict.fromkeys(("Country", "Municipality", "City", "District", "AdministrativeArea", "PlanningArea", "Place"),
                    "area"),
    **dict.fromkeys(("IndustrialPark", "Building", "Incubator", "MakerSpace", "InnovationEcosystem", "Facility",
                     "Carrier"), "carrier"),
    "Project": "project",
    **dict.fromkeys(("Event", "Arrival", "Signing", "Investment", "ConstructionStart", "ProductionStart", "Listing",
                     "Opening", "Award", "CooperationAgreement", "Founding", "Meeting"), "event"),
    **dict.fromkeys(("Policy", "PolicyDocument", "PolicyMeasure"), "policy"),
}
ROLE_LABELS = {
    "chain-leader": Label("链主", "chain leader"),
    "leading-enterprise": Label("龙头企业", "leading enterprise"),
    "listed": Label("上市公司", "listed company"),
    "supporting": Label("配套企业", "supporting firm"),
    "brought-in": Label("带动引进", "brought in"),
}
# Edge colours by what the relation says.
EDGE_COLOURS = {
    **dict.fromkeys(("chainLeaderOf", "leadingEnterpriseOf"), "#ca8a04"),
    **dict.fromkeys(("supplies", "supportingCompanyOf", "broughtInBy"), "#dc2626"),
}
EDGE_COLOUR = "#94a3b8"
LEADER_BORDER = "#facc15"
# Above this many nodes drawn, the layout takes shortcuts to settle within a few seconds.
LARGE_GRAPH = 150
# Nodes kept first under a cap: the focus, then these roles, then the best connected.
ROLE_PRIORITY = ("chain-leader", "leading-enterprise")
# Kinds an ego network of two steps or more hides until asked: they are most of its nodes (55 statistics and 49
# policy measures of 海康威视's 270) and hide the firms, parks and chains people look for.
QUIET_KINDS = ("Statistic", "PolicyMeasure")
QUIET_FROM_RADIUS = 2
# A chain view hides its places (districts, parks) until asked: the chain is read along its segments.
PLACE_FAMILIES = ("area", "carrier")
SEGMENT_SPACING = 260
# Names of the kinds that come from standard vocabularies (W3C ORG, schema.org, SKOS), which our ontology does not
# name itself, so that no legend or tooltip shows a bare English class name.
STANDARD_KIND_LABELS = {
    "Organization": Label("组织", "organisation"), "FormalOrganization": Label("正式组织", "formal organisation"),
    "Thing": Label("其他", "other"), "Concept": Label("概念", "concept"),
    "Photograph": Label("照片", "photograph"), "Person": Label("人物", "person"), "Place": Label("地点", "place"),
}


def quiet_kinds(view: str, radius: int, kinds: Iterable[str]) -> list[str]:
    """The kinds a graph page starts with hidden (a legend box unticked): statistics and policy measures in an ego
    network of two steps or more, places in a chain view.

    >>> quiet_kinds("ego", 2, ["Company", "Statistic"]), quiet_kinds("chain", 1, ["District", "Company"])
    (['Statistic', 'PolicyMeasure'], ['District'])
    """
    if view == "ego" and radius >= QUIET_FROM_RADIUS:
        return list(QUIET_KINDS)
    if view == "chain":
        return sorted(k for k in set(kinds) if style_of(k).family in PLACE_FAMILIES)
    return []


def style_of(kind: str) -> Style:
    """The style of a class (by local name); unknown classes are 'other'.

    >>> style_of("Company").shape, style_of("Unheard").family
    ('dot', 'other')
    """
    return STYLES[FAMILY_OF_KIND.get(kind, "other")]


@dataclass(frozen=True)
class LegendEntry:
    kind: str
    label: Label
    style: Style
    shown: int
    left_out: int


@dataclass
class GraphData:
    """What graph.html needs: vis-network nodes, edges and options, the legend, and what the cap left out."""

    nodes: list[dict]
    edges: list[dict]
    options: dict
    legend: list[LegendEntry]
    total: int
    shown: int
    left_out: dict[str, int] = field(default_factory=dict)  # kind → nodes not drawn
    view_omitted: int = 0
    limit: int = 0
    next_limit: int | None = None
    focus: str | None = None

    @property
    def left_out_count(self) -> int:
        return sum(self.left_out.values())

    def as_json(self) -> dict:
        """The data twin of a graph page (nodes, edges and the cap's report), without vis-network options."""
        return {"nodes": self.nodes, "edges": self.edges, "total": self.total, "shown": self.shown,
                "left_out": self.left_out, "view_omitted": self.view_omitted, "limit": self.limit, "focus": self.focus}


def keep(graph: nx.DiGraph, focus: str | None, limit: int) -> list[str]:
    """The nodes drawn under a cap: the focus, chain leaders and leading enterprises, then the best connected.

    >>> g = nx.DiGraph([("a", "b"), ("a", "c"), ("d", "a")])
    >>> nx.set_node_attributes(g, {n: [] for n in g}, "roles"); g.nodes["d"]["roles"] = ["chain-leader"]
    >>> keep(g, "b", 3)
    ['b', 'd', 'a']
    """
    degree = dict(graph.degree())

    def rank(node: str) -> tuple:
        roles = graph.nodes[node].get("roles") or []
        role_rank = min((ROLE_PRIORITY.index(r) for r in roles if r in ROLE_PRIORITY), default=len(ROLE_PRIORITY))
        return (node != focus, graph.nodes[node].get("distance", 0), role_rank, -degree[node],
                graph.nodes[node].get("label_zh") or "", node)

    return sorted(graph.nodes, key=rank)[:limit]


def network(graph: nx.DiGraph, *, focus: str | None, limit: int, href: Callable[[str], str],
            kind_labels: dict[str, Label], view_omitted: int = 0) -> GraphData:
    """vis-network data for at most `limit` nodes of a view's graph (which this does not modify).

    `href` gives a node's page; `kind_labels` the names of classes (by local name) for tooltips and the legend.
    """
    kept = keep(graph, focus, limit)
    kept_set = set(kept)
    left_out = Counter(graph.nodes[n].get("kind", "Thing") for n in graph.nodes if n not in kept_set)

    net = Network(directed=True, height="100%", width="100%")
    net.nodes = [_node(n, graph.nodes[n], n == focus, href, kind_labels) for n in kept]
    # in a fixed order: the view's edges come in query order, and vis-network lays out by input order (with the seed
    # below), so an unsorted list gave another picture on each visit
    position = {n: i for i, n in enumerate(kept)}
    net.edges = [_edge(s, t, a) for s, t, a in sorted(graph.edges(data=True), key=lambda e: (position.get(e[0], -1),
                                                                                             position.get(e[1], -1)))
                 if s in kept_set and t in kept_set]
    net.force_atlas_2based(gravity=-120, central_gravity=0.01, spring_length=170, spring_strength=0.05,
                           damping=0.6, overlap=0.6)
    net.set_edge_smooth("continuous")
    options = json.loads(net.options.to_json())
    # Large graphs settle in fewer rounds, and vis-network's "improved layout" pre-pass costs more than it gives.
    large = len(kept) > LARGE_GRAPH
    options["physics"].update(minVelocity=0.8, maxVelocity=40,
                              stabilization={"enabled": True, "iterations": 250 if large else 400,
                                             "updateInterval": 20, "fit": True})
    options["layout"] = {"improvedLayout": not large, "randomSeed": 7}  # the same picture on every visit
    options["interaction"].update(hover=True, tooltipDelay=120, navigationButtons=False, keyboard=False,
                                  multiselect=False)
    options["edges"].update(arrows={"to": {"enabled": True, "scaleFactor": 0.6}}, color={"inherit": False},
                            font={"size": 11, "color": "#475569", "strokeWidth": 3, "strokeColor": "#ffffff",
                                  "align": "middle"},
                            width=1.2, selectionWidth=2)
    options["nodes"] = {"font": {"size": 14, "face": "system-ui, sans-serif"}, "borderWidth": 1.5,
                        "scaling": {"label": {"drawThreshold": 6}}}

    counts = Counter(graph.nodes[n].get("kind", "Thing") for n in kept)
    kinds = sorted(set(counts) | set(left_out), key=lambda k: (list(STYLES).index(style_of(k).family), k))
    legend = [LegendEntry(k, kind_labels.get(k) or Label(k, k), style_of(k), counts.get(k, 0), left_out.get(k, 0))
              for k in kinds]
    total = graph.number_of_nodes()
    next_limit = min(total, max(limit * 2, limit + 100)) if total > len(kept) else None
    return GraphData(net.nodes, net.edges, options, legend, total, len(kept), dict(left_out), view_omitted, limit,
                     next_limit, focus)


def _node(node: str, attributes: dict, is_focus: bool, href: Callable[[str], str], kind_labels: dict[str, Label]) -> dict:
    kind = attributes.get("kind", "Thing")
    style = style_of(kind)
    roles = list(attributes.get("roles") or [])
    leader = "chain-leader" in roles
    leading = "leading-enterprise" in roles
    kind_label = kind_labels.get(kind) or Label(kind, kind)
    label = attributes.get("label_zh") or node
    data = {
        "id": node,
        "label": ("★ " + label) if leader else label,
        "label_zh": attributes.get("label_zh"),
        "label_en": attributes.get("label_en"),
        "kind": kind,
        "kind_zh": kind_label.zh,
        "kind_en": kind_label.en,
        "family": style.family,
        "roles": roles,
        "role_labels": [[ROLE_LABELS[r].zh, ROLE_LABELS[r].en] for r in roles if r in ROLE_LABELS],
        "href": href(node),
        "shape": style.shape,
        "color": {"background": style.colour, "border": LEADER_BORDER if leader else "#ffffff",
                  "highlight": {"background": style.colour, "border": "#0f172a"},
                  "hover": {"background": style.colour, "border": "#0f172a"}},
        "size": 16,
        "borderWidth": 2,
    }
    if style.shape == "box":
        data["font"] = {"color": "#ffffff"}
    if attributes.get("revenue") is not None:
        unit = attributes.get("revenue_unit_zh") or ""
        if attributes.get("revenue_coverage"):  # a figure of part of the cluster says which part (规上企业)
            unit += f"（{attributes['revenue_coverage']}）"
        data["figure"] = [attributes.get("revenue_shown", attributes["revenue"]), unit, attributes.get("revenue_year")]
    if is_focus:
        data.update(size=26, borderWidth=3, font={"size": 18, "bold": True, **data.get("font", {})})
        data["color"]["border"] = "#0f172a"
    if leading:
        data.update(size=max(data["size"], 24), borderWidth=4)
        data["color"]["border"] = LEADER_BORDER
    if leader:
        data.update(size=34, borderWidth=6, shadow={"enabled": True, "color": "rgba(202,138,4,0.55)", "size": 18},
                    font={"size": 18, "bold": True, "color": "#713f12", "strokeWidth": 4, "strokeColor": "#fef9c3"})
    if kind == "ChainSegment" and attributes.get("order") is not None:
        # segments pinned in a row by their order: the chain reads upstream → downstream, left to right
        data.update(x=int(attributes["order"]) * SEGMENT_SPACING, y=0, fixed={"x": True, "y": True})
    return data


def _edge(source: str, target: str, attributes: dict) -> dict:
    relation = attributes.get("relation") or ""
    colour = EDGE_COLOURS.get(relation, EDGE_COLOUR)
    return {
        "from": source,
        "to": target,
        "label": attributes.get("label_zh") or relation,
        "label_en": attributes.get("label_en") or relation,
        "relation": relation,
        "relations": list(attributes.get("relations") or [relation]),
        "color": {"color": colour, "highlight": "#0f172a", "hover": "#0f172a"},
        "width": 2.2 if relation in EDGE_COLOURS else 1.2,
        "sources": [_source(e) for e in attributes.get("sources", ())],
    }


def _source(evidence: Evidence) -> dict:
    """What an edge's tooltip cites: the sentence and its article, or the curator note."""
    return {"quote": evidence.quote, "title": evidence.title, "date": evidence.date, "note": evidence.note}
