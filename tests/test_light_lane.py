"""The short way for light queries (api/light.py): a light GET is answered before FastAPI's routing, exactly as the
route would answer it, and every other request reaches the route untouched."""

from __future__ import annotations

import time

import pytest

from chainkg.api import sparql as sparql_route
from chainkg.api.app import create_app
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from tests.conftest import InProcess

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/chainkg/id/zhongyuan-huiji> ?p ?o }"
PREFIXED = "PREFIX ck: <https://w3id.org/chainkg/id/> SELECT * { ck:zhongyuan-huiji ?p ?o } LIMIT 5"
SAME_HEADERS = ("content-type", "content-length", "vary", "x-content-type-options")


@pytest.fixture(scope="module")
def on_disk(shipped_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory):
    """The app in this process on an on-disk store (the default engine: workers, and light queries answered in the
    serving process), holding the shipped graph."""
    config = Settings(store=str(tmp_path_factory.mktemp("light") / "store"), load_shipped=False)
    kg = KnowledgeGraph(config)
    kg.add(list(shipped_kg.match()))
    service = InProcess(create_app(config, kg=kg))
    yield service
    service.close()


@pytest.fixture
def route_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the SPARQL route itself answered (api.sparql.answer_query), in order."""
    calls: list[str] = []
    original = sparql_route.answer_query

    async def counted(request, dataset, format_values):
        calls.append(dataset.text)
        return await original(request, dataset, format_values)

    monkeypatch.setattr(sparql_route, "answer_query", counted)
    return calls


def answered_by_lane(service: InProcess, route_calls: list[str], **options: object):
    """GET /sparql until the lane answers it (the first light queries after start go to a worker while the
    serving process opens its copy of the snapshot): the response the lane gave."""
    deadline = time.monotonic() + 10
    while True:
        before = len(route_calls)
        response = service.get("/sparql", **options)
        if len(route_calls) == before:
            return response
        assert time.monotonic() < deadline, "the lane never answered"
        time.sleep(0.01)


@pytest.mark.parametrize("text", [LOOKUP, PREFIXED])
@pytest.mark.parametrize("negotiation", [
    {},
    {"headers": {"Accept": "application/sparql-results+json"}},
    {"headers": {"Accept": "application/json"}},
    {"headers": {"Accept": "application/sparql-results+xml"}},
    {"headers": {"Accept": "text/csv"}},
    {"headers": {"Accept": "text/tab-separated-values;q=0.9, text/csv;q=0.1"}},
    {"params": {"format": "tsv"}},
    {"params": {"format": "xml"}, "headers": {"Accept": "text/html"}},
])
def test_a_light_get_is_answered_by_the_lane_as_the_route_answers_it(on_disk, route_calls, text, negotiation):
    params = {"query": text, **negotiation.get("params", {})}
    headers = negotiation.get("headers", {})
    lane = answered_by_lane(on_disk, route_calls, params=params, headers=headers)
    route = on_disk.post("/sparql", content=text, params=negotiation.get("params", {}),
                         headers={**headers, "Content-Type": "application/sparql-query"})
    assert route_calls[-1] == text  # the POST went through the route
    assert lane.status_code == route.status_code == 200
    assert lane.content == route.content
    assert [lane.headers.get(name) for name in SAME_HEADERS] == [route.headers.get(name) for name in SAME_HEADERS]


@pytest.mark.parametrize("params, headers, status", [
    ({"query": "SELECT ?s WHERE { ?s ?p ?o . ?o ?q ?s }"}, {}, 200),  # two patterns: a worker answers
    ({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, {}, 200),
    ({"query": LOOKUP, "default-graph-uri": "urn:g"}, {}, 403),  # a protocol dataset (naming no graph here)
    ({"query": [LOOKUP, LOOKUP]}, {}, 400),  # two queries
    ({"query": LOOKUP, "update": "x"}, {}, 200),
    ({"query": "SELECT * WHERE { ?s ?p ?o "}, {}, 400),  # malformed
    ({"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}, {}, 403),
    ({"query": LOOKUP}, {"Accept": "image/png"}, 406),
    ({"query": LOOKUP, "format": ["json", "xml"]}, {}, 400),  # formats that disagree
    ({"query": "SELECT ?p ?o WHERE { <urn:x> ?p ?o } # " + "x" * 600}, {}, 200),  # past the loop's text length
])
def test_everything_else_reaches_the_route(on_disk, route_calls, params, headers, status):
    response = on_disk.get("/sparql", params=params, headers=headers)
    assert response.status_code == status, response.text
    if not isinstance(params["query"], list):  # (two queries are refused before the route reads either)
        assert route_calls == [params["query"]], "the lane answered a request it must leave to the route"


def test_the_lane_is_counted_and_logged_as_the_route(on_disk, route_calls):
    """The metrics label a lane's answer with the route's template, and every answer still says nosniff."""
    answered_by_lane(on_disk, route_calls, params={"query": LOOKUP})
    metrics = on_disk.get("/metrics").text
    assert 'chainkg_http_requests_total{method="GET",route="/sparql",status="200"}' in metrics
    lane = answered_by_lane(on_disk, route_calls, params={"query": LOOKUP})
    assert lane.headers["x-content-type-options"] == "nosniff"


def test_a_write_is_read_at_once_through_the_lane(shipped_kg, tmp_path, route_calls):
    """Read-your-writes holds on the lane: after a write, the next light GET sees it (from a worker until the
    serving process has the new snapshot open, then from the lane)."""
    config = Settings(store=str(tmp_path / "store"), load_shipped=False, write_token="secret")
    kg = KnowledgeGraph(config)
    kg.add(list(shipped_kg.match())[:100])
    service = InProcess(create_app(config, kg=kg))
    try:
        ask = "SELECT ?o WHERE { <urn:lane:new> <urn:lane:p> ?o }"
        for value in ("one", "two", "three"):
            written = service.post("/update", content=f'INSERT DATA {{ <urn:lane:new> <urn:lane:p> "{value}" }}',
                                   headers={"Content-Type": "application/sparql-update",
                                            "Authorization": "Bearer secret"})
            assert written.status_code == 204
            for _ in range(20):  # every read sees it, from a worker or from the lane
                assert f'"{value}"'.encode() in service.get("/sparql", params={"query": ask}).content
            lane = answered_by_lane(service, route_calls, params={"query": ask})
            assert f'"{value}"'.encode() in lane.content
    finally:
        service.close()
