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
GROUPS = {"IndustryCluster": "ck:memberOfCluster", "IndustryChain": "ck:inChain", "ChainSegment": "ck:inSegment"}
ASPIRED = re.compile(r"力争|争取|计划|准备|冲刺|到$|筹备")
EXCHANGES = re.compile(r"深交所|上交所|港交所|北交所|创业板|科创板|主板|证券交易所")


PARK_SUBJECT = re.compile(r"^(?:[^,;:。]{0,12},)?(?:该园区|园区|园内|该园)")
ESTABLISHED = re.compile(r"建设了?|引进了?|引入了?|打造了?|设立了?|建成了?|共建|汇集了?|聚集了?")
# 在<place>…揭牌成立 / 竣工投产 / 建成投用: what is set up there is in that place.
SITED = re.compile(r"在(?:(?P<anaphor>园区|该园|这里|此)|[^,;:。]{2,24}?)(?:正式|顺利|成功|率先)?"
                   r"(?:揭牌成立|揭牌|挂牌|成立|竣工投产|投产|建成投用|投用|建成|开工|开业|注册|设立)")
# Projects, facilities and funds are located in a park; organisations are hosted in it (docs/curation.md).
PLACED_THINGS = {"Project", "Facility", "InvestmentFund", "Drug"}  # a medicine is made (or trialled) where it is


def placement(sitter: Mention, place: Mention) -> str:
    return "ck:hostedIn" if place.kind in CARRIERS and sitter.kind not in PLACED_THINGS else "ck:locatedIn"


DEMONSTRATIVE = re.compile(r"该(生态圈|产业园|园区|基地|孵化器|大楼|楼|城)")
ANAPHORS = re.compile(r"其中|园区|园内|该园|这里|此处|于此|在此|该基地|基地内")


def relations(sentence: Sentence, mentions: list[Mention], next_id, context: dict | None = None) -> list[Relation]:
    """The relations of one sentence. `context` carries the carrier (park, building …) the paragraph is about, which
    园区, 其中, 这里 refer back to: “园区先后吸引400余家企业入驻，其中不乏三峰集团…” is about the park named before;
    and the chains named so far, so that a 链主 in a sentence naming no chain leads the one chain the article names."""
    context = {} if context is None else context
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

    # a place inside a longer name (昆山 in 昆山金聚, 重庆 in 重庆国际生物城) places nothing
    inner = {m.id for m in mentions if m.kind in AREAS | CARRIERS and (
        _inside_another(m, mentions) or m.name in SCOPES or
        re.match(r"首个|首家|第一|最大|唯一|最|知名", norm[at[m.id] + len(m.name):]))}  # 重庆首个, 重庆知名: scopes
    inner |= {m.id for m in mentions if m.kind in SITTERS and m.how != "owner in a name" and any(
        o.kind in SITTERS and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
        for o in mentions)}  # 春风动力 in 春风动力重庆摩托车制造项目落户大渡口: the project settles, not the firm
    inner |= {m.id for m in mentions if m.how == "firm and Latin name" and _inside_another(m, mentions)}  # 亚马逊AWS孵化器
    kinds = lambda names: [m for m in mentions if m.kind in names and m.id not in inner]  # noqa: E731
    named_chains = context.setdefault("chains", {})  # 以宏锐精工为链主 after a headline naming the one chain
    named_chains.update({m.iri or m.name: m for m in kinds({"IndustryChain"})})
    for cue in re.finditer(r"链主", norm):
        chains = kinds({"IndustryChain"}) or (list(named_chains.values()) if len(named_chains) == 1 else [])
        firms = sorted(kinds({"Company"}), key=lambda m: abs(at[m.id] - cue.start()))
        for chain in chains[:1]:
            for firm in firms[:1]:
                add(firm, "ck:chainLeaderOf", chain, cue, 0.8)
    named_back = DEMONSTRATIVE.search(norm)
    if named_back:  # 目前该生态圈已初具规模: the ecosystem named last, not the park named since
        earlier = [m for m in context.get("carriers", []) if m.name.endswith(named_back.group(1))]
        if earlier:
            context["carrier"], context["carrier_paragraph"] = earlier[-1], sentence.paragraph
    anaphor = ANAPHORS.search(norm)
    referred = context.get("carrier") if anaphor and not kinds(CARRIERS) else None
    if referred is not None and anaphor.group(0) in ("园区", "园内", "该园") and referred.kind != "IndustrialPark":
        parks = [m for m in context.get("carriers", []) if m.kind == "IndustrialPark"]  # 园区 is a park, not the
        referred = parks[-1] if parks else referred                                        # incubator named since
    for cue in re.finditer(r"龙头|骨干|排头兵|领跑者|领军|领先企业", norm):
        # a park named after the cue is where the leaders are (…龙头企业云集重庆公路物流基地), not what they lead
        led = _nearest(kinds(LED - {"IndustrialPark"}), at, cue.start(), after=True) or \
            _nearest(kinds(LED), at, cue.start())
        leaders = _enumeration_before(kinds(ORGANISATIONS), at, cue.start(), norm) or \
            [m for m in [_nearest(kinds(ORGANISATIONS), at, cue.end(), after=True)] if m]
        leaders = [m for m in leaders if m.kind != "GovernmentBody"]  # a government leads no industry as a firm
        carrier = _nearest(kinds(CARRIERS), at, cue.start()) or referred
        target = led or carrier
        for leader in leaders:
            if target is not None:
                add(leader, "ck:leadingEnterpriseOf", target, cue, 0.6)
    in_paragraph = context.get("carrier") if context.get("carrier_paragraph") == sentence.paragraph else None
    opened = context.get("opening_carrier")  # A创业苗圃以…为定位。¶ 截至目前，已汇集B、C…: the carrier that opened the
    if in_paragraph is None and opened is not None and opened[1] == sentence.paragraph - 1:  # paragraph before
        in_paragraph = opened[0]
    for cue in re.finditer(r"(?:落户|入驻|进驻|入孵)(?!企业|团队|项目|机构)|落地|迁入|位于|坐落|"
                           r"(?:聚集|集聚|汇聚|汇集|云集)(?!区)|集中(?=在|于)|依托", norm):
        # 聚集区 is a noun, 集中签约 places nothing, 入孵企业 are the firms an incubator has (said elsewhere)
        gathering = cue.group(0) in ("聚集", "集聚", "汇聚", "汇集", "云集", "集中")
        listed_before = gathering and _named_right_after(kinds(CARRIERS | AREAS), at, cue.end())
        if listed_before:
            gathering = False  # A、B等24家企业云集重庆公路物流基地: the place follows, the firms come before
        places = [m for m in kinds(CARRIERS | AREAS) if (at[m.id] < cue.start()) == gathering]
        place = _nearest(places, at, cue.start(), after=not gathering)
        if place is not None and not gathering:  # 迁入重庆大渡口: the smaller place named right after the larger
            place = next((m for m in places if at[m.id] == at[place.id] + len(place.name)), place)
        beyond = None  # 入驻位于大渡口的重庆微企梦工场: in the district, and hosted in the park there
        if place is not None and not gathering and place.kind in AREAS:
            beyond = next((m for m in kinds(CARRIERS) if at[m.id] == at[place.id] + len(place.name) + 1
                           and norm[at[place.id] + len(place.name)] == "的"), None)
        sitters = [m for m in kinds(SITTERS) if (at[m.id] > cue.start()) == gathering and m is not place]
        if cue.group(0) == "依托":  # 依托示范基地，已聚集起A、B、C: the carrier after the cue hosts what follows it
            place, beyond = _nearest(kinds(CARRIERS), at, cue.start(), after=True), None
            sitters = [m for m in kinds(SITTERS) if place is not None and at[m.id] > at[place.id]]
        whole = gathering or listed_before
        if place is None and referred is not None:  # 企业入驻其中 / 园区吸引…入驻，其中不乏A、B
            place, sitters, whole = referred, kinds(SITTERS), True
        elif place is None and in_paragraph is not None and not kinds(AREAS):
            # (the paragraph's park) 截至目前，已汇集A、B、C… / …已引进A、B等4家上市公司进驻: there
            place, sitters, whole = in_paragraph, (sitters if gathering else kinds(SITTERS)), True
        if place is None:
            continue
        for sitter in (sitters if whole else sitters[-3:]):
            for target in [place] + ([beyond] if beyond is not None else []):
                add(sitter, placement(sitter, target), target, cue, 0.6)
    if referred is not None and PARK_SUBJECT.match(norm):  # 园区专门…建设了A、B，并引进…: what the park set up
        for cue in ESTABLISHED.finditer(norm):
            for thing in kinds(SITTERS | {"Platform", "ServiceCenter"}):
                if at[thing.id] > cue.start():
                    add(thing, placement(thing, referred), referred, cue, 0.5)
    for cue in SITED.finditer(norm):  # A项目，在巴南经济园区正式竣工投产 / 服务中心在园区揭牌成立
        place = next((m for m in kinds(CARRIERS | AREAS) if at[m.id] == cue.start() + 1), None)
        if place is None and cue.group("anaphor"):
            place = referred if referred is not None else context.get("carrier")
        if place is None:
            continue
        clause_start = max(norm.rfind(p, 0, max(0, cue.start() - 1)) for p in ",;:。") + 1
        for sitter in kinds(SITTERS):
            if clause_start <= at[sitter.id] < cue.start():
                add(sitter, placement(sitter, place), place, cue, 0.6)
    for cue in re.finditer(r"以(?P<firms>[^,;。]{2,60}?)为(?:核心|龙头|骨干|依托|主体|引领)", norm):
        inside = [m for m in kinds(SITTERS) if cue.start("firms") <= at[m.id] < cue.end("firms")]
        led = _nearest(kinds(LED - {"IndustrialPark"}), at, cue.end(), after=True)
        carrier = _nearest(kinds(CARRIERS), at, cue.end(), after=True) or context.get("carrier")
        for firm in inside:
            if "龙头" in cue.group(0) or "骨干" in cue.group(0) or "引领" in cue.group(0):
                for target in (led, carrier):
                    if target is not None:
                        add(firm, "ck:leadingEnterpriseOf", target, cue, 0.6)
            elif carrier is not None:  # 以A、B为核心，加快打造高峰湖创新生态圈
                add(firm, placement(firm, carrier), carrier, cue, 0.5)
    for cue in re.finditer(r"以(?P<firms>[^,;。]{2,90}?)为(?:代表|载体|主)的(?P<group>[^,;。]{2,20})", norm):
        # 以京东、顺丰等为代表的电子商务产业集群: the firms, centres and services named are members of the group
        group = next((m for m in mentions if m.kind in GROUPS and cue.start("group") <= at[m.id] < cue.end("group")),
                     None)
        if group is None:
            continue
        for member in kinds(SITTERS | {"Platform"}):
            if cue.start("firms") <= at[member.id] < cue.end("firms"):
                add(member, GROUPS[group.kind], group, cue, 0.5)
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
        if norm[max(0, cue.start() - 1):cue.start()] == "拟" or \
                ASPIRED.search(norm[max(0, cue.start() - 6):cue.start()]):
            continue  # 力争实现上市, 为企业从初创到上市提供服务: not (yet) listed
        listed = _enumeration_before(kinds({"Company"}), at, cue.start(), norm) or \
            [m for m in [_nearest(kinds({"Company"}), at, cue.start())] if m]
        exchange = next((m for m in mentions if EXCHANGES.search(m.name)), None)
        for firm in listed:
            add(firm, "ck:isListedCompany", None, cue, 0.7, value=True)
            if exchange is not None:
                add(firm, "ck:listedOn", exchange, cue, 0.7)
    _phases(mentions, at, add, context, sentence)
    _topic_places(sentence, mentions, at, add, context, {r.subject for r in found if r.predicate in PLACING})
    _memberships(sentence, mentions, at, add)
    _topic_memberships(sentence, mentions, at, add, context)
    context["sites"] = (context.get("sites", []) + [(m, sentence.paragraph) for m in kinds(CARRIERS)])[-20:]
    carriers = kinds(CARRIERS - {"Facility"})
    _remember_opening(carriers, at, context, sentence)
    if carriers:  # the sentence's topic, named first: 重庆建桥工业园，…，A、B区全域纳入高新区拓展园 is about the park
        context["carrier"] = carriers[0]
        context["carrier_paragraph"] = sentence.paragraph
        context["carriers"] = (context.get("carriers", []) + carriers)[-20:]
    return found


def _remember_opening(carriers: list[Mention], at: dict, context: dict, sentence: Sentence) -> None:
    """A carrier that opens a paragraph is what the paragraph is about, and what the next one goes on about."""
    first = min(carriers, key=lambda m: at[m.id]) if carriers else None
    if first is not None and at[first.id] <= 2 and sentence.paragraph != context.get("last_paragraph"):
        context["opening_carrier"] = (first, sentence.paragraph)
    context["last_paragraph"] = sentence.paragraph


# ---------------------------------------------------------------------------------------------------- the article
HOME_KINDS = ("District", "PlanningArea", "City")
# Not firms: a firm named beside the district is as often one from elsewhere (杭州, 浙江) that invests there.
LOCATED_AT_HOME = {"Platform", "GovernmentBody", "Facility", "Project", "Alliance", "ResearchInstitute",
                   "FormalOrganization"}
HOME_CUE = "推断：文章所述区县 inferred: the article's district"


def article_relations(mentions: list[Mention], found: list[Relation], next_id,
                      sentences: list[Sentence] | None = None) -> list[Relation]:
    """What the curators read off the article as a whole: an office, platform, facility or project named beside the
    district an article is about (or 该区, 区内 for it) is located in that district, and so is a firm the district
    has, grows or brought in (拥有, 培育, 引进, 在区); not where the sentence names another place (a place inside a
    name, 重庆 in 重庆华韶算力中心, does not count) or a cue placed it already. The district is the area the article
    names most; confidence is low, for review."""
    out = _owners_placed(mentions, found, next_id)
    home = _home(mentions)
    if home is None:
        return out
    norms = {s.index: s.norm for s in sentences or []}
    by_index = {s.index: s for s in sentences or []}
    placed = {r.subject for r in found if r.predicate in ("ck:locatedIn", "ck:hostedIn")}
    placed_here = {(_key(m), m.sentence) for m in mentions if m.id in placed}  # hosted in a park, still in the district
    home_sentences = {m.sentence for m in mentions if _key(m) == _key(home)}
    if home.kind == "District":
        home_sentences |= {i for i, norm in norms.items() if DISTRICT_ANAPHOR.search(norm)}
    elsewhere = {m.sentence for m in mentions if m.kind in AREAS | CARRIERS and _key(m) != _key(home)
                 and not _inside_another(m, mentions) and m.name not in SCOPES}
    seen = set()
    for mention in mentions:
        key = _key(mention)
        at_home = mention.kind in LOCATED_AT_HOME or \
            mention.kind == "Company" and mention.sentence in by_index and \
            HOME_VERBS.search(_clause_of(by_index[mention.sentence], mention))
        if mention.kind == "GovernmentBody" and mention.name.startswith(("市", "省", "国家", "国务院", "中央")) or \
                mention.how == "stock exchange":
            continue  # 市政府办公厅 is the city's, not the district's; 深交所 is where its firms list, not a neighbour
        if not at_home or (key, mention.sentence) in placed_here or key in seen or key == _key(home):
            continue
        founded = mention.sentence in by_index and mention.kind in LOCATED_AT_HOME and not any(
            m.sentence == mention.sentence and m.kind in AREAS | CARRIERS and m.name not in SCOPES for m in mentions) \
            and FOUNDED_HERE.search(by_index[mention.sentence].norm[:_norm_start(by_index[mention.sentence], mention)])
        if (mention.sentence not in home_sentences or mention.sentence in elsewhere) and not founded:
            continue  # (…先后建立A平台、B平台: a sentence without a place that sets things up is about the district)
        seen.add(key)
        out.append(Relation(next_id("r"), mention.sentence, mention.id, "ck:locatedIn", home.id, HOME_CUE,
                            mention.start, mention.end, 0.35))
    return out


def _owners_placed(mentions: list[Mention], found: list[Relation], next_id) -> list[Relation]:
    """博唯生物二期扩能 is in 重庆国际生物城, so 博唯生物 is there too: the firm a placed platform, centre or project is
    named after sits where it does."""
    by_id = {m.id: m for m in mentions}
    owners = [m for m in mentions if m.how == "owner in a name"]
    out = []
    for relation in [r for r in found if r.predicate in ("ck:locatedIn", "ck:hostedIn")]:
        thing, place = by_id[relation.subject], by_id[relation.object]
        for owner in owners:
            if owner.sentence == thing.sentence and thing.start <= owner.start and owner.end <= thing.end:
                out.append(Relation(next_id("r"), relation.sentence, owner.id, placement(owner, place), place.id,
                                    relation.cue, relation.start, relation.end, 0.35))
    return out


FOUNDED_HERE = re.compile(r"(?:^|[,;:])(?:先后|相继|精心|率先|积极)?(?:建立|打造|搭建|推出|设立|组建|建设)")
DISTRICT_ANAPHOR = re.compile(r"该区|全区|区内|在区|我区|本区")
HOME_VERBS = re.compile(r"拥有|培育|引进|区内|在区|扎根|为龙头|为骨干|建成")
# Where a rank or a comparison is measured (居全球第四位, 国内领先), not a place anything is in.
SCOPES = {"全球", "世界", "国内", "全国", "国际", "全市", "海外", "全省", "西部", "中国"}


def _clause_of(sentence: Sentence, mention: Mention) -> str:
    """The clause a mention stands in (between commas, semicolons or stops)."""
    at = _norm_start(sentence, mention)
    start = max(sentence.norm.rfind(p, 0, at) for p in ",;:。") + 1
    ends = [k for k in (sentence.norm.find(p, at) for p in ",;:。") if k >= 0]
    return sentence.norm[start:min(ends, default=len(sentence.norm))]


def _inside_another(mention: Mention, mentions: list[Mention]) -> bool:
    return any(m.sentence == mention.sentence and m.start <= mention.start and mention.end <= m.end and
               m.end - m.start > mention.end - mention.start for m in mentions)


def _home(mentions: list[Mention]) -> Mention | None:
    for kind in HOME_KINDS:
        areas = [m for m in mentions if m.kind == kind]
        if areas:
            counts: dict[str, int] = {}
            for m in areas:
                counts[_key(m)] = counts.get(_key(m), 0) + 1
            best = max(counts, key=counts.get)
            if counts[best] >= 3:
                return next(m for m in areas if _key(m) == best)
    return None


def _key(mention: Mention) -> str:
    """One key per entity a mention may be: a new district is one place whether written 巴南 or 巴南区."""
    if mention.iri:
        return mention.iri
    if mention.kind in ("District", "AdministrativeArea") and len(mention.name) > 2:
        return "new:" + re.sub("(?:自治县|区|县|省)$", "", mention.name)
    return "new:" + mention.name


PLACING = ("ck:locatedIn", "ck:hostedIn")
TOPIC_PLACE_CUE = "推断：本句所述园区 inferred: the park the sentence is about"


def _topic_places(sentence: Sentence, mentions: list[Mention], at: dict, add, context: dict, placed: set) -> None:
    """重庆国际生物城持续推动…，推动博唯生物二期扩能、美莱德生物P3实验室… / (the paragraph's park:) 加大A产业化、B产业基地
    等在建项目促建力度: the projects and facilities of a sentence about a park are located in it — the park opens the
    sentence, or the sentence names no place and its paragraph is about the park. Low confidence, for review."""
    places = [m for m in mentions if m.kind in CARRIERS | AREAS and not _inside_another(m, mentions)]
    opening = [m for m in places if at[m.id] <= 8 and m.kind in CARRIERS - {"Facility"}]
    if opening and len({_key(m) for m in places}) == 1:
        topic = opening[0]
    elif not places and context.get("carrier_paragraph") == sentence.paragraph:
        topic = context.get("carrier")
    else:
        return
    # a medicine is made in a park, not in the ecosystem or incubator a paragraph is about: in the paragraph's park
    parks = [m for m, paragraph in context.get("sites", []) if paragraph == sentence.paragraph and
             m.kind == "IndustrialPark"]
    for thing in mentions:
        designated = re.search(r"(?:作为|成为|列为|纳入|是)[^,;:。]{0,6}$", sentence.norm[:at[thing.id]])
        where = topic if thing.kind != "Drug" or topic.kind == "IndustrialPark" else (parks[-1] if parks else None)
        if where is not None and thing.kind in PLACED_THINGS and thing.id not in placed and \
                not _inside_another(thing, mentions) and not designated:  # 重庆天安数码城作为重庆市重点项目: what
            add(thing, placement(thing, where), where,                     # the park is, not what is in it
                _Cue(re.search(".", sentence.norm), at[thing.id], TOPIC_PLACE_CUE), 0.35)


PHASE = re.compile(r"(?P<park>.+?)[一二三四五六七八九]期(?:项目|工程)?$")


def _phases(mentions: list[Mention], at: dict, add, context: dict, sentence: Sentence) -> None:
    """天安云谷三期, 科技园一期 (in a paragraph about 海康威视重庆科技园): a phase of a park is located in the park —
    the one it names, or the paragraph's park whose name ends the same."""
    parks = [m for m in mentions if m.kind in CARRIERS] + \
        [m for m, paragraph in context.get("sites", []) if paragraph == sentence.paragraph]
    for phase in mentions:
        match = PHASE.match(phase.name) if phase.kind == "Project" else None
        if not match:
            continue
        named = match.group("park")
        park = next((m for m in parks if m.name == named or len(named) >= 3 and m.name.endswith(named)), None)
        if park is not None and _key(park) != _key(phase):
            add(phase, "ck:locatedIn", park, _Cue(re.search(".", sentence.norm), at[phase.id], PHASE_CUE), 0.5)


PHASE_CUE = "推断：园区分期 inferred: a phase of the park"


# 围绕“芯屏器核网”全产业链，…已聚集起A、B: the wider chain a sentence is framed by, not the one its firms are in
# 从体外诊断试剂、设备的生产，到…: the first link of the chain a sentence spans, not the one its firms are in
FRAME = re.compile(r"围绕[“「]?$|从$")


def _memberships(sentence: Sentence, mentions: list[Mention], at: dict, add) -> None:
    """Firms named in one sentence with exactly one cluster, chain or segment belong to it; a project to the cluster,
    an institute set up to grow a chain (设立…研究院，…推动…全产业链不断壮大) to the chain."""
    for kind, predicate in (("IndustryCluster", "ck:memberOfCluster"), ("IndustryChain", "ck:inChain"),
                            ("ChainSegment", "ck:inSegment")):
        groups = {m.iri or m.name: m for m in mentions if m.kind == kind and not FRAME.search(
            sentence.norm[max(0, at[m.id] - 3):at[m.id]])}
        if len(groups) != 1:
            continue
        group = next(iter(groups.values()))
        cue = re.search(re.escape(sentence.norm[at[group.id]:at[group.id] + 1]), sentence.norm[at[group.id]:]) \
            or re.search(".", sentence.norm)
        for firm in mentions:
            if firm.kind == "Company" or firm.kind == "Project" and kind == "IndustryCluster" or \
                    firm.kind == "ResearchInstitute" and kind == "IndustryChain":
                add(firm, predicate, group, _Cue(cue, at[group.id]), 0.4)


TOPIC = re.compile(r"(?:在|从)?(?P<topic>[^,;:。!?]{2,24}?)(?:方面|领域)")
TOPIC_CUE = "推断：本段所述集群 inferred: the paragraph's cluster"


TOPIC_MEMBERS = {"Company"}


def _topic_memberships(sentence: Sentence, mentions: list[Mention], at: dict, add, context: dict) -> None:
    """在新材料产业方面，…风渡新材… / a heading 大健康生物医药产业 over its paragraph: the firms of a paragraph whose
    topic is a cluster belong to it (a heading's topic holds for the paragraph under it)."""
    clusters = [m for m in mentions if m.kind == "IndustryCluster"]
    topic = TOPIC.match(sentence.norm)
    heading = len(clusters) == 1 and len(sentence.norm) <= len(clusters[0].name) + 4
    named = [m for m in clusters if topic and at[m.id] < topic.end()] or (clusters if heading else [])
    if named:
        context["cluster"] = (named[0], sentence.paragraph, heading)
    current = context.get("cluster")
    if current is None or clusters and not named:
        return
    group, paragraph, from_heading = current
    if sentence.paragraph - paragraph > (1 if from_heading else 0):
        return
    for firm in mentions:
        if firm.kind in TOPIC_MEMBERS:
            add(firm, "ck:memberOfCluster", group, _Cue(re.search(".", sentence.norm), at[firm.id], TOPIC_CUE), 0.35)


class _Cue:
    """A cue match moved to where the group is named."""

    def __init__(self, match: re.Match, offset: int, text: str = "同句 same sentence") -> None:
        self._match, self._offset, self._text = match, offset, text

    def start(self) -> int:
        return self._offset

    def end(self) -> int:
        return self._offset + 1

    def group(self, _: int = 0) -> str:
        return self._text


def _norm_start(sentence: Sentence, mention: Mention) -> int:
    return sentence.at(mention.start)


def _named_right_after(candidates: list[Mention], at: dict, position: int) -> bool:
    return any(0 <= at[m.id] - position <= 1 for m in candidates)


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
