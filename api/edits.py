"""Editing in place on the explorer: assignments (add, change, end), models (register, assess), merges.

Every form needs a signed-in editor and the session's CSRF token (api/web_auth.py);
every write is recorded in the history with the user's name (graph/audit.py).
Records carry a ``version`` (0 when never edited here): a form sends the version it
was shown, and saving over a newer one is refused with a conflict page showing
both versions, so a second editor loses nothing and overwrites nothing.

>>> next_version({"version": 2}), next_version({})
(3, 1)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticError

from danvan.accounts import User
from danvan.api.problems import ApiProblem
from danvan.api.web_auth import check_form
from danvan.errors import DanvanError, NotFoundError
from danvan.graph.audit import acting
from danvan.graph.store import Store
from danvan.graph.types import Edge, Node
from danvan.text import nfc

__all__ = ["next_version", "router"]

router = APIRouter(include_in_schema=False)
WEB_SOURCE = "explorer"  # the history's source of edits made on the pages
_TARGETS = ("Village", "Commune")


def next_version(props: dict[str, Any]) -> int:
    """The version a record gets when saved again."""
    return int(props.get("version") or 0) + 1


def _field(form: Any, name: str, limit: int = 200) -> str | None:
    value = nfc(str(form.get(name) or "")).strip()[:limit]
    return value or None


def _error_page(request: Request, exc: Exception) -> HTMLResponse:
    from danvan.api.explorer import _page, _problem_page

    if isinstance(exc, ApiProblem):
        return _page(request, "problem.html", exc.status, title=exc.title, message=exc.detail,
                     candidates=exc.extra.get("candidates", []))
    if isinstance(exc, PydanticError):
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _page(request, "problem.html", 422, title="Giá trị không hợp lệ", message=errors,
                     candidates=[])
    assert isinstance(exc, DanvanError)
    return _problem_page(request, exc)


class _Posted(NamedTuple):
    """A checked form post: the form, the editor who sent it, the store and the node it names."""

    form: Any
    user: User
    store: Store
    node: Node


async def _posted(request: Request, field: str, labels: Collection[str] | None,
                  what: str) -> _Posted:
    """The form (signed-in editor and CSRF checked: FormDenied otherwise) and the node its
    ``field`` names; NotFoundError "không có {what} nào có mã đã gửi" when there is none
    of ``labels``."""
    form = await request.form()
    user = check_form(request, form)
    store = request.app.state.store
    node = store.get(_field(form, field) or "")
    if node is None or (labels is not None and node.label not in labels):
        raise NotFoundError(f"không có {what} nào có mã đã gửi")
    return _Posted(form, user, store, node)


def _back(target: str) -> RedirectResponse:
    return RedirectResponse(f"/thuc-the/{target}#phan-cong", status_code=303)


@router.post("/sua/phan-cong")
async def save_assignment(request: Request) -> Response:
    """Add (or change) an assignment of a unit to the page's village or commune."""
    from danvan.api import models as m
    from danvan.api.routes_v1 import write_assignment

    try:
        form, user, store, target = await _posted(request, "target", _TARGETS, "thôn hoặc xã")
    except NotFoundError as exc:
        return _error_page(request, exc)
    body: dict[str, Any] = {"unit": _field(form, "unit"), "plan": _field(form, "plan"),
                            "from": _field(form, "from"), "until": _field(form, "until"),
                            "households": _field(form, "households"),
                            "note": _field(form, "note", 2000)}
    body["village" if target.label == "Village" else "commune"] = target.id
    try:
        data = m.AssignmentIn.model_validate({k: v for k, v in body.items() if v is not None})
        with acting(user.name, "edit.assignment", source=WEB_SOURCE, comment=data.note):
            _, item = write_assignment(store, data)
            model = _field(form, "model")
            if model:
                _link_model(store, item["id"], model)
    except (ApiProblem, PydanticError, DanvanError) as exc:
        return _error_page(request, exc)
    return _back(target.id)


def _link_model(store: Any, assignment: str, model: str) -> None:
    from danvan.queries.resolve import resolve

    model_id = resolve(store, model, ["Model"], param="model")
    store.write([], [Edge("WITH_MODEL", assignment, model_id, {})])


def _day(form: Any, name: str, required: bool = False) -> str | None:
    """An ISO date from the form; ApiProblem naming the field when it is not one."""
    value = _field(form, name)
    if value is None and not required:
        return None
    try:
        return dt.date.fromisoformat(value or "").isoformat()
    except ValueError:
        raise ApiProblem(422, "Giá trị không hợp lệ", f"'{name}' cần ngày dạng YYYY-MM-DD",
                         param=name) from None


def _changes(form: Any, end_only: bool) -> dict[str, Any]:
    """The assignment fields a form changes (only ``until`` when ending one)."""
    if end_only:
        return {"until": _day(form, "until", required=True)}
    changes: dict[str, Any] = {"from": _day(form, "from"), "until": _day(form, "until"),
                               "note": _field(form, "note", 2000)}
    households = _field(form, "households")
    if households is not None:
        if not households.isdigit():
            raise ApiProblem(422, "Giá trị không hợp lệ", "'households' cần một số tự nhiên",
                             param="households")
        changes["households"] = int(households)
    if changes["from"] and changes["until"] and changes["until"] < changes["from"]:
        raise ApiProblem(422, "Giá trị không hợp lệ", "đến ngày phải sau từ ngày", param="until")
    return {k: v for k, v in changes.items() if v is not None}


async def _update_assignment(request: Request, end_only: bool) -> Response:
    try:
        form, user, store, node = await _posted(request, "assignment", ("Assignment",), "phân công")
    except NotFoundError as exc:
        return _error_page(request, exc)
    try:
        changes = _changes(form, end_only)
        seen = _field(form, "version") or "0"
        if str(node.props.get("version") or 0) != seen:
            return _conflict(request, node.props, {**changes, "version": seen}, node.id)
        action = "edit.assignment.end" if end_only else "edit.assignment"
        with acting(user.name, action, source=WEB_SOURCE, comment=_field(form, "comment", 2000)):
            store.write([Node(node.label, node.id, {**node.props, **changes,
                                                    "version": next_version(node.props)})])
            model = None if end_only else _field(form, "model")
            if model:
                _link_model(store, node.id, model)
    except (ApiProblem, DanvanError) as exc:
        return _error_page(request, exc)
    return _back(node.props["target"])


@router.post("/sua/phan-cong/ket-thuc")
async def end_assignment(request: Request) -> Response:
    """End an assignment on a date (its ``until``), refusing to save over a newer version."""
    return await _update_assignment(request, end_only=True)


@router.post("/sua/phan-cong/sua")
async def change_assignment(request: Request) -> Response:
    """Change an assignment's period, households, note or model (a version check as above).

    Its unit, place and plan are what identify it: to change those, end it and add another.
    """
    return await _update_assignment(request, end_only=False)


@router.post("/sua/mo-hinh")
async def register_model(request: Request) -> Response:
    """Register a model in the page's village or commune: its name, field, owning unit,
    year, plan and households; the unit SUPPORTS it as its owner."""
    from danvan.queries.resolve import resolve

    try:
        form, user, store, place = await _posted(request, "target", _TARGETS, "thôn hoặc xã")
    except NotFoundError as exc:
        return _error_page(request, exc)
    try:
        unit = resolve(store, _field(form, "unit") or "", ["Unit", "PartyBody"], param="unit")
        plan = _field(form, "plan")
        plan_id = resolve(store, plan, ["Directive"], param="plan") if plan else None
        year, households = _field(form, "year"), _field(form, "households")
        model = store.schema.node(
            "Model", name=_field(form, "name"), scope=unit, field=_field(form, "field"),
            year=int(year) if year and year.isdigit() else year,
            households=int(households) if households and households.isdigit() else households)
        edges = [Edge("LOCATED_IN", model.id, place.id, {}),
                 Edge("SUPPORTS", unit, model.id, {"role": "owner"})]
        if plan_id:
            edges.append(Edge("REGISTERED_UNDER", model.id, plan_id, {}))
        with acting(user.name, "edit.model", source=WEB_SOURCE, comment=_field(form, "comment")):
            store.write([model], edges)
    except (ApiProblem, DanvanError) as exc:
        return _error_page(request, exc)
    return RedirectResponse(f"/thuc-the/{model.id}", status_code=303)


@router.post("/sua/mo-hinh/danh-gia")
async def assess_model(request: Request) -> Response:
    """Record a model's assessment: effective or not, what was said, when, where it was said."""
    try:
        form, user, store, node = await _posted(request, "model", ("Model",), "mô hình")
    except NotFoundError as exc:
        return _error_page(request, exc)
    effective = _field(form, "effective")
    try:
        if effective not in ("yes", "no"):
            raise ApiProblem(422, "Giá trị không hợp lệ", "chọn hiệu quả hoặc chưa hiệu quả",
                             param="effective")
        changes = {"effective": effective == "yes", "assessment": _field(form, "assessment", 2000),
                   "assessed_on": _day(form, "assessed_on", required=True),
                   "assessment_source": _field(form, "source")}
        changes = {k: v for k, v in changes.items() if v is not None}
        seen = _field(form, "version") or "0"
        if str(node.props.get("version") or 0) != seen:
            return _conflict(request, node.props, {**changes, "version": seen}, node.id)
        with acting(user.name, "edit.model.assessment", source=changes.get("assessment_source")
                    or WEB_SOURCE, comment=changes.get("assessment")):
            store.write([Node(node.label, node.id, {**node.props, **changes,
                                                    "version": next_version(node.props)})])
    except (ApiProblem, DanvanError) as exc:
        return _error_page(request, exc)
    return RedirectResponse(f"/thuc-the/{node.id}", status_code=303)


@router.post("/sua/gop")
async def merge_into(request: Request) -> Response:
    """Merge another entity of the same kind (another spelling of it) into the page's one."""
    from danvan.graph.merge import merge
    from danvan.queries.resolve import resolve

    try:
        form, user, store, keep = await _posted(request, "keep", None, "mục")
    except NotFoundError as exc:
        return _error_page(request, exc)
    try:
        drop = resolve(store, _field(form, "drop") or "", [keep.label], param="drop")
        merge(store, keep.id, drop, user.name, _field(form, "comment", 2000))
    except (ApiProblem, DanvanError) as exc:
        return _error_page(request, exc)
    return RedirectResponse(f"/thuc-the/{keep.id}", status_code=303)


@router.post("/sua/gop/hoan-tac/{key}")
async def undo_merge_route(request: Request, key: str) -> Response:
    """Undo a merge: the merged entity and what moved with it come back."""
    from danvan.graph.merge import undo_merge

    form = await request.form()
    user = check_form(request, form)
    try:
        record = undo_merge(request.app.state.store, key, user.name)
    except DanvanError as exc:
        return _error_page(request, exc)
    return RedirectResponse(f"/thuc-the/{record['keep']}", status_code=303)


def _conflict(request: Request, stored: dict[str, Any], submitted: dict[str, Any],
              node_id: str) -> HTMLResponse:
    from danvan.api.explorer import _page

    keys = sorted((set(stored) | set(submitted)) - {"sources"})
    rows = [(k, stored.get(k), submitted.get(k)) for k in keys]
    return _page(request, "conflict.html", 409, title="Xung đột phiên bản", rows=rows,
                 node_id=node_id, stored_version=stored.get("version") or 0,
                 submitted_version=submitted.get("version"))
