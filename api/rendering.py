"""HTML answers shared by every page kind: the headers each page carries (a Content-Security-Policy that loads
nothing from elsewhere and runs no inline script), and errors as a page for browsers, as the API's JSON for the
rest. Templates are viz/'s (Jinja2, autoescape on); nothing here builds HTML from strings.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from chainkg.api.conneg import HTML, JSON, NotAcceptable, negotiate
from chainkg.api.deps import site
from chainkg.api.errors import HTTP_CODES, error_response

# Pages load nothing from elsewhere, and a script that slipped past escaping would not run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def html(content: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY,
                                                       "X-Content-Type-Options": "nosniff", "Vary": "Accept"})


def error_page(request: Request, status: int, title_zh: str, title_en: str, detail: str = "") -> Response:
    """An error as an HTML page for browsers (and clients that do not say), as the API's JSON error for the rest."""
    try:
        wanted = negotiate([HTML, JSON], request.headers.get("accept"))
    except NotAcceptable:
        wanted = JSON
    if wanted == HTML:
        return html(site(request).render("error.html", status=status, title_zh=title_zh, title_en=title_en,
                                         detail=detail), status)
    return error_response(status, HTTP_CODES.get(status, "http-error"), f"{title_en}: {detail}" if detail else title_en)
