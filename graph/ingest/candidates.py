"""What the pipeline proposes and the curator reviews: entity mentions, relations, figures and events, each tied to
its sentence with character offsets in the article, the kind of evidence and a confidence. Plain data (JSON for
the page and the CLI); no logic beyond naming."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

KNOWN = "known entity"
NAME_PATTERN = "name pattern"
RELATION_PATTERN = "relation pattern"
FIGURE = "figure"
EVENT_PATTERN = "event pattern"


@dataclass
class Mention:
    """An entity named in a sentence: a known one (`iri`) or a new one (`iri` None), with its ontology class."""

    id: str
    sentence: int
    start: int
    end: int
    text: str  # as written in the article
    name: str  # the name in simplified script (a new entity's prefLabel)
    kind: str  # local name of a ck: class (or org:FormalOrganization)
    iri: str | None
    evidence: str
    confidence: float
    how: str  # label, abbreviation, suffix 有限公司, 《》 title …
    alias_of: str | None = None  # a new firm's short name (宏锐精工): the id of its full name's mention


@dataclass
class Relation:
    """subject –predicate→ object between two mentions of one sentence (object None: a boolean fact)."""

    id: str
    sentence: int
    subject: str  # mention id
    predicate: str  # CURIE, ck:hostedIn …
    object: str | None
    cue: str
    start: int
    end: int
    confidence: float
    evidence: str = RELATION_PATTERN
    value: bool | None = None  # for ck:isListedCompany


@dataclass
class Figure:
    """One statistic: value and unit as printed, what it measures, of what, for which period, actual or not."""

    id: str
    sentence: int
    start: int
    end: int
    text: str
    value: str  # decimal as printed
    unit: str  # local name in ontology/vocab.ttl unit/
    measure: str  # local name in measure/
    subject: str | None  # mention id
    year: int
    period: str
    period_start: str | None
    period_end: str | None
    period_label: str
    status: str  # actual, target, forecast, estimate
    qualifier: str | None  # 余 超 近 以上 不到 约 …
    confidence: float
    evidence: str = FIGURE


@dataclass
class Event:
    """Something that happened (or is planned) on a date: kind (a ck:Event subclass), participants, place."""

    id: str
    sentence: int
    start: int
    end: int
    cue: str
    kind: str
    label: str
    date: str
    datatype: str  # date, gYearMonth, gYear
    participants: list[str] = field(default_factory=list)
    place: str | None = None
    planned: bool = False
    confidence: float = 0.5
    evidence: str = EVENT_PATTERN


def as_json(candidate: object) -> dict:
    return asdict(candidate)
