"""The board's explorer: server-rendered Vietnamese pages over the same store and queries as the API.

    /                      search box and entry points (plans, districts and communes, units)
    /tim-kiem?q=           search, accent-insensitive
    /phan-cong             assignment table (filter, sort, CSV, Excel)  → /phan-cong.xlsx, /phan-cong.csv
    /thuc-the/{id}         any entity: properties, sources with evidence, links, per-label sections
    /bao-phu               coverage: villages nobody helps first, then overlaps; reported figures beside
    /ban-do                communes drawn from their official coordinates, coloured by helpers
    /graph, /graph.json    interactive graph (vis-network) of a plan, area, unit or node
    /static/{file}         this module's assets and vis-network, served locally

Every graph read goes through a catalogued query (``catalogue.run``: overview,
filter_choices, commune_map, lookup, entity_links, subgraph, commune_graph beside
assignments, coverage and search), so each is in the contract suite over both stores
and in benchmarks/pages.py. Everything the pages show is escaped by Jinja2; nothing is
loaded from outside.

>>> sorted(r.path for r in router.routes)[:3]
['/', '/ban-do', '/bao-phu']
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from danvan.api.csv_export import neutralise
from danvan.errors import AmbiguousError, DanvanError, NotFoundError, ValidationError
from danvan.graph.schema import load_schema
from danvan.graph.store import Store
from danvan.graph.types import Node
from danvan.queries.catalogue import run
from danvan.text import dmy, nfc

__all__ = ["ASSIGNMENT_COLUMNS", "router"]

router = APIRouter(include_in_schema=False)

NAV = (("/", "Trang chủ"), ("/phan-cong", "Phân công"), ("/bao-phu", "Bao phủ"),
       ("/ban-do", "Bản đồ"), ("/graph", "Đồ thị"))
FILTERS = ("plan", "district", "commune", "unit", "village", "field", "model", "include_implementing", "map")
FIELDS = load_schema().enum("Model", "field")
ASSIGNMENT_COLUMNS = ("Đơn vị giúp đỡ", "Địa bàn được giúp đỡ", "Cấp", "Xã", "Xã cũ", "Huyện", "Kế hoạch",
                      "Mô hình", "Lĩnh vực", "Từ ngày", "Đến ngày", "Số hộ", "Dữ liệu mô phỏng")
_HIDDEN_PROPS = {"sources", "text", "synthetic"}


# plumbing -------------------------------------------------------------------------------
@cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("danvan.api", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.globals["nav"] = NAV
    env.filters["qs"] = lambda d: urlencode({k: v for k, v in d.items() if v not in (None, "")})
    env.filters["dmy"] = dmy
    return env



def _store(request: Request) -> Store:
    return request.app.state.store


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    schema = _store(request).schema
    html = _env().get_template(template).render(
        request=request, path=request.url.path, labels=schema.labels, edges=schema.edges, **context)
    return HTMLResponse(html, status_code=status)


def _problem_page(request: Request, exc: DanvanError) -> HTMLResponse:
    if isinstance(exc, NotFoundError):
        status, title = 404, "Không tìm thấy"
    elif isinstance(exc, AmbiguousError):
        status, title = 409, "Tên chưa rõ, hãy chọn một mục"
    elif isinstance(exc, ValidationError):
        status, title = 422, "Giá trị không hợp lệ"
    else:
        status, title = 503, "Không đọc được dữ liệu"
    candidates = getattr(exc, "candidates", [])
    where = _where(_store(request), [c["id"] for c in candidates if c.get("id")]) if candidates else {}
    return _page(request, "problem.html", status, title=title, message=str(exc),
                 candidates=candidates, where=where)


def _params(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {k: nfc(request.query_params.get(k, "")).strip()[:200] for k in names
            if request.query_params.get(k, "").strip()}


def _node(item: dict[str, Any]) -> Node:
    """A node item of a page query as the templates read it (``.name``, ``.props``)."""
    return Node(item["label"], item["id"], item["props"])


def _lookup(store: Store, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(ids))
    return run(store, "lookup", ids=wanted)["items"] if wanted else {}


def _where(store: Store, ids: Iterable[str]) -> dict[str, str]:
    """``{id: "Xã A, Huyện B"}`` of the ids that are somewhere."""
    return {i: found["where"] for i, found in _lookup(store, ids).items() if found["where"]}


def _plan_names(store: Store, items: list[dict[str, Any]]) -> dict[str, str]:
    found = _lookup(store, (i["plan"]["id"] for i in items if i.get("plan")))
    return {i: (n.props.get("ref") or n.name) for i, n in ((i, _node(f)) for i, f in found.items())}


def _assignments(store: Store, params: dict[str, str], every: bool = False) -> dict[str, Any]:
    """The table's rows (its first 1,000), or with ``every`` all of them (the downloads)."""
    result = (run(store, "assignment_sheet", **params) if every
              else run(store, "assignments", **params, limit=1000))
    plans = _plan_names(store, result["items"])
    for item in result["items"]:
        if item.get("plan"):
            item["plan"]["ref"] = plans.get(item["plan"]["id"], item["plan"].get("number"))
    return result


def _assignment_cells(item: dict[str, Any]) -> list[Any]:
    target = item["target"]
    level = {"Village": "Thôn, làng", "Commune": "Xã", "District": "Huyện"}.get(target.get("level"), "")
    return [item["unit"]["name"], target["name"], level, (item.get("commune") or {}).get("name", ""),
            (item.get("former_commune") or {}).get("name", ""),
            (item.get("district") or {}).get("name", ""), (item.get("plan") or {}).get("ref", ""),
            "; ".join(m["name"] or "" for m in item["models"]),
            "; ".join(sorted({m["field"] for m in item["models"] if m.get("field")})),
            _day(item.get("from")) or "", _day(item.get("until")) or "", item.get("households") or "",
            "có" if item.get("synthetic") else ""]


def _day(iso: str | None) -> dt.date | None:
    """A date cell: Excel shows it with the sheet's d/m/yyyy format and sorts it as a date."""
    return dt.date.fromisoformat(iso) if iso else None


def _safe_cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


# assets ---------------------------------------------------------------------------------
@cache
def _asset_dirs() -> tuple[Path, ...]:
    out = []
    for package in ("danvan.api", "danvan.visualisations"):
        folder = resources.files(package).joinpath("static")
        out.append(Path(str(folder)))
    return tuple(out)


@router.get("/static/{name}")
def static(name: str) -> Response:
    """A file from api/static or visualisations/static (no sub-folders, no '..')."""
    if "/" in name or "\\" in name or name.startswith("."):
        return Response("not found", status_code=404)
    for folder in _asset_dirs():
        path = folder / name
        if path.is_file():
            media = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
            return FileResponse(path, media_type=media.get(path.suffix, "application/octet-stream"),
                                headers={"Cache-Control": "public, max-age=86400"})
    return Response("not found", status_code=404)


# home and search ------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Search box and entry points by plan, by district and commune, by unit."""
    store = _store(request)
    map_ = page_map(request)
    found = run(store, "overview", map=map_)
    scopes = found["scopes"]
    return _page(request, "home.html", plans=[_node(p) for p in found["plans"]],
                 plan_counts={p["id"]: p["assignments"] for p in found["plans"]},
                 units=[_node(u) for u in found["units"]],
                 unit_counts={u["id"]: u["assignments"] for u in found["units"]},
                 districts=[_node(d) for d in scopes], map=map_, maps=MAPS,
                 helpers={c["id"]: c["helpers"] for d in scopes for c in d["communes"]},
                 communes={d["id"]: [_node(c) for c in d["communes"]] for d in scopes},
                 directives=[_node(d) for d in found["directives"]], counts={"labels": found["labels"]})


@router.get("/tim-kiem", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    """Search results: names with or without accents."""
    store = _store(request)
    q = nfc(request.query_params.get("q", "")).strip()[:200]
    items: list[dict[str, Any]] = []
    if q:
        items = run(store, "search", q=q, limit=50)["items"]
    return _page(request, "search.html", q=q, items=items, where=_where(store, [i["id"] for i in items]))


# assignments ----------------------------------------------------------------------------
@router.get("/phan-cong", response_class=HTMLResponse)
def assignments_page(request: Request) -> HTMLResponse:
    """Who helps which village under which plan: filterable, sortable, exportable."""
    store = _store(request)
    params = _params(request, FILTERS)
    try:
        result = _assignments(store, params)
    except DanvanError as exc:
        return _problem_page(request, exc)
    choices = run(store, "filter_choices")
    return _page(request, "assignments.html", params=params, items=result["items"], maps=MAPS,
                 total=result["total"], plans=[_node(p) for p in choices["plans"]], fields=FIELDS,
                 districts=[_node(d) for d in choices["districts"]],
                 graph_params={k: v for k, v in params.items() if k in ("plan", "district",
                                                                         "commune", "unit")},
                 synthetic=any(i["synthetic"] for i in result["items"]))


@router.get("/phan-cong.csv")
def assignments_csv(request: Request) -> Response:
    """The assignment table as CSV: the API's export, with the same filters."""
    query = urlencode({**_params(request, FILTERS), "format": "csv"})
    return RedirectResponse(f"/api/v1/assignments?{query}", status_code=307)


@router.get("/phan-cong.xlsx")
def assignments_xlsx(request: Request) -> Response:
    """The assignment table as an Excel workbook: bold header, autofilter, widths, frozen header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    store = _store(request)
    params = _params(request, FILTERS)
    try:
        result = _assignments(store, params, every=True)
    except DanvanError as exc:
        return _problem_page(request, exc)
    book = Workbook()
    sheet = book.active
    sheet.title = "Phân công giúp đỡ"
    sheet.append(list(ASSIGNMENT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    rows = [_assignment_cells(i) for i in result["items"]]
    for row in rows:
        sheet.append([_safe_cell(c) for c in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "d/m/yyyy"
    for col, header in enumerate(ASSIGNMENT_COLUMNS, start=1):
        width = max([len(header), *(len(str(r[col - 1])) for r in rows)])
        sheet.column_dimensions[get_column_letter(col)].width = min(60, width + 2)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(ASSIGNMENT_COLUMNS))}{len(rows) + 1}"
    sheet.freeze_panes = "A2"
    if params:
        info = book.create_sheet("Bộ lọc")
        info.append(["Bộ lọc", "Giá trị"])
        for key, value in params.items():
            info.append([key, _safe_cell(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="phan-cong.xlsx"'})


# entity pages ---------------------------------------------------------------------------
def _shown_props(spec: Any, props: dict[str, Any], others: dict[str, Node]) -> list[tuple[Any, Any, Any]]:
    """(name, value, linked node) of each property as a person reads it."""
    out = []
    for key, value in props.items():
        if key in _HIDDEN_PROPS or value in (None, "", []):
            continue
        prop = spec.properties.get(key)
        if key == "text" or (prop and prop.type == "ref" and value in others):
            target = others.get(value)
            out.append((prop.display if prop else key, value if target is None else None, target))
            continue
        if key == "era":
            value = "trước sáp nhập 2025" if value == "legacy" else "sau sáp nhập 2025"
        elif prop and prop.enum_display:
            value = prop.shown(value)
        elif prop and prop.type == "date":
            value = dmy(value)
        elif isinstance(value, bool):
            value = "có" if value else "không"
        elif isinstance(value, list):
            value = "; ".join(map(str, value))
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append((prop.display if prop else key, value, None))
    return out


@router.get("/thuc-the/{node_id}", response_class=HTMLResponse)
def entity_page(request: Request, node_id: str) -> HTMLResponse:
    """One entity: properties, sources with evidence, links onward, per-label sections."""
    store = _store(request)
    try:
        found = run(store, "entity_links", id=node_id)
    except DanvanError as exc:
        return _problem_page(request, exc)
    node = _node(found["node"])
    others = {i: _node(n) for i, n in found["nodes"].items()}
    edges = found["edges"]
    spec = store.schema.labels[node.label]
    links: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for edge in edges:  # in key order
        if edge["source"] == node.id and edge["target"] in others:
            links[(edge["type"], "out")].append(others[edge["target"]])
        elif edge["target"] == node.id and edge["source"] in others:
            links[(edge["type"], "in")].append(others[edge["source"]])
    link_groups = []
    for (type_, direction), nodes in sorted(links.items()):
        verb = store.schema.edges[type_].display
        title = f"{verb} →" if direction == "out" else f"← {verb}"
        link_groups.append({"title": title, "type": type_, "direction": direction,
                            "nodes": sorted(nodes, key=lambda n: n.name)})
    section: dict[str, Any] = _succession_section(store, node, found["succession"])
    filter_key = {"Village": "village", "Commune": "commune", "District": "district",
                  "Unit": "unit", "PartyBody": "unit", "Directive": "plan",
                  "Model": "model"}.get(node.label)
    # A place is shown in its own map: a legacy commune's or district's page is its history.
    place_map = {"map": "legacy"} if node.label in ("Commune", "District") and \
        node.props.get("era", "legacy") == "legacy" else {}
    try:
        if filter_key:
            section["assignments"] = _assignments(store, {filter_key: node.id, **place_map})["items"]
            section["assignment_filter"] = {filter_key: node.id, **place_map}
        if node.label in ("Commune", "District"):
            section["coverage"] = run(store, "coverage", **{node.label.lower(): node.id}, **place_map)
    except DanvanError as exc:
        section["error"] = str(exc)
    if node.label == "Directive":
        for side, rows in found["lineage"].items():
            section[side] = [(r["depth"], _node(r["node"]), r["type"]) for r in rows]
        stats = [others[e["source"]] for e in edges if e["type"] == "MEASURES" and e["target"] == node.id
                 and e["source"] in others]
        section["statistics"] = sorted(stats, key=lambda n: n.id)
    if node.label == "Source":
        text = node.props.get("text")
        section["text"] = text or ""
    names = found["names"]
    neighbours = {e["target"] if e["source"] == node.id else e["source"] for e in edges}
    return _page(request, "entity.html", node=node, spec=spec, props=_shown_props(spec, node.props, others),
                 names=names, title=names.get(node.id, node.name), sources=found["sources"],
                 link_groups=link_groups, section=section,
                 graph_url="/graph?" + urlencode({"focus": node.id, "depth": 1 if
                                                   len(neighbours) > 40 else 2}))


def _succession_section(store: Store, node: Node, found: dict[str, Any]) -> dict[str, Any]:
    """Where a place stands across the 1 July 2025 reform (see the ``entity_links`` query).

    A 2025 commune's predecessors carry how many assignments each has (legacy map).
    """
    out: dict[str, Any] = {}
    if "via" in found:
        out["via"] = _node(found["via"])
    if "successors" in found:
        out["successors"] = [{"node": _node(r["node"]), "partial": r["partial"],
                              "province": _node(r["province"]) if r["province"] else None}
                             for r in found["successors"]]
    if "predecessors" in found:
        out["predecessors"] = [
            {"node": _node(r["node"]), "partial": r["partial"],
             "assignments": run(store, "assignments", commune=r["node"]["id"], map="legacy",
                                limit=1)["total"] if node.label == "Commune" else 0}
            for r in found["predecessors"]]
    return out


# coverage -------------------------------------------------------------------------------
@router.get("/bao-phu", response_class=HTMLResponse)
def coverage_page(request: Request) -> HTMLResponse:
    """Villages nobody helps first, then villages several units overlap on, with the reports' figures."""
    store = _store(request)
    params = _params(request, ("plan", "district", "commune", "map"))
    try:
        result = run(store, "coverage", **params, limit=5000)
    except DanvanError as exc:
        return _problem_page(request, exc)
    docs = {i: _node(d) for i, d in _lookup(store, (s["document"] for s in result.get("reported", [])
                                                    if s.get("document"))).items()}
    choices = run(store, "filter_choices")
    where = _where(store, [u["id"] for u in result.get("units_spread", [])])
    return _page(request, "coverage.html", params=params, c=result, docs=docs, maps=MAPS, where=where,
                 plans=[_node(p) for p in choices["plans"]],
                 districts=[_node(d) for d in choices["districts"]])


# map ------------------------------------------------------------------------------------
MAPS = (("2025", "Sau sáp nhập 2025"), ("legacy", "Trước 1/7/2025"))


def page_map(request: Request) -> str:
    """The administrative map a page shows: ``?map=`` (``?era=`` in older links), 2025 by default."""
    value = request.query_params.get("map") or request.query_params.get("era") or "2025"
    return value if value in ("2025", "legacy") else "2025"


def _colour(n: int) -> str:
    if n == 0:
        return "#e57373"
    return ("#c7e9c0", "#74c476", "#31a354", "#006d2c")[min(3, (n - 1) // 2)]


def map_points(found: dict[str, Any], width: int = 900, height: int = 640, pad: int = 60
               ) -> dict[str, Any]:
    """The communes of a ``commune_map`` answer projected onto an SVG canvas (equirectangular, north up).

    >>> c = {"id": "c", "name": "Xã A", "lat": 14.5, "lon": 108.0, "scope": None, "helpers": 3,
    ...      "villages": 5, "villages_helped": 2, "former": [], "synthetic": False}
    >>> p = map_points({"communes": [c]})["points"][0]
    >>> (p["x"], p["y"], p["colour"])
    (60.0, 60.0, '#74c476')
    """
    communes = found["communes"]
    if not communes:
        return {"points": [], "width": width, "height": height, "scopes": []}
    lats = [c["lat"] for c in communes]
    lons = [c["lon"] for c in communes]
    mid = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * mid, 1e-3)
    span_y = max(max(lats) - min(lats), 1e-3)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    points = []
    for c in communes:
        n = c["helpers"]
        x = pad + (c["lon"] - min(lons)) * mid * scale
        y = pad + (max(lats) - c["lat"]) * scale
        points.append({"id": c["id"], "name": c["name"], "x": round(x, 1), "y": round(y, 1), "helpers": n,
                       "colour": _colour(n), "r": 7 + min(n, 10) * 1.2,
                       "district": (c["scope"] or {}).get("name", ""), "villages": c["villages"],
                       "villages_helped": c["villages_helped"], "former": c["former"],
                       "synthetic": c["synthetic"]})
    used_h = (max(lats) - min(lats)) * scale + 2 * pad
    return {"points": points, "width": width, "height": max(240, round(used_h))}


@router.get("/ban-do", response_class=HTMLResponse)
def map_page(request: Request) -> HTMLResponse:
    """Communes at their official coordinates, coloured by how many units help there."""
    store = _store(request)
    era = page_map(request)
    district = request.query_params.get("district") or None
    province = request.query_params.get("province") or None
    data = map_points(run(store, "commune_map", map=era, district=district, province=province))
    legend = [("Chưa có đơn vị giúp đỡ", _colour(0)), ("1–2 đơn vị", _colour(1)),
              ("3–4 đơn vị", _colour(3)), ("5–6 đơn vị", _colour(5)), ("7 đơn vị trở lên", _colour(7))]
    choices = run(store, "filter_choices")
    # What the map can be narrowed to: legacy districts, or 2025 provinces.
    scopes = [_node(d) for d in choices["provinces_2025" if era == "2025" else "districts"]]
    return _page(request, "map.html", m=data, era=era, maps=MAPS, district=district,
                 province=province, legend=legend, scopes=scopes)


# graph ----------------------------------------------------------------------------------
def _graph_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = _params(request, ("plan", "district", "commune", "unit", "focus", "all"))
    depth = request.query_params.get("depth", "1")
    if not depth.isdigit() or not 0 <= int(depth) <= 4:
        raise ValidationError("graph", "depth", "phải là số từ 0 đến 4")
    params["depth"] = int(depth)
    return params


@router.get("/graph", response_class=HTMLResponse)
def graph_page(request: Request) -> HTMLResponse:
    """The interactive graph page; the header ``X-Graph-Nodes`` says how many nodes it carries."""
    from danvan.visualisations.graphview import graph_view, layered_view, render_page

    store = _store(request)
    try:
        params = _graph_params(request)
        everything = params.pop("all", None)
        # With nothing chosen the page opens on one commune in layers (the whole demo store is a
        # 2,090-node hairball); the page offers to widen from there, up to everything (all=1).
        view = None if everything or len(params) > 1 else layered_view(store)
        if view is None:
            view = graph_view(store, **params)
    except DanvanError as exc:
        return _problem_page(request, exc)
    html = render_page(view, standalone=False, asset_url="/static/vis-network.min.js", api=True,
                       nav=NAV)
    meta = view.data["meta"]
    return HTMLResponse(html, headers={"X-Graph-Nodes": str(meta["shown"]),
                                       "X-Graph-Edges": str(meta["edges"]),
                                       "X-Graph-Total": str(meta["total"])})


@router.get("/graph.json")
def graph_json(request: Request) -> Response:
    """The same data the page draws (used to expand a node when the API has no neighbourhood)."""
    from danvan.visualisations.graphview import graph_view

    store = _store(request)
    try:
        params = _graph_params(request)
        params.pop("all", None)
        view = graph_view(store, **params)
    except DanvanError as exc:
        return JSONResponse({"title": type(exc).__name__, "detail": str(exc)}, status_code=404
                            if isinstance(exc, NotFoundError) else 422)
    data = view.data
    return JSONResponse({"nodes": data["nodes"], "edges": data["edges"], "meta": data["meta"]})
