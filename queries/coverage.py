"""coverage — for a plan and/or an area: villages helped and not, overlaps, units, models, households.

A village counts as helped when an assignment (matching the plan filter)
targets it. Counts are comparable with what reports state ("52/58 đơn vị có
kế hoạch"): the plan's reported statistics are returned beside the computed ones.

Neither store builds the assignment items the ``assignments`` query shows: each
reads one compact tuple per matching assignment (the embedded store by walking
its graph, Neo4j in one read that also brings the villages, the plans' issuers
and the reported figures), and the figures are counted from those in shared code.

>>> from danvan.queries.catalogue import CATALOGUE
>>> [p.name for p in CATALOGUE["coverage"].params][:3]
['plan', 'province', 'district']
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from danvan.errors import StoreError
from danvan.graph.reading import ReadHandle
from danvan.queries.assignments import assignment_filters
from danvan.queries.base import display_name
from danvan.queries.maps import LEGACY, map_commune, successors_of
from danvan.queries.spec import MAP_PARAM, Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader

H = TypeVar("H", bound=ReadHandle)

__all__ = ["Row"]

NO_FIELD = "chưa xác định"

# One matching assignment: (unit, target, target label, commune or None, ((model, field), …),
# households, from, until). The commune is the target itself, or a village's commune.
Row = tuple[str, str, str, str | None, tuple[tuple[str, Any], ...], Any, Any, Any]
VillageRef = Callable[[str], dict[str, Any]]


@dataclass
class _Raw:
    """What a store reads for one coverage question; the figures are counted from it."""

    rows: list[Row]
    unit_props: dict[str, dict[str, Any]]  # name keys and scope of every unit in ``rows``
    villages: list[str]  # villages in the area, by id
    village_ref: VillageRef  # {"id", "name", "commune"} of one of them
    issuers: set[str] | None  # who issued the plans or plans implementing them (None: no plan)
    reported: list[dict[str, Any]] = field(default_factory=list)


def _keep(row_from: Any, row_until: Any, as_of: str | None) -> bool:
    return not as_of or not ((row_from and row_from > as_of) or (row_until and row_until < as_of))


def _reported_item(node_id: str, p: dict[str, Any]) -> dict[str, Any]:
    return {"id": node_id, "what": p.get("what"), "value": p.get("value"),
            "total": p.get("total"), "unit": p.get("unit"), "category": p.get("category"),
            "period": p.get("period"), "document": p.get("document")}


# embedded ------------------------------------------------------------------------------------
def _embedded(snap: EmbeddedSnapshot, f: dict[str, set[str] | None], as_of: str | None,
              implementing: bool) -> _Raw:
    if implementing and f["plans"] is not None:
        f = {**f, "plans": snap.descendants(f["plans"])}
    units_f, plans, targets = f["units"], f["plans"], f["targets"]
    succ, pred, node = snap.succ, snap.pred, snap.node
    # Compact records kept until the graph changes: one per assignment, village and unit.
    records = snap.memo("coverage.assignments")
    village_refs = snap.memo("coverage.villages")
    areas = snap.memo("coverage.areas")

    def commune_of(village: str) -> str | None:
        found = None
        for c, keys in succ[village].items():
            if "PART_OF" in keys and (found is None or c < found) and node[c]["label"] == "Commune":
                found = c
        return found

    def record(a: str) -> tuple[Row, str | None] | None:
        unit = target = plan = None
        model_ids = []
        for t, keys in succ[a].items():  # one pass; the lowest id of each type, as out_ids gives
            if "ASSIGNED_UNIT" in keys and (unit is None or t < unit):
                unit = t
            if "ASSIGNED_TO" in keys and (target is None or t < target):
                target = t
            if "UNDER_PLAN" in keys and (plan is None or t < plan):
                plan = t
            if "WITH_MODEL" in keys:
                model_ids.append(t)
        if unit is None or target is None:
            return None
        props = node[a]["props"]
        label = node[target]["label"]
        commune = target if label == "Commune" else commune_of(target) if label == "Village" else None
        models = tuple(sorted((m, node[m]["props"].get("field")) for m in model_ids))
        return (unit, target, label, commune, models, props.get("households"), props.get("from"),
                props.get("until")), plan

    anchor = next(((ids, t) for ids, t in ((units_f, "ASSIGNED_UNIT"), (targets, "ASSIGNED_TO"),
                                            (plans, "UNDER_PLAN")) if ids is not None), None)
    if anchor is None:
        candidates: Iterable[str] = snap.ids_with_label("Assignment")
    else:
        candidates = {a for x in anchor[0] if x in pred
                      for a, keys in pred[x].items() if anchor[1] in keys}
    rows: list[Row] = []
    for a in candidates:
        rec = records.get(a, False)
        if rec is False:
            rec = records[a] = record(a)
        if rec is None:
            continue
        row, plan = rec
        if ((units_f is not None and row[0] not in units_f)
                or (targets is not None and row[1] not in targets)
                or (plans is not None and plan not in plans)
                or (as_of and not _keep(row[6], row[7], as_of))):
            continue
        rows.append(row)
    unit_props = {r[0]: node[r[0]]["props"] for r in rows}
    area = targets
    if area is None and plans is not None:
        reach = frozenset(r[1] for r in rows)
        area = areas.get(reach)
        if area is None:
            area = areas[reach] = snap.area(reach)
    if area is None:
        villages = list(snap.ids_with_label("Village"))
    else:
        villages = sorted(i for i in area if i in node and node[i]["label"] == "Village")
    issuers = None
    if plans is not None:
        issuers = {u for d in snap.descendants(plans)
                   for u, keys in pred[d].items() if "ISSUES" in keys}
    reported = [_reported_item(s, node[s]["props"]) for p in (plans or ()) if p in pred
                for s, keys in pred[p].items() if "MEASURES" in keys]

    def village_ref(v: str) -> dict[str, Any]:  # called while the caller still holds the lock
        ref = village_refs.get(v)
        if ref is None:
            commune = commune_of(v)
            ref = village_refs[v] = (node[v]["props"].get("name"), commune,
                                     node[commune]["props"].get("name") if commune else None)
        name, commune, commune_name = ref
        return {"id": v, "name": name,
                "commune": {"id": commune, "name": commune_name} if commune else None}

    return _Raw(rows, unit_props, villages, village_ref, issuers, reported)


# neo4j ---------------------------------------------------------------------------------------
# One read answers the whole question (each round trip to the server costs more than the
# work): the plans (widened to those implementing them), one compact row per matching
# assignment with the lowest-id unit, target, plan and commune (as the embedded walk takes
# them), the villages of the area (given, or the plan's reach), who issued the plans and
# the figures reported on them. The first filter given picks the candidate assignments
# through the id index; the WHERE clauses apply every filter. Every id lookup is hinted
# ``USING INDEX SEEK``: a plain ``USING INDEX`` also allows a scan of the whole index
# filtered by id, which the planner chose for the issuers' lookup (63 plans × every
# node of the province: 130,000 index entries, most of the query's time).
# The plans' ids (``plans``, null without a plan filter) and their nodes (``plan_nodes``),
# which the later parts start from without looking them up again.
_PLANS = {
    "none": "WITH null AS plans, [] AS plan_nodes ",
    "given": "CALL { UNWIND $plans AS i MATCH (p:Entity {id: i}) USING INDEX SEEK p:Entity(id) "
             "RETURN collect(p) AS plan_nodes } WITH $plans AS plans, plan_nodes ",
    "implementing": "CALL { UNWIND $plans AS i MATCH (p:Entity {id: i}) USING INDEX SEEK p:Entity(id) "
                    "MATCH (d)-[:IMPLEMENTS*0..10]->(p) "
                    "RETURN collect(DISTINCT d.id) AS plans, collect(DISTINCT d) AS plan_nodes } ",
}
_SEEK = ("UNWIND {} AS i MATCH (x:Entity {{id: i}}) USING INDEX SEEK x:Entity(id) "
         "MATCH (x)<-[:{}]-(a:Assignment) WITH DISTINCT a, plans ")
_START = {"units": _SEEK.format("$units", "ASSIGNED_UNIT"),
          "targets": _SEEK.format("$targets", "ASSIGNED_TO"),
          "plans": "UNWIND plan_nodes AS x MATCH (x)<-[:UNDER_PLAN]-(a:Assignment) "
                   "WITH DISTINCT a, plans ",
          "all": "MATCH (a:Assignment) "}
# The lowest id of a list (reduce and pattern comprehensions: cheaper than ORDER BY … LIMIT 1
# subqueries, once per assignment).
_LOWEST = "reduce(m = null, x IN {} | CASE WHEN m IS NULL OR x{k} < m{k} THEN x ELSE m END)"
_ROWS = f"""
WITH a, plans,
     {_LOWEST.format("[(a)-[:ASSIGNED_UNIT]->(u) | u]", k=".id")} AS u,
     {_LOWEST.format("[(a)-[:ASSIGNED_TO]->(t) | t]", k=".id")} AS t,
     {_LOWEST.format("[(a)-[:UNDER_PLAN]->(p) | p.id]", k="")} AS plan
WHERE u IS NOT NULL AND t IS NOT NULL
  AND ($units IS NULL OR u.id IN $units) AND ($targets IS NULL OR t.id IN $targets)
  AND (plans IS NULL OR plan IN plans)
  AND ($as_of IS NULL OR NOT ((coalesce(a.from, '') <> '' AND a.from > $as_of)
                              OR (coalesce(a.until, '') <> '' AND a.until < $as_of)))
RETURN collect([u.id, t.id,
  CASE WHEN t:Village THEN 'Village' WHEN t:Commune THEN 'Commune'
       ELSE [l IN labels(t) WHERE l <> 'Entity'][0] END,
  [(a)-[:WITH_MODEL]->(m) | [m.id, m.field]],
  a.households, a.from, a.until]) AS rows,
  collect(DISTINCT u) AS units, collect(DISTINCT t) AS reach
"""
# A unit's properties as a list (no key names to send and decode for each of hundreds).
_UNIT_KEYS = ("name", "title", "ref", "what", "description", "scope")
_VILLAGE = ("RETURN collect([v.id, v.name, "
            + _LOWEST.format("[(v)-[:PART_OF]->(c:Commune) | [c.id, c.name]]", k="[0]")
            + "]) AS villages")
_VILLAGES = {
    # the plan's reach: its targets, what they succeeded, and every place inside them
    "reach": "WITH reach UNWIND reach AS p "
             "OPTIONAL MATCH (old)-[:SUCCEEDED_BY]->(p) "
             "WITH collect(p) + collect(old) AS roots UNWIND roots AS r "
             "MATCH (v:Village)-[:PART_OF*0..3]->(r) WITH DISTINCT v " + _VILLAGE,
    # (Entity:Village, not a WHERE on the label: with the hint, that plans an index scan;
    # SEEK: a plain USING INDEX also allows a scan of the whole index.)
    "targets": "UNWIND $targets AS i MATCH (v:Entity:Village {id: i}) USING INDEX SEEK v:Entity(id) "
               + _VILLAGE,
    "all": "MATCH (v:Village) " + _VILLAGE,
}
_TAIL = """
CALL {
  WITH plan_nodes UNWIND plan_nodes AS p
  MATCH (d)-[:IMPLEMENTS*0..10]->(p) MATCH (u)-[:ISSUES]->(d)
  RETURN collect(DISTINCT u.id) AS issuers
}
CALL {
  WITH plan_nodes UNWIND plan_nodes AS p
  MATCH (s)-[:MEASURES]->(p)
  RETURN collect([s.id, properties(s)]) AS reported
}
RETURN plans, rows, [u IN units | [u.id, [UNIT_KEYS]]] AS units, villages, issuers, reported
""".replace("UNIT_KEYS", ", ".join(f"u.{k}" for k in _UNIT_KEYS))


def _read_one(reader: Neo4jReader, cypher: str, **params: Any) -> dict[str, Any]:
    """The one record of a read (one auto-commit round trip, retried, and its change token
    reported to the name-cache check)."""
    rows = reader.read(cypher, **params)
    if len(rows) != 1:
        raise StoreError(f"coverage: expected one record, got {len(rows)}")
    return rows[0]


def _neo4j(store: Neo4jReader, f: dict[str, set[str] | None], as_of: str | None,
           implementing: bool) -> _Raw:
    params = {k: sorted(v) if v is not None else None for k, v in f.items()}
    plans = "none" if f["plans"] is None else "implementing" if implementing else "given"
    anchor = next((k for k in ("units", "targets", "plans") if f[k] is not None), "all")
    area = ("targets" if f["targets"] is not None else
            "reach" if f["plans"] is not None else "all")
    cypher = (_PLANS[plans] + "CALL { WITH plans, plan_nodes " + _START[anchor] + _ROWS + "} "
              "CALL { " + _VILLAGES[area] + " } " + _TAIL)
    r = _read_one(store, cypher, as_of=as_of, **params)
    villages = {v: (name, c) for v, name, c in r["villages"]}  # c: [id, name] or null

    def village_ref(v: str) -> dict[str, Any]:  # built for the few villages listed only
        name, c = villages[v]
        return {"id": v, "name": name, "commune": {"id": c[0], "name": c[1]} if c else None}

    # A village's commune is the one its ref names: every village a row targets is among
    # the villages read (the area is the targets given, the reach of the rows or every
    # village, and the rows are filtered by the targets), with the same lowest-id commune.
    def commune_of(t: str, label: str) -> str | None:
        if label == "Commune":
            return t
        if label == "Village":
            c = villages[t][1]
            return c[0] if c else None
        return None

    rows: list[Row] = [(u, t, label, commune_of(t, label),
                        tuple(sorted(map(tuple, models))) if models else (), h, start, until)
                       for u, t, label, models, h, start, until in r["rows"]]
    reported = [_reported_item(s, {k: v for k, v in p.items() if k != "id"})
                for s, p in r["reported"]]
    units = {u: dict(zip(_UNIT_KEYS, values, strict=True)) for u, values in r["units"]}
    return _Raw(rows, units, sorted(villages), village_ref,
                set(r["issuers"]) if r["plans"] is not None else None, reported)


# shared counting -----------------------------------------------------------------------------
def _in_map(store: ReadHandle, refs: list[dict[str, Any]], communes: set[str], map_: str
            ) -> tuple[list[dict[str, Any]], set[str]]:
    """Village refs and helped communes in ``map_``: in the 2025 map a village's commune is
    its legacy commune's successor (the legacy one kept as ``former_commune``)."""
    if map_ == LEGACY:
        return [{**r, "former_commune": None} for r in refs], communes
    succ = successors_of(store, communes | {r["commune"]["id"] for r in refs if r["commune"]})
    out = []
    for r in refs:
        commune, former = map_commune(r["commune"], map_, succ)
        out.append({**r, "commune": commune, "former_commune": former})
    return out, {succ[c][0][0] if c in succ else c for c in communes}


def _figures(store: ReadHandle, raw: _Raw, limit: int, map_: str = LEGACY) -> dict[str, Any]:
    helpers: dict[str, set[str]] = {}
    unit_villages: dict[str, set[str]] = {}
    units_with_models: set[str] = set()
    models: dict[str, str] = {}
    households = 0
    communes: set[str] = set()
    for unit, target, label, commune, row_models, row_households, _, _ in raw.rows:
        if label == "Village":
            helpers.setdefault(target, set()).add(unit)
            unit_villages.setdefault(unit, set()).add(target)
        if commune and label in ("Village", "Commune"):
            communes.add(commune)
        for model, model_field in row_models:
            models[model] = model_field or NO_FIELD
            units_with_models.add(unit)
        households += row_households or 0
    unhelped = [v for v in raw.villages if v not in helpers]

    def in_area(village: str) -> bool:  # the villages are sorted: no set of them is built
        at = bisect_left(raw.villages, village)
        return at < len(raw.villages) and raw.villages[at] == village

    overlapping = sorted(((v, len(us)) for v, us in helpers.items() if len(us) > 1 and in_area(v)),
                         key=lambda vn: (-vn[1], vn[0]))[:limit]
    spread = sorted(((u, len(vs)) for u, vs in unit_villages.items() if len(vs) > 1),
                    key=lambda un: (-un[1], un[0]))[:limit]
    refs, communes = _in_map(store, [raw.village_ref(v) for v in unhelped[:limit]]
                             + [{**raw.village_ref(v), "helpers": n} for v, n in overlapping],
                             communes, map_)
    label_of = store.schema.label_of_id
    levels: Counter[str] = Counter()
    # Hundreds of units share a few scopes: each scope's level is looked up once.
    for scope, n in Counter(str(p.get("scope", "")) for p in raw.unit_props.values()).items():
        levels[label_of(scope) or "other"] += n
    return {
        "villages_total": len(raw.villages),
        "villages_helped": len(raw.villages) - len(unhelped),
        "villages_unhelped": refs[:len(refs) - len(overlapping)],
        "villages_unhelped_total": len(unhelped),
        "villages_overlapping": refs[len(refs) - len(overlapping):],
        "units_spread": [{"id": u, "name": display_name(raw.unit_props[u], u), "villages": n}
                         for u, n in spread],
        "assignments_total": len(raw.rows),
        "units_total": len(raw.unit_props),
        "units_with_models": len(units_with_models),
        "models_total": len(models),
        "models_by_category": dict(sorted(Counter(models.values()).items())),
        "households_supported": households,
        # Added for the demo figures ("311 đơn vị cấp huyện … 313 thôn thuộc 61 xã", "52/58 có kế
        # hoạch"): communes with a helped village (or helped themselves), units by the level of
        # their scope, and assigned units that issued a plan implementing the plan (None: no plan).
        "communes_helped": len(communes),
        "units_by_level": dict(sorted(levels.items())),
        "units_with_plans": (len(raw.issuers & raw.unit_props.keys())
                             if raw.issuers is not None else None),
        "reported": sorted(raw.reported, key=lambda s: s["id"]),
    }


def _run(handle: H, *, read: Callable[[H, dict[str, set[str] | None], str | None, bool], _Raw],
         **p: Any) -> dict[str, Any]:
    # Plans are widened to those implementing them by each store's own read (on Neo4j in
    # the same round trip as the rest). The figures are counted inside the run: the
    # embedded village refs read the same snapshot.
    filters = assignment_filters(handle, {**p, "include_implementing": False})
    raw = read(handle, filters, p.get("as_of"), p["include_implementing"])
    return _figures(handle, raw, p["limit"], p["map"])


COVERAGE = QuerySpec(
    name="coverage",
    title="Độ bao phủ: thôn có và chưa có đơn vị giúp đỡ",
    description="For a plan and/or an area: villages helped vs not (the unhelped listed), "
                "in the 2025 map (a 2025 commune counts the villages of all its predecessors) or "
                "the legacy one, "
                "villages helped by several units, units spread over many villages, units with "
                "models, models by field, households supported, and the figures reports state.",
    params=(Param("plan"), Param("province"), Param("district"), Param("commune"),
            Param("as_of", "date"), Param("include_implementing", "bool", True), MAP_PARAM,
            Param("limit", "int", 200, minimum=1, maximum=5000)),
    example={"plan": "133-KH/TU"}, embedded=partial(_run, read=_embedded),
    neo4j=partial(_run, read=_neo4j), tags=("coverage",),
)
QUERIES = (COVERAGE,)
