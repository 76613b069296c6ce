"""What the review page calls each candidate's parts: the class, relation, measure, unit and status by their names in
the ontology (Chinese first, English beside it), and a known entity by its own name — so the curator sees that 中元
was matched to 中元汇吉, that a figure will be stored as 2021's 项目数, and what “ck:hostedIn” means (入驻 hosted in).

Read-only: one labels look-up for everything an analysis names. No rendering here (viz/static/ingest.js shows it).
"""

from __future__ import annotations

from chainkg.graph import labels
from chainkg.graph.ingest import Analysis
from chainkg.graph.ingest.draft import OUTSIDE_CK
from chainkg.graph.namespaces import CK, VOCAB
from chainkg.graph.store import KnowledgeGraph


def names(kg: KnowledgeGraph, analysis: Analysis) -> dict[str, dict[str, str | None]]:
    """Key → {"zh", "en"} for every kind (Company), predicate (ck:hostedIn), measure/…, unit/…, status/… and known
    entity IRI the analysis uses. Keys are what the analysis JSON carries, so the page looks them up directly."""
    wanted: dict[str, str] = {}
    for mention in analysis.mentions:
        wanted[mention.kind] = OUTSIDE_CK.get(mention.kind, CK + mention.kind)
        if mention.iri:
            wanted[mention.iri] = mention.iri
    for relation in analysis.relations:
        wanted[relation.predicate] = CK + relation.predicate.split(":", 1)[1]
    for figure in analysis.figures:
        for part in (f"measure/{figure.measure}", f"unit/{figure.unit}", f"status/{figure.status}"):
            wanted[part] = VOCAB + part
    for event in analysis.events:
        wanted[event.kind] = CK + event.kind
    found = labels.labels(kg, wanted.values())
    out = {key: {"zh": found[iri].zh, "en": found[iri].en} for key, iri in wanted.items() if iri in found}
    for key, iri in wanted.items():  # schema:Drug, org:FormalOrganization: named by the site, not the ontology
        if iri in labels.STANDARD_CLASS_LABELS:
            out[key] = dict(zip(("zh", "en"), labels.STANDARD_CLASS_LABELS[iri]))
    return out
