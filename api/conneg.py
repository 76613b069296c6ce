"""Content negotiation: choose what to send from the `Accept` header or an explicit `format` parameter.

One function does it for every route (SPARQL results, RDF, HTML pages), so q-values, wildcards and several types
in one header behave the same everywhere. Matching is python-mimeparse's (RFC 9110 quality and specificity).
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

    A `format` parameter wins over the header; it may be a media type or a short alias (`json`, `ttl`).

    >>> negotiate(["application/json", "text/html"], "text/html;q=0.9, application/json")
    'application/json'
    >>> negotiate(["text/turtle", "application/ld+json"], "*/*")
    'text/turtle'
    >>> negotiate(["text/turtle"], None, "ttl", {"ttl": "text/turtle"})
    'text/turtle'
    """
    if format_param:
        wanted = (aliases or {}).get(format_param.lower(), format_param)
        if wanted in offered:
            return wanted
        raise NotAcceptable(offered)
    if not accept or not accept.strip():
        return offered[0]
    try:
        # mimeparse prefers the *last* of equally good candidates, so offer them in reverse.
        best = mimeparse.best_match(list(reversed(offered)), accept)
    except (ValueError, mimeparse.MimeTypeParseException):
        return offered[0]
    if not best:
        raise NotAcceptable(offered)
    return best
