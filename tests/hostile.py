"""Hostile input shared by the tests of every page and route: labels that try to break out of HTML, paths that
try to leave a served directory, and helpers that say whether a page or route withstood them.

Explorer pages, static routes and anything else that renders data or serves files should be run through
`assert_escaped` and `assert_no_traversal` (see tests/test_hostile_input.py for how).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

# Labels an attacker could put in the graph (by upload, or in an article that is curated). Each carries "ckx", so
# finding one in a page means the page put it there.
HOSTILE_LABELS = (
    "<script>alert('ckx')</script>",
    '"><img src=x onerror=alert("ckx")>',
    "</script><script>alert('ckx2')</script>",
    "' onmouseover='alert(\"ckx3\")",
    "<!--ckx", "]]>ckx", "{{7*7}}ckx",
    "javascript:alert('ckx4')",
    "\u2028</title><svg onload=alert('ckx5')>",
)

# What a file-serving route must never give out, however the path is spelt.
TRAVERSALS = (
    "../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "..%252f..%252f..%252f..%252fetc%252fpasswd",
    "....//....//....//....//etc/passwd",
    "..\\..\\..\\..\\..\\..\\etc\\passwd",
    "%2fetc%2fpasswd",
    "/etc/passwd",
    "../../pyproject.toml",
    "..%2f..%2fpyproject.toml",
    "..%00/etc/passwd",
)
LEAKS = ("root:x:0:0", "[build-system]", "CHAINKG_WRITE_TOKEN=")  # /etc/passwd, the repository, the environment


def assert_escaped(page: str, hostile: str) -> None:
    """The hostile text is nowhere raw in the page: absent, or escaped (as HTML, or inside a JSON string)."""
    if any(c in hostile for c in "<>\"'&"):
        assert hostile not in page, f"unescaped {hostile!r} in the page"


def shown_escaped(page: str, hostile: str) -> bool:
    """True when the page does show the hostile text, escaped (for pages that must show the label at all)."""
    return hostile not in page and hostile in html.unescape(page)


def html_routes(app: FastAPI) -> list[str]:
    """Paths without parameters of the app's GET routes that may answer HTML: by their OpenAPI content, and every
    route left out of the document (the API docs page, redirects)."""
    found = []
    for path, operations in app.openapi().get("paths", {}).items():
        content = operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        if "text/html" in content and "{" not in path:
            found.append(path)
    hidden = [r.path for r in app.routes if isinstance(r, APIRoute) and not r.include_in_schema and "GET" in r.methods
              and "{" not in r.path]
    return sorted(set(found) | set(hidden))


def file_routes(app: FastAPI) -> list[str]:
    """Prefixes under which the app serves files: its mounts, and routes with a `{…:path}` parameter."""
    prefixes = ["/static/", "/assets/"]  # where they are usually put, mounted or not
    for route in app.routes:
        if isinstance(route, Mount):
            prefixes.append(route.path.rstrip("/") + "/")
        elif ":path}" in getattr(route, "path", ""):
            prefixes.append(route.path.split("{")[0])
    return sorted(set(prefixes))


def assert_no_traversal(base_url: str, prefixes: Iterable[str]) -> None:
    """No spelling of a path out of a served directory returns a file from outside it."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for prefix in prefixes:
            for attempt in TRAVERSALS:
                # send the path exactly as written: httpx would otherwise normalise the dots away
                response = client.get(prefix, extensions={"target": (prefix + attempt).encode()})
                assert response.status_code != 500, f"{prefix}{attempt}: {response.status_code}"
                for leak in LEAKS:
                    assert leak not in response.text, f"{prefix}{attempt} leaked {leak!r}"
