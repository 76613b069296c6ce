"""Rendering (viz/): graph views as vis-network data with a node cap that reports what it left out, charts as
geometry, links that stay on the site, and templates that escape everything they are given."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from chainkg.graph import views
from chainkg.graph.entity import Link, Point, Series
from chainkg.graph.labels import Label
from chainkg.viz import chart, network
from chainkg.viz.assets import assets
from chainkg.viz.html import Site

BASE = "https://w3id.org/chainkg/"
HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(BASE)


@pytest.fixture(scope="module")
def ivd(shipped_kg) -> views.View:
    return views.chain_view(shipped_kg, shipped_kg.settings.base_iri + "id/ivd-chain")


def star(size: int) -> nx.DiGraph:
    graph = nx.DiGraph([("hub", f"n{i}") for i in range(size)])
    for node in graph:
        graph.nodes[node].update(label_zh=node, label_en=node, kind="Company", roles=[])
    return graph


def test_every_node_keeps_its_page_kind_and_names(ivd, site):
    data = network.network(ivd.graph, focus=ivd.focus, limit=1000, href=site.href, kind_labels={})
    assert data.shown == data.total == ivd.graph.number_of_nodes() and not data.left_out
    assert all(n["href"].startswith("/id/") for n in data.nodes)
    assert len(data.edges) == ivd.graph.number_of_edges()
    assert all(e["label"] for e in data.edges), "every edge is labelled"


def test_chain_leaders_stand_out(ivd, site):
    data = network.network(ivd.graph, focus=ivd.focus, limit=1000, href=site.href, kind_labels={})
    leader = next(n for n in data.nodes if "chain-leader" in n["roles"])
    others = [n for n in data.nodes if "chain-leader" not in n["roles"]]
    assert leader["label_zh"] == "中元汇吉" and leader["label"].startswith("★")
    assert leader["size"] > max(n["size"] for n in others)
    assert leader["color"]["border"] == network.LEADER_BORDER


def test_the_cap_keeps_focus_and_leaders_and_reports_the_rest(ivd, site):
    data = network.network(ivd.graph, focus=ivd.focus, limit=3, href=site.href, kind_labels={})
    kept = [n["id"] for n in data.nodes]
    assert kept[0] == ivd.focus and any("chain-leader" in n["roles"] for n in data.nodes)
    assert data.shown == 3 and data.left_out_count == ivd.graph.number_of_nodes() - 3
    assert data.next_limit > 3
    assert all(e["from"] in kept and e["to"] in kept for e in data.edges)


def test_the_same_graph_in_another_order_draws_the_same_picture(ivd, site):
    """vis-network lays out by input order (with a fixed seed): edges that came in query order moved the picture."""
    shuffled = nx.DiGraph()
    shuffled.add_nodes_from(ivd.graph.nodes(data=True))
    shuffled.add_edges_from(reversed(list(ivd.graph.edges(data=True))))
    drawn = [network.network(g, focus=ivd.focus, limit=300, href=site.href, kind_labels={}) for g in (ivd.graph, shuffled)]
    assert ivd.graph.number_of_edges() > 2 and drawn[0].edges == drawn[1].edges


def test_the_cap_does_not_touch_the_view(site):
    graph = star(50)
    network.network(graph, focus="hub", limit=5, href=site.href, kind_labels={})
    assert graph.number_of_nodes() == 51


@pytest.mark.parametrize("kind, family, shape", [
    ("Company", "company", "dot"), ("IndustryChain", "chain", "hexagon"), ("ChainSegment", "segment", "box"),
    ("IndustryCluster", "cluster", "triangle"), ("District", "area", "square"), ("IndustrialPark", "carrier", "triangleDown"),
    ("Whatever", "other", "dot"),
])
def test_colour_and_shape_by_class(kind, family, shape):
    style = network.style_of(kind)
    assert (style.family, style.shape) == (family, shape)


def test_legend_lists_the_classes_drawn(ivd, site):
    data = network.network(ivd.graph, focus=ivd.focus, limit=1000, href=site.href,
                           kind_labels={"Company": Label("企业", "company")})
    legend = {e.kind: e for e in data.legend}
    assert legend["Company"].label == Label("企业", "company") and legend["Company"].shown == 10
    assert "ChainSegment" in legend and "IndustryChain" in legend


def test_physics_settles(ivd, site):
    options = network.network(ivd.graph, focus=ivd.focus, limit=1000, href=site.href, kind_labels={}).options
    assert options["physics"]["enabled"] and options["physics"]["stabilization"]["enabled"]
    assert options["physics"]["stabilization"]["iterations"] > 0


@pytest.mark.parametrize("iri, page", [
    (BASE + "id/zhongyuan-huiji", "/id/zhongyuan-huiji"),
    (BASE + "id/quote/a001-017", "/id/quote/a001-017"),
    ("https://w3id.org/chainkg/ontology#Company", "/resource?iri=https%3A%2F%2Fw3id.org%2Fchainkg%2Fontology%23Company"),
    ("javascript:alert(1)", "/resource?iri=javascript%3Aalert%281%29"),
    ("https://example.org/<x>", "/resource?iri=https%3A%2F%2Fexample.org%2F%3Cx%3E"),
])
def test_links_stay_on_the_site(site, iri, page):
    assert site.href(iri) == page


def test_charts_scale_bars_and_mark_planned_figures():
    series = Series(Link("m", Label("营业收入")), Link("u", Label("亿元")), (
        Point(2020, 55.0, "55", None, None, True, True),
        Point(2023, -20.0, "-20", None, None, True, True),
        Point(2027, 300.0, "300", Label("目标"), Label("目标年"), False, True),
    ))
    drawn = chart.bar_chart(series)
    heights = [b.height for b in drawn.bars]
    assert heights[2] > heights[0] > 0
    assert drawn.bars[1].y >= drawn.zero_y - 0.5, "a negative bar hangs below the zero line"
    assert [b.actual for b in drawn.bars] == [True, True, False] and drawn.bars[2].note == "目标 · 目标年"


def test_graph_json_cannot_break_out_of_its_script(site, ivd):
    graph = ivd.graph.copy()
    graph.nodes[ivd.focus]["label_zh"] = HOSTILE
    data = network.network(graph, focus=ivd.focus, limit=1000, href=site.href, kind_labels={})
    html = site.render("graph.html", title_zh=HOSTILE, title_en=HOSTILE, data=data, focus=None, more_href=None)
    assert "<script>alert" not in html and "<img src=x" not in html
    block = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["nodes"][0]["label_zh"] == HOSTILE


def test_templates_load_only_site_assets(site):
    for template in site.env.list_templates():
        source = site.env.loader.get_source(site.env, template)[0]
        assert not re.search(r'(src|href)\s*=\s*"https?:', source), template


def test_assets_are_served_under_their_versions():
    found = assets()
    assert found["vis"].mount == "vis-network-9.1.2" and (found["vis"].directory / "vis-network.min.js").is_file()
    assert found["yasgui"].mount == "yasgui-4.6.2" and (found["yasgui"].directory / "yasgui.min.js").is_file(), \
        "YASGUI is installed by `make install` (npm ci in viz/assets)"
    assert (found["site"].directory / "chainkg.css").is_file()


def test_a_sentence_quoted_again_points_back_to_its_first_footnote(site):
    """Both source lists (the chain pages' macro and the entity page's) number a repeated sentence by its first
    footnote instead of quoting it twice; a note and the same words from another article are not repeats."""
    from chainkg.graph.entity import Source
    from chainkg.graph.evidence import Evidence

    said = [Evidence("g1", "quote", quote="句子", article="https://a/1"), Evidence("g2", "note", note="注"),
            Evidence("g3", "quote", quote="句子", article="https://a/1"), Evidence("g4", "quote", quote="句子", article="https://a/2")]
    chain_list = site.env.from_string('{% import "macros.html" as m %}{{ m.source_list(sources) }}').render(sources=said)
    assert re.findall(r'<li id="src-(\d)"><span class="same-as">同第 <a href="#src-(\d)">', chain_list) == [("3", "1")]
    assert chain_list.count("<q class=\"quote\">句子</q>") == 2

    article = Link("https://a/1", Label("文章", None))
    sources = [Source(7, "g1", "quote", text="句子", article=article), Source(8, "g2", "quote", text="句子", article=article),
               Source(9, "g3", "quote", text="句子")]
    assert [same for _, same in site.env.globals["same_sentence"](sources)] == [None, 7, None]


def test_the_query_ui_scripts_share_one_element_helper():
    """result-views.js and sparql.js build their text-only elements with one el(), result-views.js's."""
    from pathlib import Path

    static = Path(__file__).resolve().parent.parent / "viz" / "static"
    defined = {p.name: len(re.findall(r"function el\(", p.read_text())) for p in (static / "result-views.js", static / "sparql.js")}
    assert defined == {"result-views.js": 1, "sparql.js": 0}
    assert "window.chainkgResultViews.el" in (static / "sparql.js").read_text()
