"""The request scanner (graph.guard): what a request is and what it would reach, decided on its tokens.

The scanner must agree with Oxigraph on which words are keywords. These cases try to hide SERVICE, LOAD and
FROM inside what a careless lexer would take for strings, IRIs or comments, and the other way round.
"""

from __future__ import annotations

import pytest

from graph import guard

EVIL = "http://127.0.0.1:9/sparql"
PREFIXES = {"ex": "http://ex.org/"}


def scan(text: str) -> guard.Shape:
    return guard.shape(text, PREFIXES, "https://base.org/")


@pytest.mark.parametrize("text", [
    f"SELECT * WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent <{EVIL}> {{ }} }}",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    f"PREFIX r: <{EVIL}> SELECT * {{ SERVICE r: {{}} }}",
    f"SELECT * WHERE {{ ?s ex:a\\# SERVICE <{EVIL}> {{}} }}",  # an escaped # in a local name is no comment
    f"SELECT * WHERE {{ FILTER(?x<?y)SERVICE<{EVIL}>{{}} }}",  # '<' as less-than, not an IRI
    f"SELECT * WHERE {{ ?s ?p \"\\u0022\" . SERVICE <{EVIL}> {{}} }}",  # \\u escapes are not expanded by Oxigraph
    f"SELECT * WHERE {{ ?s ?p 'it''s' . SERVICE <{EVIL}> {{}} }}",
    f"SELECT * WHERE {{ ?s ?p \"\"\"a \\\"\"\"\" . SERVICE <{EVIL}> {{}} }}",
])
def test_service_is_found_wherever_oxigraph_would_see_it(text):
    assert scan(text).service, text


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s rdfs:label 'customer SERVICE desk' }",
    'SELECT * WHERE { ?s rdfs:label """SERVICE <http://x> { }""" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x> {}",
    "SELECT * WHERE { ?s ex:SERVICE ?o . ?service ?p ?o }",
    "SELECT * WHERE { ?s <http://ex.org/SERVICE> ?o }",
])
def test_service_in_strings_names_and_comments_is_not_a_keyword(text):
    assert scan(text).service == []


@pytest.mark.parametrize(("text", "form"), [
    ("PREFIX ex: <http://e/> SELECT * {}", "SELECT"),
    ("BASE <http://b/> ASK {}", "ASK"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("describe <http://x>", "DESCRIBE"),
    ("INSERT DATA { <a> <b> <c> }", "UPDATE"),
    ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
    ("CLEAR ALL", "UPDATE"),
    ("# only a comment", ""),
])
def test_the_form_of_a_request(text, form):
    assert scan(text).form == form


def test_dataset_clauses_resolve_prefixes_and_base():
    found = scan("BASE <http://b.org/dir/> SELECT * FROM ex:g FROM NAMED <named> WHERE {}")
    assert found.from_graphs == ["http://ex.org/g"]
    assert found.from_named == ["http://b.org/dir/named"]


@pytest.mark.parametrize(("text", "allowed", "refused"), [
    (f"SELECT * {{ SERVICE <{EVIL}> {{}} }}", (), True),
    (f"SELECT * {{ SERVICE <{EVIL}> {{}} }}", ("http://127.0.0.1:9/",), False),
    ("SELECT * { SERVICE ?x {} }", ("http://",), True),  # a variable service can reach anything
    ("LOAD <file:///etc/passwd>", (), True),
    ("SELECT * FROM <urn:in-store> {}", (), False),
    ("SELECT * FROM <urn:elsewhere> {}", (), True),
])
def test_the_policy_refuses_what_the_settings_do_not_allow(text, allowed, refused):
    policy = guard.Policy(allowed, graph_exists=lambda iri: iri == "urn:in-store")
    if refused:
        with pytest.raises(guard.Refused):
            policy.check(scan(text))
    else:
        policy.check(scan(text))


@pytest.mark.parametrize(("text", "message"), [
    ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "cannot be combined"),
    ("DELETE WHERE { ?s ?p ?o }", "short form"),
])
def test_using_graph_uri_refuses_what_the_protocol_forbids(text, message):
    with pytest.raises(guard.Refused, match=message):
        guard.add_using(text, ["urn:g"], [])


def test_using_graph_uri_applies_to_every_operation():
    text = "DELETE { ?s ?p 1 } WHERE { ?s ?p 1 } ; INSERT { ?s ?p 2 } WHERE { ?s ?p 3 }"
    assert guard.add_using(text, ["urn:g"], ["urn:n"]).count("USING <urn:g> USING NAMED <urn:n> WHERE") == 2
