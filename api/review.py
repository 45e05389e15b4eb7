"""The review queue on the web: ``/cho-duyet`` for editors, ``GET /api/v1/review`` for tools.

An editor picks a candidate, creates a new entity, or rejects; each decision is
stored and applied by loaders/review.py (which also re-applies it to later loads),
and can be undone from the same page. Forms need a signed-in editor and the
session's CSRF token, like every edit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from danvan.api.history import names_of
from danvan.api.web_auth import check_form
from danvan.errors import DanvanError, ValidationError
from danvan.loaders import review
from danvan.text import nfc

__all__ = ["api_router", "page_router"]

api_router = APIRouter()
page_router = APIRouter(include_in_schema=False)
KIND_VI = {"mention.village": "Thôn, làng chưa xác định", "mention.commune": "Xã chưa xác định",
           "mention.organisation": "Đơn vị chưa xác định", "mention.district": "Huyện chưa xác định",
           "import.row": "Dòng nhập \"chưa rõ\"",
           "proposal.Assignment": "Phân công đọc được nhưng chưa chắc chắn"}
# Where a new entity of each label sits, and the labels that place may have.
_PLACE_OF = {"Village": ("commune", ["Commune"]),
             "Unit": ("scope", ["Province", "District", "Commune"]),
             "PartyBody": ("scope", ["Province", "District", "Commune"])}


def _item_json(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("key", "kind", "label", "text", "canonical", "source", "span", "evidence",
            "candidates", "status", "file", "at", "props", "confidence")
    return {k: item.get(k) for k in keys}


@api_router.get("/review", tags=["review"], summary="Hàng chờ duyệt")
def review_api(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
               offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Pending review items: unresolved mentions of loaded documents and "chưa rõ" import
    rows, each with its evidence and candidates."""
    store = request.app.state.store
    items = review.pending(store, limit, offset) + review.proposals(store, limit, offset)
    return {"items": [_item_json(i) for i in items], "limit": limit, "offset": offset}


def new_entity(store: Any, label: str, name: str | None, place: str | None) -> dict[str, Any]:
    """The properties of an entity created from a queue item: its name and where it is."""
    from danvan.queries.resolve import resolve

    if label not in _PLACE_OF:
        raise ValidationError(label, None, "không tạo mới được loại này từ hàng chờ; hãy chọn "
                                           "một mục có sẵn")
    if not name or not place:
        raise ValidationError(label, "name", "cần tên và nơi (xã, hoặc cấp của đơn vị)")
    key, labels = _PLACE_OF[label]
    return {"name": name, key: resolve(store, place, labels, param="place")}


@page_router.get("/cho-duyet", response_class=HTMLResponse)
def review_page(request: Request) -> HTMLResponse:
    """Pending items with evidence and candidates, and recent decisions to undo."""
    from danvan.api.explorer import _page

    store = request.app.state.store
    items = review.pending(store)
    proposed = review.proposals(store)
    decisions = review.decided(store, 50)
    ids = {d["target"] for d in decisions if d.get("target")}
    ids |= {v for p in proposed for v in p["props"].values() if isinstance(v, str)}
    names = names_of(store, ids)
    return _page(request, "review.html", title="Chờ duyệt", items=items, decisions=decisions,
                 kinds=KIND_VI, names=names, proposals=proposed)


def _form_text(form: Any, name: str) -> str | None:
    value = nfc(str(form.get(name) or "")).strip()[:200]
    return value or None


@page_router.post("/cho-duyet/{key}")
async def decide_item(request: Request, key: str) -> Response:
    """Pick, create or reject for one queue item (and the same thing elsewhere in the queue)."""
    from danvan.api.edits import _error_page

    form = await request.form()
    user = check_form(request, form)
    store = request.app.state.store
    action = _form_text(form, "action") or ""
    choice = _form_text(form, "target")
    try:
        if key.startswith(review.PROPOSAL):
            review.decide_proposal(store, key.removeprefix(review.PROPOSAL), action, user.name,
                                   _form_text(form, "comment"))
            return RedirectResponse("/cho-duyet", status_code=303)
        item = store.records.get("Review", key) or {}
        new = (new_entity(store, item.get("label", ""), _form_text(form, "name"),
                          _form_text(form, "place")) if action == "create" else None)
        review.decide(store, key, action, user.name, target=choice, new=new,
                      comment=_form_text(form, "comment"))
    except DanvanError as exc:
        return _error_page(request, exc)
    return RedirectResponse("/cho-duyet", status_code=303)


@page_router.post("/cho-duyet/hoan-tac/{key}")
async def undo_decision(request: Request, key: str) -> Response:
    """Undo a decision: what it created goes, its items are pending again."""
    from danvan.api.edits import _error_page

    form = await request.form()
    user = check_form(request, form)
    try:
        review.undo(request.app.state.store, key, user.name)
    except DanvanError as exc:
        return _error_page(request, exc)
    return RedirectResponse("/cho-duyet", status_code=303)
