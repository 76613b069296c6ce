"""Anchor ranking (graph/ranking.py): who anchors each chain, and why, component by component."""

from __future__ import annotations

import pytest

from chainkg.graph.ranking import COMPONENTS, Weights, rank_all, rank_anchors
from chainkg.graph.settings import Settings
from chainkg.graph.views import UnknownEntity

E = "https://w3id.org/chainkg/id/"


# ------------------------------------------------------------------------------------------- the articles' anchors
@pytest.mark.parametrize("chain, anchor", [
    ("ivd-chain", "中元汇吉"),          # a001: IVD产业链链主单位中元汇吉
    ("smart-vision-chain", "海康威视"),  # a001: 海康威视 brought in 杭州里德、昆山金聚、宁波明鑫 and more
    ("biopharma-chain", "智睿生物"),     # a004: 做优做强以智睿生物为“链主”的生物药产业链
    ("waste-chain", "三峰环境"),         # a002: 三峰环境, 龙头 of waste incineration
])
def test_the_articles_anchor_ranks_first(shipped_kg, chain, anchor):
    ranking = rank_anchors(shipped_kg, E + chain)
    assert ranking.anchors, f"no candidates at all for {chain}"
    assert [a.label_zh for a in ranking.leaders] == [anchor]


def test_hikvisions_lead_is_its_supporting_firms(shipped_kg):
    top = rank_anchors(shipped_kg, E + "smart-vision-chain").anchors[0]
    assert top.components["supporting_firms"].value >= 3  # 杭州里德、昆山金聚、宁波明鑫
    assert top.components["supporting_firms"].score == 1.0
    assert any("杭州里德" in e.quote for e in top.components["supporting_firms"].evidence)


def test_a_chain_with_no_designation_still_gets_an_explained_order(shipped_kg):
    # a004 names no 链主 for the display chain: the order comes from 以…为代表, segments covered, awards, investment
    ranking = rank_anchors(shipped_kg, E + "display-chain")
    assert ranking.anchors[0].total > 0 and ranking.anchors[0].kind == "Company"
    representative = {a.label_zh for a in ranking.anchors if a.components["representative"].value}
    assert {"惠科金渝", "汉朗光电", "惠科显示模组"} <= representative
    jinyu = next(a for a in ranking.anchors if a.label_zh == "惠科金渝")
    assert any("灯塔工厂" in str(e.quote) for e in jinyu.components["awards"].evidence)
    for anchor in ranking.anchors:
        for component in anchor.components.values():
            assert component.points == 0 or component.evidence, (anchor.label_zh, component)


@pytest.mark.parametrize("chain", ["display-chain", "biopharma-chain", "smart-vision-chain", "xiaomian-chain", "ivd-chain"])
def test_only_organisations_rank(shipped_kg, chain):
    ranking = rank_anchors(shipped_kg, E + chain)
    assert all(a.kind not in ("Project", "Facility", "Platform", "GovernmentBody") for a in ranking.anchors)
    assert all(a.total > 0 for a in ranking.anchors)
    assert not {a.iri for a in ranking.anchors} & {n.iri for n in ranking.unranked}


def test_a_facility_counts_for_its_owner_and_never_ranks_itself(shipped_kg):
    # a000: 快销品研发生产基地 is the noodle chain's only placed entity; it has no recorded owner, so nobody ranks
    noodles = rank_anchors(shipped_kg, E + "xiaomian-chain")
    assert noodles.anchors == [] and "快销品研发生产基地" in [n.label_zh for n in noodles.not_ranked]
    vision = rank_anchors(shipped_kg, E + "smart-vision-chain")
    ezviz = next(a for a in vision.anchors if a.label_zh == "萤石网络")  # a001: 萤石智能家居生产基地 is 萤石's
    assert "萤石智能家居生产基地" in [v.label_zh for v in ezviz.via]


def test_candidates_with_no_evidence_are_unranked_not_numbered(shipped_kg):
    ranking = rank_anchors(shipped_kg, E + "ivd-chain")
    assert "重庆精准医疗产业技术创新研究院" in [n.label_zh for n in ranking.unranked]
    assert len(ranking.anchors) + len(ranking.unranked) == ranking.candidates


def test_ties_are_broken_by_evidence_and_share_a_rank(shipped_kg):
    ranking = rank_anchors(shipped_kg, E + "ivd-chain")
    keys = [(-round(a.total, 6), -a.evidence_count) for a in ranking.anchors]
    assert keys == sorted(keys)
    for a, b in zip(ranking.anchors, ranking.anchors[1:]):
        assert (a.rank == b.rank) == ((round(a.total, 6), a.evidence_count) == (round(b.total, 6), b.evidence_count))


# ------------------------------------------------------------------------------- the method, on the toy economy
@pytest.mark.parametrize("company, component, value, score", [
    ("toy-leader", "chain_leader", True, 1.0),
    ("toy-big", "chain_leader", False, 0.0),
    ("toy-big", "leading_enterprise", "cluster", 0.5),    # 龙头 of the chain's cluster counts half
    ("toy-big", "listed", True, 1.0),
    ("toy-leader", "supplier_links", 2, 1.0),              # toy-supplier and toy-far-a; toy-outsider is not in the chain
    ("toy-supplier", "supplier_links", 1, 0.5),
    ("toy-big", "supporting_firms", 1, 1.0),               # toy-helper, both 配套 and brought in: one firm
    ("toy-big", "size", 4e9, 1.0),                         # the latest actual figure (2023: 40 亿元), not the 2024 target
    ("toy-leader", "size", 2e9, 0.5),
    ("toy-far-b", "size", None, 0.0),
    ("toy-far-b", "segments", 1, 1.0),
])
def test_each_component_is_measured_and_scaled_within_the_chain(toy_kg, company, component, value, score):
    anchors = {a.iri: a for a in rank_anchors(toy_kg, E + "toy-chain").anchors}
    measured = anchors[E + company].components[component]
    assert measured.value == value
    assert measured.score == pytest.approx(score)


def test_the_toy_ranking_in_full(toy_kg):
    ranking = rank_anchors(toy_kg, E + "toy-chain")
    assert [a.iri.removeprefix(E) for a in ranking.anchors[:2]] == ["toy-leader", "toy-big"]
    assert ranking.anchors[0].total == pytest.approx(12 + 2 + 1 + 0.5)  # leader + segment + suppliers + half the size
    assert [n.iri.removeprefix(E) for n in ranking.unranked] == ["toy-helper"]   # a member with no evidence at all
    assert ranking.candidates == len(ranking.anchors) + 1 == 9
    assert [a.rank for a in ranking.anchors] == [1, 2, 3, 3, 5, 5, 5, 5]        # ties share a rank


def test_every_component_is_reported_beside_the_total(toy_kg):
    for anchor in rank_anchors(toy_kg, E + "toy-chain").anchors:
        assert tuple(anchor.components) == COMPONENTS
        assert all(0.0 <= c.score <= 1.0 for c in anchor.components.values())
        assert anchor.total == pytest.approx(sum(c.score * c.weight for c in anchor.components.values()))
        assert all(c.basis and c.basis_zh for c in anchor.components.values())


def test_totals_never_increase_down_the_list(synthetic_kg):
    for ranking in rank_all(synthetic_kg):
        totals = [a.total for a in ranking.anchors]
        assert totals == sorted(totals, reverse=True)


@pytest.mark.parametrize("weights, first", [
    (Weights(), "toy-leader"),
    (Weights(chain_leader=0.0), "toy-big"),
    (Weights(**{**dict.fromkeys(COMPONENTS, 0.0), "size": 1.0}), "toy-big"),
    (Weights(**{**dict.fromkeys(COMPONENTS, 0.0), "supplier_links": 1.0}), "toy-leader"),
])
def test_the_weights_decide(toy_kg, weights, first):
    ranking = rank_anchors(toy_kg, E + "toy-chain", weights=weights)
    assert ranking.anchors[0].iri == E + first
    assert ranking.weights == weights


@pytest.mark.parametrize("setting, component, value", [
    ("anchor_weight_chain_leader", "chain_leader", 7.5),
    ("anchor_weight_size", "size", 0.0),
    ("anchor_weight_representative", "representative", 3.0),
    ("anchor_weight_segments", "segments", 0.5),
])
def test_weights_are_settings(setting, component, value):
    weights = Weights.from_settings(Settings(store=":memory:", **{setting: value}))
    assert weights.as_dict()[component] == value
    assert Weights.from_settings(Settings(store=":memory:")) == Weights()


def test_a_limit_cuts_the_list_not_the_count(toy_kg):
    ranking = rank_anchors(toy_kg, E + "toy-chain", limit=2)
    assert len(ranking.anchors) == 2 and ranking.candidates == 9


# ------------------------------------------------------------------------------------- at scale, synthetic data
@pytest.mark.parametrize("kg_name", ["synthetic_kg", "shipped_kg", "toy_kg"])
def test_ranking_all_chains_at_once_agrees_with_ranking_each(request, kg_name):
    kg = request.getfixturevalue(kg_name)
    together = rank_all(kg, limit=10)
    assert together and [r.chain for r in together] == sorted(r.chain for r in together)
    for ranking in together:
        assert ranking == rank_anchors(kg, ranking.chain, limit=10)


def test_every_synthetic_chains_designated_leader_ranks_first(synthetic_kg):
    rankings = rank_all(synthetic_kg, limit=1)
    assert len(rankings) == 6
    for ranking in rankings:
        assert ranking.anchors[0].components["chain_leader"].value is True, ranking.chain


# ------------------------------------------------------------------------------------------------- edge cases
def test_a_chain_without_members_has_an_empty_ranking():
    empty = rank_anchors(_with_empty_chain(), E + "empty-chain")
    assert (empty.anchors, empty.candidates, empty.label_en, empty.unranked) == ([], 0, "Empty chain", [])


@pytest.mark.parametrize("iri", [E + "no-such-chain", E + "toy-leader", "not an iri"])
def test_unknown_chains_are_refused(toy_kg, iri):
    with pytest.raises(UnknownEntity):
        rank_anchors(toy_kg, iri)


def _with_empty_chain():
    import pyoxigraph as ox

    from chainkg.graph.store import KnowledgeGraph

    kg = KnowledgeGraph.in_memory()
    chain = ox.NamedNode(E + "empty-chain")
    kg.add([
        ox.Quad(chain, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("https://w3id.org/chainkg/ontology#IndustryChain")),
        ox.Quad(chain, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("Empty chain", language="en")),
    ])
    return kg


def test_a_role_a_later_article_gives_another_is_history(shipped_kg):
    # a003 (2017-02) names 德润环境 a 龙头 of Dadukou's eco cluster; a000 (2021-11) names 三峰环境: 德润 is history
    ranking = rank_anchors(shipped_kg, E + "waste-chain")
    derun = next(a for a in ranking.anchors if a.label_zh == "德润环境")
    assert derun.components["leading_enterprise"].value == "cluster-history"
    assert derun.components["leading_enterprise"].score == 0.25
    assert "2017-02" in [e.date for e in derun.components["leading_enterprise"].evidence]
    assert ranking.leaders[0].label_zh == "三峰环境"


# ------------------------------------------------------------------------------------------- what a ranking asks
@pytest.fixture
def queries_run(monkeypatch) -> list[str]:
    """The names of the named queries that run (and answer) from here on, in order."""
    from chainkg.graph import queries
    ran: list[str] = []
    run = queries.run

    def counted(kg, name, **options):
        found = run(kg, name, **options)
        if found is not None:
            ran.append(name)
        return found

    monkeypatch.setattr(queries, "run", counted)
    return ran


def test_a_ranking_asks_for_names_but_not_roles_or_relation_labels(shipped_kg, queries_run):
    """A ranking names its candidates (view_node_descriptions) and reads their roles from the chain's own ties: it
    needs neither view_node_roles nor relation_labels, which it used to run (13 queries for the IVD chain, was 15)."""
    rank_anchors(shipped_kg, E + "ivd-chain")
    assert "view_node_descriptions" in queries_run
    assert not {"view_node_roles", "relation_labels"} & set(queries_run)
    assert len(queries_run) <= 13


def test_a_ranking_reads_its_evidence_in_one_go(shipped_kg, queries_run):
    """The display chain's ranking cites graphs its chain facts do not (awards, figures): their evidence and the
    facts' is read by one evidence_of (2 queries with its readings), not one for the facts and one more after."""
    ranking = rank_anchors(shipped_kg, E + "display-chain")
    assert queries_run.count("evidence_of") == 1 and queries_run.count("evidence_readings") == 1
    assert all(c.evidence or not c.points for a in ranking.anchors for c in a.components.values())
