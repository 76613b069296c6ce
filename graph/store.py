"""The knowledge graph: one Oxigraph store (on disk by default, in memory for tests) seen two ways.

`KnowledgeGraph.query` hands SPARQL straight to Oxigraph (the fast path the endpoint and the views use);
`KnowledgeGraph.dataset` is the same store as an rdflib `Dataset` for code that wants rdflib's API. The default
graph of every query is the RDF merge of all graphs (each triple once, graph/merge.py), so facts are visible without
naming their evidence graph; chainkg's own default graph (`DefaultGraph()` in `add`, `match` and the Graph Store)
is the named graph `<base>graph/default` underneath, on both backends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
import rdflib
from oxrdflib import OxigraphStore

from chainkg.graph import formats, merge, queries, remote
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
        self.layout = merge.Layout(settings.base_iri, remote=bool(settings.remote))
        self.own = ox.NamedNode(self.layout.own)  # chainkg's own default graph
        self.merged = ox.DefaultGraph() if self.layout.merge is None else ox.NamedNode(self.layout.merge)
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
        if not read_only and not settings.remote:  # an external store is brought in step by loader.load_shipped
            self.ensure_merged()

    @classmethod
    def in_memory(cls, **overrides: object) -> KnowledgeGraph:
        """An empty in-memory graph with default settings, for tests and doctests.

        >>> kg = KnowledgeGraph.in_memory()
        >>> len(kg)
        0
        """
        return cls(Settings(store=":memory:", **overrides))

    # ------------------------------------------------------------------ reading
    def query(self, sparql: str, **options: object) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL on Oxigraph with chainkg's prefixes predeclared; the default graph is the merge of all graphs.

        On an external store (setting remote_query_url) CONSTRUCT and DESCRIBE give a list of `ox.Triple`."""
        if isinstance(self.merged, ox.NamedNode) and "default_graph" not in options:
            options["default_graph"] = [self.merged]
        return self.store.query(sparql, prefixes=self.prefixes, base_iri=self.settings.base_iri, **options)

    def select(self, sparql: str) -> list[dict[str, Term]]:
        """Rows of an ad-hoc SELECT as dicts (notebooks, tests); named queries run by name through graph.queries.

        >>> kg = KnowledgeGraph.in_memory()
        >>> kg.select("SELECT ?x WHERE { BIND('甲' AS ?x) }")
        [{'x': <Literal value=甲 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}]
        """
        return queries.as_rows(self.query(sparql))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        target = ox.NamedNode(graph) if graph else None
        return self.match(None, None, None, target)

    def match(self, subject: Term | None = None, predicate: ox.NamedNode | None = None,
              obj: Term | None = None, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> Iterator[ox.Quad]:
        """Quads of the source graphs matching a pattern (None = any), chainkg's own default graph as
        `DefaultGraph()`; the merge is not a source and never listed. Code outside this module uses this, never
        `self.store` directly."""
        if isinstance(self.store, RemoteStore):  # it hides the merge and names chainkg's default graph itself
            return self.store.quads_for_pattern(subject, predicate, obj, graph)
        if isinstance(graph, ox.DefaultGraph):
            graph = self.own
        quads = self.store.quads_for_pattern(subject, predicate, obj, graph)
        if graph is not None:
            return (self._as_source(q) for q in quads) if graph == self.own else quads
        hidden = self.layout.hidden
        return (self._as_source(q) for q in quads
                if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in hidden)

    def _as_source(self, quad: ox.Quad) -> ox.Quad:
        if quad.graph_name == self.own:
            return ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())
        return quad

    def has_graph(self, iri: str) -> bool:
        if iri in self.layout.hidden or iri == self.own.value:
            return False
        try:
            return self.store.contains_named_graph(ox.NamedNode(iri))
        except ValueError:  # not an IRI at all
            return False

    def graph_names(self) -> list[str]:
        skip = self.layout.hidden | {self.own.value}
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in skip)

    def __len__(self) -> int:
        """Quads in the source graphs (chainkg's own default graph included, the merge not)."""
        if isinstance(self.store, RemoteStore):
            return len(self.store)
        rows = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                f"{self.layout.sources('?g')} }}")
        return int(next(iter(rows))["n"].value)

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
            # Oxigraph's own default graph is already the merge of all graphs; its union would be a bag
            dataset = rdflib.Dataset(store=OxigraphStore(store=self.store), default_union=False)
        for name, iri in self.prefixes.items():
            dataset.bind(name, iri, override=True)
        return dataset

    def dump(self, syntax: ox.RdfFormat, graph: str | None = None) -> bytes:
        """Serialise the whole dataset (dataset syntaxes) or one graph / the merge (triple syntaxes)."""
        if syntax.supports_datasets and graph is None:
            return ox.serialize(self.match(), format=syntax, prefixes=self.prefixes) or b""
        quads = self.quads(graph)
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        return ox.serialize(sorted(triples, key=str), format=syntax, prefixes=self.prefixes) or b""

    # ------------------------------------------------------------------ writing (all atomic)
    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction: all of them or, on any error, none; their triples join the merge."""
        quads = list(quads)
        with self._transaction(f"adding {len(quads):,} quads"):
            self.store.extend(self._with_merge(quads))

    def _with_merge(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        """Each quad (chainkg's default graph named) and its triple in the merge: what an insert writes."""
        own, merged = self.own, self.merged
        for q in quads:
            graph = own if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
            yield ox.Quad(q.subject, q.predicate, q.object, graph)
            yield ox.Quad(q.subject, q.predicate, q.object, merged)

    def load_native(self, files: list[tuple[Path, ox.RdfFormat]], *, to_graph: str | None = None) -> None:
        """Parse and load files inside Oxigraph (no Python object per quad), all of them or none.

        Into an empty on-disk store this is Oxigraph's bulk loader (what `oxigraph load` uses), and a failure empties
        the store again; otherwise one transaction per file, so several files into a non-empty store go through
        `add` instead (graph/loader.py decides). For big files without SHACL validation (`chainkg load --no-validate`).
        """
        target = ox.NamedNode(to_graph) if to_graph else None
        with self._transaction(f"loading {len(files)} file(s) natively"):
            if not self.settings.in_memory and not isinstance(self.store, RemoteStore) and self.is_empty():
                try:  # each quad and its merged triple in one pass of the bulk loader: ~1.2× a plain bulk load
                    for path, syntax in files:
                        self.store.bulk_extend(self._with_merge(self._parsed(path, syntax, target)))
                except BaseException:
                    self.store.clear()  # it was empty: all or nothing
                    raise
            else:
                for path, syntax in files:
                    self.store.extend(self._with_merge(self._parsed(path, syntax, target)))

    def _parsed(self, path: Path, syntax: ox.RdfFormat, target: ox.NamedNode | None) -> Iterator[ox.Quad]:
        quads = ox.parse(path=str(path), format=syntax, base_iri=self.settings.base_iri)
        if target is None:
            return quads
        return (ox.Quad(q.subject, q.predicate, q.object, target) for q in quads)

    def is_empty(self) -> bool:
        return next(iter(self.match()), None) is None

    def replace_graphs(self, drop: Iterable[str], quads: list[ox.Quad], *, drop_default: bool = False) -> None:
        """Drop some graphs and add quads as one SPARQL update, so readers see the old or the new state, never half."""
        drop = sorted(set(drop) | ({self.own.value} if drop_default else set()))
        quads = [q if not isinstance(q.graph_name, ox.DefaultGraph) else ox.Quad(q.subject, q.predicate, q.object, self.own)
                 for q in quads]
        graphs = set(drop) | {q.graph_name.value for q in quads}
        if isinstance(self.store, RemoteStore):  # chunked updates; see graph/remote.py on atomicity
            with self._transaction(f"replacing {len(drop)} remote graph(s) by {len(quads):,} quads"):
                self.store.replace(drop, quads, layout=self.layout)
            return
        statements = [f"DROP SILENT GRAPH <{g}>" for g in drop]
        if quads:
            statements.append(formats.insert_data(quads))
        if statements:
            with self._transaction(f"replacing {len(drop)} graph(s) by {len(quads):,} quads"):
                [(text, _)] = self.layout.around(statements, graphs)
                self.store.update(text)

    def update(self, sparql_update: str) -> None:
        """Run a SPARQL update in one transaction, the merge kept in step; relative IRIs resolve against the base
        IRI. Its bare default-graph writes go to chainkg's own default graph (graph/merge.py)."""
        if isinstance(self.store, RemoteStore):  # a malformed update must not leave the merge's bookkeeping half done
            remote.check_update_syntax(sparql_update, self.prefixes, self.settings.base_iri)
        requests = self.layout.update(sparql_update, self.prefixes, self.settings.base_iri)
        with self._transaction("a SPARQL update"):
            if not isinstance(self.store, RemoteStore):
                [(text, _)] = requests
                self.store.update(text, prefixes=self.prefixes, base_iri=self.settings.base_iri)
                return
            failed: BaseException | None = None
            for text, bookkeeping in requests:  # the merge is brought in step even after a failed write
                if bookkeeping:
                    self.store.maintain(text)
                elif failed is None:
                    try:
                        self.store.update(text, prefixes=self.prefixes, base_iri=self.settings.base_iri)
                    except BaseException as error:  # noqa: BLE001 - raised again below
                        failed = error
            if failed is not None:
                raise failed

    def ensure_merged(self) -> bool:
        """Bring a store written before the merge existed into the layout of graph/merge.py; True if it did.

        Such a store is told by a triple of a named graph missing from the merge (in this layout every one is there):
        its bare default-graph triples become chainkg's own default graph, then the merge is derived."""
        sample = next((q for g in self.store.named_graphs() if g.value not in self.layout.hidden
                       for q in self.store.quads_for_pattern(None, None, None, g)), None)
        if sample is None or any(True for _ in self.store.quads_for_pattern(
                sample.subject, sample.predicate, sample.object, self.merged)):
            return False
        statements = [] if self.layout.remote else [f"ADD DEFAULT TO <{self.own.value}>", "DROP SILENT DEFAULT"]
        with self._transaction("deriving the default graph as the merge of all graphs"):
            for text, _ in self.layout.around(statements, None):
                self.store.update(text) if not self.layout.remote else self.store.maintain(text)
        return True

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


def _open_on_disk(path: Path) -> ox.Store:
    path.mkdir(parents=True, exist_ok=True)
    return ox.Store(str(path))


def _open_read_only(path: Path) -> ox.Store:
    if not (path / "CURRENT").is_file():  # RocksDB's marker of a database
        raise FileNotFoundError(f"no chainkg store in {path}: `chainkg serve` or `chainkg load --shipped` makes one")
    return ox.Store.read_only(str(path))
