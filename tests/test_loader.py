"""Loading is all-or-nothing, in every supported syntax, and export → reload gives the same graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from chainkg.graph import formats, loader
from chainkg.graph.store import KnowledgeGraph

EX = "http://example.org/"
SAMPLE = [
    ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("甲", language="zh-Hans"), ox.NamedNode(EX + "g")),
    ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "q"), ox.NamedNode(EX + "b"), ox.NamedNode(EX + "g")),
]


def snapshot(kg: KnowledgeGraph) -> set[str]:
    return {str(q) for q in kg.store}


@pytest.fixture
def seeded(ontology_kg: KnowledgeGraph) -> KnowledgeGraph:
    ontology_kg.add(SAMPLE)
    return ontology_kg


def test_broken_turtle_names_file_and_line_and_loads_nothing(seeded, tmp_path):
    before = snapshot(seeded)
    good = tmp_path / "good.ttl"
    good.write_text(f"<{EX}x> <{EX}p> <{EX}y> .\n")
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"<{EX}x> <{EX}p> <{EX}y> .\n<{EX}x> <{EX}p> \"unterminated .\n")
    with pytest.raises(loader.LoadError, match=r"bad\.ttl: Parser error .*line 2"):
        loader.load_files(seeded, [good, bad])
    assert snapshot(seeded) == before


def test_shape_violation_loads_nothing_and_says_why(seeded, tmp_path):
    before = snapshot(seeded)
    violating = tmp_path / "leader.ttl"
    violating.write_text(
        "@prefix ck: <https://w3id.org/chainkg/ontology#> .\n"
        f"<{EX}park> a ck:IndustrialPark .\n"  # no name at all
        f"<{EX}park> ck:chainLeaderOf <{EX}nothing> .\n"
    )
    with pytest.raises(loader.LoadError) as raised:
        loader.load_files(seeded, [violating])
    message = str(raised.value)
    assert "nothing loaded" in message
    assert "simplified-Chinese name" in message
    assert "must be a ck:Company" in message
    assert snapshot(seeded) == before


def test_unknown_suffix_is_refused_with_advice(empty_kg, tmp_path):
    odd = tmp_path / "data.xyz"
    odd.write_text("whatever")
    with pytest.raises(loader.LoadError, match="--format"):
        loader.load_files(empty_kg, [odd])


def test_missing_file_is_a_load_error(empty_kg, tmp_path):
    with pytest.raises(loader.LoadError, match="nope.ttl"):
        loader.load_files(empty_kg, [tmp_path / "nope.ttl"])


@pytest.mark.parametrize("syntax", formats.SYNTAXES, ids=lambda s: s.name)
def test_every_syntax_round_trips(seeded, tmp_path, syntax):
    """Dump in each syntax and load it into a fresh store: the triples (and graphs, where the syntax has them) survive."""
    path = tmp_path / f"dump{syntax.suffixes[0]}"
    path.write_bytes(seeded.dump(syntax.oxigraph, graph=None if syntax.has_graphs else EX + "g"))
    fresh = KnowledgeGraph.in_memory()
    loader.load_files(fresh, [path], validate_shapes=False, graph=None if syntax.has_graphs else EX + "g")
    wanted = {str(q) for q in SAMPLE}
    assert wanted <= snapshot(fresh)


def test_shipped_graph_reloads_only_when_files_change(shipped_kg):
    assert loader.load_shipped(shipped_kg) is False
    size = len(shipped_kg)
    assert loader.load_shipped(shipped_kg, force=True) is True
    assert len(shipped_kg) == size


@pytest.fixture
def shape_checks(tmp_path, monkeypatch) -> list[int]:
    """The shape checks of the shipped graph, counted, in a process that has found nothing conforming yet, with a
    cache directory of its own (platformdirs reads XDG_CACHE_HOME)."""
    from chainkg.graph import validate

    checks: list[int] = []
    check_shapes = validate.check_shapes
    monkeypatch.setattr(validate, "check_shapes", lambda *a, **k: checks.append(1) or check_shapes(*a, **k))
    monkeypatch.setattr(loader, "_SHIPPED_CONFORMING", set())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return checks


def shipped_copy_in(folder: Path) -> tuple[Path, Path]:
    """The shipped ontology folder and curated files copied into `folder`: (ontology_dir, curated_dir)."""
    from chainkg.graph.settings import Settings

    shipped = Settings()
    for name, source in (("ontology", shipped.ontology_dir), ("curated", shipped.curated_dir)):
        (folder / name).mkdir()
        for path in source.iterdir():
            if path.is_file():
                (folder / name / path.name).write_bytes(path.read_bytes())
    return folder / "ontology", folder / "curated"


# a chain where a segment belongs: the placement shape refuses it (tests/test_curated_chains.py)
BREACH = ("<https://w3id.org/chainkg/id/quote/breach> { <https://w3id.org/chainkg/id/hikvision> "
          "<https://w3id.org/chainkg/ontology#inSegment> <https://w3id.org/chainkg/id/smart-vision-chain> . }\n")


def test_the_shipped_shapes_are_checked_once_per_process_and_a_breach_every_time(tmp_path, shape_checks):
    """load_shipped remembers shipped files it found conforming (the check is ~2 s, the same bytes get the same
    verdict); files that break the shapes are refused on every load, and loading them leaves the store empty."""
    from chainkg.graph.settings import Settings

    _, curated = shipped_copy_in(tmp_path)
    (curated / "zz-breach.trig").write_text(BREACH)
    for _ in range(2):
        kg = KnowledgeGraph(Settings(store=":memory:", curated_dir=curated))
        with pytest.raises(loader.LoadError, match="breaks the shapes"):
            loader.load_shipped(kg)
        assert len(kg) == 0
    assert len(shape_checks) == 2
    assert not loader.conforming_verdicts().exists()  # a breach is never recorded
    (curated / "zz-breach.trig").unlink()
    for _ in range(2):
        assert loader.load_shipped(KnowledgeGraph(Settings(store=":memory:", curated_dir=curated))) is True
    assert len(shape_checks) == 3


def test_a_conforming_verdict_outlives_the_process_and_holds_only_for_what_was_checked(tmp_path, monkeypatch,
                                                                                       shape_checks):
    """The verdict is recorded in the user's cache directory, so a new process starting on a new store (a server,
    a CLI command) does not check the same shipped graph again; changed files or shapes are checked again, and a
    breach is refused, whatever was found conforming before."""
    from chainkg.graph.settings import Settings

    ontology, curated = shipped_copy_in(tmp_path)

    def load_in_a_new_process() -> KnowledgeGraph:
        monkeypatch.setattr(loader, "_SHIPPED_CONFORMING", set())  # what a new process knows
        kg = KnowledgeGraph(Settings(store=":memory:", ontology_dir=ontology, curated_dir=curated))
        assert loader.load_shipped(kg) is True
        return kg

    first = load_in_a_new_process()
    assert len(shape_checks) == 1 and len(list(loader.conforming_verdicts().iterdir())) == 1
    assert len(load_in_a_new_process()) == len(first) and len(shape_checks) == 1  # not checked again
    with open(ontology / "shapes.ttl", "a", encoding="utf-8") as shapes:
        shapes.write("\n# the same shapes, other bytes\n")
    load_in_a_new_process()
    assert len(shape_checks) == 2 and len(list(loader.conforming_verdicts().iterdir())) == 2
    (curated / "zz-breach.trig").write_text(BREACH)
    with pytest.raises(loader.LoadError, match="breaks the shapes"):
        load_in_a_new_process()
    assert len(shape_checks) == 3 and len(list(loader.conforming_verdicts().iterdir())) == 2
