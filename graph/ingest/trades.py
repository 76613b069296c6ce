"""Membership read across sentences by trade. Curators place a firm in a cluster or chain from what the article
says of its trade, often in another sentence than the one naming the group; the sentence rules see one sentence.

- a cluster and a chain of one trade named in one article (新型显示产业集群, 新型显示全产业链) have the same firms;
- the firms of a paragraph that names exactly one cluster belong to it;
- a firm that leads or works in a trade (体外诊断龙头企业X, X专注体外诊断产业) is in the chain of that trade;
- the firms of a sentence that spans a chain from one of its links (从体外诊断试剂…到…) are in that link's chain;
- a firm in a cluster the graph knows one chain of is in that chain;
- a firm or project whose name holds a link's name (惠科金渝光电液晶面板第8.6代线项目) is in that link;
- the firms, projects and institutes of a section whose heading (or first sentence) names the trade of one cluster,
  and which names no other, belong to that cluster;
- a firm that supports (配套) a firm of exactly one chain is in that chain;
- the members of the clusters a park has formed (重庆公路物流基地已形成以京东、顺丰等为代表的电子商务产业集群) are in
  that park.
The trade is a group's name without its place and its group word. Confidence is low: these are for review.
"""

from __future__ import annotations

import re

from chainkg.graph.ingest.candidates import Mention, Relation
from chainkg.graph.ingest.gazetteer import Gazetteer
from chainkg.graph.ingest.relations import placement
from chainkg.graph.ingest.sentences import CAPTION, Sentence

GROUP_WORDS = re.compile(r"(?:全产业链|产业链|产业集群|集群|产业|链条|链)$")
PREDICATES = {"IndustryCluster": "ck:memberOfCluster", "IndustryChain": "ck:inChain"}
# A project joins a cluster, and a segment by what it makes; the chain is the firms' (docs/curation.md).
MEMBERS = {"Company", "ResearchInstitute", "Platform", "ServiceCenter", "University"}
PLACES = ("AdministrativeArea", "District", "City", "Municipality", "Country", "Place")
TWIN_CUE = "推断：同一产业的集群与产业链 inferred: the chain of the cluster's trade"
PARAGRAPH_CUE = "推断：本段所述集群 inferred: the cluster its paragraph names"
TRADE_CUE = "推断：企业所属产业的产业链 inferred: the chain of the firm's trade"
LEADS_CUE = "推断：企业所领产业的集群 inferred: the cluster of the trade the firm leads"
SPAN_CUE = "推断：所列环节所属产业链 inferred: the chain its links span"
LINK_CUE = "推断：名称含产业链环节 inferred: the link its name names"
CLUSTER_CHAIN_CUE = "推断：集群在图谱中的唯一产业链 inferred: the cluster's one chain in the graph"
SECTION_CUE = "推断：本节所述集群 inferred: the cluster its section is about"
SUPPORT_CUE = "推断：所配套企业的产业链 inferred: the chain of the firm it supports"
PARK_CUE = "推断：形成该集群的园区 inferred: the park that formed the cluster"
FORMED = re.compile(r"(?:已经?|逐步|初步)?形成了?")
SECTION_MEMBERS = {"Company", "Project", "ResearchInstitute", "Incubator"}
HEADING = re.compile(r"[^,;:。!?，；：。！？、]{4,30}")
WORKS_IN = r"[^,;:。]{0,4}(?:专注于|专注|深耕|主营|从事)"


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


def memberships(mentions: list[Mention], found: list[Relation], gazetteer: Gazetteer, sentences: list[Sentence],
                next_id) -> list[Relation]:
    """Every membership these rules add to `found` (new chain mentions are appended to `mentions`)."""
    out = _Added(mentions, found, next_id)
    places = {m.name for m in mentions if m.kind in PLACES}
    _paragraph_clusters(mentions, sentences, places, out)
    _section_clusters(mentions, sentences, places, out)
    _twins(mentions, found + out.relations, places, out)
    _chains_of_trades(mentions, found, gazetteer, sentences, places, out)
    _clusters_of_led_trades(mentions, found, places, out)
    _chain_spans(mentions, sentences, gazetteer, out)
    _segments_in_names(mentions, gazetteer, out)
    _chains_of_clusters(mentions, found, gazetteer, out)
    _chains_of_anchors(mentions, found, out)
    _parks_of_clusters(mentions, found, sentences, out)
    return out.relations


class _Added:
    """The relations added so far, without repeating one that is already proposed."""

    def __init__(self, mentions: list[Mention], found: list[Relation], next_id) -> None:
        self.mentions, self.next_id, self.relations = mentions, next_id, []
        self.by_id = {m.id: m for m in mentions}
        self.have = {(_key(self.by_id[r.subject]), r.predicate, _key(self.by_id[r.object]))
                     for r in found if r.object in self.by_id}

    def add(self, subject: Mention, predicate: str, obj: Mention, cue: str) -> None:
        key = (_key(subject), predicate, _key(obj))
        if key in self.have or key[0] == key[2]:
            return
        self.have.add(key)
        self.relations.append(Relation(self.next_id("r"), subject.sentence, subject.id, predicate, obj.id, cue,
                                       subject.start, subject.end, 0.3))

    def has(self, subject: Mention, predicate: str) -> bool:
        return any(s == _key(subject) and p == predicate for s, p, _ in self.have)

    def chain(self, like: Mention, iri: str | None, name: str) -> Mention:
        """A chain the article does not name, pointed at by the words that imply it (a trade, a link)."""
        mention = Mention(self.next_id("m"), like.sentence, like.start, like.end, like.text, name, "IndustryChain",
                          iri, like.evidence, 0.3, "the chain of a trade")
        self.mentions.append(mention)
        self.by_id[mention.id] = mention
        return mention


def _twins(mentions: list[Mention], found: list[Relation], places: set[str], out: _Added) -> None:
    """新型显示产业集群 and 新型显示全产业链 a sentence later: a firm in one is in the other."""
    groups: dict[str, dict[str, Mention]] = {kind: {} for kind in PREDICATES}
    for m in mentions:
        if m.kind in PREDICATES and len(trade(m.name, places)) >= 2:
            groups[m.kind].setdefault(trade(m.name, places), m)
    other = {"ck:memberOfCluster": "IndustryChain", "ck:inChain": "IndustryCluster"}
    for relation in found:
        if relation.predicate not in other or relation.object not in out.by_id or \
                out.by_id[relation.subject].kind not in MEMBERS:
            continue
        twin = groups[other[relation.predicate]].get(trade(out.by_id[relation.object].name, places))
        if twin is not None:
            out.add(out.by_id[relation.subject], PREDICATES[twin.kind], twin, TWIN_CUE)


def _paragraph_clusters(mentions: list[Mention], sentences: list[Sentence], places: set[str], out: _Added) -> None:
    """值得一提的是，…风渡新材…。2023年，新材料产业实现营收65亿元: the firms of a paragraph that names one cluster (or a
    chain or industry of a cluster's trade) belong to it; its projects and facilities too where the graph knows the
    cluster (a new name may be an aim: 打造…智慧体育集群的产业之城)."""
    paragraph_of = {s.index: s.paragraph for s in sentences}
    clusters = {trade(m.name, places): m for m in reversed(mentions) if m.kind == "IndustryCluster"}
    named: dict[int, dict[str, Mention]] = {}
    for m in mentions:
        cluster = m if m.kind == "IndustryCluster" else clusters.get(trade(m.name, places)) \
            if m.kind in ("IndustryChain", "Industry") else None
        if cluster is not None:
            named.setdefault(paragraph_of[m.sentence], {}).setdefault(_key(cluster), cluster)
    for m in mentions:
        groups = named.get(paragraph_of[m.sentence], {})
        if len(groups) != 1 or out.has(m, "ck:memberOfCluster"):
            continue
        cluster = next(iter(groups.values()))
        if m.kind == "Company" or m.kind in ("Project", "Facility") and cluster.iri:
            out.add(m, "ck:memberOfCluster", cluster, PARAGRAPH_CUE)


def _chains_of_trades(mentions: list[Mention], found: list[Relation], gazetteer: Gazetteer,
                      sentences: list[Sentence], places: set[str], out: _Added) -> None:
    """体外诊断龙头企业中元汇吉 (it leads the trade) / 中元生物专注体外诊断产业: in the chain of that trade, the one the
    article names or the one the graph knows (体外诊断产业链)."""
    chains: dict[str, tuple[str | None, str, Mention | None]] = {}
    for key, knowns in gazetteer.names.items():
        for known in knowns:
            if known.kind == "IndustryChain":
                chains.setdefault(trade(key, places), (known.iri, gazetteer.label(known.iri) or known.name, None))
    for m in mentions:
        if m.kind == "IndustryChain":
            chains[trade(m.name, places)] = (m.iri, m.name, m)
    norms = {s.index: s.norm for s in sentences}
    pairs = [(out.by_id[r.subject], out.by_id[r.object], True) for r in found
             if r.predicate == "ck:leadingEnterpriseOf" and out.by_id.get(r.object) and
             out.by_id[r.object].kind == "Industry"]
    pairs += [(firm, industry, False) for industry in mentions if industry.kind == "Industry"
              for firm in mentions if firm.sentence == industry.sentence and firm.kind == "Company" and
              re.search(re.escape(firm.name) + WORKS_IN + re.escape(industry.name), norms[firm.sentence])]
    for firm, industry, leads in pairs:
        core = GROUP_WORDS.sub("", industry.name)
        if core not in chains:
            continue
        iri, name, chain = chains[core]
        if chain is None:
            chain = out.chain(industry, iri, name)
            chains[core] = (iri, name, chain)
        for predicate in ("ck:inChain", "ck:leadingEnterpriseOf") if leads else ("ck:inChain",):
            out.add(firm, predicate, chain, TRADE_CUE)


def _clusters_of_led_trades(mentions: list[Mention], found: list[Relation], places: set[str], out: _Added) -> None:
    """京东物流、顺丰等24家物流龙头企业 in an article naming one 商贸物流 cluster: the firms that lead a trade are
    members of the article's one cluster of that trade (its trade ends in it, or is it; one the graph knows first)."""
    clusters = {trade(m.name, places): m for m in mentions if m.kind == "IndustryCluster"}
    parks = {m.sentence for m in mentions if m.kind == "IndustrialPark"}
    for relation in found:
        industry = out.by_id.get(relation.object)
        if relation.predicate != "ck:leadingEnterpriseOf" or industry is None or industry.kind != "Industry" or \
                out.by_id[relation.subject].kind not in MEMBERS:
            continue
        core = GROUP_WORDS.sub("", industry.name)
        of_trade = {_key(c): c for t, c in clusters.items() if len(core) >= 2 and t.endswith(core)}
        known = {k: c for k, c in of_trade.items() if c.iri}  # the graph's cluster, not one the text names in passing
        # 重庆公路物流基地已形成…综合物流产业集群: a park's own cluster is narrower than the place's 商贸物流 cluster
        local = {k: c for k, c in of_trade.items() if c.sentence not in parks}
        of_trade = known or local or of_trade
        if len(of_trade) == 1:
            out.add(out.by_id[relation.subject], "ck:memberOfCluster", next(iter(of_trade.values())), LEADS_CUE)


def _section_clusters(mentions: list[Mention], sentences: list[Sentence], places: set[str], out: _Added) -> None:
    """聚焦生物医药打造大健康产业发展新高地 (a heading) over sentences naming 博唯生物二期扩能, 无锡蕾明视康…: the firms,
    projects and institutes of a section belong to the article's cluster of the trade its heading or its first
    sentence names, when the section names no other cluster (a quoted one, “国家战略性新兴产业集群”, is a title)."""
    by_trade: dict[str, Mention] = {}
    for m in mentions:
        if m.kind == "IndustryCluster" and len(trade(m.name, places)) >= 2 and not _quoted(m, sentences[m.sentence]):
            held = by_trade.get(trade(m.name, places))
            if held is None or not held.iri and (m.iri or m.name.endswith("集群") and not held.name.endswith("集群")):
                by_trade[trade(m.name, places)] = m
    for section in _sections(sentences):
        indices = {s.index for s in section}
        named = {t for s in section[:2] for t in by_trade if t in s.norm}
        named |= {trade(m.name, places) for m in mentions if m.sentence in indices and m.kind == "IndustryCluster"
                  and not _quoted(m, sentences[m.sentence])}
        if len(named) != 1 or next(iter(named)) not in by_trade:
            continue
        cluster = by_trade[next(iter(named))]
        for m in mentions:
            if m.sentence in indices and m.kind in SECTION_MEMBERS and not out.has(m, "ck:memberOfCluster"):
                out.add(m, "ck:memberOfCluster", cluster, SECTION_CUE)


def _sections(sentences: list[Sentence]) -> list[list[Sentence]]:
    """The article cut at its headings (a paragraph of one short unpunctuated sentence); what comes before the first
    heading is no section (the lead names every cluster of the place)."""
    sections: list[list[Sentence]] = []
    by_paragraph: dict[int, int] = {}
    for s in sentences:
        by_paragraph[s.paragraph] = by_paragraph.get(s.paragraph, 0) + 1
    for s in sentences:
        if by_paragraph[s.paragraph] == 1 and HEADING.fullmatch(s.norm) and not CAPTION.search(s.text):
            sections.append([s])
        elif sections:
            sections[-1].append(s)
    return sections


def _quoted(mention: Mention, sentence: Sentence) -> bool:
    at = sentence.at(mention.start)
    return sentence.norm[at - 1:at] in ("“", "「") and sentence.norm[at + len(mention.name):][:1] in ("”", "」")


def _chains_of_anchors(mentions: list[Mention], found: list[Relation], out: _Added) -> None:
    """海康威视…带动杭州里德、昆山金聚等12个上下游配套项目落户: a firm that supports a firm of exactly one chain is in
    that chain (the anchor's chain as proposed here; one the graph knows over one inferred from a trade's name)."""
    relations = found + out.relations
    chains_of: dict[str, dict[str, Mention]] = {}
    for r in relations:
        if r.predicate == "ck:inChain" and r.object in out.by_id:
            chains_of.setdefault(_key(out.by_id[r.subject]), {})[_key(out.by_id[r.object])] = out.by_id[r.object]
    for r in relations:
        chains = chains_of.get(_key(out.by_id[r.object]), {}) if r.object in out.by_id else {}
        chains = {k: c for k, c in chains.items() if c.iri} or chains  # the graph's chain over an inferred twin
        if r.predicate == "ck:supportingCompanyOf" and len(chains) == 1:
            out.add(out.by_id[r.subject], "ck:inChain", next(iter(chains.values())), SUPPORT_CUE)


def _parks_of_clusters(mentions: list[Mention], found: list[Relation], sentences: list[Sentence],
                       out: _Added) -> None:
    """重庆公路物流基地已形成以京东、顺丰等为代表的电子商务产业集群，以普洛斯等为代表的综合物流产业集群: the park
    that formed the clusters (named before 形成, no other park between) hosts their members."""
    def at(m: Mention) -> int:
        return sentences[m.sentence].at(m.start)

    for r in found:
        cluster = out.by_id.get(r.object)
        if r.predicate != "ck:memberOfCluster" or cluster is None or r.sentence != cluster.sentence:
            continue
        norm = sentences[cluster.sentence].norm
        formed = FORMED.search(norm, 0, at(cluster))
        parks = [m for m in mentions if m.sentence == cluster.sentence and m.kind == "IndustrialPark"
                 and formed and at(m) < formed.start()]
        if parks:
            out.add(out.by_id[r.subject], placement(out.by_id[r.subject], parks[-1]), parks[-1], PARK_CUE)


def _chain_spans(mentions: list[Mention], sentences: list[Sentence], gazetteer: Gazetteer, out: _Added) -> None:
    """这里聚集了A、B等企业，从体外诊断试剂、设备的生产，到…: the firms are in the chain whose link opens the span."""
    for sentence in sentences:
        found = [m for m in mentions if m.sentence == sentence.index]
        links = [m for m in found if m.kind == "ChainSegment" and m.iri and "从" + m.name in sentence.norm]
        chains = {o for link in links for p, o in gazetteer.facts.get(link.iri, ()) if p == "ck:segmentOf"}
        firms = [m for m in found if m.kind in ("Company", "ResearchInstitute")]
        if len(chains) != 1 or not firms:
            continue
        iri = chains.pop()
        chain = out.chain(links[0], iri, gazetteer.label(iri) or links[0].name)
        for firm in firms:
            out.add(firm, "ck:inChain", chain, SPAN_CUE)


def _segments_in_names(mentions: list[Mention], gazetteer: Gazetteer, out: _Added) -> None:
    """惠科金渝光电液晶面板第8.6代线项目 (液晶面板), 惠科显示模组 (液晶显示模组): a link of four characters or more that a
    firm's, project's or facility's name holds, or ends like, is what it makes."""
    links: dict[str, Mention] = {m.name: m for m in mentions if m.kind == "ChainSegment" and len(m.name) >= 4}
    for key, knowns in gazetteer.names.items():
        named = next((m for m in mentions if m.iri == knowns[0].iri), None)
        if knowns[0].kind == "ChainSegment" and len(key) >= 4 and named is not None:
            links.setdefault(key, named)
    firms = [m for m in mentions if m.kind == "Company" and len(m.name) >= 4]
    for m in mentions:
        if m.kind not in ("Company", "Project", "Facility"):
            continue
        for name, link in links.items():
            if name != m.name and (name in m.name or len(m.name) > 4 and m.name[-4:] == name[-4:]):
                out.add(m, "ck:inSegment", link, LINK_CUE)
                if m.kind != "Company":  # 惠科金渝|光电液晶面板第8.6代线项目: the firm it is named after makes it
                    for firm in firms:
                        if m.name.startswith(firm.name) and firm.name != m.name:
                            out.add(firm, "ck:inSegment", link, LINK_CUE)


def _chains_of_clusters(mentions: list[Mention], found: list[Relation], gazetteer: Gazetteer, out: _Added) -> None:
    """A firm in a cluster the graph knows exactly one chain of (ck:inCluster) is in that chain."""
    chains_of: dict[str, set[str]] = {}
    for chain, facts in gazetteer.facts.items():
        for predicate, cluster in facts:
            if predicate == "ck:inCluster":
                chains_of.setdefault(cluster, set()).add(chain)
    for relation in found + out.relations:
        cluster, firm = out.by_id.get(relation.object), out.by_id[relation.subject]
        if relation.predicate != "ck:memberOfCluster" or cluster is None or firm.kind not in MEMBERS or \
                len(chains_of.get(cluster.iri or "", ())) != 1:
            continue
        iri = next(iter(chains_of[cluster.iri]))
        chain = next((m for m in mentions if m.iri == iri), None) or \
            out.chain(cluster, iri, gazetteer.label(iri) or cluster.name)
        out.add(firm, "ck:inChain", chain, CLUSTER_CHAIN_CUE)


def _key(mention: Mention) -> str:
    return mention.iri or "new:" + mention.name
