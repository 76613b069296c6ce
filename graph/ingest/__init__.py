"""Ingest a new article: split it into sentences, propose entity mentions, relations, statistics and events with
their sentences (character offsets, kind of evidence, confidence), and turn the curator's accepted candidates into
a draft in the curated TriG format (graph/ingest/draft.py) that `chainkg load` checks and loads all-or-nothing.

One module per concern: sentences (refusing what is not an article, splitting), gazetteer (known names), entities
(new names by pattern), dates (relative dates), figures, relations (within a sentence), trades (memberships across
sentences), known (placements the graph holds, stated again), events, draft. `analyse` runs them in order.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from chainkg.graph.ingest import entities, events, figures, known, relations, sentences, trades
from chainkg.graph.ingest.candidates import Event, Figure, Mention, Relation
from chainkg.graph.ingest.dates import ArticleDate
from chainkg.graph.ingest.gazetteer import Gazetteer
from chainkg.graph.ingest.sentences import IngestError, Sentence

__all__ = ["Analysis", "ArticleDate", "Gazetteer", "IngestError", "analyse"]


@dataclass
class Analysis:
    """The article and every candidate found in it, in reading order."""

    text: str
    title: str
    date: ArticleDate
    script: str
    slug: str
    source: str
    sentences: list[Sentence]
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def as_json(self) -> dict:
        """Everything the review page and `chainkg ingest --json` show, as plain JSON."""
        return {
            "title": self.title, "date": self.date.literal()[0], "script": self.script, "slug": self.slug,
            "source": self.source,
            "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text} for s in self.sentences],
            "mentions": [asdict(m) for m in self.mentions], "relations": [asdict(r) for r in self.relations],
            "figures": [asdict(f) for f in self.figures], "events": [asdict(e) for e in self.events],
        }


def analyse(text: str | bytes, gazetteer: Gazetteer | Callable[[], Gazetteer], *, date: ArticleDate | None = None,
            title: str | None = None, source: str = "pasted", max_chars: int = 200_000) -> Analysis:
    """Every candidate of an article. Raises IngestError (one readable line) for text that is not an article.

    `gazetteer` may be given as the function that makes it (Gazetteer.from_graph reads every name of the graph,
    ~0.8 s on the shipped one): it is called only once the text is judged an article, so a refusal waits for none
    of it."""
    text = sentences.decode(text, max_chars=max_chars)
    if callable(gazetteer):
        gazetteer = gazetteer()
    script = sentences.script_of(text)
    split = sentences.split(text)
    if not split:
        raise IngestError("the text has no sentences")
    analysis = Analysis(text, title or _title(split), date or _guess_date(split), script, _slug(text), source, split)
    counter = itertools.count(1)

    def next_id(prefix: str) -> str:
        return f"{prefix}{next(counter)}"

    context: dict = {}
    paragraph = -1
    for sentence in split:
        if sentence.paragraph != paragraph:
            paragraph = sentence.paragraph
            context.pop("subject", None)
            context.pop("year", None)
            context.pop("event_date", None)
        found = entities.mentions(sentence, text, gazetteer, next_id)
        analysis.mentions += found
        analysis.relations += relations.relations(sentence, found, next_id, context)
        analysis.figures += figures.figures(sentence, found, analysis.date, context, next_id, gazetteer.units)
        analysis.events += events.events(sentence, found, analysis.date, context, next_id)
    analysis.relations += relations.article_relations(analysis.mentions, analysis.relations, next_id, split)
    analysis.relations += trades.memberships(analysis.mentions, analysis.relations, gazetteer, split, next_id)
    analysis.relations += known.restated(analysis.mentions, analysis.relations, gazetteer.facts, next_id)
    # short names last: the curator merges them into their firm, whose relations they would only repeat
    entities.link_short_names(analysis.mentions)
    short_names = entities.brands(analysis.mentions, split, text, next_id)
    analysis.mentions += short_names
    figures.own_subjects(analysis.figures, analysis.mentions, short_names)
    return analysis


def _title(split: list[Sentence]) -> str:
    """The first short line that is not a kicker: headlines are short and end without punctuation."""
    for sentence in split[:8]:
        if 6 <= len(sentence.text) <= 40 and sentence.text[-1] not in "。！？；":
            return sentence.text
    return split[0].text[:40]


def _guess_date(split: list[Sentence]) -> ArticleDate:
    """Without --date: the latest year the article names (a guess the page asks the curator to confirm)."""
    import re

    years = [int(y) for s in split for y in re.findall(r"(?<!\d)((?:19|20)\d{2})年", s.norm)]
    return ArticleDate(max(years) if years else 2024)


def _slug(text: str) -> str:
    """A stable article id from the text itself, so ingesting the same text twice names the same article."""
    return "x" + hashlib.sha256(text.encode()).hexdigest()[:10]
