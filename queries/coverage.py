"""coverage — for a plan and/or an area: villages helped and not, overlaps, units, models, households.

A village counts as helped when an assignment (matching the plan filter)
targets it. Counts are comparable with what reports state ("52/58 đơn vị có
kế hoạch"): the plan's reported statistics are returned beside the computed ones.

>>> from danvan.queries.catalogue import CATALOGUE
>>> [p.name for p in CATALOGUE["coverage"].params][:3]
['plan', 'province', 'district']
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from danvan.queries import assignments  # as a module: importing assignments first loads this one
from danvan.queries.base import expand_area, out_ids
from danvan.queries.catalogue import Param, QuerySpec, query

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["village_list"]

NO_FIELD = "chưa xác định"


def _villages_embedded(store: Store, area: set[str] | None) -> list[dict[str, Any]]:
    g = store.fresh()  # type: ignore[attr-defined]
    with store._lock:  # type: ignore[attr-defined]
        out = []
        for i, d in g.nodes(data=True):
            if d["label"] != "Village" or (area is not None and i not in area):
                continue
            commune = next(iter(out_ids(g, i, "PART_OF")), None)
            out.append({"id": i, "name": d["props"].get("name"), "commune":
                        {"id": commune, "name": g.nodes[commune]["props"].get("name")}
                        if commune else None})
    return out


def _villages_neo4j(store: Store, area: set[str] | None) -> list[dict[str, Any]]:
    # With an area, each of its ids is found through the id index (not every village
    # scanned and looked up in the list).
    head = ("MATCH (v:Village) " if area is None else
            "UNWIND $area AS id MATCH (v:Village {id: id}) USING INDEX v:Village(id) ")
    rows = store.read(  # type: ignore[attr-defined]
        head + "OPTIONAL MATCH (v)-[:PART_OF]->(c:Commune) "
        "RETURN v.id AS id, v.name AS name, c.id AS cid, c.name AS cname",
        area=sorted(area) if area is not None else None)
    return [{"id": r["id"], "name": r["name"],
             "commune": {"id": r["cid"], "name": r["cname"]} if r["cid"] else None}
            for r in rows]


def village_list(store: Store, area: set[str] | None) -> list[dict[str, Any]]:
    """Villages inside ``area`` (all when None) with their commune, by id."""
    rows = (_villages_neo4j if store.kind == "neo4j" else _villages_embedded)(store, area)
    return sorted(rows, key=lambda r: r["id"])


def _reported(store: Store, plans: set[str] | None) -> list[dict[str, Any]]:
    if not plans:
        return []
    if store.kind == "neo4j":  # one round trip for every plan, not two per plan
        rows = store.read(  # type: ignore[attr-defined]
            "UNWIND $ids AS id MATCH (s)-[:MEASURES]->(:Entity {id: id}) "
            "RETURN s.id AS id, properties(s) AS props", ids=sorted(plans))
        found = [(r["id"], r["props"]) for r in rows]
    else:
        found = [(n.id, n.props) for plan in sorted(plans) for n in store.get_many(
            [e.source for e in store.edges_of(plan, "in", ["MEASURES"])]).values()]
    out = []
    for node_id, p in found:
        out.append({"id": node_id, "what": p.get("what"), "value": p.get("value"),
                    "total": p.get("total"), "unit": p.get("unit"),
                    "category": p.get("category"), "period": p.get("period"),
                    "document": p.get("document")})
    return sorted(out, key=lambda s: s["id"])


def _plan_issuers(store: Store, plans: set[str]) -> set[str]:
    """Who issued ``plans`` or a directive implementing them (their own plans), transitively."""
    from danvan.queries.base import descendants, in_ids

    tree = sorted(descendants(store, plans))
    if store.kind == "neo4j":
        rows = store.read("UNWIND $ids AS id MATCH (u)-[:ISSUES]->(:Entity {id: id}) "  # type: ignore[attr-defined]
                          "RETURN DISTINCT u.id AS id", ids=tree)
        return {r["id"] for r in rows}
    g = store.fresh()  # type: ignore[attr-defined]
    with store._lock:  # type: ignore[attr-defined]
        return {u for d in tree if d in g for u in in_ids(g, d, "ISSUES")}


def _levels(store: Store, units: set[str]) -> dict[str, int]:
    """How many of ``units`` are scoped to a province, a district, a commune."""
    found = store.get_many(sorted(units))
    levels = Counter(store.schema.label_of_id(str(n.props.get("scope", ""))) or "other"
                     for n in found.values())
    return dict(sorted(levels.items()))


def _run(store: Store, **p: Any) -> dict[str, Any]:
    filters = assignments.assignment_filters(store, p)
    items = assignments.shape_rows(assignments.assignment_rows(store, filters), p)
    area = filters["targets"]
    if area is None and filters["plans"] is not None:
        # No area given: the plan's own reach (its targets and what lies inside them).
        area = expand_area(store, {i["target"]["id"] for i in items})
    villages = village_list(store, area)
    helpers: dict[str, set[str]] = defaultdict(set)
    unit_villages: dict[str, set[str]] = defaultdict(set)
    units: dict[str, str] = {}
    units_with_models: set[str] = set()
    models: dict[str, str] = {}
    households = 0
    communes: set[str] = set()
    for item in items:
        unit = item["unit"]["id"]
        units[unit] = item["unit"]["name"]
        if item["village"]:
            helpers[item["village"]["id"]].add(unit)
            unit_villages[unit].add(item["village"]["id"])
        if item["commune"] and item["target"]["level"] in ("Village", "Commune"):
            communes.add(item["commune"]["id"])
        for model in item["models"]:
            models[model["id"]] = model["field"] or NO_FIELD
            units_with_models.add(unit)
        households += item["households"] or 0
    unhelped = [v for v in villages if not helpers.get(v["id"])]
    overlapping = sorted(({**v, "helpers": len(helpers[v["id"]])} for v in villages
                          if len(helpers.get(v["id"], ())) > 1),
                         key=lambda v: (-v["helpers"], v["id"]))
    spread = sorted(({"id": u, "name": units[u], "villages": len(vs)}
                     for u, vs in unit_villages.items() if len(vs) > 1),
                    key=lambda u: (-u["villages"], u["id"]))
    return {
        "villages_total": len(villages),
        "villages_helped": len(villages) - len(unhelped),
        "villages_unhelped": unhelped[:p["limit"]],
        "villages_unhelped_total": len(unhelped),
        "villages_overlapping": overlapping[:p["limit"]],
        "units_spread": spread[:p["limit"]],
        "assignments_total": len(items),
        "units_total": len(units),
        "units_with_models": len(units_with_models),
        "models_total": len(models),
        "models_by_category": dict(sorted(Counter(models.values()).items())),
        "households_supported": households,
        # Added for the demo figures ("311 đơn vị cấp huyện … 313 thôn thuộc 61 xã", "52/58 có kế
        # hoạch"): communes with a helped village (or helped themselves), units by the level of
        # their scope, and assigned units that issued a plan implementing the plan (None: no plan).
        "communes_helped": len(communes),
        "units_by_level": _levels(store, set(units)),
        "units_with_plans": (len(_plan_issuers(store, filters["plans"]) & set(units))
                             if filters["plans"] is not None else None),
        "reported": _reported(store, filters["plans"]),
    }


query(QuerySpec(
    name="coverage",
    title="Độ bao phủ: thôn có và chưa có đơn vị giúp đỡ",
    description="For a plan and/or an area: villages helped vs not (the unhelped listed), "
                "villages helped by several units, units spread over many villages, units with "
                "models, models by field, households supported, and the figures reports state.",
    params=(Param("plan"), Param("province"), Param("district"), Param("commune"),
            Param("as_of", "date"), Param("include_implementing", "bool", True),
            Param("limit", "int", 200, minimum=1, maximum=5000)),
    example={"plan": "133-KH/TU"}, embedded=_run, neo4j=_run, tags=("coverage",),
))

