"""The chain pages: the chain map (产业链全景图), the anchors page (谁是链主) and the gaps page (补链) of a district or
park. Each URL answers HTML, or JSON with `?format=json` or `Accept: application/json` (the same data and evidence as
/api/…). Thin: data from graph/chainmap.py, ranking.py and gaps.py, JSON from graph/chainjson.py, HTML from
viz/templates. Handlers are plain `def`, so the graph work runs in the thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from chainkg.api.conneg import HTML, JSON, PAGE_FORMAT, PAGE_OR_JSON, page_format
from chainkg.api.deps import KG, site
from chainkg.api.rendering import error_page, html
from chainkg.graph import chainjson, gaps, ranking
from chainkg.graph.chainmap import STATUS_LABELS, chain_map
from chainkg.graph.namespaces import entity_iri
from chainkg.graph.views import UnknownEntity

router = APIRouter(tags=["chain pages"])
PLACE = Annotated[str | None, Query(description="A place's full IRI: see the chain from there (default: its own place)")]


@router.get("/chains/{local:path}/map", summary="Chain map (产业链全景图): segments, firms, badges, statuses, 补链 targets",
            responses=PAGE_OR_JSON, response_class=HTMLResponse)
def chain_map_page(request: Request, kg: KG, local: str, format: PAGE_FORMAT = None, place: PLACE = None,
                   district: Annotated[str | None, Query(description="a district's local id")] = None,
                   park: Annotated[str | None, Query(description="a park's local id")] = None) -> Response:
    wanted = page_format(request, [HTML, JSON], format)  # NotAcceptable: the 406 of api/errors.py
    base = kg.settings.base_iri
    where = place or (entity_iri(base, district) if district else entity_iri(base, park) if park else None)
    try:
        report = chain_map(kg, entity_iri(base, local), where)
    except UnknownEntity as error:
        return error_page(request, 404, "未找到", "Not found", str(error))
    if wanted == JSON:
        return JSONResponse(chainjson.chain_map_json(kg.settings.base_iri, report))
    return html(site(request).render("chain_map.html", report=report, statuses=STATUS_LABELS))


@router.get("/anchors", summary="Who anchors which chain (谁是链主): every chain's ranked anchors, every component explained",
            responses=PAGE_OR_JSON, response_class=HTMLResponse)
def anchors_page(request: Request, kg: KG, format: PAGE_FORMAT = None) -> Response:
    wanted = page_format(request, [HTML, JSON], format)
    rankings = sorted(ranking.rank_all(kg), key=lambda r: (not r.anchors, r.label_zh))  # empty chains last
    if wanted == JSON:
        return JSONResponse({"rankings": [chainjson.ranking_json(kg.settings.base_iri, r) for r in rankings]})
    weights = ranking.Weights.from_settings(kg.settings)
    return html(site(request).render("anchors.html", rankings=rankings, labels=ranking.COMPONENT_LABELS,
                                     weights=weights.as_dict()))


@router.get("/gaps/{local:path}", summary="Gaps (补链) of a district or park: chains × segments, status and local firms",
            responses=PAGE_OR_JSON, response_class=HTMLResponse)
def gaps_page(request: Request, kg: KG, local: str, format: PAGE_FORMAT = None) -> Response:
    wanted = page_format(request, [HTML, JSON], format)
    try:
        report = gaps.gaps_of_place(kg, entity_iri(kg.settings.base_iri, local))
    except UnknownEntity as error:
        return error_page(request, 404, "未找到", "Not found", str(error))
    if wanted == JSON:
        return JSONResponse(chainjson.place_gaps_json(kg.settings.base_iri, report))
    return html(site(request).render("gaps.html", report=report, statuses=STATUS_LABELS))
