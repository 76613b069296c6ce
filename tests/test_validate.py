"""The shapes check of graph/validate.py: it leaves out the triples no shape can reach (the nodes no focus node
reaches along its triples), and finds exactly the violations a check of every triple finds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from chainkg.graph import loader, validate
from chainkg.graph.store import KnowledgeGraph
from tests.conftest import TOY_ECONOMY

PREFIXES = """@prefix ck: <https://w3id.org/chainkg/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix e: <https://w3id.org/chainkg/id/> .
@prefix unit: <https://w3id.org/chainkg/ontology/unit/> . @prefix dcterms: <http://purl.org/dc/terms/> .
"""
DEEP = "( " * 2_000 + "1" + " )" * 2_000

# Each breaks a shape; some sit at the end of a chain of blank nodes, or on a subject only a target predicate makes a
# focus node (sh:targetSubjectsOf), or on a node typed only through a subclass.
BREACHES = {
    "no names": "e:nameless a ck:Company .",
    "a leader that is no company, of no chain": "e:toy-leader-2 ck:chainLeaderOf e:toy-district .",
    "an untyped subject placed in a chain": "<urn:untyped> ck:inSegment e:toy-chain .",
    "a statistic without its unit and source": 'e:stat-x a ck:Statistic ; ck:value "1"^^xsd:decimal .',
    "a statistic with a text value, far down blank nodes":
        'e:toy-leader ck:p [ ck:q [ ck:r [ a ck:Statistic ; ck:value "many" ; ck:unit unit:nothing ] ] ] .',
    "two Chinese names": 'e:toy-big skos:prefLabel "二号"@zh-Hans .',
    "a deep list under a typed node, its end typed":
        f"e:toy-supplier ck:p {DEEP} . e:toy-supplier ck:q ( [ a ck:Statistic ] ) .",
    "a deep list under an untyped node": f"<urn:lonely> ck:p {DEEP} .",
}


def toy_quads(kg: KnowledgeGraph) -> list[ox.Quad]:
    return loader.parse_file(TOY_ECONOMY, base_iri=kg.settings.base_iri)


@pytest.fixture(scope="module")
def checking() -> tuple[KnowledgeGraph, list[ox.Quad]]:
    kg = KnowledgeGraph.in_memory(load_shipped=False)
    return kg, loader.shipped_ontology(kg)


def batch(kg: KnowledgeGraph, *turtle: str) -> list[ox.Quad]:
    graph = ox.NamedNode("urn:batch")
    return toy_quads(kg) + [ox.Quad(t.subject, t.predicate, t.object, graph)
                            for t in ox.parse((PREFIXES + "\n".join(turtle)).encode(), format=ox.RdfFormat.TURTLE)]


@pytest.mark.parametrize("breaches", [[name] for name in BREACHES] + [list(BREACHES)], ids=lambda b: " + ".join(b))
def test_the_violations_are_those_of_a_check_of_every_triple(checking, monkeypatch, breaches):
    kg, ontology = checking
    quads = batch(kg, *(BREACHES[name] for name in breaches))
    found = validate.check_shapes(kg, quads, ontology=ontology).problems
    monkeypatch.setattr(validate, "_reach", lambda shapes: validate._Reach(everything=True))
    assert sorted(found) == sorted(validate.check_shapes(kg, quads, ontology=ontology).problems)
    assert found or breaches == ["a deep list under an untyped node"]


def test_the_toy_economy_conforms_and_an_unreachable_list_is_left_out(checking):
    kg, ontology = checking
    assert validate.check_shapes(kg, toy_quads(kg), ontology=ontology).ok
    quads = batch(kg, BREACHES["a deep list under an untyped node"])
    shapes = validate._shapes(kg.settings.ontology_dir / "shapes.ttl")
    seen = validate._seen_by_shapes(quads + ontology, validate._reach(shapes))
    assert not validate._reach(shapes).everything
    assert set(seen) <= set(toy_quads(kg) + ontology)  # none of the list's 4,001 triples
