"""The chain map's data, checked against the articles: every chain's placements, groups, dated roles and owners.

For each chain of the five articles the tables below say, from a reading of the sentences, which member works in
which segment and which sentence says so (a curator's reading carries its note), and which members no article
places, with the reason. The shipped graph must agree exactly: a member placed without a sentence, or a member an
article places but the data leaves out, fails here (the chain map would then say "unknown" or "missing" wrongly).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

E = "https://w3id.org/chainkg/id/"

# (chain, member, segment, article, words of the sentence that place it, curators' reading?)
PLACEMENTS = [
    ("ivd-chain", "xinjingge-medical-lab", "ivd-seg-testing-services", "a003", "专注于肿瘤检测", False),
    ("ivd-chain", "boyao-testing", "ivd-seg-testing-services", "a000", "提供专业的检测咨询", True),
    ("ivd-chain", "lanwei-testing", "ivd-seg-testing-services", "a000", "提供专业的检测咨询", True),
    ("ivd-chain", "diwena-biotech", "ivd-seg-testing-services", "a003", "医学检验室中心", True),
    ("ivd-chain", "diwena-medical-lab-center", "ivd-seg-testing-services", "a003", "医学检验室中心", True),
    ("smart-vision-chain", "hikvision", "vision-seg-hardware", "a002", "智能視覺硬件生產製造基地", True),
    ("smart-vision-chain", "smart-vision-hardware-base", "vision-seg-hardware", "a002", "智能視覺硬件生產製造基地", False),
    ("smart-vision-chain", "ezviz-smart-home-base", "vision-seg-terminals", "a001", "萤石智能家居生产基地", False),
    ("smart-vision-chain", "ezviz", "vision-seg-terminals", "a001", "萤石智能家居生产基地", True),
    ("composites-chain", "polycomp", "composites-seg-glass-fibre", "a002", "國際複合玻纖複合材料", False),
    ("composites-chain", "fengdu-new-materials", "composites-seg-products", "a001", "拉挤型材", False),
    ("waste-chain", "sanfeng-environment", "waste-seg-incineration", "a002", "垃圾焚燒行業的領先企業", False),
    ("waste-chain", "sanfeng-covanta", "waste-seg-incineration", "a000", "焚烧炉装备", False),
    ("xiaomian-chain", "xiaomian-fmcg-base", "xiaomian-seg-production", "a000", "快销品研发生产基地", False),
    ("display-chain", "hanlang-optoelectronics", "display-seg-lc-materials", "a004", "上游液晶材料供应链", False),
    ("display-chain", "hanlang-mixed-lc-project", "display-seg-lc-materials", "a004", "上游液晶材料供应链", False),
    ("display-chain", "hkc-jinyu", "display-seg-panels", "a004", "惠科金渝光电液晶面板第8.6代线", False),
    ("display-chain", "hkc-jinyu-g86-line", "display-seg-panels", "a004", "惠科金渝光电液晶面板第8.6代线", False),
    ("display-chain", "hkc-display-module", "display-seg-modules", "a004", "惠科显示模组为代表", False),
    ("display-chain", "hkc-lcd-monitor-project", "display-seg-devices", "a004", "惠科千万台液晶显示器", False),
    ("display-chain", "hkc", "display-seg-devices", "a004", "惠科千万台液晶显示器", True),
    ("biopharma-chain", "cq-immunology-institute", "biopharma-seg-research", "a004", "综合研究创新平台", False),
    ("biopharma-chain", "sjtu-digital-medicine-center", "biopharma-seg-research", "a004", "综合研究创新平台", False),
    ("biopharma-chain", "zhirui-bio", "biopharma-seg-cro", "a004", "智睿生物研发孵化中心", False),
    ("biopharma-chain", "zhirui-bio-incubation-center", "biopharma-seg-cro", "a004", "智睿生物研发孵化中心", False),
    ("biopharma-chain", "chenan-bio", "biopharma-seg-cdmo", "a004", "宸安生物中试平台", False),
    ("biopharma-chain", "chenan-bio-pilot-platform", "biopharma-seg-cdmo", "a004", "宸安生物中试平台", False),
    ("biopharma-chain", "chenan-bio", "biopharma-seg-manufacturing", "a004", "宸安生物胰岛素产业化", False),
    ("biopharma-chain", "chenan-insulin-project", "biopharma-seg-manufacturing", "a004", "宸安生物胰岛素产业化", False),
    ("biopharma-chain", "bowei-bio", "biopharma-seg-manufacturing", "a004", "博唯生物二期扩能", True),
    ("biopharma-chain", "bowei-phase-2-expansion", "biopharma-seg-manufacturing", "a004", "博唯生物二期扩能", True),
]

# Members of a chain that no article places in a segment, and why (the chain map shows them as "unknown").
UNPLACED = {
    "ivd-chain": {
        "zhongyuan-huiji": "链主 and 龙头; the articles say only 专注体外诊断产业, never what it makes",
        "dian-diagnostics": "named as a listed company brought in", "runda-medical": "named in Building 5, no activity",
        "daan-gene": "named as a listed company", "dongfulong": "named as a listed company",
        "jingyin-biotech": "its POCT gene test is in clinical testing: reagent or instrument not said",
        "cq-precision-medicine-institute": "a research institute; the chain has no research segment",
    },
    "smart-vision-chain": {
        "hangzhou-lide": "上下游配套项目 of 海康威视, segment not said", "kunshan-jinju": "上下游配套项目, segment not said",
        "ningbo-mingxin": "上下游配套项目, segment not said",
    },
    "display-chain": {
        "hkc-jinyang": "named without a product", "yuhui-tech": "named without a product",
        "zhinanzhen-semiconductor": "named without a product",
        "jinglang-optoelectronics": "高液晶精密光电器件 are none of the five segments",
        "cq-advanced-display-institute": "a research institute",
    },
    "composites-chain": {}, "waste-chain": {}, "xiaomian-chain": {}, "biopharma-chain": {},
}

# Projects, facilities and platforms in a chain whose owner no article names: they never rank on their own.
OWNERLESS = {
    "smart-vision-hardware-base": "the district's aim (大渡口力争建设), built on 海康威视's expansion",
    "xiaomian-fmcg-base": "引进建设 by the noodle park, the firm is not named",
}

PREFIXES = """PREFIX ck: <https://w3id.org/chainkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _rows(kg, sparql: str) -> list[tuple[str | None, ...]]:
    results = kg.query(PREFIXES + sparql)
    return [tuple(None if row[v] is None else row[v].value for v in results.variables) for row in results]


def _evidence(kg, subject: str, predicate: str, obj: str) -> list[tuple[str | None, ...]]:
    """(article, sentence, note in zh-Hans, note in en) of every quote graph that holds the triple."""
    return _rows(kg, f"""
        SELECT ?article ?exact ?zh ?en WHERE {{
          GRAPH ?q {{ <{E}{subject}> {predicate} <{E}{obj}> }}
          ?q a ck:Quote ; oa:exact ?exact ; prov:wasQuotedFrom ?article .
          OPTIONAL {{ ?q skos:editorialNote ?zh FILTER(LANG(?zh) = "zh-hans") }}
          OPTIONAL {{ ?q skos:editorialNote ?en FILTER(LANG(?en) = "en") }}
        }}""")


@pytest.mark.parametrize(("chain", "member", "segment", "article", "words", "read"), PLACEMENTS,
                         ids=[f"{p[1]}@{p[2]}" for p in PLACEMENTS])
def test_placement_rests_on_its_sentence(shipped_kg, chain, member, segment, article, words, read):
    evidence = _evidence(shipped_kg, member, "ck:inSegment", segment)
    cited = [row for row in evidence if row[0] == E + "doc/" + article and words in row[1]]
    assert cited, f"{member} in {segment}: no quote of {article} containing {words!r}; evidence: {evidence}"
    if read:
        assert any(zh and en for _, _, zh, en in cited), f"{member} in {segment} is a reading: it needs a note in zh and en"
    else:
        assert any(zh is None and en is None for _, _, zh, en in cited), f"{member} in {segment}: stated, not a reading"
    assert bool(shipped_kg.query(PREFIXES + f"ASK {{ <{E}{segment}> ck:segmentOf <{E}{chain}> }}"))


@pytest.mark.parametrize("chain", sorted(UNPLACED))
def test_chain_map_placements_are_exactly_the_articles(shipped_kg, chain):
    """Placed members equal the table; unplaced members equal the list of members no article places."""
    placed = set(_rows(shipped_kg, f"""
        SELECT DISTINCT ?m ?s WHERE {{ ?m ck:inSegment ?s . ?s ck:segmentOf <{E}{chain}> }}"""))
    expected = {(E + m, E + s) for c, m, s, *_ in PLACEMENTS if c == chain}
    assert placed == expected, f"placed but not in the table: {placed - expected}; in the table, not placed: {expected - placed}"
    unplaced = {m for (m,) in _rows(shipped_kg, f"""
        SELECT DISTINCT ?m WHERE {{ ?m ck:inChain|ck:chainLeaderOf|ck:leadingEnterpriseOf <{E}{chain}> .
          FILTER NOT EXISTS {{ ?m ck:inSegment/ck:segmentOf <{E}{chain}> }} }}""")}
    assert unplaced == {E + m for m in UNPLACED[chain]}


def test_every_placement_is_in_a_quote_of_an_article(shipped_kg):
    bare = _rows(shipped_kg, """
        SELECT ?m ?s WHERE { ?m ck:inSegment ?s
          FILTER NOT EXISTS { GRAPH ?q { ?m ck:inSegment ?s } ?q a ck:Quote ; prov:wasQuotedFrom ?article } }""")
    assert bare == []


def test_placed_members_are_chain_members(shipped_kg):
    """An organisation placed in a segment is a member of its chain (projects and facilities are placed as their
    owners' work, as the articles' 项目 and 基地 are, without being members themselves)."""
    loose = _rows(shipped_kg, """
        SELECT ?m ?c WHERE { ?m ck:inSegment/ck:segmentOf ?c
          FILTER NOT EXISTS { ?m ck:inChain|ck:chainLeaderOf ?c }
          FILTER NOT EXISTS { ?m a ?k VALUES ?k { ck:Project ck:Facility } } }""")
    assert loose == []


def test_every_reading_says_why_in_both_languages(shipped_kg):
    quotes = _rows(shipped_kg, """
        SELECT ?q (COUNT(DISTINCT LANG(?note)) AS ?languages) WHERE {
          ?q a ck:Quote ; skos:editorialNote ?note } GROUP BY ?q""")
    assert len(quotes) >= 10
    assert all(int(n) == 2 for _, n in quotes), quotes
    unexplained = _rows(shipped_kg, """
        SELECT ?q WHERE { ?q a ck:Quote FILTER(REGEX(STR(?q), "-r[0-9]+$")) FILTER NOT EXISTS { ?q skos:editorialNote ?n } }""")
    assert unexplained == []


# (member, group, predicate, article): company groups the articles show.
GROUPS = [
    ("hkc-jinyu", "hkc", "schema:parentOrganization", "a004"),
    ("hkc-jinyang", "hkc", "schema:parentOrganization", "a004"),
    ("hkc-display-module", "hkc", "schema:parentOrganization", "a004"),
    ("sanfeng-environment", "sanfeng-group", "org:transitiveSubOrganizationOf", "a000"),
    ("sanfeng-covanta", "sanfeng-group", "org:transitiveSubOrganizationOf", "a000"),
    ("zongshen-power", "zongshen", "schema:parentOrganization", "a004"),
    ("jd-logistics", "jd", "schema:parentOrganization", "a004"),
]


@pytest.mark.parametrize(("member", "group", "predicate", "article"), GROUPS, ids=[g[0] for g in GROUPS])
def test_group_link_is_cited(shipped_kg, member, group, predicate, article):
    evidence = _evidence(shipped_kg, member, predicate, group)
    assert any(row[0] == E + "doc/" + article for row in evidence), evidence


def test_a_group_spans_its_members_segments(shipped_kg):
    """惠科's group covers panels, modules and finished devices in Banan's display chain."""
    segments = {s for (s,) in _rows(shipped_kg, f"""
        SELECT DISTINCT ?s WHERE {{ ?x (schema:parentOrganization|org:transitiveSubOrganizationOf)* <{E}hkc> ;
                                       ck:inSegment ?s }}""")}
    assert segments == {E + "display-seg-panels", E + "display-seg-modules", E + "display-seg-devices"}


# (organisation, role, target, article date): roles with the date of the article that names them.
ROLES = [
    ("zhongyuan-huiji", "leadingEnterpriseOf", "ivd-chain", "2021-11"),
    ("zhongyuan-huiji", "chainLeaderOf", "ivd-chain", "2024-07"),
    ("zhirui-bio", "chainLeaderOf", "biopharma-chain", "2021-09"),
    ("sanfeng-environment", "leadingEnterpriseOf", "waste-chain", "2021-12"),
    ("hikvision", "leadingEnterpriseOf", "smart-vision-chain", "2021-11"),
    ("polycomp", "leadingEnterpriseOf", "composites-chain", "2021-11"),
    ("derun-environment", "leadingEnterpriseOf", "dadukou-eco-cluster", "2017-02"),
    ("sanfeng-environment", "leadingEnterpriseOf", "dadukou-eco-cluster", "2021-11"),
]

ROLE_DATES = """
    SELECT ?o ?role ?target ?date WHERE {
      GRAPH ?q { ?o ?r ?target } VALUES ?r { ck:chainLeaderOf ck:leadingEnterpriseOf }
      ?q prov:wasQuotedFrom ?article . ?article dcterms:date ?d
      BIND(STRAFTER(STR(?r), "#") AS ?role) BIND(STR(?d) AS ?date) }"""


def test_roles_carry_their_articles_dates(shipped_kg):
    dated = set(_rows(shipped_kg, ROLE_DATES))
    missing = {(E + o, r, E + t, d) for o, r, t, d in ROLES} - dated
    assert not missing, missing
    undated = _rows(shipped_kg, """
        SELECT ?o ?t WHERE { ?o ck:chainLeaderOf|ck:leadingEnterpriseOf ?t
          FILTER NOT EXISTS { GRAPH ?q { ?o ck:chainLeaderOf|ck:leadingEnterpriseOf ?t } ?q prov:wasQuotedFrom/dcterms:date ?d } }""")
    assert undated == []


def test_the_latest_article_says_who_anchors_now(shipped_kg):
    """Dadukou's eco cluster: 德润环境 was its 龙头 in 2017, 三峰环境 is in 2021; both are kept."""
    latest = _rows(shipped_kg, f"""
        SELECT ?o WHERE {{
          {{ SELECT (MAX(STR(?d)) AS ?last) WHERE {{ GRAPH ?q {{ ?x ck:leadingEnterpriseOf <{E}dadukou-eco-cluster> }}
                                                   ?q prov:wasQuotedFrom/dcterms:date ?d }} }}
          GRAPH ?q {{ ?o ck:leadingEnterpriseOf <{E}dadukou-eco-cluster> }} ?q prov:wasQuotedFrom/dcterms:date ?d
          FILTER(STR(?d) = ?last) }}""")
    assert set(latest) == {(E + "sanfeng-environment",)}


def test_chain_projects_facilities_and_platforms_name_their_owner(shipped_kg):
    ownerless = {m for (m,) in _rows(shipped_kg, """
        SELECT DISTINCT ?m WHERE {
          { ?m ck:inChain ?c } UNION { ?m ck:inSegment/ck:segmentOf ?c }
          { ?m a ck:Project } UNION { ?m a ?k . ?k rdfs:subClassOf* ck:Carrier } UNION { ?m a ck:Platform }
          FILTER NOT EXISTS { ?m ck:projectOf|ck:operatedBy|schema:provider ?owner } }""")}
    assert ownerless == {E + m for m in OWNERLESS}


def test_placement_shape_refuses_a_chain_as_segment(shipped_kg):
    from chainkg.graph import validate

    bad = ox.Quad(ox.NamedNode(E + "hikvision"), ox.NamedNode("https://w3id.org/chainkg/ontology#inSegment"),
                  ox.NamedNode(E + "smart-vision-chain"), ox.NamedNode(E + "quote/test"))
    report = validate.check_shapes(shipped_kg, [bad])
    assert not report.ok and "ck:ChainSegment" in str(report)


def test_entity_page_shows_why_a_reading_places_a_firm(shipped_kg):
    """An analyst on 海康威视's page sees, beside the sentence, that its placement is the curators' reading and why."""
    from chainkg.graph import entity

    page = entity.page(shipped_kg, E + "hikvision")
    reading = [s for s in page.sources if s.graph == E + "quote/a002-r01"]
    assert reading and reading[0].kind == "quote" and "增資擴產" in reading[0].text
    assert reading[0].comment.startswith("编者解读")


def test_the_reading_is_printed_under_its_sentence(app):
    html = app.get("/id/hikvision", headers={"Accept": "text/html"}).text
    sentence = html.index("抓住海康威視在區增資擴產機遇")
    assert html.index("编者解读：大渡口以海康威视在区增资扩产为契机", sentence) > sentence
