"""The chain pages in a real browser (Debian chromium through Playwright) against `chainkg serve` on the shipped graph:
the chain map (产业链全景图), the anchors page (谁是链主) and the gaps page (补链) — what an analyst reads and clicks,
at desktop and 390 px phone width and in print, with every claim's sentence on hover. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import pytest

from tests.conftest import Visitor, no_sideways_scroll
from tests.test_browser import assert_markup_stayed_text

pytestmark = pytest.mark.browser

E = "https://w3id.org/chainkg/id/"


def segments(visitor: Visitor) -> list[dict]:
    return visitor.page.evaluate(
        "() => [...document.querySelectorAll('.chain-map .segment')].map(s => ({iri: s.dataset.segment, "
        "status: s.dataset.status, name: s.querySelector('h2 .zh').innerText, "
        "local: [...s.querySelectorAll('h3 + ul.orgs li.local .org-name .zh')].map(x => x.innerText)}))")


# ---------------------------------------------------------------------------------------------------- the chain map
def test_the_display_chain_map_reads_upstream_to_downstream(visitor):
    visitor.goto("/chains/display-chain/map")
    shown = segments(visitor)
    # a004: 从液晶材料、玻璃基板、液晶面板、液晶显示模组，再到整机
    assert [s["name"] for s in shown] == ["液晶材料", "玻璃基板", "液晶面板", "液晶显示模组", "整机"]
    by_name = {s["name"]: s for s in shown}
    assert "汉朗光电" in by_name["液晶材料"]["local"]
    assert "惠科金渝" in by_name["液晶面板"]["local"]
    # local members of the chain sit in no segment yet: an empty segment is unknown, never missing
    assert by_name["玻璃基板"]["status"] == "unknown"
    assert visitor.page.locator("#unplaced li.org").count() >= 1
    visitor.screenshot("chain-map-display")
    assert visitor.outside() == []


def test_every_placement_shows_its_sentence_on_hover_and_as_a_footnote(visitor):
    visitor.goto("/chains/display-chain/map")
    page = visitor.page
    cite = page.locator(".segment li.org sup.cite a").first
    title = cite.get_attribute("title")
    assert title and title.startswith("「") and "2021-09" in title
    number = cite.inner_text()
    footnote = page.locator(f"#src-{number}")
    assert footnote.locator("q.quote").inner_text() in title
    cite.click()
    assert page.url.endswith(f"#src-{number}")


def test_the_ivd_map_marks_its_leader_with_the_dated_sentence(visitor):
    visitor.goto("/chains/ivd-chain/map")
    leader = visitor.page.locator(".leaders-strip li", has_text="中元汇吉")
    assert leader.locator(".badge.leader").count() == 1
    assert leader.locator("time.since").first.inner_text()[:4].isdigit()
    statuses = {s["name"]: s["status"] for s in segments(visitor)}
    # a001/a003: 中元汇吉 and ten other IVD firms work in Dadukou; until the data says where, nothing is "missing"
    assert "missing" not in statuses.values()
    visitor.screenshot("chain-map-ivd")


def test_the_chain_map_works_at_phone_width(phone_visitor):
    visitor = phone_visitor
    visitor.goto("/chains/biopharma-chain/map")
    assert no_sideways_scroll(visitor)
    boxes = visitor.page.evaluate(
        "() => [...document.querySelectorAll('.chain-map > .stage')].map(s => s.getBoundingClientRect().top)")
    assert boxes == sorted(boxes) and len(set(boxes)) == len(boxes)  # stacked top to bottom, upstream first
    visitor.screenshot("chain-map-biopharma-390px")


def test_the_chain_map_prints_without_the_site_chrome(visitor):
    visitor.goto("/chains/smart-vision-chain/map")
    visitor.page.emulate_media(media="print")
    assert visitor.page.locator(".topbar").is_hidden()
    assert visitor.page.locator(".chain-map .segment").first.is_visible()
    visitor.screenshot("chain-map-smart-vision-print")
    pdf = visitor.page.pdf(format="A4", landscape=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000


def test_the_chain_map_has_a_json_twin_with_the_same_evidence(visitor):
    response = visitor.page.request.get(visitor.base + "/chains/display-chain/map?format=json")
    data = response.json()
    assert [s["segment"]["label_zh"] for s in data["segments"]][0] == "液晶材料"
    placement = data["segments"][0]["local"][0]["placements"][0]
    assert placement["evidence"][0]["quote"] and placement["evidence"][0]["date"] == "2021-09"
    assert placement["evidence"][0]["article"].startswith(E)


# ---------------------------------------------------------------------------------------------------- the anchors page
def test_the_anchors_page_ranks_every_chain_with_components_in_words(visitor):
    visitor.goto("/anchors")
    page = visitor.page
    vision = page.locator("#chain-smart-vision-chain")
    first = vision.locator("li.anchor").first
    assert first.get_attribute("data-rank") == "1" and "海康威视" in first.locator(".org-name").inner_text()
    component = first.locator("li[data-component='supporting_firms']")
    assert "杭州里德" in component.inner_text() and component.locator("sup.cite a").count() >= 1
    assert "「" in component.locator("sup.cite a").first.get_attribute("title")
    # Banan's display chain names no 链主: still an explained order, a company first, nothing at 0
    display = page.locator("#chain-display-chain li.anchor")
    assert display.count() >= 3
    assert all(float(t) > 0 for t in display.locator(".total").all_inner_texts())
    # the noodle chain's only entity is a facility with no owner: it is listed apart, never ranked
    noodles = page.locator("#chain-xiaomian-chain")
    assert noodles.locator("li.anchor").count() == 0 and "快销品研发生产基地" in noodles.locator(".not-ranked").inner_text()
    assert page.locator("#chain-ivd-chain .unranked").count() == 1
    visitor.screenshot("anchors")
    assert visitor.outside() == []


def test_the_anchors_page_the_home_leaders_and_the_json_agree(visitor):
    data = visitor.page.request.get(visitor.base + "/anchors?format=json").json()
    from_json = {r["chain"]: {a["iri"] for a in r["anchors"] if a["rank"] == 1} for r in data["rankings"]}
    api = visitor.page.request.get(visitor.base + "/api/anchors?limit=50").json()
    assert {r["chain"]: {a["iri"] for a in r["anchors"] if a["rank"] == 1} for r in api["rankings"]} == from_json
    visitor.goto("/anchors")
    on_page = visitor.page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('section.ranking')].map(s => [s.dataset.chain, "
        "[...s.querySelectorAll('li.anchor[data-rank=\"1\"]')].map(a => a.dataset.iri)]))")
    assert {c: set(v) for c, v in on_page.items()} == from_json
    visitor.goto("/")
    rows = visitor.page.evaluate(
        "() => [...document.querySelectorAll('section.leaders tbody tr[data-chain]')].map(r => "
        "({chain: r.dataset.chain, leader: r.dataset.leader, cites: r.querySelectorAll('sup.cite a').length}))")
    on_home: dict[str, set[str]] = {}
    for row in rows:
        if row["chain"] in from_json:
            on_home.setdefault(row["chain"], set()).add(row["leader"])
        assert row["cites"] >= 1, row  # every leader cites its sources
    assert on_home == {chain: leaders for chain, leaders in from_json.items() if leaders}
    assert E + "hikvision" in on_home[E + "smart-vision-chain"]
    visitor.screenshot("home-leaders")


def test_the_anchors_page_at_phone_width(phone_visitor):
    visitor = phone_visitor
    visitor.goto("/anchors")
    assert no_sideways_scroll(visitor)
    visitor.screenshot("anchors-390px", full_page=False)


# ---------------------------------------------------------------------------------------------------- the gaps page
def test_the_gaps_page_of_dadukou_drills_down_to_the_chain_map(visitor):
    visitor.goto("/gaps/dadukou")
    page = visitor.page
    rows = page.locator(".gap-row")
    assert rows.count() >= 5
    ivd = page.locator(".gap-row[data-chain='" + E + "ivd-chain']")
    assert "missing" not in [c.get_attribute("data-status") for c in ivd.locator(".gap-cell").all()]
    visitor.screenshot("gaps-dadukou")
    composites = page.locator(".gap-row[data-chain='" + E + "composites-chain']")
    composites.locator(".gap-cell .cell-link").first.click()
    page.wait_for_url("**/chains/composites-chain/map**#seg-composites-seg-glass-fibre")
    assert page.locator("#seg-composites-seg-glass-fibre").is_visible()


def test_the_gaps_pages_at_phone_width(phone_visitor):
    visitor = phone_visitor
    visitor.goto("/gaps/banan")
    assert no_sideways_scroll(visitor)
    chains = visitor.page.evaluate("() => [...document.querySelectorAll('.gap-row')].map(r => r.dataset.chain)")
    assert chains[:2] == [E + "biopharma-chain", E + "display-chain"] or \
        set(chains[:2]) == {E + "biopharma-chain", E + "display-chain"}
    # Dadukou's IVD chain is seen from Banan through the city: the row says whose chain it is, so "missing" reads right
    ivd = visitor.page.locator(".gap-row[data-chain='" + E + "ivd-chain'] .chain-home")
    assert ivd.inner_text() == "大渡口区的产业链 a chain of Dadukou District"
    visitor.screenshot("gaps-banan-390px")
    visitor.goto("/gaps/tianan-cyberpark")  # a park sees its district's chains, its own firms local
    assert no_sideways_scroll(visitor)
    assert visitor.page.locator(".gap-row").count() >= 5


# ---------------------------------------------------------------------------------------------------- links
@pytest.mark.parametrize("path, link", [
    ("/", "/chains/ivd-chain/map"),
    ("/", "/anchors"),
    ("/", "/gaps/dadukou"),
    ("/id/ivd-chain", "/chains/ivd-chain/map"),
    ("/id/dadukou", "/gaps/dadukou"),
    ("/id/dadukou-health-cluster", "/chains/ivd-chain/map"),
])
def test_the_pages_are_linked_from_home_chain_district_and_cluster(visitor, path, link):
    visitor.goto(path)
    assert visitor.page.locator(f"a[href^='{link}']").count() >= 1


# ---------------------------------------------------------------------------------------------------- hostile names
@pytest.mark.parametrize("path", ["/chains/ivd-chain/map", "/anchors", "/gaps/dadukou", "/gaps/tianan-cyberpark"])
def test_a_name_that_is_markup_shows_as_text_on_the_chain_pages(hostile_visitor, path):
    hostile_visitor.goto(path)
    assert_markup_stayed_text(hostile_visitor)
