"""The explorer in a real browser (Debian chromium through Playwright) against a running ``danvan serve``.

Seeds the curated knowledge base plus XSS probes (a Unit named
``<img src=x onerror=alert(1)>``), starts the server on a free port, and checks
what the board does: search "dak ruong", filter the assignment table by
133-KH/TU and download it, draw a graph. Every page must load nothing from
outside 127.0.0.1, log no console errors and open no dialog. Screenshots go to
test-artifacts/. In CI nothing here may skip.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.types import Edge
from danvan.text import fold

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
XSS = "<img src=x onerror=alert(1)>"
XSS_MODEL = '"><svg onload=alert(2)>'
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _need(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_browser() -> None:
    """Skip (fail in CI) when Debian chromium or the playwright package is missing."""
    if not Path(CHROMIUM).exists():
        _need(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _need("the playwright package is missing (pip install playwright)")


@contextlib.contextmanager
def serving(data: Path) -> Iterator[str]:
    """``danvan serve`` over the embedded store in ``data``, on a free port; yields its address.

    Its output goes to ``serve.log`` beside ``data``; a server that does not answer
    /api/v1/health within 90 s fails the test with the end of that log.
    """
    port = _free_port()
    env = {**os.environ, "DANVAN_DATA_DIR": str(data), "DANVAN_STORE": "embedded"}
    log_path = data.parent / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-c", "from danvan.cli import main; main()", "serve",
                                 "--port", str(port), "--no-load-kb"], env=env, stdout=log,
                                stderr=subprocess.STDOUT, cwd=data.parent)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 90
            while True:
                try:
                    urllib.request.urlopen(base + "/api/v1/health", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        pytest.fail("danvan serve did not start: " + log_path.read_text()[-2000:])
                    time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _seed(data_dir: Path) -> dict[str, str]:
    """The curated KB (retried while curators save files) plus the probes; returns their ids."""
    from danvan.errors import DanvanError
    from danvan.loaders.reference.kb import load_kb

    store = EmbeddedStore(data_dir)
    for attempt in range(5):
        try:
            load_kb(store)
            break
        except DanvanError:
            if attempt == 4:
                raise
            time.sleep(3)
    s = store.schema
    unit = s.node("Unit", name=XSS, scope="district-614")
    model = s.node("Model", name=XSS_MODEL, scope=unit.id, field="kinh tế", synthetic=True)
    assignment = s.node("Assignment", unit=unit.id, target="village-commune-23488-thon-9",
                        plan="directive-district-614-26-kh-hu", synthetic=True)
    store.write([unit, model, assignment],
                [Edge("WITH_MODEL", assignment.id, model.id),
                 Edge("LOCATED_IN", model.id, "village-commune-23488-thon-9")])
    store.close()
    return {"unit": unit.id, "model": model.id, "assignment": assignment.id}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    need_browser()
    data = tmp_path_factory.mktemp("explorer") / "data"
    probes = _seed(data)
    with serving(data) as base:
        yield {"base": base, **probes}


@pytest.fixture(scope="module")
def browser_context(server: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        # bypass_csp only lets the test read window.danvanGraph; the pages' own CSP is checked
        # by the absence of outside requests below.
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True, bypass_csp=True,
            accept_downloads=True, viewport={"width": 1366, "height": 900}, locale="vi-VN")
        yield context
        context.close()


@pytest.fixture
def page(browser_context: Any, server: dict[str, Any]) -> Iterator[Any]:
    pg = browser_context.new_page()
    seen: dict[str, list[str]] = {"outside": [], "errors": [], "dialogs": []}

    def route(r: Any) -> None:
        if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            seen["outside"].append(r.request.url)
            r.abort()

    def dialog(d: Any) -> None:
        seen["dialogs"].append(d.message)
        d.dismiss()

    pg.route("**/*", route)
    pg.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
          else seen["outside"].append(r.url))
    pg.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: seen["errors"].append(str(e)))
    pg.on("dialog", dialog)
    pg.seen = seen
    yield pg
    pg.close()
    assert seen["outside"] == [], "requests left 127.0.0.1"
    assert seen["errors"] == [], "console errors"
    assert seen["dialogs"] == [], "an XSS probe executed"


def _shot(page: Any, name: str, full: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def _wait_graph(page: Any) -> None:
    page.wait_for_function("window.danvanGraph && window.danvanGraph.ready === true", timeout=30000)


def test_search_dak_ruong_reaches_the_commune_page(page: Any, server: dict[str, Any]) -> None:
    page.goto(server["base"] + "/")
    _shot(page, "01-trang-chu")
    page.fill("#home-search", "dak ruong")
    page.press("#home-search", "Enter")
    page.wait_for_url("**/tim-kiem?q=dak+ruong")
    _shot(page, "02-tim-kiem")
    page.get_by_role("link", name="Xã Đăk Ruồng", exact=True).first.click()
    page.wait_for_url("**/thuc-the/commune-23488")
    assert page.inner_text("#entity-name") == "Xã Đăk Ruồng"
    assert page.locator("#sources li").count() >= 1
    assert page.locator("#assignment-table tbody tr").count() >= 1
    _shot(page, "03-xa-dak-ruong")
    page.click("#graph-link")
    _wait_graph(page)
    assert page.evaluate("danvanGraph.nodes.get('commune-23488') !== null")


def test_assignment_table_filtered_by_133_downloads_csv_and_xlsx(page: Any, server: dict[str, Any]) -> None:
    page.goto(server["base"] + "/phan-cong")
    everything = int(page.inner_text("#assignment-count"))
    page.fill("#plan", "133-KH/TU")
    page.click("#assignment-filters button[type=submit]")
    page.wait_for_url("**/phan-cong?plan=133-KH%2FTU**")
    count = int(page.inner_text("#assignment-count"))
    with urllib.request.urlopen(server["base"] + "/api/v1/assignments?plan=133-KH/TU") as r:
        import json

        api_total = json.load(r)["total"]
    assert 0 < count == api_total < everything
    rows = page.locator("#assignment-table tbody tr")
    assert rows.count() == count
    assert all("133-KH/TU" in rows.nth(i).inner_text() for i in range(count))
    header = page.locator("#assignment-table thead th").nth(1)
    header.click()
    first = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(count)]
    header.click()
    second = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(count)]
    assert first == sorted(first, key=fold) and second == first[::-1]  # Vietnamese order: D < Đ < E
    _shot(page, "04-phan-cong-133")

    with page.expect_download() as download:
        page.click("#csv-link")
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(table) == count + 1 and any("Đơn vị" in h for h in table[0])

    with page.expect_download() as download:
        page.click("#xlsx-link")
    from openpyxl import load_workbook

    assert download.value.suggested_filename == "phan-cong.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.max_row == count + 1 and sheet["A1"].value == "Đơn vị giúp đỡ"
    assert sheet["A1"].font.bold and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.column_dimensions["A"].width > 20


def test_graph_view_draws_the_nodes_the_server_reported(page: Any, server: dict[str, Any]) -> None:
    response = page.goto(server["base"] + "/graph?plan=26-KH%2FHU")
    reported = int(response.headers["x-graph-nodes"])
    _wait_graph(page)
    drawn = page.evaluate("[danvanGraph.nodes.length, danvanGraph.network.body.nodeIndices.length,"
                          " Number(document.getElementById('graph-count').dataset.nodes)]")
    assert reported > 5 and drawn == [reported, reported, reported]
    assert page.evaluate("danvanGraph.network.physics.options.enabled") is False
    _shot(page, "05-do-thi-26-kh-hu", full=False)

    page.fill("#search", "thon 9")  # no accents: finds "Thôn 9"
    first = page.locator("#search-results li button").first
    assert "Thôn 9" in first.inner_text()
    first.click()
    assert page.evaluate("danvanGraph.network.getSelectedNodes()") == ["village-commune-23488-thon-9"]
    assert "Thôn 9" in page.inner_text("#details")

    # hovering the probe's node shows its name as text, never as markup
    pos = page.evaluate(f"""(() => {{ const n = danvanGraph.network;
        const p = n.canvasToDOM(n.getPositions(['{server['unit']}'])['{server['unit']}']);
        n.moveTo({{position: n.getPositions(['{server['unit']}'])['{server['unit']}']}});
        return n.canvasToDOM(n.getPositions(['{server['unit']}'])['{server['unit']}']); }})()""")
    box = page.locator("#network-canvas").bounding_box()
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_selector("#card:not([hidden])")
    assert XSS in page.inner_text("#card") and page.locator("#card img").count() == 0
    _shot(page, "06-do-thi-the-thong-tin", full=False)

    # clicking a node focuses it and, when served, expands its neighbours
    before = page.evaluate("danvanGraph.nodes.length")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/entities/commune-23488/neighbourhood")
                              and r.ok):
        page.evaluate("danvanGraph.expand('commune-23488')")
    page.wait_for_function(f"danvanGraph.nodes.length > {before}", timeout=10000)
    assert page.evaluate("danvanGraph.errors") == []


def test_filters_and_legend_hide_nodes(page: Any, server: dict[str, Any]) -> None:
    page.goto(server["base"] + "/graph?all=1")
    _wait_graph(page)
    total = page.evaluate("danvanGraph.nodes.length")
    page.uncheck("#lg-Statistic")
    hidden = page.evaluate("danvanGraph.nodes.get({filter: n => n.hidden}).length")
    assert hidden == page.evaluate("danvanGraph.nodes.get({filter: n => n.group === 'Statistic'}).length") > 0
    page.select_option("#f-field", "kinh tế")
    models = page.evaluate("danvanGraph.nodes.get({filter: n => n.group === 'Model' && !n.hidden})"
                           ".map(n => danvanGraph.data.nodes.find(d => d.id === n.id).field)")
    assert models and set(models) == {"kinh tế"}
    page.click("#f-reset")
    assert page.evaluate("danvanGraph.nodes.get({filter: n => n.hidden}).length") == 0
    assert int(page.inner_text("#shown-count")) == total


def test_xss_probes_stay_text_everywhere(page: Any, server: dict[str, Any]) -> None:
    base = server["base"]
    for url, name in ((f"/thuc-the/{server['unit']}", "07-xss-don-vi"),
                      (f"/thuc-the/{server['model']}", None),
                      ("/tim-kiem?q=img+src", None),
                      ("/phan-cong?plan=26-KH%2FHU", None)):
        page.goto(base + url)
        assert page.locator("img").count() == 0 and page.locator("main svg").count() == 0
        assert XSS in page.inner_text("body") or XSS_MODEL in page.inner_text("body")
        if name:
            _shot(page, name)
    page.goto(f"{base}/thuc-the/{server['model']}")
    assert "Dữ liệu mô phỏng" in page.inner_text("main")
    page.goto(f"{base}/graph?focus={server['unit']}&depth=1")
    _wait_graph(page)
    assert page.locator(".badge-synthetic").count() == 1  # synthetic data is marked on the graph


def test_coverage_and_map_pages(page: Any, server: dict[str, Any]) -> None:
    base = server["base"]
    page.goto(base + "/bao-phu?plan=26-KH%2FHU")
    assert "/" in page.inner_text("#villages-helped")
    _shot(page, "08-bao-phu")
    page.goto(base + "/bao-phu?district=district-614")
    headings = page.locator("main h2").all_inner_texts()
    unhelped = next(i for i, h in enumerate(headings) if "chưa có" in h)
    overlap = next(i for i, h in enumerate(headings) if "nhiều đơn vị" in h)
    assert unhelped < overlap
    page.goto(base + "/ban-do")
    circles = page.locator("#commune-map circle")
    assert circles.count() == page.locator("#map-table tbody tr").count() > 3
    _shot(page, "09-ban-do")
    page.locator("#commune-map a.commune").first.click()
    page.wait_for_url("**/thuc-the/commune-*")
