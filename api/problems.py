"""Errors as RFC 9457 ``application/problem+json`` with a detail the board can read.

Every failure the API reports has the same shape::

    {"type": "urn:danvan:problem:bad-parameter", "title": "Tham số không hợp lệ",
     "status": 422, "detail": "Tham số 'limit' không hợp lệ: phải ≤ 1000", "param": "limit"}

danvan's own errors map to statuses here, once: NotFoundError → 404,
ValidationError → 422 (naming the parameter), AmbiguousError → 409 (with
``candidates``), StoreUnavailable → 503, StorageFull → 507, a sheet over its size limits → 413
(over its rows or columns → 422). FastAPI's own request validation and
Starlette's 404/405 use the same shape.

>>> vietnamese_reason("must be ≤ 1000")
'phải ≤ 1000'
"""

from __future__ import annotations

import http
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from danvan.errors import (
    AmbiguousError,
    AuthError,
    DanvanError,
    LoadError,
    NotFoundError,
    StorageFull,
    StoreError,
    StoreUnavailable,
    ValidationError,
)
from danvan.loaders.spreadsheets.sheet_limits import SheetTooLarge

__all__ = ["PROBLEM_JSON", "ApiProblem", "install", "problem", "vietnamese_reason"]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("danvan.api")

_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        (r"^is required(?: \(identity key\))?$", "bắt buộc phải có"),
        (r"^must be ≥ (.+)$", r"phải ≥ \1"),
        (r"^must be ≤ (.+)$", r"phải ≤ \1"),
        (r"^expected (\w+), got (.+)$", r"cần kiểu \1, nhận được \2"),
        (r"^unknown parameter$", "không có tham số này"),
        (r"^unknown property$", "không có thuộc tính này"),
        (r"^is longer than (\d+) characters$", r"dài quá \1 ký tự"),
        (r"^(.+) is not one of (.+)$", r"\1 không thuộc các giá trị: \2"),
        (r"^must not be empty$", "không được để trống"),
        (r"^not a date \(YYYY-MM-DD\): (.+)$", r"không phải ngày (YYYY-MM-DD): \1"),
    ))


def vietnamese_reason(reason: str) -> str:
    """The Vietnamese wording of a ValidationError reason (unchanged if unknown)."""
    for pattern, replacement in _REASONS:
        if pattern.match(reason):
            return pattern.sub(replacement, reason)
    return reason


class ApiProblem(Exception):
    """Raise inside a route to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str, kind: str = "about:blank",
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.kind = status, title, detail, kind
        self.headers = headers or {}
        self.extra = extra


def problem(status: int, title: str, detail: str, kind: str = "about:blank",
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A problem+json response; ``kind`` becomes the ``type`` member."""
    body = {"type": kind if kind == "about:blank" or ":" in kind else f"urn:danvan:problem:{kind}",
            "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _validation(exc: ValidationError) -> JSONResponse:
    param = exc.field or "request"
    detail = f"Tham số '{param}' không hợp lệ: {vietnamese_reason(exc.reason)}"
    return problem(422, "Tham số không hợp lệ", detail, "bad-parameter", param=param,
                   reason=str(exc))


_PYDANTIC = {
    "missing": "bắt buộc phải có",
    "less_than_equal": "phải ≤ {le}",
    "greater_than_equal": "phải ≥ {ge}",
    "int_parsing": "cần số nguyên",
    "int_from_float": "cần số nguyên",
    "bool_parsing": "cần true hoặc false",
    "date_parsing": "cần ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "cần ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "cần ngày dạng YYYY-MM-DD",
    "literal_error": "phải là một trong: {expected}",
    "string_too_long": "dài quá {max_length} ký tự",
    "string_too_short": "không được để trống",
    "extra_forbidden": "không có trường này",
    "json_invalid": "nội dung JSON không đọc được",
    "model_attributes_type": "cần một đối tượng JSON",
    "string_type": "cần chuỗi ký tự",
}


def _pydantic_reason(error: dict[str, Any]) -> str:
    """Vietnamese for a pydantic error, falling back to its English message."""
    template = _PYDANTIC.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", "giá trị không hợp lệ"))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(error.get("msg", "giá trị không hợp lệ"))


def _request_validation(exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ())]
    param = loc[1] if len(loc) > 1 and loc[0] in ("query", "path", "header") else (
        ".".join(loc[1:]) if loc[:1] == ["body"] and len(loc) > 1 else (loc[-1] if loc else "request"))
    detail = f"Tham số '{param}' không hợp lệ: {_pydantic_reason(first)}"
    clean = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
              "type": str(e.get("type", ""))} for e in errors]
    return problem(422, "Tham số không hợp lệ", detail, "bad-parameter", param=param, errors=clean)


_HTTP_DETAIL = {
    404: "Không có địa chỉ này trong API (xem /docs)",
    405: "Phương thức này không được hỗ trợ ở địa chỉ này",
}


def _danvan(exc: DanvanError) -> JSONResponse:
    if isinstance(exc, NotFoundError):
        return problem(404, "Không tìm thấy", str(exc), "not-found")
    if isinstance(exc, AmbiguousError):
        return problem(409, "Tên chưa rõ: khớp với nhiều mục", str(exc), "ambiguous",
                       candidates=exc.candidates)
    if isinstance(exc, ValidationError):
        return _validation(exc)
    if isinstance(exc, StoreUnavailable | AuthError):
        log.warning("store unavailable: %s", exc)
        return problem(503, "Kho dữ liệu tạm thời không truy cập được",
                       f"Không kết nối được kho dữ liệu; hãy thử lại sau. ({exc})",
                       "store-unavailable", headers={"Retry-After": "30"})
    if isinstance(exc, SheetTooLarge):  # size → 413; rows or columns → 422 (a small file)
        status = 413 if exc.limit in ("bytes", "unpacked") else 422
        return problem(status, "Tệp vượt giới hạn", str(exc), "too-large", limit=exc.limit)
    if isinstance(exc, LoadError):
        return problem(422, "Dữ liệu không đọc được", str(exc), "load-error")
    if isinstance(exc, StorageFull):
        log.error("store full: %s", exc)
        return problem(507, "Ổ đĩa lưu dữ liệu đã đầy",
                       "Ổ đĩa của kho dữ liệu đã đầy nên không ghi được; chưa có gì được ghi. Hãy báo "
                       f"người quản trị giải phóng dung lượng rồi thử lại. ({exc})", "storage-full")
    if isinstance(exc, StoreError):
        log.error("store error: %s", exc)
        return problem(500, "Kho dữ liệu báo lỗi", str(exc), "store-error")
    return problem(400, "Yêu cầu không hợp lệ", str(exc), "bad-request")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(DanvanError)
    async def _on_danvan(request: Request, exc: DanvanError) -> JSONResponse:
        return _danvan(exc)

    @app.exception_handler(ApiProblem)
    async def _on_problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, exc.kind, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _on_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _request_validation(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to a body it cannot decode (not UTF-8); bad JSON syntax is a 422.
            return problem(422, "Tham số không hợp lệ", "Nội dung gửi lên không đọc được "
                           "(cần JSON, UTF-8)", "bad-parameter", param="body")
        phrase = http.HTTPStatus(exc.status_code).phrase
        detail = _HTTP_DETAIL.get(exc.status_code, str(exc.detail or phrase))
        return problem(exc.status_code, phrase, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _on_bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "Lỗi máy chủ", "Lỗi không mong đợi; đã ghi lại để xử lý.", "server-error")
