"""Third-party SPARQL clients against the live endpoint, in every mode they have: SPARQLWrapper (each return format,
by GET, form POST and direct POST), rdflib's SPARQLStore and SPARQLUpdateStore, and curl with each Accept type.

Each client sends what it sends (SPARQLWrapper adds `format=`/`output=`/`results=` parameters of its own, some
repeated, some naming its whole Accept list); the endpoint must answer what the client then parses.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import warnings

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import (CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML,
                           SPARQLWrapper)

from tests.conftest import WRITE_TOKEN

ZYBIO = "https://w3id.org/chainkg/id/zhongyuan-huiji"
IVD = "https://w3id.org/chainkg/id/ivd-chain"
CK = "https://w3id.org/chainkg/ontology#"
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
LEADER = f"PREFIX ck: <{CK}> SELECT ?leader WHERE {{ ?leader ck:chainLeaderOf <{IVD}> }}"
IS_LEADER = f"PREFIX ck: <{CK}> ASK {{ <{ZYBIO}> ck:chainLeaderOf <{IVD}> }}"
LABELS = f"CONSTRUCT WHERE {{ <{ZYBIO}> <{SKOS_LABEL}> ?n }}"
MODES = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
MODE_IDS = ["GET", "POST-form", "POST-direct"]


def wrapper(server, query: str, return_format: str, method: str, request_method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    return client


def leaders_in(converted: object, return_format: str) -> list[str]:
    """The `leader` column of what SPARQLWrapper's convert() gave for a SELECT."""
    if return_format == JSON:
        return [b["leader"]["value"] for b in converted["results"]["bindings"]]
    if return_format == XML:  # an xml.dom.minidom document
        return [u.firstChild.data for u in converted.getElementsByTagName("uri")]
    text = converted.decode() if isinstance(converted, bytes) else converted
    if return_format == CSV:
        return [row["leader"] for row in csv.DictReader(io.StringIO(text))]
    return [line.strip("<>") for line in text.splitlines()[1:]]  # TSV: IRIs in angle brackets


@pytest.mark.parametrize(("method", "request_method"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_results_format(server, return_format, method, request_method):
    client = wrapper(server, LEADER, return_format, method, request_method)
    assert leaders_in(client.queryAndConvert(), return_format) == [ZYBIO]


@pytest.mark.parametrize(("method", "request_method"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(server, return_format, method, request_method):
    converted = wrapper(server, IS_LEADER, return_format, method, request_method).queryAndConvert()
    if return_format == JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


GRAPH_FORMATS = {TURTLE: "turtle", N3: "n3", JSONLD: "json-ld", RDFXML: "xml", XML: "xml"}


@pytest.mark.parametrize(("method", "request_method"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize("return_format", list(GRAPH_FORMATS))
def test_sparqlwrapper_construct_in_every_graph_format(server, return_format, method, request_method):
    result = wrapper(server, LABELS, return_format, method, request_method).query()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper warns that N3 and JSON-LD come back raw
        warnings.simplefilter("ignore", DeprecationWarning)  # and parses RDF/XML into rdflib's ConjunctiveGraph
        converted = result.convert()
    if isinstance(converted, rdflib.Graph):  # RDF/XML is parsed by SPARQLWrapper itself
        graph = converted
    else:
        graph = rdflib.Graph().parse(data=converted, format=GRAPH_FORMATS[return_format])
    assert rdflib.Literal("中元汇吉", lang="zh-hans") in set(graph.objects(rdflib.URIRef(ZYBIO)))


RDFLIB_METHODS = ["GET", "POST", "POST_FORM"]


def rdflib_graph(server, return_format: str, method: str) -> rdflib.Graph:
    return rdflib.Graph(store=SPARQLStore(server + "/sparql", returnFormat=return_format, method=method))


@pytest.mark.parametrize("method", RDFLIB_METHODS)
@pytest.mark.parametrize("return_format", ["json", "xml", "csv", "tsv"])
def test_rdflib_sparqlstore_select(server, return_format, method):
    assert [str(row.leader) for row in rdflib_graph(server, return_format, method).query(LEADER)] == [ZYBIO]


@pytest.mark.parametrize("method", RDFLIB_METHODS)
@pytest.mark.parametrize("return_format", ["json", "xml"])  # rdflib reads no boolean from CSV or TSV
def test_rdflib_sparqlstore_ask(server, return_format, method):
    assert rdflib_graph(server, return_format, method).query(IS_LEADER).askAnswer is True


@pytest.mark.parametrize("method", RDFLIB_METHODS)
@pytest.mark.parametrize("return_format", ["xml", "application/rdf+xml", "turtle", "n3", "json-ld", "nt"])
def test_rdflib_sparqlstore_construct(server, return_format, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own result parser builds a ConjunctiveGraph
        constructed = rdflib_graph(server, return_format, method).query(LABELS).graph
    assert rdflib.Literal("Zybio", lang="en") in set(constructed.objects())


def test_rdflib_sparqlupdatestore_writes_and_reads_back(writable_server):
    store = SPARQLUpdateStore(writable_server + "/sparql", writable_server + "/update",
                              headers={"Authorization": f"Bearer {WRITE_TOKEN}"}, autocommit=True)
    name = rdflib.URIRef("urn:test:client-update-store")
    graph = rdflib.Graph(store=store, identifier=name)
    subject = rdflib.URIRef("urn:test:client-firm")
    graph.add((subject, rdflib.URIRef(SKOS_LABEL), rdflib.Literal("客户端公司", lang="zh-Hans")))
    assert set(graph.objects(subject)) == {rdflib.Literal("客户端公司", lang="zh-Hans")}
    graph.remove((subject, None, None))
    # Asked without a dataset: an emptied graph is gone on stores without empty graphs (Virtuoso), and a dataset
    # naming a graph the store does not hold is refused.
    left = httpx.get(writable_server + "/sparql", params={"query": f"ASK {{ GRAPH <{name}> {{ <{subject}> ?p ?o }} }}"})
    assert left.json()["boolean"] is False


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_update(writable_server, request_method):
    """SPARQLWrapper's updates, by form and directly, with the write token as its custom header."""
    label = f"更新公司-{request_method}"
    client = SPARQLWrapper(writable_server + "/sparql", updateEndpoint=writable_server + "/update")
    client.setMethod(POST)
    client.setRequestMethod(request_method)
    client.addCustomHttpHeader("Authorization", f"Bearer {WRITE_TOKEN}")
    client.setQuery(f'INSERT DATA {{ GRAPH <urn:test:sw-update> {{ <urn:test:sw> <{SKOS_LABEL}> "{label}"@zh-Hans }} }}')
    assert client.query().response.status == 204
    check = wrapper(writable_server, f'ASK {{ <urn:test:sw> <{SKOS_LABEL}> "{label}"@zh-Hans }}', JSON, GET, URLENCODED)
    assert check.queryAndConvert()["boolean"] is True


# Apache Jena's default Accept headers (WebContent.defaultSparqlResultsHeader, …SparqlAskHeader, …GraphAcceptHeader),
# as its QueryExecHTTP and GSP clients send them; no JVM in the test environment, so the headers are sent by hand.
JENA_SELECT = ("application/sparql-results+json,application/sparql-results+xml;q=0.9,text/tab-separated-values;q=0.7,"
               "text/csv;q=0.5,application/json;q=0.2,application/xml;q=0.2,*/*;q=0.1")
JENA_ASK = "application/sparql-results+json,application/sparql-results+xml;q=0.9,application/json;q=0.2,application/xml;q=0.2,*/*;q=0.1"
JENA_GRAPH = "text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,application/rdf+xml;q=0.7,*/*;q=0.3"


@pytest.mark.parametrize(("query", "accept", "sent"), [
    (LEADER, JENA_SELECT, "application/sparql-results+json"),
    (IS_LEADER, JENA_ASK, "application/sparql-results+json"),
    (LABELS, JENA_GRAPH, "text/turtle"),
])
@pytest.mark.parametrize("how", ["GET", "POST-direct"])
def test_jena_default_accept_headers(server, query, accept, sent, how):
    if how == "GET":
        response = httpx.get(server + "/sparql", params={"query": query}, headers={"Accept": accept})
    else:
        response = httpx.post(server + "/sparql", content=query.encode(),
                              headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == sent


def curl(url: str, *args: str) -> tuple[str, bytes]:
    """(Content-Type, body) of a curl request, as a shell user would send it."""
    done = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{content_type}", *args, url],
                          capture_output=True, check=True, timeout=60)
    body, _, content_type = done.stdout.rpartition(b"\n")
    return content_type.decode(), body


JSON_RESULTS, XML_RESULTS = "application/sparql-results+json", "application/sparql-results+xml"


@pytest.mark.parametrize(("accept", "sent", "syntax"), [
    (JSON_RESULTS, JSON_RESULTS, ox.QueryResultsFormat.JSON),
    ("application/json", JSON_RESULTS, ox.QueryResultsFormat.JSON),
    (XML_RESULTS, XML_RESULTS, ox.QueryResultsFormat.XML),
    ("application/xml", XML_RESULTS, ox.QueryResultsFormat.XML),
    ("text/csv", "text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ("*/*", JSON_RESULTS, ox.QueryResultsFormat.JSON),
])
@pytest.mark.parametrize("how", ["GET", "POST-form", "POST-direct"])
def test_curl_select_with_each_accept_type(server, accept, sent, syntax, how):
    args = {"GET": ["-G", "--data-urlencode", f"query={LEADER}"],
            "POST-form": ["--data-urlencode", f"query={LEADER}"],
            "POST-direct": ["-H", "Content-Type: application/sparql-query", "--data-binary", LEADER]}[how]
    content_type, body = curl(server + "/sparql", "-H", f"Accept: {accept}", *args)
    assert content_type.split(";")[0] == sent
    if syntax == ox.QueryResultsFormat.CSV:
        assert [row["leader"] for row in csv.DictReader(io.StringIO(body.decode()))] == [ZYBIO]
    else:
        assert [r["leader"].value for r in ox.parse_query_results(body, format=syntax)] == [ZYBIO]


@pytest.mark.parametrize(("accept", "syntax"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/n-quads", ox.RdfFormat.N_QUADS), ("application/trig", ox.RdfFormat.TRIG),
    ("text/n3", ox.RdfFormat.N3),
])
def test_curl_construct_with_each_accept_type(server, accept, syntax):
    content_type, body = curl(server + "/sparql", "-G", "--data-urlencode", f"query={LABELS}", "-H", f"Accept: {accept}")
    assert content_type.split(";")[0] == accept
    assert "中元汇吉" in {q.object.value for q in ox.parse(body, format=syntax)}


def test_curl_service_description(server):
    content_type, body = curl(server + "/sparql", "-H", "Accept: application/ld+json")
    assert content_type == "application/ld+json" and json.loads(body)
