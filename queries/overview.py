"""overview and filter_choices — the entry points of the explorer and the lists its filters offer.

* ``overview``: the plans and units with how many assignments each, the districts (or, in the
  2025 map, provinces) where some unit helps with those communes and their helper counts,
  the newest directives, and how many nodes of each label the store holds;
* ``filter_choices``: the plans assignments are made under, every legacy district and every
  2025 province (the lists of the assignment, coverage and map pages' filters).

Counts come from the node degrees and label counts (Neo4j's count store), not from reading
every edge; helpers per commune from queries/communes.py.

>>> sorted(_by_name([item("b", "Unit", {"name": "B"}), item("a", "Unit", {"name": "A"})])[0])
['id', 'label', 'props']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from danvan.queries.base import display_name
from danvan.queries.communes import (
    facts_embedded,
    facts_neo4j,
    item,
    merged,
    successors_embedded,
    successors_neo4j,
)
from danvan.queries.spec import MAP_PARAM, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader

__all__ = ["FILTER_CHOICES", "OVERVIEW", "QUERIES"]

LATEST = 12  # directives the home page lists
_ITEM = "[{v}.id, [l IN labels({v}) WHERE l <> 'Entity'][0], {v} {{.*, text: null}}]"


def _by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: (display_name(i["props"], i["id"]), i["id"]))


def _counted(items: list[dict[str, Any]], counts: dict[str, int]) -> list[dict[str, Any]]:
    return [{**i, "assignments": counts[i["id"]]} for i in _by_name(items)]


def _home(map_: str, plans: list[dict[str, Any]], plan_counts: dict[str, int],
          units: list[dict[str, Any]], unit_counts: dict[str, int], communes: list[dict[str, Any]],
          helpers: dict[str, set[str]], scope_items: list[dict[str, Any]],
          directives: list[dict[str, Any]], labels: dict[str, int]) -> dict[str, Any]:
    key = "province" if map_ == "2025" else "district"
    grouped: dict[str, list[dict[str, Any]]] = {}
    for c in communes:
        grouped.setdefault(c["props"].get(key, ""), []).append(
            {**c, "helpers": len(helpers[c["id"]])})
    scopes = [{**s, "communes": _by_name(grouped.get(s["id"], []))} for s in _by_name(scope_items)]
    return {"map": map_, "plans": _counted(plans, plan_counts), "units": _counted(units, unit_counts),
            "scopes": scopes, "directives": directives,
            "labels": {k: v for k, v in sorted(labels.items()) if v}}


def _wanted_scopes(map_: str, communes: list[dict[str, Any]], district_targets: list[str]) -> set[str]:
    key = "province" if map_ == "2025" else "district"
    scopes = {c["props"].get(key, "") for c in communes}
    if map_ != "2025":  # a district helped as a whole is an entry point too
        scopes |= set(district_targets)
    return scopes - {""}


def _overview_embedded(snap: EmbeddedSnapshot, map: str) -> dict[str, Any]:
    facts = facts_embedded(snap)
    succ = successors_embedded(snap, sorted(p for p in facts.helpers if p.startswith("commune-")))
    helpers = merged(facts.helpers, succ, map)
    node, pred = snap.node, snap.pred

    def items(ids: Any) -> list[dict[str, Any]]:
        return [item(i, node[i]["label"], node[i]["props"]) for i in ids if i in node]

    def counted(label: str, type_: str) -> dict[str, int]:
        out = {}
        for i in snap.ids_with_label(label):
            n = sum(1 for keys in pred[i].values() if type_ in keys)
            if n:
                out[i] = n
        return out

    plan_counts = counted("Directive", "UNDER_PLAN")
    unit_counts = {**counted("Unit", "ASSIGNED_UNIT"), **counted("PartyBody", "ASSIGNED_UNIT")}
    communes = [c for c in items(sorted(c for c, h in helpers.items() if h))
                if c["label"] == "Commune" and c["props"].get("era", "legacy") == map]
    district_targets = sorted(t for t in facts.targets if t.startswith("district-"))
    directives = sorted(snap.ids_with_label("Directive"),
                        key=lambda d: (node[d]["props"].get("date") or "", d), reverse=True)[:LATEST]
    labels = {label: len(snap.ids_with_label(label)) for label in snap.schema.labels}
    return _home(map, items(plan_counts), plan_counts, items(unit_counts), unit_counts, communes,
                 helpers, items(sorted(_wanted_scopes(map, communes, district_targets))),
                 items(directives), labels)


def _items_neo4j(reader: Neo4jReader, ids: list[str]) -> list[dict[str, Any]]:
    rows = reader.read(f"UNWIND $ids AS x MATCH (n:Entity {{id: x}}) RETURN {_ITEM.format(v='n')} AS n",
                       ids=ids)
    return [item(*r["n"]) for r in rows]


def _overview_neo4j(reader: Neo4jReader, map: str) -> dict[str, Any]:
    facts = facts_neo4j(reader)
    succ = successors_neo4j(reader, sorted(p for p in facts.helpers if p.startswith("commune-")))
    helpers = merged(facts.helpers, succ, map)
    counted = []
    for label, type_ in (("Directive", "UNDER_PLAN"), ("Unit", "ASSIGNED_UNIT"),
                         ("PartyBody", "ASSIGNED_UNIT")):
        counted.append(reader.read(  # degrees: no edge is read
            f"MATCH (n:{reader.label(label)}) WITH n, COUNT {{ (n)<-[:{type_}]-() }} AS k WHERE k > 0 "
            f"RETURN {_ITEM.format(v='n')} AS n, k"))
    plans = [item(*r["n"]) for r in counted[0]]
    units = [item(*r["n"]) for r in counted[1] + counted[2]]
    plan_counts = {r["n"][0]: r["k"] for r in counted[0]}
    unit_counts = {r["n"][0]: r["k"] for r in counted[1] + counted[2]}
    communes = [c for c in _items_neo4j(reader, sorted(c for c, h in helpers.items() if h))
                if c["label"] == "Commune" and c["props"].get("era", "legacy") == map]
    district_targets = sorted(t for t in facts.targets if t.startswith("district-"))
    directives = [item(*r["n"]) for r in reader.read(
        f"MATCH (d:Directive) RETURN {_ITEM.format(v='d')} AS n "
        "ORDER BY coalesce(d.date, '') DESC, d.id DESC LIMIT $n", n=LATEST)]
    labels = {r["label"]: r["n"] for r in reader.read(" UNION ALL ".join(
        f"MATCH (n:{reader.label(label)}) RETURN '{label}' AS label, count(n) AS n"
        for label in reader.schema.labels))}
    scopes = _items_neo4j(reader, sorted(_wanted_scopes(map, communes, district_targets)))
    return _home(map, plans, plan_counts, units, unit_counts, communes, helpers, scopes, directives,
                 labels)


OVERVIEW = QuerySpec(
    name="overview",
    title="Tổng quan: kế hoạch, đơn vị, địa bàn có đơn vị giúp đỡ, văn bản mới",
    description="The explorer's entry points: plans and units with their number of assignments, the "
                "districts (legacy map) or provinces (2025 map) where some unit helps with those "
                "communes and how many units help each, the 12 newest directives, and the number of "
                "nodes of each label.",
    params=(MAP_PARAM,), example={"map": "2025"}, embedded=_overview_embedded, neo4j=_overview_neo4j,
    tags=("overview",),
)


# filter_choices ----------------------------------------------------------------------------------
def _choices(plans: list[dict[str, Any]], districts: list[dict[str, Any]],
             provinces: list[dict[str, Any]]) -> dict[str, Any]:
    def plan_key(i: dict[str, Any]) -> tuple[str, str]:
        return (i["props"].get("ref") or display_name(i["props"], i["id"]), i["id"])
    return {"plans": sorted(plans, key=plan_key), "districts": _by_name(districts),
            "provinces_2025": _by_name([p for p in provinces if p["props"].get("era") == "2025"])}


def _choices_embedded(snap: EmbeddedSnapshot) -> dict[str, Any]:
    node, pred = snap.node, snap.pred

    def items(label: str, under: str | None = None) -> list[dict[str, Any]]:
        return [item(i, label, node[i]["props"]) for i in snap.ids_with_label(label)
                if under is None or any(under in keys for keys in pred[i].values())]
    return _choices(items("Directive", "UNDER_PLAN"), items("District"), items("Province"))


def _choices_neo4j(reader: Neo4jReader) -> dict[str, Any]:
    def items(cypher: str) -> list[dict[str, Any]]:
        return [item(*r["n"]) for r in reader.read(cypher + f" RETURN {_ITEM.format(v='n')} AS n")]
    return _choices(items("MATCH (n:Directive) WHERE COUNT { (n)<-[:UNDER_PLAN]-() } > 0"),
                    items("MATCH (n:District)"), items("MATCH (n:Province) WHERE n.era = '2025'"))


FILTER_CHOICES = QuerySpec(
    name="filter_choices",
    title="Danh sách để lọc: kế hoạch có phân công, huyện, tỉnh (2025)",
    description="What the explorer's filters offer: the plans assignments are made under (by number), "
                "every legacy district and every 2025 province (by name).",
    params=(), example={}, embedded=_choices_embedded, neo4j=_choices_neo4j, tags=("overview",),
)
QUERIES = (OVERVIEW, FILTER_CHOICES)
