"""Graph views: networkx pictures of the knowledge graph, built from named SPARQL queries (graph/queries/*.rq).

A view is data only: viz/ renders it and api/ serialises it; nothing here draws, serves or writes the store.

Contract (the explorer codes against it):
  chain_view(kg, chain_iri) -> View; supplier_network(kg, district_iri=None) -> View; park_view(kg, park_iri) -> View;
  district_overview(kg, district_iri) -> View; ego_network(kg, entity_iri, radius=1, max_nodes=None) -> View.
  `View.graph` is a networkx.DiGraph whose node ids are IRIs. Node attributes: label_zh, label_en,
  kind (ck class local name: "Company", "ChainSegment", "IndustrialPark" …), roles (list: "chain-leader",
  "leading-enterprise", "listed", "supporting", "brought-in"); segments also carry order and position, clusters in
  the district overview revenue, revenue_unit_zh, revenue_unit_en, revenue_year, revenue_measure, nodes of an ego
  network (and of company_suppliers) distance, the links from the centre. Edge attributes:
  relation (property local name: "inSegment", "supplies", "supportingCompanyOf", "chainLeaderOf", "hostedIn" …),
  relations (every relation between the two nodes, most telling first), label_zh, label_en; after
  cite_links(kg, graph), sources (the evidence of the named graphs that state the link, graph/evidence.py).
  `View.omitted` counts nodes a cap (setting view_max_nodes) left out; `View.focus` is the IRI the view is about;
  `View.max_nodes` is the cap that applied.
Also here: company_suppliers(kg, company_iri, depth=1, max_nodes=None) -> View (one firm's supplier links);
list_chains(kg) -> list[ChainSummary] (the chains a user can pick from); describe(kg, graph, context=None), which
fills the node and edge attributes above on any graph whose nodes are IRIs (graph/ranking.py uses it).

Every view runs one query for its edges, then two over the nodes it keeps (names and kinds, roles): a cap is
applied before the nodes are described, so a capped view of a large graph stays cheap. In a chain view the cap
keeps the chain, its segments, its 链主 and 龙头 first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import networkx as nx
import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.evidence import evidence_of, ordered
from chainkg.graph.namespaces import CK, STANDARD_PREFIXES, VOCAB, local_name
from chainkg.graph.numeric import finite, finite_product
from chainkg.graph.store import KnowledgeGraph

# When two nodes are linked several ways, the edge's `relation` is the first of these that applies.
RELATION_PRECEDENCE = (
    "chainLeaderOf", "leadingEnterpriseOf", "supportingCompanyOf", "broughtInBy", "supplies", "inSegment",
    "segmentOf", "inChain", "hostedIn", "locatedIn", "memberOfCluster", "inCluster", "clusterOf", "chainOf",
    "containedInPlace",
)
# Names of the standard-vocabulary properties the ontology does not label itself.
STANDARD_RELATION_LABELS = {
    "containedInPlace": ("位于", "contained in"),
    "parentOrganization": ("母公司", "parent organisation"),
    "subOrganization": ("子公司", "subsidiary"),
    "founder": ("创始人", "founder"),
    "worksFor": ("任职于", "works for"),
    "broader": ("上位概念", "broader"),
    "source": ("来源", "source"),
    "author": ("作者", "author"),
    "date": ("日期", "date"),
}
SCHEMA = STANDARD_PREFIXES["schema"]


ORG = "http://www.w3.org/ns/org#"

class UnknownEntity(LookupError):
    """The IRI names nothing of the kind a view needs; the message says what was looked for."""


@dataclass
class View:
    """One view: a titled directed graph, what a cap left out (and the cap), and the entity it centres on."""

    title_zh: str
    title_en: str
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)
    omitted: int = 0
    focus: str | None = None
    max_nodes: int | None = None


# ---------------------------------------------------------------------------------------------------- the views
def chain_view(kg: KnowledgeGraph, chain_iri: str) -> View:
    """An industry chain: its segments, the organisations in each, leaders marked, and where they sit.

    >>> kg = KnowledgeGraph.in_memory()
    >>> kg.add(ox.parse('''PREFIX ck: <https://w3id.org/chainkg/ontology#> PREFIX e: <https://w3id.org/chainkg/id/>
    ...   PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    ...   e:q1 { e:ivd-chain a ck:IndustryChain ; skos:prefLabel "体外诊断产业链"@zh-Hans, "IVD chain"@en .
    ...          e:reagents ck:segmentOf e:ivd-chain . e:zybio ck:inSegment e:reagents ; ck:chainLeaderOf e:ivd-chain }
    ... ''', format=ox.RdfFormat.TRIG))
    >>> view = chain_view(kg, "https://w3id.org/chainkg/id/ivd-chain")
    >>> view.graph.nodes[view.focus]["kind"], view.title_en, view.graph.number_of_nodes()
    ('IndustryChain', 'IVD chain: segments, companies and places', 3)
    """
    require(kg, chain_iri, "IndustryChain")
    rows = queries.rows(kg, "chain_view", chain=ox.NamedNode(chain_iri))
    graph = _graph_of(rows)
    # `relation` is set by describe(), after the cap: select by `relations`, which every edge has from the start
    pinned = [n for n, _, r in graph.in_edges(chain_iri, data="relations")
              if {"segmentOf", "chainLeaderOf", "leadingEnterpriseOf"} & set(r)]
    clusters = [t for _, t, r in graph.out_edges(chain_iri, data="relations") if "inCluster" in r]
    omitted = _cap(graph, chain_iri, kg.settings.view_max_nodes, pinned)
    describe(kg, graph, context={chain_iri, *clusters})
    zh, en = _labels(graph, chain_iri)
    return View(f"{zh}：环节、企业与所在地", f"{en}: segments, companies and places", graph, omitted, chain_iri,
                kg.settings.view_max_nodes)


def supplier_network(kg: KnowledgeGraph, district_iri: str | None = None) -> View:
    """Who supplies whom, which supporting firms (配套) serve which anchor, and what an anchor brought in.

    With a district (or any place), the links that touch an organisation sitting there; without, all of them.
    """
    if district_iri is None:
        rows = queries.rows(kg, "supplier_links_all")
    else:
        require(kg, district_iri, "Place")
        local = queries.rows(kg, "organisations_in_place", place=ox.NamedNode(district_iri))
        rows = queries.rows(kg, "supplier_links", nodes=[r["node"].value for r in local])
    graph = _graph_of(rows)
    omitted = _cap(graph, None, kg.settings.view_max_nodes)
    describe(kg, graph)
    if district_iri is None:
        return View("供应网络", "Supplier network", graph, omitted, None, kg.settings.view_max_nodes)
    zh, en = _names(kg, [district_iri])[district_iri]
    return View(f"{zh}供应网络", f"Supplier network of {en}", graph, omitted, district_iri, kg.settings.view_max_nodes)


def company_suppliers(kg: KnowledgeGraph, company_iri: str, depth: int = 1, max_nodes: int | None = None) -> View:
    """One organisation's suppliers, customers, supporting firms and the anchors it serves, `depth` links out."""
    require(kg, company_iri, "Organization", namespace=ORG)
    view = _neighbourhood(kg, company_iri, depth, max_nodes, "supplier_links")
    zh, en = _labels(view.graph, company_iri)
    view.title_zh, view.title_en = f"{zh}的供应关系", f"Suppliers and customers of {en}"
    return view


def suppliers_of(kg: KnowledgeGraph, iri: str | None = None) -> View:
    """The supplier network a page asks for: of a place (the links of the organisations in it), of an organisation
    (its own suppliers, customers and supporting firms), or of everything; anything else is a clear UnknownEntity."""
    if iri is None or is_a(kg, iri, CK + "Place"):
        return supplier_network(kg, iri)
    if is_a(kg, iri, ORG + "Organization"):
        return company_suppliers(kg, iri)
    raise UnknownEntity(f"{iri} is neither a place nor an organisation: supplier networks are of places and firms")


def is_a(kg: KnowledgeGraph, iri: str, kind: str) -> bool:
    """Whether `iri` is an instance of the class `kind` (a full IRI) or of a subclass."""
    return queries.ask(kg, "entity_is_a", entity=named(iri), **{"class": ox.NamedNode(kind)})


def park_view(kg: KnowledgeGraph, park_iri: str) -> View:
    """A park (or any carrier): its buildings and carriers, the organisations they host, and their clusters."""
    require(kg, park_iri, "Carrier")
    rows = queries.rows(kg, "park_view", park=ox.NamedNode(park_iri))
    graph = _graph_of(rows)
    graph.add_node(park_iri)
    omitted = _cap(graph, park_iri, kg.settings.view_max_nodes)
    describe(kg, graph)
    zh, en = _labels(graph, park_iri)
    return View(f"{zh}：载体、企业与集群", f"{en}: carriers, companies and clusters", graph, omitted, park_iri,
                kg.settings.view_max_nodes)


def district_overview(kg: KnowledgeGraph, district_iri: str) -> View:
    """A district's clusters (each with its latest revenue figure and year), their chains and the chains' leaders."""
    require(kg, district_iri, "AdministrativeArea")
    rows = queries.rows(kg, "district_overview", district=ox.NamedNode(district_iri))
    graph = _graph_of(rows)
    graph.add_node(district_iri)
    omitted = _cap(graph, district_iri, kg.settings.view_max_nodes)
    describe(kg, graph)
    clusters = [n for n, kind in graph.nodes(data="kind") if kind == "IndustryCluster"]
    for cluster, figure in latest_sizes(kg, clusters).items():
        graph.nodes[cluster].update({
            "revenue": figure.value, "revenue_unit_zh": figure.unit_zh, "revenue_unit_en": figure.unit_en,
            "revenue_year": figure.year, "revenue_measure": figure.measure, "revenue_shown": figure.shown,
            "revenue_coverage": figure.coverage,
        })
    zh, en = _labels(graph, district_iri)
    return View(f"{zh}：集群、产业链与链主", f"{en}: clusters, chains and leaders", graph, omitted, district_iri,
                kg.settings.view_max_nodes)


def ego_network(kg: KnowledgeGraph, entity_iri: str, radius: int = 1, max_nodes: int | None = None) -> View:
    """Everything within `radius` links of an entity, nearest first; beyond `max_nodes` (default: the setting
    view_max_nodes) the farthest, least connected nodes are left out and counted in `omitted`."""
    if not queries.ask(kg, "entity_exists", entity=named(entity_iri)):
        raise UnknownEntity(f"the graph says nothing about {entity_iri}")
    view = _neighbourhood(kg, entity_iri, radius, max_nodes, "ego_links")
    zh, en = _labels(view.graph, entity_iri)
    view.title_zh, view.title_en = f"{zh}的关联网络（{radius}步）", f"Network of {en} ({radius} step{'s' * (radius != 1)})"
    return view


@dataclass(frozen=True)
class ChainSummary:
    """One industry chain as a list shows it: names, whose it is (`place`: the innermost of `places`, e.g. the
    district rather than the municipality whose 33 chains it is also one of), its clusters, how many segments and
    member organisations it has."""

    iri: str
    label_zh: str
    label_en: str
    place: str | None
    places: tuple[str, ...]
    clusters: tuple[str, ...]
    segments: int
    members: int


def list_chains(kg: KnowledgeGraph) -> list[ChainSummary]:
    """Every industry chain in the graph, by IRI.

    >>> kg = KnowledgeGraph.in_memory()
    >>> kg.add(ox.parse('''PREFIX ck: <https://w3id.org/chainkg/ontology#> PREFIX e: <https://w3id.org/chainkg/id/>
    ...   PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    ...   e:q1 { e:ivd-chain a ck:IndustryChain ; skos:prefLabel "IVD chain"@en ; ck:chainOf e:banan .
    ...          e:reagents ck:segmentOf e:ivd-chain . e:zybio ck:inSegment e:reagents ; ck:chainLeaderOf e:ivd-chain }
    ... ''', format=ox.RdfFormat.TRIG))
    >>> first = list_chains(kg)[0]
    >>> first.label_en, local_name(first.place), first.segments, first.members
    ('IVD chain', 'banan', 1, 1)
    """
    rows: dict[str, list[dict]] = {}
    for row in queries.rows(kg, "chains"):
        rows.setdefault(row["chain"].value, []).append(row)
    chains = []
    for iri, group in rows.items():
        first, fallback = group[0], local_name(iri)
        zh = first["zh"].value if "zh" in first else None
        en = first["en"].value if "en" in first else None
        places = tuple(sorted({r["place"].value for r in group if "place" in r}))
        chains.append(ChainSummary(
            iri, zh or en or fallback, en or zh or fallback, innermost(kg, places), places,
            tuple(sorted({r["cluster"].value for r in group if "cluster" in r})),
            int(first["segments"].value) if "segments" in first else 0,
            int(first["members"].value) if "members" in first else 0,
        ))
    return chains


def innermost(kg: KnowledgeGraph, places: Iterable[str]) -> str | None:
    """Of several places, the first (by IRI) that contains none of the others (schema:containedInPlace, transitively).

    >>> kg = KnowledgeGraph.in_memory()
    >>> innermost(kg, []) is None, innermost(kg, ["http://example.org/b", "http://example.org/a"])
    (True, 'http://example.org/a')
    """
    places = sorted(set(places))
    contained = ox.NamedNode(SCHEMA + "containedInPlace")
    outer: set[str] = set()
    for place in places:
        seen, frontier = {place}, [place]
        while frontier:  # walk up; containment chains are short (building → park → district → city → country)
            parents = {q.object.value for p in frontier for q in kg.match(ox.NamedNode(p), contained, None)
                       if isinstance(q.object, ox.NamedNode)} - seen
            seen |= parents
            frontier = list(parents)
        outer |= seen - {place}
    inner = [p for p in places if p not in outer]
    return inner[0] if inner else (places[0] if places else None)


# ---------------------------------------------------------------------------------------------------- shared helpers
def require(kg: KnowledgeGraph, iri: str, kind: str, namespace: str = CK) -> None:
    """Raise UnknownEntity unless `iri` is an instance of the class `namespace + kind` (or of a subclass)."""
    if not is_a(kg, iri, namespace + kind):
        raise UnknownEntity(f"no {kind} {iri} in the graph")


def named(iri: str) -> ox.NamedNode:
    """The IRI as a term; one that is not an IRI at all (a path id with control characters) names nothing here."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise UnknownEntity(f"{iri!r} is not an IRI") from None


@dataclass(frozen=True)
class Figure:
    """A size figure: value as printed, its unit, year and measure, and the value in yuan where the unit says."""

    value: float
    unit_zh: str
    unit_en: str
    year: int
    measure: str
    yuan: float | None
    symbol: str | None = None  # the qualifier's sign when the figure is a bound or approximate (> 100: 超100亿)
    coverage: str | None = None  # what the figure covers when it is not the whole (规上企业: firms above designated size)

    @property
    def shown(self) -> str:
        """The value as a reader should take it: `> 100`, `≈ 30`, `124.2`."""
        return qualified(self.symbol, _number(self.value))


def latest_sizes(kg: KnowledgeGraph, nodes: Iterable[str] | None) -> dict[str, Figure]:
    """Each node's latest actual revenue figure (else output value, else industrial output value), by year; with
    `nodes` None, of every node that has one (one query, for rankings of every chain)."""
    preference = {"revenue": 0, "output-value": 1, "industrial-output-value": 2}
    units = {
        row["unit"].value: (float(row["factor"].value) if "factor" in row else None,
                            row["zh"].value if "zh" in row else "", row["en"].value if "en" in row else "")
        for row in queries.rows(kg, "unit_names")
    }
    measures = {VOCAB + "measure/" + name: (name, -rank) for name, rank in preference.items()}
    best: dict[str, tuple[tuple[int, int], str, ox.Literal, ox.NamedNode | None, ox.Literal | None, ox.Literal | None]] = {}
    # rows as tuples in the query's column order (?node ?measure ?value ?year ?unit ?symbol ?coverage): tens of
    # thousands of them, so a Figure is made only for each node's winner
    for node_term, measure, value, year, unit, symbol, coverage in queries.solutions(kg, "size_figures", nodes=nodes):
        if finite(value.value) is None:  # a figure too large for a float (or no number): not a size, keep looking
            continue
        name, rank = measures[measure.value]
        key = (int(year.value[:4]), rank)
        node = node_term.value
        if node not in best or key > best[node][0]:
            best[node] = (key, name, value, unit, symbol, coverage)
    sizes = {}
    for node, ((year, _), name, value, unit, symbol, coverage) in best.items():
        factor, unit_zh, unit_en = units.get(unit.value, (None, "", "")) if unit is not None else (None, "", "")
        number = finite(value.value)
        sizes[node] = Figure(number, unit_zh, unit_en, year, name, finite_product(number, factor),
                             symbol.value if symbol is not None else None, coverage.value if coverage is not None else None)
    return sizes


def qualified(symbol: str | None, number: str) -> str:
    """A number with its qualifier's sign, as tables and charts print it; a top-N group is not a rank.

    >>> qualified(">", "400"), qualified("≈", "30"), qualified("top", "3"), qualified(None, "124.2")
    ('> 400', '≈ 30', 'top 3', '124.2')
    """
    return f"{symbol} {number}" if symbol else number


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def _graph_of(rows: list[dict]) -> nx.DiGraph:
    """Edges from `source relation target` rows; several relations between one pair become one edge."""
    graph = nx.DiGraph()
    for row in rows:
        source, target, relation = row["source"].value, row["target"].value, local_name(row["relation"].value)
        if source == target:
            continue
        if graph.has_edge(source, target):
            relations = graph.edges[source, target]["relations"]
            if relation not in relations:
                relations.append(relation)
                relations.sort(key=_precedence)
        else:
            graph.add_edge(source, target, relations=[relation])
    return graph


def _precedence(relation: str) -> tuple[int, str]:
    try:
        return RELATION_PRECEDENCE.index(relation), relation
    except ValueError:
        return len(RELATION_PRECEDENCE), relation


def _cap(graph: nx.DiGraph, focus: str | None, max_nodes: int, pinned: Iterable[str] = (),
         distance: dict[str, int] | None = None) -> int:
    """Keep at most `max_nodes`: the focus, pinned nodes, then the nearest (by `distance`) and best connected.
    Returns how many nodes were removed."""
    if graph.number_of_nodes() <= max_nodes:
        return 0
    first = {focus, *pinned} - {None}
    degree = dict(graph.degree())
    ranked = sorted(graph.nodes, key=lambda n: (n not in first, (distance or {}).get(n, 0), -degree[n], n))
    dropped = ranked[max_nodes:]
    graph.remove_nodes_from(dropped)
    return len(dropped)


def describe(kg: KnowledgeGraph, graph: nx.DiGraph, context: set[str] | None = None) -> None:
    """Fill node attributes (names, kind, roles, segment order and position) and, when there are edges, edge labels.

    With a `context`, the roles chain-leader and leading-enterprise count only when held of an entity in it (the
    chain view marks the leaders of *its* chain)."""
    nodes = list(graph.nodes)
    for node in nodes:  # the attributes in the order pages and JSON have always listed them
        graph.nodes[node].update(label_zh=None, label_en=None, kind="Thing", roles=[])
    name_nodes(kg, graph)
    for row in queries.rows(kg, "view_node_roles", nodes=nodes):
        role = row["role"].value
        scoped = role in ("chain-leader", "leading-enterprise")
        if context is not None and scoped and ("of" not in row or row["of"].value not in context):
            continue
        roles = graph.nodes[row["node"].value]["roles"]
        if role not in roles:
            roles.append(role)
    for node in nodes:
        graph.nodes[node]["roles"].sort()
    if graph.number_of_edges() == 0:
        return  # a graph of nodes only (the names a chain map or a ranking needs): no relation labels to ask for
    labels = _relation_labels(kg)
    for _, _, attributes in graph.edges(data=True):
        relation = attributes["relations"][0]
        attributes["relation"] = relation
        attributes["label_zh"], attributes["label_en"] = labels.get(relation, (relation, relation))


def name_nodes(kg: KnowledgeGraph, graph: nx.DiGraph) -> None:
    """Fill each node's label_zh, label_en and kind (and a segment's order and position): what `describe` gives
    a node, without its roles, for callers that only name nodes (a chain's facts, a ranking's extra candidates)."""
    nodes = list(graph.nodes)
    for node in nodes:
        graph.nodes[node].update(label_zh=None, label_en=None, kind="Thing")
    for row in queries.rows(kg, "view_node_descriptions", nodes=nodes):
        attributes = graph.nodes[row["node"].value]
        if "kind" in row and attributes["kind"] == "Thing":
            attributes["kind"] = local_name(row["kind"].value)
        for column, key in (("zh", "label_zh"), ("en", "label_en")):
            if column in row and attributes[key] is None:
                attributes[key] = row[column].value
        if "order" in row:
            attributes["order"] = int(row["order"].value)
        if "position" in row:
            attributes["position"] = local_name(row["position"].value).lower()
    _caption_statistics(kg, graph, [n for n in nodes if graph.nodes[n]["kind"] == "Statistic"])
    for node in nodes:
        attributes = graph.nodes[node]
        fallback = local_name(node)
        attributes["label_zh"] = attributes["label_zh"] or attributes["label_en"] or fallback
        attributes["label_en"] = attributes["label_en"] or attributes["label_zh"] or fallback


def cite_links(kg: KnowledgeGraph, graph: nx.DiGraph) -> None:
    """Give each edge `sources`: the evidence (a sentence with its article, or a curator note) of every named graph
    that states one of the edge's relations between its two nodes, latest article first.

    A drawn link is a fact like any other, so a reader hovering over it should see which article says so; views call
    this only for what they draw (one query over the nodes, one over the graphs found), not for rankings.
    """
    stated: dict[tuple[str, str], set[str]] = {}
    for row in queries.rows(kg, "link_sources", nodes=graph.nodes):
        source, target = row["node"].value, row["target"].value
        if graph.has_edge(source, target) and local_name(row["relation"].value) in graph.edges[source, target]["relations"]:
            stated.setdefault((source, target), set()).add(row["g"].value)
    found = evidence_of(kg, set().union(*stated.values()))
    for source, target, attributes in graph.edges(data=True):
        graphs = stated.get((source, target), ())
        attributes["sources"] = list(ordered(found[g] for g in graphs if g in found))


def _caption_statistics(kg: KnowledgeGraph, graph: nx.DiGraph, statistics: list[str]) -> None:
    """Name a statistic by what it says (营业收入 2021：120 亿元), not by its id (a001-007): statistics have no names."""
    for row in queries.rows(kg, "statistic_captions", nodes=statistics):
        attributes = graph.nodes[row["node"].value]
        if attributes["label_zh"] is not None:
            continue
        value = format_number(row["value"].value)
        year = f" {row['year'].value}" if "year" in row else ""
        zh_unit = row["unitZh"].value if "unitZh" in row else ""
        en_unit = row["unitEn"].value if "unitEn" in row else ""
        en_unit = (" × " if en_unit[:1].isdigit() else " ") + en_unit if en_unit else ""  # 200 × 100 million yuan
        measure_zh = row["measureZh"].value if "measureZh" in row else "统计"
        measure_en = row["measureEn"].value if "measureEn" in row else "figure"
        attributes["label_zh"] = f"{measure_zh}{year}：{value}{zh_unit}"
        attributes["label_en"] = f"{measure_en}{year}: {value}{en_unit}"


def format_number(text: str) -> str:
    """A decimal as people write it: no trailing zeros, no exponent.

    >>> format_number("120.50"), format_number("3"), format_number("1E3")
    ('120.5', '3', '1000')
    """
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    shown = format(number.normalize(), "f")
    return shown


def _relation_labels(kg: KnowledgeGraph) -> dict[str, tuple[str, str]]:
    labels = dict(STANDARD_RELATION_LABELS)
    for row in queries.rows(kg, "relation_labels"):
        name = local_name(row["relation"].value)
        labels[name] = (row["zh"].value if "zh" in row else name, row["en"].value if "en" in row else name)
    return labels


def _labels(graph: nx.DiGraph, node: str) -> tuple[str, str]:
    return graph.nodes[node]["label_zh"], graph.nodes[node]["label_en"]


def _names(kg: KnowledgeGraph, nodes: list[str]) -> dict[str, tuple[str, str]]:
    """Names of entities outside a view's graph (e.g. the place a supplier network is restricted to)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    name_nodes(kg, graph)
    return {n: _labels(graph, n) for n in nodes}


def _neighbourhood(kg: KnowledgeGraph, centre: str, radius: int, max_nodes: int | None, query: str) -> View:
    """Breadth-first rings around `centre`, one query per ring (the ring's nodes fill the query's VALUES slot)."""
    graph = nx.DiGraph()
    graph.add_node(centre)
    distance = {centre: 0}
    frontier = [centre]
    for ring in range(1, radius + 1):
        if not frontier:
            break
        ring_graph = _graph_of(queries.rows(kg, query, nodes=frontier))
        for source, target, attributes in ring_graph.edges(data=True):
            if graph.has_edge(source, target):
                continue
            graph.add_edge(source, target, **attributes)
        frontier = [n for n in ring_graph.nodes if n not in distance]
        distance.update((n, ring) for n in frontier)
    cap = max_nodes or kg.settings.view_max_nodes
    omitted = _cap(graph, centre, cap, distance=distance)
    describe(kg, graph)
    for node in graph.nodes:
        graph.nodes[node]["distance"] = distance[node]
    return View("", "", graph, omitted, centre, cap)
