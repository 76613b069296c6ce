"""The data of an entity page: names, classes, every statement with its evidence, incoming links with counts,
events, statistics (and the yearly series a chart draws), and, for a quote or note, the facts it states.

All SPARQL is in named queries (graph/queries/*.rq). Nothing here renders or serves: viz/ draws, api/ answers.
Evidence is numbered per page, in order of first use, so a page can cite each fact like a footnote.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.labels import Kind, Label, kinds, labels
from chainkg.graph.namespaces import CK, STANDARD_PREFIXES, local_name
from chainkg.graph.numeric import finite, true
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.views import qualified

RDF_TYPE = STANDARD_PREFIXES["rdf"] + "type"
SKOS = STANDARD_PREFIXES["skos"]
RDFS = STANDARD_PREFIXES["rdfs"]
SCHEMA = STANDARD_PREFIXES["schema"]
DCTERMS = STANDARD_PREFIXES["dcterms"]
PROV = STANDARD_PREFIXES["prov"]
OA = STANDARD_PREFIXES["oa"]
XSD = STANDARD_PREFIXES["xsd"]

# Names a page shows in its heading rather than in the property list.
NAME_PROPERTIES = (SKOS + "prefLabel", SKOS + "altLabel")
# Names that exist to be found (misspellings, hidden variants), never to be shown.
HIDDEN_PROPERTIES = frozenset({SKOS + "hiddenLabel", CK + "captionVariant"})
# Incoming links the page shows in a section of their own (statistics table, timeline).
SHOWN_ELSEWHERE = frozenset({CK + "statSubject", CK + "participant", CK + "eventPlace", CK + "about"})
# Incoming links are read from the entity's side: the name of the inverse ("下位概念 narrower" for what points
# here by skos:broader). owl:inverseOf in the ontology is used too; what neither names reads "… (指向此处)".
INVERSE_LABELS: dict[str, tuple[str, str]] = {
    SKOS + "broader": ("下位概念", "narrower"),
    CK + "nextSegment": ("上一环节", "previous segment"),
    CK + "supportingCompanyOf": ("配套企业", "supporting firms"),
    CK + "supplies": ("供应商", "suppliers"),
    CK + "hostedIn": ("入驻机构", "hosts"),
    CK + "locatedIn": ("位于此地的", "located here"),
    CK + "memberOfCluster": ("集群成员", "cluster members"),
    CK + "inCluster": ("所含产业", "in this cluster"),
    CK + "inChain": ("产业链成员", "chain members"),
    CK + "inSegment": ("环节成员", "members of this segment"),
    CK + "segmentOf": ("环节", "segments"),
    CK + "hasSegment": ("所属产业链", "chain"),
    CK + "chainLeaderOf": ("链主", "chain leader"),
    CK + "leadingEnterpriseOf": ("龙头企业", "leading enterprises"),
    CK + "clusterOf": ("产业集群", "clusters"),
    CK + "chainOf": ("产业链", "chains"),
    CK + "broughtInBy": ("引进的企业和项目", "brought in"),
    CK + "projectOf": ("项目", "projects"),
    CK + "operatedBy": ("运营的载体", "operates"),
    CK + "focusIndustry": ("聚焦于此的载体", "carriers focused on it"),
    CK + "appliesTo": ("适用于此的政策", "policies for it"),
    CK + "issuedBy": ("发布的政策", "policies issued"),
    CK + "industry": ("所属企业", "firms in this industry"),
    CK + "listedOn": ("上市公司", "listed companies"),
    CK + "originatesFrom": ("源于此的", "originating here"),
    CK + "cooperatesWith": ("合作方", "cooperates with"),
    CK + "growthOf": ("增长率", "growth rates"),
    CK + "scope": ("以此为范围的数据", "figures scoped to it"),
    CK + "measure": ("此指标的数据", "figures of this measure"),
    CK + "unit": ("以此为单位的数据", "figures in this unit"),
    CK + "status": ("此性质的数据", "figures of this status"),
    CK + "periodKind": ("此期间类型的数据", "figures of this period kind"),
    CK + "qualifier": ("带此限定的数据", "figures so qualified"),
    SCHEMA + "containedInPlace": ("包含", "contains"),
    SCHEMA + "parentOrganization": ("子公司", "subsidiaries"),
    SCHEMA + "subOrganization": ("母公司", "parent organisation"),
    SCHEMA + "worksFor": ("人员", "people"),
    SCHEMA + "author": ("所写文章", "articles written"),
    SCHEMA + "provider": ("由其提供", "provided by it"),
    SCHEMA + "founder": ("创立的机构", "founded"),
    SCHEMA + "isPartOf": ("组成部分", "parts"),
    SCHEMA + "hasPart": ("所属整体", "part of"),
    SCHEMA + "about": ("相关报道与事件", "about it"),
    SCHEMA + "mentions": ("提及它的", "mentioned by"),
    SCHEMA + "alumniOf": ("校友", "alumni"),
    SCHEMA + "publisher": ("出版物", "publications"),
    SCHEMA + "issuedBy": ("颁发的资质", "credentials issued"),
    PROV + "wasQuotedFrom": ("引述", "quotes"),
    PROV + "wasAttributedTo": ("出自其手", "attributed to it"),
    DCTERMS + "source": ("出自本文的数据", "figures from it"),
    RDFS + "subClassOf": ("下位类", "subclasses"),
    RDFS + "subPropertyOf": ("下位属性", "subproperties"),
    RDFS + "domain": ("以此为定义域的属性", "properties of it"),
    RDFS + "range": ("以此为值域的属性", "properties whose values it types"),
    SKOS + "inScheme": ("概念", "concepts"),
    RDF_TYPE: ("实例", "instances"),
}
# Properties first in this order, then the rest by name.
PROPERTY_ORDER = (
    CK + "locatedIn", CK + "hostedIn", SCHEMA + "containedInPlace", CK + "chainLeaderOf", CK + "leadingEnterpriseOf",
    CK + "inChain", CK + "inSegment", CK + "segmentOf", CK + "memberOfCluster", CK + "inCluster", CK + "clusterOf",
    CK + "chainOf", CK + "supplies", CK + "supportingCompanyOf", CK + "broughtInBy", CK + "isListedCompany",
    DCTERMS + "date", OA + "exact", PROV + "wasQuotedFrom",
)
# Names of standard-vocabulary properties, which the ontology does not label.
STANDARD_PROPERTY_LABELS: dict[str, tuple[str, str]] = {
    RDF_TYPE: ("类型", "type"),
    SKOS + "prefLabel": ("名称", "preferred name"),
    SKOS + "altLabel": ("别名", "alternative name"),
    SKOS + "broader": ("上位概念", "broader"),
    SKOS + "inScheme": ("所属体系", "in scheme"),
    RDFS + "label": ("标签", "label"),
    RDFS + "comment": ("说明", "comment"),
    RDFS + "subClassOf": ("上位类", "subclass of"),
    RDFS + "subPropertyOf": ("上位属性", "subproperty of"),
    RDFS + "domain": ("定义域", "domain"),
    RDFS + "range": ("值域", "range"),
    SCHEMA + "containedInPlace": ("位于", "contained in"),
    SCHEMA + "parentOrganization": ("母公司", "parent organisation"),
    SCHEMA + "subOrganization": ("子公司", "subsidiary"),
    SCHEMA + "founder": ("创始人", "founder"),
    SCHEMA + "worksFor": ("任职于", "works for"),
    SCHEMA + "jobTitle": ("职务", "job title"),
    SCHEMA + "description": ("描述", "description"),
    SCHEMA + "author": ("作者", "author"),
    SCHEMA + "contributor": ("撰稿", "contributor"),
    SCHEMA + "creator": ("创作者", "creator"),
    SCHEMA + "about": ("关于", "about"),
    SCHEMA + "provider": ("提供方", "provider"),
    SCHEMA + "award": ("荣誉", "award"),
    SCHEMA + "alumniOf": ("毕业于", "alumnus of"),
    SCHEMA + "geoOverlaps": ("地域交叠", "overlaps"),
    SCHEMA + "geoTouches": ("毗邻", "touches"),
    SCHEMA + "hasCredential": ("资质", "credential"),
    SCHEMA + "hasPart": ("包含", "has part"),
    SCHEMA + "isPartOf": ("属于", "part of"),
    SCHEMA + "issuedBy": ("颁发机构", "issued by"),
    SCHEMA + "knowsAbout": ("专长", "knows about"),
    SCHEMA + "mentions": ("提及", "mentions"),
    SCHEMA + "publisher": ("发布方", "publisher"),
    SCHEMA + "slogan": ("口号", "slogan"),
    DCTERMS + "date": ("日期", "date"),
    DCTERMS + "title": ("标题", "title"),
    DCTERMS + "source": ("来源", "source"),
    PROV + "wasQuotedFrom": ("引自", "quoted from"),
    PROV + "wasAttributedTo": ("归属", "attributed to"),
    OA + "exact": ("原文", "exact words"),
}
BOOLEAN_TEXT = {"true": "是 yes", "false": "否 no"}
Term_key = tuple[str, str, str, str]  # a term as (kind, value, language, datatype), hashable and sortable


# ---------------------------------------------------------------------------------------------------- page data
@dataclass(frozen=True)
class Link:
    """Another node, with what to call it."""

    iri: str
    label: Label


@dataclass(frozen=True)
class Value:
    """One value of a property: a link, or a literal with its language or datatype; and the sources that state it."""

    link: Link | None
    text: str | None = None
    lang: str | None = None
    datatype: str | None = None
    sources: tuple[int, ...] = ()


@dataclass
class PropertyGroup:
    """The values of one property (at most the setting entity_max_links), and how many there are in all."""

    iri: str
    label: Label
    values: list[Value] = field(default_factory=list)
    total: int = 0

    @property
    def omitted(self) -> int:
        return self.total - len(self.values)


@dataclass(frozen=True)
class Source:
    """The evidence of some facts: a quoted sentence and its article, a curator note, or the graph's bookkeeping."""

    number: int
    graph: str | None
    kind: str  # "quote", "note", "ontology", "provenance", "graph" (a named graph described nowhere), "none"
    text: str | None = None
    article: Link | None = None
    article_date: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Event:
    iri: str
    label: Label
    kinds: tuple[Kind, ...]
    date: str | None
    planned: bool
    roles: tuple[Label, ...]
    sources: tuple[int, ...]
    covers_year: str | None = None  # the year an award is for (2022年度), apart from when it was given
    date_note: str | None = None  # set when the date is the curators' inference

    @property
    def date_text(self) -> str:
        """The date as the timeline shows it: 2023? when inferred, 2022年度 for the year an award is for."""
        if self.date is None:
            return f"{self.covers_year}年度" if self.covers_year else "日期不详"
        return self.date + ("?" if self.date_note else "")


@dataclass(frozen=True)
class Statistic:
    iri: str
    measure: Link
    value: float | None  # None: not a finite number (graph/numeric.py); value_text still shows it
    value_text: str
    unit: Link | None
    year: int | None
    period_kind: Link | None
    period_label: str | None
    status: Link | None
    start: str | None
    end: str | None
    sources: tuple[int, ...]
    qualifier: Link | None = None  # more than, about … (ck:qualifier): the value is a bound or approximate
    coverage: Label | None = None  # what exactly it counts (口径: IVD企业, 规上工业, 按生产规模), part of the measure
    scope: Link | None = None  # the region a rank or share compares against (全球, 全市)
    year_note: Label | None = None  # set when the year is the curators' inference, not the article's (ck:yearNote)

    @property
    def year_text(self) -> str:
        """The year as the page shows it: "2023?" when inferred, never passed off as stated."""
        if self.year is None:
            return ""
        return f"{self.year}?" if self.year_note is not None else str(self.year)
    symbol: str | None = None  # the qualifier's sign: > ≥ ≈ < ≤, or "top"

    @property
    def shown(self) -> str:
        """The value as a reader should take it: "> 400" (400余家), "≈ 30" (近30家), "top 3" (前三: not rank 3)."""
        return qualified(self.symbol, self.value_text)

    @property
    def actual(self) -> bool:
        return self.status is None or local_name(self.status.iri) == "actual"


@dataclass(frozen=True)
class Point:
    """One bar of a series: the year, the value, and whether it is an actual full-year figure."""

    year: int
    value: float
    value_text: str
    status: Label | None
    period: Label | None
    actual: bool
    full_year: bool
    year_text: str = ""  # "2023?" when the year is inferred


@dataclass(frozen=True)
class Series:
    """A measure in one unit over several years (one point a year, the most telling figure of the year)."""

    measure: Link
    unit: Link | None
    points: tuple[Point, ...]
    coverage: Label | None = None  # what the measure counts, when the figures say (口径)


@dataclass(frozen=True)
class Fact:
    """A statement held by a named graph (shown on the page of the quote or note that is the graph)."""

    subject: Link
    property: Label
    property_iri: str
    value: Value


@dataclass
class EntityPage:
    iri: str
    label: Label
    names: list[Value]
    kinds: list[Kind]
    classes: frozenset[str]
    properties: list[PropertyGroup]
    incoming: list[PropertyGroup]
    events: list[Event]
    statistics: list[Statistic]
    series: list[Series]
    facts: list[Fact]
    facts_total: int
    sources: list[Source]
    misprints: list[Value] = field(default_factory=list)  # names an article misprints (ck:captionVariant)

    def is_a(self, class_local_name: str) -> bool:
        """True when the entity is an instance of a chainkg class (or of a subclass of it)."""
        return CK + class_local_name in self.classes


class _Citations:
    """Numbers the graphs a page cites, in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[str | None, int] = {}

    def cite(self, graphs: list[str | None]) -> tuple[int, ...]:
        for graph in graphs:
            self.numbers.setdefault(graph, len(self.numbers) + 1)
        return tuple(sorted({self.numbers[g] for g in graphs}))


# ---------------------------------------------------------------------------------------------------- building
def exists(kg: KnowledgeGraph, iri: str) -> bool:
    """True when the graph says anything about the IRI, points at it, or holds a named graph of that name."""
    try:
        entity = ox.NamedNode(iri)
    except ValueError:
        return False
    if queries.ask(kg, "entity_exists", entity=entity):
        return True
    return int(queries.rows(kg, "graph_size", entity=entity)[0]["facts"].value) > 0


def _declared_inverses(kg: KnowledgeGraph, properties) -> dict[str, str]:
    """owl:inverseOf pairs of the ontology for these properties, either way round."""
    found = {}
    for row in queries.rows(kg, "inverse_of", nodes=properties):
        found[row["node"].value] = row["inverse"].value
    return found


def _source(kg: KnowledgeGraph, graph: ox.NamedNode) -> str | None | bool:
    """The evidence graph a statement comes from; None for chainkg's own default graph (no source), False for a
    graph that is no source at all (an external store's merge, graph/merge.py)."""
    if graph.value in kg.layout.hidden:
        return False
    return None if graph == kg.own else graph.value


def page(kg: KnowledgeGraph, iri: str) -> EntityPage | None:
    """Everything an entity page shows, or None when the graph knows nothing of the IRI.

    >>> from chainkg.graph import loader
    >>> kg = KnowledgeGraph.in_memory(); _ = loader.load_shipped(kg)
    >>> p = page(kg, kg.settings.base_iri + "id/zhongyuan-huiji")
    >>> p.label, [k.en for k in p.kinds]
    (Label(zh='中元汇吉', en='Zybio'), ['company'])
    >>> leader = next(g for g in p.properties if g.iri.endswith("#chainLeaderOf"))
    >>> leader.values[0].link.label.zh, p.sources[leader.values[0].sources[0] - 1].kind
    ('体外诊断（IVD）产业链', 'quote')
    """
    if not exists(kg, iri):
        return None
    entity = ox.NamedNode(iri)
    limit = kg.settings.entity_max_links
    citations = _Citations()

    statements = queries.rows(kg, "entity_statements", entity=entity)
    by_property: dict[str, dict[Term_key, list[str | None]]] = defaultdict(dict)
    for row in statements:
        if (source := _source(kg, row["graph"])) is not False:
            by_property[row["property"].value].setdefault(_term_key(row["value"]), []).append(source)

    incoming_counts = {r["property"].value: int(r["count"].value)
                       for r in queries.rows(kg, "entity_incoming_counts", entity=entity)}
    incoming_subjects: dict[str, dict[str, list[str | None]]] = {}
    for prop, _count in sorted(incoming_counts.items()):
        if prop in SHOWN_ELSEWHERE:
            continue
        subjects = [r["subject"].value for r in queries.rows(kg, "entity_incoming", limit=limit,
                                                     entity=entity, property=ox.NamedNode(prop))
                    if isinstance(r["subject"], ox.NamedNode)]
        graphs: dict[str, list[str | None]] = {s: [] for s in subjects}
        for r in queries.rows(kg, "incoming_sources", nodes=subjects, entity=entity, property=ox.NamedNode(prop)):
            if (source := _source(kg, r["graph"])) is not False:
                graphs[r["node"].value].append(source)
        incoming_subjects[prop] = graphs

    event_rows = queries.rows(kg, "entity_events", entity=entity)
    stat_rows = queries.rows(kg, "entity_statistics", entity=entity)
    classes = queries.rows(kg, "entity_classes", entity=entity)
    fact_rows = queries.rows(kg, "graph_facts", limit=limit, entity=entity)
    facts_total = int(queries.rows(kg, "graph_size", entity=entity)[0]["facts"].value)

    # Name everything the page links to in two queries.
    iris = {iri, *by_property, *incoming_subjects}
    iris |= {k[1] for values in by_property.values() for k in values if k[0] == "iri"}
    iris |= {s for subjects in incoming_subjects.values() for s in subjects}
    iris |= {r[v].value for r in event_rows for v in ("event", "role")}
    iris |= {r[v].value for r in stat_rows for v in ("measure", "unit", "periodKind", "status", "qualifier", "scope") if v in r}
    iris |= {r[v].value for r in fact_rows for v in ("subject", "property", "value") if isinstance(r.get(v), ox.NamedNode)}
    names = labels(kg, iris)
    event_kinds = kinds(kg, {r["event"].value for r in event_rows} | {iri})

    def link(node: str) -> Link:
        return Link(node, names.get(node) or Label(local_name(node)))

    def property_label(prop: str) -> Label:
        if prop in STANDARD_PROPERTY_LABELS:
            return Label(*STANDARD_PROPERTY_LABELS[prop])
        found = names.get(prop)
        return found if found and found.zh != local_name(prop) else Label(local_name(prop), local_name(prop))

    misprints = [_value(key, link, citations.cite(graphs))
                 for key, graphs in sorted(by_property.get(CK + "captionVariant", {}).items(), key=_name_order)]
    name_values = [_value(key, link, citations.cite(graphs))
                   for prop in NAME_PROPERTIES for key, graphs in sorted(by_property.get(prop, {}).items(), key=_name_order)]
    properties = []
    for prop in sorted(by_property, key=lambda p: _property_rank(p, property_label(p))):
        if prop in HIDDEN_PROPERTIES or prop in NAME_PROPERTIES or prop == RDF_TYPE:
            continue
        values = sorted(by_property[prop].items(), key=lambda item: _value_order(item[0], names))
        group = PropertyGroup(prop, property_label(prop), total=len(values))
        group.values = [_value(key, link, citations.cite(graphs)) for key, graphs in values[:limit]]
        properties.append(group)
    inverses = _declared_inverses(kg, incoming_subjects)

    def inverse_label(prop: str) -> Label:
        if prop in INVERSE_LABELS:
            return Label(*INVERSE_LABELS[prop])
        if prop in inverses:
            return property_label(inverses[prop])
        forward = property_label(prop)
        return Label(f"{forward.zh}（指向此处）", f"{forward.en or forward.zh} (pointing here)")

    incoming = []
    for prop in sorted(incoming_subjects, key=lambda p: _property_rank(p, property_label(p))):
        subjects = sorted(incoming_subjects[prop].items(), key=lambda item: (link(item[0]).label.zh, item[0]))
        group = PropertyGroup(prop, inverse_label(prop), total=incoming_counts[prop])
        group.values = [Value(link(s), sources=citations.cite(graphs)) for s, graphs in subjects]
        incoming.append(group)

    events = _events(event_rows, link, event_kinds, citations)
    statistics = _statistics(stat_rows, link, citations)
    facts = [Fact(link(r["subject"].value) if isinstance(r["subject"], ox.NamedNode) else Link(str(r["subject"]), Label(str(r["subject"]))),
                  property_label(r["property"].value), r["property"].value, _value(_term_key(r["value"]), link, ()))
             for r in fact_rows if r["property"].value not in HIDDEN_PROPERTIES]

    return EntityPage(
        iri=iri, label=names[iri], names=name_values, kinds=event_kinds.get(iri, []),
        classes=frozenset(r["class"].value for r in classes), properties=properties, incoming=incoming,
        events=events, statistics=statistics, series=series_of(statistics), facts=facts, facts_total=facts_total,
        misprints=misprints,
        sources=_sources(kg, citations, link),
    )


def description(kg: KnowledgeGraph, iri: str, syntax: ox.RdfFormat) -> bytes:
    """The entity's statements and the statements pointing at it, serialised (Turtle, JSON-LD …) with chainkg's prefixes.

    >>> kg = KnowledgeGraph.in_memory()
    >>> e = kg.settings.base_iri + "id/x"
    >>> kg.add([ox.Quad(ox.NamedNode(e), ox.NamedNode(SKOS + "prefLabel"), ox.Literal("甲", language="zh-Hans"))])
    >>> description(kg, e, ox.RdfFormat.TURTLE).decode().splitlines()[-1]
    'e:x skos:prefLabel "甲"@zh-hans .'
    """
    triples = queries.triples(kg, "entity_description", entity=ox.NamedNode(iri))
    used = {name: ns for name, ns in kg.prefixes.items()
            if any(str(t.subject).startswith("<" + ns) or str(t.predicate).startswith("<" + ns)
                   or str(t.object).startswith("<" + ns) for t in triples)}
    return ox.serialize(triples, format=syntax, prefixes=used) or b""


def series_of(statistics: list[Statistic]) -> list[Series]:
    """Measures with figures for at least two years in one unit, one point a year: an actual full-year figure
    if there is one, else an actual figure, else a forecast or target.

    >>> m, u = Link("m", Label("营业收入")), Link("u", Label("亿元"))
    >>> def stat(year, value, status="actual"):
    ...     return Statistic("s", m, value, str(value), u, year, None, None, Link(status, Label(status)), None, None, ())
    >>> [(p.year, p.value, p.actual) for p in series_of([stat(2020, 55.0), stat(2023, 100.0), stat(2027, 300.0, "target")])[0].points]
    [(2020, 55.0, True), (2023, 100.0, True), (2027, 300.0, False)]
    """
    groups: dict[tuple[str, str | None, str | None, str | None], list[Statistic]] = defaultdict(list)
    for stat in statistics:  # figures that count different things (口径, scope) are different series
        if stat.year is not None and stat.value is not None:  # a value too large to draw is listed, not charted
            groups[(stat.measure.iri, stat.unit.iri if stat.unit else None, stat.coverage.zh if stat.coverage else None,
                    stat.scope.iri if stat.scope else None)].append(stat)
    result = []
    for stats in groups.values():
        best: dict[int, tuple[tuple[int, int], Statistic]] = {}
        for stat in stats:
            full = stat.period_kind is not None and local_name(stat.period_kind.iri) in ("full-year", "target-year")
            rank = (0 if stat.actual else 1, 0 if full else 1)
            if stat.year not in best or rank < best[stat.year][0]:
                best[stat.year] = (rank, stat)
        if len(best) < 2:
            continue
        points = tuple(
            Point(year, s.value, s.shown, s.status.label if s.status else None,
                  s.period_kind.label if s.period_kind else None, s.actual, rank[1] == 0, s.year_text)
            for year, (rank, s) in sorted(best.items())
        )
        first = stats[0]
        result.append(Series(first.measure, first.unit, points, first.coverage))
    return sorted(result, key=lambda s: (local_name(s.measure.iri) != "revenue", s.measure.label.zh))


# ---------------------------------------------------------------------------------------------------- helpers


def _term_key(term: object) -> Term_key:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, "", "")
    if isinstance(term, ox.Literal):
        return ("literal", term.value, (term.language or "").lower(), term.datatype.value if not term.language else "")
    return ("blank", str(term), "", "")


def _value(key: Term_key, link, sources: tuple[int, ...]) -> Value:
    kind, value, lang, datatype = key
    if kind == "iri":
        return Value(link(value), sources=sources)
    if datatype == XSD + "boolean":
        return Value(None, BOOLEAN_TEXT.get(value, value), None, datatype, sources)
    shown_type = None if datatype in ("", XSD + "string") else local_name(datatype)
    return Value(None, value, lang or None, shown_type, sources)


def _name_order(item: tuple[Term_key, list]) -> tuple[int, str]:
    lang = item[0][2]
    order = {"zh-hans": 0, "zh-hant": 1, "en": 2}
    return (order.get(lang, 3), item[0][1])


def _value_order(key: Term_key, names: dict[str, Label]) -> tuple[str, str]:
    if key[0] == "iri" and key[1] in names:
        return (names[key[1]].zh, key[1])
    return (key[2], key[1])


def _property_rank(prop: str, label: Label) -> tuple[int, str]:
    return (PROPERTY_ORDER.index(prop) if prop in PROPERTY_ORDER else len(PROPERTY_ORDER), label.zh)


def _events(event_rows: list[dict], link, event_kinds: dict[str, list[Kind]], citations: _Citations) -> list[Event]:
    grouped: dict[str, dict] = {}
    for row in event_rows:
        event = row["event"].value
        entry = grouped.setdefault(event, {"dates": set(), "roles": set(), "graphs": [], "planned": False,
                                           "covers": row["coversYear"].value if "coversYear" in row else None,
                                           "note": row["dateNote"].value if "dateNote" in row else None})
        if "date" in row:
            entry["dates"].add(row["date"].value)
        if "graph" in row:
            entry["graphs"].append(row["graph"].value)
        entry["roles"].add(row["role"].value)
        entry["planned"] |= "planned" in row and true(row["planned"].value)
    events = [
        Event(event, link(event).label, tuple(event_kinds.get(event, [])), min(e["dates"]) if e["dates"] else None,
              e["planned"], tuple(_role_label(r) for r in sorted(e["roles"])), citations.cite(e["graphs"]),
              e["covers"], e["note"])
        for event, e in grouped.items()
    ]
    return sorted(events, key=lambda e: (e.date is None and e.covers_year is None, e.date or e.covers_year or "",
                                         e.label.zh))


def _role_label(role: str) -> Label:
    return {CK + "participant": Label("参与方", "participant"), CK + "eventPlace": Label("事件地点", "place"),
            CK + "about": Label("涉及", "about")}.get(role, Label(local_name(role)))


def _statistics(stat_rows: list[dict], link, citations: _Citations) -> list[Statistic]:
    grouped: dict[str, tuple[dict, list[str | None]]] = {}
    for row in stat_rows:
        stat = row["stat"].value
        first, graphs = grouped.setdefault(stat, (row, []))
        graphs.append(row["graph"].value if "graph" in row else None)

    def optional(row: dict, name: str) -> Link | None:
        return link(row[name].value) if name in row else None

    stats = []
    for stat, (row, graphs) in grouped.items():
        value = row["value"].value
        stats.append(Statistic(
            iri=stat, measure=link(row["measure"].value), value=finite(value), value_text=_number_text(value),
            unit=optional(row, "unit"), year=int(row["year"].value[:4]) if "year" in row else None,
            period_kind=optional(row, "periodKind"), period_label=row["periodLabel"].value if "periodLabel" in row else None,
            status=optional(row, "status"), start=row["start"].value if "start" in row else None,
            end=row["end"].value if "end" in row else None, sources=citations.cite(graphs),
            qualifier=optional(row, "qualifier"), symbol=row["symbol"].value if "symbol" in row else None,
            coverage=Label(row["coverage"].value, row["coverageEn"].value if "coverageEn" in row else None)
            if "coverage" in row else None, scope=optional(row, "scope"),
            year_note=_year_note(row),
        ))
    return sorted(stats, key=lambda s: (s.measure.label.zh, s.coverage.zh if s.coverage else "", s.year or 0,
                                        not s.actual, s.iri))


def _year_note(row: dict) -> Label | None:
    if "yearInferred" not in row or row["yearInferred"].value not in ("true", "1"):  # Virtuoso writes true as 1
        return None
    zh = row["yearNote"].value if "yearNote" in row else "年份为推断"
    return Label(zh, row["yearNoteEn"].value if "yearNoteEn" in row else "year inferred")


def _number_text(value: str) -> str:
    """A decimal as people write it: no trailing `.0`.

    >>> _number_text("100.0"), _number_text("69.20"), _number_text("58.31")
    ('100', '69.2', '58.31')
    """
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value


def _sources(kg: KnowledgeGraph, citations: _Citations, link) -> list[Source]:
    graphs = [g for g in citations.numbers if g is not None]
    described: dict[str, dict] = {}
    for row in queries.rows(kg, "evidence_of", nodes=graphs):
        entry = described.setdefault(row["node"].value, row)
        for name, term in row.items():
            entry.setdefault(name, term)
    articles = labels(kg, {r["article"].value for r in described.values() if "article" in r})
    result = []
    for graph, number in sorted(citations.numbers.items(), key=lambda item: item[1]):
        row = described.get(graph or "")
        if graph is None:
            result.append(Source(number, None, "none"))
        elif graph == kg.names.ontology:
            result.append(Source(number, graph, "ontology"))
        elif graph == kg.names.provenance:
            result.append(Source(number, graph, "provenance"))
        elif row is None:
            result.append(Source(number, graph, "graph"))
        else:
            article = row["article"].value if "article" in row else None
            result.append(Source(
                number, graph, "quote" if row["kind"].value == CK + "Quote" else "note",
                text=row["exact"].value if "exact" in row else None,
                article=Link(article, articles[article]) if article else None,
                article_date=row["date"].value if "date" in row else None,
                comment=row["comment"].value if "comment" in row else None,
            ))
    return result


def statistic_comments(kg: KnowledgeGraph, entity: str) -> dict[str, Label]:
    """What each figure about an entity counts, in the curators' words (rdfs:comment): Chinese when there is one,
    the English beside it. A figure's row alone (营业收入 100 亿元 2023) does not say it is a lower bound or whose.

    >>> statistic_comments(KnowledgeGraph.in_memory(), "https://w3id.org/chainkg/id/nothing")
    {}
    """
    found: dict[str, dict[str, str]] = {}
    for row in queries.rows(kg, "statistic_comments", entity=ox.NamedNode(entity)):
        comment = row["comment"]
        lang = "en" if (comment.language or "").lower().startswith("en") else "zh"
        found.setdefault(row["stat"].value, {}).setdefault(lang, comment.value)
    return {stat: Label(texts.get("zh") or texts["en"], texts.get("en") if "zh" in texts else None)
            for stat, texts in found.items()}
