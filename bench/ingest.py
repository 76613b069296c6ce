"""How good are the ingest candidates? Leave-one-out on the five curated articles: for each article the gazetteer is
built from the other four articles' curation only (and the registry entities they use, without the aliases only
the held-out article shows), the pipeline runs on its text with its curated date, and the candidates are scored
against its curated graph.

    python -m bench.ingest                      # the five articles, a table of every figure and the misses
    python -m bench.ingest --json var/ingest.json --article 1

Scored (precision = right candidates ÷ candidates, recall = curated facts found ÷ curated facts):
- entities: the curated entities the article names (a name of theirs occurs in its text), matched by IRI or name;
  products (schema:Drug, schema:Product) count since 2026-12-05 (session 4): their relations are curated too;
- relations: curated triples of the relation predicates below, subject and object matched as entities are;
- statistics: value, unit and year all right (one candidate per curated figure), in a sentence that overlaps the
  curated quote (the same value in another sentence is another statement);
- events: kind and date right (the curated date or a more precise one inside it: 1938年3月 where the curation says
  1938), in a sentence that overlaps the curated quote;
- quotes: of the right candidates, the share whose sentence is the curated quote (and the share that overlaps it).
Targets (issue 14): entity recall ≥ 90 %, statistics recall ≥ 80 % at precision ≥ 80 %, relations and events
recall ≥ 60 % at precision ≥ 70 %. Where one is missed, the ten most common misses are listed by cause.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from chainkg.graph import loader
from chainkg.graph.ingest import Analysis, ArticleDate, Gazetteer, analyse
from chainkg.graph.ingest.sentences import normalise
from chainkg.graph.namespaces import CK, VOCAB
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
LABELS = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", CK + "captionVariant"}
RELATION_PREDICATES = {CK + p for p in ("chainLeaderOf", "leadingEnterpriseOf", "locatedIn", "hostedIn", "cooperatesWith",
                                        "supportingCompanyOf", "broughtInBy", "listedOn", "isListedCompany",
                                        "memberOfCluster", "inChain", "inSegment")}
# schema:Drug / schema:Product: products curated as entities (九价HPV疫苗 ck:locatedIn the bio city) are named in the
# text like any other entity, so their relations can be scored only if their names resolve too.
NAMED_TOPS = {CK + "Place", "http://www.w3.org/ns/org#Organization", CK + "Person", CK + "Industry",
              CK + "IndustryCluster", CK + "IndustryChain", CK + "ChainSegment", CK + "Policy", CK + "Project",
              SCHEMA + "Drug", SCHEMA + "Product"}
TARGETS = {"entities": ("recall", 0.90, None), "statistics": ("both", 0.80, 0.80),
           "relations": ("both", 0.60, 0.70), "events": ("both", 0.60, 0.70)}
ARTICLES = range(5)


# ---------------------------------------------------------------------------------------------------- the data
@dataclass
class Curation:
    """Everything the curated files say, parsed once: per-article quads, classes, names, the ontology."""

    settings: Settings
    ontology: list[ox.Quad]
    registry: list[ox.Quad]
    articles: dict[int, list[ox.Quad]]
    texts: dict[int, str]
    seeds: dict[int, str]

    @classmethod
    def read(cls, settings: Settings) -> Curation:
        kg = KnowledgeGraph(settings)
        ontology_files, curated = loader.shipped_files(kg)
        base = settings.base_iri
        ontology = [q for p in ontology_files for q in loader.parse_file(p, base_iri=base, graph=kg.names.ontology)]
        registry = [q for p in curated if p.name.startswith("00-") for q in loader.parse_file(p, base_iri=base)]
        articles = {int(p.stem[1:]): loader.parse_file(p, base_iri=base) for p in curated if re.fullmatch(r"a\d+", p.stem)}
        seeds, texts = {}, {}
        for n, quads in articles.items():
            seed = next(q.object.value for q in quads if q.predicate.value == CK + "seedFile")
            seeds[n] = seed
            if settings.seeds_dir is None:
                raise SystemExit("the seed article texts are needed: set CHAINKG_SEEDS_DIR to their folder")
            path = settings.seeds_dir / seed
            if not path.exists():
                raise SystemExit(f"seed text {path} not found: set CHAINKG_SEEDS_DIR to the folder of the article texts")
            texts[n] = path.read_text(encoding="utf-8")
        return cls(settings, ontology, registry, articles, texts, seeds)

    @property
    def everything(self) -> list[ox.Quad]:
        return self.registry + [q for quads in self.articles.values() for q in quads]

    def doc(self, n: int) -> str:
        return self.settings.base_iri + f"id/doc/a{n:03d}"

    def date(self, n: int) -> ArticleDate:
        value = next(q.object.value for q in self.articles[n]
                     if q.subject.value == self.doc(n) and q.predicate.value == DCTERMS + "date")
        return ArticleDate.parse(value)


def gazetteer_without(curation: Curation, held_out: int) -> Gazetteer:
    """The gazetteer a curator would have before reading article `held_out`: the other four articles' curation,
    the registry entities they use, and none of the registry's aliases that only the held-out text shows."""
    others = [q for n, quads in curation.articles.items() if n != held_out for q in quads]
    used = {t.value for q in others for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    own_text = normalise(curation.texts[held_out])
    other_texts = [normalise(t) for n, t in curation.texts.items() if n != held_out]

    def known_elsewhere(quad: ox.Quad) -> bool:
        if quad.subject.value not in used:
            return False
        if quad.predicate.value in LABELS - {SKOS + "prefLabel"}:
            key = normalise(quad.object.value)
            return not (key in own_text and not any(key in t for t in other_texts))
        return True

    kg = KnowledgeGraph(Settings(store=":memory:", base_iri=curation.settings.base_iri))
    kg.add(curation.ontology + [q for q in curation.registry if known_elsewhere(q)] + others)
    return Gazetteer.from_graph(kg)


# ---------------------------------------------------------------------------------------------------- the gold
@dataclass
class Gold:
    entities: dict[str, set[str]]  # IRI → its normalised names (the named entities of the article)
    unnamed: set[str]  # entities the article's facts use but whose names are not in its text
    kinds: dict[str, str]
    relations: set[tuple[str, str, str]]
    statistics: list[tuple[Decimal, str, str, str, str]]  # value, unit, year, stat IRI, its ck:statSubject
    events: list[tuple[str, str, str]]  # kind, date, event IRI
    quotes_of: dict[str, set[str]]  # a node or triple key → the squeezed quotes that state it


def gold(curation: Curation, n: int) -> Gold:
    everything = curation.everything + curation.ontology
    types = defaultdict(set)
    names = defaultdict(set)
    for q in everything:
        if q.predicate.value == RDF_TYPE:
            types[q.subject.value].add(q.object.value)
        elif q.predicate.value in LABELS and isinstance(q.object, ox.Literal):
            names[q.subject.value].add(normalise(q.object.value.strip("“”「」《》")))
            names[q.subject.value].add(normalise(re.sub(r"[“”「」《》]", "", q.object.value)))
    supers = _superclasses(curation.ontology)
    quote_prefix = curation.settings.base_iri + f"id/quote/a{n:03d}-"
    quotes = {q.subject.value: _squeeze(q.object.value) for q in curation.articles[n]
              if q.predicate.value == "http://www.w3.org/ns/oa#exact"}
    facts = [q for q in curation.articles[n] if isinstance(q.graph_name, ox.NamedNode)
             and q.graph_name.value.startswith(quote_prefix) and not q.graph_name.value.endswith("-names")]
    quotes_of: dict[str, set[str]] = defaultdict(set)
    entities, relations, stat_nodes, events = set(), set(), set(), {}
    # events an article dates only to the year, whose curated date is the month another article gives (1938-03)
    dated_elsewhere = {q.subject.value: q.object.value for q in curation.everything
                       if q.predicate.value == DCTERMS + "date" and re.fullmatch(r"\d{4}-\d{2}", q.object.value)}
    for q in facts:
        quote = quotes.get(q.graph_name.value, "")
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and any(supers.get(t, {t}) & NAMED_TOPS for t in types[term.value]):
                entities.add(term.value)
                quotes_of[term.value].add(quote)
        p = q.predicate.value
        if p in RELATION_PREDICATES:
            obj = "true" if p == CK + "isListedCompany" else q.object.value
            relations.add((q.subject.value, p, obj))
            quotes_of[str((q.subject.value, p, obj))].add(quote)
        if p == CK + "value":
            stat_nodes.add(q.subject.value)
            quotes_of[q.subject.value].add(quote)
        is_event = any(CK + "Event" in supers.get(t, set()) for t in types[q.subject.value])
        if p in (DCTERMS + "date", CK + "coversYear") and is_event:  # an award's year (2022年度) dates it too
            events[q.subject.value] = q.object.value
            quotes_of[q.subject.value].add(quote)
        elif (is_event and q.subject.value not in events and q.subject.value in dated_elsewhere
              and dated_elsewhere[q.subject.value][:4] in quote):
            # the sentence gives the event's year; its date, to the month, is in another article's sentence
            events[q.subject.value] = dated_elsewhere[q.subject.value]
            quotes_of[q.subject.value].add(quote)
    text = normalise(curation.texts[n])
    named = {iri for iri in entities if any(len(k) >= 2 and k in text for k in names[iri])}
    statistics = []
    source = curation.doc(n)
    by_stat = defaultdict(dict)
    for q in curation.everything:
        if q.subject.value.startswith(curation.settings.base_iri + "id/stat/"):
            by_stat[q.subject.value][q.predicate.value] = q.object
    for stat, props in by_stat.items():
        if props.get(DCTERMS + "source") and props[DCTERMS + "source"].value == source:
            statistics.append((Decimal(props[CK + "value"].value), props[CK + "unit"].value.rsplit("/", 1)[-1],
                               props[CK + "year"].value, stat, props[CK + "statSubject"].value))
    event_list = []
    for event, date in events.items():
        kind = max(types[event], key=lambda t: len(supers.get(t, ())))
        event_list.append((kind.rsplit("#", 1)[-1], date, event))
    kinds = {iri: max(types[iri], key=lambda t: len(supers.get(t, ()))).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
             for iri in entities}
    return Gold({iri: names[iri] for iri in named}, entities - named, kinds, relations, statistics, event_list,
                dict(quotes_of))


def _superclasses(ontology: list[ox.Quad]) -> dict[str, set[str]]:
    direct = defaultdict(set)
    for q in ontology:
        if q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#subClassOf":
            direct[q.subject.value].add(q.object.value)
    closed = {}
    for cls in list(direct) + [CK + c for c in ("Event",)]:
        seen, todo = {cls}, [cls]
        while todo:
            for up in direct.get(todo.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        closed[cls] = seen
    return closed


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------------------------------------- scoring
@dataclass
class Score:
    found: int = 0  # right candidates
    candidates: int = 0
    curated: int = 0
    recalled: int = 0
    quote_exact: int = 0
    quote_overlap: int = 0
    subject_right: int = 0  # statistics: right figures whose subject is the curated ck:statSubject
    misses: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.found / self.candidates if self.candidates else 0.0

    @property
    def recall(self) -> float:
        return self.recalled / self.curated if self.curated else 0.0

    def miss(self, cause: str, example: str) -> None:
        self.misses[cause] += 1
        self.examples.setdefault(cause, example)

    def add(self, other: Score) -> None:
        for name in ("found", "candidates", "curated", "recalled", "quote_exact", "quote_overlap", "subject_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses.update(other.misses)
        for cause, example in other.examples.items():
            self.examples.setdefault(cause, example)

    def as_json(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "right": self.found,
                "candidates": self.candidates, "curated": self.curated, "recalled": self.recalled,
                "quote_exact": self.quote_exact, "quote_overlap": self.quote_overlap,
                "subject_right": self.subject_right,
                "misses": [{"cause": c, "count": k, "example": self.examples[c]} for c, k in self.misses.most_common()]}


def score(analysis: Analysis, truth: Gold) -> dict[str, Score]:
    sentence_text = {s.index: _squeeze(s.text) for s in analysis.sentences}
    resolve = _resolver(truth)
    mention_iri = {m.id: resolve(m) for m in analysis.mentions}
    mention = {m.id: m for m in analysis.mentions}
    scores = {name: Score() for name in ("entities", "relations", "statistics", "events")}

    def within_date(candidate: str, curated: str) -> bool:
        """The curated date, or a more precise one inside it: 1938年3月 is right where the curation says 1938, and
        1938 where this article gives the year of an event another article dates to 1938-03."""
        return candidate == curated or candidate.startswith(curated + "-") or curated.startswith(candidate + "-")

    def stated_here(key: str, sentence: int) -> bool:
        """A figure or an event is the curated one only where the curation quotes it: the same value and year (or
        kind and date) in another sentence is another statement, not a match."""
        text = sentence_text[sentence]
        return any(text in q or q in text for q in truth.quotes_of.get(key, ()) if q)

    def quoted(s: Score, key: str, sentence: int) -> None:
        quotes = truth.quotes_of.get(key, set())
        text = sentence_text[sentence]
        s.quote_exact += text in quotes
        s.quote_overlap += any(text in q or q in text for q in quotes if q)

    # entities
    e = scores["entities"]
    distinct: dict[str, object] = {}
    for m in analysis.mentions:
        distinct.setdefault(mention_iri[m.id] or "new:" + normalise(m.name), m)
    e.candidates = len(distinct)
    e.curated = len(truth.entities)
    everything = set(truth.entities) | truth.unnamed
    for key, m in distinct.items():
        if key in everything:
            e.found += 1
            quoted(e, key, m.sentence)
        else:
            e.miss(f"not curated: {m.kind} ({m.how})", m.text)
    for iri in truth.entities:
        if iri in distinct:
            e.recalled += 1
        else:
            partial = [m for m in analysis.mentions if any(normalise(m.name) in k or k in normalise(m.name)
                                                           for k in truth.entities[iri] if len(k) >= 2)]
            cause = "name cut differently" if partial else "name not found"
            e.miss(f"missed {truth.kinds.get(iri, '?')}: {cause}", min(truth.entities[iri], key=len))
    # relations
    r = scores["relations"]
    proposed = {}
    for rel in analysis.relations:
        s = mention_iri[rel.subject] or "new:" + mention[rel.subject].name
        o = "true" if rel.value else (mention_iri[rel.object] or "new:" + mention[rel.object].name)
        proposed.setdefault((s, CK + rel.predicate.split(":")[1], o), rel)
    r.candidates, r.curated = len(proposed), len(truth.relations)
    for key, rel in proposed.items():
        if key in truth.relations:
            r.found += 1
            quoted(r, str(key), rel.sentence)
        else:
            cause = "entity not curated" if not all(k in everything or k == "true" for k in (key[0], key[2])) \
                else "not curated between these"
            r.miss(f"wrong {_short(key[1])}: {cause}", f"{mention[rel.subject].text} {rel.cue} "
                   f"{mention[rel.object].text if rel.object else 'true'}")
    for key in truth.relations:
        if key in proposed:
            r.recalled += 1
        else:
            known = key[0] in distinct and (key[2] in distinct or key[2] == "true")
            r.miss(f"missed {_short(key[1])}: " + ("no cue linked them" if known else "an entity was not found"),
                   f"{_short(key[0])} → {_short(key[2])}")
    # statistics
    s = scores["statistics"]
    s.candidates, s.curated = len(analysis.figures), len(truth.statistics)
    open_gold = list(truth.statistics)
    for fig in analysis.figures:
        key = (Decimal(fig.value), fig.unit, str(fig.year))
        match = next((g for g in open_gold if g[:3] == key and stated_here(g[3], fig.sentence)), None)
        if match:
            open_gold.remove(match)
            s.found += 1
            s.subject_right += bool(fig.subject) and mention_iri.get(fig.subject) == match[4]
            quoted(s, match[3], fig.sentence)
        else:
            near = [g for g in truth.statistics if g[0] == key[0]]
            cause = "not curated" if not near else ("wrong year" if near[0][1] == fig.unit else "wrong unit") \
                if all(g[:3] != key for g in near) else "duplicate" if any(
                    g[:3] == key and stated_here(g[3], fig.sentence) for g in near) else "curated in another sentence"
            s.miss(f"wrong figure: {cause}", f"{fig.text} ({fig.unit}, {fig.year})")
    s.recalled = s.found
    printed = normalise(analysis.text)
    for value, unit, year, iri, _ in open_gold:
        near = [f for f in analysis.figures if Decimal(f.value) == value]
        if near:
            cause = "wrong year" if near[0].unit == unit else "wrong unit"
        else:
            cause = "value not extracted" if _printed_in(value, printed) else "value not printed (curator's inference)"
        s.miss(f"missed figure: {cause}", f"{value} {unit} {year}")
    # events
    v = scores["events"]
    v.candidates, v.curated = len(analysis.events), len(truth.events)
    open_events = list(truth.events)
    for event in analysis.events:
        match = next((g for g in open_events if g[0] == event.kind and within_date(event.date, g[1])
                      and stated_here(g[2], event.sentence)), None)
        if match:
            open_events.remove(match)
            v.found += 1
            quoted(v, match[2], event.sentence)
        else:
            same_date = [g for g in truth.events if g[1] == event.date]
            v.miss("wrong event: " + ("other kind curated" if same_date else "not curated"),
                   f"{event.kind} {event.date} {event.cue}")
    v.recalled = v.found
    for kind, date, iri in open_events:
        same_kind = [e for e in analysis.events if e.kind == kind]
        v.miss(f"missed {kind}: " + ("date differs" if same_kind else "no trigger with a date"), f"{date} {_short(iri)}")
    return scores


def _resolver(truth: Gold):
    by_name = defaultdict(set)
    for iri, keys in truth.entities.items():
        for key in keys:
            by_name[key].add(iri)

    def resolve(m) -> str | None:
        if m.iri:
            return m.iri
        found = by_name.get(normalise(m.name))
        return next(iter(sorted(found))) if found else None

    return resolve


def _printed_in(value: Decimal, text: str) -> bool:
    plain = format(value.normalize(), "f")
    return plain in text


def _short(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


# ---------------------------------------------------------------------------------------------------- running
def leave_one_out(curation: Curation, n: int) -> tuple[dict[str, Score], Analysis]:
    gazetteer = gazetteer_without(curation, n)
    analysis = analyse(curation.texts[n], gazetteer, date=curation.date(n), source=curation.seeds[n])
    return score(analysis, gold(curation, n)), analysis


def run(settings: Settings, articles=ARTICLES) -> dict[str, dict[str, Score]]:
    curation = Curation.read(settings)
    results = {}
    for n in articles:
        results[f"a{n:03d}"], _ = leave_one_out(curation, n)
    total = {name: Score() for name in ("entities", "relations", "statistics", "events")}
    for scores in results.values():
        for name, s in scores.items():
            total[name].add(s)
    results["all"] = total
    return results


def met(name: str, s: Score) -> bool:
    kind, recall, precision = TARGETS[name]
    return s.recall >= recall and (precision is None or s.precision >= precision)


def report(results: dict[str, dict[str, Score]]) -> str:
    lines = ["| article | kind | precision | recall | right / candidates | found / curated | sentence = quote | overlaps quote |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for article, scores in results.items():
        for name, s in scores.items():
            lines.append(f"| {article} | {name} | {s.precision:.1%} | {s.recall:.1%} | {s.found} / {s.candidates} | "
                         f"{s.recalled} / {s.curated} | {_share(s.quote_exact, s.found)} | {_share(s.quote_overlap, s.found)} |")
    total = results["all"]
    lines.append("")
    for name, s in total.items():
        target = TARGETS[name]
        wanted = f"recall ≥ {target[1]:.0%}" + (f" at precision ≥ {target[2]:.0%}" if target[2] else "")
        lines.append(f"- {name}: {'met' if met(name, s) else 'MISSED'} ({wanted}; precision {s.precision:.1%}, "
                     f"recall {s.recall:.1%})")
    lines.append(f"- statistics: the subject is the curated ck:statSubject for {total['statistics'].subject_right} of "
                 f"the {total['statistics'].found} right figures")
    for name, s in total.items():
        if met(name, s):
            continue
        lines += ["", f"Ten most common misses, {name}:", "", "| count | cause | example |", "|---:|---|---|"]
        for cause, count in s.misses.most_common(10):
            lines.append(f"| {count} | {cause} | {s.examples[cause]} |")
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", type=int, action="append", help="only this article (0-4); repeatable")
    parser.add_argument("--json", type=Path, help="also write the figures and misses as JSON")
    args = parser.parse_args(argv)
    settings = Settings(store=":memory:", **({"seeds_dir": os.environ["CHAINKG_SEEDS_DIR"]}
                                              if os.environ.get("CHAINKG_SEEDS_DIR") else {}))
    results = run(settings, args.article or ARTICLES)
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({a: {k: s.as_json() for k, s in scores.items()} for a, scores in results.items()},
                                        ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
