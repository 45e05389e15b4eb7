"""Every response carries security headers; pages may run and load only danvan's own code."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest

from danvan.api.app import create_app
from danvan.config import Settings
from danvan.graph.embedded import EmbeddedStore

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = EmbeddedStore(":memory:")
    from danvan.loaders.reference.kb import load_kb

    load_kb(store)
    with TestClient(create_app(store, Settings())) as c:
        yield c


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


PAGES = ["/", "/phan-cong", "/bao-phu", "/ban-do", "/tim-kiem?q=dak+ruong", "/thuc-the/commune-23488",
         "/docs"]


@pytest.mark.parametrize("path", [*PAGES, "/graph"])
def test_html_pages_carry_a_policy_that_loads_nothing_from_elsewhere(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = _directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    for sources in policy.values():  # no other origin, no wildcard, no eval
        assert not [s for s in sources if re.match(r"https?:|\*|'unsafe-eval'", s)], policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
def test_explorer_pages_run_no_inline_script(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert _directives(response.headers["content-security-policy"])["script-src"] == ["'self'"]
    # and they need none: every executable <script> has a src
    scripts = re.findall(r"<script\b([^>]*)>", response.text)
    assert all("src=" in attrs or "application/json" in attrs for attrs in scripts), scripts


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/nosuch", "/api/v1/openapi.json",
                                  "/static/explorer.js"])
def test_non_html_answers_carry_a_policy_that_allows_nothing(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
