"""The SPARQL 1.1 Graph Store Protocol's operations on whole graphs, without HTTP.

A target is a graph IRI or `None` for the store's default graph (the bare one: the union that queries see by
default is not a graph one can replace). Every write parses and validates all of its input before one
transaction commits it, so a bad upload leaves the store exactly as it was (graph.loader).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from chainkg.graph import csv_import, formats, loader
from chainkg.graph.engine import Engine, QueryFailed
from chainkg.graph.store import KnowledgeGraph

Target = str | None
CSV_MEDIA_TYPES = ("text/csv",)
# Read as quads naming the graph. JSON-LD can carry named graphs too, but a graph read alone is its default graph:
# as a named node holding `@graph`, rdflib's Graph.parse found 0 triples in it.
DATASET_SYNTAXES = ("nquads", "trig")


class GraphNotFound(LookupError):
    """The named graph holds no triples."""


def exists(kg: KnowledgeGraph, target: Target) -> bool:
    return target is None or kg.has_graph(target)


def read(kg: KnowledgeGraph, target: Target, syntax: formats.RdfSyntax) -> bytes:
    """The graph serialised (a triple syntax, or a dataset syntax naming the graph)."""
    if not exists(kg, target):
        raise GraphNotFound(f"no graph <{target}> in the store")
    graph = ox.NamedNode(target) if target else ox.DefaultGraph()
    quads = list(kg.match(graph=graph))
    statements = quads if syntax.name in DATASET_SYNTAXES else [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return formats.serialize(statements, syntax, kg.prefixes)


def parse_upload(kg: KnowledgeGraph, data: bytes, media_type: str, target: Target, *, explicit_target: bool,
                 name: str = "upload.csv", sandbox: Engine | None = None) -> list[ox.Quad]:
    """Quads of an upload; dataset syntaxes (TriG, N-Quads) and company CSVs name their own graphs.

    With a `sandbox` (the query engine), every syntax is parsed in a worker process, which hands back N-Quads
    without RDF 1.2 triple terms: a hostile upload that would crash or exhaust a parser stops there, within the
    time limit and the memory cap, and this process never parses anything but flat lines. N-Triples and N-Quads
    go there too: a triple term nested 50,000 deep in one line crashed Oxigraph's parser (SIGSEGV).
    """
    if media_type.split(";")[0].strip().lower() in CSV_MEDIA_TYPES:
        if explicit_target:
            raise loader.LoadError("a companies CSV puts each row in a provenance graph of its own: omit the graph")
        try:
            return csv_import.parse_companies_text(kg, data.decode("utf-8-sig"), Path(name))
        except UnicodeDecodeError:
            raise loader.LoadError("the CSV is not UTF-8") from None
        except csv_import.CsvError as error:
            raise loader.LoadError(str(error), violations=True) from None
    syntax = formats.by_media_type(media_type)
    if syntax.has_graphs and explicit_target:
        raise loader.LoadError(f"{syntax.name} names its own graphs: send it without ?graph= or ?default")
    if sandbox is not None:
        try:
            data = sandbox.parse(data, syntax.media_type)
        except QueryFailed as failed:
            unloaded = "" if failed.kind == "syntax" else " (nothing was loaded)"
            raise loader.LoadError(f"{syntax.name}: {failed}{unloaded}") from None
        syntax = formats.by_name("nquads")
    return loader.parse_bytes(data, base_iri=kg.settings.base_iri, syntax=syntax, graph=target)


def add(kg: KnowledgeGraph, quads: list[ox.Quad]) -> None:
    """POST: merge the quads into their graphs (validated first)."""
    loader.commit(kg, quads)


def replace(kg: KnowledgeGraph, target: Target, quads: list[ox.Quad]) -> bool:
    """PUT: the target's content becomes `quads`, in one transaction; True when the graph is new."""
    created = not exists(kg, target)
    loader.check(kg, quads)
    kg.replace_graphs([target] if target else [], quads, drop_default=target is None)
    return created


def delete(kg: KnowledgeGraph, target: Target) -> None:
    if not exists(kg, target):
        raise GraphNotFound(f"no graph <{target}> in the store")
    kg.replace_graphs([target] if target else [], [], drop_default=target is None)
