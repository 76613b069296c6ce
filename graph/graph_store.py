"""The SPARQL 1.1 Graph Store Protocol's operations on whole graphs, without HTTP.

A target is a graph IRI or `None` for the store's default graph (the bare one: the union that queries see by
default is not a graph one can replace). Every write parses and validates all of its input before one
transaction commits it, so a bad upload leaves the store exactly as it was (graph.loader).
"""

from __future__ import annotations

import email.parser
import email.policy
from pathlib import Path

import pyoxigraph as ox

from chainkg.graph import csv_import, formats, loader
from chainkg.graph.engine import Engine, QueryFailed
from chainkg.graph.store import KnowledgeGraph

Target = str | None
CSV_MEDIA_TYPES = ("text/csv",)
MULTIPART = "multipart/form-data"
# Read as quads naming the graph. JSON-LD can carry named graphs too, but a graph read alone is its default graph:
# as a named node holding `@graph`, rdflib's Graph.parse found 0 triples in it.
DATASET_SYNTAXES = ("nquads", "trig")


class GraphNotFound(LookupError):
    """The named graph holds no triples."""


def is_graph_iri(text: str) -> bool:
    """True for an absolute IRI Oxigraph accepts as a graph name.

    >>> is_graph_iri("http://www.example/gsp/person/%31.ttl"), is_graph_iri("person/1"), is_graph_iri("a:b c")
    (True, False, False)
    """
    if ":" not in text:
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


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


def names_own_graphs(media_type: str) -> bool:
    """True for uploads that say which graphs they fill: dataset syntaxes (TriG, N-Quads, JSON-LD) and companies CSV.
    Any other upload POSTed to the store itself becomes a new graph (Graph Store Protocol §5.5).

    >>> names_own_graphs("application/trig"), names_own_graphs("text/turtle; charset=utf-8")
    (True, False)
    """
    bare = media_type.split(";")[0].strip().lower()
    if bare in CSV_MEDIA_TYPES:
        return True
    try:
        return formats.by_media_type(bare).has_graphs
    except formats.UnknownFormat:
        return False  # multipart, or unknown: parse_upload says what is wrong with it


def parse_upload(kg: KnowledgeGraph, data: bytes, media_type: str, target: Target, *, explicit_target: bool,
                 name: str = "upload.csv", sandbox: Engine | None = None) -> list[ox.Quad]:
    """Quads of an upload; dataset syntaxes (TriG, N-Quads) and company CSVs name their own graphs.

    With a `sandbox` (the query engine), every syntax is parsed in a worker process, which hands back N-Quads
    without RDF 1.2 triple terms: a hostile upload that would crash or exhaust a parser stops there, within the
    time limit and the memory cap, and this process never parses anything but flat lines. N-Triples and N-Quads
    go there too: a triple term nested 50,000 deep in one line crashed Oxigraph's parser (SIGSEGV).
    multipart/form-data carries several files, each with its own Content-Type; they load together or not at all.
    """
    if media_type.split(";")[0].strip().lower() == MULTIPART:
        return [quad for part_type, part_name, part in multipart_files(data, media_type)
                for quad in parse_upload(kg, part, part_type, target, explicit_target=explicit_target,
                                         name=part_name, sandbox=sandbox)]
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
    if syntax.name in DATASET_SYNTAXES and explicit_target:
        raise loader.LoadError(f"{syntax.name} names its own graphs: send it without ?graph= or ?default")
    into_one = explicit_target and syntax.has_graphs  # JSON-LD: one graph, if the document names none itself
    if sandbox is not None:
        try:
            data = sandbox.parse(data, syntax.media_type)
        except QueryFailed as failed:
            unloaded = "" if failed.kind == "syntax" else " (nothing was loaded)"
            raise loader.LoadError(f"{syntax.name}: {failed}{unloaded}") from None
        syntax = formats.by_name("nquads")
    quads = loader.parse_bytes(data, base_iri=kg.settings.base_iri, syntax=syntax, graph=None if into_one else target)
    return _into_one_graph(quads, target) if into_one else quads


def _into_one_graph(quads: list[ox.Quad], target: Target) -> list[ox.Quad]:
    """A JSON-LD document's default graph as the target graph; one that names graphs of its own is refused,
    rather than flattened into one graph."""
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise loader.LoadError("this JSON-LD names graphs of its own: send it without ?graph= or ?default")
    graph = ox.NamedNode(target) if target else ox.DefaultGraph()
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]


def multipart_files(data: bytes, media_type: str) -> list[tuple[str, str, bytes]]:
    """(media type, file name, bytes) of each part of a multipart/form-data body. A part without Content-Type is
    known by its file name's suffix; parts that are themselves multipart are refused.

    >>> body = b'--b\\r\\nContent-Type: text/turtle\\r\\n\\r\\n<urn:a> <urn:b> 1 .\\r\\n--b--\\r\\n'
    >>> multipart_files(body, "multipart/form-data; boundary=b")
    [('text/turtle', 'part-1', b'<urn:a> <urn:b> 1 .')]
    """
    head = f"Content-Type: {media_type}\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
    if not message.is_multipart() or message.defects:
        raise loader.LoadError("the multipart/form-data body cannot be read: it needs a boundary parameter, and "
                               "parts separated by it")
    files = []
    for number, part in enumerate(message.iter_parts(), 1):
        name = part.get_filename() or part.get_param("name", header="content-disposition") or f"part-{number}"
        declared = part.get("content-type")
        if declared is None:
            try:
                declared = "text/csv" if name.lower().endswith(".csv") else formats.by_path(name).media_type
            except formats.UnknownFormat:
                raise loader.LoadError(f"part {name!r} says neither its Content-Type nor a known file suffix") from None
        elif part.get_content_maintype() == "multipart":
            raise loader.LoadError(f"part {name!r} is itself multipart: send the files as parts of one body")
        files.append((str(declared), str(name), part.get_payload(decode=True) or b""))
    if not files:
        raise loader.LoadError("the multipart/form-data body has no parts")
    return files


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
