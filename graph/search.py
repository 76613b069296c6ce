"""Find entities by name: simplified or traditional characters, aliases, misspellings and English names.

Every name of every entity (one named query, `search_labels`) is normalised once into an in-memory index; a
query is normalised the same way (OpenCC traditional → simplified, NFKC, case-folded, without spaces or
punctuation) and matched against it in tiers: exact, prefix, substring, all words, then similar characters.
The index notices a changed store by its size, checked at most every `search_refresh_s` seconds. No HTTP here.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import opencc

from chainkg.graph import queries
from chainkg.graph.namespaces import CK
from chainkg.graph.store import KnowledgeGraph

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"

# How good a name is to match on: preferred names first; hidden names and misspellings are findable, never shown.
PROPERTY_RANK = {
    SKOS + "prefLabel": 0,
    SKOS + "altLabel": 1,
    RDFS + "label": 1,
    DCTERMS + "title": 1,
    SKOS + "hiddenLabel": 2,
    CK + "captionVariant": 2,
}
HIDDEN = {SKOS + "hiddenLabel", CK + "captionVariant"}

# Among equally good matches, the things people look for most come first.
KIND_RANK = {
    "Company": 0, "IndustryChain": 0, "IndustryCluster": 0, "District": 0, "IndustrialPark": 0,
    "ResearchInstitute": 1, "University": 1, "GovernmentBody": 1, "Municipality": 1, "City": 1,
    "ChainSegment": 1, "Project": 1, "Facility": 1, "Platform": 1,
    "Article": 3, "Quote": 4, "CuratorNote": 4, "Statistic": 4,
}
DEFAULT_KIND_RANK = 2

TIER_NAMES = ("exact", "prefix", "contains", "words", "similar")


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


def normalise(text: str) -> str:
    """The form names are compared in: simplified script, NFKC, case-folded, no spaces or punctuation.

    >>> normalise("中元匯吉") == normalise("中元汇吉")
    True
    >>> normalise(" Zybio Inc. ")
    'zybioinc'
    >>> normalise("體外診斷（IVD）")
    '体外诊断ivd'
    """
    text = _to_simplified().convert(unicodedata.normalize("NFKC", text)).casefold()
    return "".join(c for c in text if not unicodedata.category(c).startswith(("P", "Z", "C")))


def _bigrams(key: str) -> frozenset[str]:
    return frozenset(key[i:i + 2] for i in range(len(key) - 1)) if len(key) > 1 else frozenset(key)


@dataclass(frozen=True)
class Name:
    """One name of an entity, as written and as compared."""

    text: str
    key: str
    lang: str
    property: str
    bigrams: frozenset[str] = frozenset()

    @property
    def hidden(self) -> bool:
        return self.property in HIDDEN


@dataclass
class Entry:
    """An entity in the index: its names, what it is, and the names a page shows for it."""

    iri: str
    names: list[Name] = field(default_factory=list)
    kind: str | None = None
    kind_zh: str | None = None
    kind_en: str | None = None
    depth: int = -1
    label_zh: str = ""
    label_en: str | None = None

    def label(self, langs: Iterable[str], properties: Iterable[str]) -> str | None:
        """The first name in the given languages (prefix match: "zh" takes zh-hans and zh-hant) and properties."""
        for prop in properties:
            for lang in langs:
                for name in self.names:
                    if name.property == prop and (name.lang == lang or name.lang.startswith(lang + "-") or lang == "*"):
                        return name.text
        return None

    def settle(self) -> None:
        """Choose the display names once all names are in: simplified Chinese first, then any."""
        shown = (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title")
        self.label_en = self.label(["en"], shown[:2])
        self.label_zh = self.label(["zh-hans", "zh"], shown) or self.label(["*"], shown) or local_name(self.iri)


@dataclass(frozen=True)
class Hit:
    """One search result: the entity, its names for display, and the name that matched (unless it is hidden)."""

    iri: str
    label_zh: str
    label_en: str | None
    kind: str | None
    kind_zh: str | None
    kind_en: str | None
    matched: str | None
    match: str
    rank: tuple

    def as_json(self) -> dict[str, object]:
        return {"iri": self.iri, "label_zh": self.label_zh, "label_en": self.label_en, "kind": self.kind,
                "kind_zh": self.kind_zh, "kind_en": self.kind_en, "matched": self.matched, "match": self.match}


def local_name(iri: str) -> str:
    """The last segment of an IRI.

    >>> local_name("https://w3id.org/chainkg/ontology#Company")
    'Company'
    """
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class LabelIndex:
    """Every name of every entity, normalised, rebuilt when the store changes.

    >>> from chainkg.graph.store import KnowledgeGraph
    >>> import pyoxigraph as ox
    >>> kg = KnowledgeGraph.in_memory()
    >>> e = ox.NamedNode(kg.settings.base_iri + "id/hikvision")
    >>> kg.add([ox.Quad(e, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(n, language=l), ox.NamedNode(kg.settings.base_iri + "id/quote/x"))
    ...         for n, l in [("海康威视", "zh-Hans"), ("Hikvision", "en")]])
    >>> [h.label_zh for h in LabelIndex(kg).search("hikvision")]
    ['海康威视']
    """

    def __init__(self, kg: KnowledgeGraph, refresh_s: float | None = None) -> None:
        self.kg = kg
        self.refresh_s = kg.settings.search_refresh_s if refresh_s is None else refresh_s
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self._fingerprint: int | None = None
        self._checked = 0.0
        self.built_in_s = 0.0
        self.rebuild()

    # ------------------------------------------------------------------ keeping up with the store
    def rebuild(self) -> None:
        """Read every name from the store (one query) and swap the new index in."""
        started = time.perf_counter()
        fingerprint = len(self.kg)
        entries: dict[str, Entry] = {}
        for row in self.kg.query(queries.text("search_labels")):
            iri = row["entity"].value
            entry = entries.get(iri) or entries.setdefault(iri, Entry(iri))
            literal = row["name"]
            key = normalise(literal.value)
            name = Name(literal.value, key, (literal.language or "").lower(), row["property"].value, _bigrams(key))
            if name.key and name not in entry.names:
                entry.names.append(name)
            kind, depth = row["kind"], row["depth"]
            if kind is not None and depth is not None and int(depth.value) > entry.depth:
                entry.kind, entry.depth = local_name(kind.value), int(depth.value)
                entry.kind_zh = row["kindZh"].value if row["kindZh"] is not None else None
                entry.kind_en = row["kindEn"].value if row["kindEn"] is not None else None
        for entry in entries.values():
            entry.settle()
        with self._lock:
            self._entries = entries
            self._fingerprint = fingerprint
            self._checked = time.monotonic()
        self.built_in_s = time.perf_counter() - started

    def refresh(self, force: bool = False) -> bool:
        """Rebuild if the store's size changed (looked at most every `refresh_s` seconds); True if rebuilt."""
        now = time.monotonic()
        if not force and now - self._checked < self.refresh_s:
            return False
        self._checked = now
        if force or len(self.kg) != self._fingerprint:
            self.rebuild()
            return True
        return False

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, iri: str) -> Entry | None:
        return self._entries.get(iri)

    # ------------------------------------------------------------------ searching
    def search(self, text: str, limit: int = 20) -> list[Hit]:
        """Entities whose names match `text`, best first."""
        self.refresh()
        key = normalise(text)
        if not key:
            return []
        words = [normalise(w) for w in text.split()]
        words = [w for w in words if w] if len(words) > 1 else []
        best: dict[str, tuple[tuple, Name]] = {}
        entries = self._entries
        for entry in entries.values():
            for name in entry.names:
                tier = _tier(key, words, name.key)
                if tier is None:
                    continue
                rank = (tier, PROPERTY_RANK.get(name.property, 1), -len(key) / len(name.key),
                        KIND_RANK.get(entry.kind or "", DEFAULT_KIND_RANK), _shown(entry, name), len(name.key))
                if entry.iri not in best or rank < best[entry.iri][0]:
                    best[entry.iri] = (rank, name)
        if len(best) < limit and len(key) > 1:
            self._similar(key, entries, best)
        ordered = sorted(best.items(), key=lambda item: (item[1][0], item[0]))[:limit]
        return [self._hit(entries[iri], rank, name) for iri, (rank, name) in ordered]

    def suggest(self, text: str, limit: int = 8) -> list[Hit]:
        """What to offer while someone types: the same ranking, fewer results."""
        return self.search(text, limit=limit)

    @staticmethod
    def _similar(key: str, entries: dict[str, Entry], best: dict[str, tuple[tuple, Name]]) -> None:
        """Names sharing most character pairs with the query (a wrong character, a missing one)."""
        grams = _bigrams(key)
        for entry in entries.values():
            if entry.iri in best:
                continue
            for name in entry.names:
                dice = 2 * len(grams & name.bigrams) / (len(grams) + len(name.bigrams))
                if dice >= 0.6:
                    rank = (4, PROPERTY_RANK.get(name.property, 1), -dice,
                            KIND_RANK.get(entry.kind or "", DEFAULT_KIND_RANK), _shown(entry, name), len(name.key))
                    if entry.iri not in best or rank < best[entry.iri][0]:
                        best[entry.iri] = (rank, name)

    @staticmethod
    def _hit(entry: Entry, rank: tuple, name: Name) -> Hit:
        shown = {entry.label_zh, entry.label_en}
        matched = None if name.hidden or name.text in shown else name.text
        return Hit(entry.iri, entry.label_zh, entry.label_en, entry.kind, entry.kind_zh, entry.kind_en,
                   matched, TIER_NAMES[rank[0]], rank)


def _shown(entry: Entry, name: Name) -> int:
    """0 when the matching name is one the page shows anyway, so the simplified name wins over its traditional twin."""
    return 0 if name.text in (entry.label_zh, entry.label_en) else 1


def _tier(key: str, words: list[str], name: str) -> int | None:
    if name == key:
        return 0
    if name.startswith(key):
        return 1
    if key in name:
        return 2
    if words and all(w in name for w in words):
        return 3
    return None
