"""The FastAPI application: ``create_app(store, settings)``, used by ``danvan serve`` and the tests.

JSON lives under /api/v1, the OpenAPI document at /api/v1/openapi.json (and
/openapi.json) and its page at /docs (api/docs.py, served offline). The root is
left to the explorer: when ``danvan.api.explorer`` exists and has a ``router``,
it is included. Other features can add routes the
same way, reading ``request.app.state.store`` and ``request.app.state.settings``.

>>> from danvan.graph.embedded import EmbeddedStore
>>> app = create_app(EmbeddedStore(":memory:"))
>>> app.state.store.kind, "/api/v1/health" in app.openapi()["paths"]
('embedded', True)
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from danvan.api.board import install_board
from danvan.api.docs import install_docs
from danvan.api.problems import install
from danvan.api.routes_v1 import build_router
from danvan.api.security import SecurityHeaders
from danvan.config import Settings
from danvan.graph.store import Store

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"
EXPLORER = "danvan.api.explorer"

DESCRIPTION = """\
Who helps which village, under which plan, with which model — and where is nobody helping?

* Reads are open; names are matched without accents or case ("dak ruong" finds Xã Đăk Ruồng).
* Lists paginate with `limit`/`offset` and report `total`; tabular lists answer `?format=csv`
  (UTF-8 with BOM, Vietnamese headers) for Excel.
* Errors are `application/problem+json`: 404 unknown id or name, 409 ambiguous name (with
  `candidates`), 422 bad parameter (named in `param`), 503 store unavailable.
* Writes need `Authorization: Bearer <token>`: an editor's or admin's API token
  (`danvan user token NAME`), or `DANVAN_API_TOKEN`, which acts as a bootstrap admin.
  A viewer's token gets 403. With neither configured, writes are disabled.
"""


def _version() -> str:
    try:
        return version("danvan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def include_explorer(app: FastAPI) -> bool:
    """Include the explorer's router if that module is installed; True when it was."""
    try:
        module = importlib.import_module(EXPLORER)
    except ModuleNotFoundError as exc:
        if exc.name != EXPLORER:
            raise
        return False
    router = getattr(module, "router", None)
    if router is None:
        return False
    app.include_router(router)
    return True


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    """The API over ``store``; ``settings.api_token`` enables writes."""
    app = FastAPI(title="danvan API", version=_version(), description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url=f"{API_PREFIX}/openapi.json")
    app.state.store = store
    app.state.settings = settings or Settings()
    install(app)
    app.add_middleware(SecurityHeaders)  # CSP, nosniff, no framing (api/security.py)
    install_docs(app)  # /docs, /redoc, /openapi.json from installed files, not a CDN
    app.include_router(build_router(), prefix=API_PREFIX)
    install_board(app)
    include_explorer(app)
    return app
