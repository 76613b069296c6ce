"""Membership read across sentences by trade: a cluster and a chain of the same trade named in one article
(新型显示产业集群, 新型显示全产业链) have the same members, so a firm placed in one is proposed for the other.

Curators place the firms of a cluster in the chain of its trade wherever the article names that chain, even in
another paragraph; the sentence rules see one sentence only. Nothing here looks at the graph: the trade is the
name without its place and its group word. Confidence is low, for review.
"""

from __future__ import annotations

import re

from chainkg.graph.ingest.candidates import Mention, Relation

GROUP_WORDS = re.compile(r"(?:全产业链|产业链|产业集群|集群|产业|链条|链)$")
PREDICATES = {"IndustryCluster": "ck:memberOfCluster", "IndustryChain": "ck:inChain"}
CUE = "(the chain of the cluster's trade)"
# A project joins a cluster, and a segment by what it makes; the chain is the firms' (docs/curation.md).
MEMBERS = {"Company", "ResearchInstitute", "Platform", "ServiceCenter", "University"}
PLACES = ("AdministrativeArea", "District", "City", "Municipality", "Country", "Place")


def trade(name: str, places: set[str]) -> str:
    """新型显示全产业链 → 新型显示; 巴南液晶“屏”产业链 → 液晶屏 (the article's places are no part of a trade).

    >>> trade("巴南液晶“屏”产业链", {"巴南"})
    '液晶屏'
    >>> trade("新型显示产业集群", set())
    '新型显示'
    """
    core = GROUP_WORDS.sub("", re.sub(r"[“”「」\"]", "", name))
    for place in sorted(places, key=len, reverse=True):
        if core.startswith(place) and len(core) > len(place) + 1:
            core = core[len(place):]
            break
    return core


def paired_memberships(mentions: list[Mention], found: list[Relation], next_id) -> list[Relation]:
    """For each firm in a cluster (in a chain), the chain (the cluster) of the same trade the article names."""
    places = {m.name for m in mentions if m.kind in PLACES}
    groups: dict[str, dict[str, Mention]] = {kind: {} for kind in PREDICATES}
    for m in mentions:
        if m.kind in PREDICATES:
            core = trade(m.name, places)
            if len(core) >= 2:
                groups[m.kind].setdefault(core, m)
    by_id = {m.id: m for m in mentions}
    other = {"ck:memberOfCluster": "IndustryChain", "ck:inChain": "IndustryCluster"}
    have = {(r.subject, r.predicate, _key(by_id[r.object])) for r in found if r.object in by_id}
    out: list[Relation] = []
    for relation in found:
        if relation.predicate not in other or relation.object not in by_id or \
                by_id[relation.subject].kind not in MEMBERS:
            continue
        group = by_id[relation.object]
        twin = groups[other[relation.predicate]].get(trade(group.name, places))
        if twin is None:
            continue
        predicate = PREDICATES[twin.kind]
        key = (relation.subject, predicate, _key(twin))
        if key in have:
            continue
        have.add(key)
        out.append(Relation(next_id("r"), relation.sentence, relation.subject, predicate, twin.id, CUE,
                            relation.start, relation.end, 0.3))
    return out


def _key(mention: Mention) -> str:
    return mention.iri or "new:" + mention.name
