"""Relations between the mentions of one sentence, found by cue words and word order: 链主 (chain leader),
龙头/骨干/排头兵 (leading enterprise), 落户/入驻/位于/聚集 (located or hosted in), 签约/合作/共建 (cooperates with),
带动/配套/引进 (supporting firm, brought in by), 上市 (listed), and membership of a cluster, chain or segment.

Predicates are the ontology's (docs/curation.md "Patterns"); each relation keeps its cue word and a confidence.
"""

from __future__ import annotations

import re

from chainkg.graph.ingest.candidates import Mention, Relation
from chainkg.graph.ingest.sentences import Sentence

ORGANISATIONS = {"Company", "FormalOrganization", "ResearchInstitute", "University", "GovernmentBody", "ServiceCenter",
                 "InvestmentFund", "Platform", "Alliance"}
FIRMS = {"Company", "ResearchInstitute", "Platform", "ServiceCenter"}
SITTERS = ORGANISATIONS | {"Project", "Facility"}
CARRIERS = {"Carrier", "IndustrialPark", "Building", "Incubator", "MakerSpace", "InnovationEcosystem", "Facility"}
AREAS = {"AdministrativeArea", "District", "City", "Municipality", "PlanningArea", "Country", "Place"}
LED = {"IndustryCluster", "IndustryChain", "Industry", "IndustrialPark", "ChainSegment"}
EXCHANGES = re.compile(r"深交所|上交所|港交所|北交所|创业板|科创板|主板|证券交易所")


def relations(sentence: Sentence, mentions: list[Mention], next_id) -> list[Relation]:
    norm = sentence.norm
    at = {m.id: _norm_start(sentence, m) for m in mentions}
    found: list[Relation] = []

    def add(subject: Mention, predicate: str, obj: Mention | None, cue: re.Match, confidence: float,
            value: bool | None = None) -> None:
        if obj is not None and (obj.id == subject.id or (subject.iri and subject.iri == obj.iri)):
            return
        if any(r.subject == subject.id and r.predicate == predicate and r.object == (obj.id if obj else None)
               for r in found):
            return
        a, b = sentence.span(cue.start(), cue.end())
        found.append(Relation(next_id("r"), sentence.index, subject.id, predicate, obj.id if obj else None,
                              cue.group(0), a, b, confidence, value=value))

    kinds = lambda names: [m for m in mentions if m.kind in names]  # noqa: E731
    for cue in re.finditer(r"链主", norm):
        chains = [m for m in kinds({"IndustryChain"})]
        firms = sorted(kinds({"Company"}), key=lambda m: abs(at[m.id] - cue.start()))
        for chain in chains[:1]:
            for firm in firms[:1]:
                add(firm, "ck:chainLeaderOf", chain, cue, 0.8)
    for cue in re.finditer(r"龙头|骨干|排头兵|领跑者|领军", norm):
        led = _nearest(kinds(LED), at, cue.start(), after=True) or _nearest(kinds(LED), at, cue.start())
        leaders = _enumeration_before(kinds(ORGANISATIONS), at, cue.start(), norm) or \
            [m for m in [_nearest(kinds(ORGANISATIONS), at, cue.end(), after=True)] if m]
        carrier = _nearest(kinds(CARRIERS), at, cue.start())
        target = led or carrier
        for leader in leaders:
            if target is not None:
                add(leader, "ck:leadingEnterpriseOf", target, cue, 0.6)
    for cue in re.finditer(r"落户|入驻|进驻|落地|迁入|入孵|位于|坐落|聚集|集聚|汇聚|云集|集中", norm):
        gathering = cue.group(0) in ("聚集", "集聚", "汇聚", "云集", "集中")
        places = [m for m in kinds(CARRIERS | AREAS) if (at[m.id] < cue.start()) == gathering]
        place = _nearest(places, at, cue.start(), after=not gathering)
        sitters = [m for m in kinds(SITTERS) if (at[m.id] > cue.start()) == gathering and m is not place]
        if place is None:
            continue
        predicate = "ck:hostedIn" if place.kind in CARRIERS else "ck:locatedIn"
        for sitter in (sitters if gathering else sitters[-3:]):
            add(sitter, predicate, place, cue, 0.6)
    for cue in re.finditer(r"签约|签订|签署|合作|共建|共同打造|携手|联合", norm):
        parties = [m for m in kinds(ORGANISATIONS) if at[m.id] < cue.start()][-2:]
        if len(parties) == 2 and "与" in norm[at[parties[0].id]:at[parties[1].id]]:
            add(parties[0], "ck:cooperatesWith", parties[1], cue, 0.6)
    for cue in re.finditer(r"带动|以商招商|配套", norm):
        anchor = _nearest(kinds({"Company"}), at, cue.start())
        brought = [m for m in kinds(FIRMS | {"Project"}) if at[m.id] > cue.start()]
        if anchor is None:
            continue
        for firm in brought:
            if cue.group(0) == "带动":
                add(firm, "ck:broughtInBy", anchor, cue, 0.6)
            if "配套" in norm:
                add(firm, "ck:supportingCompanyOf", anchor, cue, 0.6)
    for cue in re.finditer(r"上市(?!辅导)", norm):
        if norm[max(0, cue.start() - 1):cue.start()] == "拟":
            continue
        listed = _enumeration_before(kinds({"Company"}), at, cue.start(), norm) or \
            [m for m in [_nearest(kinds({"Company"}), at, cue.start())] if m]
        exchange = next((m for m in mentions if EXCHANGES.search(m.name)), None)
        for firm in listed:
            add(firm, "ck:isListedCompany", None, cue, 0.7, value=True)
            if exchange is not None:
                add(firm, "ck:listedOn", exchange, cue, 0.7)
    _memberships(sentence, mentions, at, add)
    return found


def _memberships(sentence: Sentence, mentions: list[Mention], at: dict, add) -> None:
    """Firms named in one sentence with exactly one cluster, chain or segment belong to it."""
    for kind, predicate in (("IndustryCluster", "ck:memberOfCluster"), ("IndustryChain", "ck:inChain"),
                            ("ChainSegment", "ck:inSegment")):
        groups = {m.iri or m.name: m for m in mentions if m.kind == kind}
        if len(groups) != 1:
            continue
        group = next(iter(groups.values()))
        cue = re.search(re.escape(sentence.norm[at[group.id]:at[group.id] + 1]), sentence.norm[at[group.id]:]) \
            or re.search(".", sentence.norm)
        for firm in mentions:
            if firm.kind in ("Company",) or firm.kind == "Project" and kind == "IndustryCluster":
                add(firm, predicate, group, _Cue(cue, at[group.id]), 0.4)


class _Cue:
    """A cue match moved to where the group is named."""

    def __init__(self, match: re.Match, offset: int) -> None:
        self._match, self._offset = match, offset

    def start(self) -> int:
        return self._offset

    def end(self) -> int:
        return self._offset + 1

    def group(self, _: int = 0) -> str:
        return "(same sentence)"


def _norm_start(sentence: Sentence, mention: Mention) -> int:
    for i, offset in enumerate(sentence.offsets):
        if offset >= mention.start:
            return i
    return len(sentence.offsets)


def _nearest(candidates: list[Mention], at: dict, position: int, *, after: bool = False) -> Mention | None:
    if after:
        side = [m for m in candidates if at[m.id] > position]
    else:
        side = [m for m in candidates if at[m.id] < position]
    if not side:
        return None
    return min(side, key=lambda m: abs(at[m.id] - position))


def _enumeration_before(candidates: list[Mention], at: dict, position: int, norm: str) -> list[Mention]:
    """A, B, C等… directly before a cue: the organisations of the list."""
    before = [m for m in candidates if at[m.id] < position]
    if not before:
        return []
    listed = [before[-1]]
    for m in reversed(before[:-1]):
        gap = norm[at[m.id] + len(m.name):at[listed[-1].id]]
        if gap in ("、", "和", "与", "及", ""):
            listed.append(m)
        else:
            break
    tail = norm[at[listed[0].id] + len(listed[0].name):position]
    return listed if len(tail) <= 14 else []
