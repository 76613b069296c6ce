"""The SPARQL query page: self-hosted YASGUI with the project's prefixes, the worked examples and shareable links.

Not a route of its own: api/sparql.py answers `GET /sparql` with it when the client wants HTML and sends no query
(the endpoint's URL is the UI's URL, as with Fuseki and the Oxigraph server). YASGUI talks to `/sparql` (GET).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from chainkg.api.deps import knowledge_graph, settings, site
from chainkg.api.rendering import html
from chainkg.graph.examples import examples
from chainkg.viz.assets import assets

SPARQL_ENDPOINT = "/sparql"


async def sparql_ui(request: Request) -> Response:
    base = settings(request).base_iri
    shown = []
    for example in examples():
        text = example.text(base)
        short, _, english = example.title.partition(" — ")
        shown.append({"name": example.name, "title": example.title, "short": short, "english": english, "text": text,
                      "link": "#" + urlencode({"query": text, "tabTitle": short})})
    config = {"endpoint": SPARQL_ENDPOINT, "tab_name": "查询", "examples": shown, "base": base,
              "prefixes": knowledge_graph(request).prefixes}
    return html(site(request).render("sparql.html", examples=shown, config=config, endpoint=SPARQL_ENDPOINT,
                                     installed=assets()["yasgui"].installed))
