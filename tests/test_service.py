"""The quick-start service answers over real HTTP: `chainkg serve` on loopback with the shipped graph loaded."""

from __future__ import annotations

import httpx


def test_healthz(server):
    response = httpx.get(server + "/healthz")
    assert response.status_code == 200
    assert response.json()["quads"] > 1000


def test_sparql_get_answers_json(server):
    query = "SELECT ?name WHERE { e:zhongyuan-huiji skos:prefLabel ?name FILTER(lang(?name) = 'en') }"
    response = httpx.get(server + "/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.json()["results"]["bindings"][0]["name"]["value"] == "Zybio"


def test_malformed_query_is_a_400(server):
    response = httpx.get(server + "/sparql", params={"query": "SELEKT nothing"})
    assert response.status_code == 400
    assert "error" in response.json()
