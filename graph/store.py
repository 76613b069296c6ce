"""The knowledge graph: one Oxigraph store (on disk by default, in memory for tests) seen two ways.

`KnowledgeGraph.query` hands SPARQL straight to Oxigraph (the fast path the endpoint and the views use);
`KnowledgeGraph.dataset` is the same store as an rdflib `Dataset` for code that wants rdflib's API. The default
graph of every query is the union of all graphs, so facts are visible without naming their evidence graph.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
import rdflib
from oxrdflib import OxigraphStore

from chainkg.graph.namespaces import GraphNames, prefixes
from chainkg.graph.remote import RemoteStore
from chainkg.graph.settings import Settings

Term = ox.NamedNode | ox.BlankNode | ox.Literal
log = logging.getLogger("chainkg.store")


class KnowledgeGraph:
    """chainkg's store, its graph names and prefixes, and the atomic write operations everything else uses."""

    def __init__(self, settings: Settings, *, read_only: bool = False) -> None:
        """Open the store the settings name. `read_only` opens an on-disk store without its write lock, beside the
        process that owns it (a running `chainkg serve`): Oxigraph refuses every write through it."""
        self.settings = settings
        self.names = GraphNames(settings.base_iri)
        self.prefixes = prefixes(settings.base_iri)
        self.read_only = read_only
        if settings.remote:  # an external SPARQL store behind the same Store methods (graph/remote.py)
            self.store: ox.Store | RemoteStore = RemoteStore(settings)
        elif settings.in_memory:
            self.store = ox.Store()
        else:
            self.store = _open_read_only(Path(settings.store)) if read_only else _open_on_disk(Path(settings.store))
        self.generation = 0  # bumped by every committed write; the query engine snapshots per generation
        self._writing = threading.Lock()  # one writer at a time, so each write is one generation
        self._committing = False
        self._counted: tuple[int, int] | None = None  # (generation, quads), for quad_count
        # RocksDB's checkpoint (backup) copies the live write-ahead log, which a flush retires: a backup during a
        # flush failed with "Corruption: File smaller than expected for copy". So the two never overlap.
        self._files = threading.Lock()

    @classmethod
    def in_memory(cls, **overrides: object) -> KnowledgeGraph:
        """An empty in-memory graph with default settings, for tests and doctests.

        >>> kg = KnowledgeGraph.in_memory()
        >>> len(kg)
        0
        """
        return cls(Settings(store=":memory:", **overrides))

    # ------------------------------------------------------------------ reading
    def query(self, sparql: str, *, union: bool = True, **options: object) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL on Oxigraph with chainkg's prefixes predeclared; the default graph is the union of all graphs.

        On an external store (setting remote_query_url) CONSTRUCT and DESCRIBE give a list of `ox.Triple`."""
        if union and "default_graph" not in options:
            options["use_default_graph_as_union"] = True
        return self.store.query(sparql, prefixes=self.prefixes, base_iri=self.settings.base_iri, **options)

    def select(self, sparql: str, **parameters: Term) -> list[dict[str, Term]]:
        """Rows of a SELECT as dicts. Keyword arguments fill the query's `$name` parameters (see graph.queries).

        >>> kg = KnowledgeGraph.in_memory()
        >>> kg.select("SELECT ?x WHERE { BIND($value AS ?x) }", value=ox.Literal("甲"))
        [{'x': <Literal value=甲 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}]
        """
        solutions = self.query(bind_parameters(sparql, parameters))
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in solutions]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        target = ox.NamedNode(graph) if graph else None
        return self.store.quads_for_pattern(None, None, None, target)

    def match(self, subject: Term | None = None, predicate: ox.NamedNode | None = None,
              obj: Term | None = None, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """Quads matching a pattern (None = any). Code outside this module uses this, never `self.store` directly."""
        return self.store.quads_for_pattern(subject, predicate, obj, graph)

    def has_graph(self, iri: str) -> bool:
        try:
            return self.store.contains_named_graph(ox.NamedNode(iri))
        except ValueError:  # not an IRI at all
            return False

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.store)

    def quad_count(self) -> int:
        """`len(self)`, counted again only after a write of ours: counting scans the whole store, and /healthz and
        /metrics ask on every call. (Writes made to an external store behind our back are not seen until then.)"""
        generation = self.generation
        if self._counted is None or self._counted[0] != generation:
            self._counted = (generation, len(self))
        return self._counted[1]

    @cached_property
    def dataset(self) -> rdflib.Dataset:
        """The same store through rdflib (oxrdflib): `dataset.query(str)` still runs on Oxigraph.

        On an external store it is rdflib's SPARQLUpdateStore over the same endpoints."""
        if isinstance(self.store, RemoteStore):
            from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

            if self.read_only:
                remote = SPARQLStore(self.store.query_url)
            else:
                remote = SPARQLUpdateStore(self.store.query_url, self.store.update_url)
            dataset = rdflib.Dataset(store=remote, default_union=True)
        else:
            dataset = rdflib.Dataset(store=OxigraphStore(store=self.store), default_union=True)
        for name, iri in self.prefixes.items():
            dataset.bind(name, iri, override=True)
        return dataset

    def dump(self, syntax: ox.RdfFormat, graph: str | None = None) -> bytes:
        """Serialise the whole dataset (dataset syntaxes) or one graph / the union (triple syntaxes)."""
        if syntax.supports_datasets and graph is None:
            return self.store.dump(format=syntax, prefixes=self.prefixes)
        quads = self.quads(graph)
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        return ox.serialize(sorted(triples, key=str), format=syntax, prefixes=self.prefixes) or b""

    # ------------------------------------------------------------------ writing (all atomic)
    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction: all of them or, on any error, none."""
        quads = list(quads)
        with self._transaction(f"adding {len(quads):,} quads"):
            self.store.extend(quads)

    def load_native(self, files: list[tuple[Path, ox.RdfFormat]], *, to_graph: str | None = None) -> None:
        """Parse and load files inside Oxigraph (no Python object per quad), all of them or none.

        Into an empty on-disk store this is Oxigraph's bulk loader (what `oxigraph load` uses), and a failure empties
        the store again; otherwise one transaction per file, so several files into a non-empty store go through
        `add` instead (graph/loader.py decides). For big files without SHACL validation (`chainkg load --no-validate`).
        """
        target = ox.NamedNode(to_graph) if to_graph else None
        options = {"base_iri": self.settings.base_iri, "to_graph": target}
        with self._transaction(f"loading {len(files)} file(s) natively"):
            if isinstance(self.store, RemoteStore):
                for path, syntax in files:
                    self.store.load(Path(path).read_bytes(), format=syntax, **options)
            elif not self.settings.in_memory and self.is_empty():
                try:
                    for path, syntax in files:
                        self.store.bulk_load(path=str(path), format=syntax, **options)
                except BaseException:
                    self.store.clear()  # it was empty: all or nothing
                    raise
            else:
                for path, syntax in files:
                    self.store.load(path=str(path), format=syntax, **options)

    def is_empty(self) -> bool:
        return next(iter(self.match()), None) is None

    def replace_graphs(self, drop: Iterable[str], quads: list[ox.Quad], *, drop_default: bool = False) -> None:
        """Drop some graphs and add quads as one SPARQL update, so readers see the old or the new state, never half."""
        drop = sorted(set(drop))
        if isinstance(self.store, RemoteStore):  # chunked updates; see graph/remote.py on atomicity
            with self._transaction(f"replacing {len(drop) + drop_default} remote graph(s) by {len(quads):,} quads"):
                self.store.replace(drop, quads, drop_default=drop_default)
            return
        statements = [f"DROP SILENT GRAPH <{g}>" for g in drop]
        if drop_default:
            statements.append("DROP SILENT DEFAULT")
        if quads:
            statements.append("INSERT DATA { " + _as_update_data(quads) + " }")
        if statements:
            with self._transaction(f"replacing {len(drop) + drop_default} graph(s) by {len(quads):,} quads"):
                self.store.update(" ;\n".join(statements))

    def update(self, sparql_update: str) -> None:
        """Run a SPARQL update in one transaction; relative IRIs resolve against the base IRI."""
        with self._transaction("a SPARQL update"):
            self.store.update(sparql_update, prefixes=self.prefixes, base_iri=self.settings.base_iri)

    def backup(self, path: str | Path) -> None:
        """A consistent read-only copy of an on-disk store, as hard links: cheap, and independent of later writes."""
        with self._files:
            self.store.backup(str(path))

    @property
    def writing(self) -> bool:
        """True while a write is committing: it may be visible in the store before its generation shows."""
        return self._committing

    @contextmanager
    def _transaction(self, what: str) -> Iterator[None]:
        """One writer at a time; after the commit a new generation (snapshots made from then on hold the write),
        then a flush of the memtable to the store's files. The commit is in RocksDB's write-ahead log as soon as
        it returns, so a killed process loses nothing acknowledged; the log says when a write starts and ends."""
        with self._writing:
            started = time.perf_counter()
            log.info("write started: %s", what)
            self._committing = True
            try:
                yield
            finally:
                self.generation += 1  # after a failed write too: a needless snapshot is harmless
                self._committing = False
            if not self.settings.in_memory:
                with self._files:
                    self.store.flush()
            log.info("write committed: %s in %.0f ms", what, (time.perf_counter() - started) * 1000)


def bind_parameters(sparql: str, parameters: dict[str, Term]) -> str:
    """Replace each `$name` in a named query by a term written in SPARQL syntax.

    Oxigraph's own substitution only binds projected variables; `$name` parameters may appear anywhere. Terms are
    pyoxigraph objects, whose constructors reject malformed IRIs and whose `str()` escapes literals, so the
    result cannot smuggle syntax in.

    >>> bind_parameters("SELECT * WHERE { $entity ?p ?o }", {"entity": ox.NamedNode("http://example.org/a")})
    'SELECT * WHERE { <http://example.org/a> ?p ?o }'
    """
    for name, term in parameters.items():
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"parameter {name} must be a NamedNode or Literal, not {type(term).__name__}")
        sparql = re.sub(rf"\${re.escape(name)}\b", lambda _: str(term), sparql)
    return sparql


def _open_on_disk(path: Path) -> ox.Store:
    path.mkdir(parents=True, exist_ok=True)
    return ox.Store(str(path))


def _open_read_only(path: Path) -> ox.Store:
    if not (path / "CURRENT").is_file():  # RocksDB's marker of a database
        raise FileNotFoundError(f"no chainkg store in {path}: `chainkg serve` or `chainkg load --shipped` makes one")
    return ox.Store.read_only(str(path))


def _as_update_data(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of INSERT DATA: default-graph triples bare, the others inside GRAPH blocks."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        triple = f"{quad.subject} {quad.predicate} {quad.object} ."
        key = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        by_graph.setdefault(key, []).append(triple)
    parts = ["\n".join(by_graph.pop("", []))]
    parts += [f"GRAPH {g} {{\n" + "\n".join(triples) + "\n}" for g, triples in by_graph.items()]
    return "\n".join(parts)
