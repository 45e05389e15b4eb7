"""subgraph and commune_graph — what the graph page draws, with the names and evidence its cards show.

* ``subgraph``: around a node (``focus``, ``depth`` steps out, either direction, breadth first
  with each node's edges in key order), or the assignments plan, district, commune and unit
  select with their units, places, plans and models (and every village of the area, helped
  or not), or with no filter every node (documents, statistics, targets, people and events
  last); at most ``limit`` nodes, ``total`` saying how many there were;
* ``commune_graph``: one commune in columns — plans | units | villages | commune | district —
  each assignment drawn as a "giúp đỡ" edge from its unit to the place and a "theo kế
  hoạch" edge from the unit to its plan; without ``commune``, the commune with the most
  assignments to it or to its villages (the graph page's first view).

Both answers carry ``names`` (the nodes their nodes' reference properties name, and the
filters given as ids) and ``sources`` (per node, its first five source references with the
document's title and the sentence quoted), so the page needs no other read.

>>> bfs("a", {"a": [("a", "PART_OF", "b")], "b": [("a", "PART_OF", "b"), ("c", "PART_OF", "b")]}, 2)
['a', 'b', 'c']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from danvan.graph.sources import parse_source_ref
from danvan.queries.assignments import assignment_filters, assignment_rows
from danvan.queries.base import display_name
from danvan.queries.communes import item
from danvan.queries.links import evidence
from danvan.queries.resolve import resolve
from danvan.queries.search import SEARCHABLE
from danvan.queries.spec import Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader, ReadHandle

__all__ = ["COMMUNE_GRAPH", "DEFAULT_LIMIT", "QUERIES", "SUBGRAPH", "bfs"]

DEFAULT_LIMIT = 3000
MAX_NODES = 20000  # ``danvan viz --limit``
MAX_DEPTH = 4
CARD_SOURCES = 5  # source references a hover card shows
EVIDENCE_CHARS = 400
# Labels whose nodes are many and add little when the whole graph is drawn.
LOW_PRIORITY = ("Source", "Statistic", "Target", "Person", "Event")

Step = tuple[str, str, str]  # (source, type, target) of an edge
Edges = Callable[[list[str]], dict[str, list[Step]]]  # node ids → the edges touching each


def bfs(start: str, touching: dict[str, list[Step]] | Edges, depth: int) -> list[str]:
    """Node ids within ``depth`` steps of ``start`` in the order a breadth-first walk meets them.

    ``touching`` gives the edges of the nodes of a level (a dict, or a function reading them
    level by level); each node's edges are taken in key order ("source|type|target").
    """
    def level(ids: list[str]) -> dict[str, list[Step]]:
        return touching(ids) if callable(touching) else {i: touching.get(i, []) for i in ids}

    seen = {start: 0}
    order = [start]
    frontier = [start]
    for step in range(1, depth + 1):
        found = level(frontier)
        nxt = []
        for node in frontier:
            for source, _, target in sorted(set(found.get(node, [])), key=lambda e: "|".join(e)):
                other = target if source == node else source
                if other not in seen:
                    seen[other] = step
                    order.append(other)
                    nxt.append(other)
        frontier = nxt
        if not frontier:
            break
    return order


def _filtered_order(handle: ReadHandle, plan: str | None, district: str | None, commune: str | None,
                    unit: str | None) -> list[str]:
    """The nodes the filters select, in drawing order (resolved like the API's filters)."""
    filters = assignment_filters(handle, {"plan": plan, "district": district, "commune": commune,
                                          "unit": unit})
    order: list[str] = []
    order += sorted(filters["plans"] or ())
    order += sorted(filters["units"] or ())
    if filters["targets"] is not None and (district or commune):
        area = handle.area(filters["targets"])
        order += sorted(area, key=lambda i: (not i.startswith(("district", "commune")), i))
    for row in assignment_rows(handle, filters):
        order.append(row["id"])
        for key in ("unit", "target", "plan", "commune", "district"):
            if row[key] is not None:
                order.append(row[key][0])
        order += [m[0] for m in row["models"]]
    return order


def _start(handle: ReadHandle, focus: str) -> str:
    return focus if handle.get(focus) is not None else resolve(handle, focus, SEARCHABLE, param="focus")


def _cards(nodes: list[dict[str, Any]], docs: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for n in nodes:
        refs = (n["props"].get("sources") or [])[:CARD_SOURCES]
        if refs:
            cards = []
            for ref in refs:
                document, start, end = parse_source_ref(ref)
                doc = docs.get(document)
                cards.append({"id": document, "title": doc.get("title") if doc is not None else document,
                              "evidence": evidence(doc.get("text") if doc else None, start, end,
                                                   EVIDENCE_CHARS)})
            out[n["id"]] = cards
    return out


def _doc_ids(nodes: list[dict[str, Any]]) -> list[str]:
    return sorted({parse_source_ref(r).document for n in nodes
                   for r in (n["props"].get("sources") or [])[:CARD_SOURCES]})


def _ref_ids(schema: Any, nodes: list[dict[str, Any]], extra: Iterable[Any]) -> list[str]:
    shown = {n["id"] for n in nodes}
    refs = {v for n in nodes for v in n["props"].values()
            if isinstance(v, str) and v not in shown and schema.label_of_id(v)}
    refs |= {str(v) for v in extra if v}
    return sorted(refs - shown)


def _answer(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], names: dict[str, str],
            docs: dict[str, dict[str, Any]], **rest: Any) -> dict[str, Any]:
    nodes = sorted(nodes, key=lambda n: n["id"])
    return {**rest, "nodes": nodes,
            "edges": sorted(edges, key=lambda e: f"{e['source']}|{e['type']}|{e['target']}"),
            "names": names, "sources": _cards(nodes, docs)}


# embedded ------------------------------------------------------------------------------------
def _edges_embedded(snap: EmbeddedSnapshot, ids: list[str]) -> dict[str, list[Step]]:
    out: dict[str, list[Step]] = {}
    for a in ids:
        if a in snap.node:
            out[a] = [(a, k, t) for t, keys in snap.succ[a].items() for k in keys] + \
                     [(s, k, a) for s, keys in snap.pred[a].items() for k in keys]
    return out


def _export_embedded(snap: EmbeddedSnapshot, keep: list[str], filters: Iterable[Any],
                     **rest: Any) -> dict[str, Any]:
    node, succ = snap.node, snap.succ
    kept = set(keep)
    nodes = [item(i, node[i]["label"], node[i]["props"]) for i in keep if i in node]
    edges = [{"type": k, "source": a, "target": b, "props": dict(d["props"])}
             for a in keep if a in node for b, keys in succ[a].items() if b in kept
             for k, d in keys.items()]
    names = {i: display_name(node[i]["props"], i) for i in _ref_ids(snap.schema, nodes, filters)
             if i in node}
    docs = {d: node[d]["props"] for d in _doc_ids(nodes) if d in node}
    return _answer(nodes, edges, names, docs, **rest)


def _subgraph_embedded(snap: EmbeddedSnapshot, plan: str | None, district: str | None,
                       commune: str | None, unit: str | None, focus: str | None, depth: int,
                       ids: list[str] | None, limit: int) -> dict[str, Any]:
    if ids:
        order = [i for i in ids if i in snap.node]
    elif focus:
        order = bfs(_start(snap, focus), lambda ids: _edges_embedded(snap, ids), depth)
    elif any((plan, district, commune, unit)):
        order = _filtered_order(snap, plan, district, commune, unit)
    else:
        everything = snap.memo("pages.drawing_order")
        if "ids" not in everything:
            rank = {label: i for i, label in enumerate(LOW_PRIORITY)}
            everything["ids"] = sorted(snap.node, key=lambda i: (rank.get(snap.node[i]["label"], -1), i))
        order = everything["ids"]
    keep = list(dict.fromkeys(order))
    return _export_embedded(snap, keep[:limit], (plan, district, commune, unit, focus),
                            total=len(keep), truncated=len(keep) > limit, limit=limit)


# neo4j ---------------------------------------------------------------------------------------
_TOUCHING = ("UNWIND $ids AS x MATCH (a:Entity {id: x})-[r]-() "
             "RETURN x AS a, collect([startNode(r).id, type(r), endNode(r).id]) AS steps")
_ITEMS = ("UNWIND $ids AS x MATCH (n:Entity {id: x}) "
          "RETURN [n.id, [l IN labels(n) WHERE l <> 'Entity'][0], n {.*, text: null}] AS n, "
          "[(n)-[r]->(b) | [type(r), b.id, properties(r)]] AS outs")
_WHOLE = """
MATCH (n:Entity)
WITH n, CASE [l IN labels(n) WHERE l <> 'Entity'][0] {ranks} ELSE -1 END AS rank
RETURN n.id AS id ORDER BY rank, n.id LIMIT $limit
"""


def _edges_neo4j(reader: Neo4jReader, ids: list[str]) -> dict[str, list[Step]]:
    rows = reader.read_many(_TOUCHING, ("a", "steps"), ids=sorted(set(ids)))
    return {r["a"]: [(s, t, e) for s, t, e in r["steps"]] for r in rows}


def _export_neo4j(reader: Neo4jReader, keep: list[str], filters: Iterable[Any],
                  **rest: Any) -> dict[str, Any]:
    kept = set(keep)
    nodes, edges = [], []
    for r in reader.read_many(_ITEMS, ("n", "outs"), ids=keep):
        nodes.append(item(*r["n"]))
        edges += [{"type": t, "source": r["n"][0], "target": b, "props": dict(p)}
                  for t, b, p in r["outs"] if b in kept]
    wanted = _ref_ids(reader.schema, nodes, filters)
    names = {r["id"]: display_name(r["props"], r["id"]) for r in reader.read(
        "UNWIND $ids AS x MATCH (n:Entity {id: x}) "
        "RETURN x AS id, n {.name, .title, .ref, .what, .description} AS props",
        ids=wanted)} if wanted else {}
    doc_ids = _doc_ids(nodes)
    docs = {r["id"]: {k: v for k, v in r["props"].items() if v is not None} for r in reader.read(
        "UNWIND $ids AS x MATCH (d:Entity {id: x}) RETURN x AS id, d {.title, .text} AS props",
        ids=doc_ids)} if doc_ids else {}
    return _answer(nodes, edges, names, docs, **rest)


def _subgraph_neo4j(reader: Neo4jReader, plan: str | None, district: str | None, commune: str | None,
                    unit: str | None, focus: str | None, depth: int, ids: list[str] | None,
                    limit: int) -> dict[str, Any]:
    if ids:
        found = {r["id"] for r in reader.read("UNWIND $ids AS x MATCH (n:Entity {id: x}) RETURN x AS id",
                                              ids=sorted(set(ids)))}
        order = [i for i in ids if i in found]
        total = len(dict.fromkeys(order))
    elif focus:
        order = bfs(_start(reader, focus), lambda ids: _edges_neo4j(reader, ids), depth)
        total = len(dict.fromkeys(order))
    elif any((plan, district, commune, unit)):
        order = _filtered_order(reader, plan, district, commune, unit)
        total = len(dict.fromkeys(order))
    else:
        ranks = " ".join(f"WHEN '{label}' THEN {i}" for i, label in enumerate(LOW_PRIORITY))
        order = [r["id"] for r in reader.read(_WHOLE.format(ranks=ranks), limit=limit)]
        total = reader.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"]
    keep = list(dict.fromkeys(order))[:limit]
    return _export_neo4j(reader, keep, (plan, district, commune, unit, focus), total=total,
                         truncated=total > limit, limit=limit)


SUBGRAPH = QuerySpec(
    name="subgraph",
    title="Đồ thị con: quanh một đối tượng, theo kế hoạch, địa bàn, đơn vị, hoặc toàn bộ",
    description="The nodes and edges to draw: `focus` (id or name) and what lies within `depth` steps "
                "of it, or the assignments `plan`, `district`, `commune` and `unit` select with their "
                "units, places, plans and models (and every village of the area), or with no filter "
                "every node; at most `limit` nodes (`total`: how many there were). With the names of "
                "the nodes their properties refer to and each node's sources with the quoted sentence.",
    params=(Param("plan", help="kế hoạch"), Param("district", help="huyện"), Param("commune", help="xã"),
            Param("unit", help="đơn vị"), Param("focus", help="id hoặc tên của nút trung tâm"),
            Param("depth", "int", 1, minimum=0, maximum=MAX_DEPTH, help="số bước quanh nút trung tâm"),
            Param("ids", "list", help="chỉ các nút này (id, theo thứ tự) và các cạnh giữa chúng"),
            Param("limit", "int", DEFAULT_LIMIT, minimum=1, maximum=MAX_NODES, help="số nút tối đa")),
    example={"plan": "26-KH/HU"}, embedded=_subgraph_embedded, neo4j=_subgraph_neo4j, tags=("graph",),
)


# commune_graph -------------------------------------------------------------------------------
# (assignment, its ASSIGNED_TO target, [units], [plans]) of the assignments to some places
Assigned = list[tuple[str, str, list[str], list[str]]]


def _layers(commune: str, villages: list[str], up: list[str], assigned: Assigned
            ) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """(columns, edges drawn) of a commune: assignments become unit → place and unit → plan edges."""
    edges = [("PART_OF", v, commune) for v in villages] + [("PART_OF", commune, d) for d in up]
    helpers: dict[str, list[int]] = {}  # unit → rows of the places it helps (to order the column)
    plans_of: dict[str, set[str]] = {}
    row = {v: i for i, v in enumerate(villages)}
    row[commune] = len(villages) // 2
    for _, target, units, plans in sorted(assigned, key=lambda a: (a[1], a[0])):
        for u in units:
            helpers.setdefault(u, []).append(row[target])
            edges.append(("SUPPORTS", u, target))
            for p in plans:
                plans_of.setdefault(p, set()).add(u)
                edges.append(("UNDER_PLAN", u, p))
    units_col = sorted(helpers, key=lambda u: (sum(helpers[u]) / len(helpers[u]), u))
    unit_row = {u: i for i, u in enumerate(units_col)}
    plans_col = sorted(plans_of, key=lambda p: (sum(unit_row[u] for u in plans_of[p]) / len(plans_of[p]), p))
    return ([plans_col, units_col, villages, [commune], up],
            [{"type": t, "source": s, "target": e, "props": {}} for t, s, e in dict.fromkeys(edges)])


def _drawn(columns: list[list[str]], edges: list[dict[str, Any]], nodes: list[dict[str, Any]]
           ) -> tuple[list[list[str]], list[dict[str, Any]]]:
    known = {n["id"] for n in nodes}
    return ([[i for i in c if i in known] for c in columns],
            sorted((e for e in edges if e["source"] in known and e["target"] in known),
                   key=lambda e: f"{e['source']}|{e['type']}|{e['target']}"))


def _busiest_embedded(snap: EmbeddedSnapshot) -> str | None:
    kept = snap.memo("pages.busiest_commune")
    if "id" not in kept:
        counts: dict[str, int] = {}
        succ = snap.succ
        for a in snap.ids_with_label("Assignment"):
            for target, keys in succ[a].items():
                if "ASSIGNED_TO" not in keys:
                    continue
                place = target
                if target.startswith("village-"):
                    parents = [p for p, k in succ[target].items() if "PART_OF" in k]
                    place = max(parents) if parents else target
                if place.startswith("commune-"):
                    counts[place] = counts.get(place, 0) + 1
        kept["id"] = min(counts, key=lambda c: (-counts[c], c)) if counts else None
    return kept["id"]


def _commune_graph_embedded(snap: EmbeddedSnapshot, commune: str | None) -> dict[str, Any]:
    start = resolve(snap, commune, ["Commune"], param="commune") if commune else _busiest_embedded(snap)
    if start is None:
        return {"commune": None, "columns": [], "nodes": [], "edges": [], "names": {}, "sources": {}}
    node = snap.node
    villages = sorted(v for v in snap.in_ids(start, "PART_OF") if v.startswith("village-"))
    up = snap.out_ids(start, "PART_OF")
    assigned = [(a, t, snap.out_ids(a, "ASSIGNED_UNIT"), snap.out_ids(a, "UNDER_PLAN"))
                for t in [*villages, start] for a in snap.in_ids(t, "ASSIGNED_TO")]
    columns, edges = _layers(start, villages, up, assigned)
    ids = list(dict.fromkeys(i for c in columns for i in c))
    nodes = [item(i, node[i]["label"], node[i]["props"]) for i in ids if i in node]
    columns, edges = _drawn(columns, edges, nodes)
    names = {i: display_name(node[i]["props"], i) for i in _ref_ids(snap.schema, nodes, ()) if i in node}
    docs = {d: node[d]["props"] for d in _doc_ids(nodes) if d in node}
    return _answer(nodes, edges, names, docs, commune=start, columns=columns)


_BUSIEST = """
MATCH (a:Assignment)-[:ASSIGNED_TO]->(t)
WITH t, count(a) AS n
WITH CASE WHEN t.id STARTS WITH 'village-'
          THEN coalesce(reduce(m = null, p IN [(t)-[:PART_OF]->(p) | p.id] |
                               CASE WHEN m IS NULL OR p > m THEN p ELSE m END), t.id)
          ELSE t.id END AS place, n
WHERE place STARTS WITH 'commune-'
RETURN place, sum(n) AS n ORDER BY n DESC, place LIMIT 1
"""
_LAYERS = """
MATCH (c:Entity {id: $id})
RETURN [(v)-[:PART_OF]->(c) WHERE v.id STARTS WITH 'village-' | v.id] AS villages,
       [(c)-[:PART_OF]->(d) | d.id] AS up
"""
_ASSIGNED = """
UNWIND $ids AS x MATCH (:Entity {id: x})<-[:ASSIGNED_TO]-(a)
RETURN a.id AS a, x AS target, [(a)-[:ASSIGNED_UNIT]->(u) | u.id] AS units,
       [(a)-[:UNDER_PLAN]->(p) | p.id] AS plans
"""


def _commune_graph_neo4j(reader: Neo4jReader, commune: str | None) -> dict[str, Any]:
    if commune:
        start: str | None = resolve(reader, commune, ["Commune"], param="commune")
    else:
        found = reader.read(_BUSIEST)
        start = found[0]["place"] if found else None
    if start is None:
        return {"commune": None, "columns": [], "nodes": [], "edges": [], "names": {}, "sources": {}}
    row = reader.read(_LAYERS, id=start)[0]
    villages, up = sorted(set(row["villages"])), sorted(set(row["up"]))
    assigned = [(r["a"], r["target"], sorted(r["units"]), sorted(r["plans"]))
                for r in reader.read(_ASSIGNED, ids=[*villages, start])]
    columns, edges = _layers(start, villages, up, assigned)
    ids = list(dict.fromkeys(i for c in columns for i in c))
    found_nodes = _export_neo4j(reader, ids, ())
    columns, edges = _drawn(columns, edges, found_nodes["nodes"])
    return {**found_nodes, "commune": start, "columns": columns, "edges": edges}


COMMUNE_GRAPH = QuerySpec(
    name="commune_graph",
    title="Một xã theo tầng: kế hoạch, đơn vị giúp đỡ, thôn, xã, huyện",
    description="One commune drawn in columns — plans | units | villages | commune | district — each "
                "assignment as a unit → place edge and a unit → plan edge; without `commune`, the "
                "commune with the most assignments to it or to its villages.",
    params=(Param("commune", help="xã: id hoặc tên (mặc định: xã có nhiều phân công nhất)"),),
    example={"commune": "commune-23488"}, embedded=_commune_graph_embedded, neo4j=_commune_graph_neo4j,
    tags=("graph",),
)
QUERIES = (SUBGRAPH, COMMUNE_GRAPH)
