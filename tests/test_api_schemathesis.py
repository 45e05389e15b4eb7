"""Property-based check of the whole API from its own OpenAPI document: no input gives a 5xx.

Schemathesis generates requests for every GET operation (and the POST, sent
without a token) on the embedded store holding the small test graph. Bad input
must come back as a 4xx problem, never as a server error.
"""

from __future__ import annotations

import warnings

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from test_api import PROBLEM, TOKEN, small_graph  # noqa: E402

from danvan.api.app import create_app  # noqa: E402
from danvan.config import Settings  # noqa: E402
from danvan.graph.embedded import EmbeddedStore  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    STORE = EmbeddedStore(":memory:")
    small_graph(STORE)
    APP = create_app(STORE, Settings(api_token=TOKEN))
    SCHEMA = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@SCHEMA.include(method="GET").parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_get_request_is_a_server_error(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        content_type = response.headers.get("content-type") or [""]
        assert content_type[0].startswith(PROBLEM), response.text


@SCHEMA.include(method="POST").parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_writes_without_a_token_are_refused(case) -> None:  # type: ignore[no-untyped-def]
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    if case.method.upper() == "POST":  # other methods are probed too: 405
        assert response.status_code in (401, 422), response.text
