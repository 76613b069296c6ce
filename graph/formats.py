"""The RDF serialisations chainkg reads and writes: one table, looked up by name, media type or file suffix."""

from __future__ import annotations

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
               # asked for by SPARQLWrapper and N3 tools; served as Turtle, which is N3 (api/sparql.py WRITTEN_AS)
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


def serialize(statements: list, syntax: RdfSyntax, prefixes: dict[str, str]) -> bytes:
    """Triples (or quads, for dataset syntaxes) as bytes, declaring only the prefixes the data uses.

    >>> t = ox.Triple(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/b"), ox.Literal("c"))
    >>> serialize([t], by_name("turtle"), {"e": "http://e.org/", "x": "http://x.org/"})
    b'@prefix e: <http://e.org/> .\\ne:a e:b "c" .\\n'
    """
    plain = ox.serialize(statements, format=ox.RdfFormat.N_QUADS if syntax.has_graphs else ox.RdfFormat.N_TRIPLES) or b""
    used = {name: iri for name, iri in prefixes.items() if f"<{iri}".encode() in plain}
    return ox.serialize(statements, format=syntax.oxigraph, prefixes=used) or b""
