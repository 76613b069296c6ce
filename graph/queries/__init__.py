"""Named SPARQL queries and the one way to run them: one `.rq` file per question (its first comment line says which
question it answers), run by name with its parameters bound, answered as rows.

Routes, views and the CLI call them by name (`queries.rows(kg, "chain_view", chain=iri)`); no SPARQL lives
elsewhere, and nothing outside this module reads a query's text to run it (tests/test_layers.py). Prefixes are
predeclared by `KnowledgeGraph.query`, and relative IRIs such as `<graph/provenance>` resolve against the configured
base IRI. Two kinds of parameter:
- `$name` (a legal SPARQL variable, so every file runs as it is), filled by a keyword argument: an IRI
  (`ox.NamedNode`) or a literal (`ox.Literal`), written into the text in SPARQL syntax;
- the slot `VALUES ?node { UNDEF }`, filled by `nodes=`, a list of IRIs: the query then answers for those nodes
  only (each once, in the order given; none: no rows, and nothing runs). Without `nodes` the slot stays as it is
  and the query answers for every node.
A row is a dict of the columns bound in it (an unbound column is absent, never None).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:  # the store imports nothing from here, but type hints need not make a cycle either
    from chainkg.graph.store import KnowledgeGraph

HERE = Path(__file__).parent
VALUES_SLOT = "VALUES ?node { UNDEF }"
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]


@cache
def text(name: str) -> str:
    """The SPARQL text of a named query, as written (for showing and checking it; to run it, `rows` and the rest).

    >>> "SELECT" in text("entities_per_class")
    True
    """
    path = HERE / f"{name}.rq"
    if not path.is_file():
        raise KeyError(f"no named query {name!r} in {HERE}")
    return path.read_text(encoding="utf-8")


def names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.rq"))


def question(name: str) -> str:
    """The comment that says what a query answers."""
    first = text(name).splitlines()[0]
    return first.lstrip("# ").strip()


# ---------------------------------------------------------------------------------------------------- running them
def rows(kg: KnowledgeGraph, name: str, *, nodes: Iterable[str] | None = None, limit: int | None = None,
         **parameters: Term) -> list[Row]:
    """Rows of a named SELECT; with a `limit`, reading stops after that many (the rest is never computed when the
    query streams).

    >>> from chainkg.graph.store import KnowledgeGraph
    >>> kg = KnowledgeGraph.in_memory()
    >>> rows(kg, "labels_of", nodes=[]), rows(kg, "entity_statements", entity=ox.NamedNode("http://example.org/a"))
    ([], [])
    """
    return as_rows(solutions(kg, name, nodes=nodes, **parameters), limit)


def as_rows(found: ox.QuerySolutions | tuple[()], limit: int | None = None) -> list[Row]:
    """Solutions as rows: the one shape, for named queries and `KnowledgeGraph.select` alike."""
    if isinstance(found, tuple):
        return []
    columns = [v.value for v in found.variables]
    return [{c: row[c] for c in columns if row[c] is not None} for row in islice(found, limit)]


def solutions(kg: KnowledgeGraph, name: str, *, nodes: Iterable[str] | None = None,
              **parameters: Term) -> ox.QuerySolutions | tuple[()]:
    """A named SELECT's solutions as pyoxigraph gives them (`row["column"]` is None when unbound, `tuple(row)` in
    the query's column order): for the loops over tens of thousands of rows (the search index, every node's size
    figure), where making a dict per row shows. An empty `nodes` gives `()`."""
    found = run(kg, name, nodes=nodes, **parameters)
    if found is None:
        return ()
    if not isinstance(found, ox.QuerySolutions):
        raise TypeError(f"named query {name!r} is not a SELECT")
    return found


def ask(kg: KnowledgeGraph, name: str, **parameters: Term) -> bool:
    """The answer of a named ASK.

    >>> from chainkg.graph.store import KnowledgeGraph
    >>> ask(KnowledgeGraph.in_memory(), "entity_exists", entity=ox.NamedNode("http://example.org/a"))
    False
    """
    found = run(kg, name, **parameters)
    if not isinstance(found, ox.QueryBoolean):
        raise TypeError(f"named query {name!r} is not an ASK")
    return bool(found)


def triples(kg: KnowledgeGraph, name: str, **parameters: Term) -> list[ox.Triple]:
    """The triples of a named CONSTRUCT, each once, in a stable order."""
    return sorted(set(run(kg, name, **parameters)), key=str)


def run(kg: KnowledgeGraph, name: str, *, nodes: Iterable[str] | None = None,
        **parameters: Term) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | None:
    """Run a named query with its parameters bound; None when `nodes` is given but empty (nothing to ask about).
    Every named query of chainkg runs through here."""
    sparql = text(name)
    if nodes is not None:
        sparql = _with_nodes(name, sparql, nodes)
        if sparql is None:
            return None
    return kg.query(bind(sparql, parameters))


def _with_nodes(name: str, sparql: str, nodes: Iterable[str]) -> str | None:
    if VALUES_SLOT not in sparql:
        raise ValueError(f"named query {name!r} has no {VALUES_SLOT} slot")
    terms = " ".join(str(ox.NamedNode(n)) for n in dict.fromkeys(nodes))
    return sparql.replace(VALUES_SLOT, "VALUES ?node { " + terms + " }") if terms else None


def bind(sparql: str, parameters: dict[str, Term]) -> str:
    """Replace each `$name` in a query by a term written in SPARQL syntax.

    Oxigraph's own substitution only binds projected variables; `$name` parameters may appear anywhere. Terms are
    pyoxigraph objects, whose constructors reject malformed IRIs and whose `str()` escapes literals, so the
    result cannot smuggle syntax in.

    >>> bind("SELECT * WHERE { $entity ?p ?o }", {"entity": ox.NamedNode("http://example.org/a")})
    'SELECT * WHERE { <http://example.org/a> ?p ?o }'
    >>> bind("SELECT * WHERE { ?s ?p $o }", {"o": ox.Literal('say "}" DROP ALL')})
    'SELECT * WHERE { ?s ?p "say \\\\"}\\\\" DROP ALL" }'
    """
    for key, term in parameters.items():
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise TypeError(f"parameter {key} must be a NamedNode or Literal, not {type(term).__name__}")
        sparql = re.sub(rf"\${re.escape(key)}\b", lambda _: str(term), sparql)
    return sparql

