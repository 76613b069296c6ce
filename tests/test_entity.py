"""An entity page's data (graph/entity.py): names, classes, statements with their evidence, incoming links with
counts, events in date order, statistics and their yearly series, and the facts a quote states."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from chainkg.graph import entity, loader
from chainkg.graph.labels import Label
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph


def iri(kg: KnowledgeGraph, local: str) -> str:
    return kg.settings.base_iri + "id/" + local


@pytest.fixture(scope="module")
def huiji(shipped_kg):
    return entity.page(shipped_kg, iri(shipped_kg, "zhongyuan-huiji"))


def group(page: entity.EntityPage, local: str, incoming: bool = False) -> entity.PropertyGroup:
    groups = page.incoming if incoming else page.properties
    return next(g for g in groups if g.iri.endswith(("#" + local, "/" + local)))


def test_names_chinese_first_english_beside(huiji):
    assert huiji.label == Label("中元汇吉", "Zybio")
    assert {(v.text, v.lang) for v in huiji.names} >= {("中元匯吉", "zh-hant"), ("中元生物", "zh-hans"), ("Zybio Inc.", "en")}


def test_misspellings_are_findable_but_never_shown_as_a_name(huiji):
    shown = [v.text for v in huiji.names] + [v.text for g in huiji.properties for v in g.values]
    assert "中允汇吉" not in shown
    assert [v.text for v in huiji.misprints] == ["中允汇吉"]  # shown only as the article's misprint, cited
    assert all(v.sources for v in huiji.misprints)


def test_kind_is_the_most_specific_class_with_its_names(huiji):
    assert [(k.zh, k.en) for k in huiji.kinds] == [("企业", "company")]
    assert huiji.is_a("Company") and not huiji.is_a("IndustryChain")


def test_every_statement_cites_its_sentence_and_article(huiji):
    leader = group(huiji, "chainLeaderOf").values[0]
    assert leader.link.label.zh == "体外诊断（IVD）产业链"
    sources = [huiji.sources[n - 1] for n in leader.sources]
    assert any(s.kind == "quote" and "链主单位中元汇吉" in s.text and s.article.label.zh.startswith("大渡口") and s.article_date == "2024-07"
               for s in sources)


def test_names_cite_the_curator_note(huiji):
    assert all(huiji.sources[n - 1].kind == "note" for v in huiji.names for n in v.sources)


def test_sources_are_numbered_in_order_of_first_use(huiji):
    assert [s.number for s in huiji.sources] == list(range(1, len(huiji.sources) + 1))


def test_incoming_links_with_counts(shipped_kg):
    chain = entity.page(shipped_kg, iri(shipped_kg, "ivd-chain"))
    members = group(chain, "inChain", incoming=True)
    assert members.total == len(members.values) == 11
    assert "中元汇吉" in [v.link.label.zh for v in members.values]
    assert group(chain, "segmentOf", incoming=True).total == 5


@pytest.mark.parametrize(("local", "prop", "label"), [
    ("ivd-chain", "segmentOf", ("环节", "segments")),
    ("ivd-chain", "inChain", ("产业链成员", "chain members")),
    ("dadukou", "locatedIn", ("位于此地的", "located here")),
    ("hikvision", "supportingCompanyOf", ("配套企业", "supporting firms")),
    ("ivd-seg-testing-services", "nextSegment", ("上一环节", "previous segment")),
    ("digital-content", "broader", ("下位概念", "narrower")),
])
def test_incoming_links_read_in_their_own_direction(shipped_kg, local, prop, label):
    page = entity.page(shipped_kg, iri(shipped_kg, local))
    found = group(page, prop, incoming=True).label
    assert (found.zh, found.en) == label


def test_every_incoming_link_has_a_name_of_its_own(shipped_kg):
    """No incoming group reads as its forward property (a page of 中元汇吉 listing "链主 …" for its own chains)."""
    for local in ("ivd-chain", "dadukou", "dadukou-health-cluster", "jianqiao-industrial-park", "hikvision"):
        page = entity.page(shipped_kg, iri(shipped_kg, local))
        for g in page.incoming:
            assert entity.INVERSE_LABELS.get(g.iri) or "指向此处" in g.label.zh, (local, g.iri)


def test_kinds_are_named_in_chinese_and_english(shipped_kg):
    from chainkg.graph.labels import kinds
    from chainkg.graph.namespaces import local_name
    nodes = [r["s"].value for r in shipped_kg.select("SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(isIRI(?s)) }")]
    bare = {k.iri for ks in kinds(shipped_kg, nodes).values() for k in ks
            if k.zh == local_name(k.iri) or not any("\u4e00" <= c <= "\u9fff" for c in k.zh) or not k.en}
    assert not bare


def test_no_two_statistics_rows_look_alike_unless_they_are(shipped_kg):
    """Rows that show the same measure, coverage (口径), scope, unit, year, period and status show the same value:
    figures that count different things (listed firms vs the firms they registered) differ in the row itself."""
    subjects = [r["s"].value for r in shipped_kg.select("SELECT DISTINCT ?s WHERE { ?x ck:statSubject ?s }")]
    clashes = []
    for subject in subjects:
        seen: dict[tuple, set[str]] = {}
        for s in entity.page(shipped_kg, subject).statistics:
            key = (s.measure.iri, s.coverage, s.scope.iri if s.scope else None, s.unit.iri if s.unit else None,
                   s.year_text, s.period_label or (s.period_kind.iri if s.period_kind else None),
                   s.status.iri if s.status else None)
            seen.setdefault(key, set()).add(s.shown)
        clashes += [(subject, key, values) for key, values in seen.items() if len(values) > 1]
    assert not clashes


@pytest.mark.parametrize(("local", "stat", "coverage", "scope"), [
    ("ivd-chain", "a000-022", "上市公司在区注册的企业", None),
    ("polycomp", "a000-012", "按生产规模", "全球"),
    ("polycomp", "a001-019", "按玻纤纱、玻纤布产能", "全球"),
    ("banan", "a004-045", "高技术制造业", None),
])
def test_a_figure_says_what_it_counts(shipped_kg, local, stat, coverage, scope):
    page = entity.page(shipped_kg, iri(shipped_kg, local))
    found = next(s for s in page.statistics if s.iri.endswith("/" + stat))
    assert found.coverage.zh == coverage and found.coverage.en
    assert (found.scope.label.zh if found.scope else None) == scope


def test_an_inferred_year_reads_as_inferred_and_a_stated_one_does_not(shipped_kg):
    cluster = entity.page(shipped_kg, iri(shipped_kg, "dadukou-bigdata-cluster"))
    by_iri = {s.iri.rsplit("/", 1)[1]: s for s in cluster.statistics}
    assert by_iri["a001-009"].year_text == "2023?" and "2023" in by_iri["a001-009"].year_note.en
    assert by_iri["a001-010"].year_text == "2023" and by_iri["a001-010"].year_note is None


def test_events_keep_their_month_and_awards_their_year(shipped_kg):
    place = entity.page(shipped_kg, iri(shipped_kg, "dadukou"))
    dates = {e.iri.rsplit("/", 1)[1]: e.date_text for e in place.events}
    assert dates["hanyang-iron-works-moves-to-chongqing"] == "1938-03"
    assert dates["a001-020"] == "2022年度" and dates["a001-021"] == "2023年度"
    assert dates["a001-017"] == "2023?"


def test_links_beyond_the_setting_are_counted_not_listed(shipped_kg):
    kg = KnowledgeGraph(Settings(store=":memory:", entity_max_links=3))
    kg.add(list(shipped_kg.match()))
    members = group(entity.page(kg, iri(kg, "ivd-chain")), "inChain", incoming=True)
    assert (len(members.values), members.total, members.omitted) == (3, 11, 8)


def test_events_in_date_order_with_their_sources(shipped_kg):
    hikvision = entity.page(shipped_kg, iri(shipped_kg, "hikvision"))
    dates = [e.date for e in hikvision.events]
    assert dates == sorted(dates) and dates[0] == "2011"
    assert all(e.sources for e in hikvision.events if e.date)


def test_cluster_revenue_by_year_is_a_series(shipped_kg):
    cluster = entity.page(shipped_kg, iri(shipped_kg, "dadukou-health-cluster"))
    revenue = cluster.series[0]
    assert revenue.measure.label.zh == "营业收入" and revenue.unit.label.zh == "亿元"
    assert [(p.year, p.value, p.actual) for p in revenue.points] == [
        (2020, 55.0, True), (2023, 100.0, True), (2027, 300.0, False), (2035, 1000.0, False)]
    assert all(s.sources for s in cluster.statistics)


@pytest.mark.parametrize(("local", "measure", "year", "shown", "qualifier"), [
    ("jianqiao-industrial-park", "firm-count", 2021, "> 400", "more than"),  # 400余家
    ("tianan-precision-medicine-cluster", "firm-count", 2017, "≈ 30", "nearly"),  # 近30家
    ("ivd-chain", "share", 2021, "≥ 66.7", "at least"),  # 2/3以上
    ("polycomp", "rank", 2024, "top 3", "within the top N"),  # 居全球前三: not rank 3
    ("polycomp", "rank", 2021, "4", None),  # 第四位: exact
])
def test_a_figure_shows_its_qualifier(shipped_kg, local, measure, year, shown, qualifier):
    page = entity.page(shipped_kg, iri(shipped_kg, local))
    found = [s for s in page.statistics if s.measure.iri.endswith("/" + measure) and s.year == year]
    assert shown in [s.shown for s in found]
    stat = next(s for s in found if s.shown == shown)
    assert (stat.qualifier.label.en if stat.qualifier else None) == qualifier


def test_a_bound_in_a_series_is_charted_as_a_bound(shipped_kg):
    cluster = entity.page(shipped_kg, iri(shipped_kg, "dadukou-bigdata-cluster"))
    revenue = next(s for s in cluster.series if s.measure.iri.endswith("/revenue"))
    assert {p.year: p.value_text for p in revenue.points}[2022] == "> 100"  # 连续三年营收超百亿


def test_a_quote_shows_its_words_and_the_facts_it_states(shipped_kg):
    page = entity.page(shipped_kg, iri(shipped_kg, "quote/a001-017"))
    assert "于2011年落户大渡口" in group(page, "exact").values[0].text
    assert page.facts and page.facts_total == len(page.facts)
    assert any(f.subject.label.zh == "海康威视" for f in page.facts)


def test_an_article_lists_its_quotes(shipped_kg):
    page = entity.page(shipped_kg, iri(shipped_kg, "doc/a001"))
    quotes = group(page, "wasQuotedFrom", incoming=True)
    assert quotes.total > 50
    assert all(v.link.label.zh.startswith("「") for v in quotes.values), "a quote is named by its own words"


def test_unknown_iris_have_no_page(shipped_kg):
    assert entity.page(shipped_kg, iri(shipped_kg, "no-such-thing")) is None
    assert entity.page(shipped_kg, "not an iri") is None


def test_ontology_terms_have_pages_too(shipped_kg):
    company = entity.page(shipped_kg, "https://w3id.org/chainkg/ontology#Company")
    assert company.label == Label("企业", "company")
    assert group(company, "type", incoming=True).total > 10
    assert all(company.sources[n - 1].kind == "ontology" for g in company.properties for v in g.values for n in v.sources)


def test_facts_outside_any_named_graph_say_they_have_no_source(shipped_copy):
    subject = ox.NamedNode(iri(shipped_copy, "zhongyuan-huiji"))
    shipped_copy.add([ox.Quad(subject, ox.NamedNode("https://schema.org/slogan"), ox.Literal("无来源"))])
    page = entity.page(shipped_copy, subject.value)
    slogan = group(page, "slogan").values[0]
    assert [page.sources[n - 1].kind for n in slogan.sources] == ["none"]


@pytest.mark.parametrize("syntax", [ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD])
def test_description_round_trips(shipped_kg, syntax):
    subject = iri(shipped_kg, "zhongyuan-huiji")
    body = entity.description(shipped_kg, subject, syntax)
    triples = [q.triple for q in ox.parse(body, format=syntax)]
    assert ox.Triple(ox.NamedNode(subject), ox.NamedNode("https://w3id.org/chainkg/ontology#chainLeaderOf"),
                     ox.NamedNode(iri(shipped_kg, "ivd-chain"))) in triples
    assert any(t.object == ox.NamedNode(subject) for t in triples), "incoming statements are part of the description"
    if syntax == ox.RdfFormat.JSON_LD:
        json.loads(body)
