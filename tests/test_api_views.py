"""REST views, rankings, gaps and exports (api/views.py), through the app in process (the `app` fixture: httpx's
ASGI transport over `create_app`); tests/test_backend_contract.py runs them again on Virtuoso over real HTTP.
"""

from __future__ import annotations

import csv
import io
import json

import httpx
import networkx as nx
import pytest

E = "https://w3id.org/chainkg/id/"

# Every JSON route, a request that must succeed, and a key its answer must have.
ROUTES = [
    ("/api/chains", "chains"),
    ("/api/chains/ivd-chain", "nodes"),
    ("/api/chains/ivd-chain/anchors", "anchors"),
    ("/api/chains/composites-chain/gaps", "segments"),
    ("/api/chains/composites-chain/gaps?park=tianan-cyberpark", "segments"),
    ("/api/anchors?limit=1", "rankings"),
    ("/api/gaps?district=dadukou", "chains"),
    ("/api/gaps?park=tianan-cyberpark", "chains"),
    ("/api/companies/hikvision/suppliers", "nodes"),
    ("/api/suppliers", "nodes"),
    ("/api/suppliers?district=dadukou", "nodes"),
    ("/api/parks/tianan-cyberpark", "nodes"),
    ("/api/districts/dadukou", "nodes"),
    ("/api/entities/hikvision/network?radius=2", "nodes"),
]


def get(app, path: str, **kwargs) -> httpx.Response:
    return app.get(path, **kwargs)


@pytest.mark.parametrize("path, key", ROUTES)
def test_every_route_answers_json(app, path, key):
    response = get(app, path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert key in response.json()


def test_chains_list_has_local_ids_for_the_other_routes(app):
    chains = {c["id"]: c for c in get(app, "/api/chains").json()["chains"]}
    assert chains["ivd-chain"]["place"] == E + "dadukou"
    assert chains["smart-vision-chain"]["label_zh"] == "智能视觉产业链"


def test_a_chain_view_is_node_link_json_with_local_ids(app):
    data = get(app, "/api/chains/ivd-chain").json()
    graph = nx.node_link_graph(data, edges="edges")
    assert graph.nodes[E + "zhongyuan-huiji"]["roles"] == ["chain-leader", "leading-enterprise"]
    assert graph.nodes[E + "zhongyuan-huiji"]["local_id"] == "zhongyuan-huiji"
    assert data["omitted"] == 0 and data["max_nodes"] >= 1


def test_anchors_carry_every_component_beside_the_total(app):
    data = get(app, "/api/chains/smart-vision-chain/anchors", params={"limit": 2}).json()
    top = data["anchors"][0]
    assert (top["id"], top["rank"]) == ("hikvision", 1)
    assert set(top["components"]) == set(data["weights"])
    assert top["total"] == pytest.approx(sum(c["points"] for c in top["components"].values()))
    assert len(data["anchors"]) == 2 and data["candidates"] >= 4


def test_gaps_of_a_district(app):
    data = get(app, "/api/gaps", params={"district": "dadukou"}).json()
    composites = next(c for c in data["chains"] if c["chain"]["id"] == "composites-chain")
    statuses = {s["segment"]["id"]: s["status"] for s in composites["segments"]}
    assert statuses["composites-seg-glass-fibre"] in ("fragile", "covered")
    assert composites["place"]["id"] == "dadukou"


def test_ego_network_cap_is_reported(app):
    data = get(app, "/api/entities/hikvision/network", params={"radius": 2, "max_nodes": 5}).json()
    assert len(data["nodes"]) == 5 and data["omitted"] > 0 and data["max_nodes"] == 5


def test_a_full_iri_names_any_entity(app):
    by_iri = get(app, "/api/chains/-", params={"iri": E + "ivd-chain"}).json()
    assert by_iri == get(app, "/api/chains/ivd-chain").json()


# ----------------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("path, mentions", [
    ("/api/chains/no-such-chain", "no-such-chain"),
    ("/api/chains/hikvision", "IndustryChain"),               # a company is not a chain
    ("/api/chains/no-such-chain/anchors", "no-such-chain"),
    ("/api/chains/no-such-chain/gaps", "no-such-chain"),
    ("/api/chains/ivd-chain/gaps?district=no-such-place", "no-such-place"),
    ("/api/gaps?district=no-such-district", "no-such-district"),
    ("/api/companies/no-such-firm/suppliers", "no-such-firm"),
    ("/api/suppliers?district=no-such-district", "no-such-district"),
    ("/api/parks/dadukou", "Carrier"),
    ("/api/districts/no-such-district", "no-such-district"),
    ("/api/entities/no-such-thing/network", "no-such-thing"),
    ("/api/chains/-?iri=not%20an%20iri", "not an iri"),
])
def test_unknown_ids_are_404_with_a_message(app, path, mentions):
    response = get(app, path)
    assert response.status_code == 404
    assert mentions in response.json()["message"]


@pytest.mark.parametrize("path", [
    "/api/gaps",                                         # which place?
    "/api/gaps?district=dadukou&park=tianan-cyberpark",  # two places
    "/api/chains/-",                                     # '-' without iri
    f"/api/chains/ivd-chain?iri={E}ivd-chain",           # both an id and an iri
])
def test_contradictory_or_missing_parameters_are_400(app, path):
    response = get(app, path)
    assert response.status_code == 400 and response.json()["message"]


# ---------------------------------------------------------------------------------------------------- exports
@pytest.mark.parametrize("fmt, media, extension", [
    ("graphml", "application/graphml+xml", "graphml"),
    ("gexf", "application/gexf+xml", "gexf"),
    ("csv", "text/csv", "csv"),
    ("node-link", "application/json", "json"),
])
@pytest.mark.parametrize("path", ["/api/chains/ivd-chain", "/api/districts/dadukou", "/api/suppliers?district=dadukou",
                                  "/api/parks/tianan-cyberpark", "/api/companies/hikvision/suppliers",
                                  "/api/entities/hikvision/network"])
def test_every_view_exports_in_every_format(app, path, fmt, media, extension):
    response = get(app, path, params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert f'.{extension}"; filename*=' in response.headers["content-disposition"]
    edges = get(app, path).json()["edges"]
    if fmt == "graphml":
        assert nx.read_graphml(io.BytesIO(response.content)).number_of_edges() == len(edges)
    elif fmt == "gexf":
        assert nx.read_gexf(io.BytesIO(response.content)).number_of_edges() == len(edges)
    elif fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(response.text)))) == len(edges)
    else:
        assert len(json.loads(response.content)["edges"]) == len(edges)


@pytest.mark.parametrize("accept, media", [
    ("application/graphml+xml", "application/graphml+xml"),
    ("application/gexf+xml", "application/gexf+xml"),
    ("text/csv", "text/csv"),
    ("application/json", "application/json"),
    ("*/*", "application/json"),
])
def test_the_accept_header_chooses_too(app, accept, media):
    response = get(app, "/api/chains/ivd-chain", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)


@pytest.mark.parametrize("params, headers", [({"format": "docx"}, {}), ({}, {"Accept": "image/png"})])
def test_an_unknown_format_is_406(app, params, headers):
    response = get(app, "/api/chains/ivd-chain", params=params, headers=headers)
    assert response.status_code == 406 and "graphml" in response.json()["message"]


# ---------------------------------------------------------------------------------------------------- the docs
def test_every_route_is_documented_with_an_example_and_its_404(app):
    spec = get(app, "/openapi.json").json()
    routes = {p: ops["get"] for p, ops in spec["paths"].items() if p.startswith("/api/")}
    assert {"/api/chains", "/api/chains/{chain_id}", "/api/chains/{chain_id}/anchors", "/api/chains/{chain_id}/gaps",
            "/api/anchors", "/api/gaps", "/api/companies/{company_id}/suppliers", "/api/suppliers",
            "/api/parks/{park_id}", "/api/districts/{district_id}", "/api/entities/{entity_id}/network"} <= routes.keys()
    for path, operation in routes.items():
        assert operation["summary"], path
        assert "example" in operation["responses"]["200"]["content"]["application/json"], path
        if "{" in path or path == "/api/gaps":
            assert "example" in operation["responses"]["404"]["content"]["application/json"], path
