"""Chain gap analysis (graph/gaps.py): missing and fragile segments of a chain in a place, and whom to attract."""

from __future__ import annotations

import pytest

from chainkg.graph.gaps import COVERED, FRAGILE, MISSING, UNKNOWN, chain_gaps, gaps_of_place
from chainkg.graph.views import UnknownEntity
from tests.conftest import toy_economy

E = "https://w3id.org/chainkg/id/"


def _ids(entries) -> list[str]:
    return [getattr(e, "organisation", e).iri.removeprefix(E) for e in entries]


# ------------------------------------------------------------------------- the method, on the toy economy
@pytest.mark.parametrize("place, order, status, local, targets", [
    # toy-helper, a member sitting in the district, is placed in no segment: nobody knows what segment 1 lacks
    ("toy-district", 1, UNKNOWN, [], []),
    ("toy-park", 1, MISSING, [], ["toy-far-b", "toy-far-a"]),                # the helper is not in the park
    ("toy-district", 2, FRAGILE, ["toy-supplier"], ["toy-far-c"]),
    ("toy-district", 3, COVERED, ["toy-leader", "toy-big"], []),            # covered: no target list; the 链主 first
    # seen from the park, the firm in the park's building is local and the one in the district is not
    ("toy-park", 2, FRAGILE, ["toy-supplier"], ["toy-far-c"]),
    ("toy-park", 3, FRAGILE, ["toy-leader"], ["toy-big", "toy-far-d"]),
    ("toy-building", 3, MISSING, [], ["toy-leader", "toy-big", "toy-far-d"]),   # the 链主 first
    ("toy-elsewhere", 1, COVERED, ["toy-far-b", "toy-far-a"], []),
    ("toy-elsewhere", 2, FRAGILE, ["toy-far-c"], ["toy-supplier"]),
])
def test_segment_status_and_targets(toy_kg, place, order, status, local, targets):
    report = chain_gaps(toy_kg, E + "toy-chain", E + place)
    segment = next(s for s in report.segments if s.order == order)
    assert (segment.status, _ids(segment.local), _ids(segment.targets)) == (status, local, targets)


def test_a_firm_whose_place_is_unknown_is_neither_local_nor_a_target(toy_kg):
    first = chain_gaps(toy_kg, E + "toy-chain").segments[0]
    assert _ids(first.unlocated) == ["toy-nowhere"]
    assert "toy-nowhere" not in _ids(first.targets) + _ids(first.local)


def test_members_in_no_segment_are_reported(toy_kg):
    def local(place):
        return _ids(e for e in chain_gaps(toy_kg, E + "toy-chain", E + place).unplaced if e.local)
    assert local("toy-district") == ["toy-helper"]
    assert local("toy-park") == []


def test_the_default_place_is_the_innermost_the_chain_belongs_to(toy_kg):
    # the toy chain is a chain of the city and of the district: the district's gaps are the useful ones
    assert chain_gaps(toy_kg, E + "toy-chain").place.iri == E + "toy-district"


def test_segments_come_in_chain_order_with_missing_and_fragile_at_hand(toy_kg):
    report = chain_gaps(toy_kg, E + "toy-chain")
    assert [s.order for s in report.segments] == [1, 2, 3]
    assert [s.position for s in report.segments] == ["upstream", "midstream", "downstream"]
    assert ([s.order for s in report.missing], [s.order for s in report.fragile]) == ([], [2])
    assert report.status_of(E + "toy-seg-1") == UNKNOWN


def test_targets_are_capped_by_a_setting_and_the_rest_counted():
    kg = toy_economy(gap_max_targets=1)
    first = chain_gaps(kg, E + "toy-chain", E + "toy-park").segments[0]
    assert (_ids(first.targets), first.targets_omitted) == (["toy-far-b"], 1)


def test_targets_say_where_they_sit(toy_kg):
    first = chain_gaps(toy_kg, E + "toy-chain", E + "toy-park").segments[0]
    assert [[w.label_en for w in t.where] for t in first.targets] == [["Elsewhere District"], ["Elsewhere District"]]


@pytest.mark.parametrize("place, chains", [
    ("toy-district", ["toy-chain"]),
    ("toy-park", ["toy-chain"]),        # a park sees its district's chains
    ("toy-elsewhere", ["toy-chain"]),   # the chain is also the city's, which contains this district
])
def test_every_chain_of_a_place(toy_kg, place, chains):
    assert [g.chain.iri.removeprefix(E) for g in gaps_of_place(toy_kg, E + place).chains] == chains


# ------------------------------------------------------------------------------------ the shipped graph
@pytest.mark.parametrize("chain, place, order, local", [
    ("composites-chain", "dadukou", 1, "polycomp"),                 # a001: 国际复合, glass-fibre yarn
    ("ivd-chain", "dadukou", 4, "xinjingge-medical-lab"),           # a003: 新晶格 medical testing
    ("smart-vision-chain", "dadukou", 6, "ezviz"),                  # a001: 萤石's smart-home base counts for 萤石
])
def test_shipped_local_firms(shipped_kg, chain, place, order, local):
    segment = next(s for s in chain_gaps(shipped_kg, E + chain, E + place).segments if s.order == order)
    assert E + local in [e.organisation.iri for e in segment.local]
    assert segment.status != MISSING


def test_from_a_park_the_districts_firms_become_targets(shipped_kg):
    glass_fibre = chain_gaps(shipped_kg, E + "composites-chain", E + "tianan-cyberpark").segments[0]
    assert E + "polycomp" in [t.organisation.iri for t in glass_fibre.targets]


def test_the_ivd_chain_is_seen_from_dadukou_not_chongqing(shipped_kg):
    # the IVD chain is one of Chongqing's 33 chains and Dadukou's own (a001): its gaps are Dadukou's
    assert chain_gaps(shipped_kg, E + "ivd-chain").place.iri == E + "dadukou"


@pytest.mark.parametrize("place, chain, home", [
    ("banan", "ivd-chain", "dadukou"),           # Dadukou's chain, seen from Banan through the city: all missing there
    ("tianan-cyberpark", "ivd-chain", "dadukou"),
    ("dadukou", "ivd-chain", None),              # seen from its own place: nothing to say
    ("banan", "display-chain", None),
])
def test_a_chain_seen_from_another_place_names_its_own(shipped_kg, place, chain, home):
    report = next(r for r in gaps_of_place(shipped_kg, E + place).chains if r.chain.iri == E + chain)
    assert (report.home.iri.removeprefix(E) if report.home else None) == home


@pytest.mark.parametrize("place", ["dadukou", "tianan-cyberpark", "banan"])
def test_invariants_on_every_shipped_place(shipped_kg, place):
    for report in gaps_of_place(shipped_kg, E + place).chains:
        local_unplaced = any(e.local for e in report.unplaced)
        for segment in report.segments:
            empty = UNKNOWN if local_unplaced or segment.focus else MISSING
            assert segment.status == {0: empty, 1: FRAGILE}.get(len(segment.local), COVERED)
            assert not set(_ids(segment.local)) & set(_ids(segment.targets))
            assert segment.status != COVERED or not segment.targets


@pytest.mark.parametrize("chain, place", [
    ("no-such-chain", None), ("polycomp", None), ("ivd-chain", "no-such-place"), ("ivd-chain", "polycomp"),
])
def test_unknown_chains_and_places_are_refused(shipped_kg, chain, place):
    with pytest.raises(UnknownEntity):
        chain_gaps(shipped_kg, E + chain, E + place if place else None)


def test_a_chain_of_no_place_needs_a_place_named(empty_kg):
    import pyoxigraph as ox

    empty_kg.add([ox.Quad(ox.NamedNode(E + "placeless-chain"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode("https://w3id.org/chainkg/ontology#IndustryChain"))])
    with pytest.raises(UnknownEntity, match="belongs to no place"):
        chain_gaps(empty_kg, E + "placeless-chain")
