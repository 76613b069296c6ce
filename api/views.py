"""REST JSON for the graph views, anchor rankings and gap analyses, and exports of any view (thin routes only).

Routes parse ids, call graph/views.py, graph/ranking.py, graph/gaps.py and graph/export.py, and return what those
give; no SPARQL here. Ids in URLs are the local part after the base IRI's `id/` (`/api/chains/ivd-chain`); any
entity may instead be named by its full IRI with `-` as the id and `?iri=…`. Unknown ids answer 404 with a message.
Routes are plain functions, so FastAPI runs the blocking graph work in its thread pool, off the event loop.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from chainkg.api.conneg import negotiate
from chainkg.api.deps import KG
from chainkg.api.errors import ApiError
from chainkg.graph import chainjson, export, gaps, ranking, views
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.namespaces import entity_iri, local_id as local_id_of
from chainkg.graph.views import View

router = APIRouter(prefix="/api", tags=["views"])

# --------------------------------------------------------------------------------------------- response shapes
E = "https://w3id.org/chainkg/id/"  # the default base, for the examples only


class NodeOut(BaseModel):
    """A node of a view; segments add order and position, clusters of a district overview their revenue, nodes of
    an ego network their distance from the centre."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(description="The node's IRI.")
    local_id: str | None = Field(None, description="The IRI less the base's `id/`, for use in these URLs.")
    label_zh: str
    label_en: str
    kind: str = Field(description="ck class local name: Company, ChainSegment, IndustrialPark …")
    roles: list[str] = Field(description="chain-leader, leading-enterprise, listed, supporting, brought-in")


class EdgeOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    source: str
    target: str
    relation: str = Field(description="The most telling relation between the two nodes (property local name).")
    relations: list[str] = Field(description="Every relation between them, most telling first.")
    label_zh: str
    label_en: str


class ViewOut(BaseModel):
    """A view as networkx node-link data (`nx.node_link_graph(data, edges="edges")` reads it back)."""

    title_zh: str
    title_en: str
    focus: str | None
    omitted: int = Field(description="Nodes the cap left out.")
    max_nodes: int | None = Field(description="The cap that applied (setting view_max_nodes).")
    directed: bool
    multigraph: bool
    graph: dict[str, Any]
    nodes: list[NodeOut]
    edges: list[EdgeOut]


class ChainOut(BaseModel):
    id: str | None
    iri: str
    label_zh: str
    label_en: str
    place: str | None = Field(description="The innermost place the chain belongs to (ck:chainOf).")
    places: list[str]
    clusters: list[str]
    segments: int
    members: int


class ChainsOut(BaseModel):
    chains: list[ChainOut]


class EvidenceOut(BaseModel):
    """The source of a fact: the quoted sentence, its article (IRI, title, date), or a curator note."""

    kind: str = Field(description="quote or note")
    quote: str
    article: str
    title: str
    date: str
    note: str
    reading: str = Field("", description="Why the curators read the fact into the sentence (empty: it states it).")
    reading_en: str = ""
    graph: str = Field(description="The named graph that states the fact.")


class ComponentOut(BaseModel):
    value: float | int | bool | str | None = Field(description="What was measured.")
    score: float = Field(description="The value scaled to 0–1 within the chain.")
    weight: float = Field(description="The weight setting anchor_weight_<component>.")
    points: float = Field(description="score × weight; the total is their sum.")
    basis: str
    basis_zh: str
    evidence: list[EvidenceOut]


class NamedOut(BaseModel):
    iri: str
    id: str | None
    label_zh: str
    label_en: str
    kind: str


class AnchorOut(BaseModel):
    rank: int = Field(description="Shared by tied anchors (`tied`); ties are broken by evidence first, never by IRI.")
    tied: bool
    iri: str
    id: str | None
    label_zh: str
    label_en: str
    kind: str
    total: float
    evidence_count: int
    components: dict[str, ComponentOut]
    links: list[str] = Field(description="How the firm is tied to the chain: member, chain-leader, owner, group …")
    roles: list[str]
    via: list[NamedOut] = Field(description="Projects, facilities and platforms counted for it.")


class RankingOut(BaseModel):
    chain: str
    id: str | None
    label_zh: str
    label_en: str
    weights: dict[str, float]
    candidates: int = Field(description="Organisations considered; `anchors` may be cut by `limit`.")
    anchors: list[AnchorOut]
    unranked: list[NamedOut] = Field(description="Organisations with no evidence at all: listed apart, not numbered.")
    not_ranked: list[NamedOut] = Field(description="Projects, facilities, platforms with no recorded owner; government.")


class RankingsOut(BaseModel):
    rankings: list[RankingOut]


class StatedOut(BaseModel):
    subject: NamedOut
    relation: str
    object: NamedOut
    evidence: list[EvidenceOut]


class BadgeOut(BaseModel):
    role: str = Field(description="chain-leader (链主), leading-enterprise (龙头), cluster-leading-enterprise")
    of: NamedOut
    evidence: list[EvidenceOut] = Field(description="Latest article first: the current statement, then the history.")
    via: NamedOut | None
    since: str = Field(description="Date of the latest article that says so.")
    current: bool = Field(True, description="False when a later article gives the role of the same target to another.")


class EntryOut(BaseModel):
    organisation: NamedOut
    local: bool
    where: list[NamedOut]
    via: list[NamedOut]
    placements: list[StatedOut]
    badges: list[BadgeOut]
    groups: list[NamedOut]
    links: list[StatedOut] = Field([], description="The stated owner, group and location links, with evidence.")


class SegmentGapOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    segment: NamedOut
    order: int | None
    position: str | None
    stage: int = Field(description="Column from upstream (0), by ck:nextSegment then ck:order.")
    status: str = Field(description="covered (2+ local organisations), fragile (1), missing (0, every local member "
                                    "placed) or unknown (0, but local members of the chain are placed nowhere).")
    local: list[EntryOut]
    elsewhere: list[EntryOut]
    targets: list[EntryOut] = Field(description="补链 targets: organisations elsewhere in the segment (missing and fragile only).")
    targets_omitted: int = Field(description="Targets beyond the setting gap_max_targets.")
    unlocated: list[EntryOut] = Field(description="In the segment, but the graph does not say where they sit.")
    focus: list[StatedOut] = Field([], description="Local carriers said to work in it without naming their firms.")


class ChainGapsOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    chain: NamedOut
    place: NamedOut
    segments: list[SegmentGapOut]
    unplaced: list[EntryOut] = Field(description="Members of the chain placed in no segment, local first.")
    leaders: list[EntryOut]
    sources: list[EvidenceOut]


class PlaceGapsOut(BaseModel):
    place: NamedOut
    counts: dict[str, int]
    chains: list[ChainGapsOut]


class ErrorOut(BaseModel):
    """Every error of the service (api/errors.py): a machine-readable code and a message for people."""

    error: str
    message: str


# --------------------------------------------------------------------------------------------- examples (docs)
_NAMED_IVD = {"iri": E + "ivd-chain", "id": "ivd-chain", "label_zh": "体外诊断（IVD）产业链",
              "label_en": "In-vitro diagnostics (IVD) chain", "kind": "IndustryChain"}
_NAMED_DADUKOU = {"iri": E + "dadukou", "id": "dadukou", "label_zh": "大渡口区", "label_en": "Dadukou District",
                  "kind": "District"}
VIEW_EXAMPLE = {
    "title_zh": "体外诊断（IVD）产业链：环节、企业与所在地", "title_en": "In-vitro diagnostics (IVD) chain: segments, companies and places",
    "focus": E + "ivd-chain", "omitted": 0, "max_nodes": 1000, "directed": True, "multigraph": False,
    "graph": {"title_en": "In-vitro diagnostics (IVD) chain: segments, companies and places", "omitted": 0},
    "nodes": [
        {"id": E + "ivd-chain", "local_id": "ivd-chain", "label_zh": "体外诊断（IVD）产业链",
         "label_en": "In-vitro diagnostics (IVD) chain", "kind": "IndustryChain", "roles": []},
        {"id": E + "zhongyuan-huiji", "local_id": "zhongyuan-huiji", "label_zh": "中元汇吉", "label_en": "Zybio",
         "kind": "Company", "roles": ["chain-leader", "leading-enterprise"]},
        {"id": E + "ivd-seg-reagents", "local_id": "ivd-seg-reagents", "label_zh": "体外诊断试剂", "label_en": "IVD reagents",
         "kind": "ChainSegment", "roles": [], "order": 2, "position": "midstream"},
    ],
    "edges": [{"source": E + "zhongyuan-huiji", "target": E + "ivd-chain", "relation": "chainLeaderOf",
               "relations": ["chainLeaderOf", "leadingEnterpriseOf", "inChain"], "label_zh": "链主", "label_en": "chain leader of"}],
}
CHAINS_EXAMPLE = {"chains": [{
    "id": "ivd-chain", "iri": E + "ivd-chain", "label_zh": "体外诊断（IVD）产业链", "label_en": "In-vitro diagnostics (IVD) chain",
    "place": E + "dadukou", "places": [E + "chongqing", E + "dadukou"], "clusters": [E + "dadukou-health-cluster"],
    "segments": 5, "members": 11,
}]}
_QUOTE = {"kind": "quote", "quote": "大渡口区IVD产业链链主单位中元汇吉……", "article": E + "doc/a001",
          "title": "（文章标题）", "date": "2024-07", "note": "", "graph": E + "quote/a001-050"}
_HIKVISION = {"iri": E + "hikvision", "id": "hikvision", "label_zh": "海康威视", "label_en": "Hikvision", "kind": "Company"}
RANKING_EXAMPLE = {
    "chain": E + "smart-vision-chain", "id": "smart-vision-chain", "label_zh": "智能视觉产业链", "label_en": "Smart vision chain",
    "weights": ranking.Weights().as_dict(), "candidates": 5,
    "anchors": [{
        **_HIKVISION, "rank": 1, "tied": False, "total": 3.0, "evidence_count": 2,
        "links": ["anchor-of-member", "member"], "roles": [], "via": [],
        "components": {
            "chain_leader": {"value": False, "score": 0.0, "weight": 12.0, "points": 0.0, "basis": "not designated 链主",
                             "basis_zh": "未被指定为链主", "evidence": []},
            "supporting_firms": {"value": 3, "score": 1.0, "weight": 2.0, "points": 2.0,
                                 "basis": "3 supporting firms (配套) or firms brought in: 宁波明鑫、昆山金聚、杭州里德",
                                 "basis_zh": "3家配套或带动落户企业：宁波明鑫、昆山金聚、杭州里德", "evidence": [_QUOTE]},
        },
    }],
    "unranked": [{"iri": E + "ningbo-mingxin", "id": "ningbo-mingxin", "label_zh": "宁波明鑫", "label_en": "Ningbo Mingxin",
                  "kind": "Company"}],
    "not_ranked": [],
}
_POLYCOMP = {"organisation": {"iri": E + "polycomp", "id": "polycomp", "label_zh": "国际复合",
                              "label_en": "Chongqing Polycomp International", "kind": "Company"},
             "local": True, "where": [_NAMED_DADUKOU], "via": [], "groups": [],
             "placements": [{"subject": {"iri": E + "polycomp", "id": "polycomp", "label_zh": "国际复合",
                                         "label_en": "Chongqing Polycomp International", "kind": "Company"},
                             "relation": "inSegment",
                             "object": {"iri": E + "composites-seg-glass-fibre", "id": "composites-seg-glass-fibre",
                                        "label_zh": "玻璃纤维纱与玻璃纤维布", "label_en": "glass-fibre yarn and fabric",
                                        "kind": "ChainSegment"},
                             "evidence": [_QUOTE]}],
             "badges": [{"role": "cluster-leading-enterprise", "via": None, "since": "2021-11", "evidence": [_QUOTE],
                         "of": {"iri": E + "dadukou-materials-cluster", "id": "dadukou-materials-cluster",
                                "label_zh": "大渡口新材料产业集群", "label_en": "Dadukou new materials cluster",
                                "kind": "IndustryCluster"}}]}
GAPS_EXAMPLE = {
    "chain": {**_NAMED_IVD, "iri": E + "composites-chain", "id": "composites-chain", "label_zh": "纤维复合材料产业链",
              "label_en": "Fibre composite materials chain"},
    "place": _NAMED_DADUKOU,
    "segments": [
        {"segment": {"iri": E + "composites-seg-glass-fibre", "id": "composites-seg-glass-fibre", "label_zh": "玻璃纤维纱与玻璃纤维布",
                     "label_en": "glass-fibre yarn and fabric", "kind": "ChainSegment"},
         "order": 1, "position": "upstream", "stage": 0, "feeds": [E + "composites-seg-products"], "status": "fragile",
         "status_zh": "薄弱", "status_en": "fragile", "local": [_POLYCOMP], "elsewhere": [], "targets": [],
         "targets_omitted": 0, "unlocated": []},
        {"segment": {"iri": E + "composites-seg-wind-blades", "id": "composites-seg-wind-blades", "label_zh": "风电叶片",
                     "label_en": "wind-turbine blades", "kind": "ChainSegment"},
         "order": 3, "position": "downstream", "stage": 2, "feeds": [], "status": "missing", "status_zh": "缺失",
         "status_en": "missing", "local": [], "elsewhere": [], "targets": [], "targets_omitted": 0, "unlocated": []},
    ],
    "unplaced": [], "leaders": [_POLYCOMP], "sources": [_QUOTE],
    "stages": [[E + "composites-seg-glass-fibre"], [E + "composites-seg-wind-blades"]],
}
NOT_FOUND = {"model": ErrorOut, "description": "No such entity of the kind the route needs.",
             "content": {"application/json": {"example": {"error": "not-found", "message": f"no IndustryChain {E}no-such-chain in the graph"}}}}
BAD_REQUEST = {"model": ErrorOut, "description": "Contradictory or missing parameters.",
               "content": {"application/json": {"example": {"error": "bad-request", "message": "give one of district, park or place"}}}}
NOT_ACCEPTABLE = {"model": ErrorOut, "description": "Neither the format parameter nor Accept names a format offered.",
                  "content": {"application/json": {"example": {"error": "not-acceptable", "message": "not acceptable; this resource is available as: application/json, application/graphml+xml, application/gexf+xml, text/csv"}}}}


def _json(example: dict) -> dict:
    return {"content": {"application/json": {"example": example}}}


VIEW_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The view as node-link JSON (default), or an export: GraphML, GEXF (Gephi) or a CSV edge list.",
          "content": {"application/json": {"example": VIEW_EXAMPLE}, "application/graphml+xml": {},
                      "application/gexf+xml": {}, "text/csv": {}}},
    404: NOT_FOUND, 406: NOT_ACCEPTABLE,
}

# --------------------------------------------------------------------------------------------- parameters
# Media types of a view, the default first; `format` may name one by alias.
VIEW_MEDIA = ["application/json"] + [f.media_type for name, f in export.FORMATS.items() if name != "node-link"]
FORMAT_ALIASES = {"json": "application/json", **{name: f.media_type for name, f in export.FORMATS.items()}}
FormatParam = Annotated[str | None, Query(
    alias="format", description="json (default), node-link (JSON as a download), graphml, gexf or csv; wins over Accept.",
    examples=["graphml"])]
IriParam = Annotated[str | None, Query(description="A full IRI, with `-` as the path id.", examples=[E + "ivd-chain"])]
Graph = KG


def entity(kg: KnowledgeGraph, local_id: str, iri: str | None) -> str:
    """The IRI a route is about: the base's `id/` + the path id, or `iri` when the path id is `-`."""
    if iri is not None:
        if local_id != "-":
            raise ApiError(400, "bad-request", f"give the entity either as the path id or as iri= with '-' as the id, not both ({local_id!r}, {iri!r})")
        return iri
    if local_id == "-":
        raise ApiError(400, "bad-request", "the id '-' needs the entity's full IRI as the parameter iri")
    return entity_iri(kg.settings.base_iri, local_id)


def place_of(kg: KnowledgeGraph, district: str | None, park: str | None, place: str | None,
             required: bool) -> str | None:
    given = [(v, full) for v, full in ((district, False), (park, False), (place, True)) if v]
    if len(given) > 1 or (required and not given):
        raise ApiError(400, "bad-request", "give one of district, park (local ids) or place (a full IRI)")
    if not given:
        return None
    value, full = given[0]
    return value if full else entity_iri(kg.settings.base_iri, value)


def local_id(kg: KnowledgeGraph, iri: str | None) -> str | None:
    return local_id_of(kg.settings.base_iri, iri)


def view_response(kg: KnowledgeGraph, view: View, name: str, format_param: str | None, accept: str | None):
    """The view as JSON, or as the export the format parameter or Accept header asks for."""
    media = negotiate(VIEW_MEDIA, accept, format_param, FORMAT_ALIASES)  # NotAcceptable: the 406 of api/errors.py
    base = entity_iri(kg.settings.base_iri, "")
    if media == "application/json" and (format_param or "json").lower() == "json":
        return export.node_link(view, base)
    chosen = "node-link" if media == "application/json" else next(n for n, f in export.FORMATS.items() if f.media_type == media)
    fmt = export.FORMATS[chosen]
    stem = (local_id(kg, view.focus) or "graph").replace("/", "-")
    return Response(fmt.write(view, base), media_type=fmt.media_type,
                    headers={"Content-Disposition": attachment(f"{stem}-{name}.{fmt.extension}")})


UNSAFE_IN_FALLBACK = re.compile(r"[^A-Za-z0-9._-]")


def attachment(filename: str) -> str:
    """A Content-Disposition for a download named `filename`, whatever characters the entity id holds (RFC 6266).

    Header values are Latin-1 on the wire, so a Chinese id put there raw made the export a 500; quotes, `;` or
    line breaks would break the header itself. The name goes percent-encoded in `filename*`, and an ASCII
    stand-in in `filename` for clients that ignore `filename*`.

    >>> print(attachment("电子-chain.csv"))
    attachment; filename="__-chain.csv"; filename*=UTF-8''%E7%94%B5%E5%AD%90-chain.csv
    """
    fallback = UNSAFE_IN_FALLBACK.sub("_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def ranking_out(kg: KnowledgeGraph, result: ranking.AnchorRanking) -> dict:
    return chainjson.ranking_json(kg.settings.base_iri, result)


# --------------------------------------------------------------------------------------------- chains
@router.get("/chains", summary="Every industry chain", response_model=ChainsOut, responses={200: _json(CHAINS_EXAMPLE)})
def chains(kg: Graph) -> dict:
    return {"chains": [{**dataclasses.asdict(c), "id": local_id(kg, c.iri)} for c in views.list_chains(kg)]}


@router.get("/chains/{chain_id}", summary="Chain view: segments, companies, leaders, parks and districts",
            response_model=ViewOut, responses=VIEW_RESPONSES)
def chain(kg: Graph, chain_id: Annotated[str, Path(examples=["ivd-chain"])], iri: IriParam = None,
          fmt: FormatParam = None, accept: Annotated[str | None, Header()] = None):
    view = views.chain_view(kg, entity(kg, chain_id, iri))
    return view_response(kg, view, "chain", fmt, accept)


@router.get("/chains/{chain_id}/anchors", summary="The chain's anchors, ranked, every score component beside the total",
            response_model=RankingOut, responses={200: _json(RANKING_EXAMPLE), 404: NOT_FOUND})
def chain_anchors(kg: Graph, chain_id: Annotated[str, Path(examples=["smart-vision-chain"])], iri: IriParam = None,
                  limit: Annotated[int, Query(ge=1, le=1000, description="Most anchors listed.")] = 20) -> dict:
    return ranking_out(kg, ranking.rank_anchors(kg, entity(kg, chain_id, iri), limit=limit))


@router.get("/chains/{chain_id}/gaps", summary="Gaps (补链) of one chain in a place (default: its own district)",
            response_model=ChainGapsOut, responses={200: _json(GAPS_EXAMPLE), 400: BAD_REQUEST, 404: NOT_FOUND})
def chain_gaps(kg: Graph, chain_id: Annotated[str, Path(examples=["composites-chain"])], iri: IriParam = None,
               district: Annotated[str | None, Query(examples=["dadukou"])] = None,
               park: Annotated[str | None, Query(examples=["tianan-cyberpark"])] = None,
               place: Annotated[str | None, Query(description="A place's full IRI.")] = None) -> dict:
    where = place_of(kg, district, park, place, required=False)
    return chainjson.chain_map_json(kg.settings.base_iri, gaps.chain_gaps(kg, entity(kg, chain_id, iri), where))


@router.get("/anchors", summary="Every chain's anchors, ranked", response_model=RankingsOut,
            responses={200: _json({"rankings": [RANKING_EXAMPLE]})})
def all_anchors(kg: Graph, limit: Annotated[int, Query(ge=1, le=1000, description="Most anchors per chain.")] = 5) -> dict:
    return {"rankings": [ranking_out(kg, r) for r in ranking.rank_all(kg, limit=limit)]}


@router.get("/gaps", summary="Gaps (补链) of every chain that concerns a district, park or other place",
            response_model=PlaceGapsOut,
            responses={200: _json({"place": _NAMED_DADUKOU, "counts": {"covered": 0, "fragile": 1, "missing": 1, "unknown": 0},
                                    "chains": [GAPS_EXAMPLE]}), 400: BAD_REQUEST, 404: NOT_FOUND})
def place_gaps(kg: Graph, district: Annotated[str | None, Query(examples=["dadukou"])] = None,
               park: Annotated[str | None, Query(examples=["tianan-cyberpark"])] = None,
               place: Annotated[str | None, Query(description="A place's full IRI.")] = None) -> dict:
    where = place_of(kg, district, park, place, required=True)
    return chainjson.place_gaps_json(kg.settings.base_iri, gaps.gaps_of_place(kg, where))


# --------------------------------------------------------------------------------------------- other views
@router.get("/companies/{company_id}/suppliers", summary="One organisation's suppliers, customers and supporting firms",
            response_model=ViewOut, responses=VIEW_RESPONSES)
def company_suppliers(kg: Graph, company_id: Annotated[str, Path(examples=["hikvision"])], iri: IriParam = None,
                      depth: Annotated[int, Query(ge=1, le=3, description="Links out from the company.")] = 1,
                      fmt: FormatParam = None, accept: Annotated[str | None, Header()] = None):
    view = views.company_suppliers(kg, entity(kg, company_id, iri), depth)
    return view_response(kg, view, "suppliers", fmt, accept)


@router.get("/suppliers", summary="Supplier network: supplies, supporting firms (配套) and firms brought in",
            response_model=ViewOut, responses={**VIEW_RESPONSES, 400: BAD_REQUEST})
def supplier_network(kg: Graph, district: Annotated[str | None, Query(examples=["dadukou"])] = None,
                     park: Annotated[str | None, Query(examples=["tianan-cyberpark"])] = None,
                     place: Annotated[str | None, Query(description="A place's full IRI.")] = None,
                     fmt: FormatParam = None, accept: Annotated[str | None, Header()] = None):
    view = views.supplier_network(kg, place_of(kg, district, park, place, required=False))
    return view_response(kg, view, "suppliers", fmt, accept)


@router.get("/parks/{park_id}", summary="Park view: carriers, companies and clusters", response_model=ViewOut,
            responses=VIEW_RESPONSES)
def park(kg: Graph, park_id: Annotated[str, Path(examples=["tianan-cyberpark"])], iri: IriParam = None,
         fmt: FormatParam = None, accept: Annotated[str | None, Header()] = None):
    view = views.park_view(kg, entity(kg, park_id, iri))
    return view_response(kg, view, "park", fmt, accept)


@router.get("/districts/{district_id}", summary="District overview: clusters (latest revenue), chains and leaders",
            response_model=ViewOut, responses=VIEW_RESPONSES)
def district(kg: Graph, district_id: Annotated[str, Path(examples=["dadukou"])], iri: IriParam = None,
             fmt: FormatParam = None, accept: Annotated[str | None, Header()] = None):
    view = views.district_overview(kg, entity(kg, district_id, iri))
    return view_response(kg, view, "district", fmt, accept)


@router.get("/entities/{entity_id}/network", summary="Ego network: everything within a few links of an entity, capped",
            response_model=ViewOut, responses=VIEW_RESPONSES)
def ego(kg: Graph, entity_id: Annotated[str, Path(examples=["hikvision"])], iri: IriParam = None,
        radius: Annotated[int, Query(ge=1, le=3)] = 1,
        max_nodes: Annotated[int | None, Query(ge=1, description="Cap; at most the setting view_max_nodes.")] = None,
        fmt: FormatParam = None, accept: Annotated[str | None, Header()] = None):
    cap = min(max_nodes or kg.settings.view_max_nodes, kg.settings.view_max_nodes)
    view = views.ego_network(kg, entity(kg, entity_id, iri), radius, cap)
    return view_response(kg, view, "network", fmt, accept)
