"""The SPARQL 1.1 Service Description of the endpoint: what it speaks, which formats, which dataset.

Clients (YASGUI, Comunica, harvesters) read it with a plain GET of the endpoint. It is built as RDF here and
serialised by the route in whatever syntax the client negotiates.
"""

from __future__ import annotations

import pyoxigraph as ox

from chainkg.graph.store import KnowledgeGraph

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG")
INPUT_FORMATS = ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG")


def describe(kg: KnowledgeGraph, endpoint: str, *, writable: bool) -> list[ox.Triple]:
    """Triples of the service description for the endpoint URL the client used.

    >>> kg = KnowledgeGraph.in_memory()
    >>> triples = describe(kg, "http://127.0.0.1:8000/sparql", writable=False)
    >>> any(t.object == ox.NamedNode(SD + "SPARQL11Query") for t in triples)
    True
    """
    service = ox.NamedNode(endpoint + "#service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, RDFS_LABEL, ox.Literal("chainkg SPARQL 1.1 endpoint", language="en")),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        # The default graph of a query is the union of every named graph (each fact sits in its evidence graph).
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
    ]
    if writable:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + f)) for f in RESULT_FORMATS]
    triples += [ox.Triple(service, sd("inputFormat"), ox.NamedNode(FORMATS + f)) for f in INPUT_FORMATS]
    for index, name in enumerate(kg.graph_names()):
        named = ox.BlankNode(f"named{index}")
        triples += [ox.Triple(dataset, sd("namedGraph"), named), ox.Triple(named, sd("name"), ox.NamedNode(name))]
    return triples
