"""The chain map (产业链全景图): a chain's segments from upstream to downstream, the organisations working in each
(those of the place first), their 链主 / 龙头 badges, each segment's status seen from the place, and the 补链 targets
of missing and fragile segments — every placement and badge with the sentences that state it.

A project, facility or platform counts for the organisation that owns, runs or provides it (ck:projectOf,
ck:operatedBy, schema:provider); a group is present wherever its subsidiaries are (schema.org's parentOrganization /
subOrganization, W3C ORG's subOrganizationOf / hasSubOrganization / transitiveSubOrganizationOf). A segment with no local organisation is "missing" only when every local
member of the chain is placed somewhere: while some are not, nobody knows, and it is "unknown". Reads the store
through named queries (graph/queries/chain_map_*.rq, organisation_ties.rq); never writes, never renders.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import networkx as nx
import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.evidence import Evidence, evidence_of, ordered
from chainkg.graph.namespaces import CK, local_name
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.views import UnknownEntity, innermost, name_nodes, require

MISSING, FRAGILE, COVERED, UNKNOWN = "missing", "fragile", "covered", "unknown"
STATUS_LABELS = {COVERED: ("已覆盖", "covered"), FRAGILE: ("薄弱", "fragile"), MISSING: ("缺失", "missing"),
                 UNKNOWN: ("未知", "unknown")}
# Kinds that never stand for themselves on a chain: they count for the organisation that owns or runs them.
OWNED_KINDS = frozenset({"Project", "Facility", "Platform", "Carrier", "IndustrialPark", "Building", "Incubator",
                         "MakerSpace", "InnovationEcosystem"})
OWNER_RELATIONS = frozenset({"projectOf", "operatedBy", "provider"})         # project, facility, platform → owner
# node → its group: direct parent, or a group it is in at some level (三峰卡万塔 → 三峰集团, level not said)
PARENT_RELATIONS = frozenset({"subOrganizationOf", "parentOrganization", "transitiveSubOrganizationOf"})
CHILD_RELATIONS = frozenset({"hasSubOrganization", "subOrganization"})       # node → its subsidiary
PLACE_RELATIONS = frozenset({"locatedIn", "hostedIn", "containedInPlace"})
BADGE_ORDER = {"chain-leader": 0, "leading-enterprise": 1, "cluster-leading-enterprise": 2}


@dataclass(frozen=True)
class Named:
    """An entity with its names and kind (the ck class local name)."""

    iri: str
    label_zh: str
    label_en: str
    kind: str


@dataclass(frozen=True)
class Stated:
    """A fact `subject relation object` and the evidence that states it (empty: stated without a source)."""

    subject: Named
    relation: str
    object: Named
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Badge:
    """A designation: 链主 of the chain ("chain-leader"), 龙头 of the chain ("leading-enterprise") or of its cluster
    ("cluster-leading-enterprise"); `since` is the date of the latest article that says so, `evidence` latest first
    (the current statement, then the history)."""

    role: str
    of: Named
    evidence: tuple[Evidence, ...]
    via: Named | None = None  # the project or facility named, when it is not the organisation itself
    since: str = ""
    current: bool = True      # False when a later article gives the same role of the same target to another


@dataclass(frozen=True)
class Entry:
    """An organisation as a chain map shows it in one segment (or among the unplaced): whether it is local to the
    place, where it sits, the projects or facilities through which it is there (`via`), the facts that place it,
    its badges and its group (parent organisation)."""

    organisation: Named
    local: bool
    where: tuple[Named, ...] = ()  # its own places, and those of its projects placed on the chain
    via: tuple[Named, ...] = ()
    placements: tuple[Stated, ...] = ()
    badges: tuple[Badge, ...] = ()
    groups: tuple[Named, ...] = ()
    links: tuple[Stated, ...] = ()  # the stated owner, group and location links behind `via`, `groups`, `where`


@dataclass(frozen=True)
class Segment:
    """One segment seen from the place: its column (`stage`, 0 = most upstream), the segments it feeds, its status,
    the local organisations, those elsewhere, and — for missing and fragile segments — the 补链 targets (organisations
    known to sit elsewhere; at most gap_max_targets, the rest counted in `targets_omitted`); `focus` are local parks
    or buildings an article says work in it without naming their firms (so it is not missing: unknown)."""

    segment: Named
    order: int | None
    position: str | None
    stage: int
    feeds: tuple[str, ...]
    status: str
    local: list[Entry]
    elsewhere: list[Entry]
    targets: list[Entry] = field(default_factory=list)
    targets_omitted: int = 0
    unlocated: list[Entry] = field(default_factory=list)
    focus: list[Stated] = field(default_factory=list)  # local carriers said to focus on it, their firms unnamed


@dataclass(frozen=True)
class ChainMap:
    """A chain seen from a place: segments in chain order (`stages` groups them into columns), the members placed
    in no segment (`unplaced`, local first: they are why a segment may be "unknown"), the chain's designated
    leaders, and every piece of evidence cited, in footnote order (`sources`). `home` is the chain's own place when
    it is seen from another (Dadukou's IVD chain from Banan, through the city both lie in): why every segment there
    may be missing."""

    chain: Named
    place: Named
    segments: list[Segment]
    unplaced: list[Entry]
    leaders: list[Entry]
    sources: list[Evidence]
    home: Named | None = None

    @property
    def stages(self) -> list[list[Segment]]:
        columns: dict[int, list[Segment]] = {}
        for segment in self.segments:
            columns.setdefault(segment.stage, []).append(segment)
        return [columns[k] for k in sorted(columns)]

    @property
    def missing(self) -> list[Segment]:
        return [s for s in self.segments if s.status == MISSING]

    @property
    def fragile(self) -> list[Segment]:
        return [s for s in self.segments if s.status == FRAGILE]

    def status_of(self, segment_iri: str) -> str:
        return next(s.status for s in self.segments if s.segment.iri == segment_iri)


@dataclass
class ChainFacts:
    """What the graph says about a chain's organisations, read once and shared by the map and the ranking:
    `ties` (node, relation, target) → graphs; owners, parents and children; each node's own places; names."""

    chain: str
    segments: dict[str, dict]                       # segment → {"order", "position", "next": set}
    ties: dict[tuple[str, str, str], set[str]]      # (node, relation local name, target) → graphs
    links: dict[tuple[str, str, str], set[str]]     # organisation ties, the same way
    owners: dict[str, set[str]]
    parents: dict[str, set[str]]
    places: dict[str, set[str]]
    names: dict[str, Named]
    evidence: dict[str, Evidence]
    clusters: set[str]
    focus: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (carrier, segment) → graphs
    evidence_graphs: set[str] = field(default_factory=set)  # every graph of ties, links and focus: what `evidence` covers

    def name(self, iri: str) -> Named:
        return self.names.get(iri) or Named(iri, local_name(iri), local_name(iri), "Thing")

    def holder(self, node: str) -> str:
        """The organisation a node counts for: itself, or (for a project, facility or platform) its owner's holder."""
        cache = self.__dict__.setdefault("_holders", {})
        if node not in cache:
            current, seen = node, set()
            while self.name(current).kind in OWNED_KINDS and self.owners.get(current) and current not in seen:
                seen.add(current)
                current = sorted(self.owners[current])[0]
            cache[node] = current
        return cache[node]

    def children(self, node: str) -> set[str]:
        table = self.__dict__.get("_children")
        if table is None:
            table = defaultdict(set)
            for child, parents in self.parents.items():
                for parent in parents:
                    table[parent].add(child)
            self.__dict__["_children"] = table
        return table.get(node, set())

    def descendants(self, node: str) -> set[str]:
        found, todo = set(), [node]
        while todo:
            for child in self.children(todo.pop()):
                if child not in found and child != node:
                    found.add(child)
                    todo.append(child)
        return found

    def ancestors(self, node: str) -> set[str]:
        found, todo = set(), [node]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in found and parent != node:
                    found.add(parent)
                    todo.append(parent)
        return found

    def cited(self, graphs: set[str]) -> tuple[Evidence, ...]:
        if not graphs:
            return ()
        return ordered(self.evidence[g] for g in graphs if g in self.evidence)

    def stated(self, key: tuple[str, str, str], table: dict | None = None) -> Stated:
        node, relation, target = key
        return Stated(self.name(node), relation, self.name(target), self.cited((table or self.ties).get(key, set())))

    def members(self) -> set[str]:
        """Nodes stated to be in the chain (member, 链主 or 龙头 of it) or placed in one of its segments."""
        return {n for (n, r, t) in self.ties if t == self.chain or r == "inSegment"}

    def placed_nodes(self) -> dict[str, set[str]]:
        """Each placed node's segments."""
        placed: dict[str, set[str]] = defaultdict(set)
        for node, relation, target in self.ties:
            if relation == "inSegment":
                placed[node].add(target)
        return placed


def chain_facts(kg: KnowledgeGraph, chain_iri: str, *, with_evidence: bool = True) -> ChainFacts:
    """Read a chain's segments, the facts that tie organisations to it, their owners, groups and places, with
    names and evidence (a few queries, whatever the chain's size). Without evidence, `evidence_graphs` still lists the graphs
    whose evidence is wanted: a caller that cites more (the ranking) reads them all in one evidence_of."""
    require(kg, chain_iri, "IndustryChain")
    chain = {"chain": ox.NamedNode(chain_iri)}
    segments: dict[str, dict] = {}
    for row in queries.rows(kg, "chain_map_segments", **chain):
        info = segments.setdefault(row["segment"].value, {"order": None, "position": None, "next": set()})
        if "order" in row and info["order"] is None:
            try:
                info["order"] = int(row["order"].value)
            except ValueError:
                pass
        if "position" in row:
            info["position"] = local_name(row["position"].value).lower()
        if "next" in row:
            info["next"].add(row["next"].value)
    ties: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    clusters = set()
    for row in queries.rows(kg, "chain_map_ties", **chain):
        key = (row["node"].value, local_name(row["relation"].value), row["target"].value)
        graphs = ties[key]
        if "g" in row:
            graphs.add(row["g"].value)
        if key[1] == "leadingEnterpriseOf" and key[2] != chain_iri:
            clusters.add(key[2])
    focus: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in queries.rows(kg, "chain_map_focus", **chain):
        focus[(row["carrier"].value, row["segment"].value)].update([row["g"].value] if "g" in row else [])
    links, owners, parents, places = _organisation_ties(kg, {n for n, _, _ in ties})
    nodes = {c for c, _ in focus} | set(segments) | {chain_iri} | clusters | {n for n, _, _ in ties} | set(owners) | set(parents) \
        | {o for v in owners.values() for o in v} | {p for v in parents.values() for p in v} \
        | {w for v in places.values() for w in v}
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    name_nodes(kg, graph)
    names = {n: Named(n, a["label_zh"], a["label_en"], a["kind"]) for n, a in graph.nodes(data=True)}
    graphs = {g for table in (ties, links, focus) for v in table.values() for g in v}
    return ChainFacts(chain_iri, segments, dict(ties), links, owners, parents, places, names,
                      evidence_of(kg, graphs) if with_evidence else {}, clusters, dict(focus), graphs)


def _organisation_ties(kg: KnowledgeGraph, start: set[str]):
    """Owners, groups (both directions) and places of these nodes, and of the owners and groups found, to a few
    levels (a project of a subsidiary of a group)."""
    links: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    owners: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    places: dict[str, set[str]] = defaultdict(set)
    done: set[str] = set()
    todo = set(start)
    for _ in range(4):
        todo -= done
        if not todo:
            break
        done |= todo
        found = set()
        for row in queries.rows(kg, "organisation_ties", nodes=sorted(todo)):
            node, relation, other = row["node"].value, local_name(row["relation"].value), row["other"].value
            if not isinstance(row["other"], ox.NamedNode):
                continue
            outward = row["direction"].value == "out"
            key = (node, relation, other) if outward else (other, relation, node)
            if "g" in row:
                links[key].add(row["g"].value)
            else:
                links.setdefault(key, set())
            source, target = key[0], key[2]
            if relation in OWNER_RELATIONS:
                owners[source].add(target)
                found |= {source, target}
            elif relation in PARENT_RELATIONS:
                parents[source].add(target)
                found |= {source, target}
            elif relation in CHILD_RELATIONS:
                parents[target].add(source)
                found |= {source, target}
            elif relation in PLACE_RELATIONS and outward:
                places[node].add(other)
        todo = found
    return dict(links), dict(owners), dict(parents), dict(places)


def chain_map(kg: KnowledgeGraph, chain_iri: str, place_iri: str | None = None,
              facts: ChainFacts | None = None) -> ChainMap:
    """A chain's map seen from a place (default: the innermost place the chain belongs to, ck:chainOf).

    >>> from chainkg.graph import loader
    >>> kg = KnowledgeGraph.in_memory(); _ = loader.load_shipped(kg)
    >>> e = kg.settings.base_iri + "id/"
    >>> m = chain_map(kg, e + "display-chain")
    >>> m.place.label_zh, [s.segment.label_zh for s in m.segments][:3]
    ('巴南区', ['液晶材料', '玻璃基板', '液晶面板'])
    """
    facts = facts or chain_facts(kg, chain_iri)
    home_iri = _home_or_none(kg, chain_iri)
    place_iri = (home_iri or home_place(kg, chain_iri)) if place_iri is None else _checked(kg, place_iri)
    within = {row["inner"].value for row in queries.rows(kg, "places_within", place=ox.NamedNode(place_iri))}
    place = facts.names.get(place_iri) or named_entity(kg, place_iri)
    builder = _Builder(kg, facts, within)
    segments = builder.segments()
    unplaced = builder.unplaced()
    local_unplaced = any(e.local for e in unplaced)
    cap = kg.settings.gap_max_targets
    finished = []
    for s in segments:
        focus = [Stated(facts.name(carrier), "focusIndustry", s.segment, facts.cited(graphs))
                 for (carrier, segment), graphs in sorted(facts.focus.items())
                 if segment == s.segment.iri and carrier in within]
        status = (COVERED if len(s.local) > 1 else FRAGILE if s.local else
                  UNKNOWN if local_unplaced or focus else MISSING)
        targets = [e for e in s.elsewhere if e.where] if status in (MISSING, FRAGILE) else []
        finished.append(Segment(s.segment, s.order, s.position, s.stage, s.feeds, status, s.local, s.elsewhere,
                                targets[:cap], max(0, len(targets) - cap), [e for e in s.elsewhere if not e.where],
                                focus))
    leaders = builder.leaders()
    sources = _sources(finished, unplaced, leaders)
    home = None if home_iri in (None, place_iri) else facts.names.get(home_iri) or named_entity(kg, home_iri)
    return ChainMap(facts.name(chain_iri), place, finished, unplaced, leaders, sources, home)


def _checked(kg: KnowledgeGraph, place_iri: str) -> str:
    require(kg, place_iri, "Place")
    return place_iri


def home_place(kg: KnowledgeGraph, chain_iri: str) -> str:
    """The innermost place a chain belongs to (ck:chainOf): the IVD chain is Chongqing's and Dadukou's, so Dadukou."""
    own = [q.object.value for q in kg.match(ox.NamedNode(chain_iri), ox.NamedNode(CK + "chainOf"), None)
           if isinstance(q.object, ox.NamedNode)]
    found = innermost(kg, own)
    if found is None:
        raise UnknownEntity(f"the chain {chain_iri} belongs to no place (ck:chainOf); name the place to look at")
    return found


def _home_or_none(kg: KnowledgeGraph, chain_iri: str) -> str | None:
    try:
        return home_place(kg, chain_iri)
    except UnknownEntity:
        return None


def named_entity(kg: KnowledgeGraph, iri: str) -> Named:
    graph = nx.DiGraph()
    graph.add_node(iri)
    name_nodes(kg, graph)
    a = graph.nodes[iri]
    return Named(iri, a["label_zh"], a["label_en"], a["kind"])


class _Builder:
    """Turns a chain's facts into entries, segments and badges for one place."""

    def __init__(self, kg: KnowledgeGraph, facts: ChainFacts, within: set[str]) -> None:
        self.kg, self.facts, self.within = kg, facts, within
        self.placed = facts.placed_nodes()
        self.held_placed: dict[str, list[str]] = defaultdict(list)  # organisation → its placed projects …
        for node in self.placed:
            if facts.holder(node) != node:
                self.held_placed[facts.holder(node)].append(node)
        self.links_from: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self.links_to: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for key in facts.links:
            self.links_from[key[0]].append(key)
            self.links_to[key[2]].append(key)
        self.badges = self._badges()

    # ---------------------------------------------------------------- where things are
    def own_places(self, node: str) -> set[str]:
        return self.facts.places.get(node, set())

    def is_local(self, node: str) -> bool:
        """A node sits in the place; an organisation also through a project or facility of the chain there, a group
        through a subsidiary."""
        if self.own_places(node) & self.within:
            return True
        if any(self.own_places(n) & self.within for n in self.held_placed.get(node, ())):
            return True
        return any(self.own_places(c) & self.within for c in self.facts.descendants(node))

    def where(self, node: str) -> tuple[Named, ...]:
        found = set(self.own_places(node))
        for n in self.held_placed.get(node, ()):
            found |= self.own_places(n)
        return tuple(sorted((self.facts.name(w) for w in found), key=lambda n: n.label_zh))

    # ---------------------------------------------------------------- badges
    def _badges(self) -> dict[str, list[Badge]]:
        badges: dict[str, list[Badge]] = defaultdict(list)
        for key, graphs in self.facts.ties.items():
            node, relation, target = key
            if relation == "chainLeaderOf":
                role = "chain-leader"
            elif relation == "leadingEnterpriseOf":
                role = "leading-enterprise" if target == self.facts.chain else "cluster-leading-enterprise"
            else:
                continue
            holder = self.facts.holder(node)
            evidence = self.facts.cited(graphs)
            badges[holder].append(Badge(role, self.facts.name(target), evidence,
                                        self.facts.name(node) if holder != node else None,
                                        next((e.date for e in evidence if e.date), "")))
        latest: dict[tuple[str, str], str] = {}
        for held in badges.values():
            for b in held:
                latest[(b.role, b.of.iri)] = max(latest.get((b.role, b.of.iri), ""), b.since)
        for holder in badges:
            badges[holder] = sorted((replace(b, current=b.since >= latest[(b.role, b.of.iri)]) for b in badges[holder]),
                                    key=lambda b: (not b.current, BADGE_ORDER[b.role], b.of.label_zh))
        return badges

    # ---------------------------------------------------------------- entries
    def entry(self, organisation: str, placed: list[str], segment: str | None) -> Entry:
        """An organisation in a segment, through these placed nodes (itself and/or its projects)."""
        facts = self.facts
        placements = tuple(facts.stated((n, "inSegment", segment)) for n in sorted(placed)) if segment else ()
        local = any(self.own_places(n) & self.within for n in placed) or self.is_local(organisation)
        via = tuple(sorted((facts.name(n) for n in placed if n != organisation), key=lambda n: n.label_zh))
        groups = tuple(sorted((facts.name(p) for p in facts.parents.get(organisation, ())), key=lambda n: n.label_zh))
        return Entry(facts.name(organisation), local, self.where(organisation), via, placements,
                     tuple(self.badges.get(organisation, ())), groups,
                     self.links_of(organisation, {n for n in placed if n != organisation}))

    def links_of(self, organisation: str, via: set[str]) -> tuple[Stated, ...]:
        """The stated links that put these nodes under the organisation (owner, group) and in their places."""
        keys = [k for n in {organisation} | via for k in self.links_from.get(n, ())
                if k[1] in PLACE_RELATIONS or (k[1] in OWNER_RELATIONS and n in via)
                or (k[1] in PARENT_RELATIONS and n == organisation)]
        keys += [k for k in self.links_to.get(organisation, ()) if k[1] in CHILD_RELATIONS]
        found = [Stated(self.facts.name(s), r, self.facts.name(t), self.facts.cited(self.facts.links[(s, r, t)]))
                 for s, r, t in keys]
        return tuple(sorted(found, key=lambda s: (s.relation, s.subject.label_zh, s.object.label_zh)))

    @staticmethod
    def order(entry: Entry) -> tuple:
        best = min((BADGE_ORDER[b.role] for b in entry.badges), default=9)
        return (best, entry.organisation.kind in OWNED_KINDS, entry.organisation.label_zh, entry.organisation.label_en)

    def segments(self) -> list[Segment]:
        facts = self.facts
        by_segment: dict[str, dict[str, list[str]]] = {s: defaultdict(list) for s in facts.segments}
        for node, segments in self.placed.items():
            for segment in segments:
                if segment in by_segment:
                    by_segment[segment][facts.holder(node)].append(node)
        stages = _stages(facts.segments)
        result = []
        for segment, holders in by_segment.items():
            entries = sorted((self.entry(h, nodes, segment) for h, nodes in holders.items()), key=self.order)
            info = facts.segments[segment]
            result.append(Segment(facts.name(segment), info["order"], info["position"], stages[segment],
                                  tuple(sorted(info["next"])), "", [e for e in entries if e.local],
                                  [e for e in entries if not e.local]))
        result.sort(key=lambda s: (s.stage, s.order is None, s.order or 0, s.segment.label_zh))
        return result

    def unplaced(self) -> list[Entry]:
        """Members of the chain placed in no segment, neither themselves nor through a project or subsidiary."""
        facts = self.facts
        placed_holders = {facts.holder(n) for n in self.placed}
        covered = set(placed_holders)
        for holder in placed_holders:
            covered |= facts.ancestors(holder)
        members: dict[str, list[str]] = defaultdict(list)
        for member in sorted(facts.members()):
            holder = facts.holder(member)
            if member not in self.placed and holder not in covered:
                members[holder].append(member)
        result = [replace(self.entry(holder, nodes, None), placements=self.membership(nodes))
                  for holder, nodes in members.items()]
        return sorted(result, key=lambda e: (not e.local, *self.order(e)))

    def membership(self, nodes: list[str]) -> tuple[Stated, ...]:
        """The statements that put these nodes on the chain (ck:inChain): why a member in no segment is listed.
        Looked up by key, not by a scan of every tie of the chain for each unplaced member (that was quadratic)."""
        keys = sorted((node, "inChain", self.facts.chain) for node in set(nodes))
        return tuple(self.facts.stated(key) for key in keys if key in self.facts.ties)

    def leaders(self) -> list[Entry]:
        return sorted((self.entry(h, [], None) for h in self.badges), key=self.order)


def _stages(segments: dict[str, dict]) -> dict[str, int]:
    """Each segment's column: its depth along ck:nextSegment (longest path from a segment nothing feeds); a segment
    with no link at all goes after the segments of lower order; with no links in the chain at all, by order."""
    graph = nx.DiGraph()
    graph.add_nodes_from(segments)
    graph.add_edges_from((s, n) for s, info in segments.items() for n in info["next"] if n in segments and n != s)
    if not nx.is_directed_acyclic_graph(graph):
        graph.remove_edges_from(list(graph.edges))
    depth: dict[str, int] = {}
    for node in nx.topological_sort(graph):
        depth[node] = max((depth[p] + 1 for p in graph.predecessors(node)), default=0)
    by_order = sorted(segments, key=lambda s: (segments[s]["order"] is None, segments[s]["order"] or 0, s))
    if graph.number_of_edges() == 0:
        return {s: i for i, s in enumerate(by_order)}
    linked = {s for s in segments if graph.degree(s)}
    for i, segment in enumerate(by_order):
        if segment not in linked:
            earlier = [depth[s] for s in by_order[:i]]
            depth[segment] = max(earlier, default=-1) + 1
    return depth


def _sources(segments: list[Segment], unplaced: list[Entry], leaders: list[Entry]) -> list[Evidence]:
    """Every piece of evidence the map cites, in the order a reader meets it: leaders, then segment by segment."""
    seen: dict[Evidence, None] = {}

    def add(entry: Entry) -> None:
        for badge in entry.badges:
            seen.update(dict.fromkeys(badge.evidence))
        for placement in entry.placements:
            seen.update(dict.fromkeys(placement.evidence))
        for link in entry.links:
            seen.update(dict.fromkeys(link.evidence))

    for entry in leaders:
        add(entry)
    for segment in segments:
        for entry in segment.local + segment.elsewhere:
            add(entry)
        for stated in segment.focus:
            seen.update(dict.fromkeys(stated.evidence))
    for entry in unplaced:
        add(entry)
    return list(seen)


def footnote(sources: list[Evidence], evidence: Evidence) -> int:
    """The footnote number of a piece of evidence on a page citing `sources`."""
    return sources.index(evidence) + 1
