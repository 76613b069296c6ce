"""The known-entity gazetteer: every name of every named entity in the graph (both scripts, aliases, misspellings,
English names) plus the abbreviations articles use (中元 for 中元汇吉, 凯尔夫 for 重庆凯尔夫…有限责任公司), matched
all at once with an Aho-Corasick automaton (pyahocorasick) over the normalised sentence text.

Built from the store by one named query, so the live service, the CLI and the leave-one-out benchmark (a store
holding four articles) build it the same way. No HTTP and no writing here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import ahocorasick
import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.ingest.sentences import normalise
from chainkg.graph.namespaces import CK
from chainkg.graph.store import KnowledgeGraph

ORG = "http://www.w3.org/ns/org#"
LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团", "公司")
QUOTES = "“”「」『』《》\"'‘’"
# Names too common to mean an entity on their own, whatever a curator once aliased them to.
TOO_GENERIC = {"全国", "全市", "全区", "区", "市", "产业", "园区", "公司", "集团"}


@dataclass(frozen=True)
class Known:
    """A known entity a name points at: its IRI, most specific class (local name) and how the name was made."""

    iri: str
    kind: str
    name: str
    how: str  # label, abbreviation


@dataclass(frozen=True)
class Hit:
    """A gazetteer match at [start, end) of a normalised sentence."""

    start: int
    end: int
    key: str
    entities: tuple[Known, ...]


class Gazetteer:
    """Normalised name → the known entities it names; `find` returns leftmost-longest, non-overlapping matches."""

    def __init__(self, names: dict[str, list[Known]], labels: dict[str, dict[str, str]] | None = None,
                 units: dict[str, str] | None = None, facts: dict[str, set[tuple[str, str]]] | None = None) -> None:
        self.names = {key: tuple(dict.fromkeys(found)) for key, found in names.items()}
        self.labels = labels or {}  # IRI → {lang: prefLabel}
        self.units = units or {}  # what a unit counts (产业集群, 台) → the unit's local name
        self.facts = facts or {}  # IRI → {(ck:locatedIn, IRI), (ck:segmentOf, IRI) …}: where the graph places it
        self.kinds = {k.iri: k.kind for found in self.names.values() for k in found}
        self._automaton = ahocorasick.Automaton()
        for key in self.names:
            self._automaton.add_word(key, key)
        if self.names:
            self._automaton.make_automaton()

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph) -> Gazetteer:
        """Every name of every named entity of the graph, and the abbreviations made from them."""
        best: dict[str, tuple[int, str]] = {}
        rows = queries.rows(kg, "ingest_gazetteer")
        names_of: dict[str, set[str]] = defaultdict(set)
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in rows:
            iri, name = row["entity"].value, row["name"].value
            depth = int(row["depth"].value)
            kind = _local(row["kind"].value)
            if depth > best.get(iri, (-1, ""))[0]:
                best[iri] = (depth, kind)
            names_of[iri].add(name)
            if isinstance(row["name"], ox.Literal) and row["name"].language:
                labels[iri].setdefault(row["name"].language.lower(), name)
        gazetteer = cls.from_names({iri: (best[iri][1], names) for iri, names in names_of.items()}, labels)
        gazetteer.units = counted_units(kg)
        gazetteer.facts = placements(kg)
        return gazetteer

    @classmethod
    def from_names(cls, entities: dict[str, tuple[str, set[str]]],
                   labels: dict[str, dict[str, str]] | None = None) -> Gazetteer:
        """From IRI → (kind, names): each name, its unquoted form, and abbreviations of organisation names."""
        table: dict[str, list[Known]] = defaultdict(list)
        for iri, (kind, names) in entities.items():
            for name in names:
                for key in {normalise(name), normalise(name.strip(QUOTES)), normalise(_unquoted(name))}:
                    if _usable(key):
                        table[key].append(Known(iri, kind, name, "label"))
        for iri, (kind, names) in entities.items():
            for abbreviation in sorted(_abbreviations(kind, names)):
                if abbreviation not in table and _usable(abbreviation):
                    table[abbreviation].append(Known(iri, kind, abbreviation, "abbreviation"))
        return cls(dict(table), labels)

    def find(self, norm: str) -> list[Hit]:
        """Leftmost-longest matches that do not cut an ASCII word in two.

        >>> g = Gazetteer.from_names({"e:zy": ("Company", {"中元汇吉", "Zybio"})})
        >>> [(h.start, h.key, h.entities[0].how) for h in g.find(normalise("中元生物与中元匯吉、Zybio"))]
        [(0, '中元', 'abbreviation'), (5, '中元汇吉', 'label'), (10, 'zybio', 'label')]
        """
        if not self.names:
            return []
        matches = []
        for end, key in self._automaton.iter(norm):
            start = end - len(key) + 1
            if key.isascii() and (_word_char(norm, start - 1) or _word_char(norm, end + 1)):
                continue
            matches.append((start, end + 1, key))
        hits: list[Hit] = []
        for start, end, key in sorted(matches, key=lambda m: (-(m[1] - m[0]), m[0])):
            if any(start < h.end and h.start < end for h in hits):
                continue
            hits.append(self.hit(start, end, key))
        return sorted(hits, key=lambda h: h.start)

    def hit(self, start: int, end: int, key: str) -> Hit:
        """The match of a known name at [start, end), its entities without repeats, in the order they were named."""
        unique = {k.iri: k for k in reversed(self.names[key])}
        return Hit(start, end, key, tuple(reversed(unique.values())))

    def label(self, iri: str, lang: str = "zh-hans") -> str | None:
        return self.labels.get(iri, {}).get(lang)


def placements(kg: KnowledgeGraph) -> dict[str, set[tuple[str, str]]]:
    """Where the graph already places each entity (park, place, cluster, chain, segment) and each segment's chain:
    an article that names both ends again is new evidence for the same fact."""
    facts: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in queries.rows(kg, "ingest_facts"):
        facts[row["subject"].value].add(("ck:" + _local(row["predicate"].value), row["object"].value))
    return dict(facts)


def counted_units(kg: KnowledgeGraph) -> dict[str, str]:
    """The graph's units by what they count: 个产业集群 → 产业集群 → clusters, 台 → units. The shared vocabulary's
    firms (家), items (个) and the like are the figure patterns' own; these are the ones curators added."""
    units = {}
    for row in queries.rows(kg, "ingest_units"):
        label = normalise(row["label"].value)
        counted = label[1:] if label.startswith(("个", "家", "项")) and len(label) >= 3 else label
        if len(counted) >= 2 or counted == "台":
            units[counted] = _local(row["unit"].value)
    return units


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _unquoted(name: str) -> str:
    return "".join(c for c in name if c not in QUOTES)


def _usable(key: str) -> bool:
    if key in TOO_GENERIC:
        return False
    if key.isascii():
        return len(key) >= 2 and any(c.isalpha() for c in key)
    return len(key) >= 2


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


ORGANISATIONS = {"Company", "FormalOrganization", "ResearchInstitute", "Platform", "Alliance", "InvestmentFund"}
PLACE_PREFIXES = ("重庆市", "重庆", "杭州", "浙江", "上海", "北京", "深圳", "四川", "成都", "中国")


def _abbreviations(kind: str, names: set[str]) -> set[str]:
    """Short forms articles use for organisations: without the legal suffix, without the home city, and the first
    two characters of a four-character brand (中元 for 中元汇吉)."""
    if kind not in ORGANISATIONS:
        return set()
    out: set[str] = set()
    for name in names:
        key = normalise(name)
        if key.isascii():
            continue
        core = key
        for suffix in LEGAL_SUFFIXES:
            if core.endswith(suffix) and len(core) - len(suffix) >= 2:
                core = core[: -len(suffix)]
                break
        for prefix in PLACE_PREFIXES:
            if core.startswith(prefix) and len(core) - len(prefix) >= 2:
                if not common_word(core[len(prefix):]):  # 重庆钢铁集团 is not 钢铁: 老钢铁企业 is the trade
                    out.add(core[len(prefix):])
                break
        out.add(core)
        if len(core) == 4 and kind == "Company" and not common_word(core[:2]):
            out.add(core[:2])
    return out - {normalise(n) for n in names}


def common_word(word: str) -> bool:
    """True for an everyday word (jieba's dictionary counts it often): 国际 is not short for 国际复合, 中元 is."""
    from chainkg.graph.ingest.entities import jieba_dictionary

    return jieba_dictionary().get(word, 0) > 100
