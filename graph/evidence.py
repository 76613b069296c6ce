"""The evidence behind facts of the chain pages: for a named graph, the sentence it quotes (with its article's title and
date) or the curator note it is. Every placement, badge, edge and ranking component carries these.

Reads the provenance graph through the named query evidence_of; never writes, never renders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chainkg.graph import queries
from chainkg.graph.namespaces import CK
from chainkg.graph.store import KnowledgeGraph


@dataclass(frozen=True)
class Evidence:
    """One source of a fact: `kind` "quote" (the sentence `quote` from `article`, titled `title`, dated `date`) or
    "note" (a curator note, its `note`); `graph` is the named graph that holds the fact. A quote whose fact is the
    curators' reading of the sentence, not its words, says why in `reading` / `reading_en`."""

    graph: str
    kind: str
    quote: str = ""
    article: str = ""
    title: str = ""
    date: str = ""
    note: str = ""
    reading: str = ""      # the curators' reading of the sentence (skos:editorialNote), Chinese …
    reading_en: str = ""   # … and English; empty where the sentence states the fact itself

    def sort_key(self) -> tuple:
        """Latest article first, quotes before notes: the current statement leads, the history follows."""
        return (self.kind != "quote", _negated(self.date), self.article, self.quote, self.graph)


def _negated(date: str) -> tuple[int, ...]:
    """A date such as '2021-09' as a key that sorts latest first (undated last)."""
    if not date:
        return (1,)
    return (0, *(-int(part) for part in date[:10].split("-") if part.isdigit()))


def evidence_of(kg: KnowledgeGraph, graphs: Iterable[str]) -> dict[str, Evidence]:
    """The evidence each of these named graphs is; graphs described as neither quote nor note are left out.

    >>> from chainkg.graph import loader
    >>> kg = KnowledgeGraph.in_memory(); _ = loader.load_shipped(kg)
    >>> e = evidence_of(kg, [kg.settings.base_iri + "id/quote/a004-034"])
    >>> [(x.kind, x.date, "代表" in x.quote) for x in e.values()]
    [('quote', '2021-09', True)]
    """
    wanted = sorted({g for g in graphs if g})
    found: dict[str, dict] = {}
    for row in queries.rows(kg, "evidence_of", nodes=wanted):
        entry = found.setdefault(row["node"].value, {})
        for name, term in row.items():
            entry.setdefault(name, term.value)
    readings: dict[str, dict[str, str]] = {}
    for row in queries.rows(kg, "evidence_readings", nodes=list(found)):
        language = getattr(row["why"], "language", None) or ""
        why = row["why"].value.removeprefix("编者解读：").removeprefix("Curators' reading: ")  # the page labels it
        readings.setdefault(row["node"].value, {})["en" if language.startswith("en") else "zh"] = why
    return {
        graph: Evidence(graph, "quote" if row["kind"] == CK + "Quote" else "note", row.get("exact", ""),
                        row.get("article", ""), row.get("title", ""), row.get("date", ""), row.get("comment", ""),
                        readings.get(graph, {}).get("zh", ""), readings.get(graph, {}).get("en", ""))
        for graph, row in found.items()
    }


def ordered(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """Distinct evidence, latest quote first."""
    return tuple(sorted(set(items), key=Evidence.sort_key))
