"""The home page's data (graph/overview.py): districts, their clusters and chains, parks, and who leads what."""

from __future__ import annotations

import pytest

from chainkg.graph import overview


@pytest.fixture(scope="module")
def home(shipped_kg):
    return overview.overview(shipped_kg)


def test_districts_with_their_clusters_and_chains(home):
    dadukou = next(d for d in home.districts if d.link.label.zh == "大渡口区")
    clusters = {c.link.label.zh: [x.label.zh for x in c.chains] for c in dadukou.clusters if c.link}
    assert clusters["大渡口大健康生物医药产业集群"] == ["体外诊断（IVD）产业链"]
    assert clusters["大渡口大数据智能化产业集群"] == ["智能视觉产业链"]
    assert [d.link.label.zh for d in home.districts] == ["大渡口区", "巴南区"]


def test_parks_with_their_hosted_organisations(home):
    dadukou = home.districts[0]
    parks = {p.label.zh: count for p, count in dadukou.parks}
    assert parks["重庆天安数码城"] > 10


def test_chain_leaders_first(home):
    order = {"chain-leader": 0, "leading-enterprise": 1, "top-anchor": 2}
    chains = [l for l in home.leaders if l.is_chain]
    assert [order[l.role] for l in chains] == sorted(order[l.role] for l in chains)
    designated = {(l.leader.label.zh, l.chain.label.zh) for l in chains if l.role == "chain-leader"}
    assert designated == {("中元汇吉", "体外诊断（IVD）产业链"), ("智睿生物", "巴南生物药产业链")}


def test_every_chain_leader_cites_its_sources(home):
    for leadership in home.leaders:
        assert leadership.sources, (leadership.leader.label.zh, leadership.chain.label.zh)
        assert all(s.kind == "note" or s.quote for s in leadership.sources)


def test_the_top_anchor_of_a_chain_without_designation_is_on_the_home_page(home):
    # 海康威视 tops smart vision on the anchors page (it brought 杭州里德、昆山金聚、宁波明鑫 in; a000 names it among
    # the 产业龙头企业, which the curators read as the chain's 龙头): so it leads here too, whichever the role
    vision = [l for l in home.leaders if l.chain.label.zh == "智能视觉产业链"]
    assert [l.leader.label.zh for l in vision] == ["海康威视"]
    assert vision[0].role in ("leading-enterprise", "top-anchor") and vision[0].sources
