"""Lists of every company, park, chain, cluster, policy and event, Datasette style: facets, sorting, paging, and the
rows behind an export.

Each list is one named query (`browse_<list>`) returning one row per combination of an entity's values; rows are
folded per entity here, filtered by facet values (district, park, cluster, chain, kind, year), counted per facet
value, sorted (Chinese names in pinyin order) and cut into pages. The lists are small (hundreds of rows), so all of
this runs in Python after one query. No HTTP and no rendering here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from pypinyin import lazy_pinyin

from chainkg.graph import queries
from chainkg.graph.labels import Label, labels
from chainkg.graph.namespaces import local_name
from chainkg.graph.store import KnowledgeGraph

LINK, KIND, NUMBER, DATE = "link", "kind", "number", "date"


@dataclass(frozen=True)
class Column:
    """A column of a list: the query variable it comes from, its names, what its values are, and the facet (URL
    parameter) that filters on it, if any."""

    name: str
    zh: str
    en: str
    type: str = LINK
    facet: str | None = None


@dataclass(frozen=True)
class Listing:
    """One browsable list: its name in the URL, its names on the page, the kinds it lists, its columns."""

    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]

    @property
    def query(self) -> str:
        """The name of the named query that lists it."""
        return "browse_" + self.name

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def facets(self) -> list[Column]:
        return [c for c in self.columns if c.facet]


DISTRICT = Column("district", "所在区", "district", LINK, "district")
LISTINGS: dict[str, Listing] = {listing.name: listing for listing in (
    Listing("companies", "企业", "companies", (
        DISTRICT, Column("park", "园区", "park", LINK, "park"), Column("cluster", "产业集群", "cluster", LINK, "cluster"),
        Column("chain", "产业链", "chain", LINK, "chain"), Column("role", "角色", "role", KIND, "role"))),
    Listing("parks", "园区与载体", "parks and carriers", (
        Column("kind", "类别", "kind", KIND, "kind"), DISTRICT, Column("within", "所属园区", "within", LINK, "park"),
        Column("cluster", "产业集群", "clusters", LINK, "cluster"), Column("hosted", "入驻机构数", "hosted", NUMBER))),
    Listing("chains", "产业链", "chains", (
        DISTRICT, Column("cluster", "产业集群", "cluster", LINK, "cluster"), Column("leader", "链主", "leader", LINK),
        Column("segments", "环节数", "segments", NUMBER), Column("members", "成员数", "members", NUMBER))),
    Listing("clusters", "产业集群", "clusters", (
        DISTRICT, Column("park", "园区", "park", LINK, "park"), Column("chain", "产业链", "chains", LINK, "chain"),
        Column("members", "成员数", "members", NUMBER))),
    Listing("policies", "政策", "policies", (
        Column("kind", "类别", "kind", KIND, "kind"), DISTRICT, Column("issuer", "发布机构", "issued by", LINK),
        Column("date", "日期", "date", DATE, "year"))),
    Listing("events", "事件", "events", (
        Column("kind", "类别", "kind", KIND, "kind"), Column("date", "日期", "date", DATE, "year"), DISTRICT,
        Column("participant", "参与方", "participants", LINK))),
)}


@dataclass(frozen=True)
class Value:
    """One value in a cell: a linked entity or kind (`iri` set) or a number or date (`text` only)."""

    key: str
    label: Label
    iri: str | None = None


@dataclass
class Row:
    """One entity of a list and its values per column."""

    iri: str
    label: Label
    cells: dict[str, list[Value]] = field(default_factory=dict)


@dataclass(frozen=True)
class FacetValue:
    key: str
    label: Label
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    column: Column
    values: list[FacetValue]


@dataclass
class Table:
    """A page of a list: its rows after filters, sorting and paging, the counts per facet value (over the filtered
    rows, so they say what another click leaves), and what was asked."""

    listing: Listing
    rows: list[Row]
    total: int
    page: int
    pages: int
    size: int
    sort: str
    filters: dict[str, str]
    facets: list[Facet]
    labels: dict[str, Label]


def all_rows(kg: KnowledgeGraph, listing: Listing) -> list[Row]:
    """Every entity of a list, with its values folded from the query's rows and labelled."""
    found: dict[str, dict[str, dict[str, str | None]]] = {}
    for row in queries.rows(kg, listing.query):
        cells = found.setdefault(row["entity"].value, {c.name: {} for c in listing.columns})
        for column in listing.columns:
            term = row.get(column.name)
            if term is not None:
                cells[column.name][term.value] = term.value if column.type in (LINK, KIND) else None
    iris = set(found) | {v for cells in found.values() for values in cells.values() for v in values.values() if v}
    named = labels(kg, iris)
    result = []
    for iri, cells in found.items():
        row = Row(iri, named[iri])
        for column in listing.columns:
            row.cells[column.name] = sorted(
                (_value(column, key, named) for key in cells[column.name]), key=lambda v: _order(column, v))
        result.append(row)
    return result


def table(kg: KnowledgeGraph, name: str, filters: dict[str, str] | None = None, sort: str | None = None,
          page: int = 1, size: int = 50) -> Table:
    """A page of the list `name`: rows whose facet values include every filter, sorted by a column (`-` before
    its name: descending; default the name), `size` rows from page `page` (a size of 0: every row).

    >>> from chainkg.graph.store import KnowledgeGraph
    >>> table(KnowledgeGraph.in_memory(), "companies").total
    0
    """
    listing = LISTINGS[name]
    filters = {k: v for k, v in (filters or {}).items() if v and any(c.facet == k for c in listing.facets)}
    everything = all_rows(kg, listing)
    chosen = [r for r in everything if all(_has(r, listing, facet, value) for facet, value in filters.items())]
    sort = sort if sort and listing.column(sort.lstrip("-")) or sort in ("name", "-name") else "name"
    chosen.sort(key=lambda r: _sort_key(listing, r, sort.lstrip("-")), reverse=sort.startswith("-"))
    if sort.startswith("-"):  # missing values last either way
        chosen.sort(key=lambda r: not _present(r, sort.lstrip("-")))
    size = size if size > 0 else max(len(chosen), 1)
    pages = max(1, -(-len(chosen) // size))
    page = min(max(page, 1), pages)
    shown = chosen[(page - 1) * size: page * size]
    named = {v.key: v.label for r in everything for values in r.cells.values() for v in values}
    return Table(listing, shown, len(chosen), page, pages, size, sort, filters,
                 _facets(listing, chosen, filters), named)


def _facets(listing: Listing, chosen: list[Row], filters: dict[str, str]) -> list[Facet]:
    facets = []
    for column in listing.facets:
        counts: dict[str, tuple[Label, int]] = {}
        for row in chosen:
            for key, label in {_facet_key(column, v): _facet_label(column, v) for v in row.cells[column.name]}.items():
                counts[key] = (label, counts.get(key, (label, 0))[1] + 1)
        values = [FacetValue(k, label, n, filters.get(column.facet) == k) for k, (label, n) in counts.items()]
        values.sort(key=lambda v: (-v.count, _pinyin(v.label.zh)))
        facets.append(Facet(column.facet or column.name, column, values))
    return facets


def _has(row: Row, listing: Listing, facet: str, wanted: str) -> bool:
    return any(_facet_key(c, v) == wanted for c in listing.facets if c.facet == facet for v in row.cells[c.name])


def _facet_key(column: Column, value: Value) -> str:
    """What a facet value is called in the URL: an entity's id (dadukou), a kind's name (Signing), a year."""
    if column.type == DATE:
        return value.key[:4]
    return local_name(value.key) if column.type == KIND else value.key.rsplit("/id/", 1)[-1]


def _facet_label(column: Column, value: Value) -> Label:
    return Label(value.key[:4]) if column.type == DATE else value.label


def _value(column: Column, key: str, named: dict[str, Label]) -> Value:
    if column.type in (LINK, KIND):
        return Value(key, named[key], key)
    return Value(key, Label(key))


def _order(column: Column, value: Value):
    if column.type == NUMBER:
        return _number(value.key)
    return value.key if column.type == DATE else _pinyin(value.label.zh)


def _present(row: Row, column: str) -> bool:
    return column == "name" or bool(row.cells.get(column))


def _sort_key(listing: Listing, row: Row, column: str) -> tuple:
    """Names in pinyin order (what a Chinese reader expects), numbers as numbers, dates as written (ISO)."""
    if column == "name":
        return (_pinyin(row.label.zh), row.iri)
    col = listing.column(column)
    values = row.cells.get(column) or []
    if not values or col is None:
        return (1, 0, "", _pinyin(row.label.zh))
    first = values[0]
    if col.type == NUMBER:
        return (0, _number(first.key), "", _pinyin(row.label.zh))
    return (0, 0, first.key if col.type == DATE else _pinyin(first.label.zh), _pinyin(row.label.zh))


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


@cache
def _pinyin(text: str) -> str:
    """The sort key of a Chinese name.

    >>> sorted(["重庆", "巴南", "大渡口"], key=_pinyin)
    ['巴南', '重庆', '大渡口']
    """
    return " ".join(lazy_pinyin(text)).casefold()


def export_rows(result: Table) -> list[dict[str, object]]:
    """The rows of a table as flat records for CSV and JSON: the id, both names, then per column the Chinese names
    (or the numbers and dates) joined by "; " and, for linked values, their IRIs likewise."""
    records = []
    for row in result.rows:
        record: dict[str, object] = {"iri": row.iri, "name_zh": row.label.zh, "name_en": row.label.en or ""}
        for column in result.listing.columns:
            values = row.cells[column.name]
            record[column.name] = "; ".join(v.label.zh for v in values)
            if column.type == LINK:
                record[column.name + "_iri"] = "; ".join(v.key for v in values)
        records.append(record)
    return records
