"""Content negotiation: choose what to send from the `Accept` header and an optional `format` parameter.

One function does it for every route (SPARQL results, RDF, HTML pages), so q-values, wildcards and several types
in one header behave the same everywhere. Matching is python-mimeparse's (RFC 9110 quality and specificity).
A `format` parameter is a choice among what the header allows, never a way to override it: clients such as
SPARQLWrapper send both, and a `format` value they made up (`n3`, or their whole Accept list) must not turn a
satisfiable request into a 406.
"""

from __future__ import annotations

import mimeparse


class NotAcceptable(Exception):
    """Nothing the route can produce is acceptable; the message lists what it can produce (HTTP 406)."""

    def __init__(self, offered: list[str]) -> None:
        super().__init__("not acceptable; this resource is available as: " + ", ".join(offered))
        self.offered = offered


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
