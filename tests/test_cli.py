"""The chainkg command, run as a user runs it: a real process on a real on-disk store."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import REPO, chainkg_command


def chainkg(*args: str, store, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(chainkg_command() + ["--store", str(store), *args], cwd=REPO,
                            capture_output=True, text=True, timeout=300, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"chainkg {' '.join(args)} failed: {result.stderr}")
    return result


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("cli-store")
    chainkg("load", "--shipped", store=store)
    return store


def test_load_query_export_reload_gives_the_same_graph(loaded_store, tmp_path):
    count = 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }'
    before = json.loads(chainkg("query", count, "--output", "json", store=loaded_store).stdout)
    dump = tmp_path / "all.nq"
    chainkg("export", "--format", "nquads", "--output", str(dump), store=loaded_store)
    other = tmp_path / "other-store"
    chainkg("load", "--no-validate", str(dump), store=other)
    after = json.loads(chainkg("query", count, "--output", "json", store=other).stdout)
    assert before == after
    assert int(before["results"]["bindings"][0]["n"]["value"]) > 1000
    assert dump.read_bytes() == _export(other, tmp_path)


def _export(store, tmp_path) -> bytes:
    again = tmp_path / "again.nq"
    chainkg("export", "--format", "nquads", "--output", str(again), store=store)
    return again.read_bytes()


@pytest.mark.parametrize("output, marker", [("table", "zhongyuan-huiji"), ("csv", "leader\n"), ("json", '"bindings"')])
def test_query_outputs(loaded_store, output, marker):
    query = "SELECT ?leader WHERE { ?leader ck:chainLeaderOf e:ivd-chain }"
    assert marker in chainkg("query", query, "--output", output, store=loaded_store).stdout


def test_stats_reports_full_provenance(loaded_store):
    stats = json.loads(chainkg("stats", "--json", store=loaded_store).stdout)
    assert stats["facts"] > 1000
    assert stats["provenance_share"] == 1.0
    assert stats["entities_per_class"]["Company"] > 10


def test_validate_shipped_graph_against_the_articles(tmp_path, seeds_dir):
    result = chainkg("validate", store=tmp_path / "unused", env={**os.environ, "CHAINKG_SEEDS_DIR": str(seeds_dir)})
    assert result.stdout.strip() == "conforms"


def test_validate_without_the_articles_checks_the_shapes_and_says_what_it_did_not(tmp_path):
    plain_clone = {name: value for name, value in os.environ.items() if name != "CHAINKG_SEEDS_DIR"}
    result = chainkg("validate", store=tmp_path / "unused", env=plain_clone)
    assert result.stdout.startswith("conforms")
    assert "not checked" in result.stdout and "CHAINKG_SEEDS_DIR" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["query", "SELECT WHERE {"], "bad SPARQL"),
    (["load", "missing.ttl"], "missing.ttl"),
    (["load"], "nothing to load"),
    (["export", "--format", "docx"], "unknown RDF format"),
])
def test_errors_are_one_line_without_traceback(tmp_path, args, message):
    result = chainkg(*args, store=tmp_path / "store", check=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_help_as_a_user_runs_it(tmp_path):
    assert "Usage" in chainkg("--help", store=tmp_path).stdout


@pytest.mark.parametrize("command", ["load", "query", "validate", "export", "stats", "serve", "settings"])
def test_help_everywhere(command):
    """In process (typer's runner): a help text needs no process of its own, and seven starts cost seconds."""
    from typer.testing import CliRunner

    from chainkg.cli import app

    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    """A draft as `chainkg ingest` writes it, from a short article (a firm, a park, a revenue figure). Written once
    for the module (a `chainkg ingest` process: 4-10 s); the tests only read it."""
    tmp_path = tmp_path_factory.mktemp("draft")
    article = tmp_path / "new.txt"
    article.write_text("巴南区引进新能源企业\n\n2024年3月，重庆星河新能源科技有限公司正式入驻重庆国际生物城，项目总投资12亿元。\n"
                       "今年上半年，该公司实现营收3.5亿元，同比增长20%。\n", encoding="utf-8")
    chainkg("ingest", str(article), "--date", "2024-08", "--out", str(tmp_path / "draft.trig"), store=tmp_path / "s")
    return tmp_path / "draft.trig"


def test_a_draft_validates_on_a_fresh_store_with_the_shipped_vocabularies(draft, tmp_path):
    """Units and measures live in ontology/vocab.ttl: a store that has not loaded it yet must not call them unknown."""
    without_articles = {name: value for name, value in os.environ.items() if name != "CHAINKG_SEEDS_DIR"}
    result = chainkg("validate", str(draft), store=tmp_path / "fresh", env=without_articles)  # new.txt is no seed
    assert result.stdout.startswith("conforms")


def test_a_draft_without_its_units_does_not_validate(draft, tmp_path):
    broken = tmp_path / "broken.trig"
    broken.write_text("\n".join(line for line in draft.read_text(encoding="utf-8").splitlines() if "ck:unit" not in line),
                      encoding="utf-8")
    result = chainkg("validate", str(broken), store=tmp_path / "fresh", check=False)
    assert result.returncode == 1 and "ck:unit" in result.stderr
