"""The explorer for everyday use (issue 18) in a real browser (Debian chromium through Playwright) against
`chainkg serve` on the shipped graph, at desktop and 390 px phone width: search by pinyin, initials, kind and role
words, grouped and filtered results. Nothing is fetched from any host but the service; screenshots go to
test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.conftest import HOSTILE_NAME, PHONE, Visitor, no_sideways_scroll
from tests.test_browser import assert_markup_stayed_text

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
WIDTHS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


@pytest.fixture(params=WIDTHS)
def visitor_at(request, browser, server):
    """A fresh tab on the shipped-graph server at each width."""
    visiting = Visitor(browser, server)
    visiting.page.set_viewport_size(request.param)
    visiting.width = request.param["width"]
    yield visiting
    assert visiting.outside() == []
    visiting.context.close()


def suggestion_names(visitor: Visitor, typed: str, first: str | None = None) -> list[str]:
    """The suggestions once there are some, or once `first` leads them: the list of a shorter prefix typed on the way
    ("zhong" for "zhongyuan") may be shown first (seen in a parallel run of the suite)."""
    box = visitor.page.locator(".topsearch input")
    box.press_sequentially(typed, delay=40)
    names = visitor.page.locator(".topsearch .suggestions li .zh")
    if first is None:
        names.first.wait_for()
    else:
        expect(names.first).to_have_text(first)  # fails, after 5 s, saying what leads instead
    return names.all_inner_texts()


# ---------------------------------------------------------------------------------------------------- search
@pytest.mark.parametrize("typed, shown", [("zyhj", "中元汇吉"), ("hkws", "海康威视"), ("zhongyuan", "中元汇吉")])
def test_pinyin_and_initials_are_suggested_while_typing(visitor_at, typed, shown):
    visitor_at.goto("/")
    assert suggestion_names(visitor_at, typed, first=shown)[0] == shown
    visitor_at.page.keyboard.press("ArrowDown")
    visitor_at.page.keyboard.press("Enter")
    visitor_at.page.wait_for_url("**/id/*")
    assert visitor_at.page.locator("h1.title .zh").inner_text() == shown


def test_zhongyuan_huiji_in_words_lists_the_firm_first(visitor_at):
    visitor_at.goto("/search?q=" + quote("zhongyuan huiji"))
    first = visitor_at.page.locator(".result-group").first
    assert first.locator(".result-name .zh").first.inner_text() == "中元汇吉"
    assert first.locator(".matched", has_text="拼音").count() >= 1
    assert no_sideways_scroll(visitor_at)


def test_ivd_offers_the_chain_as_well_as_the_industry(visitor_at):
    visitor_at.goto("/search?q=IVD")
    groups = visitor_at.page.locator(".result-group").evaluate_all("els => els.map(e => e.dataset.family)")
    assert groups[0] == "Industry" and "IndustryChain" in groups[:3]
    assert no_sideways_scroll(visitor_at)
    visitor_at.page.locator(".result-group[data-family=IndustryChain] a.result-name").first.click()
    visitor_at.page.wait_for_url("**/id/ivd-chain")


def test_a_role_word_lists_the_chain_leaders_with_their_chains(visitor_at):
    visitor_at.goto("/search?q=" + quote("链主"))
    rows = visitor_at.page.locator(".result").all_inner_texts()
    zybio = next(r for r in rows if "中元汇吉" in r)
    assert "链主" in zybio and "体外诊断（IVD）产业链" in zybio
    visitor_at.screenshot(f"search-chain-leaders-{visitor_at.width}px")


def test_parks_are_filtered_by_district_with_a_click(visitor_at):
    page = visitor_at.page
    visitor_at.goto("/search?q=" + quote("园区"))
    assert page.locator(".result-group").first.get_attribute("data-family") == "IndustrialPark"
    page.locator(".facet a[data-family=IndustrialPark]").click()
    page.locator(".facet a[data-district=banan]").click()
    page.wait_for_url("**district=banan**")
    names = page.locator(".result .result-name .zh").all_inner_texts()
    assert names and "巴南经济园区" in names and "重庆天安数码城" not in names
    assert page.locator(".result-group").evaluate_all("els => els.map(e => e.dataset.family)") == ["IndustrialPark"]
    assert no_sideways_scroll(visitor_at)
    visitor_at.screenshot(f"search-parks-banan-{visitor_at.width}px")


# ---------------------------------------------------------------------------------------------------- a phone
EVERY_PAGE_KIND = [
    "/", "/search?q=IVD", "/id/hikvision", "/id/dadukou", "/id/ivd-chain", "/id/doc/a001", "/id/quote/a001-017",
    "/graph/chain/ivd-chain", "/graph/ego/hikvision?radius=2", "/graph/suppliers", "/graph/district/dadukou",
    "/sparql", "/docs", "/chains/ivd-chain/map", "/anchors", "/gaps/dadukou", "/ingest", "/id/no-such-thing",
    "/browse", "/browse/companies?district=dadukou", "/browse/events", "/id/kaierfu",
]


@pytest.mark.parametrize("path", EVERY_PAGE_KIND)
def test_every_page_fits_a_phone(phone_visitor, path):
    visitor = phone_visitor
    page = visitor.page
    response = page.goto(path)
    assert response.status == (404 if "no-such" in path else 200)
    page.wait_for_load_state("networkidle")
    assert no_sideways_scroll(visitor), page.evaluate("document.documentElement.scrollWidth")
    # the top bar (every page but Swagger's own): the search box has room to type and every link is on screen
    if path != "/docs":
        box = page.locator(".topsearch input").bounding_box()
        assert box["width"] >= 300 and box["x"] >= 0
        for link in page.locator(".topnav a").all():
            edge = link.bounding_box()
            assert edge["x"] >= 0 and edge["x"] + edge["width"] <= PHONE["width"]
    # a table wider than the phone scrolls inside its own box
    for table in page.locator("main table").all():
        assert table.evaluate("t => t.getBoundingClientRect().right <= window.innerWidth + 1")
    if path in ("/", "/id/hikvision", "/graph/ego/hikvision?radius=2"):
        visitor.screenshot("phone-" + (path.strip("/").split("?")[0].replace("/", "-") or "home"), full_page=False)
    assert visitor.outside() == []


def test_our_icon_is_on_every_page_and_where_browsers_look_unasked(visitor):
    visitor.goto("/id/hikvision")
    icon = visitor.page.locator("link[rel=icon]").get_attribute("href")
    assert icon.startswith("/static/") and icon.endswith("favicon.svg")
    fetched = visitor.page.request.get(icon)
    assert fetched.ok and fetched.headers["content-type"].startswith("image/svg+xml")
    unasked = visitor.page.request.get("/favicon.ico")
    assert unasked.ok and unasked.headers["content-type"] == "image/svg+xml" and unasked.body() == fetched.body()


@pytest.mark.parametrize("media", ["screen", "print"])
def test_the_sources_panel_shows_every_footnote(visitor, media):
    page = visitor.page
    visitor.goto("/id/hikvision")
    page.emulate_media(media=media)
    panel = page.locator(".entity-sources")
    assert panel.evaluate("p => p.scrollHeight <= p.clientHeight + 1")  # nothing hidden behind a scroll bar
    last = panel.locator("li").last
    assert last.evaluate(
        "li => li.getBoundingClientRect().bottom <= li.closest('aside').getBoundingClientRect().bottom + 1")
    if media == "print":
        pdf = page.pdf()
        assert pdf.startswith(b"%PDF")
    visitor.screenshot(f"entity-hikvision-sources-{media}")


# ---------------------------------------------------------------------------------------------------- browse and export
def test_an_analyst_narrows_the_companies_sorts_and_exports(visitor_at):
    page = visitor_at.page
    visitor_at.goto("/browse")
    page.locator(".browse-lists a[href='/browse/companies']").click()
    page.wait_for_url("**/browse/companies")
    total = int(page.locator("h1 .count").inner_text())
    page.locator(".facet-box[data-facet=district] a[data-value=dadukou]").click()
    page.locator(".facet-box[data-facet=chain] a[data-value=ivd-chain]").click()
    page.wait_for_url("**chain=ivd-chain**")
    narrowed = int(page.locator("h1 .count").inner_text())
    assert 1 < narrowed < total
    assert page.locator(".active-filters a.chip").count() == 2
    page.locator("th a.sort", has_text="角色").click()
    page.wait_for_url("**sort=role**")
    page.locator("th a.sort", has_text="角色").click()  # again: descending, holders of a role first
    page.wait_for_url("**sort=-role**")
    first = page.locator(".browse-table tbody tr").first
    assert "链主" in first.inner_text() or "龙头企业" in first.inner_text()
    assert no_sideways_scroll(visitor_at)
    visitor_at.screenshot(f"browse-companies-{visitor_at.width}px", full_page=False)
    with page.expect_download() as download:
        page.locator(".exports a", has_text="CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == narrowed + 1 and lines[0].startswith("iri,name_zh,name_en")
    first.locator("a.entity-link").click()
    page.wait_for_url("**/id/*")
    assert page.locator("h1.title .zh").inner_text()


def test_events_page_through_by_year(visitor_at):
    page = visitor_at.page
    visitor_at.goto("/browse/events?size=10&sort=-date")
    assert page.locator(".browse-table tbody tr").count() == 10
    dates = page.locator(".browse-table tbody tr td:nth-child(3)").all_inner_texts()
    assert dates == sorted(dates, reverse=True)
    page.locator(".pager a[rel=next]").click()
    page.wait_for_url("**page=2**")
    later = page.locator(".browse-table tbody tr td:nth-child(3)").all_inner_texts()
    assert later and max(later) <= min(dates)
    page.locator(".facet-box[data-facet=year] a[data-value='2021']").click()
    page.wait_for_url("**year=2021**")
    assert all(d.startswith("2021") for d in page.locator(".browse-table tbody tr td:nth-child(3)").all_inner_texts())


@pytest.mark.parametrize("path", ["/browse/companies?chain=ivd-chain", "/browse/events?year=2022",
                                  "/search?q=" + quote("链主"), "/search?q=eyi"])
def test_a_name_that_is_markup_stays_text_in_lists_and_search(hostile_visitor, path):
    hostile_visitor.goto(path)
    assert_markup_stayed_text(hostile_visitor)


# ---------------------------------------------------------------------------------------------------- readable graphs
def wait_for_graph(visitor: Visitor) -> None:
    visitor.page.wait_for_function("() => window.chainkgGraph && window.chainkgGraph.stabilized", timeout=60_000)


def drawn(visitor: Visitor) -> list[dict]:
    return visitor.page.evaluate(
        "() => window.chainkgGraph.nodes.get().map(n => ({id: n.id, kind: n.kind, label: n.label_zh, "
        "kind_zh: n.kind_zh, hidden: !!n.hidden}))")


def test_a_two_step_network_hides_statistics_and_policy_measures_until_asked(visitor_at):
    page = visitor_at.page
    visitor_at.goto("/graph/ego/hikvision?radius=2")
    wait_for_graph(visitor_at)
    nodes = drawn(visitor_at)
    quiet = [n for n in nodes if n["kind"] in ("Statistic", "PolicyMeasure")]
    assert len(quiet) > 50 and all(n["hidden"] for n in quiet)
    assert all(not n["hidden"] for n in nodes if n["kind"] == "Company")
    assert page.locator("#quiet-note").is_visible()
    visitor_at.screenshot(f"ego-hikvision-2-steps-{visitor_at.width}px", full_page=False)
    page.locator("#legend input[data-kind=Statistic]").check()
    shown = [n for n in drawn(visitor_at) if n["kind"] == "Statistic"]
    assert shown and not any(n["hidden"] for n in shown)
    assert page.evaluate(OVERLAPPING_NAMES) == []  # the figures that came back were moved off others' names
    # a statistic says what it counts, when and how much, not its id
    assert all("：" in n["label"] and not n["label"].startswith("a0") for n in shown)
    # every kind has a Chinese name
    assert all(n["kind_zh"] and n["kind_zh"] != n["kind"] for n in drawn(visitor_at))
    assert no_sideways_scroll(visitor_at)


OVERLAPPING_NAMES = """() => {
  const g = window.chainkgGraph, n = g.network;
  const boxes = g.nodes.get({filter: x => !x.hidden}).map(x => [x.label, n.getBoundingBox(x.id)]);
  const pairs = [];
  boxes.forEach(([a, A], i) => boxes.slice(i + 1).forEach(([b, B]) => {
    if (A.left < B.right && B.left < A.right && A.top < B.bottom && B.top < A.bottom) pairs.push([a, b]);
  }));
  return pairs;
}"""


@pytest.mark.parametrize("path", ["/graph/chain/ivd-chain", "/graph/park/tianan-cyberpark", "/graph/district/dadukou",
                                  "/graph/ego/hikvision?radius=2"])
def test_no_two_names_overlap_on_a_graph(visitor, path):
    visitor.goto(path)
    wait_for_graph(visitor)
    assert visitor.page.evaluate(OVERLAPPING_NAMES) == []


def test_hovering_a_link_quotes_the_sentence_that_states_it(visitor):
    page = visitor.page
    visitor.goto("/graph/chain/display-chain")
    wait_for_graph(visitor)
    page.evaluate("() => window.chainkgGraph.network.setOptions({physics: {enabled: false}})")
    for edge in page.evaluate("() => window.chainkgGraph.edges.get().map(e => ({from: e.from, to: e.to}))"):
        middle = page.evaluate(
            "(e) => { const g = window.chainkgGraph, p = g.network.getPositions([e.from, e.to]);"
            " return g.network.canvasToDOM({x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2}); }",
            edge)
        box = page.locator("#network").bounding_box()
        page.mouse.move(box["x"] + middle["x"], box["y"] + middle["y"])
        tip = page.locator("div.vis-tooltip")
        try:
            tip.wait_for(state="visible", timeout=1_500)
        except Exception:
            continue  # a node or another edge lies over this one's middle: try the next link
        if tip.locator(".tip-quote", has_text="「").count():
            break  # links to segments cite the curators' note on the chains; firms' links cite sentences
    else:
        pytest.fail("no link showed a tooltip quoting a sentence")
    assert tip.locator(".tip-quote").first.inner_text().startswith("「")
    assert tip.locator(".tip-source").first.inner_text().startswith("— ")
    visitor.screenshot("link-tooltip-with-its-sentence", full_page=False)


def test_a_one_step_network_shows_every_kind(visitor):
    visitor.goto("/graph/ego/hikvision")
    wait_for_graph(visitor)
    assert not any(n["hidden"] for n in drawn(visitor))


def test_a_company_page_leads_to_its_supplier_network(visitor_at):
    page = visitor_at.page
    visitor_at.goto("/id/hikvision")
    page.locator("nav.views a", has_text="供应关系").click()
    page.wait_for_url("**/graph/suppliers/hikvision")
    wait_for_graph(visitor_at)
    assert "海康威视" in page.locator("h1").inner_text()
    assert len(drawn(visitor_at)) > 1


def test_a_firm_without_supply_links_says_so(visitor):
    visitor.goto("/graph/suppliers/zhongyuan-huiji")
    assert visitor.page.locator("#no-links").is_visible()


def test_a_supplier_network_of_a_chain_is_a_clear_404(visitor):
    response = visitor.page.goto("/graph/suppliers/ivd-chain")
    assert response.status == 404
    assert "neither a place nor an organisation" in visitor.page.locator(".detail").inner_text()


def test_a_chain_reads_upstream_to_downstream_left_to_right_with_places_hidden(visitor):
    visitor.goto("/graph/chain/ivd-chain")
    wait_for_graph(visitor)
    segments = visitor.page.evaluate(
        "() => { const g = window.chainkgGraph; const ids = g.nodes.getIds({filter: n => n.kind === 'ChainSegment'});"
        " const p = g.network.getPositions(ids); return ids.map(id => [g.nodes.get(id).label_zh, p[id].x]); }")
    xs = [x for _, x in sorted(segments, key=lambda s: s[1])]
    assert len(segments) == 5 and len(set(xs)) == 5
    assert sorted(segments, key=lambda s: s[1])[0][0] == "IVD原材料和关键零部件"  # upstream first
    places = [n for n in drawn(visitor) if n["kind"] in ("District", "IndustrialPark", "City", "Country")]
    assert places and all(n["hidden"] for n in places)
    visitor.screenshot("chain-ivd-left-to-right", full_page=False)


# ---------------------------------------------------------------------------------------------------- small things
def test_a_figure_says_what_it_counts_under_its_row(visitor_at):
    visitor_at.goto("/id/kaierfu")
    page = visitor_at.page
    comments = page.locator("table.stats tr.stat-comment")
    assert comments.count() >= 5
    # the comment sits right under the row of the figure it explains: 不到50万元 is an upper bound
    above = comments.first.evaluate("tr => tr.previousElementSibling.innerText")
    assert "产值" in above and "50" in above and "upper bound" in comments.first.inner_text()
    table = page.locator("table.stats")
    assert table.evaluate("t => t.scrollWidth <= t.closest('section').getBoundingClientRect().width + 1") \
        or visitor_at.width < 500  # on a phone the table may scroll inside its card, never the page
    assert no_sideways_scroll(visitor_at)


# ---------------------------------------------------------------------------------------------------- the query UI
def run(visitor: Visitor, query: str) -> None:
    page = visitor.page
    page.wait_for_function("() => window.chainkgYasgui !== undefined")
    page.evaluate("(q) => { window.chainkgYasgui.getTab().setQuery(q); }", query)
    page.locator(".yasqe_queryButton").click()


def test_query_results_link_to_explorer_pages_under_their_names(visitor_at):
    page = visitor_at.page
    visitor_at.goto("/sparql")
    run(visitor_at, "PREFIX ck: <https://w3id.org/chainkg/ontology#>\n"
                    "SELECT ?firm ?chain ?name ?year WHERE { ?firm ck:chainLeaderOf ?chain ; "
                    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name . BIND(2021 AS ?year) }")
    link = page.locator(".yasr table tbody a.iri[href='/id/zhongyuan-huiji']").first
    link.locator(".zh").wait_for(timeout=30_000)
    assert link.locator(".zh").inner_text() == "中元汇吉" and "Zybio" in link.inner_text()
    table = page.locator(".yasr table tbody").inner_text()
    assert "体外诊断（IVD）产业链" in table and '"中元汇吉"' not in table and "@zh" not in table
    assert page.locator(".yasr .literal-mark", has_text="zh-hans").count() >= 1
    visitor_at.screenshot(f"sparql-readable-results-{visitor_at.width}px", full_page=False)
    link.click()
    page.wait_for_url("**/id/zhongyuan-huiji")


def test_a_syntax_error_is_shown_at_its_line_and_column(visitor):
    page = visitor.page
    visitor.goto("/sparql")
    run(visitor, "SELECT ?s\nWHERE { ?s ?p ?o .\n  FILTER(?s ==) }")
    note = page.locator("#query-error")
    note.wait_for(timeout=30_000)
    assert note.inner_text().startswith("第 3 行第") and "line 3" in note.inner_text()
    assert page.locator(".CodeMirror .query-error-line").count() == 1
    assert page.locator(".CodeMirror .query-error-mark").count() == 1
    assert not page.locator(".yasr .errorResult pre").is_visible()  # no raw JSON
    visitor.screenshot("sparql-error-at-line", full_page=False)
    run(visitor, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    page.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    assert page.locator("#query-error").count() == 0 and page.locator(".CodeMirror .query-error-line").count() == 0


def run_example(visitor: Visitor, title: str, view: str) -> None:
    """Run the worked example of this title and show its results in this view (chart, graph)."""
    page = visitor.page
    page.wait_for_function("() => window.chainkgYasgui !== undefined")
    page.locator("button.example", has_text=title).click()
    page.locator(".yasqe_queryButton").click()
    page.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    page.locator(f".yasr .select_{view}").click()


def result_rows(page, row: str) -> list:
    """The current tab's result bindings, each mapped by the JavaScript function `row`."""
    return page.evaluate(f"() => window.chainkgYasgui.getTab().getYasr().results.getBindings().map({row})")


def test_figures_by_year_draw_as_one_line_per_cluster(visitor_at):
    page = visitor_at.page
    visitor_at.goto("/sparql")
    run_example(visitor_at, "产业集群历年营业收入", "chart")
    chart = page.locator(".result-chart[data-chart=line]")
    chart.wait_for(timeout=30_000)
    rows = result_rows(page, "r => [r.clusterName.value, r.year.value, Number(r.revenue.value)]")
    clusters = sorted({name for name, _, _ in rows})
    assert chart.locator("polyline.series").count() == len(clusters) > 1
    assert sorted(chart.locator(".chart-legend li").all_inner_texts()) == clusters
    points = chart.locator("circle.point title").all_text_contents()
    assert len(points) == len(rows)
    name, year, revenue = rows[0]
    assert f"{name} · {year[:4]}：{revenue:g}" in points
    assert "2023" in chart.locator("text.year").all_text_contents()
    visitor_at.screenshot(f"sparql-chart-lines-{visitor_at.width}px", full_page=False)
    assert no_sideways_scroll(visitor_at)


def test_a_count_per_name_draws_as_bars_in_the_query_order(visitor):
    page = visitor.page
    visitor.goto("/sparql")
    run_example(visitor, "各类实体数量", "chart")
    chart = page.locator(".result-chart[data-chart=bar]")
    chart.wait_for(timeout=30_000)
    counts = result_rows(page, "r => [r.className.value, Number(r.entities.value)]")
    widths = chart.locator("rect.bar").evaluate_all("bars => bars.map(b => Number(b.getAttribute('width')))")
    assert len(widths) == len(counts) and widths == sorted(widths, reverse=True)  # ORDER BY DESC(?entities)
    assert chart.locator("text.name").first.text_content() == counts[0][0]
    assert chart.locator("text.value").first.text_content() == f"{counts[0][1]:,}"
    download = page.evaluate("() => window.chainkgYasgui.getTab().getYasr().plugins.chart.download('x')")
    assert download["filename"] == "x.svg" and download["contentType"] == "image/svg+xml"
    visitor.screenshot("sparql-chart-bars", full_page=False)


def test_a_table_of_names_draws_as_the_graph_it_is_and_iris_open_their_pages(visitor):
    page = visitor.page
    visitor.goto("/sparql")
    run_example(visitor, "各区的产业集群与产业链", "graph")
    page.locator(".result-graph[data-stabilized=true]").wait_for(timeout=30_000)
    rows = result_rows(page, "r => r")
    names = {b["value"] for row in rows for b in row.values()}
    assert f"{len(names)} 个节点" in page.locator(".result-graph-note").inner_text()
    visitor.screenshot("sparql-graph-of-names", full_page=False)
    # along a predicate column, IRIs are the nodes and each opens its page
    run(visitor, "PREFIX ck: <https://w3id.org/chainkg/ontology#>\n"
                 "SELECT ?firm ?p ?chain WHERE { ?firm ?p ?chain . VALUES ?p { ck:chainLeaderOf } }")
    # the first query's graph stays on the page until the second answers: wait for the new one by its note
    page.locator(".result-graph-note", has_text="linked along ?p").wait_for(timeout=30_000)
    page.locator(".result-graph[data-stabilized=true]").wait_for(timeout=30_000)
    graph = "window.chainkgYasgui.getTab().getYasr().plugins.graph.network"
    # drawn at once under prefixed IRIs, then again under their names once the names query has answered
    page.wait_for_function(f"() => {graph} && {graph}.body.data.nodes.get().some(n => n.label === '中元汇吉')",
                           timeout=30_000)
    nodes = page.evaluate(f"() => {graph}.body.data.nodes.get().map(n => ({{id: n.id, label: n.label, href: n.href}}))")
    (leader,) = [n for n in nodes if n["href"] == "/id/zhongyuan-huiji"]
    assert leader["label"] == "中元汇吉"  # named, not e:zhongyuan-huiji
    spot = page.evaluate(f"(id) => {graph}.canvasToDOM({graph}.getPositions([id])[id])", leader["id"])
    box = page.locator(".result-graph").bounding_box()
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    page.wait_for_url("**/id/zhongyuan-huiji")


def test_markup_in_names_stays_text_in_charts_and_graphs(hostile_visitor):
    hostile_visitor.goto("/sparql")
    run(hostile_visitor, "SELECT ?name (1 AS ?n) ?other WHERE { <https://w3id.org/chainkg/id/hostile-firm> "
                         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name . BIND(\"x\" AS ?other) }")
    page = hostile_visitor.page
    page.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    page.locator(".yasr .select_chart").click()
    assert HOSTILE_NAME in page.locator(".result-chart .bar-name title").all_text_contents()
    page.locator(".yasr .select_graph").click()
    page.locator(".result-graph[data-stabilized=true]").wait_for(timeout=30_000)
    assert page.evaluate("window.__pwned") is None
