"""The browse lists (Datasette style): every company, park, chain, cluster, policy and event with facets, sorting,
paging and CSV / JSON export of the filtered rows. Thin: the lists are graph/browse.py's, the HTML viz/templates'
browse.html, the CSV viz/tables.py's. Handlers are plain `def`, so the graph work runs in the thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from chainkg.api.conneg import HTML, JSON, PAGE_ALIASES, PAGE_FORMAT, PAGE_OR_JSON, negotiate, page_format
from chainkg.api.deps import KG, SETTINGS, site
from chainkg.api.rendering import error_page, html
from chainkg.graph import browse
from chainkg.viz.tables import csv_text

router = APIRouter(tags=["browse"])
CSV = "text/csv"
FACETS = ("district", "park", "cluster", "chain", "kind", "year", "role")
FACET = Annotated[str | None,
                  Query(description="only rows with this facet value (an id such as dadukou, a kind, a year)")]


@router.get("/browse", summary="The browse lists and how many rows each has", responses=PAGE_OR_JSON,
            response_class=HTMLResponse)
def browse_index(request: Request, kg: KG, format: PAGE_FORMAT = None) -> Response:
    wanted = page_format(request, [HTML, JSON], format)
    counts = {name: browse.table(kg, name, size=1).total for name in browse.LISTINGS}
    if wanted == JSON:
        return JSONResponse({"lists": [{"name": n, "zh": l.zh, "en": l.en, "rows": counts[n], "href": f"/browse/{n}"}
                                       for n, l in browse.LISTINGS.items()]})
    return html(site(request).render("browse_index.html", listings=browse.LISTINGS, counts=counts))


@router.get("/browse/{name}", summary="A list (companies, parks, chains, clusters, policies, events) with facets, "
            "sorting and paging; format=csv or json exports the filtered rows", response_class=HTMLResponse,
            responses={200: {"content": {JSON: {}, CSV: {}}}})
def browse_list(request: Request, kg: KG, settings: SETTINGS, name: str, format: PAGE_FORMAT = None,
                sort: Annotated[str | None, Query(description="a column; -column for descending")] = None,
                page: Annotated[int, Query(ge=1)] = 1,
                size: Annotated[int | None,
                                Query(ge=0, description="rows per page (0: all); exports default to all")] = None,
                district: FACET = None, park: FACET = None, cluster: FACET = None, chain: FACET = None,
                kind: FACET = None, year: FACET = None, role: FACET = None) -> Response:
    wanted = negotiate([HTML, JSON, CSV], request.headers.get("accept"), format, {**PAGE_ALIASES, "csv": CSV})
    if name not in browse.LISTINGS:
        return error_page(request, 404, "没有这个列表", "No such list", "lists: " + ", ".join(browse.LISTINGS))
    filters = {"district": district, "park": park, "cluster": cluster, "chain": chain, "kind": kind, "year": year,
               "role": role}
    exporting = wanted != HTML
    rows_per_page = size if size is not None else (0 if exporting else settings.browse_page_size)
    result = browse.table(kg, name, filters, sort, page if not exporting or size is not None else 1, rows_per_page)
    if wanted == CSV:
        records = browse.export_rows(result)
        columns = list(records[0]) if records else ["iri", "name_zh", "name_en"]
        return Response(csv_text(records, columns), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="chainkg-{name}.csv"'})
    if wanted == JSON:
        pages = site(request)
        return JSONResponse({"list": name, "total": result.total, "page": result.page, "pages": result.pages,
                             "sort": result.sort, "filters": result.filters,
                             "rows": [{**r, "href": pages.href(str(r["iri"]))} for r in browse.export_rows(result)]})
    return html(site(request).render("browse.html", table=result, listings=browse.LISTINGS,
                                     params={k: v for k, v in request.query_params.items()}))
