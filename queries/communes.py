"""commune_map — the communes of one administrative map with where they are and who helps there.

Who helps a commune: the units of the assignments to it or to its villages, and the
units that SUPPORT it or its villages. In the 2025 map a 2025 commune also has the
helpers, helped villages and villages of every legacy commune it succeeded (a divided
commune's villages count in every part, as coverage counts them).

The same figures give the home page its entry points (queries/overview.py): they are
computed from :class:`Facts`, one pass over the assignments and SUPPORTS edges
(memoised on the embedded store until the graph changes; two reads on Neo4j).

>>> found = merged({"commune-1": {"u1"}, "commune-2025-9": {"u2"}}, {"commune-1": ["commune-2025-9"]}, "2025")
>>> sorted(found["commune-2025-9"])
['u1', 'u2']
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from danvan.queries.base import ORG_LABELS, display_name
from danvan.queries.spec import MAP_PARAM, Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader

__all__ = ["COMMUNE_MAP", "QUERIES", "Facts", "facts_embedded", "facts_neo4j", "item", "merged",
           "successors_embedded", "successors_neo4j"]

LEGACY = "legacy"
_ASSIGNED = """
MATCH (a:Assignment)-[:ASSIGNED_TO]->(t)
WITH a, t, CASE WHEN t:Village AND t.commune IS NOT NULL THEN t.commune ELSE t.id END AS place,
     t:Village AND t.commune IS NOT NULL AS in_village
OPTIONAL MATCH (a)-[:ASSIGNED_UNIT]->(u)
RETURN place, t.id AS target, in_village, collect(u.id) AS units
"""
_SUPPORTS = """
MATCH (u)-[:SUPPORTS]->(t) WHERE u:Unit OR u:PartyBody
RETURN CASE WHEN t:Village AND t.commune IS NOT NULL THEN t.commune ELSE t.id END AS place,
       collect(DISTINCT u.id) AS units
"""


@dataclass
class Facts:
    """What the assignments and SUPPORTS edges say, per place.

    ``helpers``: place (a village's commune, or the target itself) → unit ids;
    ``helped``: place → its villages with an assignment that names a unit;
    ``targets``: ASSIGNED_TO target → how many assignments name it.
    """

    helpers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    helped: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    targets: Counter[str] = field(default_factory=Counter)


def item(node_id: str, label: str, props: dict[str, Any]) -> dict[str, Any]:
    """A node as the page queries return it: ``{"id", "label", "props"}`` without its text."""
    return {"id": node_id, "label": label,
            "props": {k: v for k, v in props.items() if k not in ("text", "id") and v is not None}}


def _place(node: dict[str, dict[str, Any]], target: str) -> tuple[str, bool]:
    data = node[target]
    commune = data["props"].get("commune") if data["label"] == "Village" else None
    return (commune, True) if commune else (target, False)


def facts_embedded(snap: EmbeddedSnapshot) -> Facts:
    """:class:`Facts` from the embedded graph (kept until it changes)."""
    kept = snap.memo("pages.facts")
    if "facts" in kept:
        return kept["facts"]
    out = Facts()
    node, succ = snap.node, snap.succ
    for a in snap.ids_with_label("Assignment"):
        units, targets = [], []
        for other, keys in succ[a].items():
            if "ASSIGNED_UNIT" in keys:
                units.append(other)
            if "ASSIGNED_TO" in keys:
                targets.append(other)
        for target in targets:
            out.targets[target] += 1
            if units:
                place, in_village = _place(node, target)
                out.helpers[place].update(units)
                if in_village:
                    out.helped[place].add(target)
    for label in ORG_LABELS:
        for unit in snap.ids_with_label(label):
            for target, keys in succ[unit].items():
                if "SUPPORTS" in keys:
                    out.helpers[_place(node, target)[0]].add(unit)
    kept["facts"] = out
    return out


def facts_neo4j(reader: Neo4jReader) -> Facts:
    """:class:`Facts` from Neo4j: the assignments' targets and units, and SUPPORTS edges."""
    out = Facts()
    for row in reader.read(_ASSIGNED):
        out.targets[row["target"]] += 1
        if row["units"]:
            out.helpers[row["place"]].update(row["units"])
            if row["in_village"]:
                out.helped[row["place"]].add(row["target"])
    for row in reader.read(_SUPPORTS):
        out.helpers[row["place"]].update(row["units"])
    return out


def _legacy_communes(places: Any) -> list[str]:
    # "commune-" also starts 2025 ids; they have no successor, so asking costs nothing wrong.
    return sorted(p for p in places if p.startswith("commune-"))


def successors_embedded(snap: EmbeddedSnapshot, ids: list[str]) -> dict[str, list[str]]:
    """Place id → the places it went into (SUCCEEDED_BY), for those of ``ids`` that have any."""
    out = {}
    for i in ids:
        if i in snap.node:
            found = snap.out_ids(i, "SUCCEEDED_BY")
            if found:
                out[i] = found
    return out


def successors_neo4j(reader: Neo4jReader, ids: list[str]) -> dict[str, list[str]]:
    """:func:`successors_embedded` on Neo4j: one read anchored on the ids."""
    if not ids:
        return {}
    rows = reader.read("UNWIND $ids AS x MATCH (c:Entity {id: x})-[:SUCCEEDED_BY]->(s) "
                       "RETURN x AS id, collect(s.id) AS found", ids=ids)
    return {r["id"]: sorted(r["found"]) for r in rows}


def merged(by_place: dict[str, set[str]], successors: dict[str, list[str]], map_: str
           ) -> dict[str, set[str]]:
    """``by_place`` with, in the 2025 map, each legacy commune's set added to its successors'."""
    out = {k: set(v) for k, v in by_place.items()}
    if map_ == "2025":
        for old, news in successors.items():
            for new in news:
                out.setdefault(new, set()).update(by_place.get(old, ()))
    return out


# commune_map ---------------------------------------------------------------------------------
def _shape(map_: str, communes: list[tuple[str, dict[str, Any]]], helpers: dict[str, set[str]],
           helped: dict[str, set[str]], villages: dict[str, set[str]],
           former: dict[str, list[str]], scopes: dict[str, str]) -> dict[str, Any]:
    key = "province" if map_ == "2025" else "district"
    out = []
    for node_id, props in communes:
        out.append({"id": node_id, "name": props.get("name") or node_id,
                    "lat": props["lat"], "lon": props["lon"],
                    "scope": {"id": props[key], "name": scopes[props[key]]}
                    if props.get(key) in scopes else None,
                    "helpers": len(helpers.get(node_id, ())), "villages": len(villages.get(node_id, ())),
                    "villages_helped": len(helped.get(node_id, ())),
                    "former": sorted(former.get(node_id, [])),
                    "synthetic": bool(props.get("synthetic"))})
    out.sort(key=lambda c: (c["name"], c["id"]))
    return {"map": map_, "communes": out}


def _map_embedded(snap: EmbeddedSnapshot, map: str, district: str | None,
                  province: str | None) -> dict[str, Any]:
    key = "province" if map == "2025" else "district"
    chosen = province if map == "2025" else district
    facts = facts_embedded(snap)
    succ = successors_embedded(snap, _legacy_communes(facts.helpers)) if map == "2025" else {}
    helpers, helped = merged(facts.helpers, succ, map), merged(facts.helped, succ, map)
    node = snap.node
    drawn = snap.memo("pages.communes_drawn")  # era → communes with coordinates
    if map not in drawn:
        drawn[map] = [c for c in snap.ids_with_label("Commune")
                      if node[c]["props"].get("lat") is not None and node[c]["props"].get("lon") is not None
                      and node[c]["props"].get("era", LEGACY) == map]
    every = drawn[map]
    if chosen:
        ids = [c for c in every if node[c]["props"].get(key) == chosen]
    else:
        helped_scopes = {node[c]["props"].get(key) for c in every if helpers.get(c)}
        ids = [c for c in every if node[c]["props"].get(key) in helped_scopes] or every
    by_commune = snap.memo("pages.villages")
    if not by_commune:
        for v in snap.ids_with_label("Village"):
            parent = node[v]["props"].get("commune")
            if parent:
                by_commune.setdefault(parent, set()).add(v)
        by_commune[None] = set()  # built, even without villages
    villages: dict[str, set[str]] = {}
    former: dict[str, list[str]] = {}
    for c in ids:
        villages[c] = set(by_commune.get(c, ()))
        if map == "2025":
            preds = snap.in_ids(c, "SUCCEEDED_BY")
            former[c] = [node[p]["props"].get("name") for p in preds]
            for p in _legacy_communes(preds):
                villages[c] |= by_commune.get(p, set())
    scope_ids = {node[c]["props"].get(key) for c in ids} - {None}
    scopes = {s: display_name(node[s]["props"], s) for s in scope_ids if s in node}
    return _shape(map, [(c, node[c]["props"]) for c in ids], helpers, helped, villages, former, scopes)


_COMMUNE = "c {.name, .lat, .lon, .era, .district, .province, .synthetic}"
_DRAWN = "c.lat IS NOT NULL AND c.lon IS NOT NULL AND coalesce(c.era, 'legacy') = $map"


def _map_neo4j(reader: Neo4jReader, map: str, district: str | None, province: str | None) -> dict[str, Any]:
    key = "province" if map == "2025" else "district"
    chosen = province if map == "2025" else district
    facts = facts_neo4j(reader)
    succ = successors_neo4j(reader, _legacy_communes(facts.helpers)) if map == "2025" else {}
    helpers, helped = merged(facts.helpers, succ, map), merged(facts.helped, succ, map)
    in_scopes = (  # the communes of some districts (PART_OF) or 2025 provinces (a property)
        "UNWIND $scopes AS s MATCH (c:Commune) WHERE c.era = '2025' AND c.province = s AND " + _DRAWN
        if map == "2025" else
        "UNWIND $scopes AS s MATCH (:Entity {id: s})<-[:PART_OF]-(c:Commune) WHERE c.district = s AND "
        + _DRAWN) + f" RETURN c.id AS id, {_COMMUNE} AS props"
    if chosen:
        rows = reader.read(in_scopes, scopes=[chosen], map=map)
    else:
        found = reader.read(f"UNWIND $ids AS x MATCH (c:Entity {{id: x}}) WHERE c:Commune AND {_DRAWN} "
                            f"RETURN c[$key] AS scope", ids=sorted(c for c, h in helpers.items() if h),
                            map=map, key=key)
        scopes = sorted({r["scope"] for r in found if r["scope"] is not None})
        rows = reader.read(in_scopes, scopes=scopes, map=map) if scopes else []
        if not rows:
            rows = reader.read(f"MATCH (c:Commune) WHERE {_DRAWN} RETURN c.id AS id, {_COMMUNE} AS props",
                               map=map)
    communes = [(r["id"], {k: v for k, v in r["props"].items() if v is not None}) for r in rows]
    details = reader.read(
        "UNWIND $ids AS x MATCH (c:Entity {id: x}) "
        "RETURN x AS id, [(o)-[:SUCCEEDED_BY]->(c) | [o.id, o.name]] AS preds, "
        "COLLECT { MATCH (v:Village) WHERE v.commune = x RETURN v.id } AS villages, "
        "COLLECT { MATCH (o:Commune)-[:SUCCEEDED_BY]->(c) "
        "  WHERE $map = '2025' AND o.id STARTS WITH 'commune-' "
        "  MATCH (v:Village) WHERE v.commune = o.id RETURN v.id } AS inherited",
        ids=[c for c, _ in communes], map=map)
    villages = {r["id"]: set(r["villages"]) | set(r["inherited"]) for r in details}
    former = {r["id"]: [name for _, name in r["preds"]] for r in details} if map == "2025" else {}
    scope_rows = reader.read("UNWIND $ids AS x MATCH (s:Entity {id: x}) "
                             "RETURN x AS id, s {.name, .title, .ref, .what, .description} AS props",
                             ids=sorted({p[key] for _, p in communes if p.get(key)}))
    scopes_named = {r["id"]: display_name(r["props"], r["id"]) for r in scope_rows}
    return _shape(map, communes, helpers, helped, villages, former, scopes_named)


COMMUNE_MAP = QuerySpec(
    name="commune_map",
    title="Bản đồ các xã: tọa độ, số đơn vị giúp đỡ, số thôn được giúp",
    description="The communes of one administrative map with their official coordinates, how many "
                "units help each (assignments to it or its villages, SUPPORTS; in the 2025 map also "
                "those of the legacy communes it succeeded), its villages and those helped: the "
                "communes of `district` (legacy map) or `province` (2025 map), else of every district "
                "or province where some unit helps.",
    params=(MAP_PARAM, Param("district", help="huyện (id), bản đồ trước sáp nhập"),
            Param("province", help="tỉnh (id), bản đồ 2025")),
    example={"map": "legacy", "district": "district-614"},
    embedded=_map_embedded, neo4j=_map_neo4j, tags=("places", "coverage"),
)
QUERIES = (COMMUNE_MAP,)
