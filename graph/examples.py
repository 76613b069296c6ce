"""Worked example queries for people learning the graph: `graph/queries/examples/*.rq`, each titled by its first
comment line, shown in the SPARQL UI with the project's PREFIX lines in front.

Unlike the named queries the code runs, examples spell their prefixes out, so they run unchanged in any SPARQL
client pointed at chainkg. No HTTP here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chainkg.graph.namespaces import sparql_prologue

HERE = Path(__file__).parent / "queries" / "examples"


@dataclass(frozen=True)
class Example:
    """One example: its file name (without `.rq`), its title and its SPARQL (without PREFIX lines)."""

    name: str
    title: str
    body: str

    def text(self, base_iri: str) -> str:
        """The query as the UI shows it: every project prefix declared, then the example."""
        return sparql_prologue(base_iri) + "\n" + self.body


@cache
def examples() -> tuple[Example, ...]:
    """Every example, in file-name order.

    >>> first = examples()[0]
    >>> first.name, first.title
    ('01-chain-leaders', '各产业链的链主 — The designated leader (链主) of every industry chain, with its district')
    >>> first.text("https://w3id.org/chainkg/").startswith("PREFIX ck: <https://w3id.org/chainkg/ontology#>")
    True
    """
    found = []
    for path in sorted(HERE.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        if not first.startswith("#"):
            raise ValueError(f"{path}: the first line must be a comment with the example's title")
        found.append(Example(path.stem, first.lstrip("# ").strip(), text))
    return tuple(found)
