"""The history of changes for people and tools: ``GET /api/v1/history``, ``/lich-su`` (+ .csv, .xlsx).

Each row: ``user``, ``at``, ``action``, ``entities``, ``before``, ``after``,
``source``, ``comment`` (see graph/audit.py for how rows are made). Filters:
``entity``, ``user``, ``action``, ``since``/``until`` (dates), ``limit``/``offset``.

>>> ACTIONS["edit.assignment"]
'Sửa phân công'
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from danvan.api.csv_export import neutralise
from danvan.api.problems import ApiProblem
from danvan.graph.store import Store
from danvan.graph.types import Node
from danvan.queries.catalogue import run
from danvan.text import nfc

__all__ = ["ACTIONS", "api_router", "changes", "page_router"]

ACTIONS = {
    "edit.assignment": "Sửa phân công", "edit.assignment.end": "Kết thúc phân công",
    "edit.model": "Đăng ký mô hình", "edit.model.assessment": "Đánh giá mô hình",
    "edit.merge": "Gộp hai mục", "edit.merge.undo": "Hoàn tác gộp",
    "api.assignment": "Thêm phân công qua API", "api.import": "Nhập bảng qua API",
    "import": "Nhập bảng phân công", "load": "Nạp dữ liệu", "review": "Quyết định duyệt",
    "review.undo": "Hoàn tác quyết định duyệt", "serve": "Nạp dữ liệu khi khởi động",
    "user": "Quản lý người dùng",
}
COLUMNS = ("Thời điểm", "Người thực hiện", "Thao tác", "Thực thể", "Trước", "Sau", "Nguồn",
           "Ghi chú")
EXPORT_LIMIT = 50_000

api_router = APIRouter()
page_router = APIRouter(include_in_schema=False)


def names_of(store: Store, ids: Any) -> dict[str, str]:
    """``{id: name}`` of the nodes among ``ids`` (the catalogued ``lookup`` query)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    found = run(store, "lookup", ids=wanted)["items"]
    return {i: Node(n["label"], i, n["props"]).name for i, n in found.items()}


def _day(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ApiProblem(422, "Tham số không hợp lệ", f"Tham số '{name}' không hợp lệ: cần ngày "
                         "dạng YYYY-MM-DD", "bad-parameter", param=name) from None


def changes(store: Store, entity: str | None = None, user: str | None = None,
            action: str | None = None, since: str | None = None, until: str | None = None,
            limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """History rows, newest first; ``since``/``until`` are dates (``until`` inclusive)."""
    where = {k: nfc(v).strip() for k, v in (("entities", entity), ("user", user),
                                            ("action", action)) if v}
    since_day, until_day = _day(since, "since"), _day(until, "until")
    upto = ((dt.date.fromisoformat(until_day) + dt.timedelta(days=1)).isoformat()
            if until_day else None)
    rows = store.records.find("Change", where=where, since=since_day, until=upto, limit=limit,
                              offset=offset)
    return [{"id": r["key"], "at": r["at"], "user": r["user"], "action": r["action"],
             "entities": r.get("entities") or [], "before": r.get("before"),
             "after": r.get("after"), "source": r.get("source"), "comment": r.get("comment"),
             "counts": r.get("counts")} for r in rows]


def _filters(request: Request) -> dict[str, str]:
    return {k: nfc(request.query_params.get(k, "")).strip()[:200]
            for k in ("entity", "user", "action", "since", "until")
            if request.query_params.get(k, "").strip()}


@api_router.get("/history", tags=["history"], summary="Lịch sử thay đổi")
def history_api(request: Request,
                entity: Annotated[str | None, Query(max_length=200, description="id thực thể")] = None,
                user: Annotated[str | None, Query(max_length=64)] = None,
                action: Annotated[str | None, Query(max_length=64)] = None,
                since: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
                until: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Every recorded change (who, when, action, before/after, source), newest first;
    with ``entity``: the changes that touched that entity."""
    items = changes(request.app.state.store, entity, user, action, since, until, limit, offset)
    return {"items": items, "limit": limit, "offset": offset}


def _diff(row: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(entity, field, before, after) for each property a change changed."""
    out = []
    before, after = row.get("before") or {}, row.get("after") or {}
    for entity in sorted(set(before) | set(after)):
        old, new = before.get(entity) or {}, after.get(entity) or {}
        for key in sorted(set(old) | set(new)):
            if key in ("sources", "text") or old.get(key) == new.get(key):
                continue
            out.append((entity, key, _text(old.get(key)), _text(new.get(key))))
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _cells(row: dict[str, Any]) -> list[str]:
    diff = _diff(row)
    return [row["at"][:19].replace("T", " "), row["user"], ACTIONS.get(row["action"], row["action"]),
            "; ".join(row["entities"][:50]),
            "; ".join(f"{e} {k}: {b}" for e, k, b, _ in diff if b),
            "; ".join(f"{e} {k}: {a}" for e, k, _, a in diff if a),
            row.get("source") or "", row.get("comment") or ""]


@page_router.get("/lich-su", response_class=HTMLResponse)
def history_page(request: Request) -> HTMLResponse:
    """Recent changes with filters (entity, user, action, dates), 200 a page."""
    from danvan.api.explorer import _page

    params = _filters(request)
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
    except ValueError:
        offset = 0
    store = request.app.state.store
    try:
        rows = changes(store, limit=200, offset=offset, **params)
    except ApiProblem as exc:
        return _page(request, "problem.html", 422, title="Giá trị không hợp lệ",
                     message=exc.detail, candidates=[])
    ids = {i for r in rows for i in r["entities"][:20]}
    names = names_of(store, ids)
    for row in rows:
        row["diff"] = _diff(row)
        row["action_vi"] = ACTIONS.get(row["action"], row["action"])
    return _page(request, "history.html", title="Lịch sử thay đổi", rows=rows, names=names,
                 params=params, offset=offset, actions=ACTIONS)


def _export_rows(request: Request) -> list[list[str]]:
    rows = changes(request.app.state.store, limit=EXPORT_LIMIT, **_filters(request))
    return [[neutralise(c) for c in _cells(r)] for r in rows]


@page_router.get("/lich-su.csv")
def history_csv(request: Request) -> Response:
    """The filtered history as CSV (UTF-8 with BOM, for Excel)."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(_export_rows(request))
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="lich-su.csv"'})


@page_router.get("/lich-su.xlsx")
def history_xlsx(request: Request) -> Response:
    """The filtered history as an Excel workbook."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Lịch sử"
    sheet.append(COLUMNS)
    for row in _export_rows(request):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="lich-su.xlsx"'})
