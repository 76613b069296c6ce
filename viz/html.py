"""HTML pages from Jinja2 templates (viz/templates), escaped by construction: autoescape on, undefined names are
errors, and data reaches a `<script>` only as `|tojson` inside a `type="application/json"` block.

Links are built here, and only here: an entity IRI under the base IRI links to its page on this site
(`/id/…`), any other IRI to `/resource?iri=…`, so no page links off the site. Rendering only.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chainkg.graph.namespaces import local_name
from chainkg.graph.namespaces import entity_iri
from chainkg.viz import chart, network
from chainkg.viz.assets import assets

HERE = Path(__file__).resolve().parent
API_DOCS = "/docs"
# The SPARQL UI is the endpoint itself, for browsers that send no query (api/sparql.py dispatches to it).
SPARQL_UI = "/sparql"


def with_params(path: str, params: dict[str, str], **changes: object) -> str:
    """A link to `path` with the current query parameters, some changed (None or "" removes one).

    >>> with_params("/browse/companies", {"district": "dadukou", "page": "2"}, page=None, sort="-name")
    '/browse/companies?district=dadukou&sort=-name'
    """
    merged = {**params, **{k: v for k, v in changes.items()}}
    kept = {k: str(v) for k, v in merged.items() if v is not None and v != ""}
    return path + ("?" + urlencode(kept) if kept else "")


class Site:
    """The templates of one running site: knows the base IRI, so it can turn IRIs into links on this site.

    >>> site = Site("https://w3id.org/chainkg/")
    >>> site.href("https://w3id.org/chainkg/id/quote/a001-017"), site.href("https://w3id.org/chainkg/ontology#Company")
    ('/id/quote/a001-017', '/resource?iri=https%3A%2F%2Fw3id.org%2Fchainkg%2Fontology%23Company')
    >>> "&lt;script&gt;" in site.render("error.html", status=404, title_zh="<script>", title_en="x", detail="")
    True
    """

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri
        self.entity_base = entity_iri(base_iri, "")
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            asset=self.asset, href=self.href, twin=self.twin, graph_href=self.graph_href, local_name=local_name,
            map_href=self.map_href, anchors_href=self.anchors_href, gaps_href=self.gaps_href,
            distinct_sources=distinct_sources, footnote=footnote, same_sentence=same_sentence,
            sparql_ui=SPARQL_UI, api_docs=API_DOCS, style_of=network.style_of, styles=network.STYLES,
            with_params=with_params,
        )
        self.env.filters.update(bar_chart=chart.bar_chart)

    def render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(**context)

    # ------------------------------------------------------------------ links
    def href(self, iri: str) -> str:
        """The page of an IRI on this site."""
        if iri.startswith(self.entity_base) and len(iri) > len(self.entity_base):
            return "/id/" + quote(iri[len(self.entity_base):], safe="/-._~!$'()*+,;=:@")
        return "/resource?" + urlencode({"iri": iri})

    def twin(self, iri: str, suffix: str) -> str:
        """The data twin of an entity page: `.ttl` or `.jsonld`."""
        page = self.href(iri)
        if page.startswith("/id/"):
            return page + "." + suffix
        return page + "&" + urlencode({"format": suffix})

    def graph_href(self, view: str, iri: str | None = None, **params: object) -> str:
        """The graph page of a view ('chain', 'district', 'park', 'suppliers', 'ego') about an entity."""
        path = f"/graph/{view}"
        if iri is not None:
            page = self.href(iri)
            path += page[len("/id"):] if page.startswith("/id/") else "?" + urlencode({"iri": iri})
        extra = {k: v for k, v in params.items() if v is not None}
        if extra:
            path += ("&" if "?" in path else "?") + urlencode(extra)
        return path

    def _page(self, prefix: str, iri: str, suffix: str = "") -> str:
        """A page about an entity: `prefix/<local id>suffix` for ids under the base, else `prefix?iri=…`."""
        page = self.href(iri)
        if page.startswith("/id/"):
            return prefix + page[len("/id"):] + suffix
        return prefix + suffix + "?" + urlencode({"iri": iri})

    def map_href(self, chain_iri: str, place_iri: str | None = None) -> str:
        """The chain map (产业链全景图) of a chain, seen from its own place or from `place_iri`."""
        path = self._page("/chains", chain_iri, "/map")
        if place_iri:
            path += ("&" if "?" in path else "?") + urlencode({"place": place_iri})
        return path

    def anchors_href(self, chain_iri: str | None = None) -> str:
        """The anchors page (谁是链主), at one chain's ranking."""
        return "/anchors" + (f"#chain-{local_name(chain_iri)}" if chain_iri else "")

    def gaps_href(self, place_iri: str) -> str:
        """The gaps page (补链) of a district or park."""
        return self._page("/gaps", place_iri)

    @staticmethod
    def asset(name: str, file: str) -> str:
        return assets()[name].url(file)


def distinct_sources(*groups) -> list:
    """Every piece of evidence in these lists (or lists of lists), once, in the order first met: a page's footnotes."""
    seen: dict = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, (list, tuple)):
                walk(item)
            else:
                seen.setdefault(item, None)

    walk(groups)
    return list(seen)


def footnote(sources: list, evidence) -> int:
    """The footnote number of a piece of evidence among a page's `sources`."""
    return sources.index(evidence) + 1


def same_sentence(sources: list) -> list[tuple[object, int | None]]:
    """Each footnote with the number of the first footnote quoting the same sentence of the same article, or None
    (for that first one, and for what is not a quote): the list then says "同第 N 条原句" instead of the sentence again.

    A footnote's number is its `number` when it has one (an entity page's `Source`), else its place in the list
    from 1 (the chain pages' `Evidence`).

    >>> from chainkg.graph.evidence import Evidence
    >>> a, b = Evidence("g1", "quote", quote="句", article="a1"), Evidence("g2", "quote", quote="句", article="a1")
    >>> c, note = Evidence("g3", "quote", quote="句", article="a2"), Evidence("g4", "note", note="n")
    >>> [same for _, same in same_sentence([a, note, b, c])]
    [None, None, 1, None]
    """
    first: dict[tuple, int] = {}
    marked = []
    for position, item in enumerate(sources, 1):
        if item.kind != "quote":
            marked.append((item, None))
            continue
        number = getattr(item, "number", position)
        if hasattr(item, "quote"):  # Evidence
            sentence = (item.quote, item.article)
        else:  # entity.Source
            sentence = (item.text, item.article.iri if item.article else None)
        earlier = first.setdefault(sentence, number)
        marked.append((item, earlier if earlier != number else None))
    return marked
