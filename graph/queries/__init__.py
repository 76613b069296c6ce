"""Named SPARQL queries: one `.rq` file per question, its first comment line says which question it answers.

Routes, views and the CLI call them by name (`queries.text("entities_per_class")`); no SPARQL lives elsewhere.
Prefixes are predeclared by `KnowledgeGraph.query`, and relative IRIs such as `<graph/provenance>` resolve
against the configured base IRI. A parameter is written `$name` (a legal SPARQL variable, so every file runs as it
is) and filled by `KnowledgeGraph.select(text, name=term)`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def text(name: str) -> str:
    """The SPARQL text of a named query.

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
