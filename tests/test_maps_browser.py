"""The explorer in both administrative maps, in chromium at desktop and phone (390 px) width.

A ``danvan serve`` over the curated knowledge base with both maps of the whole
country (as ``danvan load`` writes them): today's map is the default of the map
page and the home page's entry points; Xã Kon Braih is helped through the
legacy communes it succeeded; a 2025 commune's page lists them, a legacy
commune's page links its successor. Expected figures come from the API, not
from this file. Every page loads nothing from outside and logs no error.
"""

from __future__ import annotations

import json
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from test_explorer_browser import ARGS, CHROMIUM, _shot, need_browser, serving

from danvan.graph.embedded import EmbeddedStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KON_BRAIH = "commune-2025-23497"
DAK_RUONG = "commune-23488"
WIDTHS = {"desktop": 1366, "phone": 390}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_browser()
    from danvan.loaders.reference.kb import load_kb

    data = tmp_path_factory.mktemp("maps-explorer") / "data"
    store = EmbeddedStore(data)
    load_kb(store, maps=True)
    store.close()
    with serving(data) as base:
        yield base


def api(base: str, path: str, **params: str) -> Any:
    with urllib.request.urlopen(f"{base}{path}?{urllib.parse.urlencode(params)}", timeout=30) as r:
        return json.load(r)


@pytest.fixture(scope="module", params=sorted(WIDTHS))
def context(request: pytest.FixtureRequest, server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    width = WIDTHS[request.param]
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True, locale="vi-VN",
            viewport={"width": width, "height": 900}, is_mobile=width < 500)
        ctx.width = width
        ctx.label = request.param
        yield ctx
        ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    pg = context.new_page()
    outside: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.width, pg.label = context.width, context.label
    yield pg
    pg.close()
    assert outside == [], "requests left 127.0.0.1"
    assert errors == [], "console errors"


def _fits(page: Any, selector: str) -> None:
    """The element is no wider than the window (the phone reads it without scrolling sideways)."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["x"] >= -1 and box["x"] + box["width"] <= page.width + 1, selector


def test_the_map_shows_kon_braih_helped_in_todays_map(page: Any, server: str) -> None:
    coverage = api(server, "/api/v1/coverage", commune="Kon Braih", map="2025")
    assert coverage["villages_helped"] > 0
    page.goto(server + "/ban-do")
    assert page.locator("#map option:checked").inner_text() == "Sau sáp nhập 2025"
    row = page.locator(f'#map-table tr[data-id="{KON_BRAIH}"]')
    assert int(row.locator("td.helpers").inner_text()) > 0
    assert row.locator("td.villages").inner_text() == (
        f"{coverage['villages_helped']}/{coverage['villages_total']}")
    assert "Đăk Ruồng" in row.inner_text() and "Tân Lập" in row.inner_text()
    # Only the provinces where units help are drawn, not the 3,321 communes of the country.
    circles = page.locator("#commune-map circle").count()
    assert circles == page.locator("#map-table tbody tr").count() < 400
    _fits(page, "#commune-map")
    _fits(page, "form.filters")
    _shot(page, f"maps-ban-do-2025-{page.label}")
    row.locator("td.villages a").click()
    page.wait_for_url("**/bao-phu?**")
    assert page.inner_text("#villages-helped").startswith(
        f"{coverage['villages_helped']}/{coverage['villages_total']}")


def test_the_map_switches_to_the_legacy_map(page: Any, server: str) -> None:
    page.goto(server + "/ban-do")
    page.select_option("#map", "legacy")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**map=legacy**")
    ids = page.locator("#map-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert DAK_RUONG in ids and KON_BRAIH not in ids
    _shot(page, f"maps-ban-do-legacy-{page.label}")


def test_a_2025_commune_page_lists_its_predecessors_and_their_assignments(page: Any, server: str) -> None:
    legacy_total = api(server, "/api/v1/assignments", commune=DAK_RUONG, map="legacy")["total"]
    page.goto(f"{server}/thuc-the/{KON_BRAIH}")
    preds = page.locator("#predecessors li")
    assert {t.split(" — ")[0] for t in preds.all_inner_texts()} == {
        "Xã Đăk Ruồng", "Xã Đăk Tờ Re", "Xã Tân Lập"}
    dak_ruong = preds.filter(has_text="Xã Đăk Ruồng")
    assert f"{legacy_total} phân công" in dak_ruong.inner_text()
    assert page.locator("#assignment-table .former-commune").filter(
        has_text="xã Đăk Ruồng cũ").count() == legacy_total
    _fits(page, "#predecessors")
    _shot(page, f"maps-xa-kon-braih-{page.label}")
    dak_ruong.locator("a").first.click()
    page.wait_for_url(f"**/thuc-the/{DAK_RUONG}")
    successors = page.locator("#successors")
    assert "Xã Kon Braih" in successors.inner_text() and "Tỉnh Quảng Ngãi" in successors.inner_text()
    successors.locator(f'a[href="/thuc-the/{KON_BRAIH}"]').click()
    page.wait_for_url(f"**/thuc-the/{KON_BRAIH}")


def test_the_home_page_enters_by_todays_communes(page: Any, server: str) -> None:
    page.goto(server + "/")
    card = page.locator("#places-card")
    assert "Tỉnh Quảng Ngãi" in card.inner_text() and "Xã Kon Braih" in card.inner_text()
    assert "Huyện Kon Rẫy" not in card.inner_text()
    _fits(page, "#places-card")
    card.locator("a", has_text="Trước 1/7/2025").click()
    page.wait_for_url("**/?map=legacy")
    card = page.locator("#places-card")
    assert "Huyện Kon Rẫy" in card.inner_text() and "Xã Kon Braih" not in card.inner_text()
    assert page.locator("#places-card li").count() < 20  # where work is, not 696 districts
