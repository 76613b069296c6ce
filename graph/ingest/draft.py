"""The curator's decisions on the candidates, as a draft in the curated format of docs/curation.md: the article
node and a curator note (names, classes, aliases merged into existing entities) in `<graph/provenance>`, one quote
node per sentence with its verbatim text, and the accepted facts in the graph of the quote that states them.

`chainkg load` (or the ingest page) checks the draft with the shapes and loads it all-or-nothing; `to_trig` gives
the same quads as a file to review in git. Nothing is written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from pypinyin import lazy_pinyin

from chainkg.graph import formats
from chainkg.graph.ingest import Analysis
from chainkg.graph.ingest.candidates import Figure, Mention
from chainkg.graph.ingest.sentences import IngestError, to_simplified, to_traditional
from chainkg.graph.namespaces import CK, VOCAB, prefixes
from chainkg.graph.store import KnowledgeGraph

EVENT_NAMES = {"Arrival": "arrival", "Signing": "signing", "Investment": "investment", "ConstructionStart":
               "start of construction", "ProductionStart": "start of production", "Listing": "listing",
               "Opening": "opening", "Award": "award", "CooperationAgreement": "cooperation agreement",
               "Founding": "founding", "Meeting": "meeting", "Event": "event"}
OUTSIDE_CK = {"FormalOrganization": "http://www.w3.org/ns/org#FormalOrganization", "Drug": "https://schema.org/Drug"}


@dataclass
class Decisions:
    """What the curator did with each candidate, by candidate id: accept (with edits) or not.

    `mentions[id]` may carry `name`, `kind` and `merge` (the IRI of an existing entity the name is an alias of, or
    the id of another accepted candidate of the article: a short name merged into the new firm it is short for);
    `figures[id]` any of value, unit, measure, year, status; `events[id]` kind and date. Absent = rejected.
    """

    mentions: dict[str, dict] = field(default_factory=dict)
    relations: dict[str, dict] = field(default_factory=dict)
    figures: dict[str, dict] = field(default_factory=dict)
    events: dict[str, dict] = field(default_factory=dict)
    strict: bool = True  # False: a figure whose subject cannot be found is left out instead of refused

    @classmethod
    def accept_all(cls, analysis: Analysis, min_confidence: float = 0.0) -> Decisions:
        """Every candidate at or above a confidence, as proposed (the CLI's draft for review in git)."""
        def pick(items):
            return {c.id: {} for c in items if c.confidence >= min_confidence}
        return cls(pick(analysis.mentions), pick(analysis.relations), pick(analysis.figures), pick(analysis.events),
                   strict=False)

    @classmethod
    def from_json(cls, data: dict) -> Decisions:
        if not isinstance(data, dict):
            raise IngestError("decisions must be a JSON object with mentions, relations, figures and events")
        parts = {}
        for name in ("mentions", "relations", "figures", "events"):
            part = data.get(name, {})
            if not isinstance(part, dict) or not all(isinstance(v, dict) for v in part.values()):
                raise IngestError(f"decisions.{name} must map candidate ids to objects")
            parts[name] = {k: v for k, v in part.items() if v.get("accept", True)}
        return cls(**parts)


class Draft:
    """Builds the quads of one draft; `quads` after `build()`."""

    def __init__(self, analysis: Analysis, decisions: Decisions, kg: KnowledgeGraph) -> None:
        self.a, self.d, self.kg = analysis, decisions, kg
        self.iri = prefixes(kg.settings.base_iri)
        self.lang = analysis.script
        self.doc = self._n("doc", analysis.slug)
        self.names = self._n("q", f"{analysis.slug}-names")
        self.provenance = ox.NamedNode(kg.names.provenance)
        self.quads: list[ox.Quad] = []
        self.mentions = {m.id: m for m in analysis.mentions}
        self.entity_of: dict[str, ox.NamedNode] = {}
        self.new_entities: dict[tuple[str, str], ox.NamedNode] = {}  # (simplified name, kind) → its one node
        self.resolving: set[str] = set()
        self.minted: set[str] = set()
        self.measures = _measures(kg)

    # ------------------------------------------------------------------ helpers
    def _n(self, prefix: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(self.iri[prefix] + local)

    def _t(self, term: str) -> ox.NamedNode:
        prefix, _, local = term.partition(":")
        return ox.NamedNode(self.iri[prefix] + local)

    def add(self, s, p: str, o, graph: ox.NamedNode) -> None:
        self.quads.append(ox.Quad(s, self._t(p), o, graph))

    def zh(self, text: str) -> ox.Literal:
        return ox.Literal(text, language=self.lang)

    def quote(self, sentence_index: int) -> ox.NamedNode:
        """The quote node of a sentence (described once in the provenance graph)."""
        node = self._n("q", f"{self.a.slug}-{sentence_index + 1:03d}")
        if not any(q.subject == node for q in self.quads if q.graph_name == self.provenance):
            text = self.a.sentences[sentence_index].text
            self.add(node, "rdf:type", self._t("ck:Quote"), self.provenance)
            self.add(node, "prov:wasQuotedFrom", self.doc, self.provenance)
            self.add(node, "oa:exact", self.zh(text), self.provenance)
        return node

    # ------------------------------------------------------------------ parts
    def build(self) -> list[ox.Quad]:
        self._article()
        for mention_id, edits in self.d.mentions.items():
            self._entity(mention_id, edits)
        for relation in self.a.relations:
            if relation.id in self.d.relations:
                self._relation(relation)
        for figure in self.a.figures:
            if figure.id in self.d.figures:
                self._figure(figure, self.d.figures[figure.id])
        for event in self.a.events:
            if event.id in self.d.events:
                self._event(event, self.d.events[event.id])
        return self.quads

    def _article(self) -> None:
        literal, datatype = self.a.date.literal()
        p = self.provenance
        self.add(self.doc, "rdf:type", self._t("ck:Article"), p)
        self.add(self.doc, "ck:seedFile", ox.Literal(self.a.source), p)
        self.add(self.doc, "ck:script", ox.Literal(self.lang), p)
        self.add(self.doc, "dcterms:title", self.zh(self.a.title), p)
        self.add(self.doc, "dcterms:date", ox.Literal(literal, datatype=self._t(f"xsd:{datatype}")), p)
        self.add(self.doc, "ck:dateReasoning", ox.Literal(
            f"Date {literal} as given by the curator at ingest; relative dates (今年, 去年, 上半年) of the candidates "
            "were resolved against it.", language="en"), p)
        self.add(self.names, "rdf:type", self._t("ck:CuratorNote"), p)
        self.add(self.names, "rdfs:comment", ox.Literal(
            "Names and classes proposed by chainkg ingest and accepted by the curator: simplified and traditional "
            "forms by OpenCC, English names transliterated to pinyin unless the curator gave one; aliases merged "
            "into existing entities as skos:altLabel.", language="en"), p)

    def entity(self, mention_id: str | None) -> ox.NamedNode | None:
        """The IRI a mention stands for once accepted (its own, the merged one, or a new one), None if rejected."""
        if mention_id is None or mention_id not in self.d.mentions:
            return None
        if mention_id not in self.entity_of:
            self._entity(mention_id, self.d.mentions[mention_id])
        return self.entity_of[mention_id]

    def _entity(self, mention_id: str, edits: dict) -> None:
        if mention_id in self.entity_of:
            return
        mention = self.mentions.get(mention_id)
        if mention is None:
            raise IngestError(f"no entity candidate {mention_id!r} in this article")
        name = (edits.get("name") or mention.name).strip()
        merge = edits.get("merge") or mention.iri or (mention.alias_of if mention.alias_of in self.d.mentions else None)
        if merge in self.mentions:
            self._alias(mention_id, name, merge)
            return
        if merge:
            node = ox.NamedNode(merge)
            if not _exists(self.kg, node):
                raise IngestError(f"cannot merge {name!r} into <{merge}>: no such entity in the graph")
            self.entity_of[mention_id] = node
            if mention.iri is None or edits.get("name"):
                self.add(node, "skos:altLabel", ox.Literal(to_simplified(name), language="zh-Hans"), self.names)
            return
        kind = edits.get("kind") or mention.kind
        simplified = to_simplified(name)
        if (simplified, kind) in self.new_entities:  # named again in another sentence: the same new entity
            self.entity_of[mention_id] = self.new_entities[simplified, kind]
            return
        node = self._new_iri(name)
        self.entity_of[mention_id] = self.new_entities[simplified, kind] = node
        english = edits.get("name_en") or _transliterate(simplified)
        g = self.names
        self.add(node, "rdf:type", ox.NamedNode(OUTSIDE_CK.get(kind, CK + kind)), g)
        self.add(node, "skos:prefLabel", ox.Literal(simplified, language="zh-Hans"), g)
        self.add(node, "skos:prefLabel", ox.Literal(to_traditional(simplified), language="zh-Hant"), g)
        self.add(node, "skos:prefLabel", ox.Literal(english, language="en"), g)
        self.add(node, "ck:englishNameKind", ox.Literal("official" if edits.get("name_en") else "transliteration"), g)
        if mention.text != simplified:
            self.add(node, "skos:altLabel", self.zh(mention.text), g)
        if kind == "IndustryCluster":  # the shapes want to know whose cluster it is
            owner = edits.get("cluster_of") or self._home_of(mention)
            if owner is None:
                raise IngestError(f"the new cluster {name!r} needs the district or park it belongs to (cluster_of)")
            self.add(node, "ck:clusterOf", ox.NamedNode(owner), self.quote(mention.sentence))

    def _alias(self, mention_id: str, name: str, target_id: str) -> None:
        """宏锐精工 merged into the candidate 重庆宏锐精工机械有限公司: the short name is an altLabel of the new firm."""
        if target_id not in self.d.mentions:
            raise IngestError(f"cannot merge {name!r} into candidate {target_id!r}: that candidate is not accepted")
        if target_id in self.resolving:
            raise IngestError(f"the merges of {name!r} and candidate {target_id!r} go round in a circle")
        self.resolving.add(mention_id)
        node = self.entity(target_id)
        self.resolving.discard(mention_id)
        self.entity_of[mention_id] = node
        label = ox.Literal(to_simplified(name), language="zh-Hans")
        if not any(q.subject == node and q.object == label for q in self.quads if q.graph_name == self.names):
            self.add(node, "skos:altLabel", label, self.names)

    def _home_of(self, mention: Mention) -> str | None:
        """The district or park a cluster belongs to: one named in its sentence, else the article's most named."""
        places = [m for m in self.a.mentions if m.iri and m.kind in ("District", "IndustrialPark")]
        near = [m for m in places if m.sentence == mention.sentence]
        if near:
            return near[0].iri
        counts: dict[str, int] = {}
        for m in places:
            counts[m.iri] = counts.get(m.iri, 0) + 1
        return max(counts, key=counts.get) if counts else None

    def _new_iri(self, name: str) -> ox.NamedNode:
        base = _slug("-".join(lazy_pinyin(to_simplified(name)))) or "entity"
        candidate, n = base, 2
        while candidate in self.minted or _exists(self.kg, self._n("e", candidate)):
            candidate, n = f"{base}-{n}", n + 1
        self.minted.add(candidate)
        return self._n("e", candidate)

    def _relation(self, relation) -> None:
        subject = self.entity(relation.subject)
        if subject is None:
            return
        graph = self.quote(relation.sentence)
        if relation.predicate == "ck:isListedCompany":
            self.add(subject, relation.predicate, ox.Literal("true", datatype=self._t("xsd:boolean")), graph)
            return
        obj = self.entity(relation.object)
        if obj is not None:
            self.add(subject, relation.predicate, obj, graph)

    def _figure(self, figure: Figure, edits: dict) -> None:
        subject = self.entity(edits.get("subject") or figure.subject) or self._fallback_subject(figure)
        if subject is None and not self.d.strict:
            return
        if subject is None:
            raise IngestError(f"figure {figure.text!r}: accept the entity it is about first (its subject)")
        graph = self.quote(figure.sentence)
        node = self._n("stat", f"{self.a.slug}-{figure.id}")
        measure = edits.get("measure") or figure.measure
        measure = measure if measure in self.measures else "count"
        year = int(edits.get("year") or figure.year)
        status = edits.get("status") or figure.status
        value = _decimal(str(edits.get("value") or figure.value))
        unit = edits.get("unit") or figure.unit
        period = "target-year" if status == "target" else figure.period
        xsd = lambda local: self._t(f"xsd:{local}")  # noqa: E731
        self.add(node, "rdf:type", self._t("ck:Statistic"), graph)
        self.add(node, "ck:statSubject", subject, graph)
        self.add(node, "ck:measure", ox.NamedNode(VOCAB + "measure/" + measure), graph)
        self.add(node, "ck:value", ox.Literal(value, datatype=xsd("decimal")), graph)
        self.add(node, "ck:unit", ox.NamedNode(VOCAB + "unit/" + unit), graph)
        self.add(node, "ck:year", ox.Literal(f"{year:04d}", datatype=xsd("gYear")), graph)
        self.add(node, "ck:periodKind", ox.NamedNode(VOCAB + "period/" + period), graph)
        if period != "target-year" and year == figure.year:
            for prop, day in (("ck:periodStart", figure.period_start), ("ck:periodEnd", figure.period_end)):
                if day:
                    self.add(node, prop, ox.Literal(day, datatype=xsd("date")), graph)
        self.add(node, "ck:status", ox.NamedNode(VOCAB + "status/" + status), graph)
        if figure.period_label:
            self.add(node, "ck:periodLabel", self.zh(figure.period_label), graph)
        self.add(node, "dcterms:source", self.doc, graph)
        if figure.qualifier:
            self.add(node, "rdfs:comment", ox.Literal(f"Qualified as printed: {figure.qualifier} ({figure.text}).",
                                                      language="en"), graph)

    def _fallback_subject(self, figure: Figure) -> ox.NamedNode | None:
        earlier = [m for m in self.a.mentions if m.sentence <= figure.sentence and m.id in self.d.mentions]
        return self.entity(earlier[-1].id) if earlier else None

    def _event(self, event, edits: dict) -> None:
        kind = edits.get("kind") or event.kind
        date = str(edits.get("date") or event.date)
        datatype = _date_type(date)
        node = self._n("event", f"{self.a.slug}-{event.id}")
        label = to_simplified(edits.get("label") or event.label)
        g = self.names
        self.add(node, "rdf:type", ox.NamedNode(CK + kind), g)
        self.add(node, "skos:prefLabel", ox.Literal(label, language="zh-Hans"), g)
        self.add(node, "skos:prefLabel", ox.Literal(to_traditional(label), language="zh-Hant"), g)
        self.add(node, "skos:prefLabel", ox.Literal(f"{EVENT_NAMES.get(kind, 'event')}, {date}: "
                                                    f"{_transliterate(label)}", language="en"), g)
        self.add(node, "ck:englishNameKind", ox.Literal("transliteration"), g)
        graph = self.quote(event.sentence)
        self.add(node, "dcterms:date", ox.Literal(date, datatype=self._t(f"xsd:{datatype}")), graph)
        for participant in event.participants:
            if (who := self.entity(participant)) is not None:
                self.add(node, "ck:participant", who, graph)
        if (place := self.entity(event.place)) is not None:
            self.add(node, "ck:eventPlace", place, graph)
        if event.planned:
            self.add(node, "ck:planned", ox.Literal("true", datatype=self._t("xsd:boolean")), graph)


def build(analysis: Analysis, decisions: Decisions, kg: KnowledgeGraph) -> list[ox.Quad]:
    """The draft's quads: what `chainkg load` and the ingest page load, all or nothing."""
    return Draft(analysis, decisions, kg).build()


def to_trig(quads: list[ox.Quad], kg: KnowledgeGraph) -> str:
    """The draft as TriG with chainkg's prefixes, for review in git."""
    data = ox.serialize(quads, format=formats.TRIG.oxigraph, prefixes=kg.prefixes) or b""
    return data.decode("utf-8")


def _exists(kg: KnowledgeGraph, node: ox.NamedNode) -> bool:
    return next(iter(kg.match(node, None, None)), None) is not None


def _measures(kg: KnowledgeGraph) -> set[str]:
    rows = kg.match(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(CK + "Measure"))
    return {q.subject.value.rsplit("/", 1)[-1] for q in rows}


def _transliterate(name: str) -> str:
    return " ".join(w.capitalize() for w in lazy_pinyin(name) if w.strip()) or name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _decimal(text: str) -> str:
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise IngestError(f"a figure's value is a decimal number, not {text!r}")
    return text if "." in text else text + ".0"


def _date_type(date: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return "date"
    if re.fullmatch(r"\d{4}-\d{2}", date):
        return "gYearMonth"
    if re.fullmatch(r"\d{4}", date):
        return "gYear"
    raise IngestError(f"an event's date is YYYY, YYYY-MM or YYYY-MM-DD, not {date!r}")
