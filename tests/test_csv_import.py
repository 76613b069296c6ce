"""Analysts add companies from a CSV: names resolve in any script, facts keep provenance, bad rows load nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainkg.graph import loader, stats
from tests.conftest import REPO

EXAMPLE = REPO / "docs" / "example-companies.csv"
HEADER = "name,name_en,aliases,park,district,cluster,chain,segment,role,anchor,source\n"


def write_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "companies.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_example_file_loads_with_resolved_names_and_full_provenance(shipped_copy):
    loader.load_files(shipped_copy, [EXAMPLE])
    rows = shipped_copy.select("""
        SELECT ?segment ?anchor ?park ?hant WHERE {
          ?c skos:prefLabel "重庆示例诊断试剂有限公司"@zh-Hans ; skos:prefLabel ?hant ;
             ck:inSegment ?segment ; ck:supportingCompanyOf ?anchor ; ck:hostedIn ?park .
          FILTER(lang(?hant) = "zh-hant")
        }""")
    assert len(rows) == 1
    base = shipped_copy.settings.base_iri + "id/"
    assert rows[0]["segment"].value == base + "ivd-seg-reagents"
    assert rows[0]["anchor"].value == base + "zhongyuan-huiji"
    assert rows[0]["park"].value == base + "tianan-cyberpark"
    assert rows[0]["hant"].value == "重慶示例診斷試劑有限公司"
    assert stats.compute(shipped_copy).provenance_share == 1.0


def test_a_known_company_named_in_traditional_script_gets_the_new_facts(shipped_copy, tmp_path):
    path = write_csv(tmp_path, "中元匯吉,,,重庆天安数码城,,,,,上市,,annual report 2025")
    loader.load_files(shipped_copy, [path])
    assert shipped_copy.query("ASK { e:zhongyuan-huiji ck:isListedCompany true ; ck:hostedIn e:tianan-cyberpark }")


def test_the_source_of_an_imported_fact_is_queryable(shipped_copy, tmp_path):
    path = write_csv(tmp_path, "新公司甲,,,,大渡口区,,,,,,field notes 2026-11-01")
    loader.load_files(shipped_copy, [path])
    rows = shipped_copy.select("""SELECT ?note ?source WHERE {
        GRAPH ?g { ?c ck:locatedIn e:dadukou ; skos:prefLabel "新公司甲"@zh-Hans }
        ?g rdfs:comment ?note ; dcterms:source ?source }""")
    assert rows[0]["source"].value == "field notes 2026-11-01"
    assert "companies.csv, line 2" in rows[0]["note"].value


@pytest.mark.parametrize("row, message", [
    ("甲公司,,,不存在的园区,,,,,,,src", "line 2: park '不存在的园区' is not in the graph"),
    ("乙公司,,,,,,,,,,", "line 2: source is empty"),
    ("丙公司,,,,,,,,链主,,src", "line 2: role 链主 needs the chain column"),
    ("丁公司,,,,,,,,老大,,src", "line 2: unknown role '老大'"),
    ("戊公司,,,,,,,,配套,,src", "line 2: role 配套 needs the anchor column"),
    (",,,,,,,,,,src", "line 2: name is empty"),
])
def test_bad_rows_are_reported_by_line_and_load_nothing(shipped_copy, tmp_path, row, message):
    before = len(shipped_copy)
    path = write_csv(tmp_path, "好公司,,,,大渡口区,,,,,,src", row)
    with pytest.raises(loader.LoadError) as raised:
        loader.load_files(shipped_copy, [path])
    assert message.replace("line 2", "line 3") in str(raised.value)
    assert "nothing loaded" in str(raised.value)
    assert len(shipped_copy) == before


def test_every_bad_line_is_listed(shipped_copy, tmp_path):
    path = write_csv(tmp_path, "甲,,,,,,,,,,", "乙,,,,,,,,,,src", "丙,,,,火星,,,,,,src")
    with pytest.raises(loader.LoadError) as raised:
        loader.load_files(shipped_copy, [path])
    text = str(raised.value)
    assert "line 2" in text and "line 4" in text and "line 3" not in text


def test_unknown_columns_are_refused(shipped_copy, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("name,colour,source\n甲,red,src\n", encoding="utf-8")
    with pytest.raises(loader.LoadError, match="unknown: colour"):
        loader.load_files(shipped_copy, [path])
