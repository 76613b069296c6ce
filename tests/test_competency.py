"""Competency questions: what an analyst asks of the five articles, as SPARQL with the answers the articles give.

The questions live in tests/competency/*.toml, one file per article; each names its kind (lookup, chain-leader,
supplier, park, statistic, timeline, policy, multi-hop, alias, provenance, and issue 13's qualifier, scope, inferred-date).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

HERE = Path(__file__).parent / "competency"
KINDS = {"lookup", "chain-leader", "supplier", "park", "statistic", "timeline", "policy", "multi-hop", "alias", "provenance",
         "qualifier", "scope", "inferred-date"}


def _questions() -> list[dict]:
    found = []
    for path in sorted(HERE.glob("*.toml")):
        for question in tomllib.loads(path.read_text(encoding="utf-8"))["question"]:
            found.append(question)
    return found


QUESTIONS = _questions()


def test_there_are_enough_questions_of_every_kind():
    kinds = Counter(q["kind"] for q in QUESTIONS)
    assert len(QUESTIONS) >= 60
    assert set(kinds) <= KINDS, set(kinds) - KINDS
    assert KINDS <= set(kinds), KINDS - set(kinds)
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS), "question ids must be unique"


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_competency_question(shipped_kg, question):
    results = shipped_kg.query(question["sparql"])
    match = question.get("match", "exact")
    if match == "ask":
        assert bool(results) is question["expect"], question["ask"]
        return
    rows = {tuple(_value(row[v]) for v in results.variables) for row in results}
    expected = {tuple(row) for row in question["expect"]}
    if match == "contains":
        assert expected <= rows, f"{question['ask']}\nmissing: {expected - rows}"
    else:
        assert rows == expected, question["ask"]


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    return None if term is None else term.value
