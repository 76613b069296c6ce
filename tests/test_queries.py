"""The named queries and the one way to run them (graph/queries): by name, parameters bound as terms, a VALUES list
of nodes, answered as rows of the columns that are bound."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from chainkg.graph import queries
from chainkg.graph.namespaces import local_name
from chainkg.graph.store import KnowledgeGraph

E = "https://w3id.org/chainkg/id/"
ZYBIO, IVD = E + "zhongyuan-huiji", E + "ivd-chain"


@pytest.mark.parametrize("name", queries.names())
def test_every_named_query_says_which_question_it_answers(name):
    assert queries.text(name).startswith("#") and queries.question(name)


def test_a_parameter_is_bound_as_a_term_and_a_row_holds_only_bound_columns(shipped_kg):
    found = queries.rows(shipped_kg, "entity_classes", entity=ox.NamedNode(ZYBIO))
    assert found and all(isinstance(row["class"], ox.NamedNode) for row in found)
    assert all(None not in row.values() for row in found)


def test_a_literal_cannot_smuggle_syntax_in():
    bound = queries.bind("SELECT ?x WHERE { BIND($v AS ?x) }", {"v": ox.Literal('"} DROP ALL ; #')})
    assert ox.Store().query(bound).__next__()["x"].value == '"} DROP ALL ; #'


@pytest.mark.parametrize("term", ["http://example.org/a", ox.BlankNode("b"), 3])
def test_a_parameter_is_an_iri_or_a_literal_term(term):
    with pytest.raises(TypeError):
        queries.bind("ASK { $x ?p ?o }", {"x": term})


def test_a_values_list_asks_about_those_nodes_each_once(shipped_kg):
    found = queries.rows(shipped_kg, "view_node_roles", nodes=[ZYBIO, ZYBIO, IVD])
    assert {row["node"].value for row in found} == {ZYBIO}
    assert len(found) == len({tuple(sorted((k, str(v)) for k, v in row.items())) for row in found})


def test_an_empty_values_list_asks_nothing(shipped_kg, monkeypatch):
    monkeypatch.setattr(KnowledgeGraph, "query", lambda *_a, **_k: pytest.fail("a query ran"))
    assert queries.rows(shipped_kg, "view_node_roles", nodes=[]) == []
    assert tuple(queries.solutions(shipped_kg, "size_figures", nodes=[])) == ()


def test_without_a_values_list_the_query_answers_for_every_node(shipped_kg):
    every = {row["node"].value for row in queries.rows(shipped_kg, "view_node_roles")}
    assert {ZYBIO} < every


def test_a_values_list_needs_the_slot(empty_kg):
    with pytest.raises(ValueError, match="no VALUES"):
        queries.rows(empty_kg, "entity_statements", nodes=[ZYBIO])


def test_a_limit_stops_reading(shipped_kg):
    assert len(queries.rows(shipped_kg, "entity_statements", limit=2, entity=ox.NamedNode(ZYBIO))) == 2


def test_ask_and_construct_answer_as_their_forms(shipped_kg):
    assert queries.ask(shipped_kg, "entity_exists", entity=ox.NamedNode(ZYBIO))
    assert not queries.ask(shipped_kg, "entity_exists", entity=ox.NamedNode(E + "nothing-at-all"))
    triples = queries.triples(shipped_kg, "entity_description", entity=ox.NamedNode(ZYBIO))
    assert triples == sorted(set(triples), key=str) and all(isinstance(t, ox.Triple) for t in triples)


@pytest.mark.parametrize("name, runner", [("entity_exists", queries.rows), ("entity_statements", queries.ask)])
def test_a_query_run_as_the_wrong_form_is_refused(empty_kg, name, runner):
    with pytest.raises(TypeError):
        runner(empty_kg, name, entity=ox.NamedNode(ZYBIO))


def test_an_unknown_name_is_a_key_error(empty_kg):
    with pytest.raises(KeyError):
        queries.rows(empty_kg, "no_such_query")


@pytest.mark.parametrize("iri, name", [
    ("https://w3id.org/chainkg/ontology#Company", "Company"),
    ("https://w3id.org/chainkg/ontology#inSegment", "inSegment"),
    ("https://schema.org/containedInPlace", "containedInPlace"),
    ("https://w3id.org/chainkg/id/quote/a001-017", "a001-017"),
    ("https://w3id.org/chainkg/ontology/measure/revenue", "revenue"),
    ("https://creativecommons.org/licenses/by/4.0/", "4.0"),   # a trailing separator does not make it empty
    ("https://w3id.org/chainkg/ontology#", "ontology"),
    ("urn:x", "urn:x"),
])
def test_local_name_is_what_names_a_node_when_nothing_else_does(iri, name):
    assert local_name(iri) == name
