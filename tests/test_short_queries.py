"""The short way for short queries (api/short_queries.py): a short GET of /sparql is answered before FastAPI's
routing by the route's own code, so its answer equals the route's, whatever it is; every other request reaches the
route untouched."""

from __future__ import annotations

import time

import pytest

from chainkg.api import sparql as sparql_route
from chainkg.api.app import create_app
from chainkg.graph.namespaces import GraphNames
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from tests.conftest import InProcess

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/chainkg/id/zhongyuan-huiji> ?p ?o }"
PREFIXED = "PREFIX ck: <https://w3id.org/chainkg/id/> SELECT * { ck:zhongyuan-huiji ?p ?o } LIMIT 5"
ONTOLOGY_GRAPH = GraphNames(Settings().base_iri).ontology
SAME_HEADERS = ("content-type", "content-length", "vary", "x-content-type-options")


@pytest.fixture(scope="module")
def on_disk(shipped_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory):
    """The app in this process on an on-disk store (the default engine: workers, and light queries answered in the
    serving process), holding the shipped graph."""
    config = Settings(store=str(tmp_path_factory.mktemp("light") / "store"), load_shipped=False)
    kg = KnowledgeGraph(config)
    kg.add(list(shipped_kg.match()))
    app = create_app(config, kg=kg)
    service = InProcess(app)
    service.engine = app.state.sparql.engine
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


def by_lane(service: InProcess, route_calls: list[str], **options: object):
    """GET /sparql, which the lane must answer (the route is not called)."""
    before = len(route_calls)
    response = service.get("/sparql", **options)
    assert len(route_calls) == before, "the route answered a request the lane should have"
    return response


def by_route(service: InProcess, route_calls: list[str], params: dict, headers: dict):
    """The same request as a form POST, which only the route answers."""
    response = service.post("/sparql", data=params, headers=headers)
    assert route_calls and route_calls[-1] == params["query"]
    return response


NEGOTIATIONS = [
    {},
    {"headers": {"Accept": "application/sparql-results+json"}},
    {"headers": {"Accept": "application/json"}},
    {"headers": {"Accept": "application/sparql-results+xml"}},
    {"headers": {"Accept": "text/csv"}},
    {"headers": {"Accept": "text/tab-separated-values;q=0.9, text/csv;q=0.1"}},
    {"params": {"format": "tsv"}},
    {"params": {"format": "xml"}, "headers": {"Accept": "text/html"}},
    {"headers": {"Accept": "image/png"}},  # 406
    {"params": {"format": ["json", "xml"]}},  # formats that disagree: 400
]
TEXTS = [
    LOOKUP,  # one pattern: answered in the serving process
    PREFIXED,
    "SELECT ?s WHERE { ?s ?p ?o . ?o ?q ?s } LIMIT 3",  # two patterns: a worker
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { <https://w3id.org/chainkg/id/zhongyuan-huiji> ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o ",  # malformed: 400
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",  # refused: 403
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",  # an update: 400
]


def same(lane, route) -> None:
    assert lane.status_code == route.status_code
    assert lane.content == route.content
    assert [lane.headers.get(name) for name in SAME_HEADERS] == [route.headers.get(name) for name in SAME_HEADERS]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("negotiation", NEGOTIATIONS)
def test_a_short_get_is_answered_by_the_lane_as_the_route_answers_it(on_disk, route_calls, text, negotiation):
    params = {"query": text, **negotiation.get("params", {})}
    headers = negotiation.get("headers", {})
    same(by_lane(on_disk, route_calls, params=params, headers=headers),
         by_route(on_disk, route_calls, params, headers))


@pytest.mark.parametrize("dataset", [{"default-graph-uri": "urn:g"}, {"named-graph-uri": "urn:g"},
                                     {"default-graph-uri": ONTOLOGY_GRAPH}])
def test_a_protocol_dataset_is_answered_by_the_lane_as_by_the_route(on_disk, route_calls, dataset):
    params = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2", **dataset}
    same(by_lane(on_disk, route_calls, params=params), by_route(on_disk, route_calls, params, {}))


def test_the_light_path_is_reached_through_the_lane(on_disk, route_calls, monkeypatch):
    """A look-up through the lane is answered in the serving process once its copy of the snapshot is open."""
    engine = on_disk.engine
    here = []
    original = engine._answer_here
    monkeypatch.setattr(engine, "_answer_here", lambda job, light: here.append(original(job, light)) or here[-1])
    deadline = time.monotonic() + 10
    while not any(answer is not None for answer in here):
        assert time.monotonic() < deadline, "no look-up was answered in the serving process"
        assert by_lane(on_disk, route_calls, params={"query": LOOKUP}).status_code == 200
        time.sleep(0.01)


@pytest.mark.parametrize("method, params", [
    ("HEAD", {"query": LOOKUP}),
    ("GET", {"query": LOOKUP, "timeout": "5"}),  # a parameter the protocol does not have
    ("GET", {"query": "SELECT ?p ?o WHERE { <urn:x> ?p ?o } # " + "x" * 600}),  # past the loop's text length
])
def test_everything_else_reaches_the_route(on_disk, route_calls, method, params):
    response = on_disk.request(method, "/sparql", params=params)
    assert response.status_code == 200, response.text
    expected = [] if method == "GET" and params.keys() == {"query"} and len(params["query"]) < 500 else [params["query"]]
    assert route_calls == expected


def test_the_lane_is_counted_and_logged_as_the_route(on_disk, route_calls):
    """The metrics label a lane's answer with the route's template, and every answer still says nosniff."""
    by_lane(on_disk, route_calls, params={"query": LOOKUP})
    metrics = on_disk.get("/metrics").text
    assert 'chainkg_http_requests_total{method="GET",route="/sparql",status="200"}' in metrics
    lane = by_lane(on_disk, route_calls, params={"query": LOOKUP})
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
            for _ in range(20):  # every read sees it, from a worker or from this process's copy
                assert f'"{value}"'.encode() in by_lane(service, route_calls, params={"query": ask}).content
    finally:
        service.close()
