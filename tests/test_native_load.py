"""`chainkg load --no-validate`: files go straight to Oxigraph (its bulk loader into an empty store), still all or nothing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from chainkg.graph import loader
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph

GOOD = "\n".join(f"<urn:s{i}> <urn:p> \"v{i}\" <urn:g{i % 3}> ." for i in range(500)) + "\n"
BAD_AT_THE_END = GOOD + "<urn:broken> <urn:p> .\n"


@pytest.fixture
def on_disk(tmp_path: Path) -> KnowledgeGraph:
    return KnowledgeGraph(Settings(store=str(tmp_path / "store"), load_shipped=False))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["on disk", "in memory"])
def test_a_file_loads_natively_and_is_counted(tmp_path, kind):
    kg = KnowledgeGraph(Settings(store=str(tmp_path / "store") if kind == "on disk" else ":memory:"))
    result = loader.load_files(kg, [write(tmp_path, "data.nq", GOOD)], validate_shapes=False)
    assert (result.quads, result.total, len(kg)) == (500, 500, 500)
    assert kg.has_graph("urn:g2")


def test_a_bad_file_into_an_empty_store_leaves_it_empty(tmp_path, on_disk):
    with pytest.raises(loader.LoadError, match=r"data\.nq: .*nothing loaded"):
        loader.load_files(on_disk, [write(tmp_path, "data.nq", BAD_AT_THE_END)], validate_shapes=False)
    assert on_disk.is_empty()


def test_a_bad_file_into_a_store_with_data_changes_nothing(tmp_path, on_disk):
    loader.load_files(on_disk, [write(tmp_path, "first.nq", GOOD)], validate_shapes=False)
    before = set(on_disk.match())
    with pytest.raises(loader.LoadError):
        loader.load_files(on_disk, [write(tmp_path, "second.nq", BAD_AT_THE_END.replace("urn:s", "urn:t"))],
                          validate_shapes=False)
    assert set(on_disk.match()) == before


def test_several_files_into_a_store_with_data_are_still_one_unit(tmp_path, on_disk):
    loader.load_files(on_disk, [write(tmp_path, "first.nq", GOOD)], validate_shapes=False)
    good = write(tmp_path, "good.nq", GOOD.replace("urn:s", "urn:u"))
    bad = write(tmp_path, "bad.nq", BAD_AT_THE_END.replace("urn:s", "urn:t"))
    with pytest.raises(loader.LoadError):
        loader.load_files(on_disk, [good, bad], validate_shapes=False)
    assert len(on_disk) == 500  # the good file of the pair did not load either


def test_a_triple_file_goes_into_the_named_graph(tmp_path, on_disk):
    path = write(tmp_path, "data.nt", "<urn:a> <urn:b> <urn:c> .\n")
    loader.load_files(on_disk, [path], validate_shapes=False, graph="urn:target")
    assert [q.graph_name for q in on_disk.match()] == [ox.NamedNode("urn:target")]
