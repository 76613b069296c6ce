"""The browse lists (graph/browse.py, api/browse.py): every company, park, chain, cluster, policy and event with
facets, sorting, paging and CSV / JSON export of the filtered rows, on the shipped graph."""

from __future__ import annotations

import csv
import io

import pytest

from chainkg.graph import browse

E = "https://w3id.org/chainkg/id/"


@pytest.mark.parametrize("name, at_least, member", [
    ("companies", 60, "hikvision"),
    ("parks", 20, "tianan-cyberpark"),
    ("chains", 6, "ivd-chain"),
    ("clusters", 15, "dadukou-health-cluster"),
    ("policies", 50, None),
    ("events", 40, None),
])
def test_every_list_holds_its_kind(shipped_kg, name, at_least, member):
    result = browse.table(shipped_kg, name, size=0)
    assert result.total >= at_least and len(result.rows) == result.total
    if member:
        assert E + member in {r.iri for r in result.rows}


def test_facets_narrow_and_count_what_is_left(shipped_kg):
    everything = browse.table(shipped_kg, "companies", size=0)
    ivd = browse.table(shipped_kg, "companies", {"district": "dadukou", "chain": "ivd-chain"}, size=0)
    assert 0 < ivd.total < everything.total
    assert E + "zhongyuan-huiji" in {r.iri for r in ivd.rows}
    assert all(any(v.key == E + "ivd-chain" for v in r.cells["chain"]) for r in ivd.rows)
    chains = next(f for f in ivd.facets if f.name == "chain")
    assert [(v.key, v.count, v.selected) for v in chains.values if v.key == "ivd-chain"] == [("ivd-chain", ivd.total, True)]


def test_a_year_facet_reads_the_year_of_a_date(shipped_kg):
    events = browse.table(shipped_kg, "events", {"year": "2021"}, size=0)
    assert events.total > 5
    assert all(any(v.key.startswith("2021") for v in r.cells["date"]) for r in events.rows)


@pytest.mark.parametrize("sort, column, descending", [
    ("-date", "date", True), ("date", "date", False), ("-members", "members", True)])
def test_sorting_by_a_column_puts_missing_values_last(shipped_kg, sort, column, descending):
    name = "events" if column == "date" else "chains"
    rows = browse.table(shipped_kg, name, sort=sort, size=0).rows
    keys = [r.cells[column][0].key for r in rows if r.cells[column]]
    numbers = [float(k) for k in keys] if column == "members" else keys
    assert numbers == sorted(numbers, reverse=descending)
    assert all(r.cells[column] for r in rows[:len(keys)])  # the rows without a value come after


def test_names_sort_in_pinyin_order(shipped_kg):
    names = [r.label.zh for r in browse.table(shipped_kg, "chains", size=0).rows]
    assert names.index("巴南生物药产业链") < names.index("体外诊断（IVD）产业链") < names.index("智能视觉产业链")


def test_pages_cut_the_rows(shipped_kg):
    first, second = (browse.table(shipped_kg, "companies", page=p, size=10) for p in (1, 2))
    assert len(first.rows) == len(second.rows) == 10 and first.pages == -(-first.total // 10)
    assert not {r.iri for r in first.rows} & {r.iri for r in second.rows}


# ---------------------------------------------------------------------------------------------------- the routes
def test_csv_exports_every_filtered_row_with_names_and_ids(app):
    response = app.get("/browse/companies?district=dadukou&chain=ivd-chain&format=csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    shown = app.get("/browse/companies?district=dadukou&chain=ivd-chain&format=json").json()
    assert len(records) == shown["total"] == len(shown["rows"]) > 1
    zybio = next(r for r in records if r["iri"] == E + "zhongyuan-huiji")
    assert zybio["name_zh"] == "中元汇吉" and zybio["name_en"] == "Zybio" and "链主" in zybio["role"]
    assert E + "ivd-chain" in zybio["chain_iri"].split("; ")


def test_json_rows_link_to_their_pages_and_keep_the_sort(app):
    data = app.get("/browse/chains?sort=-members&format=json").json()
    assert data["sort"] == "-members" and all(r["href"].startswith("/id/") for r in data["rows"])


@pytest.mark.parametrize("path, status", [("/browse", 200), ("/browse/companies?page=99", 200),
                                          ("/browse/nothing", 404), ("/browse/companies?page=0", 400)])
def test_bad_lists_and_pages_get_a_clear_status(app, path, status):
    assert app.get(path, headers={"Accept": "text/html"}).status_code == status
