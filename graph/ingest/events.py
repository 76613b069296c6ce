"""Events of a sentence: a trigger word gives the kind (落户 an arrival, 签约 a signing, 投产 a start of production,
上市 a listing …), the time expression of its clause or of the sentence's opening gives the date (relative dates
resolved against the article's date), and the clause's mentions give participants and place. A clause without a
date gives no event: an event has exactly one date (ontology/shapes.ttl)."""

from __future__ import annotations

import re

from chainkg.graph.ingest import dates
from chainkg.graph.ingest.candidates import Event, Mention
from chainkg.graph.ingest.sentences import Sentence

# Trigger → class (local names of ck:Event's subclasses), checked in this order within a clause.
TRIGGERS: list[tuple[str, str]] = [
    (r"上市(?!公司|企业|地|后|前|辅导)", "Listing"),
    (r"达成合作意向|合作协议|开展[^，。]{0,8}合作|战略合作", "CooperationAgreement"),  # 签订校地合作协议 too
    (r"(?:签约|签订|签署)(?!项目|合同|金额|总额|额)", "Signing"),  # 签约项目24个, 签约合同总额: counted, no event
    (r"开工|动工|奠基|启动[^，。]{0,12}建设", "ConstructionStart"),
    (r"投产|投用|投运|竣工|建成投用|提前投产", "ProductionStart"),
    (r"增加投资|增资|扩产|扩能", "Investment"),
    (r"揭牌|开业|上线|开通|挂牌|正式运营|建成开业|启用", "Opening"),
    (r"获评|荣获|表彰|被评为|认定为|被认定|获批|入选|被确定为|被纳入|纳入", "Award"),
    (r"注册成立|成立|设区|组建|设立|创建", "Founding"),
    (r"落户|入驻|进驻|迁入|西迁|搬迁|落地", "Arrival"),
    (r"召开|推进会|座谈会|对接会|接洽|考察|论坛|峰会|博览会", "Meeting"),
]
PLANNED = ("预计", "将", "计划", "拟", "有望", "力争", "争取", "即将")
NOT_EVENTS = re.compile(r"上市公司|拟上市|成立不到|新成立|成立以来")
PLACES = {"Place", "AdministrativeArea", "Country", "Municipality", "City", "District", "PlanningArea", "Carrier",
          "IndustrialPark", "Building", "Incubator", "MakerSpace", "InnovationEcosystem", "Facility"}


def events(sentence: Sentence, mentions: list[Mention], article: dates.ArticleDate, context: dict, next_id) -> list[Event]:
    norm = sentence.norm
    titles = [(m.start(), m.end()) for m in re.finditer(r"《[^》]*》", norm)]
    whens = [w for w in dates.find(norm, article, context.get("event_year")) if w.label not in dates.NOW_WORDS
             and not any(a <= w.start < b for a, b in titles)]  # (2013-2022年) in a plan's title dates nothing
    first_clause = _clauses(norm)[0] if norm else (0, 0)
    opening = whens[0] if whens and whens[0].start < first_clause[1] else None  # 将时间拨回2019年，…
    if not whens and context.get("event_date") is not None:  # 2020年7月，…扩大规模。…凯尔夫公司成功入驻…: the
        opening = context["event_date"]                        # paragraph's last dated sentence dates this one
    found = []
    for start, end in _clauses(norm):
        clause = norm[start:end]
        for trigger in _triggers(clause):
            event = _event(sentence, norm, start, end, clause, trigger, whens, opening, mentions, article, next_id)
            if event is not None:
                found.append(event)
    if whens:
        context["event_year"] = whens[-1].year
        dated = [w for w in whens if w.month and not w.target]
        context["event_date"] = dated[-1] if dated else None
    return found


def _event(sentence: Sentence, norm: str, start: int, end: int, clause: str, trigger, whens, opening, mentions,
           article: dates.ArticleDate, next_id) -> Event | None:
    """The event a trigger of a clause names, dated by its clause (else the sentence's opening), or None."""
    cue_start, cue_end, kind = trigger[0] + start, trigger[1] + start, trigger[2]
    inside = [w for w in whens if start <= w.start < end and w.period != "point-in-time" or
              start <= w.start < end and w.day]
    when = (inside or [opening] if opening else inside)
    when = when[0] if when else None
    if re.search(r"当月|同月", norm[max(0, start - 4):end]):  # 10月便达成合作意向，当月，…项目落户: the month named last before
        earlier = [w for w in whens if w.start < start and w.month]
        when = earlier[-1] if earlier else when
    if when is not None and opening is not None and when is not opening and opening.month and not when.month and \
            opening.year == when.year and not when.target:  # 今年8月18日，…获评为2021年…: the day, not the title's year
        when = opening
    if when is None or when.target and kind not in ("ProductionStart", "Listing", "Opening", "ConstructionStart"):
        return None
    date, datatype = when.date_literal()
    cue_at = sentence.span(cue_start, cue_end)[0]
    if kind == "ProductionStart" and "投用" in norm[cue_start:cue_end] and not any(
            m.kind in ("Facility", "Company", "Project") and m.how != "owner in a name"  # the firm a centre is
            for m in mentions if m.start < cue_at):                                          # named after: not a plant
        kind = "Opening"  # a platform or a centre put into use opens; a plant or a line starts producing
    planned = any(w in norm[start:cue_start] for w in PLANNED) or when.target or _after(when, article)
    clause_mentions = [m for m in mentions if sentence.span(start, end)[0] <= m.start < sentence.span(start, end)[1]]
    if not clause_mentions:
        clause_mentions = [m for m in mentions if m.start < sentence.span(cue_start, cue_end)[0]][-2:]
    participants = [m.id for m in clause_mentions if m.kind not in PLACES]
    places = [m for m in clause_mentions if m.kind in PLACES]
    place = places[-1].id if places else None
    a, b = sentence.span(cue_start, cue_end)
    confidence = 0.7 if when in inside else 0.5
    return Event(next_id("v"), sentence.index, a, b, norm[cue_start:cue_end], kind,
                 _label(clause, when.label), date, datatype, participants, place, planned, confidence)


def _clauses(norm: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"[，；。！？,;：]", norm):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(norm)))
    return [(s, e) for s, e in spans if e > s]


def _triggers(clause: str) -> list[tuple[int, int, str]]:
    """The clause's trigger, and one more per enumerated part after it (申通等6个项目开工、…等6个项目投运)."""
    found, offset = [], 0
    while clause:
        trigger = _trigger(clause)
        if trigger is None:
            break
        found.append((trigger[0] + offset, trigger[1] + offset, trigger[2]))
        after = clause.find("、", trigger[1])
        if after < 0:
            break
        offset, clause = offset + after + 1, clause[after + 1:]
    return [t for i, t in enumerate(found) if all(t[2] != u[2] for u in found[:i])]


def _trigger(clause: str) -> tuple[int, int, str] | None:
    if NOT_EVENTS.search(clause):
        clause = NOT_EVENTS.sub(lambda m: "＿" * len(m.group(0)), clause)
    for pattern, kind in TRIGGERS:
        match = re.search(pattern, clause)
        if match:
            return match.start(), match.end(), kind
    return None


def _after(when: dates.When, article: dates.ArticleDate) -> bool:
    if when.year != article.year:
        return when.year > article.year
    return bool(when.month and article.month and when.month > article.month)


def _label(clause: str, time_label: str) -> str:
    text = clause.replace(time_label, "", 1).strip("，。；、 ")
    return text[:40] or clause[:40]
