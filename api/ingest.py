"""The ingest page and its three calls (all need the write token): analyse an article into candidates, turn the
curator's decisions into a draft (TriG, to save for review in git), or load that draft all-or-nothing. Thin: the
work is graph/ingest/; the page is viz/templates/ingest.html with viz/static/ingest.js."""

from __future__ import annotations

import functools
import json

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from chainkg.api.auth import require_write_token
from chainkg.api.deps import KG, SETTINGS, site
from chainkg.api.errors import ApiError
from chainkg.api.limits import read_body
from chainkg.api.rendering import html
from chainkg.graph import formats, loader
from chainkg.graph.namespaces import local_id
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from chainkg.graph.ingest import ArticleDate, Gazetteer, IngestError, analyse, draft, review

router = APIRouter(tags=["ingest"])


@router.get("/ingest", summary="The ingest page: paste an article, review its candidates, load them",
            response_class=HTMLResponse)
def ingest_page(request: Request, settings: SETTINGS) -> Response:
    writable = settings.write_token is not None
    return html(site(request).render("ingest.html", writable=writable))


@router.post("/ingest/analyse", summary="Candidates of an article (needs the write token)")
async def analyse_article(request: Request, kg: KG, settings: SETTINGS) -> JSONResponse:
    body = await _body(request, settings)
    analysis = await run_in_threadpool(_analyse, kg, settings, body)
    pages = site(request)
    result = analysis.as_json()
    for mention in result["mentions"]:
        mention["href"] = pages.href(mention["iri"]) if mention["iri"] else None
    result["names"] = await run_in_threadpool(review.names, kg, analysis)
    return JSONResponse(result)


@router.post("/ingest/draft", summary="The curator's decisions as a draft in TriG (needs the write token)")
async def draft_article(request: Request, kg: KG, settings: SETTINGS) -> Response:
    body = await _body(request, settings)
    quads = await run_in_threadpool(_draft, kg, settings, body)
    return Response(draft.to_trig(quads, kg), media_type=formats.TRIG.media_type + "; charset=utf-8")


@router.post("/ingest/load", summary="Load the curator's decisions, all or nothing (needs the write token)")
async def load_article(request: Request, kg: KG, settings: SETTINGS) -> JSONResponse:
    body = await _body(request, settings)
    quads = await run_in_threadpool(_draft, kg, settings, body)
    await run_in_threadpool(loader.commit, kg, quads)
    pages = site(request)
    base = kg.settings.base_iri
    subjects = sorted({q.subject.value for q in quads if local_id(base, q.subject.value) is not None})
    return JSONResponse({"loaded": len(quads), "pages": [pages.href(iri) for iri in subjects]})


async def _body(request: Request, settings: Settings) -> dict:
    require_write_token(request, settings)
    data = await read_body(request, settings.ingest_max_chars * 4 + 1_000_000, "article")
    try:
        body = json.loads(data)
    except ValueError:
        raise ApiError(400, "bad-request", "send JSON: {text, date, title, decisions}") from None
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ApiError(400, "bad-request", "send JSON with the article's text in 'text'")
    return body


def _analyse(kg: KnowledgeGraph, settings: Settings, body: dict):
    try:
        date = ArticleDate.parse(body["date"]) if body.get("date") else None
        return analyse(body["text"], functools.partial(Gazetteer.from_graph, kg), date=date,
                       title=body.get("title") or None,
                       source=str(body.get("source") or "pasted"), max_chars=settings.ingest_max_chars)
    except (IngestError, ValueError) as error:
        raise ApiError(400, "bad-article", str(error)) from None


def _draft(kg: KnowledgeGraph, settings: Settings, body: dict):
    analysis = _analyse(kg, settings, body)
    try:
        decisions = draft.Decisions.from_json(body.get("decisions") or {})
        return draft.build(analysis, decisions, kg)
    except IngestError as error:
        raise ApiError(400, "bad-decisions", str(error)) from None
