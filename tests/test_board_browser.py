"""The board in a real browser (chromium through Playwright) against a running ``danvan serve``.

A user made with ``danvan user add`` signs in through /dang-nhap, adds an assignment on
a village page (the unit typed without accents and taken from the suggestions), sees
it on the village page, in /phan-cong and in the history under their name; resolves
the review item a loaded document left (an ambiguous "thôn 4") and undoes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_board_review import TEXT
from tests.test_explorer_browser import ARGS, CHROMIUM, _need, _shot, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VILLAGE = "village-commune-23488-thon-9"
PASSWORD = "mật-khẩu-thử-nghiệm"


def _danvan(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    done = subprocess.run([sys.executable, "-c", "from danvan.cli import main; main()", *args],
                          env=env, input=stdin, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        _need(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    root = tmp_path_factory.mktemp("board")
    env = {**os.environ, "DANVAN_DATA_DIR": str(root / "data"), "DANVAN_STORE": "embedded"}
    document = root / "bao-cao-2024.txt"
    document.write_text(TEXT, encoding="utf-8")
    _danvan(env, "load", "--documents", str(document))  # the knowledge base and the document
    _danvan(env, "user", "add", "lan", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    with serving(root / "data") as base:
        yield base


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("the playwright package is missing (pip install playwright)")
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1366, "height": 900}, locale="vi-VN")
        pg = context.new_page()
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg
        context.close()
        assert errors == [], "console errors"


def test_sign_in_add_an_assignment_and_see_it_everywhere(page: Any, server: str) -> None:
    page.goto(f"{server}/thuc-the/{VILLAGE}")
    assert page.locator("#add-assignment").count() == 0  # not signed in: no form
    page.goto(f"{server}/dang-nhap?next=/thuc-the/{VILLAGE}")
    page.fill("#name", "lan")
    page.fill("#password", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_url(f"**/thuc-the/{VILLAGE}")
    assert page.text_content("#account-name") == "lan"
    page.fill("#a-unit", "phong y te kon ray")  # no accents: the suggestions fold them
    page.locator("#a-unit-list option").first.wait_for(state="attached")
    suggestion = page.locator("#a-unit-list option").first.get_attribute("value")
    assert suggestion == "Phòng Y tế huyện Kon Rẫy"
    page.fill("#a-unit", suggestion)
    page.fill("#a-households", "7")
    page.fill("#a-note", "thử trên trình duyệt")
    page.click("#a-save")
    page.wait_for_url(f"**/thuc-the/{VILLAGE}*")
    _shot(page, "board-01-village-after-edit")
    table = page.text_content("#assignment-table")
    assert "Phòng Y tế huyện Kon Rẫy" in table
    assert page.locator("#history .history-user", has_text="lan").count() == 1
    api = json.loads(urllib.request.urlopen(f"{server}/api/v1/assignments?village={VILLAGE}").read())
    assert "Phòng Y tế huyện Kon Rẫy" in {i["unit"]["name"] for i in api["items"]}
    page.goto(f"{server}/phan-cong?village={VILLAGE}")
    assert "Phòng Y tế huyện Kon Rẫy" in page.text_content("#assignment-table")
    loads = json.loads(urllib.request.urlopen(f"{server}/api/v1/history?action=load").read())
    assert loads["items"] and all(i["user"].startswith("cli:") for i in loads["items"])
    page.goto(f"{server}/lich-su?user=lan")
    assert "thử trên trình duyệt" in page.text_content("#history")


def test_resolve_a_review_item_and_undo_it(page: Any, server: str) -> None:
    page.goto(f"{server}/cho-duyet")
    item = page.locator(".review-item", has_text="thôn 4")
    assert item.count() == 1
    assert "giúp đỡ thôn 4" in item.locator(".evidence").text_content()
    item.locator("input[type=radio]").nth(1).check()
    item.locator("button.pick").click()
    page.wait_for_url("**/cho-duyet")
    assert page.locator(".review-item").count() == 0
    assert page.locator("#review-decisions .decision").count() == 1
    _shot(page, "board-02-review-decided")
    page.locator("#review-decisions button.undo").click()
    page.wait_for_url("**/cho-duyet")
    assert page.locator(".review-item", has_text="thôn 4").count() == 1
    assert page.locator("#review-decisions .decision").count() == 0
    page.goto(f"{server}/lich-su?user=lan&action=review.undo")
    assert page.locator("#history .history-row").count() == 1
