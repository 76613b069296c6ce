"""The views, the label index and the statistics give the same answers on the embedded store and on Virtuoso.

One dataset (the shipped graph plus a small synthetic economy) is written through `KnowledgeGraph` into an
in-memory Oxigraph store and into a private Virtuoso (graph/remote.py); every view is then built on both and
compared node by node, attribute by attribute, edge by edge.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx
import pyoxigraph as ox
import pytest

from bench.generate import nquads
from chainkg.graph import entity, loader, overview, search, stats, views
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from tests.virtuoso import running_virtuoso

E = "https://w3id.org/chainkg/id/"


def fill(kg: KnowledgeGraph) -> KnowledgeGraph:
    loader.load_shipped(kg)
    kg.add(ox.parse("\n".join(nquads(companies=300, seed=3)).encode(), format=ox.RdfFormat.N_QUADS))
    return kg


@pytest.fixture(scope="module")
def embedded() -> KnowledgeGraph:
    return fill(KnowledgeGraph(Settings(store=":memory:")))


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeGraph]:
    with running_virtuoso(tmp_path_factory.mktemp("views-virtuoso")) as server:
        kg = KnowledgeGraph(Settings(store=":memory:", **server.chainkg_settings()))
        try:
            yield fill(kg)
        finally:
            kg.store.close()


def as_data(view: views.View) -> dict[str, object]:
    """A view as plain, comparable data."""
    graph: nx.DiGraph = view.graph
    return {
        "titles": (view.title_zh, view.title_en),
        "focus": view.focus,
        "omitted": view.omitted,
        "nodes": {n: dict(sorted(a.items())) for n, a in graph.nodes(data=True)},
        "edges": {(s, t): dict(sorted(a.items())) for s, t, a in graph.edges(data=True)},
    }


# Virtuoso 7.2 evaluates `FILTER NOT EXISTS { … a/rdfs:subClassOf* … }` wrongly (a property path inside NOT EXISTS
# finds nothing), so views whose named queries use one differ there: the chain view keeps places past the first
# administrative area, and a node's most specific class is missed. Strict: the day Virtuoso agrees, this fails.
NOT_EXISTS_PATH_BUG = pytest.mark.xfail(strict=True, reason="Virtuoso 7.2: property paths inside FILTER NOT EXISTS")

VIEWS = [
    pytest.param("chain_view", lambda kg: views.chain_view(kg, E + "ivd-chain"), marks=NOT_EXISTS_PATH_BUG),
    pytest.param("synthetic chain_view", lambda kg: views.chain_view(kg, E + "syn-chain-0-1"), marks=NOT_EXISTS_PATH_BUG),
    ("supplier_network", lambda kg: views.supplier_network(kg)),
    ("district supplier_network", lambda kg: views.supplier_network(kg, E + "syn-district-0")),
    ("park_view", lambda kg: views.park_view(kg, E + "syn-park-1-2")),
    ("district_overview", lambda kg: views.district_overview(kg, E + "dadukou")),
    ("synthetic district_overview", lambda kg: views.district_overview(kg, E + "syn-district-1")),
    ("company_suppliers", lambda kg: views.company_suppliers(kg, E + "syn-co-5", depth=2)),
    # agrees on Virtuoso since queries get the merge as their default graph (graph/merge.py); why exactly, not known
    ("ego_network", lambda kg: views.ego_network(kg, E + "zhongyuan-huiji", radius=2)),
]


@pytest.mark.parametrize(("name", "build"), VIEWS, ids=lambda value: value if isinstance(value, str) else "")
def test_a_view_is_the_same_on_both_backends(embedded, virtuoso, name, build):
    expected = as_data(build(embedded))
    assert expected["nodes"], f"{name} is empty: the comparison would prove nothing"
    assert as_data(build(virtuoso)) == expected


def test_virtuoso_bug_is_what_the_xfails_say(embedded, virtuoso):
    """The one difference above, shown directly: both are administrative areas, Virtuoso's NOT EXISTS misses one
    (which one varies with the store's history)."""
    query = ("SELECT ?s WHERE { VALUES ?s { e:dadukou e:chongqing } "
             "FILTER NOT EXISTS { ?s a/rdfs:subClassOf* ck:AdministrativeArea } }")
    assert embedded.select(query) == []
    assert virtuoso.select(query) != []


def test_an_unknown_entity_is_refused_on_both(embedded, virtuoso):
    for kg in (embedded, virtuoso):
        with pytest.raises(views.UnknownEntity):
            views.chain_view(kg, E + "no-such-chain")


@pytest.mark.parametrize("text", ["中元匯吉", "hikvision", "合成企业12", "Synthetic Park 1-2"])
def test_search_finds_the_same_on_both(embedded, virtuoso, text):
    found = [hit.as_json() for hit in search.LabelIndex(embedded).search(text)]
    assert found
    assert [hit.as_json() for hit in search.LabelIndex(virtuoso).search(text)] == found


def test_statistics_and_store_methods_agree(embedded, virtuoso):
    assert stats.compute(virtuoso) == stats.compute(embedded)
    assert len(virtuoso) == len(embedded)
    assert virtuoso.graph_names() == embedded.graph_names()
    meta = ox.NamedNode(embedded.names.meta)
    assert set(virtuoso.match(meta, None, None, meta)) == set(embedded.match(meta, None, None, meta))
    assert virtuoso.has_graph(embedded.names.ontology) and not virtuoso.has_graph("urn:nowhere")


def test_planned_events_read_as_planned_on_both(embedded, virtuoso):
    """xsd:boolean true is "true" on Oxigraph and "1" on Virtuoso: both mean a plan, not a happening."""
    planned = {(e.iri, e.planned) for e in entity.page(embedded, E + "chongqing-international-bio-city").events}
    assert any(is_planned for _, is_planned in planned)
    assert {(e.iri, e.planned) for e in entity.page(virtuoso, E + "chongqing-international-bio-city").events} == planned


def test_the_home_page_names_the_same_leaders_on_both(embedded, virtuoso):
    leaders = overview.overview(embedded).leaders
    assert any(not l.is_chain for l in leaders) and any(l.is_chain for l in leaders)
    assert overview.overview(virtuoso).leaders == leaders
