"""The default graph as an RDF merge (graph/merge.py) on the embedded store: every write path keeps it a set.

The endpoint-level cases (counts over the shipped graph, on both backends) are in tests/test_sparql_endpoint.py.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from chainkg.graph import graph_store
from chainkg.graph.store import KnowledgeGraph

S, P = ox.NamedNode("urn:t:s"), ox.NamedNode("urn:t:p")


def values(kg: KnowledgeGraph) -> list[str]:
    """The objects of urn:t:s in the default graph, one row per triple."""
    return sorted(r["o"].value for r in kg.select("SELECT ?o WHERE { <urn:t:s> ?p ?o }"))


def quad(value: str, graph: str | None) -> ox.Quad:
    return ox.Quad(S, P, ox.Literal(value), ox.NamedNode(graph) if graph else ox.DefaultGraph())


@pytest.fixture
def kg() -> KnowledgeGraph:
    kg = KnowledgeGraph.in_memory()
    kg.add([quad("a", "urn:t:g1"), quad("a", "urn:t:g2"), quad("a", None), quad("b", "urn:t:g2")])
    return kg


def test_a_triple_in_several_graphs_is_one_triple_of_the_default_graph(kg):
    assert values(kg) == ["a", "b"]
    assert len(kg) == 4  # the sources' quads: the merge is not counted
    assert sorted(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "default"
                  for q in kg.match(S, P, ox.Literal("a"))) == ["default", "urn:t:g1", "urn:t:g2"]


@pytest.mark.parametrize(("update", "expected"), [
    ("DROP GRAPH <urn:t:g1>", ["a", "b"]),
    ("DROP GRAPH <urn:t:g2>", ["a"]),
    ("DELETE WHERE { <urn:t:s> ?p ?o }", ["a", "b"]),  # chainkg's own default graph only
    ("DELETE WHERE { GRAPH ?g { <urn:t:s> ?p 'b' } }", ["a"]),  # graphs unknown: the merge is derived again
    ("DROP GRAPH <urn:t:g1> ; DROP GRAPH <urn:t:g2> ; DELETE WHERE { <urn:t:s> ?p ?o }", []),
    ("CLEAR ALL", []),
    ("INSERT DATA { <urn:t:s> <urn:t:p> 'c' . GRAPH <urn:t:g3> { <urn:t:s> <urn:t:p> 'c' } }", ["a", "b", "c"]),
    ("DELETE { ?s ?p ?o } INSERT { ?s ?p 'd' } WHERE { ?s ?p ?o }", ["a", "b", "d"]),  # WITH chainkg's default
    ("MOVE <urn:t:g2> TO DEFAULT", ["a", "b"]),
    ("COPY DEFAULT TO <urn:t:g4> ; CLEAR DEFAULT ; DROP GRAPH <urn:t:g1>", ["a", "b"]),
])
def test_every_update_keeps_the_default_graph_the_merge(kg, update, expected):
    kg.update(update)
    assert values(kg) == expected
    derived = {str(ox.Triple(q.subject, q.predicate, q.object)) for q in kg.match()}
    merged = {str(ox.Triple(q.subject, q.predicate, q.object)) for q in kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert merged == derived


def test_graph_store_writes_keep_it_too(kg):
    graph_store.replace(kg, "urn:t:g2", [quad("e", "urn:t:g2")])
    assert values(kg) == ["a", "e"]
    graph_store.delete(kg, None)  # chainkg's own default graph
    assert values(kg) == ["a", "e"]
    graph_store.delete(kg, "urn:t:g1")
    assert values(kg) == ["e"]


def test_a_failed_update_changes_neither_the_graphs_nor_the_merge(kg):
    with pytest.raises(Exception):
        kg.update("INSERT DATA { GRAPH <urn:t:g9> { <urn:t:s> <urn:t:p> 'z' } } ; DROP GRAPH <urn:t:missing>")
    assert values(kg) == ["a", "b"]
    assert not kg.has_graph("urn:t:g9")


def test_a_store_of_the_older_layout_is_brought_into_it():
    kg = KnowledgeGraph.in_memory()
    kg.store.extend([quad("a", "urn:t:g1"), quad("a", "urn:t:g2"), quad("own", None)])  # written by an older chainkg
    assert kg.ensure_merged() is True
    assert values(kg) == ["a", "own"]
    assert [q.object.value for q in kg.match(graph=ox.DefaultGraph())] == ["own"]
    assert kg.ensure_merged() is False
