"""graph.guard against hostile text: the same tokens as the plain scanner it replaced, in linear time, and refusals
of what would crash Oxigraph's parser (deep nesting) before any engine sees it."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings, strategies as st

from graph import guard

# The scanner before it was made linear (chainkg db8ef90), kept as the reference of what the tokens must be.
_B, _C = guard._PN_CHARS_BASE, guard._PN_CHARS
REFERENCE = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<bnode>_:[{_B}_0-9](?:[{_C}.]*[{_C}])?)
  | (?P<var>[?$][{_B}_0-9][{_B}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<pname>{guard._PREFIX}:{guard._LOCAL})
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def reference_tokens(text: str) -> list[tuple[str, str, int]]:
    return [(m.lastgroup, m.group(), m.start()) for m in REFERENCE.finditer(text)
            if m.lastgroup not in ("space", "comment")]


# Texts built from the pieces where the two scanners could disagree: name runs, dots, colons, quotes, escapes.
PIECES = st.sampled_from(["a", "Z", "é", "中", "1", "_", "-", ".", ":", "::", "?", "$", "_:", "<", ">", "'", '"',
                          "'''", '"""', "\\", "\\'", "#", "\n", " ", "{", "}", "(", ")", "SERVICE", "service", "LOAD",
                          "FROM", "NAMED", "ex:", "e:x", "%41", "%4", "·", "true."])
TEXTS = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_tokens_are_those_of_the_reference_scanner(text):
    try:
        found = [tuple(t) for t in guard.tokens(text)]
    except guard.Malformed:
        # refused: only ever where the reference saw a quote it could not close
        ref = reference_tokens(text)
        assert any(kind == "other" and value in "'\"" for kind, value, _ in ref) or any(
            kind == "string" and len(value) < 6 and text.startswith(("'''", '"""'), start) for kind, value, start in ref)
        return
    assert found == reference_tokens(text)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.sampled_from(["SERVICE <http://x/>", "LOAD <http://x/>", "FROM <http://x/>"]))
def test_a_keyword_after_any_prefix_of_noise_is_still_seen(noise, clause):
    """Whatever precedes it on its own line, a SERVICE/LOAD/FROM clause is found (or the text is refused)."""
    text = f"{noise}\n{clause}"
    try:
        found = guard.shape(text, {}, "")
    except guard.Malformed:
        return
    keyword = clause.split()[0]
    named = {"SERVICE": found.service, "LOAD": found.load, "FROM": found.from_graphs}[keyword]
    in_string_or_iri = any(t.kind in ("string", "iri", "comment") and t.start < len(noise) < t.start + len(t.text)
                           for t in guard.tokens(text))
    assert "http://x/" in named or in_string_or_iri or noise.rstrip().endswith(("\\", "'''", '"""'))


@pytest.mark.parametrize("text", [
    "a." * 50_000,              # a run no ':' ends: every start used to rescan it
    "ab.cd-" * 16_000,
    "'\\" * 50_000,             # a quote that never closes, escaped quotes all along the line
    "'''" + "\\'''" * 25_000,   # a long string that never closes
    "<a" * 50_000,
    "SELECT ?x WHERE { ?x ?y 'a' } " * 3_000,
])
def test_hostile_text_of_the_largest_accepted_size_is_scanned_quickly(text):
    """At the 100 kB query limit these took minutes (quadratic); the bound is ~50 times what they take now."""
    started = time.perf_counter()
    try:
        guard.shape(text, {}, "")
    except guard.Malformed:
        pass
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(("text", "code"), [
    ("SELECT * WHERE { FILTER('unclosed) }", "query-syntax"),
    ("SELECT * WHERE { FILTER('''never closes) }", "query-syntax"),
    ("ASK { " + "{" * 150 + "}" * 150 + " }", "query-too-complex"),
    ("SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", "query-too-complex"),
])
def test_texts_oxigraph_cannot_take_are_refused_before_it_sees_them(text, code):
    with pytest.raises(guard.Malformed) as refused:
        guard.Policy((), lambda iri: False).check(guard.shape(text, {}, ""))
    assert refused.value.code == code


def test_nesting_at_the_limit_is_accepted():
    text = "ASK { FILTER(" + "(" * 98 + "1" + ")" * 98 + ") }"
    found = guard.shape(text, {}, "")
    assert found.depth == 100
    guard.Policy((), lambda iri: False).check(found)
