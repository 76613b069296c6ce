"""The SPARQL 1.1 Protocol's meaning, without HTTP: which dataset a request queries, what it may reach, where it runs.

`api/sparql.py` turns HTTP into calls of `SparqlService.query` and `.update`; the dataset rules and the refusals
live here so that every entry point (the endpoint, the Graph Store routes, the CLI) applies the same ones.
- The default graph is the union of all graphs, unless the request names a dataset: `default-graph-uri` /
  `named-graph-uri` parameters win over `FROM` / `FROM NAMED` in the query (SPARQL 1.1 Protocol §2.1.4).
- Nothing reaches outside the store unless the settings' allow-list names it (graph.guard), and whatever runs
  the text cannot open a network socket unless the guard found allowed IRIs only (graph.sandbox, graph.engine).
- Queries run on the engine (graph.engine) with the time limit and row cap of the settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chainkg.graph import guard
from chainkg.graph.engine import Engine, QueryFailed
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.worker import Answer, Job

__all__ = ["Answer", "QueryFailed", "SparqlService", "Request", "NotAQuery"]


class NotAQuery(ValueError):
    """The text is an update where a query was expected, or the other way round, or neither."""


@dataclass(frozen=True)
class Request:
    """A protocol request: the text and the dataset parameters that came with it."""

    text: str
    default_graphs: Sequence[str] = ()
    named_graphs: Sequence[str] = ()


SCAN_INLINE_CHARS = 2000  # scanned in place (≤ ~10 ms); longer texts are scanned in a worker


class TripleTermRefused(ValueError):
    """An update that would write RDF 1.2 triple terms, which chainkg does not store (README)."""


# Tokens through which SPARQL 1.2 writes triple terms: `<<( … )>>` and `<< … >>` (two adjacent `<`), the
# annotation `{| … |}`, the reifier `~`, and the TRIPLE() function.
def _writes_triple_terms(text: str) -> bool:
    """True when an update's text uses any SPARQL 1.2 syntax that makes a triple term (strings and IRIs aside).

    >>> _writes_triple_terms("INSERT DATA { <a:s> <a:p> <<( <a:s> <a:p> <a:o> )>> }")
    True
    >>> _writes_triple_terms("INSERT DATA { <a:s> <a:p> '<<( {| ~ TRIPLE(' }"), _writes_triple_terms("DELETE WHERE { ?s ?p ?o }")
    (False, False)
    """
    toks = guard.tokens(text)
    for this, following in zip(toks, toks[1:] + [None]):
        adjacent = following is not None and following.start == this.start + len(this.text)
        if this.kind == "other" and this.text == "~":
            return True
        if adjacent and this.text == "<" and following.text.startswith("<"):
            return True
        if adjacent and this.text == "{" and following.text.startswith("|"):
            return True
        if this.kind == "word" and this.text.upper() == "TRIPLE" and following is not None and following.text == "(":
            return True
    return False


class SparqlService:
    """Queries and updates on one knowledge graph, with the settings' limits and refusals."""

    def __init__(self, kg: KnowledgeGraph, engine: Engine) -> None:
        self.kg = kg
        self.engine = engine
        self.policy = guard.Policy(kg.settings.allowed_remote, self._graph_exists, kg.settings.max_query_depth)

    def inspect(self, request: Request) -> guard.Shape:
        """What the request is; raises guard.Refused or NotAQuery before anything runs.

        A text longer than SCAN_INLINE_CHARS is scanned in a query worker (worker.ScanJob): its sender waits for a
        worker like any query, and the serving process's event loop never competes with the scan for the GIL."""
        if len(request.text) <= SCAN_INLINE_CHARS:
            found = guard.shape(request.text, self.kg.prefixes, self.kg.settings.base_iri)
        else:
            found = self.engine.scan(request.text)
            if isinstance(found, tuple):  # ("malformed", code, message)
                raise guard.Malformed(found[1], found[2])
        self.policy.check(found, default_graphs=request.default_graphs, named_graphs=request.named_graphs)
        return found

    def query(self, request: Request, media_type: str, found: guard.Shape | None = None) -> Answer:
        """Run a query on the engine, serialised as `media_type` (already negotiated for its form)."""
        return self.engine.run(self._job(request, media_type, found or self.inspect(request)))

    async def query_async(self, request: Request, media_type: str, found: guard.Shape) -> Answer:
        """`query` from the event loop, for a request already inspected: the engine decides whether the job goes
        from the loop to an idle worker (a light query) or through a thread (Engine.run_async)."""
        return await self.engine.run_async(self._job(request, media_type, found), found.light)

    def _job(self, request: Request, media_type: str, found: guard.Shape) -> Job:
        if found.is_update:
            raise NotAQuery("this is an update; send it as an update (POST with update= or application/sparql-update)")
        settings = self.kg.settings
        protocol_dataset = bool(request.default_graphs or request.named_graphs)
        return Job(
            text=request.text,
            media_type=media_type,
            union=not (found.has_dataset or protocol_dataset),
            # named-graph-uri alone leaves the default graph empty, as the protocol says.
            default_graphs=tuple(request.default_graphs) if protocol_dataset else None,
            named_graphs=tuple(request.named_graphs) if protocol_dataset else None,
            max_rows=settings.max_rows,
            timeout_s=settings.query_timeout_s,
            network=bool(found.service),  # the policy allowed every one; elsewhere the fence forbids sockets
        )

    def update(self, text: str, using: Sequence[str] = (), using_named: Sequence[str] = ()) -> None:
        """Run an update in one transaction (all of it or nothing); the caller has checked the write token."""
        found = self.inspect(Request(text, using, using_named))
        if not found.is_update:
            raise NotAQuery("this is a query; send it as a query (query= or application/sparql-query)")
        if _writes_triple_terms(text):
            raise TripleTermRefused("RDF 1.2 triple terms (<<( … )>>, << … >>, {| … |}, ~, TRIPLE()) are not accepted "
                                    "in updates: chainkg stores none (a statement's provenance is its named graph)")
        text = guard.add_using(text, list(using), list(using_named))
        network = bool(found.service or found.load)  # the policy allowed every one; elsewhere sockets are fenced
        # in a worker first: a text that crashes the parser must not reach this process; then on a fenced thread
        self.engine.check_update(text, network=network)
        try:
            self.engine.update(text, network=network)
        except SyntaxError as error:
            raise QueryFailed("syntax", str(error)) from None
        except OSError as error:
            raise QueryFailed("store", str(error)) from None

    def _graph_exists(self, iri: str) -> bool:
        return self.kg.has_graph(iri)


def is_update_text(text: str) -> bool:
    """True when the text's first keyword makes it an update (for routes that accept both on one URL).

    >>> is_update_text("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }"), is_update_text("ASK {}")
    (True, False)
    """
    return guard.shape(text, {}, "").is_update
