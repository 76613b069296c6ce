"""Finding entities by name (graph/search.py): either script, aliases, English names, misspellings."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from chainkg.graph.search import LabelIndex


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
