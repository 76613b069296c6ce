"""The Graph Store HTTP Protocol at /store over real HTTP: whole graphs in, out and gone, all or nothing."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest

from tests.conftest import WRITE_TOKEN

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
# Data that satisfies the shapes: an organisation with a type and a Chinese label.
GOOD = """@prefix ck: <https://w3id.org/chainkg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/chainkg/id/test-firm> a ck:Company ; skos:prefLabel "测试公司"@zh-Hans , "Test Co."@en ."""
OTHER = GOOD.replace("test-firm", "other-firm").replace("测试公司", "另一公司")
OTHER_NT = """<https://w3id.org/chainkg/id/nt-firm> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/chainkg/ontology#Company> .
<https://w3id.org/chainkg/id/nt-firm> <http://www.w3.org/2004/02/skos/core#prefLabel> "三元组公司"@zh-Hans .
<https://w3id.org/chainkg/id/nt-firm> <http://www.w3.org/2004/02/skos/core#prefLabel> "NT Co."@en ."""


def count(server, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(httpx.get(server + "/sparql", params={"query": query}).json()["results"]["bindings"][0]["n"]["value"])


def put(server, graph: str, body: str, media_type: str = "text/turtle", headers=AUTH) -> httpx.Response:
    return httpx.put(server + "/store", params={"graph": graph}, content=body.encode(),
                     headers={**headers, "Content-Type": media_type})


def test_put_get_post_delete_round_trip(writable_server):
    graph = "urn:test:gsp-round-trip"
    assert put(writable_server, graph, GOOD).status_code == 201
    assert put(writable_server, graph, GOOD).status_code == 204  # replaced, not added to
    assert count(writable_server, graph) == 3
    response = httpx.get(writable_server + "/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))) == 3
    posted = httpx.post(writable_server + "/store", params={"graph": graph}, content=OTHER.encode(),
                        headers={**AUTH, "Content-Type": "text/turtle"})
    assert posted.status_code == 204 and count(writable_server, graph) == 6
    assert httpx.delete(writable_server + "/store", params={"graph": graph}, headers=AUTH).status_code == 204
    assert httpx.get(writable_server + "/store", params={"graph": graph}).status_code == 404


@pytest.mark.parametrize(("body", "media_type", "status", "error"), [
    ("<urn:a> <urn:b> .", "text/turtle", 400, "bad-rdf"),
    ("{ not json", "application/ld+json", 400, "bad-rdf"),
    ('{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "urn:a"}', "application/ld+json", 400, "bad-rdf"),
    ("<urn:nameless> a <https://w3id.org/chainkg/ontology#Company> .", "text/turtle", 422, "shape-violation"),
    ("<urn:a> <urn:b> <urn:c> .", "image/png", 415, "unsupported-media-type"),
])
def test_a_bad_upload_loads_nothing(writable_server, body, media_type, status, error):
    graph = "urn:test:gsp-bad"
    assert put(writable_server, graph, GOOD).status_code in (201, 204)
    response = put(writable_server, graph, body, media_type)
    assert response.status_code == status and response.json()["error"] == error, response.text
    assert count(writable_server, graph) == 3  # exactly as before


def test_a_dataset_upload_names_its_own_graphs(writable_server):
    trig = "<urn:test:gsp-trig> { <urn:s> <urn:p> 'o' }"
    response = httpx.post(writable_server + "/store", content=trig.encode(),
                          headers={**AUTH, "Content-Type": "application/trig"})
    assert response.status_code == 204, response.text
    assert count(writable_server, "urn:test:gsp-trig") == 1
    refused = httpx.put(writable_server + "/store", params={"graph": "urn:x"}, content=trig.encode(),
                        headers={**AUTH, "Content-Type": "application/trig"})
    assert refused.status_code == 400


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}])
def test_writes_need_the_token(writable_server, headers):
    assert put(writable_server, "urn:test:gsp-auth", GOOD, headers=headers).status_code == 401
    assert httpx.delete(writable_server + "/store", params={"graph": "urn:test:gsp-bad"}, headers=headers).status_code == 401


def test_read_only_service_refuses_uploads(server):
    assert put(server, "urn:test:gsp-ro", GOOD).status_code == 403


def test_uploads_over_the_size_limit_are_refused_early(writable_server):
    huge = "<urn:a> <urn:b> '" + "x" * 300_000 + "' ."
    assert put(writable_server, "urn:test:gsp-huge", huge).status_code == 413


@pytest.mark.parametrize("params", [{}, {"graph": "urn:a", "default": ""}, {"graph": "relative"}])
def test_the_target_must_be_named_once(server, params):
    assert httpx.get(server + "/store", params=params).status_code == 400


def test_the_companies_csv_is_an_upload_too(writable_server):
    csv = "name,park,source\n测试上传公司,天安数码城,analyst upload 2026-12\n"
    response = httpx.post(writable_server + "/store", content=csv.encode(),
                          headers={**AUTH, "Content-Type": "text/csv"})
    assert response.status_code == 204, response.text
    query = "ASK { ?c skos:prefLabel '测试上传公司'@zh-Hans ; ck:hostedIn ?park }"
    assert httpx.get(writable_server + "/sparql", params={"query": query}).json()["boolean"] is True
    bad = httpx.post(writable_server + "/store", content=b"name,park,source\nx,no such park,y\n",
                     headers={**AUTH, "Content-Type": "text/csv"})
    assert bad.status_code == 422 and "line 2" in bad.json()["message"]


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("text/n3", "n3"),
])
def test_a_named_graph_reads_as_its_triples_in_every_syntax(writable_server, accept, rdflib_format):
    """A graph, not a dataset: JSON-LD used to wrap the triples in a named node, where rdflib found none."""
    import rdflib

    graph = "urn:test:gsp-syntaxes"
    assert put(writable_server, graph, GOOD).status_code in (201, 204)
    response = httpx.get(writable_server + "/store", params={"graph": graph}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == accept
    parsed = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(parsed) == 3


def test_a_post_to_the_store_itself_creates_a_graph_the_server_names(writable_server):
    posted = httpx.post(writable_server + "/store", content=GOOD.encode(), headers={**AUTH, "Content-Type": "text/turtle"})
    assert posted.status_code == 201, posted.text
    location = posted.headers["location"]
    assert location.startswith(writable_server + "/store/")
    assert count(writable_server, location) == 3
    direct = httpx.get(location, headers={"Accept": "application/n-triples"})  # its IRI is where it is read
    assert direct.status_code == 200 and len(direct.text.strip().splitlines()) == 3
    assert httpx.delete(location, headers=AUTH).status_code == 204
    assert httpx.get(location).status_code == 404


def test_a_post_that_makes_a_named_graph_is_201_then_204(writable_server):
    graph = "urn:test:gsp-post-new"
    for status in (201, 204):
        posted = httpx.post(writable_server + "/store", params={"graph": graph}, content=GOOD.encode(),
                            headers={**AUTH, "Content-Type": "text/turtle"})
        assert posted.status_code == status, posted.text
        assert "location" not in posted.headers  # the client named it


def multipart(*parts: tuple[str | None, str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body of (Content-Type or None, file name, text) parts, and its Content-Type."""
    chunks = []
    for media_type, name, text in parts:
        chunks.append(f'--b0undary\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                      + (f"Content-Type: {media_type}\r\n" if media_type else "") + f"\r\n{text}\r\n")
    return ("".join(chunks) + "--b0undary--\r\n").encode(), "multipart/form-data; boundary=b0undary"


def test_a_multipart_post_loads_every_file_or_none(writable_server):
    graph = "urn:test:gsp-multipart"
    body, media_type = multipart(("text/turtle", "a.ttl", GOOD), (None, "b.nt", OTHER_NT))
    posted = httpx.post(writable_server + "/store", params={"graph": graph}, content=body,
                        headers={**AUTH, "Content-Type": media_type})
    assert posted.status_code == 201, posted.text
    assert count(writable_server, graph) == 6
    body, media_type = multipart(("text/turtle", "c.ttl", GOOD.replace("test-firm", "third-firm")),
                                 ("text/turtle", "bad.ttl", "<urn:a> <urn:b> ."))
    refused = httpx.post(writable_server + "/store", params={"graph": graph}, content=body,
                         headers={**AUTH, "Content-Type": media_type})
    assert refused.status_code == 400 and refused.json()["error"] == "bad-rdf"
    assert count(writable_server, graph) == 6  # the good part did not load either


@pytest.mark.parametrize(("body", "media_type"), [
    (b"no parts here", "multipart/form-data; boundary=b0undary"),
    (b"--x\r\n\r\n<urn:a> <urn:b> <urn:c> .\r\n--x--\r\n", "multipart/form-data"),  # no boundary named
    (*multipart((None, "data.bin", "<urn:a> <urn:b> <urn:c> .")),),  # neither a type nor a known suffix
])
def test_an_unreadable_multipart_post_is_refused(writable_server, body, media_type):
    response = httpx.post(writable_server + "/store", params={"graph": "urn:test:gsp-bad-multipart"}, content=body,
                          headers={**AUTH, "Content-Type": media_type})
    assert response.status_code == 400 and response.json()["error"] == "bad-rdf", response.text


def test_a_direct_graph_url_takes_no_graph_parameter(writable_server):
    response = httpx.get(writable_server + "/store/some/graph", params={"graph": "urn:other"})
    assert response.status_code == 400


JSONLD = json.dumps({"@id": "https://w3id.org/chainkg/id/jsonld-firm", "@type": "https://w3id.org/chainkg/ontology#Company",
                     "http://www.w3.org/2004/02/skos/core#prefLabel": [{"@value": "链接公司", "@language": "zh-Hans"},
                                                                       {"@value": "JSON-LD Co.", "@language": "en"}]})


def test_a_json_ld_document_is_put_into_a_named_graph(writable_server):
    graph = "urn:test:gsp-jsonld"
    assert put(writable_server, graph, JSONLD, "application/ld+json").status_code == 201
    assert count(writable_server, graph) == 3
    named = json.dumps({"@id": "urn:test:inner", "@graph": json.loads(JSONLD)})  # a document that names a graph
    refused = put(writable_server, graph, named, "application/ld+json")
    assert refused.status_code == 400 and "names graphs of its own" in refused.json()["message"]
    assert count(writable_server, graph) == 3
