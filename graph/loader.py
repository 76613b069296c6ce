"""Loading RDF into the store, all or nothing: parse every file fully, validate, then commit in one transaction.

A file that fails to parse or breaks the shapes loads nothing, and the error names the file, the line where the
parser gives one, and the reason. The shipped ontology and curated graph are (re)loaded as one unit whenever
their files change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import platformdirs
import pyoxigraph as ox
import pyshacl
import rdflib

from chainkg.graph import csv_import, formats, validate
from chainkg.graph.namespaces import CK
from chainkg.graph.store import KnowledgeGraph

Opener = Callable[[Path], AbstractContextManager[BinaryIO]]
SHIPPED_DIGEST = ox.NamedNode(CK + "shippedDigest")
SHIPPED_GRAPH = ox.NamedNode(CK + "shippedGraph")


class LoadError(Exception):
    """A load that was refused; the store is unchanged. The message is one line a person can act on.

    `violations` is true when the data parsed but breaks the shapes (the data is wrong, not its syntax).
    """

    def __init__(self, message: str, *, violations: bool = False) -> None:
        super().__init__(message)
        self.violations = violations


@dataclass(frozen=True)
class LoadResult:
    files: int
    quads: int
    total: int | None = None  # quads in the store afterwards, when the load counted them anyway


def parse_file(
    path: Path,
    *,
    base_iri: str,
    syntax: formats.RdfSyntax | None = None,
    graph: str | None = None,
    opener: Opener | None = None,
) -> list[ox.Quad]:
    """Parse one file completely into memory; a syntax error becomes a LoadError naming file, line and reason."""
    try:
        syntax = syntax or formats.by_path(path)
    except formats.UnknownFormat as error:
        raise LoadError(str(error)) from None
    target = ox.NamedNode(graph) if graph else None
    if syntax.has_graphs and target is not None:
        raise LoadError(f"{path}: {syntax.name} names its own graphs; --graph only applies to triple formats")
    try:
        with (opener or _open_binary)(path) as stream:
            return _into_graph(ox.parse(stream, format=syntax.oxigraph, base_iri=base_iri), target)
    except SyntaxError as error:
        raise LoadError(f"{path}: {_syntax_message(error)}") from None
    except MemoryError as error:  # one token over Oxigraph's 16 MiB parser buffer
        raise LoadError(f"{path}: a literal or IRI is longer than the parser accepts ({error})") from None
    except OSError as error:
        raise LoadError(f"{path}: {error.strerror or error}") from None


def parse_bytes(data: bytes, *, base_iri: str, syntax: formats.RdfSyntax, graph: str | None = None) -> list[ox.Quad]:
    """Parse an upload held in memory, with the same error messages as files."""
    target = ox.NamedNode(graph) if graph else None
    try:
        return _into_graph(ox.parse(data, format=syntax.oxigraph, base_iri=base_iri), target)
    except SyntaxError as error:
        raise LoadError(f"{syntax.name}: {_syntax_message(error)}") from None
    except MemoryError as error:  # one token over Oxigraph's 16 MiB parser buffer
        raise LoadError(f"{syntax.name}: a literal or IRI is longer than the parser accepts ({error})") from None


def load_files(
    kg: KnowledgeGraph,
    paths: Iterable[Path],
    *,
    syntax: formats.RdfSyntax | None = None,
    graph: str | None = None,
    validate_shapes: bool | None = None,
    opener: Opener | None = None,
) -> LoadResult:
    """Load several files as one unit: if any fails to parse or validate, nothing is written."""
    paths = list(paths)
    validating = kg.settings.validate_on_load if validate_shapes is None else validate_shapes
    if not validating and paths and (len(paths) == 1 or kg.is_empty()):
        native = _native_formats(paths, syntax)
        if native is not None:  # nothing to check in Python: let Oxigraph parse and load, no object per quad
            return _load_natively(kg, native, graph)
    quads: list[ox.Quad] = []
    for path in paths:
        if syntax is None and Path(path).suffix.lower() == ".csv":
            quads.extend(_parse_companies_csv(kg, Path(path)))
            continue
        quads.extend(parse_file(path, base_iri=kg.settings.base_iri, syntax=syntax, graph=graph, opener=opener))
    commit(kg, quads, validate_shapes=validate_shapes)
    return LoadResult(files=len(paths), quads=len(quads))


def _native_formats(paths: list[Path], syntax: formats.RdfSyntax | None) -> list[tuple[Path, ox.RdfFormat]] | None:
    """Each path with its Oxigraph format, or None when one of them (a CSV) needs Python to read it."""
    native = []
    for path in paths:
        if syntax is None and Path(path).suffix.lower() == ".csv":
            return None
        try:
            chosen = syntax or formats.by_path(Path(path))
        except formats.UnknownFormat as error:
            raise LoadError(str(error)) from None
        native.append((Path(path), chosen.oxigraph))
    return native


def _load_natively(kg: KnowledgeGraph, files: list[tuple[Path, ox.RdfFormat]], graph: str | None) -> LoadResult:
    for path, syntax in files:
        if graph is not None and syntax.supports_datasets:
            raise LoadError(f"{path}: {syntax.name} names its own graphs; --graph only applies to triple formats")
    before = 0 if kg.is_empty() else len(kg)
    try:
        kg.load_native(files, to_graph=graph)
    except SyntaxError as error:
        where = files[0][0] if len(files) == 1 else ", ".join(str(p) for p, _ in files)
        raise LoadError(f"{where}: {_syntax_message(error)} (nothing loaded)") from None
    except OSError as error:
        raise LoadError(str(error)) from None
    total = len(kg)  # a scan of the store: once, and the CLI reports it
    return LoadResult(files=len(files), quads=total - before, total=total)


def _parse_companies_csv(kg: KnowledgeGraph, path: Path) -> list[ox.Quad]:
    try:
        return csv_import.parse_companies(kg, path)
    except csv_import.CsvError as error:
        raise LoadError(str(error)) from None


def commit(kg: KnowledgeGraph, quads: list[ox.Quad], *, validate_shapes: bool | None = None) -> None:
    """Validate (unless switched off) and add in one transaction."""
    check(kg, quads, validate_shapes=validate_shapes)
    kg.add(quads)


def check(kg: KnowledgeGraph, quads: list[ox.Quad], *, validate_shapes: bool | None = None) -> None:
    """Raise LoadError if the quads break the shapes (in the context of what the store says about their nodes)."""
    if kg.settings.validate_on_load if validate_shapes is None else validate_shapes:
        report = validate.check_shapes(kg, quads)
        if not report.ok:
            raise LoadError(f"{len(report.problems)} shape violation(s), nothing loaded:\n{report}", violations=True)


# ---------------------------------------------------------------------- the shipped graph
def shipped_files(kg: KnowledgeGraph) -> tuple[list[Path], list[Path]]:
    """Ontology files (loaded into the ontology graph) and curated files (which name their own graphs)."""
    settings = kg.settings
    ontology = [settings.ontology_dir / "chainkg.ttl", settings.ontology_dir / "vocab.ttl"]
    curated = sorted(settings.curated_dir.glob("*.trig"))
    return ontology, curated


def parse_shipped(kg: KnowledgeGraph) -> tuple[list[ox.Quad], list[ox.Quad]]:
    _, curated_files = shipped_files(kg)
    curated = [q for p in curated_files for q in parse_file(p, base_iri=kg.settings.base_iri)]
    return shipped_ontology(kg), curated


def shipped_ontology(kg: KnowledgeGraph) -> list[ox.Quad]:
    """The ontology and vocabularies (units, measures, statuses) as the shipped files have them."""
    ontology_files, _ = shipped_files(kg)
    return [q for p in ontology_files for q in parse_file(p, base_iri=kg.settings.base_iri, graph=kg.names.ontology)]


def check_files(kg: KnowledgeGraph, quads: list[ox.Quad] | None = None, texts: tuple[Path, ...] = ()) -> validate.Report:
    """Shapes and verbatim quotes of quads about to be loaded, in the context of what the store says; without
    quads, of the whole shipped graph as one unit, independent of the store's content (`chainkg validate`).
    Quoted articles that are no seed are looked for in the folders `texts` too (the drafts' own folders).

    A store with no ontology yet (a fresh one) is read with the shipped one: without it every unit and measure
    looks unknown."""
    if quads is None:
        ontology, quads = parse_shipped(kg)
        context = KnowledgeGraph.in_memory(base_iri=kg.settings.base_iri)
    else:
        ontology = None if kg.has_graph(kg.names.ontology) else shipped_ontology(kg)
        context = kg
    shapes = validate.check_shapes(context, quads, ontology=ontology)
    quotes = validate.check_quotes(quads, kg.settings.seeds_dir, texts)
    return validate.Report(shapes.problems + quotes.problems, quotes.unchecked)


# Shipped graphs whose shapes were checked and found conforming, by `_verdict_key` of what was checked. The same input
# gets the same verdict (the shipped graph is checked as one unit, apart from any store), and the check is most of a
# load (1.5 s of pyshacl on an idle core, more than the parse and the write together): so a process that loads the
# shipped graph into several stores (the docstring examples, a test session) checks it once, and a process that
# starts on a new store (`chainkg serve --store`, the ~25 servers and commands a test run starts) does not check
# what an earlier process found conforming, recorded in the user's cache directory. A graph that breaks the shapes
# is never recorded: it is checked, and refused, every time.
_SHIPPED_CONFORMING: set[str] = set()


def conforming_verdicts() -> Path:
    """The folder of recorded verdicts: one empty file per conforming shipped graph, named by its `_verdict_key`
    ($XDG_CACHE_HOME/chainkg/shipped-conforming, by default ~/.cache/chainkg/shipped-conforming)."""
    return platformdirs.user_cache_path("chainkg") / "shipped-conforming"


def _verdict_key(kg: KnowledgeGraph, ontology: list[ox.Quad], curated: list[ox.Quad]) -> str:
    """A digest of everything the verdict depends on: the quads as parsed (whatever parsed them), the shapes, the
    base IRI, and the code that checks (graph/validate.py, pyshacl's and rdflib's versions)."""
    sha = hashlib.sha256()
    sha.update(ox.serialize(ontology + curated, format=ox.RdfFormat.N_QUADS) or b"")
    sha.update((kg.settings.ontology_dir / "shapes.ttl").read_bytes())
    sha.update(Path(validate.__file__).read_bytes())
    sha.update(f"\n{kg.settings.base_iri}\n{pyshacl.__version__}\n{rdflib.__version__}".encode())
    return sha.hexdigest()


def _found_conforming(key: str) -> bool:
    if key in _SHIPPED_CONFORMING:
        return True
    try:
        return (conforming_verdicts() / key).is_file()
    except OSError:
        return False


def _record_conforming(key: str) -> None:
    """Remember a conforming verdict, here and on disk; a cache that cannot be written only costs the next check."""
    _SHIPPED_CONFORMING.add(key)
    try:
        folder = conforming_verdicts()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / key).touch()
    except OSError:
        pass


def load_shipped(kg: KnowledgeGraph, *, force: bool = False) -> bool:
    """Replace the previously shipped graphs with the current files when they changed; True if anything was loaded."""
    kg.ensure_merged()  # a store written by an older chainkg, or an external one: the default graph is the merge
    digest = _digest([p for group in shipped_files(kg) for p in group])
    meta = ox.NamedNode(kg.names.meta)
    recorded = {q.object.value for q in kg.match(meta, SHIPPED_DIGEST, None, meta)}
    if recorded == {digest} and not force:
        return False
    ontology, curated = parse_shipped(kg)
    checked = _verdict_key(kg, ontology, curated)
    if not _found_conforming(checked):
        report = validate.check_shapes(KnowledgeGraph.in_memory(base_iri=kg.settings.base_iri), curated,
                                       ontology=ontology)
        if not report.ok:
            raise LoadError(f"the shipped graph breaks the shapes, nothing loaded:\n{report}")
        _record_conforming(checked)
    quads = ontology + curated
    new_graphs = {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    old_graphs = {q.object.value for q in kg.match(meta, SHIPPED_GRAPH, None, meta)}
    bookkeeping = [ox.Quad(meta, SHIPPED_DIGEST, ox.Literal(digest), meta)]
    bookkeeping += [ox.Quad(meta, SHIPPED_GRAPH, ox.Literal(g.value), meta) for g in sorted(new_graphs, key=str)]
    kg.replace_graphs(old_graphs | {g.value for g in new_graphs} | {meta.value}, quads + bookkeeping)
    return True


def _into_graph(parsed: Iterable[ox.Quad], target: ox.NamedNode | None) -> list[ox.Quad]:
    if target is None:
        return list(parsed)
    return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]


def _digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


def _open_binary(path: Path) -> AbstractContextManager[BinaryIO]:
    return open(path, "rb")


def _syntax_message(error: SyntaxError) -> str:
    """Oxigraph's parser says 'Parser error at line L column C: reason'; keep that, drop the noise."""
    return str(error.msg if hasattr(error, "msg") else error).strip()
