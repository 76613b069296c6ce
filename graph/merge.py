"""The default graph as an RDF merge: every triple of every named graph once, kept in step on every write.

A fact quoted by several sentences sits in several evidence graphs. Oxigraph's (and Virtuoso's) union default graph
is a bag, so it came back once per graph and every COUNT without DISTINCT was wrong. The SPARQL dataset the service
describes (`sd:UnionDefaultGraph`) is an RDF merge, so chainkg materialises one:
- on the embedded store it *is* Oxigraph's real default graph, and queries run without the union option, so
  `?s ?p ?o` sees each triple once and `GRAPH ?g` still sees every source (Oxigraph's default graph is not named);
- on an external store it is the named graph `<base>graph/merge`, which queries get as their default graph.
chainkg's own default graph (what an update without GRAPH, or the Graph Store's `?default`, writes) is the named
graph `<base>graph/default` on both backends, so the merge is derived data that only this module writes.

Every write names the graphs it may change; their old triples are put aside in a scratch graph, the write runs,
then triples put aside that no named graph holds any more leave the merge and the changed graphs' triples enter it,
all in the same SPARQL update (one transaction on the embedded store). An update whose graphs cannot be told from
its text (`GRAPH ?g` in a template, `CLEAR ALL`) re-derives the merge from every graph. This module writes SPARQL
text only; graph/store.py runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

from chainkg.graph import guard
from chainkg.graph.guard import Token

OWN_PATH = "graph/default"  # chainkg's own default graph, under the base IRI (the name graph/remote.py used)
MERGE_PATH = "graph/merge"  # the merge on an external store
PENDING_PATH = "graph/merge-pending"  # scratch, within one write


@dataclass(frozen=True)
class Layout:
    """Where the merge and chainkg's own default graph live on one backend.

    >>> layout = Layout("https://w3id.org/chainkg/", remote=False)
    >>> layout.merged("?s ?p ?o"), Layout("http://b/", remote=True).merged("?s ?p ?o")
    ('?s ?p ?o', 'GRAPH <http://b/graph/merge> { ?s ?p ?o }')
    """

    base_iri: str
    remote: bool

    @property
    def own(self) -> str:
        return self.base_iri + OWN_PATH

    @property
    def merge(self) -> str | None:
        """The merge's graph IRI; None on the embedded store, where it is the unnamed default graph."""
        return self.base_iri + MERGE_PATH if self.remote else None

    @property
    def pending(self) -> str:
        return self.base_iri + PENDING_PATH

    @property
    def hidden(self) -> frozenset[str]:
        """Graphs that are not sources: never listed, never counted, never shown as evidence."""
        return frozenset(g for g in (self.merge, self.pending) if g)

    def merged(self, pattern: str) -> str:
        """A triple pattern or template in the merge."""
        return f"GRAPH <{self.merge}> {{ {pattern} }}" if self.merge else pattern

    def sources(self, variable: str) -> str:
        """A filter keeping `variable` to graphs that are sources."""
        return f"FILTER({variable} NOT IN ({', '.join(f'<{g}>' for g in sorted(self.hidden))}))"

    def in_no_source(self) -> str:
        """A condition on ?s ?p ?o: no source graph holds the triple. Oxigraph looks each triple up (NOT EXISTS);
        Virtuoso 7.2 fails a filtered NOT EXISTS in an update (SR016 "Function length …"), so it gets MINUS."""
        sources = f"GRAPH ?h {{ ?s ?p ?o }} {self.sources('?h')}"
        return f"MINUS {{ {sources} }}" if self.remote else f"FILTER NOT EXISTS {{ {sources} }}"

    # ------------------------------------------------------------------ SPARQL text of a write
    def before(self, graphs: Iterable[str] | None) -> list[str]:
        """Operations that put aside what the graphs hold now (nothing for a full re-derivation)."""
        if graphs is None:
            return []
        values = _values(graphs)
        if not values:
            return []
        return [f"INSERT {{ GRAPH <{self.pending}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?g {{ {values} }} "
                f"GRAPH ?g {{ ?s ?p ?o }} }}"]

    def after(self, graphs: Iterable[str] | None) -> list[str]:
        """Operations that bring the merge in step once the graphs have changed (None: any graph may have)."""
        if graphs is None:
            return self.rebuild()
        values = _values(graphs)
        if not values:
            return []
        return [
            f"DELETE {{ {self.merged('?s ?p ?o')} }} WHERE {{ GRAPH <{self.pending}> {{ ?s ?p ?o }} "
            f"{self.in_no_source()} }}",
            f"DROP SILENT GRAPH <{self.pending}>",
            f"INSERT {{ {self.merged('?s ?p ?o')} }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
        ]

    def rebuild(self) -> list[str]:
        """Operations that re-derive the merge from every source graph (a scan of the store)."""
        return [
            f"DROP SILENT GRAPH <{self.pending}>",
            f"DELETE {{ {self.merged('?s ?p ?o')} }} WHERE {{ {self.merged('?s ?p ?o')} {self.in_no_source()} }}",
            f"INSERT {{ {self.merged('?s ?p ?o')} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self.sources('?g')} "
            f"FILTER NOT EXISTS {{ {self.merged('?s ?p ?o')} }} }}",
        ]

    def around(self, operations: list[str], graphs: Iterable[str] | None) -> list[tuple[str, bool]]:
        """Write operations with the merge kept in step, as update requests: one on the embedded store (one
        transaction); on an external store one request per operation (Virtuoso 7.2 fails a large INSERT DATA, or a
        DELETE that deletes, followed by more operations in one request), which is not atomic there anyway. Each
        request comes with True when it is the merge's bookkeeping, which an external store must run without
        chainkg's default graph as the request's (Virtuoso then matches `GRAPH <iri>` nowhere)."""
        graphs = None if graphs is None else sorted(set(graphs))
        before, after = self.before(graphs), self.after(graphs)
        if not self.remote:
            return [(" ;\n".join([*before, *operations, *after]), False)]
        # one request each (Virtuoso 7.2 fails some sequences, SR016); True marks the merge's own bookkeeping
        return [*((t, True) for t in before), *((t, False) for t in operations), *((t, True) for t in after)]

    def update(self, text: str, prefixes: dict[str, str], base_iri: str) -> list[tuple[str, bool]]:
        """A user's update, its bare default-graph writes sent to chainkg's own graph (embedded store; an external
        store does that itself through the request's default-graph-uri), then the merge kept in step."""
        if not self.remote:
            text = redirect_default(text, self.own)
        graphs = written_graphs(text, prefixes, base_iri)
        if graphs is not None:
            graphs = graphs | {self.own}
        return self.around([_without_final_semicolon(text)], graphs)


def _values(graphs: Iterable[str]) -> str:
    return " ".join(f"<{g}>" for g in graphs)


# ---------------------------------------------------------------------------------------------- reading an update
_DATA_BLOCK = {("INSERT", "DATA"), ("DELETE", "DATA"), ("DELETE", "WHERE")}


def _upper(token: Token) -> str:
    return token.text.upper() if token.kind == "word" else ""


def operations(toks: list[Token]) -> list[tuple[int, int]]:
    """(first, end) token indexes of each operation: the request split at its top-level semicolons."""
    spans, depth, first = [], 0, 0
    for i, tok in enumerate(toks):
        if tok.kind == "other" and tok.text in guard.OPENING:
            depth += 1
        elif tok.kind == "other" and tok.text in guard.CLOSING:
            depth -= 1
        elif depth == 0 and tok.text == ";":
            spans.append((first, i))
            first = i + 1
    spans.append((first, len(toks)))
    return [(a, b) for a, b in spans if a < b]


def _verb(toks: list[Token], first: int, end: int) -> int | None:
    """Index of the operation's first keyword after its PREFIX and BASE declarations."""
    i = first
    while i < end:
        word = _upper(toks[i])
        if word == "PREFIX":
            i += 3
        elif word == "BASE":
            i += 2
        else:
            return i if word else None
    return None


def _closing(toks: list[Token], opening: int) -> int:
    depth = 0
    for i in range(opening, len(toks)):
        if toks[i].kind == "other" and toks[i].text in guard.OPENING:
            depth += 1
        elif toks[i].kind == "other" and toks[i].text in guard.CLOSING:
            depth -= 1
            if depth == 0:
                return i
    return len(toks) - 1


def _end(token: Token) -> int:
    return token.start + len(token.text)


def redirect_default(text: str, own: str) -> str:
    """The update with every write to (and match in) the bare default graph aimed at the graph `own` instead.

    >>> redirect_default("INSERT DATA { <a> <b> <c> . GRAPH <g> { <d> <e> <f> } }", "urn:own")
    'INSERT DATA { GRAPH <urn:own> { <a> <b> <c> . } GRAPH <g> { <d> <e> <f> } }'
    >>> redirect_default("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; CLEAR DEFAULT", "urn:own")
    'WITH <urn:own> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; CLEAR GRAPH <urn:own>'
    """
    toks = guard.tokens(text)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the text
    for first, end in operations(toks):
        verb = _verb(toks, first, end)
        if verb is None:
            continue
        word = _upper(toks[verb])
        following = _upper(toks[verb + 1]) if verb + 1 < end else ""
        if (word, following) in _DATA_BLOCK and verb + 2 < end and toks[verb + 2].text == "{":
            edits += _wrap_bare(toks, verb + 2, own)
        elif word in ("INSERT", "DELETE"):
            edits.append((toks[verb].start, toks[verb].start, f"WITH <{own}> "))
        elif word == "LOAD" and not any(_upper(t) == "INTO" for t in toks[verb:end]):
            edits.append((_end(toks[end - 1]), _end(toks[end - 1]), f" INTO GRAPH <{own}>"))
        elif word in ("CLEAR", "DROP", "ADD", "MOVE", "COPY"):
            graph_word = "GRAPH " if word in ("CLEAR", "DROP") else ""
            edits += [(t.start, _end(t), f"{graph_word}<{own}>") for t in toks[verb:end] if _upper(t) == "DEFAULT"]
    for start, stop, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[stop:]
    return text


def _wrap_bare(toks: list[Token], opening: int, own: str) -> list[tuple[int, int, str]]:
    """Edits wrapping the triples of a quad block that sit outside any GRAPH block in `GRAPH <own> { … }`."""
    closing = _closing(toks, opening)
    edits, run, i = [], [], opening + 1
    while i < closing:
        if _upper(toks[i]) == "GRAPH":
            edits += _wrapped(run, own)
            run = []
            brace = i + 2
            i = _closing(toks, brace) + 1
            if i < closing and toks[i].text == ".":
                i += 1
            continue
        if toks[i].kind == "other" and toks[i].text in guard.OPENING:
            inner_end = _closing(toks, i)
            run += toks[i:inner_end + 1]
            i = inner_end + 1
            continue
        run.append(toks[i])
        i += 1
    return edits + _wrapped(run, own)


def _wrapped(run: list[Token], own: str) -> list[tuple[int, int, str]]:
    if not any(t.text != "." for t in run):
        return []
    return [(run[0].start, run[0].start, f"GRAPH <{own}> {{ "), (_end(run[-1]), _end(run[-1]), " }")]


def written_graphs(text: str, prefixes: dict[str, str], base_iri: str) -> set[str] | None:
    """The graphs an update may change, over-approximated from its text; None when it cannot be told.

    >>> sorted(written_graphs("PREFIX g: <urn:g:> DROP GRAPH g:a ; COPY <urn:b> TO GRAPH <urn:c>", {}, ""))
    ['urn:b', 'urn:c', 'urn:g:a']
    >>> written_graphs("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", {}, "") is None
    True
    """
    toks = guard.tokens(text)
    prefixes, base = dict(prefixes), base_iri
    found: set[str] = set()
    for i, tok in enumerate(toks):
        word = _upper(tok)
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = _resolve(toks[i + 2].text[1:-1], base)
        elif word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = _resolve(toks[i + 1].text[1:-1], base)
        elif word in ("ALL", "NAMED") and i and _upper(toks[i - 1]) in ("CLEAR", "DROP", "SILENT"):
            return None
        elif word in ("GRAPH", "WITH", "TO", "ADD", "MOVE", "COPY") and i + 1 < len(toks):
            target = toks[i + 1]
            if _upper(target) in ("SILENT", "GRAPH", "DEFAULT"):
                continue  # the next keyword's turn, or chainkg's own graph (always included)
            if target.kind == "var":
                return None
            iri = _iri(target, prefixes, base)
            if iri is not None:
                found.add(iri)
    return found


def _iri(token: Token, prefixes: dict[str, str], base: str) -> str | None:
    if token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(guard._LOCAL_ESC, lambda m: m.group()[1:], local)
    return None


def _resolve(iri: str, base: str) -> str:
    return urljoin(base, iri) if base else iri


def _without_final_semicolon(text: str) -> str:
    toks = guard.tokens(text)
    if toks and toks[-1].text == ";":
        return text[:toks[-1].start] + text[_end(toks[-1]):]
    return text


def graph_constants_as_variables(text: str, hidden: Iterable[str] = ()) -> str:
    """A query as an external store queried with the merge as its default graph needs it. Virtuoso 7.2 then matches
    `GRAPH ?g` in every graph, the merge included, but `GRAPH <iri>` in none. So `GRAPH <iri> { P }` names its graph
    through a variable (P's variables projected by a subquery, so `SELECT *` shows no new one), and `GRAPH ?g { P }`
    is kept off the `hidden` graphs (the merge is no source).

    >>> graph_constants_as_variables("SELECT * WHERE { GRAPH <g> { ?s ?p 1 } }")
    'SELECT * WHERE { { SELECT ?s ?p WHERE { GRAPH ?chainkg_graph_0 { ?s ?p 1 } FILTER(?chainkg_graph_0 = <g>) } } }'
    >>> graph_constants_as_variables("ASK { GRAPH <g> { <a> <b> <c> } }")
    'ASK { FILTER EXISTS { GRAPH ?chainkg_graph_0 { <a> <b> <c> } FILTER(?chainkg_graph_0 = <g>) } }'
    >>> graph_constants_as_variables("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", ["urn:merge"])
    'SELECT ?g WHERE { { GRAPH ?g { ?s ?p ?o } FILTER(?g NOT IN (<urn:merge>)) } }'
    """
    toks = guard.tokens(text)
    hidden = sorted(hidden)
    edits, i, number = [], 0, 0
    while i < len(toks):
        if (_upper(toks[i]) == "GRAPH" and i + 2 < len(toks) and toks[i + 1].kind in ("iri", "pname", "var")
                and toks[i + 2].text == "{"):
            closing = _closing(toks, i + 2)
            if toks[i + 1].kind == "var":
                if hidden:
                    keep = f"FILTER({toks[i + 1].text} NOT IN ({', '.join(f'<{g}>' for g in hidden)}))"
                    edits += [(toks[i].start, toks[i].start, "{ "), (_end(toks[closing]), _end(toks[closing]), f" {keep} }}")]
                i += 3  # GRAPH blocks inside may name constants
                continue
            body = text[toks[i + 2].start + 1:toks[closing].start]
            names = list(dict.fromkeys(t.text[1:] for t in toks[i + 3:closing] if t.kind == "var"))
            variable = f"?chainkg_graph_{number}"
            inner = f"GRAPH {variable} {{{body}}} FILTER({variable} = {toks[i + 1].text})"
            if names:
                replacement = f"{{ SELECT {' '.join('?' + n for n in names)} WHERE {{ {inner} }} }}"
            else:
                replacement = f"FILTER EXISTS {{ {inner} }}"
            edits.append((toks[i].start, _end(toks[closing]), replacement))
            number += 1
            i = closing + 1
            continue
        i += 1
    for start, stop, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[stop:]
    return text
