"""The chain map (graph/chainmap.py) read against the five articles: every chain's segments in order, the firms the
articles place in them with the sentence that says so, and statuses that never call a segment "missing" while the
articles name local firms of the chain whose segment nobody has recorded."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from chainkg.graph.chainmap import COVERED, FRAGILE, MISSING, UNKNOWN, chain_map
from chainkg.graph.store import KnowledgeGraph
from tests.conftest import toy_economy

E = "https://w3id.org/chainkg/id/"
CHAINS = ["ivd-chain", "smart-vision-chain", "composites-chain", "waste-chain", "xiaomian-chain", "biopharma-chain",
          "display-chain"]


@pytest.fixture(scope="module")
def maps(shipped_kg):
    return {chain: chain_map(shipped_kg, E + chain) for chain in CHAINS}


def segment(report, local_id):
    return next(s for s in report.segments if s.segment.iri == E + local_id)


# ---------------------------------------------------------------------------- what each article places where
# (chain, segment, the organisation shown, the entity the sentence names, words of that sentence)
PLACED = [
    ("ivd-chain", "ivd-seg-testing-services", "xinjingge-medical-lab", "xinjingge-medical-lab", "专注于肿瘤检测"),  # a003
    ("smart-vision-chain", "vision-seg-hardware", "smart-vision-hardware-base", "smart-vision-hardware-base",
     "智能視覺硬件生產製造基地"),                                                                            # a002
    ("smart-vision-chain", "vision-seg-terminals", "ezviz", "ezviz-smart-home-base", "萤石智能家居生产基地"),    # a001
    ("composites-chain", "composites-seg-glass-fibre", "polycomp", "polycomp", "玻璃纤维纱、玻璃纤维布产能"),    # a001
    ("composites-chain", "composites-seg-products", "fengdu-new-materials", "fengdu-new-materials", "拉挤型材"),  # a001
    ("waste-chain", "waste-seg-incineration", "sanfeng-environment", "sanfeng-environment", "垃圾焚燒"),        # a002
    ("xiaomian-chain", "xiaomian-seg-production", "xiaomian-fmcg-base", "xiaomian-fmcg-base", "快销品研发生产基地"),  # a000
    ("biopharma-chain", "biopharma-seg-research", "cq-immunology-institute", "cq-immunology-institute", "重庆国际免疫研究院"),
    ("biopharma-chain", "biopharma-seg-cro", "zhirui-bio", "zhirui-bio-incubation-center", "智睿生物研发孵化中心"),  # a004
    ("biopharma-chain", "biopharma-seg-manufacturing", "chenan-bio", "chenan-insulin-project", "宸安生物胰岛素产业化"),
    ("display-chain", "display-seg-lc-materials", "hanlang-optoelectronics", "hanlang-optoelectronics", "上游液晶材料"),
    ("display-chain", "display-seg-panels", "hkc-jinyu", "hkc-jinyu-g86-line", "惠科金渝光电液晶面板第8.6代线项目"),
    ("display-chain", "display-seg-modules", "hkc-display-module", "hkc-display-module", "惠科显示模组"),
    # a project counts for its owner: 惠科's 千万台液晶显示器 puts 惠科 itself at the end of the chain
    ("display-chain", "display-seg-devices", "hkc", "hkc-lcd-monitor-project", "惠科千万台液晶显示器"),
]


@pytest.mark.parametrize("chain, seg, shown, named, words", PLACED, ids=[f"{p[0]}:{p[2]}" for p in PLACED])
def test_each_article_placement_is_on_the_map_with_its_sentence(maps, chain, seg, shown, named, words):
    s = segment(maps[chain], seg)
    entry = next((e for e in s.local if e.organisation.iri == E + shown), None)
    assert entry is not None, f"{shown} not local in {seg}: {[e.organisation.label_zh for e in s.local]}"
    placement = next(p for p in entry.placements if p.subject.iri == E + named)
    assert any(words in e.quote and e.article and e.date for e in placement.evidence), placement.evidence
    if named != shown:  # counted for its owner: the owner link is stated, and cited, too
        assert E + named in [v.iri for v in entry.via]
        owner = [link for link in entry.links if link.subject.iri == E + named and link.object.iri == E + shown]
        assert owner and all(link.evidence for link in owner), entry.links
    assert s.status in (FRAGILE, COVERED)


@pytest.mark.parametrize("chain", CHAINS)
def test_no_segment_is_missing_while_local_members_are_unplaced(maps, chain):
    # nor while an article says a local park or building works in it without naming the firms (a000: 小面产业园)
    report = maps[chain]
    local_unplaced = [e for e in report.unplaced if e.local]
    for s in report.segments:
        if not s.local:
            assert s.status == (UNKNOWN if local_unplaced or s.focus else MISSING), s.segment.label_zh
        else:
            assert s.status == (FRAGILE if len(s.local) == 1 else COVERED)
        assert all(e.where for e in s.targets)
        assert s.status in (MISSING, FRAGILE) or not s.targets


def test_the_ivd_reagents_and_instruments_are_not_missing(maps):
    # a001: 中元汇吉 is the IVD chain's 链主 in Dadukou, and a003 names ten more IVD firms there; the articles do
    # not say which make reagents or instruments, so those segments are unknown until the data says
    ivd = maps["ivd-chain"]
    for seg in ("ivd-seg-reagents", "ivd-seg-instruments"):
        assert segment(ivd, seg).status != MISSING
    if any(e.local for e in ivd.unplaced):
        assert "中元汇吉" in [e.organisation.label_zh for e in ivd.unplaced + ivd.leaders]


@pytest.mark.parametrize("chain, order", [
    # a004: 从液晶材料、玻璃基板、液晶面板、液晶显示模组，再到整机
    ("display-chain", ["液晶材料", "玻璃基板", "液晶面板", "液晶显示模组", "整机"]),
    ("biopharma-chain", ["基础研究与创新平台", "研发外包（CRO）", "中试与生产外包（CMO/CDMO）",
                         "生物药生产（疫苗、胰岛素等）", "临床试验与上市"]),
    ("waste-chain", ["垃圾收集", "垃圾焚烧及焚烧装备", "焚烧残渣回收"]),
])
def test_segments_run_upstream_to_downstream(maps, chain, order):
    assert [s.segment.label_zh for s in maps[chain].segments] == order
    stages = [s.stage for s in maps[chain].segments]
    assert stages == sorted(stages)


def test_parallel_segments_share_a_column(maps):
    # reagents and instruments both follow raw materials and feed testing: one column, side by side
    stages = {s.segment.iri.removeprefix(E): s.stage for s in maps["ivd-chain"].segments}
    assert stages["ivd-seg-reagents"] == stages["ivd-seg-instruments"] == stages["ivd-seg-materials"] + 1
    assert stages["ivd-seg-testing-services"] == stages["ivd-seg-reagents"] + 1


@pytest.mark.parametrize("chain, firm, role", [
    ("ivd-chain", "zhongyuan-huiji", "chain-leader"),          # a001: IVD产业链链主单位中元汇吉
    ("biopharma-chain", "zhirui-bio", "chain-leader"),         # a004: 以智睿生物为“链主”
    ("waste-chain", "sanfeng-environment", "leading-enterprise"),
    ("composites-chain", "polycomp", "cluster-leading-enterprise"),
])
def test_badges_carry_their_dated_sentences(maps, chain, firm, role):
    leader = next(e for e in maps[chain].leaders if e.organisation.iri == E + firm)
    badge = next(b for b in leader.badges if b.role == role)
    assert badge.evidence and badge.evidence[0].quote and badge.since == badge.evidence[0].date
    assert all(e in maps[chain].sources for e in badge.evidence)


def test_every_cited_sentence_is_a_footnote(maps):
    for report in maps.values():
        for s in report.segments:
            for entry in s.local + s.elsewhere:
                for placement in entry.placements:
                    assert set(placement.evidence) <= set(report.sources)


@pytest.mark.parametrize("chain", CHAINS)
def test_a_member_in_no_segment_cites_the_sentence_that_puts_it_on_the_chain(maps, chain):
    """晶朗光电 is on the display chain by one list in a004 and has no place: its line must still say who says so."""
    for entry in maps[chain].unplaced:
        stated = [p for p in entry.placements if p.relation == "inChain" and p.object.iri == E + chain]
        assert stated and all(p.evidence for p in stated), entry.organisation.label_zh
        assert {e for p in stated for e in p.evidence} <= set(maps[chain].sources)


# ---------------------------------------------------------------------------- groups and owners, on a toy chain
GROUPS = """
@prefix ck: <https://w3id.org/chainkg/ontology#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix schema: <https://schema.org/> .
@prefix e: <https://w3id.org/chainkg/id/> .
e:g-district a ck:District ; skos:prefLabel "甲区"@zh-Hans .
e:g-chain a ck:IndustryChain ; ck:chainOf e:g-district ; skos:prefLabel "甲链"@zh-Hans .
e:g-up a ck:ChainSegment ; ck:segmentOf e:g-chain ; ck:order 1 ; ck:nextSegment e:g-down ; skos:prefLabel "上"@zh-Hans .
e:g-down a ck:ChainSegment ; ck:segmentOf e:g-chain ; ck:order 2 ; skos:prefLabel "下"@zh-Hans .
e:g-group a ck:Company ; skos:prefLabel "集团"@zh-Hans ; org:hasSubOrganization e:g-sub-a .
e:g-sub-a a ck:Company ; skos:prefLabel "子甲"@zh-Hans ; ck:locatedIn e:g-district ; ck:inSegment e:g-up .
e:g-sub-b a ck:Company ; skos:prefLabel "子乙"@zh-Hans ; org:subOrganizationOf e:g-group ; ck:locatedIn e:g-district .
e:g-project a ck:Project ; skos:prefLabel "子乙项目"@zh-Hans ; ck:projectOf e:g-sub-b ; ck:locatedIn e:g-district ;
    ck:inSegment e:g-down .
"""


def _groups() -> KnowledgeGraph:
    kg = toy_economy()
    kg.add(ox.parse(GROUPS.encode(), format=ox.RdfFormat.TURTLE))  # through the graph: its triples join the merge
    return kg


def test_a_project_counts_for_its_owner_and_a_group_for_its_subsidiaries():
    from chainkg.graph.ranking import rank_anchors

    kg = _groups()
    report = chain_map(kg, E + "g-chain")
    down = segment(report, "g-down")
    assert [(e.organisation.label_zh, [v.label_zh for v in e.via]) for e in down.local] == [("子乙", ["子乙项目"])]
    assert [g.label_zh for g in down.local[0].groups] == ["集团"]
    assert [s.status for s in report.segments] == [FRAGILE, FRAGILE]
    ranking = rank_anchors(kg, E + "g-chain")
    segments = {a.label_zh: a.components["segments"].value for a in ranking.anchors}
    assert segments == {"集团": 2, "子甲": 1, "子乙": 1}      # the group is present in both segments
    assert ranking.anchors[0].label_zh == "集团"
    assert "子乙项目" not in segments                          # a project never ranks itself


READINGS = """
@prefix ck: <https://w3id.org/chainkg/ontology#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix schema: <https://schema.org/> .
@prefix oa: <http://www.w3.org/ns/oa#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix e: <https://w3id.org/chainkg/id/> .
<https://w3id.org/chainkg/graph/provenance> {
  e:h-article a ck:Article ; dcterms:title "乙文"@zh-Hans ; dcterms:date "2021-09"^^xsd:gYearMonth .
  e:h-q1 a ck:Quote ; oa:exact "乙园聚焦下游，乙厂在乙平台生产上游产品。"@zh-Hans ; prov:wasQuotedFrom e:h-article .
  e:h-r1 a ck:Quote ; oa:exact "乙园聚焦下游，乙厂在乙平台生产上游产品。"@zh-Hans ; prov:wasQuotedFrom e:h-article ;
      skos:editorialNote "乙平台由乙厂提供：句中说乙厂在此生产。"@zh-Hans , "The platform is the firm's: it produces there."@en .
}
e:h-q1 {
  e:h-district a ck:District ; skos:prefLabel "乙区"@zh-Hans .
  e:h-park a ck:IndustrialPark ; schema:containedInPlace e:h-district ; skos:prefLabel "乙园"@zh-Hans ;
      ck:focusIndustry e:h-down .
  e:h-chain a ck:IndustryChain ; ck:chainOf e:h-district ; skos:prefLabel "乙链"@zh-Hans .
  e:h-up a ck:ChainSegment ; ck:segmentOf e:h-chain ; ck:order 1 ; skos:prefLabel "乙上"@zh-Hans .
  e:h-down a ck:ChainSegment ; ck:segmentOf e:h-chain ; ck:order 2 ; skos:prefLabel "乙下"@zh-Hans .
  e:h-firm a ck:Company ; skos:prefLabel "乙厂"@zh-Hans ; ck:locatedIn e:h-district ;
      org:transitiveSubOrganizationOf e:h-group .
  e:h-group a ck:Company ; skos:prefLabel "乙集团"@zh-Hans .
  e:h-platform a ck:Platform ; skos:prefLabel "乙平台"@zh-Hans ; ck:locatedIn e:h-park ; ck:inSegment e:h-up .
}
e:h-r1 { e:h-platform schema:provider e:h-firm . }
"""


def test_readings_providers_wider_groups_and_carriers_that_name_no_firm():
    kg = toy_economy()
    kg.add(ox.parse(READINGS.encode(), format=ox.RdfFormat.TRIG))
    report = chain_map(kg, E + "h-chain")
    up, down = segment(report, "h-up"), segment(report, "h-down")
    # the platform counts for the firm that provides it, which sits in the district
    assert [(e.organisation.label_zh, [v.label_zh for v in e.via]) for e in up.local] == [("乙厂", ["乙平台"])]
    assert [g.label_zh for g in up.local[0].groups] == ["乙集团"]
    # the park is said to focus on the downstream segment, firms unnamed: unknown, never missing
    assert down.status == UNKNOWN and [f.subject.label_zh for f in down.focus] == ["乙园"]
    assert down.focus[0].evidence[0].quote.startswith("乙园聚焦下游")
    from chainkg.graph.ranking import rank_anchors

    ranking = rank_anchors(kg, E + "h-chain")
    assert {a.label_zh: a.components["segments"].value for a in ranking.anchors} == {"乙厂": 1, "乙集团": 1}
    reading = next(e for e in ranking.anchors[0].components["segments"].evidence)
    assert reading.quote and ranking.anchors[0].label_zh in ("乙厂", "乙集团")
    from chainkg.graph.evidence import evidence_of

    note = evidence_of(kg, [E + "h-r1"])[E + "h-r1"]
    assert note.reading.startswith("乙平台由乙厂提供") and note.reading_en.startswith("The platform")


def test_the_map_keeps_a_roles_history_and_says_what_is_current(maps):
    leaders = {e.organisation.label_zh: e for e in maps["waste-chain"].leaders}
    derun = next(b for b in leaders["德润环境"].badges if b.role == "cluster-leading-enterprise")
    sanfeng = next(b for b in leaders["三峰环境"].badges if b.role == "cluster-leading-enterprise")
    assert (derun.since, derun.current) == ("2017-02", False)
    assert sanfeng.current and sanfeng.since > derun.since
