"""Find entities by name: simplified or traditional characters, aliases, misspellings, English names, pinyin and
pinyin initials, and by the words for their kind (园区, 政策) or role (链主, 龙头).

Every name of every entity (one named query, `search_labels`) is normalised once into an in-memory index, with its
pinyin (pypinyin) and initials; a query is normalised the same way (OpenCC traditional → simplified, NFKC,
case-folded, without spaces or punctuation) and matched against it in tiers: exact, prefix, substring, all words,
pinyin, initials, role, kind, then similar characters. Each entity also knows its kind family and its districts,
so results can be grouped and filtered. The index notices a changed store by its size, checked at most every
`search_refresh_s` seconds. No HTTP here.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import opencc
from pypinyin import lazy_pinyin

from chainkg.graph import queries
from chainkg.graph.namespaces import CK, local_name
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
SPELLED_CHARS = 200  # names up to this long get a pinyin spelling (the shipped graph's longest name: 138)

# A role word (链主) ranks its holders above names that merely contain it; a kind word (园区) lists every entity of
# the kind after the names that contain it.
TIER_NAMES = ("exact", "prefix", "role", "contains", "words", "pinyin", "initials", "kind", "similar")
EXACT, PREFIX, ROLE, CONTAINS, WORDS, PINYIN, INITIALS, KIND, SIMILAR = range(len(TIER_NAMES))

# Result groups, in the order a results page shows them: an entity belongs to the first family its kind is a
# kind of (a 签约 is an event, a 政策措施 a policy); an entity of no family is grouped by its own kind.
FAMILIES = ("Company", "IndustryChain", "Industry", "IndustryCluster", "IndustrialPark", "District",
            "AdministrativeArea", "ChainSegment", "Carrier", "Project", "Policy", "Event", "Statistic", "Article",
            "Evidence")
# The kinds an exact name of one of them must not jump past: "IVD" names the industry, and the chain too.
TOPICS = {"Industry", "IndustryChain", "IndustryCluster"}


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
    spelled: Spelling | None = None

    @property
    def hidden(self) -> bool:
        return self.property in HIDDEN


@dataclass(frozen=True)
class Spelling:
    """A Chinese name in pinyin without tones, and its initials, with the offsets where each syllable starts.

    >>> s = Spelling.of("中元汇吉")
    >>> s.pinyin, s.initials, s.match("zhongyuan"), s.match("huiji"), s.match("zyhj"), s.match("uan")
    ('zhongyuanhuiji', 'zyhj', (5, 1), (5, 2), (6, 0), None)
    """

    pinyin: str
    starts: frozenset[int]
    initials: str

    @classmethod
    def of(cls, text: str) -> Spelling | None:
        """The spelling of a name that has Chinese characters (None for one without: it has no pinyin), and of at
        most SPELLED_CHARS characters: nobody types a longer one in pinyin, and spelling a 350,000-character name
        (an upload's, hostile or broken) held the serving process for 7-8 s at each rebuild of the index."""
        if len(text) > SPELLED_CHARS or not any("\u3400" <= c <= "\u9fff" for c in text):
            return None
        pinyin, starts, initials = "", set(), ""
        for piece in lazy_pinyin(text):
            syllable = normalise(piece)
            if not syllable:
                continue
            starts.add(len(pinyin))
            pinyin += syllable
            initials += syllable[0] if syllable.isalpha() and piece.islower() else syllable
        return cls(pinyin, frozenset(starts), initials)

    def match(self, key: str) -> tuple[int, int] | None:
        """(tier, closeness) of a query in letters: the whole pinyin, its start or a run of whole syllables from a
        syllable's start; else the initials, whole, from the start, or anywhere (three letters or more)."""
        if self.pinyin == key:
            return PINYIN, 0
        if self.pinyin.startswith(key) and len(key) > 1:
            return PINYIN, 1
        if len(key) > 2 and any(self.pinyin.startswith(key, i) for i in self.starts):
            return PINYIN, 2
        if self.initials == key:
            return INITIALS, 0
        if len(key) > 1 and self.initials.startswith(key):
            return INITIALS, 1
        if len(key) > 2 and key in self.initials:
            return INITIALS, 2
        return None


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
    kinds: set[str] = field(default_factory=set)
    kind_words: set[str] = field(default_factory=set)
    family: str | None = None
    districts: set[str] = field(default_factory=set)
    roles: list[Role] = field(default_factory=list)

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
class Role:
    """A role an entity holds (链主 of the IVD chain), as the words that find it and the names a page shows."""

    words: frozenset[str]
    zh: str
    en: str | None
    of: str


@dataclass(frozen=True)
class Hit:
    """One search result: the entity, its names for display, the name that matched (unless it is hidden), its
    family and districts (for grouping and filters) and, when a role word found it, the role."""

    iri: str
    label_zh: str
    label_en: str | None
    kind: str | None
    kind_zh: str | None
    kind_en: str | None
    matched: str | None
    match: str
    rank: tuple
    family: str | None = None
    districts: tuple[str, ...] = ()
    role: Role | None = None
    misprint: str | None = None  # the article's misprint of the name that found it (中允汇吉 for 中元汇吉)

    def as_json(self) -> dict[str, object]:
        return {"iri": self.iri, "label_zh": self.label_zh, "label_en": self.label_en, "kind": self.kind,
                "kind_zh": self.kind_zh, "kind_en": self.kind_en, "matched": self.matched, "match": self.match,
                "misprint": self.misprint, "family": self.family, "districts": list(self.districts),
                "role": None if self.role is None else {"zh": self.role.zh, "en": self.role.en, "of": self.role.of}}


@dataclass
class Results:
    """A search's hits after the filters, best first, and how many of all hits fall in each family and district
    (the filters a results page offers, with their counts)."""

    hits: list[Hit]
    total: int
    families: dict[str, int]
    districts: dict[str, int]


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
        self.kind_names: dict[str, tuple[str, str | None]] = {}
        self._fingerprint: int | None = None
        self._checked = 0.0
        self.built_in_s = 0.0
        self.rebuild()

    # ------------------------------------------------------------------ keeping up with the store
    def rebuild(self) -> None:
        """Read every name, kind, role and district from the store (four queries) and swap the new index in."""
        started = time.perf_counter()
        fingerprint = len(self.kg)
        entries: dict[str, Entry] = {}
        for row in queries.solutions(self.kg, "search_labels"):
            iri = row["entity"].value
            entry = entries.get(iri) or entries.setdefault(iri, Entry(iri))
            literal = row["name"]
            key = normalise(literal.value)
            name = Name(literal.value, key, (literal.language or "").lower(), row["property"].value, _bigrams(key),
                        Spelling.of(literal.value))
            if name.key and name not in entry.names:
                entry.names.append(name)
            kind, depth = row["kind"], row["depth"]
            if kind is not None:
                entry.kinds.add(local_name(kind.value))
            if kind is not None and depth is not None and int(depth.value) > entry.depth:
                entry.kind, entry.depth = local_name(kind.value), int(depth.value)
                entry.kind_zh = row["kindZh"].value if row["kindZh"] is not None else None
                entry.kind_en = row["kindEn"].value if row["kindEn"] is not None else None
        broader, words, kind_names = self._kinds()
        for entry in entries.values():
            entry.settle()
            ancestors = set().union(*(broader.get(k, {k}) for k in entry.kinds)) if entry.kinds else set()
            entry.kind_words = set().union(*(words.get(k, set()) for k in ancestors)) if ancestors else set()
            entry.family = next((f for f in FAMILIES if f in ancestors), entry.kind)
        for row in queries.solutions(self.kg, "search_districts"):
            if (entry := entries.get(row["entity"].value)) is not None:
                entry.districts.add(row["district"].value)
        for row in queries.solutions(self.kg, "search_roles"):
            if (entry := entries.get(row["entity"].value)) is not None:
                zh = row["roleZh"].value if row["roleZh"] is not None else local_name(row["role"].value)
                en = row["roleEn"].value if row["roleEn"] is not None else None
                entry.roles.append(Role(frozenset(normalise(w) for w in (zh, en or "") if w), zh, en, row["of"].value))
        with self._lock:
            self._entries = entries
            self.kind_names = kind_names
            self._fingerprint = fingerprint
            self._checked = time.monotonic()
        self.built_in_s = time.perf_counter() - started

    def _kinds(self) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, tuple[str, str | None]]]:
        """Each class's broader classes (itself included), each class's names as kind words, and its names."""
        broader: dict[str, set[str]] = {}
        words: dict[str, set[str]] = {}
        names: dict[str, tuple[str, str | None]] = {}
        for row in queries.solutions(self.kg, "search_kinds"):
            kind, wider = local_name(row["kind"].value), local_name(row["broader"].value)
            broader.setdefault(kind, {kind}).add(wider)
            zh, en = (row[v].value if row[v] is not None else None for v in ("labelZh", "labelEn"))
            words.setdefault(wider, set()).update(normalise(w) for w in (zh, en) if w)
            names[wider] = (zh or wider, en)
        return broader, words, names

    def name_of(self, iri_or_kind: str) -> tuple[str, str | None]:
        """Chinese and English names of an entity (by IRI) or a kind (by local name), for facets and roles."""
        entry = self._entries.get(iri_or_kind)
        if entry is not None:
            return entry.label_zh, entry.label_en
        return self.kind_names.get(iri_or_kind, (local_name(iri_or_kind), None))

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
        return self.find(text, limit=limit).hits

    def find(self, text: str, limit: int = 20, family: str | None = None, district: str | None = None) -> Results:
        """Entities whose names, pinyin, kind or role match `text`, best first, in `family` and `district` when given;
        with the counts per family and district of all matches (before these two filters)."""
        self.refresh()
        key = normalise(text)
        if not key:
            return Results([], 0, {}, {})
        words = [normalise(w) for w in text.split()]
        words = [w for w in words if w] if len(words) > 1 else []
        entries = self._entries
        best: dict[str, tuple[tuple, Name | Role | None]] = {}
        for entry in entries.values():
            found = self._match(entry, key, words)
            if found is not None:
                best[entry.iri] = found
        if len(best) < limit and len(key) > 1:
            self._similar(key, entries, best)
        families: dict[str, int] = {}
        districts: dict[str, int] = {}
        for iri in best:
            entry = entries[iri]
            families[entry.family or ""] = families.get(entry.family or "", 0) + 1
            for d in entry.districts:
                districts[d] = districts.get(d, 0) + 1
        chosen = [(iri, found) for iri, found in best.items()
                  if (family is None or entries[iri].family == family)
                  and (district is None or district in entries[iri].districts)]
        ordered = sorted(chosen, key=lambda item: (item[1][0], item[0]))[:limit]
        return Results([self._hit(entries[iri], rank, found) for iri, (rank, found) in ordered], len(chosen),
                       families, districts)

    def suggest(self, text: str, limit: int = 8) -> list[Hit]:
        """What to offer while someone types: the same ranking, fewer results."""
        return self.search(text, limit=limit)

    @staticmethod
    def _match(entry: Entry, key: str, words: list[str]) -> tuple[tuple, Name | Role | None] | None:
        """The best way an entity matches the query: by a name, its pinyin, a role it holds, or its kind."""
        kind_rank = KIND_RANK.get(entry.kind or "", DEFAULT_KIND_RANK)
        best: tuple[tuple, Name | Role | None] | None = None
        letters = key.isascii()
        for name in entry.names:
            tier, closeness = _tier(key, words, name.key), 0
            if tier is None and letters and name.spelled is not None:
                tier, closeness = name.spelled.match(key) or (None, 0)
            if tier is None:
                continue
            rank = (tier, closeness, PROPERTY_RANK.get(name.property, 1), -len(key) / len(name.key), kind_rank,
                    _shown(entry, name), len(name.key))
            if best is None or rank < best[0]:
                best = (rank, name)
        if best is not None and best[0][0] <= PREFIX:
            return best
        for role in entry.roles:
            if any(key == w or (len(key) > 1 and w.startswith(key)) for w in role.words):
                return (ROLE, 0, 0, 0, kind_rank, 0, len(entry.label_zh)), role
        if best is not None:
            return best
        if len(key) > 1 and any(key == w or (not letters and key in w) for w in entry.kind_words):
            return (KIND, 0, 0, 0, kind_rank, 0, len(entry.label_zh)), None
        return None

    @staticmethod
    def _similar(key: str, entries: dict[str, Entry], best: dict[str, tuple[tuple, Name | Role | None]]) -> None:
        """Names sharing most character pairs with the query (a wrong character, a missing one)."""
        grams = _bigrams(key)
        for entry in entries.values():
            if entry.iri in best:
                continue
            for name in entry.names:
                dice = 2 * len(grams & name.bigrams) / (len(grams) + len(name.bigrams))
                if dice >= 0.6:
                    rank = (SIMILAR, 0, PROPERTY_RANK.get(name.property, 1), -dice,
                            KIND_RANK.get(entry.kind or "", DEFAULT_KIND_RANK), _shown(entry, name), len(name.key))
                    if entry.iri not in best or rank < best[entry.iri][0]:
                        best[entry.iri] = (rank, name)

    @staticmethod
    def _hit(entry: Entry, rank: tuple, found: Name | Role | None) -> Hit:
        shown = {entry.label_zh, entry.label_en}
        matched = found.text if isinstance(found, Name) and not found.hidden and found.text not in shown else None
        misprint = found.text if isinstance(found, Name) and found.property == CK + "captionVariant" else None
        return Hit(entry.iri, entry.label_zh, entry.label_en, entry.kind, entry.kind_zh, entry.kind_en,
                   matched, TIER_NAMES[rank[0]], rank, entry.family, tuple(sorted(entry.districts)),
                   found if isinstance(found, Role) else None, misprint)

    def jump(self, hits: list[Hit]) -> Hit | None:
        """The one entity a search names so plainly that the page can go straight to it: the only exact match,
        unless it is an industry, chain or cluster and another of those matches too ("IVD": industry and chain)."""
        exact = [h for h in hits if h.match == "exact"]
        if len(exact) != 1:
            return None
        if exact[0].family in TOPICS and any(h.family in TOPICS for h in hits if h is not exact[0]):
            return None
        return exact[0]


def grouped(hits: list[Hit]) -> list[tuple[str, list[Hit]]]:
    """Hits by family: the best hit's family first (the family a kind word names, when one did), then the others
    in FAMILIES order, each keeping its ranking.

    >>> h = lambda iri, family: Hit(iri, iri, None, family, None, None, None, "prefix", (), family)
    >>> [(f, [x.iri for x in hs]) for f, hs in grouped([h("a", "Event"), h("b", "Company"), h("c", "Event")])]
    [('Event', ['a', 'c']), ('Company', ['b'])]
    """
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.family or "", []).append(hit)
    order = {f: i for i, f in enumerate(FAMILIES)}
    named = [h for h in hits if h.match == "kind"]
    first = (named or hits)[0].family or "" if hits else ""
    return sorted(groups.items(), key=lambda item: (item[0] != first, order.get(item[0], len(order)), item[0]))


def _shown(entry: Entry, name: Name) -> int:
    """0 when the matching name is one the page shows anyway, so the simplified name wins over its traditional twin."""
    return 0 if name.text in (entry.label_zh, entry.label_en) else 1


def _tier(key: str, words: list[str], name: str) -> int | None:
    if name == key:
        return EXACT
    if name.startswith(key):
        return PREFIX
    if key in name:
        return CONTAINS
    if words and all(w in name for w in words):
        return WORDS
    return None
