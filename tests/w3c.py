"""The W3C SPARQL 1.1 Protocol and Graph Store Protocol manifests (tests/data/w3c, with their licence), read into
plain requests and expectations, and a runner that sends each request as written to a live server.

The manifests describe HTTP exchanges in RDF (the `ht:` vocabulary): method, path, headers, body characters and
their encoding, then the expected status (a code or a class), result form (`boolean`, `tabular`, `RDF`), boolean,
content type, RDF body (compared as graphs, blank nodes and all) and `Location`. Requests go out through
http.client, which sends the path and headers as given: no percent-encoding is redone, no header added but
Host, Content-Length and Accept-Encoding (the manifests say none of those). Paths are moved from the manifests'
`/sparql/` and `/gsp` to chainkg's `/sparql` and `/store`, as the manifests ask a runner to do.
"""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic

W3C = Path(__file__).resolve().parent / "data" / "w3c"
PROTOCOL = W3C / "protocol" / "manifest.ttl"
GRAPH_STORE_INDIRECT = W3C / "graph-store-protocol" / "manifest-indirect.ttl"
GRAPH_STORE_DIRECT = W3C / "graph-store-protocol" / "manifest-direct.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
RESULTS_SYNTAX = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                  "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                  "text/csv": ox.QueryResultsFormat.CSV, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
BOOLEAN_SYNTAXES = ("application/sparql-results+json", "application/sparql-results+xml")
# The protocol test names RDF/XML, Turtle, N-Triples and RDFa; chainkg's default for graphs is Turtle.
RDF_SYNTAX = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}


@dataclass
class Expected:
    statuses: list[str]  # "201", or a class such as "2xx"
    boolean: bool | None = None
    form: str | None = None  # "boolean", "tabular" or "RDF"
    content_type: str | None = None
    body: str | None = None  # Turtle, to compare as a graph
    location: str | None = None  # the template variable the Location header fills, e.g. "$LOCATION$"


@dataclass
class Exchange:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    expected: Expected


@dataclass
class W3cTest:
    name: str  # the local name of the test's IRI, e.g. "query_post_form"
    title: str
    authority: str  # the Host the manifest connects to
    exchanges: list[Exchange]
    graph_data: dict[str, Path] = field(default_factory=dict)  # graph IRI -> N-Triples file to load first


def read_manifest(path: Path, *, unlisted: bool = False) -> list[W3cTest]:
    """The tests of a manifest, in its entries' order; with `unlisted`, the tests it describes but leaves out of
    its entries instead (manifest-direct.ttl describes head_non_existing_direct that way)."""
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    entries = list(Collection(graph, graph.value(manifest, MF.entries)))
    if unlisted:
        described = {s for kind in (MF.ProtocolTest, MF.GraphStoreProtocolTest) for s in graph.subjects(rdflib.RDF.type, kind)}
        entries = sorted(described - set(entries))
    return [_test(graph, entry, path.parent) for entry in entries]


def _test(graph: rdflib.Graph, entry: rdflib.URIRef, folder: Path) -> W3cTest:
    action = graph.value(entry, MF.action)
    exchanges = [_exchange(graph, request) for request in Collection(graph, graph.value(action, HT.requests))]
    data = {}
    for item in graph.objects(entry, UT.graphData):
        data[str(graph.value(item, rdflib.RDFS.label))] = folder / Path(urlsplit(str(graph.value(item, UT.graph))).path).name
    return W3cTest(str(entry).rsplit("#", 1)[1], str(graph.value(entry, MF.name)),
                   str(graph.value(action, HT.connectionAuthority)), exchanges, data)


def _exchange(graph: rdflib.Graph, request: rdflib.term.Node) -> Exchange:
    response = graph.value(request, HT.resp)
    statuses = [_status(s) for s in graph.objects(response, MF.expectedStatus)]
    boolean = graph.value(response, MF.expectedBoolean)
    form = graph.value(response, MF.expectedFormat)
    location = graph.value(response, MF.expectedLocation)
    response_headers = dict(_headers(graph, response))
    response_body = graph.value(response, HT.body)
    expected = Expected(statuses, None if boolean is None else bool(boolean.toPython()),
                        None if form is None else str(form), response_headers.get("content-type"),
                        None if response_body is None else str(graph.value(response_body, CNT.chars)),
                        None if location is None else str(location))
    body = graph.value(request, HT.body)
    data = None
    if body is not None:
        encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
        data = str(graph.value(body, CNT.chars)).encode(encoding)
    return Exchange(str(graph.value(request, HT.methodName)), str(graph.value(request, HT.absolutePath)),
                    _headers(graph, request), data, expected)


def _headers(graph: rdflib.Graph, node: rdflib.term.Node) -> list[tuple[str, str]]:
    listed = graph.value(node, HT.headers)
    if listed is None:
        return []
    return [(str(graph.value(h, HT.fieldName)).lower(), str(graph.value(h, HT.fieldValue)))
            for h in Collection(graph, listed)]


def _status(node: rdflib.term.Node) -> str:
    name = str(node).rsplit("#", 1)[1]
    if match := re.fullmatch(r"StatusCode(\dxx)", name):
        return match.group(1)
    return str(STATUS_NAMES[name])


# -------------------------------------------------------------------------------------------------------- running
@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def media_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()


def send(server_url: str, authority: str, exchange: Exchange, path: str, extra_headers: dict[str, str],
         body: bytes | None) -> Answer:
    """One request, with the manifest's Host, headers and body bytes, on a fresh connection to `server_url`."""
    host, port = urlsplit(server_url).hostname, urlsplit(server_url).port
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.putrequest(exchange.method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", authority)
        for name, value in exchange.headers + list(extra_headers.items()):
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def check(answer: Answer, expected: Expected, where: str) -> list[str]:
    """What does not match the expectation (empty when everything does)."""
    problems = []
    if not any(str(answer.status) == s or str(answer.status)[0] + "xx" == s for s in expected.statuses):
        problems.append(f"{where}: status {answer.status}, expected {' or '.join(expected.statuses)}: "
                        f"{answer.body[:300]!r}")
        return problems
    if expected.form == "boolean" or expected.boolean is not None:
        if answer.media_type not in BOOLEAN_SYNTAXES:
            problems.append(f"{where}: a boolean result as {answer.media_type!r}")
        else:
            value = ox.parse_query_results(answer.body, format=RESULTS_SYNTAX[answer.media_type])
            if not isinstance(value, ox.QueryBoolean):
                problems.append(f"{where}: not a boolean result")
            elif expected.boolean is not None and bool(value) != expected.boolean:
                problems.append(f"{where}: boolean {bool(value)}, expected {expected.boolean}")
    if expected.form == "tabular":
        if answer.media_type not in RESULTS_SYNTAX:
            problems.append(f"{where}: tabular results as {answer.media_type!r}")
        else:
            list(ox.parse_query_results(answer.body, format=RESULTS_SYNTAX[answer.media_type]))
    if expected.form == "RDF":
        if answer.media_type not in RDF_SYNTAX:
            problems.append(f"{where}: RDF as {answer.media_type!r}")
        else:
            rdflib.Graph().parse(data=answer.body, format=RDF_SYNTAX[answer.media_type])
    if expected.content_type is not None and not same_content_type(answer.headers.get("content-type"),
                                                                   expected.content_type):
        problems.append(f"{where}: Content-Type {answer.headers.get('content-type')!r}, "
                        f"expected {expected.content_type!r}")
    if expected.body is not None and answer.body:  # a HEAD answer has none to compare
        got = rdflib.Graph().parse(data=answer.body, format="turtle")
        want = rdflib.Graph().parse(data=expected.body, format="turtle")
        if not isomorphic(got, want):
            problems.append(f"{where}: graph not isomorphic to the expected one:\n{answer.body.decode()}")
    if expected.location is not None and not answer.headers.get("location"):
        problems.append(f"{where}: no Location header")
    return problems


def same_content_type(got: str | None, want: str) -> bool:
    """Media type and parameters equal, ignoring case and spaces (`text/turtle; charset=utf-8`)."""
    def norm(value: str) -> list[str]:
        return [part.strip().lower() for part in value.split(";")]
    return got is not None and norm(got) == norm(want)


def dataset_graphs(test: W3cTest) -> set[str]:
    """Graph IRIs the test's requests name in dataset parameters (default-, named-, using-graph-uri …)."""
    names = set()
    for exchange in test.exchanges:
        for key, values in parse_qs(urlsplit(exchange.path).query).items():
            if key.endswith("graph-uri"):
                names.update(values)
    return names


def describe(answer: Answer) -> str:
    try:
        return json.dumps(json.loads(answer.body))[:300]
    except ValueError:
        return answer.body[:300].decode(errors="replace")


def run(server_url: str, test: W3cTest, paths: tuple[str, str], token: str) -> list[str]:
    """Send the test's requests in order; what did not match. `paths` maps the manifest's endpoint path to
    chainkg's, e.g. ("/sparql/", "/sparql"); every request carries the write token (chainkg is read-only without)."""
    problems, variables = [], {}
    for number, exchange in enumerate(test.exchanges, 1):
        path, body = exchange.path, exchange.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name.encode(), value.encode()) if body is not None else None
        if path.startswith(paths[0]):
            path = paths[1] + path[len(paths[0]):]
        answer = send(server_url, test.authority, exchange, path, {"Authorization": f"Bearer {token}"}, body)
        problems += check(answer, exchange.expected, f"request {number} ({exchange.method} {path[:80]})")
        if exchange.expected.location and answer.headers.get("location"):
            variables[exchange.expected.location] = answer.headers["location"]
    return problems
