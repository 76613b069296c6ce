"""The Python API (`chainkg.open_graph`): the store as a read-only rdflib Dataset, beside a running server."""

from __future__ import annotations

import httpx
import pytest
import rdflib
from rdflib.namespace import SKOS

from chainkg import open_graph

E = rdflib.Namespace("https://w3id.org/chainkg/id/")
CK = rdflib.Namespace("https://w3id.org/chainkg/ontology#")
LEADERS = "SELECT ?firm ?name WHERE { ?firm ck:chainLeaderOf e:ivd-chain ; skos:prefLabel ?name }"


@pytest.fixture(scope="module")
def graph(server) -> rdflib.Dataset:
    """The running quick-start server's own store, opened while it serves."""
    return open_graph(server.env["CHAINKG_STORE"])




def test_sparql_with_chainkg_prefixes_answers_as_the_endpoint_does(graph, server):
    ours = {(str(row.firm), str(row.name)) for row in graph.query(LEADERS)}
    endpoint = httpx.get(server + "/sparql", params={"query": LEADERS}, timeout=30).json()["results"]["bindings"]
    assert ours == {(b["firm"]["value"], b["name"]["value"]) for b in endpoint}
    assert (str(E["zhongyuan-huiji"]), "中元汇吉") in ours


def test_rdflib_api_reads_names_in_every_script(graph):
    names = {(str(n), n.language.lower()) for n in graph.objects(E["zhongyuan-huiji"], SKOS.prefLabel)}
    assert {("中元汇吉", "zh-hans"), ("中元匯吉", "zh-hant"), ("Zybio", "en")} <= names


def test_each_fact_comes_with_its_evidence_graph(graph):
    quads = graph.quads((E["zhongyuan-huiji"], CK.chainLeaderOf, E["ivd-chain"], None))
    # the default graph (the merge of all graphs, each triple once) holds it too, but is nobody's evidence
    [evidence] = [g for *_, g in quads if g != rdflib.graph.DATASET_DEFAULT_GRAPH_ID]
    article = graph.value(evidence, rdflib.URIRef("http://www.w3.org/ns/prov#wasQuotedFrom"))
    assert article is not None and "链主" in str(graph.value(evidence, rdflib.URIRef("http://www.w3.org/ns/oa#exact")))


def test_writes_are_refused_and_the_server_goes_on(graph, server):
    with pytest.raises(Exception, match="read-write"):
        graph.add((E["zhongyuan-huiji"], SKOS.altLabel, rdflib.Literal("改名", lang="zh-Hans")))
    assert httpx.get(server + "/healthz", timeout=10).status_code == 200
    assert not list(graph.triples((E["zhongyuan-huiji"], SKOS.altLabel, rdflib.Literal("改名", lang="zh-Hans"))))


def test_a_directory_without_a_store_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no chainkg store"):
        open_graph(tmp_path / "nothing-here")
