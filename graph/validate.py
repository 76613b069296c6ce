"""Checks a batch of quads before it is committed: SHACL shapes (pyshacl) and, for curated data, verbatim quotes.

SHACL sees the new quads plus the ontology plus the store's own description of every node the batch touches
(one hop, and the classes of what those nodes point at), which is what the shapes in ontology/shapes.ttl need, so a small load never re-validates a large store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib

from chainkg.graph.namespaces import CK
from chainkg.graph.store import KnowledgeGraph

OA_EXACT = ox.NamedNode("http://www.w3.org/ns/oa#exact")
QUOTED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasQuotedFrom")
SEED_FILE = ox.NamedNode(CK + "seedFile")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDF_FIRST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass
class Report:
    """What is wrong with a batch, one readable line per problem; empty means it may be committed.

    `unchecked` names the checks that could not run and why (the article texts are not on every machine): a
    report that conforms says so, rather than passing in silence.
    """

    problems: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        lines = self.problems or ["conforms"]
        return "\n".join(lines + [f"not checked: {reason}" for reason in self.unchecked])


@lru_cache(maxsize=4)
def _shapes(shapes_path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(shapes_path, format="turtle")


def check_shapes(kg: KnowledgeGraph, quads: list[ox.Quad], ontology: list[ox.Quad] | None = None) -> Report:
    """Validate `quads` against the SHACL shapes, in the context of what the store already says about them."""
    context, described = _one_hop_context(kg, quads)
    ontology = ontology if ontology is not None else list(kg.quads(kg.names.ontology))
    shapes = _shapes(kg.settings.ontology_dir / "shapes.ttl")
    data = rdflib.Graph()
    for quad in _seen_by_shapes([*quads, *context, *ontology], _reach(shapes)):
        triple = _as_rdflib(quad)
        if triple is not None:
            data.add(triple)
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return Report()
    problems = [
        _describe(results, r)
        for r in results.subjects(rdflib.RDF.type, SH.ValidationResult)
        if described is None or _in(results.value(r, SH.focusNode), described)
    ]
    return Report(problems)


# What the shapes can see of a data graph. A focus node is typed (sh:targetClass, a class that is a shape) or the
# subject or object of a target predicate; from there a shape follows paths forward and reads the types (and the
# classes' rdfs:subClassOf) of what it reaches. So the triples of nodes no focus node can reach, such as a
# 100,000-deep list of untyped blank nodes (200,001 triples: 7 s of the check, building their rdflib graph), are
# left out: the violations found are the same. Shapes that use anything else (an inverse path, SPARQL) see it all.
_FORWARD = {SH[name] for name in (
    "NodeShape PropertyShape targetClass targetSubjectsOf targetObjectsOf targetNode path property node class "
    "datatype nodeKind minCount maxCount minLength maxLength pattern flags languageIn uniqueLang in hasValue "
    "minInclusive maxInclusive minExclusive maxExclusive equals disjoint lessThan lessThanOrEquals or and not xone "
    "qualifiedValueShape qualifiedMinCount qualifiedMaxCount qualifiedValueShapesDisjoint closed ignoredProperties "
    "message severity name description order group defaultValue deactivated Violation Warning Info").split()}


@dataclass(frozen=True)
class _Reach:
    """Where the shapes start: typed nodes, and the subjects and objects of these predicates and these nodes."""

    subjects_of: frozenset[str] = frozenset()
    objects_of: frozenset[str] = frozenset()
    nodes: frozenset[str] = frozenset()
    everything: bool = False


@lru_cache(maxsize=4)
def _reach(shapes: rdflib.Graph) -> _Reach:
    used = {term for triple in shapes for term in triple if isinstance(term, rdflib.URIRef) and term.startswith(SH)}
    if used - _FORWARD:
        return _Reach(everything=True)
    return _Reach(frozenset(map(str, shapes.objects(None, SH.targetSubjectsOf))),
                  frozenset(map(str, shapes.objects(None, SH.targetObjectsOf))),
                  frozenset(map(str, shapes.objects(None, SH.targetNode))))


def _seen_by_shapes(quads: list[ox.Quad], reach: _Reach) -> list[ox.Quad]:
    """The quads about nodes a focus node reaches along its triples (itself included).

    >>> a, b, c, p = (ox.NamedNode(f"urn:{x}") for x in "abcp")
    >>> typed, list_item = ox.Quad(a, RDF_TYPE, b), ox.Quad(ox.BlankNode("l"), RDF_FIRST, c)
    >>> _seen_by_shapes([typed, ox.Quad(a, p, c), ox.Quad(c, p, b), ox.Quad(b, p, a), list_item], _Reach()) == [
    ...     typed, ox.Quad(a, p, c), ox.Quad(c, p, b), ox.Quad(b, p, a)]
    True
    """
    if reach.everything:
        return quads
    about: dict[object, list[ox.Quad]] = {}
    start = set()
    for quad in quads:
        about.setdefault(quad.subject, []).append(quad)
        predicate = quad.predicate.value
        if predicate == RDF_TYPE.value or predicate in reach.subjects_of \
                or isinstance(quad.subject, ox.NamedNode) and quad.subject.value in reach.nodes:
            start.add(quad.subject)
        if predicate in reach.objects_of:
            start.add(quad.object)
    reached, frontier = set(start), list(start)
    while frontier:
        for quad in about.get(frontier.pop(), ()):
            if quad.object not in reached and quad.object in about:
                reached.add(quad.object)
                frontier.append(quad.object)
    return [quad for node in about if node in reached for quad in about[node]]


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _as_rdflib(quad: ox.Quad) -> tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node] | None:
    """A quad's triple as rdflib terms, built term by term (linear in the text).

    Serialising to N-Triples and letting rdflib parse them was super-linear in a literal's length (1 MB: 13 s,
    2 MB: 37 s, and a 15 MB label held a server thread for minutes). Statements about RDF 1.2 triple terms (which
    uploads and updates refuse, and rdflib cannot hold) are no business of the shapes: None.
    """
    if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
        return None
    return _term(quad.subject), rdflib.URIRef(quad.predicate.value), _term(quad.object)


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return rdflib.Literal(term.value, datatype=None if datatype == XSD_STRING else rdflib.URIRef(datatype))


def _one_hop_context(kg: KnowledgeGraph, quads: list[ox.Quad]) -> tuple[list[ox.Quad], set[str] | None]:
    """Store quads about the nodes a batch touches, and the IRIs whose whole description is present.

    Nodes only pointed at are brought in with their types alone; a shape violation on them says nothing about the
    batch, so only violations on fully described nodes count (None = everything is described).
    """
    if len(kg) == 0:
        return [], None
    touched = {q.subject for q in quads} | {q.object for q in quads if isinstance(q.object, ox.NamedNode)}
    context: list[ox.Quad] = []
    for node in touched:
        context.extend(kg.match(node))
    # Shapes check the class of what a touched node points at (sh:class), so bring those types along.
    pointed_at = {q.object for q in context if isinstance(q.object, ox.NamedNode)} - touched
    for node in pointed_at:
        context.extend(kg.match(node, RDF_TYPE))
    return context, {node.value for node in touched if isinstance(node, ox.NamedNode)}


def _in(focus: rdflib.term.Node, described: set[str]) -> bool:
    # Blank nodes are renamed on the way into rdflib, so they cannot be matched: keep their violations.
    return isinstance(focus, rdflib.BNode) or str(focus) in described


def _describe(results: rdflib.Graph, result: rdflib.term.Node) -> str:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    message = results.value(result, SH.resultMessage)
    value = results.value(result, SH.value)
    where = f" {path.n3(results.namespace_manager)}" if path is not None else ""
    got = f" (value {value})" if value is not None else ""
    return f"<{focus}>{where}: {message}{got}"


SEEDS_UNSET = "verbatim quotes, because the article texts are not available (set CHAINKG_SEEDS_DIR to their folder)"


def check_quotes(quads: list[ox.Quad], seeds_dir: Path | None, beside: tuple[Path, ...] = ()) -> Report:
    """Every oa:exact must be verbatim in the article it is quoted from (white space ignored).

    The seeds break lines in mid-sentence, so both sides drop white space before comparing; nothing else is forgiven.
    An article's text is looked up in the seeds folder (setting seeds_dir), then in the folders `beside` (a draft's
    own folder: `chainkg ingest new.txt --out new.trig` writes the draft next to a text that is no seed). Without
    any folder nothing is compared, and the report says so.
    """
    folders = tuple(folder for folder in (seeds_dir, *beside) if folder is not None)
    if not folders:
        return Report(unchecked=[SEEDS_UNSET])
    exact = {q.subject: q.object.value for q in quads if q.predicate == OA_EXACT}
    source = {q.subject: q.object for q in quads if q.predicate == QUOTED_FROM}
    seed_of = {q.subject: q.object.value for q in quads if q.predicate == SEED_FILE}
    problems = []
    for quote, text in exact.items():
        seed = seed_of.get(source.get(quote))
        if seed is None:
            problems.append(f"<{quote.value}>: quoted article has no ck:seedFile")
            continue
        article = next((found for folder in folders if (found := _seed_text(folder / seed)) is not None), None)
        if article is None:
            where = " or ".join(str(folder) for folder in folders)
            problems.append(f"<{quote.value}>: article text {seed} not found in {where} (put it beside the draft "
                            "or in the seeds folder)")
        elif _squeeze(text) not in article:
            problems.append(f"<{quote.value}>: quote is not verbatim in {seed}: {text[:60]}…")
    return Report(problems)


def _seed_text(path: Path) -> str | None:
    if not path.is_file():
        return None
    stat = path.stat()
    return _read_squeezed(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _read_squeezed(path: Path, mtime_ns: int, size: int) -> str:
    """Read once per version of the file (an article edited beside its draft is read again)."""
    return _squeeze(path.read_text(encoding="utf-8"))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
