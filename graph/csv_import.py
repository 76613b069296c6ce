"""Analysts extend the graph without writing RDF: a CSV of companies becomes quads in chainkg's ontology.

Columns (header row required; only `name` and `source` are mandatory):
    name, name_en, aliases, park, district, cluster, chain, segment, role, anchor, source
`aliases` are separated by `;` or `；`. `role` is any of 链主 (chain leader), 龙头 (leading enterprise),
配套 (supporting company of `anchor`), 上市 (listed), separated the same way. Parks, districts, clusters, chains,
segments and anchors are named as the graph names them (any script or alias) and must already exist.
Each row's facts go into a named graph of its own, a ck:CuratorNote naming the file, the line and the source, so
imported facts keep their provenance. Any bad row fails the whole file: errors list every bad line.
See docs/example-companies.csv.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import opencc
import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.namespaces import CK, STANDARD_PREFIXES, entity_iri
from chainkg.graph.store import KnowledgeGraph

COLUMNS = ("name", "name_en", "aliases", "park", "district", "cluster", "chain", "segment", "role", "anchor", "source")
SEPARATORS = re.compile(r"[;；]")
ROLES = {"链主": "chain-leader", "鏈主": "chain-leader", "龙头": "leading", "龍頭": "leading",
         "配套": "supporting", "上市": "listed"}

RDF_TYPE = ox.NamedNode(STANDARD_PREFIXES["rdf"] + "type")
SKOS = STANDARD_PREFIXES["skos"]
PROV = STANDARD_PREFIXES["prov"]
XSD = STANDARD_PREFIXES["xsd"]


def ck(name: str) -> ox.NamedNode:
    return ox.NamedNode(CK + name)


class CsvError(Exception):
    """The file was refused; the message lists every bad line."""


@dataclass
class _Names:
    """Normalised name → IRI for one class, built once per import."""

    by_name: dict[str, set[str]] = field(default_factory=dict)

    def resolve(self, name: str) -> str | None:
        found = self.by_name.get(normalise(name), set())
        return next(iter(found)) if len(found) == 1 else None

    def ambiguous(self, name: str) -> bool:
        return len(self.by_name.get(normalise(name), set())) > 1


_to_simplified = opencc.OpenCC("t2s.json")
_to_traditional = opencc.OpenCC("s2t.json")


def normalise(name: str) -> str:
    """Names compare in simplified script, case-folded, without spaces.

    >>> normalise("中元匯吉 ") == normalise("中元汇吉")
    True
    """
    return re.sub(r"\s+", "", _to_simplified.convert(name)).casefold()


def parse_companies(kg: KnowledgeGraph, path: Path) -> list[ox.Quad]:
    """Turn a companies CSV file into quads, or raise CsvError listing every bad line. Nothing is written here."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CsvError(f"{path}: {error}") from None
    return parse_companies_text(kg, text, Path(path.name))


def parse_companies_text(kg: KnowledgeGraph, text: str, name: Path) -> list[ox.Quad]:
    """The same for CSV text (an upload); `name` stands for the file in messages and provenance."""
    try:
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
        header = set(rows[0].keys()) if rows else set()
    except csv.Error as error:
        raise CsvError(f"{name}: {error}") from None
    unknown = header - set(COLUMNS)
    if not rows:
        raise CsvError(f"{name}: no rows")
    if unknown or "name" not in header or "source" not in header:
        raise CsvError(f"{name}: columns must be among {', '.join(COLUMNS)} (name and source required); "
                       f"unknown: {', '.join(sorted(map(str, unknown))) or 'none'}")
    lookups = _Lookups(kg)
    quads, errors = [], []
    for line, row in enumerate(rows, start=2):
        row = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items() if k}
        try:
            quads.extend(_row_quads(kg, lookups, name, line, row))
        except ValueError as problem:
            errors.append(f"{name.name} line {line}: {problem}")
    if errors:
        raise CsvError(f"{len(errors)} bad row(s), nothing loaded:\n" + "\n".join(errors))
    return quads


class _Lookups:
    def __init__(self, kg: KnowledgeGraph) -> None:
        self._kg = kg
        self._cache: dict[str, _Names] = {}
        self.minted: dict[str, str] = {}

    def names(self, kind: str) -> _Names:
        if kind not in self._cache:
            table = _Names()
            for row in queries.rows(self._kg, "names_of_kind", **{"class": ck(kind)}):
                table.by_name.setdefault(normalise(row["name"].value), set()).add(row["entity"].value)
            self._cache[kind] = table
        return self._cache[kind]

    def required(self, kind: str, name: str, column: str) -> ox.NamedNode:
        names = self.names(kind)
        iri = names.resolve(name)
        if iri is None:
            why = "is ambiguous" if names.ambiguous(name) else "is not in the graph"
            raise ValueError(f"{column} {name!r} {why}")
        return ox.NamedNode(iri)


def _row_quads(kg: KnowledgeGraph, lookups: _Lookups, path: Path, line: int, row: dict[str, str]) -> list[ox.Quad]:
    name, source = row.get("name", ""), row.get("source", "")
    if not name:
        raise ValueError("name is empty")
    if not source:
        raise ValueError("source is empty: every fact needs one")
    roles = [r for r in SEPARATORS.split(row.get("role", "")) if r.strip()]
    unknown_roles = [r for r in roles if r.strip() not in ROLES]
    if unknown_roles:
        raise ValueError(f"unknown role {unknown_roles[0]!r}; use {', '.join(sorted(set(ROLES)))}")
    roles = [ROLES[r.strip()] for r in roles]

    company, is_new = _company_iri(kg, lookups, name)
    evidence = ox.NamedNode(f"{kg.settings.base_iri}id/quote/csv-{_slug(path.stem)}-{line}")
    facts: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [(company, RDF_TYPE, ck("Company"))]
    if is_new:
        facts += _names_of_new_company(company, name, row.get("name_en", ""))
    elif row.get("name_en"):
        facts.append((company, ox.NamedNode(SKOS + "altLabel"), ox.Literal(row["name_en"], language="en")))
    for alias in SEPARATORS.split(row.get("aliases", "")):
        if alias.strip():
            facts.append((company, ox.NamedNode(SKOS + "altLabel"), ox.Literal(alias.strip(), language="zh-Hans")))

    place_columns: list[tuple[str, str, Callable[[ox.NamedNode], ox.NamedNode]]] = [
        ("park", "Carrier", lambda _: ck("hostedIn")),
        ("district", "District", lambda _: ck("locatedIn")),
        ("cluster", "IndustryCluster", lambda _: ck("memberOfCluster")),
        ("chain", "IndustryChain", lambda _: ck("inChain")),
        ("segment", "ChainSegment", lambda _: ck("inSegment")),
    ]
    targets: dict[str, ox.NamedNode] = {}
    for column, kind, predicate in place_columns:
        if row.get(column):
            targets[column] = lookups.required(kind, row[column], column)
            facts.append((company, predicate(targets[column]), targets[column]))
    facts += _role_facts(lookups, company, roles, targets, row)

    graph_quads = [ox.Quad(s, p, o, evidence) for s, p, o in facts]
    provenance = ox.NamedNode(kg.names.provenance)
    note = f"Imported from {path.name}, line {line}. Source given: {source}"
    graph_quads += [
        ox.Quad(evidence, RDF_TYPE, ck("CuratorNote"), provenance),
        ox.Quad(evidence, ox.NamedNode(STANDARD_PREFIXES["rdfs"] + "comment"), ox.Literal(note, language="en"), provenance),
        ox.Quad(evidence, ox.NamedNode(STANDARD_PREFIXES["dcterms"] + "source"), ox.Literal(source), provenance),
        ox.Quad(evidence, ox.NamedNode(PROV + "wasAttributedTo"), ox.NamedNode(entity_iri(kg.settings.base_iri, "csv-import")), provenance),
    ]
    return graph_quads


def _names_of_new_company(company: ox.NamedNode, name: str, name_en: str) -> list[tuple]:
    """Names in both scripts (OpenCC) and English (given, or a pinyin transliteration marked as such)."""
    label = ox.NamedNode(SKOS + "prefLabel")
    english = name_en or " ".join(w.capitalize() for w in _pinyin(name))
    return [
        (company, label, ox.Literal(_to_simplified.convert(name), language="zh-Hans")),
        (company, label, ox.Literal(_to_traditional.convert(name), language="zh-Hant")),
        (company, label, ox.Literal(english, language="en")),
        (company, ck("englishNameKind"), ox.Literal("translation" if name_en else "transliteration")),
    ]


def _role_facts(lookups: _Lookups, company: ox.NamedNode, roles: list[str], targets: dict[str, ox.NamedNode],
                row: dict[str, str]) -> list[tuple]:
    facts: list[tuple] = []
    if "chain-leader" in roles:
        if "chain" not in targets:
            raise ValueError("role 链主 needs the chain column")
        facts.append((company, ck("chainLeaderOf"), targets["chain"]))
    if "leading" in roles:
        led = targets.get("chain") or targets.get("cluster")
        if led is None:
            raise ValueError("role 龙头 needs the chain or cluster column")
        facts.append((company, ck("leadingEnterpriseOf"), led))
    if "supporting" in roles:
        if not row.get("anchor"):
            raise ValueError("role 配套 needs the anchor column (the company it supports)")
        facts.append((company, ck("supportingCompanyOf"), lookups.required("Company", row["anchor"], "anchor")))
    elif row.get("anchor"):
        raise ValueError("anchor is only meaningful with role 配套")
    if "listed" in roles:
        facts.append((company, ck("isListedCompany"), ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))))
    return facts


def _company_iri(kg: KnowledgeGraph, lookups: _Lookups, name: str) -> tuple[ox.NamedNode, bool]:
    """An existing company with that name (False), or a new IRI from the pinyin of the name (True)."""
    names = lookups.names("Company")
    existing = names.resolve(name)
    if existing:
        return ox.NamedNode(existing), False
    if names.ambiguous(name):
        raise ValueError(f"name {name!r} matches several companies; use the exact name")
    key = normalise(name)
    if key not in lookups.minted:
        slug = _slug("-".join(_pinyin(_to_simplified.convert(name))))
        iri = f"{kg.settings.base_iri}id/{slug}"
        while iri in lookups.minted.values() or _exists(kg, iri):
            iri += "-x"
        lookups.minted[key] = iri
    return ox.NamedNode(lookups.minted[key]), True


def _exists(kg: KnowledgeGraph, iri: str) -> bool:
    return any(True for _ in kg.match(ox.NamedNode(iri)))


def _pinyin(text: str) -> list[str]:
    """pypinyin, imported on first use: loading its dictionaries took ~0.85 s, which every `chainkg` command paid
    (the loader imports this module) though only a CSV import with new firms needs it."""
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text)


def _slug(text: str) -> str:
    """
    >>> _slug("Zhong-Yuan Hui Ji (重庆)")
    'zhong-yuan-hui-ji'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "entity"
