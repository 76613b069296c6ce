"""The RDF and SPARQL-results serialisations chainkg reads and writes: one table of each, looked up by name, media
type or file suffix, each row carrying pyoxigraph's own format object. Modules name a syntax through these tables
(`formats.TRIG.oxigraph`, `formats.TURTLE.media_type`) and never keep a media-type table of their own.
Also the one writer of INSERT DATA text. It imports nothing of chainkg's (the worker process imports it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfSyntax:
    name: str
    media_type: str
    suffixes: tuple[str, ...]
    oxigraph: ox.RdfFormat

    @property
    def has_graphs(self) -> bool:
        """True for dataset syntaxes (N-Quads, TriG) that carry graph names."""
        return self.oxigraph.supports_datasets


SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", "text/turtle", (".ttl",), ox.RdfFormat.TURTLE),
    RdfSyntax("ntriples", "application/n-triples", (".nt",), ox.RdfFormat.N_TRIPLES),
    RdfSyntax("nquads", "application/n-quads", (".nq",), ox.RdfFormat.N_QUADS),
    RdfSyntax("trig", "application/trig", (".trig",), ox.RdfFormat.TRIG),
    RdfSyntax("jsonld", "application/ld+json", (".jsonld", ".json"), ox.RdfFormat.JSON_LD),
    RdfSyntax("rdfxml", "application/rdf+xml", (".rdf", ".owl", ".xml"), ox.RdfFormat.RDF_XML),
)

TURTLE, NTRIPLES, NQUADS, TRIG, JSONLD, RDFXML = SYNTAXES
# Served by writing another syntax: Turtle is a subset of N3, so Turtle bytes are N3 (the Oxigraph server answers
# text/n3 too; SPARQLWrapper's N3 mode and N3 tools ask for it). Not a syntax chainkg reads.
N3 = "text/n3"
WRITTEN_AS = {N3: TURTLE.media_type}

_ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "nq": "nquads", "n-quads": "nquads",
            "json-ld": "jsonld", "xml": "rdfxml", "rdf/xml": "rdfxml", "rdf": "rdfxml"}


class UnknownFormat(ValueError):
    """Raised when a name, media type or suffix names no RDF syntax chainkg knows."""


def by_name(name: str) -> RdfSyntax:
    """Look a syntax up by its short name or an alias.

    >>> by_name("ttl").media_type
    'text/turtle'
    """
    wanted = _ALIASES.get(name.lower(), name.lower())
    for syntax in SYNTAXES:
        if syntax.name == wanted:
            return syntax
    raise UnknownFormat(f"unknown RDF format {name!r}; known: {', '.join(s.name for s in SYNTAXES)}")


def by_media_type(media_type: str) -> RdfSyntax:
    """The RDF syntax of a media type (parameters and registered aliases allowed).

    >>> by_media_type("application/x-turtle; charset=utf-8").name
    'turtle'
    """
    wanted = media_type.split(";")[0].strip().lower()
    wanted = RDF_ALIASES.get(wanted, wanted) if "/" in wanted else wanted
    for syntax in SYNTAXES:
        if syntax.media_type == wanted:
            return syntax
    raise UnknownFormat(f"unsupported RDF media type {media_type!r}; use one of "
                        + ", ".join(s.media_type for s in SYNTAXES))


def by_path(path: Path | str) -> RdfSyntax:
    """Guess the syntax of a file from its suffix.

    >>> by_path("data/curated/a001.trig").name
    'trig'
    """
    suffix = Path(path).suffix.lower()
    for syntax in SYNTAXES:
        if suffix in syntax.suffixes:
            return syntax
    raise UnknownFormat(f"cannot tell the RDF format of {str(path)!r} from its suffix; pass --format")


@dataclass(frozen=True)
class ResultSyntax:
    """A serialisation of SELECT/ASK results (SPARQL 1.1 Query Results formats)."""

    name: str
    media_type: str
    oxigraph: ox.QueryResultsFormat


RESULT_SYNTAXES: tuple[ResultSyntax, ...] = (
    ResultSyntax("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ResultSyntax("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ResultSyntax("csv", "text/csv", ox.QueryResultsFormat.CSV),
    ResultSyntax("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
)
RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV = RESULT_SYNTAXES

# Media types clients send for results that are not the registered ones, and short `format=` names.
RESULT_ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml",
                  "text/xml": "application/sparql-results+xml", "json": "application/sparql-results+json",
                  "xml": "application/sparql-results+xml", "csv": "text/csv", "tsv": "text/tab-separated-values"}
RDF_ALIASES = {"ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples",
               "ntriples": "application/n-triples", "n-triples": "application/n-triples", "text/plain": "application/n-triples",
               "jsonld": "application/ld+json", "json-ld": "application/ld+json", "json": "application/ld+json",
               "application/json": "application/ld+json", "rdfxml": "application/rdf+xml", "xml": "application/rdf+xml",
               "application/xml": "application/rdf+xml", "nq": "application/n-quads", "nquads": "application/n-quads",
               "trig": "application/trig", "application/x-turtle": "text/turtle",
               # asked for by SPARQLWrapper and N3 tools; served as Turtle, which is N3 (WRITTEN_AS)
               "n3": "text/n3", "text/rdf+n3": "text/n3", "application/n3": "text/n3", "rdf+xml": "application/rdf+xml",
               "application/turtle": "text/turtle"}


def result_by_media_type(media_type: str) -> ResultSyntax:
    """The results syntax for a media type (after aliases).

    >>> result_by_media_type("text/csv").name
    'csv'
    """
    wanted = RESULT_ALIASES.get(media_type, media_type)
    for syntax in RESULT_SYNTAXES:
        if syntax.media_type == wanted:
            return syntax
    raise UnknownFormat(f"unsupported results media type {media_type!r}")


def result_by_name(name: str) -> ResultSyntax:
    """Look a results syntax up by its short name.

    >>> result_by_name("TSV").media_type
    'text/tab-separated-values'
    """
    for syntax in RESULT_SYNTAXES:
        if syntax.name == name.lower():
            return syntax
    raise UnknownFormat(f"unknown results format {name!r}; known: {', '.join(s.name for s in RESULT_SYNTAXES)}")


def serialize(statements: list, syntax: RdfSyntax, prefixes: dict[str, str]) -> bytes:
    """Triples (or quads, for dataset syntaxes) as bytes, declaring only the prefixes the data uses.

    >>> t = ox.Triple(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/b"), ox.Literal("c"))
    >>> serialize([t], by_name("turtle"), {"e": "http://e.org/", "x": "http://x.org/"})
    b'@prefix e: <http://e.org/> .\\ne:a e:b "c" .\\n'
    """
    plain = ox.serialize(statements, format=(NQUADS if syntax.has_graphs else NTRIPLES).oxigraph) or b""
    used = {name: iri for name, iri in prefixes.items() if f"<{iri}".encode() in plain}
    return ox.serialize(statements, format=syntax.oxigraph, prefixes=used) or b""


def insert_data(quads: Iterable[ox.Quad], default_graph: ox.NamedNode | None = None) -> str:
    """Quads as one SPARQL INSERT DATA update: the named graphs' triples inside GRAPH blocks, the default graph's bare,
    or inside GRAPH `default_graph` when one is given (an external store's bare default graph is not chainkg's).

    Terms are written by pyoxigraph, so literals and IRIs come out escaped as N-Triples writes them.

    >>> e = "http://e.org/"
    >>> a, b = ox.NamedNode(e + "a"), ox.NamedNode(e + "b")
    >>> quads = [ox.Quad(a, b, ox.Literal('say "hi"')), ox.Quad(a, b, b, ox.NamedNode(e + "g"))]
    >>> print(insert_data(quads))
    INSERT DATA { <http://e.org/a> <http://e.org/b> "say \\"hi\\"" .
    GRAPH <http://e.org/g> {
    <http://e.org/a> <http://e.org/b> <http://e.org/b> .
    } }
    >>> print(insert_data(quads[:1], default_graph=ox.NamedNode(e + "own")))
    INSERT DATA { GRAPH <http://e.org/own> {
    <http://e.org/a> <http://e.org/b> "say \\"hi\\"" .
    } }
    """
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        graph = default_graph if default_graph is not None and isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
        key = "" if isinstance(graph, ox.DefaultGraph) else str(graph)
        by_graph.setdefault(key, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    parts = by_graph.pop("", [])
    parts += [f"GRAPH {g} {{\n" + "\n".join(triples) + "\n}" for g, triples in by_graph.items()]
    return "INSERT DATA { " + "\n".join(parts) + " }"
