"""assignments — who helps which village (or commune) under which plan, with models and period.

Filters resolve names with or without accents; a 2025 commune or province
covers the legacy units it succeeded; ``include_implementing`` widens a plan to
the plans that implement it.

>>> from danvan.queries.catalogue import CATALOGUE
>>> CATALOGUE["assignments"].example
{'plan': '133-KH/TU'}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from danvan.graph.sources import parse_source_ref
from danvan.queries.base import (
    FIELDS,
    ORG_LABELS,
    doc_number,
    summary,
)
from danvan.queries.maps import LEGACY, MAP_2025, map_commune, resolve_in_map, successors_of
from danvan.queries.resolve import resolve, resolve_many
from danvan.queries.spec import MAP_PARAM, MAX_LIMIT, Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader, Readable, ReadHandle

Filters = dict[str, set[str] | None]

__all__ = ["assignment_filters", "assignment_rows", "rows_successors", "shape_rows"]


PARAMS = (
    Param("plan", help="kế hoạch: id, số ký hiệu (133-KH/TU) hoặc tên"),
    Param("unit", help="đơn vị giúp đỡ: id hoặc tên"),
    Param("village", help="thôn, làng: id hoặc tên (kèm xã nếu trùng tên)"),
    Param("commune", help="xã (cũ hoặc sau sáp nhập 2025)"),
    Param("district", help="huyện"),
    Param("province", help="tỉnh (cũ hoặc sau sáp nhập 2025)"),
    Param("as_of", "date", help="chỉ các phân công còn hiệu lực vào ngày này (YYYY-MM-DD)"),
    Param("field", choices=FIELDS, help="lĩnh vực của mô hình"),
    Param("model", help="mô hình “Dân vận khéo”: id hoặc tên"),
    Param("include_implementing", "bool", False, help="gồm cả các kế hoạch thực hiện kế hoạch này"),
    MAP_PARAM,
    Param("limit", "int", 100, minimum=1, maximum=MAX_LIMIT),
    Param("offset", "int", 0, minimum=0),
)


def assignment_filters(store: Readable, p: dict[str, Any]) -> dict[str, set[str] | None]:
    """Resolve the user's filters to id sets (None = no filter).

    Province and commune names resolve in ``p["map"]`` first (default: legacy, as
    before the parameter existed): see :func:`danvan.queries.maps.resolve_in_map`.
    """
    map_ = p.get("map") or LEGACY
    units = plans = area = models = None
    if p.get("unit"):
        units = set(resolve_many(store, p["unit"], ORG_LABELS, param="unit"))
    if p.get("plan"):
        plans = set(resolve_many(store, p["plan"], ["Directive"], param="plan"))
        if p.get("include_implementing"):
            plans = store.descendants(plans)
    for level, label in (("province", "Province"), ("district", "District"),
                         ("commune", "Commune")):
        if p.get(level):
            ids = resolve_in_map(store, p[level], label, map_, within=area, param=level)
            area = store.area(ids)
            if label == "Province":  # 2025 communes name their province only as a property
                area |= store.area(_communes_2025_in(store, area))
    if p.get("village"):
        village = resolve(store, p["village"], ["Village"], within=area, param="village")
        area = {village}
    if p.get("model"):
        models = set(resolve_many(store, p["model"], ["Model"], param="model"))
    return {"units": units, "plans": plans, "targets": area, "models": models}


def _communes_2025_in(store: Readable, area: set[str]) -> set[str]:
    """The 2025 communes succeeding the legacy communes of ``area``."""
    communes = [i for i in area if i.startswith("commune-")]
    return {s for found in successors_of(store, communes).values() for s, _ in found
            if s.startswith("commune-")}


def _embedded_rows(snap: EmbeddedSnapshot, f: Filters) -> list[dict[str, Any]]:
    g, out_ids, in_ids = snap.graph, snap.out_ids, snap.in_ids
    if f["units"] is not None:
        candidates = {a for u in f["units"] if u in g for a in in_ids(u, "ASSIGNED_UNIT")}
    elif f["targets"] is not None:
        candidates = {a for t in f["targets"] if t in g for a in in_ids(t, "ASSIGNED_TO")}
    elif f["plans"] is not None:
        candidates = {a for p in f["plans"] if p in g for a in in_ids(p, "UNDER_PLAN")}
    elif f.get("models") is not None:
        candidates = {a for m in f["models"] or () if m in g for a in in_ids(m, "WITH_MODEL")}
    else:
        candidates = set(snap.ids_with_label("Assignment"))
    rows = []
    for a in sorted(candidates):
        unit, target = out_ids(a, "ASSIGNED_UNIT"), out_ids(a, "ASSIGNED_TO")
        if not unit or not target:
            continue
        u, t = unit[0], target[0]
        plan = out_ids(a, "UNDER_PLAN")
        if f["units"] is not None and u not in f["units"]:
            continue
        if f["targets"] is not None and t not in f["targets"]:
            continue
        if f["plans"] is not None and not (plan and plan[0] in f["plans"]):
            continue
        models = f.get("models")
        if models is not None and not models.intersection(out_ids(a, "WITH_MODEL")):
            continue
        node = lambda i: (i, g.nodes[i]["label"], g.nodes[i]["props"])  # noqa: E731
        t_label = g.nodes[t]["label"]
        commune = (t if t_label == "Commune" else
                   next(iter(out_ids(t, "PART_OF")), None) if t_label == "Village" else None)
        district = t if t_label == "District" else (
            next((d for d in out_ids(commune, "PART_OF")
                  if g.nodes[d]["label"] == "District"), None) if commune else None)
        rows.append({
            "id": a, "props": g.nodes[a]["props"], "unit": node(u), "target": node(t),
            "plan": node(plan[0]) if plan else None,
            "commune": node(commune) if commune else None,
            "district": node(district) if district else None,
            "models": [node(m) for m in out_ids(a, "WITH_MODEL")],
        })
    return rows


# The first filter given picks the candidates through the id index, as the embedded
# store does; the WHERE clauses below still apply every filter. The hint asks for a seek:
# a plain ``USING INDEX`` is also met by a scan of the whole index filtered by id, which
# the planner chose here (2,090 index entries read for one plan), as it did before the
# hint with statistics stale after a bulk load or clear.
_SEEK = "UNWIND ${} AS i MATCH (x:Entity {{id: i}}) USING INDEX SEEK x:Entity(id) "
_START = {
    "units": _SEEK.format("units") + "MATCH (x)<-[:ASSIGNED_UNIT]-(a:Assignment) WITH DISTINCT a",
    "targets": _SEEK.format("targets") + "MATCH (x)<-[:ASSIGNED_TO]-(a:Assignment) WITH DISTINCT a",
    "plans": _SEEK.format("plans") + "MATCH (x)<-[:UNDER_PLAN]-(a:Assignment) WITH DISTINCT a",
    "models": _SEEK.format("models") + "MATCH (x)<-[:WITH_MODEL]-(a:Assignment) WITH DISTINCT a",
}

# The assignment with all its properties (exports read its note); the nodes around it
# with only the properties shape_rows reads: the names of the unit and the places, the
# plan's document number, a model's name and field (not, say, the plan's long title on
# every row: a quarter less to send and decode for 133-KH/TU).
_CYPHER = """
MATCH (a)-[:ASSIGNED_UNIT]->(u)
MATCH (a)-[:ASSIGNED_TO]->(t)
WHERE ($units IS NULL OR u.id IN $units) AND ($targets IS NULL OR t.id IN $targets)
OPTIONAL MATCH (a)-[:UNDER_PLAN]->(p)
WITH a, u, t, p WHERE $plans IS NULL OR p.id IN $plans
OPTIONAL MATCH (a)-[:WITH_MODEL]->(m)
WITH a, u, t, p, collect(m) AS models
WHERE $models IS NULL OR any(m IN models WHERE m.id IN $models)
OPTIONAL MATCH (t)-[:PART_OF]->(tc:Commune)
WITH a, u, t, p, models, CASE WHEN t:Commune THEN t WHEN t:Village THEN tc END AS c
OPTIONAL MATCH (c)-[:PART_OF]->(cd:District)
WITH a, u, t, p, models, c, CASE WHEN t:District THEN t ELSE cd END AS d
RETURN a.id AS id, properties(a) AS props,
  [u.id, [l IN labels(u) WHERE l <> 'Entity'][0], u {name}] AS unit,
  [t.id, [l IN labels(t) WHERE l <> 'Entity'][0], t {name}] AS target,
  CASE WHEN p IS NULL THEN null ELSE [p.id, 'Directive', p {{.ref, .number}}] END AS plan,
  CASE WHEN c IS NULL THEN null ELSE [c.id, 'Commune', c {name}] END AS commune,
  CASE WHEN d IS NULL THEN null ELSE [d.id, 'District', d {name}] END AS district,
  [m IN models | [m.id, 'Model', m {{.name, .field}}]] AS models
""".format(name="{.name, .title, .ref, .what, .description}")  # what display_name reads


_COLUMNS = ("id", "props", "unit", "target", "plan", "commune", "district", "models")


def _neo4j_rows(reader: Neo4jReader, f: Filters) -> list[dict[str, Any]]:
    params = {k: sorted(v) if v is not None else None for k, v in f.items()}
    params.setdefault("models", None)
    start = next((_START[k] for k in ("units", "targets", "plans", "models") if f.get(k) is not None),
                 "MATCH (a:Assignment)")
    rows = reader.read_many(start + _CYPHER, _COLUMNS, **params)
    for row in rows:
        row["props"] = {k: v for k, v in row["props"].items() if k != "id"}
        for key in ("unit", "target", "plan", "commune", "district"):
            if row[key] is not None:
                row[key] = _triple(row[key])
        row["models"] = sorted((_triple(m) for m in row["models"]), key=lambda m: m[0])
    return rows


def _triple(value: list[Any]) -> tuple[str, str, dict[str, Any]]:
    """``(id, label, props)`` without the nulls of keys a node lacks (Neo4j stores none)."""
    return value[0], value[1], {k: v for k, v in value[2].items() if v is not None}


def assignment_rows(store: Readable, f: Filters) -> list[dict[str, Any]]:
    """Raw assignment rows matching resolved filters, from either store (or a handle)."""
    with store.reading() as handle:
        return handle.fetch(_embedded_rows, _neo4j_rows, f=f)


def _ref(node: tuple[str, str, dict[str, Any]] | None, *extra: str) -> dict[str, Any] | None:
    if node is None:
        return None
    node_id, label, props = node
    out = {k: v for k, v in summary(node_id, label, props).items() if k != "label"}
    for key in extra:
        out[key] = props.get(key)
    return out


def shape_rows(rows: list[dict[str, Any]], p: dict[str, Any],
               successors: dict[str, list[tuple[str, str]]] | None = None) -> list[dict[str, Any]]:
    """The API's item shape, filtered by date and field, in a stable order.

    In the 2025 map (``p["map"]``; legacy when absent) ``commune`` is the target's
    commune in that map, found in ``successors`` (:func:`successors_of` of the rows'
    communes), and ``former_commune`` the legacy one it succeeded; rows are then
    ordered by commune instead of district.
    """
    map_ = p.get("map") or LEGACY
    items = []
    for row in rows:
        props = row["props"]
        start, until = props.get("from"), props.get("until")
        as_of = p.get("as_of")
        if as_of and ((start and start > as_of) or (until and until < as_of)):
            continue
        models = row["models"]
        if p.get("field") and not any(m[2].get("field") == p["field"] for m in models):
            continue
        t_label = row["target"][1]
        commune, former = map_commune(_ref(row["commune"]), map_, successors or {})
        items.append({
            "id": row["id"],
            "unit": _ref(row["unit"]),
            "target": {**(_ref(row["target"]) or {}), "level": t_label},
            "village": _ref(row["target"]) if t_label == "Village" else None,
            "commune": commune,
            "former_commune": former,
            "district": _ref(row["district"]),
            "plan": ({"id": row["plan"][0], "number": doc_number(row["plan"][2])
                      or row["plan"][2].get("ref")} if row["plan"] else None),
            "models": [{"id": m[0], "name": m[2].get("name"), "field": m[2].get("field")}
                       for m in models],
            "from": start, "until": until,
            "households": props.get("households"),
            "note": props.get("note"),
            "synthetic": bool(props.get("synthetic", False)),
            "sources": [parse_source_ref(s).to_dict() for s in props.get("sources", [])],
        })
    def name(ref: dict[str, Any] | None) -> str:
        return (ref or {}).get("name") or ""

    if map_ == MAP_2025:
        key = lambda i: (name(i["commune"]), name(i["former_commune"]), i["target"]["name"],  # noqa: E731
                         i["unit"]["name"], i["id"])
    else:
        key = lambda i: (name(i["district"]), name(i["commune"]), i["target"]["name"],  # noqa: E731
                         i["unit"]["name"], i["id"])
    return sorted(items, key=key)


def rows_successors(store: Readable, rows: list[dict[str, Any]], map_: str
                    ) -> dict[str, list[tuple[str, str]]]:
    """What :func:`shape_rows` needs to show ``rows`` in ``map_``: the successors of their communes."""
    if map_ != MAP_2025:
        return {}
    return successors_of(store, {r["commune"][0] for r in rows if r["commune"] is not None})


Successors = dict[str, list[tuple[str, str]]]


def _fetch(handle: ReadHandle, **p: Any) -> tuple[list[dict[str, Any]], Successors]:
    rows = assignment_rows(handle, assignment_filters(handle, p))
    return rows, rows_successors(handle, rows, p["map"])


def _shape(raw: tuple[list[dict[str, Any]], Successors], **p: Any) -> dict[str, Any]:
    rows, successors = raw
    items = shape_rows(rows, p, successors)
    return {"items": items[p["offset"]:p["offset"] + p["limit"]], "total": len(items)}


def _sheet_fetch(handle: ReadHandle, **p: Any) -> tuple[list[dict[str, Any]], Successors,
                                                        dict[str, str]]:
    rows, successors = _fetch(handle, **p)
    # The province each row's place is in: by district id (legacy rows) and by 2025 commune.
    places = handle.get_many({r["district"][0] for r in rows if r["district"] is not None}
                             | {s for found in successors.values() for s, _ in found}
                             | {r["commune"][0] for r in rows if r["commune"] is not None})
    provinces = handle.get_many({n.props["province"] for n in places.values() if n.props.get("province")})
    names = {i: provinces[n.props["province"]].name for i, n in places.items()
             if n.props.get("province") in provinces}
    return rows, successors, names


def _sheet_shape(raw: tuple[list[dict[str, Any]], Successors, dict[str, str]],
                 **p: Any) -> dict[str, Any]:
    rows, successors, provinces = raw
    items = shape_rows(rows, p, successors)
    return {"items": items, "total": len(items), "provinces": provinces}


ASSIGNMENT_SHEET = QuerySpec(
    name="assignment_sheet",
    title="Bảng phân công để xuất ra Excel: mọi dòng, kèm ghi chú và tỉnh",
    description="Every assignment matching the filters, without paging (what the assignments "
                "query pages through), each with its note, and the province of each place named: "
                "what `danvan export` writes in the import layout (today's map, with the former "
                "commune) and the .xlsx/.csv downloads of the assignment table give.",
    params=tuple(p for p in PARAMS if p.name not in ("limit", "offset")),
    example={"plan": "133-KH/TU"}, fetch=_sheet_fetch, shape=_sheet_shape, tags=("assignments",),
)

ASSIGNMENTS = QuerySpec(
    name="assignments",
    title="Phân công giúp đỡ: đơn vị nào giúp thôn, xã nào, theo kế hoạch nào",
    description="Who helps which village or commune under which plan, with models and period. "
                "Every filter takes an id, a number or a name with or without accents.",
    params=PARAMS, example={"plan": "133-KH/TU"}, fetch=_fetch, shape=_shape,
    tags=("assignments",),
)
QUERIES = (ASSIGNMENTS, ASSIGNMENT_SHEET)
