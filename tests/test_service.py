"""The quick-start service answers: health, a query, a syntax error (in process; on Virtuoso in test_backend_contract)."""

from __future__ import annotations


def test_healthz(app):
    response = app.get("/healthz")
    assert response.status_code == 200
    assert response.json()["quads"] > 1000


def test_sparql_get_answers_json(app):
    query = "SELECT ?name WHERE { e:zhongyuan-huiji skos:prefLabel ?name FILTER(lang(?name) = 'en') }"
    response = app.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.json()["results"]["bindings"][0]["name"]["value"] == "Zybio"


def test_malformed_query_is_a_400(app):
    response = app.get("/sparql", params={"query": "SELEKT nothing"})
    assert response.status_code == 400
    assert "error" in response.json()
