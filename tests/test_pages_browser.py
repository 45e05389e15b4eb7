"""Pages a board member reads, in chromium: offline /docs, places beside names, figures, phones, graph.

One server over the bundled knowledge base plus the province demo (issue 14, items 12–16).
Every page is loaded with every request outside 127.0.0.1 aborted (the network "cut") and
must log no console error — a Content-Security-Policy violation is one.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from test_explorer_browser import ARGS, CHROMIUM, need_browser, serving

from danvan.graph.embedded import EmbeddedStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PICKED: dict[str, str] = {}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base address of ``danvan serve`` over the KB and the demo (ids chosen in ``PICKED``)."""
    need_browser()
    from danvan.loaders.reference.kb import load_kb
    from danvan.loaders.synthetic.demo import load_demo

    data = tmp_path_factory.mktemp("pages") / "data"
    store = EmbeddedStore(data)
    load_kb(store)
    load_demo(store)
    PICKED["union"] = next(n.id for n in store.nodes("Unit") if n.props.get("kind") == "mass_organisation")
    store.close()
    with serving(data) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _open(browser: Any, width: int = 1366, height: int = 900,
          bypass_csp: bool = False) -> tuple[Any, Any, dict[str, list[str]]]:
    """A fresh context (the pages' own CSP applies) with the network cut to 127.0.0.1."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  accept_downloads=True, bypass_csp=bypass_csp)
    seen: dict[str, list[str]] = {"outside": [], "errors": []}

    def route(r: Any) -> None:
        if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            seen["outside"].append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.seen = seen
    return context, page, seen


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context, pg, seen = _open(browser)
    yield pg
    context.close()
    assert seen["outside"] == [], "requests left 127.0.0.1"
    assert seen["errors"] == [], "console errors"


@pytest.fixture
def graph_page(browser: Any) -> Iterator[Any]:
    """The graph page's own CSP forbids eval, which reading window.danvanGraph needs."""
    context, pg, seen = _open(browser, bypass_csp=True)
    yield pg
    context.close()
    assert seen["outside"] == [] and seen["errors"] == [], seen


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context, pg, seen = _open(browser, 390, 844)
    yield pg
    context.close()
    assert seen["outside"] == [] and seen["errors"] == [], seen


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


# 12: API documentation offline ----------------------------------------------------------
def test_docs_list_the_operations_with_the_network_cut(page: Any, server: str) -> None:
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock", timeout=30000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) >= 10
    assert any("/api/v1/assignments" in p for p in paths)


def test_redoc_leads_to_the_docs(page: Any, server: str) -> None:
    page.goto(server + "/redoc")
    page.wait_for_selector(".opblock", timeout=30000)
    assert page.url == server + "/docs"


def test_openapi_json_is_served_at_the_root_too(server: str) -> None:
    status, body = _get(server + "/openapi.json")
    assert status == 200
    assert "/api/v1/assignments" in json.loads(body)["paths"]


# 13: where a village or unit is, wherever its name is listed ------------------------------
def _rows(page: Any, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(selector).all_inner_texts()]


def test_search_tells_the_villages_of_one_name_apart(page: Any, server: str) -> None:
    page.goto(server + "/tim-kiem?q=" + "thôn 7")
    rows = _rows(page, "#search-results tbody tr")
    sevens = [r for r in rows if r.startswith("Thôn 7 ")]
    assert len(sevens) >= 10
    assert all("Xã" in r or "Phường" in r or "Thị trấn" in r for r in sevens), sevens[:3]
    assert len(set(sevens)) == len(sevens), "two rows read the same"


def test_which_one_did_you_mean_says_where_each_candidate_is(page: Any, server: str) -> None:
    response = page.goto(server + "/phan-cong?village=" + "thôn 7")
    assert response.status == 409
    page.seen["errors"].remove("Failed to load resource: the server responded with a status of 409 "
                               "(Conflict)")
    items = _rows(page, "main ul li")
    assert len(items) >= 10
    assert all("— " in i for i in items), items[:3]
    assert len(set(items)) == len(items)


def test_coverage_lists_say_which_former_commune_a_village_was_in(page: Any, server: str) -> None:
    page.goto(server + "/bao-phu")
    rows = _rows(page, "#unhelped-table tbody tr")
    assert rows and all(" cũ)" in r for r in rows[:50]), rows[:3]
    assert len(set(rows)) == len(rows)


# 14: figures, kinds and dates as a board member reads them ------------------------------
def test_coverage_shows_no_none(page: Any, server: str) -> None:
    page.goto(server + "/bao-phu")
    assert "None" not in page.inner_text("main")


def test_the_assignment_page_can_include_implementing_plans(page: Any, server: str) -> None:
    page.goto(server + "/phan-cong")
    page.fill("#plan", "133-KH/TU")
    page.check("#include_implementing")
    page.click("#assignment-filters button[type=submit]")
    page.wait_for_url("**include_implementing=true**")
    _, body = _get(server + "/api/v1/assignments?plan=133-KH/TU&include_implementing=true&limit=1")
    wanted = json.loads(body)["total"]
    assert wanted > 58
    assert int(page.inner_text("#assignment-count")) == wanted
    assert page.is_checked("#include_implementing")


def test_unit_kinds_are_in_vietnamese(page: Any, server: str) -> None:
    page.goto(server + "/thuc-the/" + PICKED["union"])
    text = page.inner_text("main")
    assert "mass_organisation" not in text
    assert "tổ chức chính trị - xã hội" in text


def test_dates_on_pages_read_day_first(page: Any, server: str) -> None:
    page.goto(server + "/phan-cong?plan=133-KH%2FTU")
    table = page.inner_text("#assignment-table")
    assert not ISO_DATE.search(table), ISO_DATE.search(table)
    assert re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", table)


# 15: phones ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/phan-cong?plan=133-KH%2FTU&include_implementing=true", "/bao-phu",
                                  "/", "/tim-kiem?q=th%C3%B4n%207"])
def test_pages_fit_a_390_px_phone(phone: Any, server: str, path: str) -> None:
    phone.goto(server + path)
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"{path}: {width} px wide"


def test_the_menu_is_one_row_and_works_on_a_phone(phone: Any, server: str) -> None:
    phone.goto(server + "/phan-cong")
    boxes = [link.bounding_box() for link in phone.locator("header.top nav a").all()]
    assert len(boxes) == 5
    assert len({round(b["y"]) for b in boxes}) == 1, "the menu wraps"
    phone.locator("header.top nav a", has_text="Bao phủ").click()
    phone.wait_for_url("**/bao-phu")
    cards = phone.locator("#assignment-table tr")
    assert cards.count() == 0  # left the table page


# 16: the graph page opens on something readable ----------------------------------------
def _wait_graph(page: Any) -> None:
    page.wait_for_function("window.danvanGraph && window.danvanGraph.ready === true", timeout=30000)


def test_the_graph_opens_on_one_commune_in_readable_layers(graph_page: Any, server: str) -> None:
    page = graph_page
    response = page.goto(server + "/graph")
    assert int(response.headers["x-graph-nodes"]) <= 80
    _wait_graph(page)
    xs = page.evaluate("""(() => { const pos = danvanGraph.network.getPositions(); const out = {};
        danvanGraph.nodes.forEach(n => { (out[n.group] = out[n.group] || []).push(pos[n.id].x); });
        return out; })()""")
    assert {"Directive", "Unit", "Village", "Commune"} <= xs.keys()
    assert max(xs["Directive"]) < min(xs["Unit"])
    assert max(xs["Unit"]) < min(xs["Village"])
    assert max(xs["Village"]) < min(xs["Commune"])
    # labels are drawn at a readable size once the view is fitted to the screen
    assert page.evaluate("danvanGraph.network.getScale()") * 14 >= 9
    # a village says which commune it is in (13)
    labels = page.evaluate("danvanGraph.nodes.get({filter: n => n.group === 'Village'}).map(n => n.label)")
    assert labels and all("\n" in label for label in labels)


def test_the_graph_widens_from_the_first_view(graph_page: Any, server: str) -> None:
    page = graph_page
    first = page.goto(server + "/graph")
    shown = int(first.headers["x-graph-nodes"])
    _wait_graph(page)
    links = page.locator("#widen a")
    assert links.count() == 3
    with page.expect_navigation() as nav:
        links.nth(1).click()  # the whole district
    assert int(nav.value.headers["x-graph-nodes"]) > shown
    _wait_graph(page)
    page.goto(server + "/graph")
    with page.expect_navigation() as nav:
        page.locator("#widen a", has_text="Toàn bộ").click()
    assert int(nav.value.headers["x-graph-nodes"]) > 1000
