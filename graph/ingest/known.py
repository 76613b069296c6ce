"""Facts the graph already holds, stated again: where a sentence names a known entity and the park, place,
cluster, chain or segment the graph places it in, the sentence is new evidence for that placement (海康威视 …
建桥园区). Only both ends in one sentence: the same pair a paragraph apart is as often a fact the article does not
state. Nothing new is invented here; confidence is low, for review.
"""

from __future__ import annotations

from chainkg.graph.ingest.candidates import Mention, Relation

PLACEMENTS = ("ck:locatedIn", "ck:hostedIn", "ck:inChain", "ck:memberOfCluster", "ck:inSegment")
CUE = "图谱已有此关系 the graph already places it so"


def restated(mentions: list[Mention], found: list[Relation], facts: dict[str, set[tuple[str, str]]],
             next_id) -> list[Relation]:
    """Known placements whose two ends one sentence names, not proposed already."""
    by_id = {m.id: m for m in mentions}
    have = {(by_id[r.subject].iri, r.predicate, by_id[r.object].iri) for r in found if r.object in by_id}
    named: dict[tuple[int, str], Mention] = {}
    for m in mentions:
        if m.iri:
            named.setdefault((m.sentence, m.iri), m)
    out = []
    for (sentence, iri), mention in named.items():
        for predicate, obj in sorted(facts.get(iri, ())):
            target = named.get((sentence, obj))
            if predicate not in PLACEMENTS or target is None or (iri, predicate, obj) in have:
                continue
            have.add((iri, predicate, obj))
            out.append(Relation(next_id("r"), sentence, mention.id, predicate, target.id, CUE, mention.start,
                                mention.end, 0.3))
    return out
