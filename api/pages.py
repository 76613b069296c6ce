"""The explorer's routes: home, search, entity pages (Linked Data: HTML, Turtle, JSON-LD), graph pages, the SPARQL
UI and the static assets. Thin: data comes from graph/, HTML from viz/; every format choice goes through
api.conneg.negotiate. Handlers that query are plain `def`, so they run in the thread pool, off the event loop.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import networkx as nx
from fastapi import APIRouter, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from chainkg.api.conneg import HTML, JSON, JSON_LD, PAGE_FORMAT, PAGE_OR_JSON, PAGE_OR_RDF, TURTLE, page_format
from chainkg.api.deps import KG, SETTINGS, label_index, site
from chainkg.api.errors import error_response
from chainkg.api.rendering import error_page, html
from chainkg.graph import entity, formats, overview, views
from chainkg.graph.labels import Label, labels
from chainkg.graph.namespaces import CK, entity_iri
from chainkg.graph.search import grouped as search_groups
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph
from chainkg.viz import network
from chainkg.viz.assets import assets

router = APIRouter(tags=["explorer"])

SUGGESTIONS = 8
ENTITY_FORMATS = [HTML, TURTLE, JSON_LD]
# An entity's data twins, by URL suffix (`/id/zybio.ttl`): the suffix is the syntax's own, and also its `format=` name.
TWINS = {syntax.suffixes[0].lstrip("."): syntax for syntax in (formats.TURTLE, formats.JSONLD)}


# ---------------------------------------------------------------------------------------------------- home and search
@router.get("/", summary="Home page: districts, clusters, chains and their leaders", response_class=HTMLResponse)
def home(request: Request, kg: KG) -> Response:
    return html(site(request).render("home.html", overview=overview.overview(kg)))


@router.get("/search", summary="Search names in any script, pinyin, initials, kind or role words (HTML, or JSON with format=json)",
            responses=PAGE_OR_JSON, response_class=HTMLResponse)
def search(request: Request, settings: SETTINGS, format: PAGE_FORMAT = None,
           q: Annotated[str, Query(description="a name (simplified, traditional, alias, English, pinyin, initials), "
                                               "a kind (园区, 政策) or a role (链主, 龙头)")] = "",
           list_all: Annotated[bool, Query(alias="all", description="list the results even when one name matches exactly")] = False,
           kind: Annotated[str | None, Query(description="only results of this family (Company, IndustrialPark, Event …)")] = None,
           district: Annotated[str | None, Query(description="only results in this district (its id: dadukou, banan …)")] = None,
           ) -> Response:
    wanted = page_format(request, [HTML, JSON], format)  # NotAcceptable: the 406 of api/errors.py
    index, pages = label_index(request), site(request)
    district_iri = entity_iri(settings.base_iri, district) if district else None
    found = index.find(q, limit=settings.search_max_results, family=kind or None, district=district_iri)
    if wanted == JSON:
        return JSONResponse({"query": q, "total": found.total, "families": found.families,
                             "districts": {pages.href(d).removeprefix("/id/"): n for d, n in found.districts.items()},
                             "results": [{**h.as_json(), "href": pages.href(h.iri)} for h in found.hits]})
    target = index.jump(found.hits) if not (list_all or kind or district) else None
    if target is not None:
        return RedirectResponse(pages.href(target.iri), status_code=303)
    return html(pages.render("search.html", query=q, found=found, groups=search_groups(found.hits),
                             name_of=index.name_of, kind=kind, district=district, limit=settings.search_max_results))


@router.get("/search/suggest", summary="Suggestions while typing (JSON)")
def suggest(request: Request, q: Annotated[str, Query(description="what has been typed so far")] = "") -> JSONResponse:
    hits = label_index(request).suggest(q, limit=SUGGESTIONS) if q.strip() else []
    pages = site(request)
    return JSONResponse({"query": q, "results": [{**h.as_json(), "href": pages.href(h.iri)} for h in hits]})


# ---------------------------------------------------------------------------------------------------- entities
@router.get("/id/{local:path}", summary="An entity: HTML, Turtle or JSON-LD (Accept, or a .ttl / .jsonld twin)",
            responses=PAGE_OR_RDF, response_class=HTMLResponse)
def entity_by_path(request: Request, kg: KG, local: str, format: PAGE_FORMAT = None) -> Response:
    for suffix in TWINS:
        if local.endswith("." + suffix) and format is None:
            local, format = local[: -len(suffix) - 1], suffix
    return _entity(request, kg, entity_iri(kg.settings.base_iri, local), format)


@router.get("/resource", summary="Any IRI the graph describes (ontology terms, vocabularies): HTML, Turtle or JSON-LD",
            responses=PAGE_OR_RDF, response_class=HTMLResponse)
def entity_by_iri(request: Request, kg: KG, iri: Annotated[str, Query(description="the IRI")], format: PAGE_FORMAT = None,
                  ) -> Response:
    return _entity(request, kg, iri, format)


def _entity(request: Request, kg: KnowledgeGraph, iri: str, format: str | None) -> Response:
    if not entity.exists(kg, iri):
        return error_page(request, 404, "未找到", "Not found", f"the graph says nothing about {iri}")
    wanted = page_format(request, ENTITY_FORMATS, format)  # NotAcceptable: the 406 of api/errors.py
    headers = {"Vary": "Accept", "Link": ", ".join(
        f'<{site(request).twin(iri, suffix)}>; rel="alternate"; type="{syntax.media_type}"'
        for suffix, syntax in TWINS.items())}
    if wanted != HTML:
        body = entity.description(kg, iri, formats.by_media_type(wanted).oxigraph)
        return Response(body, media_type=wanted + ("; charset=utf-8" if wanted == TURTLE else ""), headers=headers)
    data = entity.page(kg, iri)
    notes = entity.statistic_comments(kg, iri) if data.statistics else {}
    response = html(site(request).render("entity.html", page=data, stat_notes=notes))
    response.headers["Link"] = headers["Link"]
    return response


# ---------------------------------------------------------------------------------------------------- graph pages
# The views of graph/views.py by the name in the URL; each takes the graph and the IRI the page is about.
VIEWS = {"chain": views.chain_view, "district": views.district_overview, "park": views.park_view,
         "suppliers": views.suppliers_of, "ego": views.ego_network}


@router.get("/graph/{view}", summary="A graph page (chain, district, park, suppliers, ego) of an IRI, or the whole supplier network",
            responses=PAGE_OR_JSON, response_class=HTMLResponse)
def graph_by_iri(request: Request, kg: KG, settings: SETTINGS, view: str, format: PAGE_FORMAT = None,
                 iri: Annotated[str | None, Query(description="the entity the view is about")] = None,
                 radius: Annotated[int, Query(ge=1, description="steps out, for the ego network")] = 1,
                 limit: Annotated[int | None, Query(ge=1, description="most nodes drawn (default: graph_node_cap)")] = None,
                 ) -> Response:
    return _graph(request, kg, settings, view, iri, radius, limit, format)


@router.get("/graph/{view}/{local:path}", summary="A graph page about an entity (/graph/chain/ivd-chain …)",
            responses=PAGE_OR_JSON, response_class=HTMLResponse)
def graph_by_path(request: Request, kg: KG, settings: SETTINGS, view: str, local: str, format: PAGE_FORMAT = None,
                  radius: Annotated[int, Query(ge=1, description="steps out, for the ego network")] = 1,
                  limit: Annotated[int | None, Query(ge=1, description="most nodes drawn (default: graph_node_cap)")] = None,
                  ) -> Response:
    return _graph(request, kg, settings, view, entity_iri(settings.base_iri, local), radius, limit, format)


def _graph(request: Request, kg: KnowledgeGraph, settings: Settings, view: str, iri: str | None, radius: int,
           limit: int | None, format: str | None) -> Response:
    wanted = page_format(request, [HTML, JSON], format)  # NotAcceptable: the 406 of api/errors.py
    if view not in VIEWS or (iri is None and view != "suppliers"):
        return error_page(request, 404, "没有这种图谱", "No such graph view",
                          "views: chain, district, park and ego (of an entity), suppliers (of a place, or all)")
    if radius > settings.ego_max_radius:
        return error_page(request, 400, "范围过大", "Radius too large", f"at most {settings.ego_max_radius} steps (setting ego_max_radius)")
    try:
        result = views.ego_network(kg, iri, radius=radius) if view == "ego" else VIEWS[view](kg, iri)
    except views.UnknownEntity as error:
        return error_page(request, 404, "未找到", "Not found", str(error))
    cap = min(limit or settings.graph_node_cap, max(result.graph.number_of_nodes(), 1))
    views.cite_links(kg, result.graph.subgraph(network.keep(result.graph, result.focus, cap)))  # drawn links only
    pages = site(request)
    data = network.network(result.graph, focus=result.focus, limit=cap, href=pages.href,
                           kind_labels=_kind_labels(kg, result.graph), view_omitted=result.omitted)
    quiet = network.quiet_kinds(view, radius, (a.get("kind", "Thing") for _, a in result.graph.nodes(data=True)))
    if wanted == JSON:
        return JSONResponse({"title_zh": result.title_zh, "title_en": result.title_en, **data.as_json(),
                             "hidden_kinds": quiet})
    focus = None
    if result.focus:
        focus = entity.Link(result.focus, labels(kg, [result.focus])[result.focus])
    more = None
    if data.next_limit:
        params = {k: v for k, v in request.query_params.items() if k != "limit"}
        more = request.url.path + "?" + urlencode({**params, "limit": data.next_limit})
    return html(pages.render("graph.html", title_zh=result.title_zh, title_en=result.title_en, data=data, focus=focus,
                             more_href=more, quiet=quiet))


def _kind_labels(kg: KnowledgeGraph, graph: nx.DiGraph) -> dict[str, Label]:
    kinds = {attributes.get("kind", "Thing") for _, attributes in graph.nodes(data=True)}
    found = labels(kg, [CK + k for k in kinds])
    named = {k: found[CK + k] for k in kinds if found[CK + k].zh != k}
    return {**{k: network.STANDARD_KIND_LABELS[k] for k in kinds if k in network.STANDARD_KIND_LABELS}, **named}


# ---------------------------------------------------------------------------------------------------- SPARQL UI
async def old_sparql_ui() -> Response:
    """The UI's first address, kept working for links people saved."""
    return RedirectResponse("/sparql", status_code=308)


router.add_api_route("/ui/sparql", old_sparql_ui, methods=["GET"], include_in_schema=False)


# ---------------------------------------------------------------------------------------------------- API docs
async def api_docs(request: Request) -> Response:
    """Swagger UI over the OpenAPI document, from the copy `make install` puts in viz/assets (no CDN)."""
    swagger = assets()["swagger"]
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url, title="chainkg API",
                               swagger_js_url=swagger.url("swagger-ui-bundle.js"),
                               swagger_css_url=swagger.url("swagger-ui.css"),
                               swagger_favicon_url=assets()["site"].url("favicon.svg"),
                               # no spec validation badge: it would be fetched from validator.swagger.io
                               swagger_ui_parameters={"validatorUrl": None})
    return page


# ---------------------------------------------------------------------------------------------------- static files
async def favicon() -> Response:
    """Our own icon (viz/static/favicon.svg) where browsers look for one unasked: on the JSON, Turtle and API
    responses they show, which carry no <link rel="icon">."""
    icon = assets()["site"].directory / "favicon.svg"
    return Response(icon.read_bytes(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


router.add_api_route("/favicon.ico", favicon, methods=["GET"], include_in_schema=False)


def static_files() -> Starlette:
    """The asset directories under their versioned paths; StaticFiles refuses any path outside its directory."""
    routes = []
    for asset in assets().values():
        if asset.installed:
            routes.append(Mount("/" + asset.mount, app=StaticFiles(directory=asset.directory, follow_symlink=False)))
        else:
            routes.append(Mount("/" + asset.mount, routes=[Route("/{path:path}", _not_installed)]))
    return Starlette(routes=routes)


async def _not_installed(request: Request) -> Response:
    return error_response(404, "not-found", "asset not installed: run `make install`")
