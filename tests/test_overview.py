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
    roles = [l.role for l in home.leaders]
    chain_leaders = roles.count("chain-leader")
    assert roles == ["chain-leader"] * chain_leaders + ["leading-enterprise"] * (len(roles) - chain_leaders)
    designated = {(l.leader.label.zh, l.chain.label.zh, l.is_chain) for l in home.leaders[:chain_leaders]}
    assert designated == {("中元汇吉", "体外诊断（IVD）产业链", True), ("智睿生物", "巴南生物药产业链", True)}
