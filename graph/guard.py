"""What a SPARQL request is and whether it may run, decided on its tokens before any engine sees it.

Both engines reach outside silently: pyoxigraph follows `SERVICE` and `LOAD <http…>` with real HTTP requests, and
neither has a switch to stop it (see ../shared/ENGINE-NOTES.md). So every query and update is scanned here first:
its form (SELECT, ASK, CONSTRUCT, DESCRIBE or an update), the IRIs it names in `SERVICE`, `LOAD`, `FROM`,
`FROM NAMED`, `USING` and `WITH`, and it is refused unless the settings allow what it would reach.

The scanner is a SPARQL 1.1 tokenizer (strings, IRIs, comments, prefixed names with their escapes), not a parser:
Oxigraph still parses and reports syntax errors. It only has to agree with Oxigraph on which words are keywords,
and where it cannot tell it errs towards refusing: a bare word that merely contains SERVICE or LOAD counts as one.
It is the first of two fences: the processes and threads that run user SPARQL cannot open a network socket at all
(graph/sandbox.py), whatever the scanner missed. Oxigraph does not pre-process `\\u` escapes, so neither do we:
doing it here would let an escaped quote open a "string" that hides a real keyword.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin as _urljoin

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_VERBS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

_PN_CHARS_BASE = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040\\-"
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PERCENT = r"%[0-9A-Fa-f]{2}"
_PREFIX = rf"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?"
_LOCAL = rf"(?:(?:[{_PN_CHARS}:]|{_PERCENT}|{_LOCAL_ESC})(?:(?:[{_PN_CHARS}.:]|{_PERCENT}|{_LOCAL_ESC})*(?:[{_PN_CHARS}:]|{_PERCENT}|{_LOCAL_ESC}))?)?"

_TOKEN_PARTS = [
    r"(?P<space>\s+)",
    r"(?P<comment>\#[^\r\n]*)",
    r"""(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")""",
    r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)""",
    rf"(?P<bnode>_:[{_PN_CHARS_BASE}_0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
    rf"(?P<var>[?$][{_PN_CHARS_BASE}_0-9][{_PN_CHARS_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
    rf"(?P<word>[A-Za-z][A-Za-z0-9_]*+)(?![{_PN_CHARS}.:])",  # the common case of a run, below: a plain word
    # a run of name characters that cannot be a prefix: not followed by ':', or ending in '.' (as no prefix does)
    rf"(?P<run>[{_PN_CHARS_BASE}][{_PN_CHARS}.]*+)(?:(?!:)|(?<=\.))",
    rf"(?P<pname>{_PREFIX}:{_LOCAL})",
    r"(?P<other>.)",
]
TOKEN = re.compile("|".join(_TOKEN_PARTS), re.DOTALL)
RUN_PIECE = re.compile(r"(?P<word>[A-Za-z][A-Za-z0-9_]*)|(?P<other>.)", re.DOTALL)
OPENING, CLOSING = "([{", ")]}"
MAX_DEPTH = 100  # default of the setting CHAINKG_MAX_QUERY_DEPTH



@functools.lru_cache(maxsize=4096)
def urljoin(base: str, iri: str) -> str:
    """urllib's urljoin, remembered: every query's PREFIX lines resolve the same few IRIs against the same base
    (~17 µs of a look-up's ~35 µs scan), and the function is pure."""
    return _urljoin(base, iri)

class Refused(Exception):
    """The request may not run under the current settings; the message says why and what would allow it."""


class Malformed(ValueError):
    """The text cannot be run as it is: a string that never closes, or brackets nested deeper than the limit.

    Decided before any engine sees the text, because Oxigraph's recursive parser overflows its stack (and takes
    the whole process down) at a few thousand nested brackets. `code` is the error code the client gets.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Token(NamedTuple):  # a tuple, not a dataclass: 100 kB of hostile text is 100,000 of them
    kind: str
    text: str
    start: int


@dataclass
class Shape:
    """What a request is and what it names, as far as deciding whether to run it needs."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE
    service: list[str] = field(default_factory=list)  # IRIs (or "?var") after SERVICE
    load: list[str] = field(default_factory=list)
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    using: list[str] = field(default_factory=list)  # USING, USING NAMED and WITH graphs of an update
    depth: int = 0  # deepest nesting of (), [] and {}
    light: str | None = None  # a one-triple-pattern SELECT, written again from its tokens (light_query)

    @property
    def is_update(self) -> bool:
        return self.form == "UPDATE"

    @property
    def has_dataset(self) -> bool:
        """True when the query names its own dataset, which then replaces the union default graph."""
        return bool(self.from_graphs or self.from_named)

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (no white space, no comments), in time linear in its length.

    A plain alternation was quadratic on hostile texts (minutes for 100 kB, holding the serving process): each
    start inside a long run like `a.a.a.a` looked for a prefixed name's `:` to the end of the run, and each quote
    of an unclosed string rescanned the rest of the line. So a run of name characters that no `:` ends is matched
    whole and then split into words (what the plain alternation would have produced there), and a string that does
    not close raises `Malformed` at once (Oxigraph would refuse the text anyway).

    >>> [t.text for t in tokens('SELECT ?s # SERVICE <x>\\nWHERE { ?s rdfs:label "SERVICE" }')]
    ['SELECT', '?s', 'WHERE', '{', '?s', 'rdfs:label', '"SERVICE"', '}']
    >>> [t.text for t in tokens("?o.SERVICE<x>")]
    ['?o', '.', 'SERVICE', '<x>']
    """
    found: list[Token] = []
    append = found.append
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "space" or kind == "comment":
            continue
        value, start = match.group(), match.start()
        if kind == "run":
            found.extend([Token(piece.lastgroup, piece.group(), start + piece.start())
                          for piece in RUN_PIECE.finditer(value)])
            continue
        # an unclosed long string would otherwise be read as '' and rescanned from every later quote
        if (kind == "other" and value in "'\"") or (
                kind == "string" and len(value) < 6 and text.startswith(("'''", '"""'), start)):
            line, column = _line_column(text, start)
            raise Malformed("query-syntax", f"unterminated string at line {line}, column {column}")
        append(Token(kind, value, start))
    return found


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


# Keywords that reach outside the store or choose the dataset, with the modifier that may follow each. Oxigraph's
# lexer matches a keyword wherever it starts, glued to what comes before or after it (`trueSERVICE`, `1e5SERVICE`,
# `SERVICESILENT<iri>`, `FROMNAMED<g>`), so any bare word that *contains* one counts as that keyword.
GLUED = (("SERVICE", "SILENT"), ("LOAD", "SILENT"), ("FROM", "NAMED"), ("USING", "NAMED"), ("WITH", None))


def _clause_target(word: str, keyword: str, modifier: str | None, words: list[str | None], i: int,
                   iri_at: Callable[[int], str | None]) -> tuple[bool, str]:
    """(modified, target IRI) of the clause whose keyword is inside `word` (the i-th token), "?" when unsure.

    Only the plain shapes are believed: KEYWORD [MODIFIER] <iri>, with the modifier glued or not. Anything else
    after the keyword inside the word (`SERVICEx`) gives "?", which the policy refuses.
    """
    rest = word[word.rindex(keyword) + len(keyword):]
    if rest and rest != modifier:
        return False, "?"
    if rest:
        return True, iri_at(i + 1) or "?"
    following = words[i + 1] if i + 1 < len(words) else None
    if modifier and following is not None and modifier in following:
        return True, (iri_at(i + 2) or "?") if following == modifier else "?"
    return False, iri_at(i + 1) or "?"


def _note(result: Shape, keyword: str, modified: bool, target: str) -> None:
    if keyword == "SERVICE":
        result.service.append(target)
    elif keyword == "LOAD":
        result.load.append(target)
    elif keyword == "FROM":
        (result.from_named if modified else result.from_graphs).append(target)
    else:
        result.using.append(target)


def shape(text: str, prefixes: dict[str, str], base_iri: str) -> Shape:
    """Scan a query or update: its form and the IRIs it would reach, resolved against its PREFIX and BASE.

    >>> s = shape("PREFIX ex: <http://ex.org/> SELECT * FROM ex:g WHERE { SERVICE <http://x/sparql> {} }", {}, "")
    >>> s.form, s.from_graphs, s.service
    ('SELECT', ['http://ex.org/g'], ['http://x/sparql'])
    >>> shape("LOAD <http://x/data.ttl> INTO GRAPH <g>", {}, "https://base/").load
    ['http://x/data.ttl']
    >>> shape("SELECT * { ?s ?p trueSERVICE <http://x/> {} }", {}, "").service  # glued, as Oxigraph reads it
    ['http://x/']
    """
    toks = tokens(text)
    words = [t.text.upper() if t.kind == "word" else None for t in toks]
    prefixes = dict(prefixes)
    base = base_iri
    form = None
    result = Shape(form="")

    def iri_at(i: int) -> str | None:
        if i >= len(toks):
            return None
        tok = toks[i]
        if tok.kind == "iri":
            return urljoin(base, tok.text[1:-1]) if base else tok.text[1:-1]
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + re.sub(_LOCAL_ESC, lambda m: m.group()[1:], local)
            return tok.text  # an unknown prefix: Oxigraph will refuse the query anyway
        if tok.kind == "var":
            return tok.text
        return None

    depth = 0
    for tok in toks:
        if tok.kind == "other" and tok.text in OPENING:
            depth += 1
            result.depth = max(result.depth, depth)
        elif tok.kind == "other" and tok.text in CLOSING:
            depth -= 1
    for i, word in enumerate(words):
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            iri = toks[i + 2].text[1:-1]
            prefixes[toks[i + 1].text[:-1]] = urljoin(base, iri) if base else iri
        elif word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = urljoin(base, toks[i + 1].text[1:-1]) if base else toks[i + 1].text[1:-1]
        elif word is None:
            continue
        elif form is None and (word in QUERY_FORMS or word in UPDATE_VERBS):
            form = word if word in QUERY_FORMS else "UPDATE"
        for keyword, modifier in GLUED:
            if keyword in word:
                _note(result, keyword, *_clause_target(word, keyword, modifier, words, i, iri_at))
    result.form = form or ""
    if result.form == "SELECT" and len(toks) <= LIGHT_TOKENS:
        result.light = light_query(toks)
    return result


# ------------------------------------------------------------------------------------------------ light queries
LIGHT_TOKENS = 64  # longer token lists are never light (a light text is at most a prologue and ~12 tokens)
_LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_LONG_QUOTES = ("'" * 3, '"' * 3)


def light_query(toks: list[Token]) -> str | None:
    """The query again, written from its tokens, if it is one triple pattern and nothing else; else None.

    Light means: a prologue of PREFIX and BASE, `SELECT *` or plain variables (no DISTINCT, no expressions),
    an optional WHERE, one group holding one triple pattern whose terms are variables (all different), IRIs,
    prefixed names, `a`, or a short string literal with an optional language tag or datatype, then an optional
    LIMIT. No FILTER, OPTIONAL, UNION, GRAPH, SERVICE, property path, subquery, aggregate, ORDER BY, OFFSET, FROM,
    VALUES or BIND can appear: the grammar has no place for one. Evaluating such a pattern on the default graph is
    one index scan in which every entry read is a row, so its work is bounded by the rows it writes, and a budget
    on rows, bytes and time checked as the rows are written bounds the whole (engine.ProcessEngine.run_async).

    The text returned is rebuilt from the recognised tokens with single spaces and no comments, so what runs is
    what was recognised: a token the scan read differently from Oxigraph can make it a syntax error, never a
    heavier query.

    >>> light_query(tokens("PREFIX ck: <https://ck/> SELECT ?p ?o WHERE { ck:x ?p ?o . } # ORDER BY"))
    'PREFIX ck: <https://ck/> SELECT ?p ?o WHERE { ck:x ?p ?o }'
    >>> light_query(tokens('select * { ?s a <urn:C> } limit 10')), light_query(tokens('SELECT * { ?s ?p "x"@zh-Hans }'))
    ('SELECT * WHERE { ?s a <urn:C> } LIMIT 10', 'SELECT * WHERE { ?s ?p "x"@zh-Hans }')
    >>> [light_query(tokens(t)) for t in ("SELECT * { ?s <urn:p>+ ?o }", "SELECT * { ?x ?p ?x }",
    ...                                    "SELECT DISTINCT ?s { ?s ?p ?o }", "SELECT * { ?s ?p ?o } OFFSET 9")]
    [None, None, None, None]
    """
    n, i, out = len(toks), 0, []

    def word(j: int) -> str:
        return toks[j].text.upper() if j < n and toks[j].kind == "word" else ""

    def kind(j: int) -> str:
        return toks[j].kind if j < n else ""

    def text(j: int) -> str:
        return toks[j].text if j < n else ""

    def punctuation(j: int, mark: str) -> bool:
        return kind(j) == "other" and text(j) == mark

    while word(i) in ("PREFIX", "BASE"):
        if word(i) == "PREFIX":
            if not (kind(i + 1) == "pname" and text(i + 1).endswith(":") and text(i + 1).count(":") == 1
                    and kind(i + 2) == "iri"):
                return None
            out += ["PREFIX", text(i + 1), text(i + 2)]
            i += 3
        else:
            if kind(i + 1) != "iri":
                return None
            out += ["BASE", text(i + 1)]
            i += 2
    if word(i) != "SELECT":
        return None
    out.append("SELECT")
    i += 1
    if punctuation(i, "*"):
        out.append("*")
        i += 1
    else:
        start = i
        while kind(i) == "var":
            out.append(text(i))
            i += 1
        if i == start:
            return None
    if word(i) == "WHERE":
        i += 1
    if not punctuation(i, "{"):
        return None
    out += ["WHERE", "{"]
    i += 1
    variables: set[str] = set()
    for position in ("subject", "predicate", "object"):
        if kind(i) == "var":
            name = text(i)[1:]
            if name in variables:  # ?x ?p ?x: an index scan that may read many entries for each row
                return None
            variables.add(name)
            out.append(text(i))
            i += 1
        elif kind(i) in ("iri", "pname"):
            out.append(text(i))
            i += 1
        elif position == "predicate" and kind(i) == "word" and text(i) == "a":
            out.append("a")
            i += 1
        elif position == "object" and kind(i) == "string" and not text(i).startswith(_LONG_QUOTES):
            literal, i = _literal(toks, i)
            if literal is None:
                return None
            out.append(literal)
        else:
            return None
    if punctuation(i, "."):
        i += 1
    if not punctuation(i, "}"):
        return None
    out.append("}")
    i += 1
    if word(i) == "LIMIT":
        digits, j = "", i + 1
        while kind(j) == "other" and text(j) in "0123456789" and (j == i + 1 or _glued(toks, j)):
            digits += text(j)
            j += 1
        if not digits or len(digits) > 9:
            return None
        out += ["LIMIT", str(int(digits))]
        i = j
    return " ".join(out) if i == n else None


def capped(light: str, rows: int) -> str:
    """A light query's text (`light_query`'s) asking for at most `rows` + 1 rows: the same answer when it has at
    most `rows` rows, and still "more than `rows`" when it has more. For a store that answers whole (an external
    one), so that it computes and sends no more than a row-cap refusal needs: without it `SELECT * { ?s ?p ?o }`
    had a busy Virtuoso send every quad (seconds) only for chainkg to answer 422. `rows` 0 is no cap.

    >>> capped('SELECT * WHERE { ?s ?p ?o }', 50), capped('SELECT * WHERE { ?s ?p "} LIMIT 9" } LIMIT 3', 50)
    ('SELECT * WHERE { ?s ?p ?o } LIMIT 51', 'SELECT * WHERE { ?s ?p "} LIMIT 9" } LIMIT 3')
    >>> capped('SELECT * WHERE { ?s ?p ?o } LIMIT 1000', 50), capped('SELECT * WHERE { ?s ?p ?o }', 0)
    ('SELECT * WHERE { ?s ?p ?o } LIMIT 51', 'SELECT * WHERE { ?s ?p ?o }')
    """
    if not rows:
        return light
    text, limit = light, rows + 1
    if not light.endswith("}"):  # `light_query` ends its text with the group or with LIMIT and digits
        text, _, digits = light.rpartition(" LIMIT ")
        limit = min(limit, int(digits))
    return f"{text} LIMIT {limit}"


def _glued(toks: list[Token], j: int) -> bool:
    """True when toks[j] starts where toks[j - 1] ends (nothing between them)."""
    return 0 < j < len(toks) and toks[j].start == toks[j - 1].start + len(toks[j - 1].text)


def _literal(toks: list[Token], i: int) -> tuple[str | None, int]:
    """A short string literal at toks[i] with its language tag or datatype, rewritten; and the next index."""
    literal, i = toks[i].text, i + 1
    if _glued(toks, i) and toks[i].text == "@":
        tag, j = "", i + 1
        while _glued(toks, j) and (toks[j].kind == "word"
                                   or (toks[j].kind == "other" and toks[j].text in "-0123456789")):
            tag += toks[j].text
            j += 1
        return (f"{literal}@{tag}" if _LANGTAG.fullmatch(tag) else None), j
    if (i + 2 < len(toks) and toks[i].text == "^" and toks[i + 1].text == "^" and _glued(toks, i)
            and _glued(toks, i + 1) and toks[i + 2].kind in ("iri", "pname")):
        return f"{literal}^^{toks[i + 2].text}", i + 3
    return literal, i


@dataclass(frozen=True)
class Policy:
    """What queries may reach: IRI prefixes allowed for outbound requests, and the graphs the store holds."""

    allowed_remote: tuple[str, ...]
    graph_exists: Callable[[str], bool]
    max_depth: int = MAX_DEPTH

    def allows_remote(self, iri: str) -> bool:
        return any(iri.startswith(prefix) for prefix in self.allowed_remote) and not iri.startswith("?")

    def check(self, found: Shape, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> None:
        """Raise Refused if the request would reach outside the store or name graphs the store does not hold,
        Malformed if it is nested deeper than the limit."""
        if found.depth > self.max_depth:
            raise Malformed("query-too-complex", f"brackets nested {found.depth} deep; at most {self.max_depth} "
                                                 f"are accepted (setting CHAINKG_MAX_QUERY_DEPTH)")
        for iri in found.service:
            if not self.allows_remote(iri):
                raise Refused(f"SERVICE {_shown(iri)} is not allowed: this endpoint makes no outbound requests "
                              f"unless the setting CHAINKG_ALLOWED_REMOTE lists the service")
        for iri in found.load:
            if not self.allows_remote(iri):
                raise Refused(f"LOAD {_shown(iri)} is not allowed: this endpoint fetches nothing from the web or "
                              f"the file system unless CHAINKG_ALLOWED_REMOTE lists it; upload the data instead")
        for iri in [*found.from_graphs, *found.from_named, *default_graphs, *named_graphs]:
            if iri.startswith("?"):
                raise Refused("a dataset clause needs an IRI")
            if not (self.graph_exists(iri) or self.allows_remote(iri)):
                raise Refused(f"graph {_shown(iri)} is not in the store, and graphs are never fetched from outside")


def add_using(text: str, using: list[str], using_named: list[str]) -> str:
    """Apply the protocol's `using-graph-uri` / `using-named-graph-uri` to every DELETE/INSERT … WHERE of an update.

    The protocol forbids them beside USING or WITH in the text; `DELETE WHERE` (the short form) cannot take them.

    >>> add_using("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g"], [])
    'DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return text
    toks = tokens(text)
    clause = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)])
    depth, inserts = 0, []
    for i, tok in enumerate(toks):
        upper = tok.text.upper() if tok.kind == "word" else ""
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        elif depth == 0 and upper in ("USING", "WITH"):
            raise Refused("using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH in the update")
        elif depth == 0 and upper == "WHERE":
            previous = toks[i - 1].text.upper() if i else ""
            if previous in ("DELETE", "INSERT"):
                raise Refused("using-graph-uri cannot apply to the DELETE WHERE short form; "
                              "write DELETE { … } WHERE { … }")
            inserts.append(tok.start)
    for position in reversed(inserts):
        text = text[:position] + clause + " " + text[position:]
    return text


def _shown(iri: str) -> str:
    return iri if iri.startswith("?") else f"<{iri}>"
