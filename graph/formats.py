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
    wanted = media_type.split(";")[0].strip().lower()
    for syntax in SYNTAXES:
        if syntax.media_type == wanted:
            return syntax
    if wanted in ("application/x-turtle",):
        return by_name("turtle")
    raise UnknownFormat(f"unsupported RDF media type {media_type!r}")


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
