"""The explorer's routes (api/pages.py), in process (the `app` fixture), save path traversal, which needs a real
socket to send dots a client would normalise away: every page kind, Linked Data by Accept or twin, search that
lands on the entity, graph pages with their data twins and node cap, versioned static assets that refuse path
traversal, and pages that link and load nothing outside the site."""

from __future__ import annotations

import html
import json
import re
import socket
from html.parser import HTMLParser
from urllib.parse import quote, urlparse

import httpx
import pyoxigraph as ox
import pytest

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
PAGES = [
    "/",
    "/search?q=%E5%A4%A9%E5%AE%89&all=1",
    "/id/zhongyuan-huiji",
    "/id/dadukou-health-cluster",
    "/id/quote/a001-017",
    "/id/doc/a001",
    "/resource?iri=" + quote("https://w3id.org/chainkg/ontology#Company", safe=""),
    "/graph/chain/ivd-chain",
    "/graph/district/dadukou",
    "/graph/park/tianan-cyberpark",
    "/graph/suppliers",
    "/graph/suppliers/dadukou",
    "/graph/ego/hikvision?radius=2",
    "/sparql",
    "/id/no-such-thing",
]


class Links(HTMLParser):
    """Every src and href of a page, and its <html lang>."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        self.urls += [value for name, value in attrs if name in ("src", "href") and value is not None]


def get(app, path: str, accept: str = BROWSER_ACCEPT, **kwargs) -> httpx.Response:
    return app.get(path, headers={"Accept": accept}, **kwargs)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_chinese_first_and_stays_on_the_site(app, path):
    response = get(app, path)
    assert response.status_code == (404 if "no-such-thing" in path else 200)
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    links = Links()
    links.feed(response.text)
    assert links.lang == "zh"
    outside = [u for u in links.urls if urlparse(u).scheme or u.startswith("//")]
    assert not outside, f"{path} links off the site: {outside}"


@pytest.mark.parametrize("path, accept, media_type", [
    ("/id/zhongyuan-huiji", BROWSER_ACCEPT, "text/html"),
    ("/id/zhongyuan-huiji", "*/*", "text/html"),
    ("/id/zhongyuan-huiji", "text/turtle", "text/turtle"),
    ("/id/zhongyuan-huiji", "application/ld+json", "application/ld+json"),
    ("/id/zhongyuan-huiji", "text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("/id/zhongyuan-huiji.ttl", BROWSER_ACCEPT, "text/turtle"),
    ("/id/zhongyuan-huiji.jsonld", BROWSER_ACCEPT, "application/ld+json"),
    ("/id/zhongyuan-huiji?format=ttl", BROWSER_ACCEPT, "text/turtle"),
    ("/id/quote/a001-017.ttl", "*/*", "text/turtle"),
    ("/resource?iri=" + quote("https://w3id.org/chainkg/ontology#Company", safe="") + "&format=jsonld", "*/*",
     "application/ld+json"),
])
def test_entities_are_linked_data(app, path, accept, media_type):
    response = get(app, path, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    assert 'rel="alternate"' in response.headers["link"]


@pytest.mark.parametrize("suffix, syntax", [(".ttl", ox.RdfFormat.TURTLE), (".jsonld", ox.RdfFormat.JSON_LD)])
def test_the_data_twin_says_what_the_page_says(app, suffix, syntax):
    body = get(app, "/id/zhongyuan-huiji" + suffix).content
    names = {q.object.value for q in ox.parse(body, format=syntax)
             if q.predicate.value == "http://www.w3.org/2004/02/skos/core#prefLabel"}
    assert names == {"中元汇吉", "中元匯吉", "Zybio"}


def test_nothing_acceptable_is_a_406(app):
    response = get(app, "/id/zhongyuan-huiji", "application/rdf+xml")
    assert response.status_code == 406
    assert "text/turtle" in response.text


@pytest.mark.parametrize("accept, media_type", [(BROWSER_ACCEPT, "text/html"), ("application/json", "application/json"),
                                                ("text/plain", "application/json")])
def test_unknown_entities_are_404s_in_the_clients_terms(app, accept, media_type):
    response = get(app, "/id/no-such-thing", accept)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(media_type)
    if media_type == "application/json":
        assert response.json()["error"] == "not-found"


@pytest.mark.parametrize("typed, page", [
    ("中元匯吉", "/id/zhongyuan-huiji"),
    ("中元生物", "/id/zhongyuan-huiji"),
    ("Hikvision", "/id/hikvision"),
    ("海康威視", "/id/hikvision"),
])
def test_a_search_for_one_exact_name_lands_on_its_page(app, typed, page):
    response = get(app, "/search?q=" + quote(typed))
    assert response.status_code == 303
    assert response.headers["location"] == page


def test_search_lists_results_and_has_a_json_twin(app):
    listed = get(app, "/search?q=" + quote("海康威视重庆"))
    assert listed.status_code == 200 and "海康威视重庆科技园" in listed.text and "海康威视重庆科技园智能仓储区" in listed.text
    data = get(app, "/search?q=" + quote("中元匯吉") + "&format=json").json()
    assert data["results"][0]["label_zh"] == "中元汇吉" and data["results"][0]["href"] == "/id/zhongyuan-huiji"


def test_ivd_lists_the_industry_and_the_chain_instead_of_jumping(app):
    listed = get(app, "/search?q=IVD")
    assert listed.status_code == 200
    assert 'href="/id/ivd-industry"' in listed.text and 'href="/id/ivd-chain"' in listed.text


def test_search_json_says_how_many_of_each_family_and_district(app):
    data = get(app, "/search?q=" + quote("园区") + "&format=json").json()
    assert data["families"]["IndustrialPark"] >= 20 and data["districts"]["dadukou"] > 0
    narrowed = get(app, "/search?q=" + quote("园区") + "&kind=IndustrialPark&district=banan&format=json").json()
    assert narrowed["total"] == len(narrowed["results"]) > 0
    assert all(r["family"] == "IndustrialPark" and "https://w3id.org/chainkg/id/banan" in r["districts"]
               for r in narrowed["results"])


def test_suggestions_while_typing(app):
    results = get(app, "/search/suggest?q=" + quote("中元"), "application/json").json()["results"]
    assert 0 < len(results) <= 8
    assert results[0]["label_zh"] == "中元汇吉" and results[0]["href"] == "/id/zhongyuan-huiji"
    assert get(app, "/search/suggest?q=", "application/json").json()["results"] == []


def test_graph_pages_have_a_json_twin_with_the_leader(app):
    data = get(app, "/graph/chain/ivd-chain?format=json").json()
    leaders = [n for n in data["nodes"] if "chain-leader" in n["roles"]]
    assert [n["label_zh"] for n in leaders] == ["中元汇吉"]
    assert data["shown"] == data["total"] == len(data["nodes"])


@pytest.mark.parametrize("path", ["/graph/chain/ivd-chain", "/graph/district/dadukou", "/graph/park/tianan-cyberpark",
                                  "/graph/ego/hikvision?radius=2", "/graph/suppliers/hikvision"])
def test_every_drawn_link_cites_where_it_is_stated(app, path):
    edges = get(app, path + ("&" if "?" in path else "?") + "format=json").json()["edges"]
    assert edges and all(edge["sources"] for edge in edges)
    assert all((s["quote"] and s["title"] and s["date"]) or s["note"] for edge in edges for s in edge["sources"])


def test_a_link_cites_the_sentences_that_state_it_latest_first(app):
    edges = get(app, "/graph/ego/hikvision?format=json").json()["edges"]
    (leads,) = [e for e in edges if e["to"].endswith("/id/smart-vision-chain") and e["relation"] == "leadingEnterpriseOf"]
    dates = [s["date"] for s in leads["sources"]]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 2
    assert all("海康" in s["quote"] for s in leads["sources"])


def test_the_node_cap_says_what_it_left_out_and_offers_more(app):
    data = get(app, "/graph/park/tianan-cyberpark?format=json&limit=10").json()
    assert data["shown"] == 10 and sum(data["left_out"].values()) == data["total"] - 10
    page = get(app, "/graph/park/tianan-cyberpark?limit=10").text
    assert "limit=" in page and "显示更多" in page


@pytest.mark.parametrize("path, status", [
    ("/graph/chain/no-such-chain", 404),
    ("/graph/chain/dadukou", 404),        # a district is not a chain
    ("/graph/nonsense/ivd-chain", 404),
    ("/graph/ego/hikvision?radius=9", 400),
])
def test_graph_pages_refuse_what_they_cannot_draw(app, path, status):
    assert get(app, path).status_code == status


def test_the_sparql_ui_has_the_prefixes_and_the_examples(app):
    page = get(app, "/sparql").text
    links = Links()
    links.feed(page)
    assert "/static/yasgui-4.6.2/yasgui.min.js" in links.urls
    config = json.loads(page.split('<script type="application/json" id="sparql-config">', 1)[1].split("</script>", 1)[0])
    assert config["endpoint"] == "/sparql" and len(config["examples"]) >= 12
    assert all(e["text"].startswith("PREFIX ck: <https://w3id.org/chainkg/ontology#>") for e in config["examples"])
    assert all(e["link"].startswith("#query=") for e in config["examples"]), "each example has a shareable link"


@pytest.mark.parametrize("path, media_type", [
    ("/static/vis-network-9.1.2/vis-network.min.js", "text/javascript"),
    ("/static/vis-network-9.1.2/vis-network.css", "text/css"),
    ("/static/yasgui-4.6.2/yasgui.min.js", "text/javascript"),
    ("/static/yasgui-4.6.2/yasgui.min.css", "text/css"),
    ("/static/chainkg-0.1.0/chainkg.css", "text/css"),
    ("/static/chainkg-0.1.0/graph.js", "text/javascript"),
])
def test_assets_are_served_from_versioned_paths(app, path, media_type):
    response = app.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)


def raw_get(server: str, path: str) -> tuple[int, bytes]:
    """A GET with the path exactly as written (HTTP clients would normalise the dots away)."""
    address = urlparse(server)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize("path", [
    "/static/chainkg-0.1.0/../../../graph/settings.py",
    "/static/chainkg-0.1.0/%2e%2e/%2e%2e/%2e%2e/graph/settings.py",
    "/static/chainkg-0.1.0/..%2f..%2f..%2fgraph%2fsettings.py",
    "/static/yasgui-4.6.2/../package.json",
    "/static/vis-network-9.1.2/../../../network.py",
    "/static/chainkg-0.1.0//etc/passwd",
    "/static/chainkg-0.1.0/%2fetc%2fpasswd",
])
def test_static_routes_refuse_path_traversal(server, path):
    status, body = raw_get(server, path)
    assert status in (400, 404)
    assert b"class Settings" not in body and b"root:" not in body and b'"name"' not in body


@pytest.mark.parametrize(("path", "shown"), [
    ("/id/jianqiao-industrial-park", "> 400"), ("/id/tianan-precision-medicine-cluster", "≈ 30"),
    ("/id/polycomp", "top 3"), ("/id/ivd-chain", "≥ 66.7"),
])
def test_statistics_tables_show_the_qualifier_with_the_value(app, path, shown):
    """A figure printed as 400余家 reads "> 400" in the table, with the qualifier's name on hover (issue 13)."""
    response = get(app, path)
    assert response.status_code == 200
    cells = re.findall(r'<td class="num">(.*?)</td>', response.text)
    assert any(html.unescape(re.sub(r"<[^>]+>", "", cell)) == shown for cell in cells), cells


@pytest.mark.parametrize(("path", "text"), [
    ("/id/ivd-chain", "上市公司在区注册的企业"),  # what the figure counts, in the row
    ("/id/polycomp", "按生产规模"),
    ("/id/dadukou-bigdata-cluster", "2023?"),  # an inferred year
    ("/id/dadukou", "2022年度"),  # the year an award is for
    ("/id/zhongyuan-huiji", "原文误写"),  # the caption's misprint, marked as such
    ("/id/dadukou", "位于此地的"),  # an incoming link in its own direction
])
def test_pages_say_what_figures_count_and_how_sure_their_dates_are(app, path, text):
    response = get(app, path)
    assert response.status_code == 200 and html.escape(text) in response.text


@pytest.mark.parametrize(("path", "sentence"), [
    # a004's list of display firms backs plain facts and, separately, a curators' reading of the same words
    ("/chains/display-chain/map", "围绕“芯屏器核网”全产业链"),
    ("/id/hikvision", "园区先后吸引400余家企业入驻"),
])
def test_a_sentence_is_printed_once_among_the_sources_and_refers_back_after(app, path, sentence):
    """Two footnotes on one sentence (one with the curators' reading) print it once; the second says which it is."""
    page = get(app, path).text
    footnotes = page[page.index('id="src-1"'):]
    printed = re.findall(r"<(?:q class=\"quote\"|blockquote)>([^<]*)<", footnotes)
    assert len([text for text in printed if html.unescape(text).startswith(sentence)]) == 1
    assert "条原句" in footnotes and "编者解读" in footnotes  # the reading stays, under the back-reference
