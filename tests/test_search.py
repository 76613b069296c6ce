"""Finding entities by name (graph/search.py): either script, aliases, English names, misspellings."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from chainkg.graph.search import SPELLED_CHARS, LabelIndex, Spelling, grouped


@pytest.fixture(scope="module")
def index(shipped_kg) -> LabelIndex:
    return LabelIndex(shipped_kg)


@pytest.mark.parametrize("typed, found, match", [
    ("中元匯吉", "中元汇吉", "exact"),      # traditional script
    ("中元生物", "中元汇吉", "exact"),      # an alias
    ("Hikvision", "海康威视", "exact"),     # the English name
    ("hikvision", "海康威视", "exact"),     # any case
    ("海康威視", "海康威视", "exact"),      # traditional
    ("中允汇吉", "中元汇吉", "exact"),      # the misspelling of a photo caption
    ("天安数码", "重庆天安数码城", "prefix"),
])
def test_names_in_any_script_find_the_entity(index, typed, found, match):
    best = index.search(typed)[0]
    assert (best.label_zh, best.match) == (found, match)


def test_a_hidden_name_is_never_shown_as_the_match(index):
    assert index.search("中允汇吉")[0].matched is None


def test_suggestions_are_the_best_few(index):
    hits = index.suggest("中元", limit=3)
    assert len(hits) <= 3 and hits[0].label_zh == "中元汇吉"


def test_the_index_sees_new_names(shipped_copy):
    index = LabelIndex(shipped_copy, refresh_s=0)
    firm = ox.NamedNode(shipped_copy.settings.base_iri + "id/new-firm")
    shipped_copy.add([ox.Quad(firm, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                              ox.Literal("新來的公司", language="zh-Hant"), ox.NamedNode(shipped_copy.settings.base_iri + "id/quote/x"))])
    assert [h.iri for h in index.search("新来的公司")] == [firm.value]


# ---------------------------------------------------------------------------------------------------- pinyin, kinds, roles
@pytest.mark.parametrize("typed, found, match", [
    ("zhongyuan", "中元汇吉", "pinyin"),          # the start of the pinyin
    ("zhongyuan huiji", "中元汇吉", "pinyin"),    # the whole pinyin, in words
    ("ZhongYuanHuiJi", "中元汇吉", "pinyin"),     # any case, no spaces
    ("huiji", "中元汇吉", "pinyin"),              # whole syllables from inside the name
    ("zyhj", "中元汇吉", "initials"),
    ("hkws", "海康威视", "initials"),
    ("haikang", "海康威视", "pinyin"),
    ("chongqing tianan shuma", "重庆天安数码城", "pinyin"),  # 重 read chong, not zhong, in 重庆
])
def test_pinyin_and_initials_find_the_chinese_name(index, typed, found, match):
    best = index.search(typed)[0]
    assert (best.label_zh, best.match) == (found, match)


def test_a_name_past_the_spelled_length_gets_no_pinyin_but_is_still_found(shipped_copy):
    """Spelling a huge name cost seconds at every rebuild; no one types one in pinyin, its characters still find it."""
    index = LabelIndex(shipped_copy, refresh_s=0)
    base = shipped_copy.settings.base_iri
    tail = "鑫淼犇科技"  # xin miao ben ke ji: no other name holds it
    names = {"id/long-firm": "渝" * (SPELLED_CHARS - len(tail)) + tail,
             "id/longer-firm": "重" * (SPELLED_CHARS + 1 - len(tail)) + tail}
    shipped_copy.add([ox.Quad(ox.NamedNode(base + iri), ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                              ox.Literal(name, language="zh-Hans"), ox.NamedNode(base + "id/quote/x"))
                      for iri, name in names.items()])
    assert [Spelling.of(name) is None for name in names.values()] == [False, True]
    assert [h.iri for h in index.search("xinmiaobenkeji")] == [base + "id/long-firm"]
    assert {h.iri for h in index.search(tail)} == {base + iri for iri in names}


@pytest.mark.parametrize("typed", ["uan", "ongyuan", "yhjx"])
def test_pinyin_matches_start_at_a_syllable(index, typed):
    assert "中元汇吉" not in [h.label_zh for h in index.search(typed)]


@pytest.mark.parametrize("typed, holders, role_of", [
    ("链主", {"中元汇吉", "智睿生物"}, {"ivd-chain", "biopharma-chain"}),
    ("龙头", {"海康威视", "国际复合"}, {"smart-vision-chain", "composites-chain"}),
])
def test_role_words_find_the_holders_and_what_they_lead(index, typed, holders, role_of):
    hits = index.search(typed, limit=50)
    roles = [h for h in hits if h.match == "role"]
    assert holders <= {h.label_zh for h in roles}
    assert {h.role.of.rsplit("/", 1)[-1] for h in roles} >= role_of
    assert hits[0].match == "role"  # holders before names that merely contain the word


@pytest.mark.parametrize("typed, family, at_least", [
    ("园区", "IndustrialPark", 20),
    ("政策", "Policy", 20),
    ("企业", "Company", 20),
    ("产业链", "IndustryChain", 6),
])
def test_kind_words_list_every_entity_of_the_kind(index, typed, family, at_least):
    found = index.find(typed, limit=500, family=family)
    assert found.total >= at_least and all(h.family == family for h in found.hits)


def test_results_can_be_narrowed_by_family_and_district(index):
    everything = index.find("园区", limit=500)
    assert everything.families["IndustrialPark"] >= 20 and everything.districts
    dadukou = index.kg.settings.base_iri + "id/dadukou"
    parks = index.find("园区", limit=500, family="IndustrialPark", district=dadukou)
    assert parks.total == len(parks.hits) > 0
    assert all(h.family == "IndustrialPark" and dadukou in h.districts for h in parks.hits)
    assert parks.total < everything.families["IndustrialPark"]
    assert "重庆天安数码城" in {h.label_zh for h in parks.hits}


@pytest.mark.parametrize("typed, jumps_to", [
    ("中元匯吉", "中元汇吉"),
    ("海康威视", "海康威视"),
    ("大渡口", "大渡口区"),
    ("IVD", None),         # names the industry and the chain: offer both
    ("体外诊断", None),
])
def test_an_exact_name_jumps_to_its_page_unless_it_names_a_chain_too(index, typed, jumps_to):
    target = index.jump(index.search(typed))
    assert (target.label_zh if target else None) == jumps_to


def test_ivd_offers_the_industry_and_the_chain(index):
    families = [f for f, _ in grouped(index.search("IVD"))]
    assert families[:2] == ["Industry", "IndustryChain"] or {"Industry", "IndustryChain"} <= set(families[:3])
