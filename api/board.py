"""The board's part of the app: sign-in, editing, history and the review queue, in one place.

``install_board(app)`` is called by ``create_app``; it adds the sign-in routes
and session handling (api/web_auth.py), the edit forms (api/edits.py), the
history (api/history.py, JSON under /api/v1) and the review queue
(api/review.py), and gives the explorer's templates what the board's parts of
a page need (``board_history``, ``board_versions``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from danvan.api import edits, history, review, users_page, web_auth
from danvan.queries.catalogue import run

__all__ = ["install_board"]

ENTITY_HISTORY = 20  # changes shown on an entity page (the rest on /lich-su?entity=…)


def board_history(request: Request, node_id: str) -> dict[str, Any]:
    """The latest changes of one entity, with the names of what they touched."""
    store = request.app.state.store
    rows = history.changes(store, entity=node_id, limit=ENTITY_HISTORY)
    ids = {i for r in rows for i in r["entities"][:20]}
    for row in rows:
        row["diff"] = history._diff(row)
        row["action_vi"] = history.ACTIONS.get(row["action"], row["action"])
    return {"rows": rows, "names": history.names_of(store, ids)}


def board_versions(request: Request, items: list[dict[str, Any]]) -> dict[str, int]:
    """The stored version of each listed record (0 when never edited on the explorer)."""
    wanted = sorted({i["id"] for i in items if i.get("id")})
    found = run(request.app.state.store, "lookup", ids=wanted)["items"] if wanted else {}
    return {i: int(n["props"].get("version") or 0) for i, n in found.items()}


def board_merges(request: Request, node_id: str) -> list[dict[str, Any]]:
    """Merges into this entity that can still be undone."""
    return request.app.state.store.records.find("Merge", where={"keep": node_id, "status": "active"},
                                                limit=20)


def install_board(app: FastAPI) -> None:
    """Add the board's routes and template helpers to ``app``."""
    web_auth.install(app)
    app.include_router(history.api_router, prefix="/api/v1")
    app.include_router(history.page_router)
    app.include_router(edits.router)
    app.include_router(review.api_router, prefix="/api/v1")
    app.include_router(review.page_router)
    app.include_router(users_page.router)
    try:  # the pages' templates are the explorer's (create_app includes it when installed)
        from danvan.api.explorer import _env
    except ImportError:
        return
    env = _env()
    env.globals["board_history"] = board_history
    env.globals["board_versions"] = board_versions
    env.globals["board_merges"] = board_merges
