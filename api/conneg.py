"""Content negotiation: choose what to send from the `Accept` header and an optional `format` parameter.

One function does it for every route (SPARQL results, RDF, HTML pages), so q-values, wildcards and several types
in one header behave the same everywhere. Matching is python-mimeparse's (RFC 9110 quality and specificity).
A `format` parameter is a choice among what the header allows, never a way to override it: clients such as
SPARQLWrapper send both, and a `format` value they made up (`n3`, or their whole Accept list) must not turn a
satisfiable request into a 406. The media types the routes offer live here too, so no route module needs another's.
"""

from __future__ import annotations

from typing import Annotated

import mimeparse
from fastapi import Query, Request

from chainkg.graph import formats

# ------------------------------------------------------------------------------------- what the pages answer
HTML = "text/html"
JSON = "application/json"
TURTLE = formats.TURTLE.media_type
JSON_LD = formats.JSONLD.media_type
PAGE_ALIASES = {"html": HTML, "json": JSON, "ttl": TURTLE, "turtle": TURTLE, "jsonld": JSON_LD, "json-ld": JSON_LD}
PAGE_FORMAT = Annotated[str | None, Query(alias="format", description="html, json, ttl or jsonld; overrides Accept")]
# What the negotiating pages answer besides HTML (their response_class), for the OpenAPI document: the handlers
# return Responses, so FastAPI cannot see it.
PAGE_OR_JSON = {200: {"content": {JSON: {}}}}
PAGE_OR_RDF = {200: {"content": {TURTLE: {}, JSON_LD: {}}}}

# ------------------------------------------------------------------------- what the SPARQL protocols answer
# Media types come from graph/formats.py's tables; only the order is said here (the first is what `*/*` gets).
RESULT_TYPES = [s.media_type for s in formats.RESULT_SYNTAXES]
GRAPH_TYPES = [s.media_type for s in (formats.TURTLE, formats.NTRIPLES, formats.JSONLD, formats.RDFXML, formats.NQUADS,
                                      formats.TRIG)] + [formats.N3]
WRITTEN_AS = formats.WRITTEN_AS  # text/n3 is answered with Turtle bytes
DESCRIPTION_TYPES = [s.media_type for s in (formats.TURTLE, formats.JSONLD, formats.RDFXML, formats.NTRIPLES)] + [HTML]


class NotAcceptable(Exception):
    """Nothing the route can produce is acceptable; the message lists what it can produce (HTTP 406)."""

    def __init__(self, offered: list[str]) -> None:
        super().__init__("not acceptable; this resource is available as: " + ", ".join(offered))
        self.offered = offered


class ConflictingFormats(Exception):
    """Two `format` parameters name different syntaxes: a bad request (HTTP 400), not a guess between them."""


def page_format(request: Request, offered: list[str], format_param: str | None) -> str:
    """What a page answers (`offered`, HTML usually first) by the request's Accept and its `format=` alias."""
    return negotiate(offered, request.headers.get("accept"), format_param, PAGE_ALIASES)


def choose(offered: list[str], aliases: dict[str, str], accept: str | None, format_values: list[str]) -> str:
    """Negotiate among `offered`, also honouring alias media types (application/json …) and short names.

    `format_values` are all the `format` parameters of the request: SPARQLWrapper sends two that agree
    (`format=tsv&format=text/tab-separated-values`); two that name different syntaxes are a bad request.

    >>> choose(RESULT_TYPES, formats.RESULT_ALIASES, "application/json", [])
    'application/sparql-results+json'
    >>> choose(GRAPH_TYPES, formats.RDF_ALIASES, "text/html, */*;q=0.1", ["jsonld"])
    'application/ld+json'
    >>> choose(GRAPH_TYPES, formats.RDF_ALIASES, "application/ld+json", ["json-ld", "application/ld+json"])
    'application/ld+json'
    """
    candidates = offered + [a for a, target in aliases.items() if "/" in a and target in offered]
    names = {k: v for k, v in aliases.items() if "/" not in k}
    named = {aliases.get(c, c) for v in format_values if (c := format_choice(candidates, v, names))}
    if len(named) > 1:
        raise ConflictingFormats("the format parameters name different syntaxes: " + ", ".join(sorted(named)))
    format_param = next(iter(named), None) or (format_values[0] if format_values else None)
    try:
        chosen = negotiate(candidates, accept, format_param, names)
    except NotAcceptable:
        raise NotAcceptable(offered) from None
    return aliases.get(chosen, chosen)


def negotiate(offered: list[str], accept: str | None, format_param: str | None = None,
              aliases: dict[str, str] | None = None) -> str:
    """Pick one of `offered` (most preferred first, used when the client does not care).

    `format` may be a media type, a comma-separated list of them, or a short alias (`json`, `ttl`). It decides
    when the header accepts what it names (a browser's `*/*` does); a header that names a type and excludes the
    format's wins; a format naming nothing offered is ignored when the header names something that is.

    >>> negotiate(["application/json", "text/html"], "text/html;q=0.9, application/json")
    'application/json'
    >>> negotiate(["text/turtle", "application/ld+json"], "*/*")
    'text/turtle'
    >>> negotiate(["text/turtle"], None, "ttl", {"ttl": "text/turtle"})
    'text/turtle'
    >>> negotiate(["text/csv", "text/tab-separated-values"], "text/tab-separated-values", "csv", {"csv": "text/csv"})
    'text/tab-separated-values'
    >>> negotiate(["text/turtle", "text/n3"], "text/turtle, text/n3", "n3-please")
    'text/turtle'
    """
    wanted = format_choice(offered, format_param, aliases)
    if not accept or not accept.strip():
        if format_param and wanted is None:
            raise NotAcceptable(offered)
        return wanted or offered[0]
    try:
        if wanted is not None and mimeparse.quality(wanted, accept) > 0:
            return wanted
        best = _best(offered, accept)
        if wanted is not None:
            return best or wanted  # an unsatisfiable header does not undo an explicit, satisfiable format
        if format_param:
            best = _best(offered, _without_full_wildcard(accept))  # only a header that names something offered
    except (ValueError, mimeparse.MimeTypeParseException):
        if format_param and wanted is None:
            raise NotAcceptable(offered) from None
        return wanted or offered[0]
    if not best:
        raise NotAcceptable(offered)
    return best


def format_choice(offered: list[str], format_param: str | None, aliases: dict[str, str] | None = None) -> str | None:
    """The offered media type a `format` value names (its first known item), or None.

    >>> format_choice(["application/ld+json"], "application/ld+json,application/x-json+ld")
    'application/ld+json'
    >>> format_choice(["text/csv"], "CSV", {"csv": "text/csv"}), format_choice(["text/csv"], "docx")
    ('text/csv', None)
    """
    for item in (format_param or "").split(","):
        name = item.split(";")[0].strip().lower()
        name = (aliases or {}).get(name, name)
        if name in offered:
            return name
    return None


def _best(offered: list[str], accept: str) -> str:
    if not accept.strip():
        return ""
    # mimeparse prefers the *last* of equally good candidates, so offer them in reverse.
    return mimeparse.best_match(list(reversed(offered)), accept)


def _without_full_wildcard(accept: str) -> str:
    return ",".join(r for r in accept.split(",") if r.split(";")[0].strip() not in ("*/*", "*"))
