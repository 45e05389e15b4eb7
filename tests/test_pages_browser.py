"""Pages a board member reads, in chromium: offline /docs, places beside names, figures, phones, graph.

One server over the bundled knowledge base plus the province demo (issue 14, items 12–16).
Every page is loaded with every request outside 127.0.0.1 aborted (the network "cut") and
must log no console error — a Content-Security-Policy violation is one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_explorer_browser import ARGS, CHROMIUM, _free_port, _need

from danvan.graph.embedded import EmbeddedStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        _need(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _need("the playwright package is missing (pip install playwright)")
    from danvan.loaders.demo import load_demo
    from danvan.loaders.kb import load_kb

    data = tmp_path_factory.mktemp("pages") / "data"
    store = EmbeddedStore(data)
    load_kb(store)
    load_demo(store, into_current=True)
    store.close()
    port = _free_port()
    env = {**os.environ, "DANVAN_DATA_DIR": str(data), "DANVAN_STORE": "embedded"}
    log = open(data.parent / "serve.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-c", "from danvan.cli import main; main()", "serve",
                             "--port", str(port), "--no-load-kb"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, cwd=data.parent)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(base + "/api/v1/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                log.close()
                pytest.fail("danvan serve did not start: " + (data.parent / "serve.log").read_text()[-2000:])
            time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _open(browser: Any, width: int = 1366, height: int = 900) -> tuple[Any, Any, dict[str, list[str]]]:
    """A fresh context (the pages' own CSP applies) with the network cut to 127.0.0.1."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  accept_downloads=True)
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
    return context, page, seen


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context, pg, seen = _open(browser)
    yield pg
    context.close()
    assert seen["outside"] == [], "requests left 127.0.0.1"
    assert seen["errors"] == [], "console errors"


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
