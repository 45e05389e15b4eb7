"""The JSON endpoints under /api/v1, generated from the query catalogue.

Each read endpoint is one catalogued query: its query-string parameters (types,
defaults, bounds, choices, help) are taken from the query's ``Param`` list when
the router is built, so /docs always matches what ``danvan query`` accepts.
Tabular endpoints also answer ``?format=csv``.

    GET  /api/v1/health                          store kind and size
    GET  /api/v1/assignments?plan=&unit=&…       who helps which village   (csv)
    GET  /api/v1/directives?number=&issuer=&kind=                          (csv)
    GET  /api/v1/directives/{id}/lineage?depth=
    GET  /api/v1/models?unit=&village=&…                                   (csv)
    GET  /api/v1/places?level=&name=&code=, /api/v1/places/{id}             (csv)
    GET  /api/v1/villages/{id}, /api/v1/units/{id}   profiles
    GET  /api/v1/coverage?plan=&district=&commune=   (csv: unhelped villages)
    GET  /api/v1/search?q=&type=&limit=                                     (csv)
    GET  /api/v1/entities/{id}, /api/v1/entities/{id}/neighbourhood
    GET  /api/v1/path?…, /api/v1/statistics?plan=&document=
    GET  /api/v1/queries, /api/v1/queries/{name}?…   the catalogue, and any query
    POST /api/v1/assignments                     (Authorization: Bearer token)

>>> sorted(e.query for e in ENDPOINTS)[:3]
['assignments', 'coverage', 'directive_lineage']
"""

from __future__ import annotations

import datetime as dt
import inspect
import keyword
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, Security
from fastapi.responses import JSONResponse

from danvan.api import models as m
from danvan.api.auth import bearer, require_writer
from danvan.api.csv_export import Column, csv_response
from danvan.api.problems import PROBLEM_JSON, ApiProblem
from danvan.graph.audit import acting
from danvan.graph.schema import load_schema
from danvan.graph.store import Store
from danvan.graph.types import Edge
from danvan.loaders.spreadsheets.sheet_limits import SheetLimits, check_size
from danvan.queries.catalogue import CATALOGUE, MAX_LIMIT, Param, QuerySpec, run

__all__ = ["ENDPOINTS", "Endpoint", "build_router", "write_assignment"]

API_SOURCE = "source-api"
API_EVIDENCE = f"{API_SOURCE}#0-0"


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": m.Problem.model_json_schema()}}}


READ_ERRORS: dict[int | str, dict[str, Any]] = {
    404: _problem("Không tìm thấy (id hoặc tên không khớp)"),
    409: _problem("Tên khớp nhiều mục: xem candidates"),
    422: _problem("Tham số không hợp lệ: xem param"),
    503: _problem("Kho dữ liệu không truy cập được"),
}


# csv --------------------------------------------------------------------------------------
def _label_vi(label: Any) -> str:
    labels = load_schema().labels
    for name, spec in labels.items():
        if isinstance(label, str) and label.lower() == name.lower():
            return spec.display
    return str(label or "")


def _assignment_rows(result: Any) -> list[dict[str, Any]]:
    return [{**i, "fields": sorted({mo.get("field") for mo in i.get("models") or [] if mo.get("field")})}
            for i in result["items"]]


def _model_rows(result: Any) -> list[dict[str, Any]]:
    def communes(item: dict[str, Any]) -> list[str]:
        names = (v.get("commune") for v in item.get("villages") or [] if isinstance(v, dict))
        return sorted({c.get("name") if isinstance(c, dict) else c for c in names if c})

    return [{**i, "communes_vi": communes(i)} for i in result["items"]]


def _place_rows(result: Any) -> list[dict[str, Any]]:
    return [{**i, "level_vi": _label_vi(i.get("level"))} for i in result["items"]]


def _search_rows(result: Any) -> list[dict[str, Any]]:
    return [{**i, "type_vi": _label_vi(i.get("type"))} for i in result["items"]]


@dataclass(frozen=True)
class CsvSpec:
    """How a result becomes a spreadsheet: file name, columns, which rows."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[Any], list[dict[str, Any]]] = lambda result: list(result["items"])
    qualifiers: tuple[str, ...] = ("plan", "unit", "village", "commune", "district", "q")
    # The catalogued query giving every row without paging; None: the endpoint's own, at its
    # largest page (``limit``'s maximum).
    query: str | None = None


ASSIGNMENT_CSV = CsvSpec("phan-cong", (
    ("Đơn vị", ("unit",)), ("Thôn/làng", ("village",)), ("Xã", ("commune",)),
    ("Xã cũ", ("former_commune",)), ("Huyện", ("district",)), ("Địa bàn được giúp", ("target",)),
    ("Kế hoạch", ("plan",)),
    ("Mô hình", ("models",)), ("Lĩnh vực", ("fields",)), ("Từ ngày", ("from",)),
    ("Đến ngày", ("until",)), ("Số hộ", ("households",)), ("Dữ liệu mô phỏng", ("synthetic",)),
    ("Mã phân công", ("id",))), _assignment_rows, query="assignment_sheet")
DIRECTIVE_CSV = CsvSpec("van-ban", (
    ("Số, ký hiệu", ("number", "ref")), ("Loại văn bản", ("kind",)), ("Ngày ban hành", ("date",)),
    ("Cơ quan ban hành", ("issuer",)), ("Trích yếu", ("title",)), ("Mã", ("id",))),
    qualifiers=("number", "issuer", "kind"))
MODEL_CSV = CsvSpec("mo-hinh", (
    ("Mô hình", ("name",)), ("Lĩnh vực", ("field", "category")),
    ("Đơn vị", ("units", "unit", "owners", "owner", "scope")), ("Thôn/làng", ("villages", "village")),
    ("Xã", ("communes_vi", "communes", "commune")), ("Địa bàn", ("places",)),
    ("Kế hoạch", ("plans", "plan")), ("Năm", ("year",)), ("Số hộ", ("households",)),
    ("Đạt hiệu quả", ("effective",)), ("Mã", ("id",))), _model_rows,
    qualifiers=("plan", "unit", "village", "commune", "district", "category"))
PLACE_CSV = CsvSpec("dia-ban", (
    ("Cấp", ("level_vi",)), ("Tên", ("name",)), ("Mã hành chính", ("official_code", "code")),
    ("Trực thuộc", ("parent",)), ("Sáp nhập vào", ("successor",)), ("Tên khác", ("aliases",)),
    ("Mã", ("id",))), _place_rows, qualifiers=("level", "name", "code"))
SEARCH_CSV = CsvSpec("tim-kiem", (
    ("Loại", ("type_vi",)), ("Tên", ("name",)), ("Điểm", ("score",)), ("Mã", ("id",))),
    _search_rows, qualifiers=("q",))
UNHELPED_CSV = CsvSpec("thon-chua-co-don-vi-giup", (
    ("Thôn/làng", ("name",)), ("Xã", ("commune",)), ("Xã cũ", ("former_commune",)),
    ("Mã thôn", ("id",))),
    lambda result: list(result["villages_unhelped"]), qualifiers=("plan", "district", "commune"))


# endpoints --------------------------------------------------------------------------------
class QueryJSON(JSONResponse):
    """A catalogue answer as JSON, encoded by orjson (10× the stdlib on 200 assignments: 0.13 ms).

    >>> QueryJSON({"name": "Xã Đăk Ruồng", "n": 1}).body.decode()
    '{"name":"Xã Đăk Ruồng","n":1}'
    """

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


@dataclass(frozen=True)
class Endpoint:
    """A read endpoint backed by one catalogued query."""

    path: str
    query: str
    summary: str
    response_model: Any = None
    csv: CsvSpec | None = None
    tags: tuple[str, ...] = ("queries",)
    path_id: str | None = field(default=None)  # description of the {id} path parameter


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/assignments", "assignments", "Phân công giúp đỡ", m.AssignmentList, ASSIGNMENT_CSV,
             ("assignments",)),
    Endpoint("/directives", "directives", "Văn bản (chỉ thị, kế hoạch…)", m.DirectiveList,
             DIRECTIVE_CSV, ("directives",)),
    Endpoint("/directives/{id}/lineage", "directive_lineage", "Quan hệ thực hiện, căn cứ của văn bản",
             m.Lineage, None, ("directives",), "văn bản: id, số ký hiệu hoặc tên"),
    Endpoint("/models", "models", "Mô hình dân vận", m.ItemList, MODEL_CSV, ("models",)),
    Endpoint("/places", "places", "Địa bàn (tỉnh, huyện, xã, thôn)", m.PlaceList, PLACE_CSV,
             ("places",)),
    Endpoint("/places/{id}", "place", "Một địa bàn", m.Place, None, ("places",),
             "địa bàn: id hoặc tên"),
    Endpoint("/villages/{id}", "village_profile", "Hồ sơ thôn, làng", None, None, ("places",),
             "thôn, làng: id hoặc tên"),
    Endpoint("/units/{id}", "unit_profile", "Hồ sơ đơn vị", None, None, ("units",),
             "đơn vị: id hoặc tên"),
    Endpoint("/coverage", "coverage", "Độ bao phủ", m.Coverage, UNHELPED_CSV, ("coverage",)),
    Endpoint("/search", "search", "Tìm kiếm", m.SearchList, SEARCH_CSV, ("search",)),
    Endpoint("/entities/{id}", "entity", "Một thực thể, thuộc tính và nguồn", m.Entity, None,
             ("entities",), "id của thực thể, ví dụ commune-23488"),
    Endpoint("/entities/{id}/neighbourhood", "neighbourhood", "Vùng lân cận trong đồ thị",
             m.Neighbourhood, None, ("entities",), "id của thực thể"),
    Endpoint("/path", "path", "Đường nối hai thực thể", None, None, ("entities",)),
    Endpoint("/statistics", "figures", "Số liệu và chỉ tiêu", None, None, ("figures",)),
)


MAX_IMPORT_BYTES = SheetLimits().max_bytes  # the sheet's other limits are checked by import_file


async def _bounded_body(request: Request, limit: int, filename: str) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit`` bytes
    (from Content-Length, or while it streams in): an oversized upload is never held whole."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        check_size(int(declared), filename, SheetLimits(max_bytes=limit))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        check_size(size, filename, SheetLimits(max_bytes=limit))
        chunks.append(chunk)
    return b"".join(chunks)


def store_of(request: Request) -> Store:
    """The store the app was created with."""
    return request.app.state.store


def _unavailable(name: str) -> ApiProblem:
    return ApiProblem(404, "Truy vấn chưa có", f"Truy vấn '{name}' chưa có trong bản cài đặt này; "
                      f"các truy vấn hiện có: {', '.join(sorted(CATALOGUE))}", "query-not-available",
                      query=name)


def _python_name(name: str) -> str:
    safe = name if name.isidentifier() and not keyword.iskeyword(name) else ""
    return safe or "p_" + "".join(c if c.isalnum() else "_" for c in name)


def _annotation(p: Param) -> Any:
    extra: dict[str, Any] = {}
    kwargs: dict[str, Any] = {"description": p.help or None, "alias": p.name}
    if p.type == "int":
        kind: Any = int
        kwargs.update(ge=p.minimum, le=p.maximum)
    elif p.type == "bool":
        kind = bool
    elif p.type == "date":
        kind = dt.date
    elif p.type == "list":
        kind = list[str]
        if p.choices:
            extra["items"] = {"type": "string", "enum": list(p.choices)}
    else:
        kind = str
        kwargs["max_length"] = 200
        if p.choices:
            extra["enum"] = list(p.choices)
    if extra:
        kwargs["json_schema_extra"] = extra
    # Not Optional: a query string has no null; an absent parameter gets the default unchecked.
    return Annotated[kind, Query(**kwargs)]


def _id_param(spec: QuerySpec) -> str:
    """Which query parameter the ``{id}`` path segment fills."""
    names = [p.name for p in spec.params]
    if "id" in names:
        return "id"
    required = [p.name for p in spec.params if p.required]
    return required[0] if required else names[0]


def _signature(endpoint: Endpoint, spec: QuerySpec | None,
               id_target: str | None) -> tuple[inspect.Signature, dict[str, str]]:
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("request", kw, annotation=Request)]
    names: dict[str, str] = {}
    if endpoint.path_id:
        params.append(inspect.Parameter("path_id", kw, annotation=Annotated[
            str, Path(alias="id", description=endpoint.path_id, max_length=300)]))
    for p in spec.params if spec else ():
        if p.name == id_target:
            continue
        py = _python_name(p.name)
        names[py] = p.name
        default = inspect.Parameter.empty if p.required else p.default
        params.append(inspect.Parameter(py, kw, annotation=_annotation(p), default=default))
    if endpoint.csv:
        params.append(inspect.Parameter("format", kw, default="json", annotation=Annotated[
            Literal["json", "csv"], Query(description="json (mặc định) hoặc csv cho Excel")]))
    return inspect.Signature(params), names


def _make_read(endpoint: Endpoint) -> Callable[..., Any]:
    spec = CATALOGUE.get(endpoint.query)
    id_target = _id_param(spec) if spec and endpoint.path_id else None
    signature, names = _signature(endpoint, spec, id_target)

    def read(request: Request, **values: Any) -> Any:
        fmt = values.pop("format", "json")
        path_id = values.pop("path_id", None)
        if spec is None or endpoint.query not in CATALOGUE:
            raise _unavailable(endpoint.query)
        params = {names[k]: v for k, v in values.items() if v is not None}
        if id_target is not None:
            params[id_target] = path_id
        query = endpoint.query
        if fmt == "csv" and endpoint.csv is not None and endpoint.csv.query is not None \
                and "limit" not in request.query_params:  # a spreadsheet wants every row
            query = endpoint.csv.query
            accepted = {p.name for p in CATALOGUE[query].params}
            params = {k: v for k, v in params.items() if k in accepted}
        limit = next((p for p in spec.params if p.name == "limit"), None)
        if fmt == "csv" and limit is not None and "limit" not in request.query_params \
                and query == endpoint.query:
            result = _every_page(store_of(request), query, params, limit.maximum or 1000,
                                 paged=any(p.name == "offset" for p in spec.params))
        else:
            result = run(store_of(request), query, **params)
        if fmt == "csv" and endpoint.csv is not None:
            qualifiers = [str(params[q]) for q in endpoint.csv.qualifiers
                          if isinstance(params.get(q), str)][:2]
            return csv_response(endpoint.csv.rows(result), endpoint.csv.columns, endpoint.csv.name,
                                *qualifiers)
        # Rendered here, not re-validated against the response model: the catalogue's answers are
        # plain JSON values already, their shapes are pinned by the contract tests, and validating
        # 200 assignment items again cost more than the query (2–3 ms). The model still documents
        # the shape in /docs.
        return QueryJSON(result)

    vars(read)["__signature__"] = signature  # what FastAPI reads the parameters from
    read.__name__ = f"get_{endpoint.query}"
    read.__doc__ = spec.description if spec else f"(query '{endpoint.query}' not installed yet)"
    return read


def _responses(endpoint: Endpoint) -> dict[int | str, dict[str, Any]]:
    out = dict(READ_ERRORS)
    if endpoint.csv:
        out[200] = {"content": {"text/csv": {"schema": {"type": "string"}}},
                    "description": "JSON, or with format=csv a UTF-8 (BOM) spreadsheet"}
    return out


# catalogue ------------------------------------------------------------------------------
def query_info(spec: QuerySpec) -> dict[str, Any]:
    """The catalogue entry of one query as /api/v1/queries lists it."""
    dedicated = next((e.path for e in ENDPOINTS if e.query == spec.name), None)
    return {
        "name": spec.name, "title": spec.title, "description": spec.description,
        "params": [{"name": p.name, "type": p.type, "default": p.default, "help": p.help,
                    "required": p.required, "minimum": p.minimum, "maximum": p.maximum,
                    "choices": list(p.choices) if p.choices else None} for p in spec.params],
        "example": spec.example, "url": f"/api/v1/queries/{spec.name}",
        "endpoint": f"/api/v1{dedicated}" if dedicated else None,
    }


# writing --------------------------------------------------------------------------------
def write_assignment(store: Store, body: m.AssignmentIn) -> tuple[bool, dict[str, Any]]:
    """Resolve the names in ``body``, store the Assignment and SUPPORTS edge; (created, item)."""
    from danvan.queries.resolve import resolve

    unit = resolve(store, body.unit, load_schema().group("organisations"), param="unit")
    commune = resolve(store, body.commune, ["Commune"], param="commune") if body.commune else None
    if body.village:
        within = store.area({commune}) if commune else None
        target = resolve(store, body.village, ["Village"], within=within, param="village")
    elif commune:
        target = commune
    else:
        raise ApiProblem(422, "Tham số không hợp lệ", "Tham số 'village' không hợp lệ: cần thôn "
                         "(village) hoặc xã (commune) được giúp đỡ", "bad-parameter", param="village")
    plan = resolve(store, body.plan, ["Directive"], param="plan") if body.plan else None
    if body.from_ and body.until and body.until < body.from_:
        raise ApiProblem(422, "Tham số không hợp lệ", "Tham số 'until' không hợp lệ: đến ngày phải "
                         "sau từ ngày", "bad-parameter", param="until")
    schema = store.schema
    period = {"from": body.from_.isoformat() if body.from_ else None,
              "until": body.until.isoformat() if body.until else None}
    node = schema.node("Assignment", unit=unit, target=target, plan=plan, households=body.households,
                       note=body.note, sources=[API_EVIDENCE], **period)
    source = schema.node("Source", key="api", title="Nhập qua API danvan (POST /api/v1/assignments)",
                         kind="api")
    supports = [e for e in store.edges_of(unit, "out", ["SUPPORTS"]) if e.target == target]
    edge_props = {"sources": [API_EVIDENCE]} if supports else {
        "role": "support", "sources": [API_EVIDENCE], **{k: v for k, v in period.items() if v}}
    created = store.get(node.id) is None
    store.write([source, node], [Edge("SUPPORTS", unit, target, edge_props)])
    # As the assignments query shows it (legacy map, as before the map parameter existed).
    where = {"village": target} if body.village else {"commune": target}
    found = run(store, "assignments", unit=unit, **where, map="legacy", limit=MAX_LIMIT)["items"]
    item = next(i for i in found if i["id"] == node.id)
    return created, item


def _every_page(store: Store, query: str, params: dict[str, Any], page: int, paged: bool) -> Any:
    """A spreadsheet wants every row: the pages of a paged query (``offset``, ``total``) read
    one after another and joined; an unpaged one at its largest ``limit``."""
    params = {k: v for k, v in params.items() if k != "limit"}
    start = int(params.pop("offset", 0) or 0) if paged else 0
    first = run(store, query, **params, limit=page, **({"offset": start} if paged else {}))
    if not paged or not isinstance(first, dict) or "total" not in first:
        return first
    items = list(first["items"])
    while start + len(items) < first["total"]:
        more = run(store, query, **params, limit=page, offset=start + len(items))["items"]
        if not more:  # the store changed meanwhile: what was read is what there is
            break
        items += more
    return {**first, "items": items}


# router ---------------------------------------------------------------------------------
def build_router() -> APIRouter:
    """All /api/v1 routes, with parameters taken from the catalogue as it is now."""
    router = APIRouter()

    @router.get("/health", response_model=m.Health, tags=["meta"], summary="Tình trạng dịch vụ",
                responses={503: READ_ERRORS[503]})
    def health(request: Request) -> dict[str, Any]:
        """Store kind and size; 503 when the store cannot be reached."""
        store = store_of(request)
        counts = store.counts()
        return {"status": "ok", "store": store.kind, "nodes": counts["nodes"], "edges": counts["edges"]}

    @router.get("/queries", response_model=list[m.QueryInfo], tags=["meta"],
                summary="Danh mục truy vấn")
    def queries() -> list[dict[str, Any]]:
        """Every catalogued query with its parameters (types, defaults, help) and an example."""
        return [query_info(CATALOGUE[name]) for name in sorted(CATALOGUE)]

    @router.get("/queries/{name}", tags=["meta"], summary="Chạy một truy vấn bất kỳ",
                responses=READ_ERRORS)
    def run_query(request: Request, name: Annotated[str, Path(max_length=100)]) -> Any:
        """Run catalogued query ``name`` with the query-string parameters (see /api/v1/queries)."""
        if name not in CATALOGUE:
            raise _unavailable(name)
        params: dict[str, Any] = {}
        for key in request.query_params:
            values = request.query_params.getlist(key)
            params[key] = values if len(values) > 1 else values[0]
        return QueryJSON(run(store_of(request), name, **params))

    for endpoint in ENDPOINTS:
        router.add_api_route(
            endpoint.path, _make_read(endpoint), methods=["GET"], name=endpoint.query,
            response_model=endpoint.response_model, response_model_exclude_unset=True,
            summary=(CATALOGUE[endpoint.query].title if endpoint.query in CATALOGUE
                     else endpoint.summary),
            responses=_responses(endpoint), tags=list(endpoint.tags))

    @router.post("/assignments", status_code=201, response_model=m.AssignmentCreated,
                 response_model_exclude_unset=True, tags=["assignments"],
                 summary="Thêm phân công giúp đỡ (cần mã truy cập)",
                 dependencies=[Security(bearer), Depends(require_writer)],
                 responses={401: _problem("Thiếu hoặc sai mã truy cập"),
                            403: _problem("Mã truy cập chỉ có quyền xem, hoặc chức năng ghi đang tắt"),
                            **READ_ERRORS})
    def create_assignment(request: Request, response: Response,
                          body: Annotated[m.AssignmentIn, Body()]) -> dict[str, Any]:
        """Record that a unit helps a village (or commune) under a plan; names are resolved.

        The assignment and a SUPPORTS edge are stored with the API as their source
        (``source-api``). Posting the same unit, place and plan again updates it (200).
        """
        with acting(request.state.user.name, "api.assignment",
                    source="POST /api/v1/assignments", comment=body.note):
            created, item = write_assignment(store_of(request), body)
        response.status_code = 201 if created else 200
        response.headers["Location"] = f"/api/v1/entities/{item['id']}"
        return {"created": created, "assignment": item}

    @router.post("/imports", tags=["assignments"],
                 summary="Nhập bảng phân công từ tệp Excel/CSV (cần mã truy cập)",
                 dependencies=[Security(bearer), Depends(require_writer)],
                 responses={401: _problem("Thiếu hoặc sai mã truy cập"),
                            403: _problem("Mã truy cập chỉ có quyền xem, hoặc chức năng ghi đang tắt"),
                            413: _problem("Tệp quá lớn"),
                            422: _problem("Tệp hoặc dòng không hợp lệ; không có gì được ghi")},
                 openapi_extra={"requestBody": {"required": True, "content": {
                     "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                     "text/csv": {"schema": {"type": "string"}}}}})
    async def import_sheet(request: Request,
                           filename: Annotated[str, Query(min_length=1, max_length=200,
                                                          description="tên tệp, ví dụ phan-cong.xlsx")],
                           plan: Annotated[str | None, Query(max_length=200)] = None,
                           dry_run: bool = False) -> JSONResponse:
        """Import an assignment sheet sent as the request body (the file's bytes).

        Same rules as ``danvan import``: every row is checked and resolved, a dry run
        only reports, a real run writes all rows or none (422 with the row report when
        any row fails) and importing the same file again changes nothing.
        """
        from starlette.concurrency import run_in_threadpool

        from danvan.loaders.spreadsheets.load import import_file

        data = await _bounded_body(request, MAX_IMPORT_BYTES, filename)
        with acting(request.state.user.name, "api.import", source=f"POST /api/v1/imports {filename}"):
            report = await run_in_threadpool(import_file, store_of(request), data, filename, plan,
                                             dry_run)
        return JSONResponse(report.to_dict(), status_code=200 if report.ok else 422)

    return router
