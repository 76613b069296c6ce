"""Graph views (graph/views.py): what each view holds, the attributes its contract promises, and its cap."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from chainkg.graph import views
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.views import UnknownEntity
from tests.conftest import toy_economy

E = "https://w3id.org/chainkg/id/"


def _edges(view, relation: str) -> set[tuple[str, str]]:
    return {(s.removeprefix(E), t.removeprefix(E)) for s, t, r in view.graph.edges(data="relations") if relation in r}


def _nodes(view, kind: str | None = None) -> set[str]:
    return {n.removeprefix(E) for n, k in view.graph.nodes(data="kind") if kind is None or k == kind}


# Every view of the shipped graph, by the function and the entity it is about.
SHIPPED_VIEWS = [
    (views.chain_view, "ivd-chain"),
    (views.chain_view, "smart-vision-chain"),
    (views.park_view, "tianan-cyberpark"),
    (views.district_overview, "dadukou"),
    (views.ego_network, "hikvision"),
    (views.company_suppliers, "hikvision"),
    (views.supplier_network, "dadukou"),
]


@pytest.mark.parametrize("view_of, entity", SHIPPED_VIEWS)
def test_every_node_and_edge_carries_the_contracts_attributes(shipped_kg, view_of, entity):
    view = view_of(shipped_kg, E + entity)
    assert view.focus == E + entity and view.title_zh and view.title_en and view.omitted == 0
    assert view.graph.number_of_edges() > 0
    for node, attributes in view.graph.nodes(data=True):
        assert node.startswith("http")
        assert {"label_zh", "label_en", "kind", "roles"} <= attributes.keys(), node
        assert attributes["label_zh"] and attributes["label_en"] and isinstance(attributes["roles"], list)
    for _, _, attributes in view.graph.edges(data=True):
        assert attributes["relation"] == attributes["relations"][0]
        assert attributes["label_zh"] and attributes["label_en"]


# ------------------------------------------------------------------------------------------------- chain view
def test_chain_view_has_segments_in_order_members_leaders_and_places(toy_kg):
    view = views.chain_view(toy_kg, E + "toy-chain")
    segments = sorted((a["order"], a["position"]) for _, a in view.graph.nodes(data=True) if a["kind"] == "ChainSegment")
    assert segments == [(1, "upstream"), (2, "midstream"), (3, "downstream")]
    assert ("toy-leader", "toy-chain") in _edges(view, "chainLeaderOf")
    assert {("toy-big", "toy-seg-3"), ("toy-supplier", "toy-seg-2")} <= _edges(view, "inSegment")
    assert ("toy-supplier", "toy-building") in _edges(view, "hostedIn")
    assert {("toy-building", "toy-park"), ("toy-park", "toy-district")} <= _edges(view, "containedInPlace")
    assert view.graph.nodes[E + "toy-leader"]["roles"] == ["chain-leader"]


@pytest.mark.parametrize("firm, roles", [
    ("toy-leader", ["chain-leader"]),
    ("toy-big", ["leading-enterprise", "listed"]),   # 龙头 of the chain's cluster
    ("toy-supplier", []),                             # 龙头 of a park only: not a leader of this chain
])
def test_chain_view_marks_only_this_chains_leaders(toy_kg, firm, roles):
    view = views.chain_view(toy_kg, E + "toy-chain")
    assert view.graph.nodes[E + firm]["roles"] == roles


def test_the_ivd_chain_view_marks_its_chain_leader(shipped_kg):
    view = views.chain_view(shipped_kg, E + "ivd-chain")
    assert {"chain-leader", "leading-enterprise"} <= set(view.graph.nodes[E + "zhongyuan-huiji"]["roles"])


def test_chain_view_reaches_the_park_and_district_of_members(shipped_kg):
    view = views.chain_view(shipped_kg, E + "ivd-chain")
    assert {"tianan-building-5", "tianan-cyberpark", "dadukou"} <= _nodes(view)
    assert len(_nodes(view, "ChainSegment")) == 5


def test_a_capped_chain_view_keeps_chain_segments_and_leader_and_counts_the_rest(synthetic_kg):
    from bench.generate import load
    from chainkg.graph.store import KnowledgeGraph

    small = KnowledgeGraph.in_memory(view_max_nodes=10)
    load(small, companies=600)  # the same data as synthetic_kg, a smaller cap
    full = views.chain_view(synthetic_kg, E + "syn-chain-0-0")
    capped = views.chain_view(small, E + "syn-chain-0-0")
    assert capped.graph.number_of_nodes() == 10
    assert capped.omitted == full.graph.number_of_nodes() - 10
    kept = _nodes(capped)
    assert "syn-chain-0-0" in kept and {f"syn-seg-0-0-{s}" for s in range(6)} <= kept
    assert any("chain-leader" in a["roles"] for _, a in capped.graph.nodes(data=True))


# ------------------------------------------------------------------------------------------- supplier network
@pytest.mark.parametrize("place, links", [
    (None, {("toy-supplier", "toy-leader"), ("toy-far-a", "toy-leader"), ("toy-outsider", "toy-leader"),
            ("toy-helper", "toy-big")}),
    ("toy-elsewhere", {("toy-far-a", "toy-leader")}),   # the links that touch a firm sitting there
    ("toy-building", {("toy-supplier", "toy-leader")}),
])
def test_supplier_network(toy_kg, place, links):
    view = views.supplier_network(toy_kg, E + place if place else None)
    assert {(s.removeprefix(E), t.removeprefix(E)) for s, t in view.graph.edges} == links


def test_a_supporting_firm_brought_in_is_one_edge_with_both_relations(shipped_kg):
    view = views.supplier_network(shipped_kg, E + "dadukou")
    edge = view.graph.edges[E + "hangzhou-lide", E + "hikvision"]
    assert edge["relation"] == "supportingCompanyOf"
    assert edge["relations"] == ["supportingCompanyOf", "broughtInBy"]
    assert {"supporting", "brought-in"} <= set(view.graph.nodes[E + "hangzhou-lide"]["roles"])


def test_company_suppliers(shipped_kg):
    view = views.company_suppliers(shipped_kg, E + "hikvision")
    assert _edges(view, "supportingCompanyOf") >= {("hangzhou-lide", "hikvision"), ("kunshan-jinju", "hikvision"),
                                                   ("ningbo-mingxin", "hikvision")}  # a001: 杭州里德、昆山金聚、宁波明鑫


# --------------------------------------------------------------------------------------- park, district, ego
def test_park_view_has_carriers_companies_and_clusters(shipped_kg):
    view = views.park_view(shipped_kg, E + "tianan-cyberpark")
    assert ("tianan-building-5", "tianan-cyberpark") in _edges(view, "containedInPlace")
    assert ("runda-medical", "tianan-building-5") in _edges(view, "hostedIn")
    assert ("dian-diagnostics", "tianan-precision-medicine-cluster") in _edges(view, "memberOfCluster")


def test_district_overview_has_clusters_with_their_latest_revenue_chains_and_leaders(shipped_kg):
    view = views.district_overview(shipped_kg, E + "dadukou")
    five = ["bigdata", "eco", "health", "materials", "xiaomian"]  # 五大百亿级产业集群 (a000)
    assert {(f"dadukou-{c}-cluster", "dadukou") for c in five} <= _edges(view, "clusterOf")
    for cluster in five:
        attributes = view.graph.nodes[E + f"dadukou-{cluster}-cluster"]
        assert attributes["revenue"] > 0 and attributes["revenue_year"] >= 2021 and attributes["revenue_unit_zh"] == "亿元"
    assert ("ivd-chain", "dadukou-health-cluster") in _edges(view, "inCluster")
    assert ("zhongyuan-huiji", "ivd-chain") in _edges(view, "chainLeaderOf")


def test_ego_network_rings_and_cap(toy_kg):
    one = views.ego_network(toy_kg, E + "toy-leader", radius=1)
    two = views.ego_network(toy_kg, E + "toy-leader", radius=2)
    assert {"toy-seg-3", "toy-park", "toy-chain", "toy-supplier"} <= _nodes(one)
    assert {n for n, d in one.graph.nodes(data="distance") if d == 0} == {E + "toy-leader"}
    assert _nodes(one) < _nodes(two) and "toy-far-d" in _nodes(two)  # in the same segment: two steps
    capped = views.ego_network(toy_kg, E + "toy-leader", radius=2, max_nodes=5)
    assert capped.graph.number_of_nodes() == 5
    assert capped.omitted == two.graph.number_of_nodes() - 5
    assert E + "toy-leader" in capped.graph and max(d for _, d in capped.graph.nodes(data="distance")) == 1


def test_ego_networks_cap_defaults_to_the_setting():
    kg = toy_economy(view_max_nodes=3)
    view = views.ego_network(kg, E + "toy-leader", radius=2)
    assert view.graph.number_of_nodes() == 3 and view.omitted > 0


# ------------------------------------------------------------------------------------------------ chain list
def test_list_chains(shipped_kg):
    chains = {c.iri.removeprefix(E): c for c in views.list_chains(shipped_kg)}
    assert {"ivd-chain", "smart-vision-chain", "biopharma-chain"} <= chains.keys()
    ivd = chains["ivd-chain"]
    assert ivd.place == E + "dadukou" and E + "chongqing" in ivd.places  # one of the city's 33 chains, Dadukou's own
    assert (ivd.label_zh, ivd.segments, ivd.clusters) == ("体外诊断（IVD）产业链", 5, (E + "dadukou-health-cluster",))
    assert ivd.members >= 10


# -------------------------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("view_of, entity", [
    (views.chain_view, "no-such-chain"),
    (views.chain_view, "zhongyuan-huiji"),      # a company is not a chain
    (views.park_view, "ivd-chain"),
    (views.district_overview, "tianan-cyberpark"),
    (views.company_suppliers, "dadukou"),
    (views.supplier_network, "zhongyuan-huiji"),
    (views.ego_network, "no-such-thing"),
])
def test_views_refuse_what_is_not_of_their_kind(shipped_kg, view_of, entity):
    with pytest.raises(UnknownEntity, match=entity):
        view_of(shipped_kg, E + entity)


def test_a_malformed_iri_is_unknown(shipped_kg):
    with pytest.raises(UnknownEntity):
        views.chain_view(shipped_kg, "not an iri")


def test_a_size_figure_keeps_its_qualifier_and_what_it_covers():
    """A cluster figure of its 规上企业 only, printed as 超100亿元, reads "> 100" and says whose it is (issue 13)."""
    kg = KnowledgeGraph.in_memory()
    ck, stat = "https://w3id.org/chainkg/ontology#", ox.NamedNode("urn:t:stat")
    kg.add([ox.Quad(stat, ox.NamedNode(ck + p), o, ox.NamedNode("urn:t:g")) for p, o in [
        ("statSubject", ox.NamedNode("urn:t:cluster")),
        ("measure", ox.NamedNode("https://w3id.org/chainkg/ontology/measure/revenue")),
        ("value", ox.Literal("100", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
        ("year", ox.Literal("2023", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))),
        ("qualifier", ox.NamedNode("https://w3id.org/chainkg/ontology/qualifier/more-than")),
        ("coverage", ox.Literal("规上企业", language="zh-Hans")),
    ]] + [ox.Quad(ox.NamedNode("https://w3id.org/chainkg/ontology/qualifier/more-than"), ox.NamedNode(ck + "symbol"),
                  ox.Literal(">"), ox.NamedNode("urn:t:vocab"))])
    figure = views.latest_sizes(kg, ["urn:t:cluster"])["urn:t:cluster"]
    assert (figure.shown, figure.coverage, figure.year) == ("> 100", "规上企业", 2023)
