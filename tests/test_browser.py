"""The explorer in a real browser (Debian chromium through Playwright) against `chainkg serve`: what a person does —
search, read, look at a graph, click through, query — works, nothing is fetched from outside the site, and names
that are markup stay text on every kind of page. Screenshots of the main pages go to test-artifacts/."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import HOSTILE, HOSTILE_NAME, Visitor

pytestmark = pytest.mark.browser

SCRIPT_TEXT = "<script>window.__pwned=1</script>"


def wait_for_graph(visitor: Visitor) -> None:
    visitor.page.wait_for_function("() => window.chainkgGraph && window.chainkgGraph.stabilized", timeout=30_000)


def node_position(visitor: Visitor, node_id: str) -> tuple[float, float]:
    """Where a node of the graph is drawn, in page coordinates."""
    position = visitor.page.evaluate(
        "(id) => { const g = window.chainkgGraph; return g.network.canvasToDOM(g.network.getPositions([id])[id]); }",
        node_id)
    box = visitor.page.locator("#network").bounding_box()
    return box["x"] + position["x"], box["y"] + position["y"]


def nodes_where(visitor: Visitor, condition: str) -> list[dict]:
    return visitor.page.evaluate(
        f"() => window.chainkgGraph.nodes.get({{filter: n => {condition}}})"
        ".map(n => ({id: n.id, label_zh: n.label_zh, kind: n.kind, hidden: !!n.hidden}))")


def run_query(visitor: Visitor, query: str | None = None) -> None:
    """Run the current tab's query (or this one) in YASGUI and wait for the result table."""
    page = visitor.page
    page.wait_for_function("() => window.chainkgYasgui !== undefined")
    if query is not None:
        page.evaluate("(q) => { window.chainkgYasgui.getTab().setQuery(q); }", query)
    page.locator(".yasqe_queryButton").click()
    page.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)


# ---------------------------------------------------------------------------------------------------- people's paths
def test_home_shows_districts_clusters_chains_and_leaders(visitor):
    visitor.goto("/")
    page = visitor.page
    assert page.locator("html").get_attribute("lang") == "zh"
    leaders = page.locator("section.leaders tr.is-leader")
    assert "中元汇吉" in leaders.first.inner_text() and "体外诊断（IVD）产业链" in leaders.first.inner_text()
    districts = page.locator("article.district h3").all_inner_texts()
    assert any("大渡口区" in d for d in districts) and any("巴南区" in d for d in districts)
    assert page.locator(f"a[href='/sparql']").count() >= 1 and page.locator("a[href='/docs']").count() >= 1
    visitor.screenshot("home")


def test_searching_the_traditional_name_lands_on_the_entity(visitor):
    visitor.goto("/")
    box = visitor.page.locator(".bigsearch input")
    box.fill("中元匯吉")
    box.press("Enter")
    visitor.page.wait_for_url("**/id/zhongyuan-huiji")
    assert visitor.page.locator("h1.title .zh").inner_text() == "中元汇吉"
    assert visitor.page.locator("h1.title .en").inner_text() == "Zybio"
    visitor.screenshot("entity-zhongyuan-huiji")


@pytest.mark.parametrize("typed, shown, page", [
    ("中元生物", "中元汇吉", "/id/zhongyuan-huiji"),
    ("Hikvision", "海康威视", "/id/hikvision"),
])
def test_suggestions_while_typing_lead_to_the_entity(visitor, typed, shown, page):
    visitor.goto("/")
    visitor.page.locator(".topsearch input").press_sequentially(typed, delay=60)
    first = visitor.page.locator(".topsearch .suggestions li").first
    first.wait_for()
    assert first.locator(".zh").inner_text() == shown
    if typed == "中元生物":
        visitor.screenshot("search-suggestions", full_page=False)
    first.click()
    visitor.page.wait_for_url("**" + page)


def test_the_ivd_chain_graph_marks_its_leader_and_a_click_opens_its_page(visitor):
    visitor.goto("/graph/chain/ivd-chain")
    wait_for_graph(visitor)
    leaders = nodes_where(visitor, "n.roles.includes('chain-leader')")
    assert [n["label_zh"] for n in leaders] == ["中元汇吉"]
    x, y = node_position(visitor, leaders[0]["id"])
    visitor.page.mouse.move(x, y)
    tooltip = visitor.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert "中元汇吉" in tooltip.inner_text() and "链主" in tooltip.inner_text()
    visitor.screenshot("graph-ivd-chain", full_page=False)
    visitor.page.mouse.click(x, y)
    visitor.page.wait_for_url("**/id/zhongyuan-huiji")
    assert "中元汇吉" in visitor.page.locator("h1.title").inner_text()


def test_graph_filters_by_class_and_physics_can_be_frozen(visitor):
    visitor.goto("/graph/chain/ivd-chain")
    wait_for_graph(visitor)
    toggle = visitor.page.locator("#physics-toggle")
    assert toggle.get_attribute("aria-pressed") == "true", "the layout freezes once it has settled"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    visitor.page.locator("#legend input[data-kind='Company']").uncheck()
    companies = nodes_where(visitor, "n.kind === 'Company'")
    assert companies and all(n["hidden"] for n in companies)
    # places start hidden in a chain view (issue 18); everything else stays
    others = nodes_where(visitor, "n.kind !== 'Company' && !['area', 'carrier'].includes(n.family)")
    assert others and not any(n["hidden"] for n in others)


def test_the_node_cap_says_what_it_left_out_and_shows_more_on_request(visitor):
    visitor.goto("/graph/park/tianan-cyberpark?limit=10")
    note = visitor.page.locator(".cap-note").inner_text()
    assert "显示 10 /" in note and "未显示" in note
    wait_for_graph(visitor)
    assert len(nodes_where(visitor, "true")) == 10
    more = visitor.page.locator("#show-more")
    target = more.get_attribute("href")
    more.click()
    visitor.page.wait_for_url("**" + target)
    wait_for_graph(visitor)
    assert len(nodes_where(visitor, "true")) > 10


def test_an_entity_page_charts_its_figures_and_cites_every_fact(visitor):
    visitor.goto("/id/dadukou-health-cluster")
    page = visitor.page
    chart = page.locator("figure.chart").first
    assert "营业收入" in chart.locator("figcaption").inner_text()
    assert chart.locator("rect").count() == 4
    page.locator("table.props sup.cite a").first.click()
    target = page.locator(".source:target")
    assert target.count() == 1 and target.inner_text().strip()
    visitor.screenshot("entity-cluster")


def test_figures_read_as_bounds_in_the_table_and_the_chart(visitor):
    """超200家 reads "> 200" in the statistics table, with the qualifier named on hover, and a revenue above 10
    billion (营收超百亿) stands as "> 100" over its bar (issue 13)."""
    visitor.goto("/id/dadukou-bigdata-cluster")
    page = visitor.page
    cells = [text.strip() for text in page.locator("table.stats td.num").all_inner_texts()]
    assert "> 200" in cells and "124.2" in cells
    assert "超过" in page.locator("table.stats abbr.qualifier").first.get_attribute("title")
    assert "> 100" in page.locator("figure.chart text.value").all_text_contents()
    visitor.goto("/id/polycomp")
    assert "top 3" in [t.strip() for t in page.locator("table.stats td.num").all_inner_texts()]
    visitor.screenshot("entity-qualifiers")


def test_a_statistics_row_says_what_it_counts_and_whether_its_year_is_inferred(visitor):
    visitor.goto("/id/ivd-chain")
    page = visitor.page
    rows = [row.inner_text() for row in page.locator("table.stats tbody tr").all()]
    assert any("上市公司在区注册的企业" in r and "16" in r for r in rows)
    assert any("引进的上市公司" in r and "10" in r for r in rows)
    visitor.goto("/id/dadukou-bigdata-cluster")
    assert "2023?" in [t.strip() for t in page.locator("table.stats td").all_inner_texts()]
    assert "2023?" in page.locator("figure.chart text.year").all_text_contents() or page.locator("p.note").count() == 1
    assert page.locator("table.stats abbr.inferred").first.get_attribute("title")
    visitor.screenshot("entity-scope-and-years")


def test_the_sparql_ui_runs_an_example_and_shows_the_table(visitor):
    visitor.goto("/sparql")
    visitor.page.locator("button.example").first.click()
    run_query(visitor)
    table = visitor.page.locator(".yasr table tbody").inner_text()
    assert "中元汇吉" in table and "体外诊断（IVD）产业链" in table
    visitor.screenshot("sparql", full_page=False)


def test_a_shared_query_link_opens_the_query(visitor):
    visitor.goto("/sparql")
    link = visitor.page.locator(".example-list a.share").nth(4).get_attribute("href")
    visitor.goto("/")
    visitor.goto("/sparql" + link)
    visitor.page.wait_for_function("() => window.chainkgYasgui !== undefined")
    assert "oa:exact" in visitor.page.evaluate("window.chainkgYasgui.getTab().getQuery()")


def test_no_request_leaves_localhost(visitor):
    for path in ["/", "/search?q=" + quote("天安数码") + "&all=1", "/id/hikvision", "/id/dadukou-health-cluster",
                 "/graph/chain/ivd-chain", "/graph/ego/hikvision", "/graph/district/dadukou"]:
        visitor.goto(path)
        visitor.page.wait_for_load_state("networkidle")
    visitor.page.locator(".topsearch input").press_sequentially("海康", delay=50)
    visitor.page.locator(".topsearch .suggestions li").first.wait_for()
    visitor.goto("/sparql")
    visitor.page.locator("button.example").nth(2).click()
    run_query(visitor)
    editor = visitor.page.locator(".CodeMirror").first
    editor.click()
    visitor.page.keyboard.press("Control+End")
    visitor.page.keyboard.type("\n# ?s rdfs:sub skos:Con\nSELECT * WHERE { ?s rdfs:", delay=30)
    visitor.page.keyboard.press("Control+Space")
    visitor.page.wait_for_timeout(1000)
    assert visitor.requests, "the tour made requests"
    assert visitor.outside() == []


def test_the_query_editor_asks_no_vocabulary_service(browser, server):
    """With the page's Content-Security-Policy bypassed, so that YASGUI's own configuration is what is tested:
    completing a prefixed name would ask lov.linkeddata.es if the LOV completers were on."""
    visitor = Visitor(browser, server, bypass_csp=True)
    try:
        visitor.goto("/sparql")
        page = visitor.page
        page.wait_for_function("() => window.chainkgYasgui !== undefined")
        assert page.evaluate("() => window.chainkgYasgui.getTab().getYasqe().config.autocompleters") == ["variables", "prefixes"]
        page.evaluate("""() => { const y = window.chainkgYasgui.getTab().getYasqe();
            y.setValue('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\\nSELECT * WHERE { ?s rdfs:sub');
            y.focus(); y.getDoc().setCursor({line: 1, ch: 30}); }""")
        page.keyboard.press("Control+Space")
        page.keyboard.type("Cl", delay=80)
        page.keyboard.press("Control+Space")
        page.wait_for_timeout(1000)
        assert visitor.outside() == []
    finally:
        visitor.context.close()


# ---------------------------------------------------------------------------------------------------- hostile names
HOSTILE_PAGES = [
    "/",
    "/search?q=" + quote("恶意企业") + "&all=1",
    "/id/hostile-firm",
    "/id/ivd-chain",
    "/id/quote/hostile-1",
    "/id/doc/hostile",
    "/id/event/hostile-1",
    "/graph/chain/ivd-chain",
    "/graph/park/tianan-cyberpark",
    "/graph/district/dadukou",
    "/graph/suppliers",
    "/graph/ego/hostile-firm",
]


def assert_markup_stayed_text(visitor: Visitor, text: str = SCRIPT_TEXT) -> None:
    page = visitor.page
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[onerror]").count() == 0
    code = page.evaluate("[...document.scripts].filter(s => !s.type || /javascript/.test(s.type)).map(s => s.text)")
    assert not any("__pwned" in c for c in code)
    assert text in page.locator("body").inner_text()


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_a_name_that_is_markup_shows_as_text(hostile_visitor, path):
    hostile_visitor.goto(path)
    assert_markup_stayed_text(hostile_visitor)
    if path == "/id/hostile-firm":
        hostile_visitor.screenshot("hostile-entity")


def test_markup_in_a_graph_tooltip_stays_text(hostile_visitor):
    hostile_visitor.goto("/graph/chain/ivd-chain")
    wait_for_graph(hostile_visitor)
    hostile = nodes_where(hostile_visitor, f"n.label_zh === {HOSTILE_NAME!r}")
    assert len(hostile) == 1
    hostile_visitor.page.mouse.move(*node_position(hostile_visitor, hostile[0]["id"]))
    tooltip = hostile_visitor.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert HOSTILE_NAME in tooltip.inner_text()
    assert_markup_stayed_text(hostile_visitor)


def test_markup_in_suggestions_stays_text(hostile_visitor):
    hostile_visitor.goto("/")
    hostile_visitor.page.locator(".topsearch input").press_sequentially("恶意", delay=60)
    suggestion = hostile_visitor.page.locator(".topsearch .suggestions li").first
    suggestion.wait_for()
    assert HOSTILE_NAME in suggestion.inner_text()
    assert_markup_stayed_text(hostile_visitor)


def test_markup_in_query_results_stays_text(hostile_visitor):
    hostile_visitor.goto("/sparql")
    run_query(hostile_visitor, "SELECT ?name WHERE { <https://w3id.org/chainkg/id/hostile-firm> "
                               "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name }")
    assert HOSTILE in hostile_visitor.page.locator(".yasr table tbody").inner_text()
    assert_markup_stayed_text(hostile_visitor)


def test_markup_in_a_missing_address_stays_text(hostile_visitor):
    response = hostile_visitor.page.goto("/id/" + quote("<script>window.__pwned=1</script>"))
    assert response.status == 404
    assert_markup_stayed_text(hostile_visitor)


def test_the_api_docs_render_from_our_own_swagger_ui(visitor):
    visitor.goto("/docs")
    visitor.page.locator(".swagger-ui .opblock-summary-path", has_text="/sparql").first.wait_for()
    visitor.page.wait_for_load_state("networkidle")
    visitor.screenshot("api-docs", full_page=False)
    assert visitor.outside() == []
