"""The API's documentation pages, served from installed files: nothing comes from a CDN.

    /docs            Swagger UI (its script and style from the ``fastapi-offline`` package)
    /redoc           sends to /docs (ReDoc's page loads its logo from its makers' site)
    /openapi.json    the OpenAPI document, also at /api/v1/openapi.json
    /docs/assets/…   those files and the small script that starts Swagger UI

FastAPI's own pages load Swagger UI from a CDN and start it with an inline
script; these pages start it from a file (``api/static/swagger-init.js``), so a
Content-Security-Policy without ``'unsafe-inline'`` scripts and without outside
hosts still lets them run. ``fastapi-offline`` (2.8 MB, kept current) ships the
Swagger UI build as package data; its own app factory is not used because its
pages use inline scripts. (``swagger-ui-bundle``, 8.5 MB, ships Swagger UI 4.15.)

>>> from fastapi import FastAPI
>>> app = FastAPI(docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json")
>>> install_docs(app)
>>> sorted(r.path for r in app.routes if r.path.startswith(("/docs", "/redoc", "/openapi")))
['/docs', '/docs/assets/{name}', '/openapi.json', '/redoc']
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from danvan.api.security import policy_for

__all__ = ["DOCS_CSP", "install_docs"]

ASSETS = "/docs/assets"
# The pages' policy (api/security.py): no inline script; Swagger UI styles its widgets inline.
DOCS_CSP = policy_for("/docs", "text/html")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@cache
def _asset_files() -> dict[str, Path]:
    """Asset name → file: fastapi-offline's Swagger UI build, and our start script."""
    import fastapi_offline

    offline = Path(fastapi_offline.__file__).parent / "static"
    ours = Path(str(resources.files("danvan.api").joinpath("static")))
    files = {p.name: p for p in offline.iterdir() if p.is_file()}
    files["swagger-init.js"] = ours / "swagger-init.js"
    return files


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = (f'<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n"
            f'<link rel="icon" href="{ASSETS}/favicon.png">\n{head}</head>\n<body>\n{body}</body>\n</html>\n')
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})


def install_docs(app: FastAPI) -> None:
    """Add /docs, /redoc, /openapi.json and their assets to ``app`` (made with docs_url=None)."""
    spec_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(f"{app.title} — Swagger UI",
                     f'<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">\n',
                     f'<div id="swagger-ui" data-url="{escape(spec_url)}"></div>\n'
                     f'<script src="{ASSETS}/swagger-ui-bundle.js"></script>\n'
                     f'<script src="{ASSETS}/swagger-init.js"></script>\n')

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> RedirectResponse:
        return RedirectResponse("/docs", status_code=308)

    if spec_url != "/openapi.json":
        @app.get("/openapi.json", include_in_schema=False)
        def openapi() -> JSONResponse:
            return JSONResponse(app.openapi())

    @app.get(ASSETS + "/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        path = _asset_files().get(name)
        if path is None or not path.is_file():
            return Response("not found", status_code=404)
        return FileResponse(path, media_type=_TYPES.get(path.suffix, "application/octet-stream"),
                            headers={"Cache-Control": "public, max-age=86400"})
