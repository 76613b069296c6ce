"""The worked SPARQL examples of the query UI (graph/queries/examples/*.rq): titled, and each answers on the shipped
graph, exactly as the UI sends it (with the project's PREFIX lines and nothing predeclared)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from chainkg.graph.examples import examples

EXAMPLES = examples()


def test_there_are_a_dozen_examples_each_with_a_bilingual_title():
    assert len(EXAMPLES) >= 12
    assert all(" — " in e.title for e in EXAMPLES)
    assert len({e.title for e in EXAMPLES}) == len(EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_runs_on_the_shipped_graph_and_returns_rows(shipped_kg, example):
    text = example.text(shipped_kg.settings.base_iri)
    solutions = shipped_kg.store.query(text)  # no predeclared prefixes here
    assert isinstance(solutions, ox.QuerySolutions)
    rows = list(solutions)
    assert rows, f"{example.name} returned no rows"
    assert len({str(r) for r in rows}) == len(rows), f"{example.name} repeats rows (missing DISTINCT?)"
