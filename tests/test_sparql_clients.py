"""Third-party SPARQL clients against the live endpoint: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

ZYBIO = "https://w3id.org/chainkg/id/zhongyuan-huiji"
LEADER = ("PREFIX ck: <https://w3id.org/chainkg/ontology#> "
          "SELECT ?leader WHERE { ?leader ck:chainLeaderOf <https://w3id.org/chainkg/id/ivd-chain> }")


def test_sparqlwrapper_select(server):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(LEADER)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert [b["leader"]["value"] for b in bindings] == [ZYBIO]


def test_sparqlwrapper_post_construct(server):
    client = SPARQLWrapper(server + "/sparql")
    client.setMethod("POST")
    client.setQuery(f"CONSTRUCT WHERE {{ <{ZYBIO}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?n }}")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert rdflib.Literal("中元汇吉", lang="zh-hans") in set(graph.objects())


def test_rdflib_sparqlstore(server):
    graph = rdflib.Graph(store=SPARQLStore(server + "/sparql", returnFormat="json"))
    results = list(graph.query(LEADER))
    assert [str(row.leader) for row in results] == [ZYBIO]
