"""graphs — the neighbourhood of a node and the shortest path between two, for drawing.

Both walk the graph level by level, ignoring edge direction; each level is one
networkx pass or one Cypher read anchored on the frontier's ids. Ties are
broken by id, so both stores return the same nodes, edges and path.

>>> from danvan.queries.catalogue import CATALOGUE
>>> [p.name for p in CATALOGUE["path"].params]
['source', 'target', 'max_depth']
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from danvan.graph.schema import load_schema
from danvan.queries.base import display_name
from danvan.queries.listings import lab, resolve_any
from danvan.queries.resolve import by_id_text
from danvan.queries.spec import Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader, Readable, ReadHandle

__all__ = ["expand"]

# (from, edge type, edge source, edge target, neighbour, neighbour label, edge props)
Step = tuple[str, str, str, str, str, str, dict[str, Any]]
Expand = Callable[[Iterable[str]], list[Step]]

_EXPAND = ("UNWIND $ids AS x MATCH (a:Entity {id: x})-[r]-(b) "
           f"RETURN x AS a, type(r) AS t, startNode(r).id AS s, endNode(r).id AS e, b.id AS b, "
           f"{lab('b')} AS bl, properties(r) AS p")


def expand(handle: ReadHandle) -> Expand:
    """A function from node ids to every edge touching them, as steps, read with ``handle``."""
    return handle.fetch(_expand_embedded, _expand_neo4j)


def _expand_neo4j(reader: Neo4jReader) -> Expand:
    def neo(ids: Iterable[str]) -> list[Step]:
        rows = reader.read_many(_EXPAND, ("a", "t", "s", "e", "b", "bl", "p"), ids=sorted(set(ids)))
        return [(r["a"], r["t"], r["s"], r["e"], r["b"], r["bl"], dict(r["p"])) for r in rows]
    return neo


def _expand_embedded(snap: EmbeddedSnapshot) -> Expand:
    succ, pred, node = snap.succ, snap.pred, snap.node

    def embedded(ids: Iterable[str]) -> list[Step]:
        out: list[Step] = []
        for a in sorted(set(ids)):
            if a not in node:
                continue
            out += [(a, k, a, t, t, node[t]["label"], dict(d["props"]))
                    for t, keys in succ[a].items() for k, d in keys.items()]
            out += [(a, k, s, a, s, node[s]["label"], dict(d["props"]))
                    for s, keys in pred[a].items() for k, d in keys.items()]
        return out
    return embedded


# Neo4j, for the neighbourhood: the same steps with the neighbour's label and properties
# (but its ``text``, which no item shows), so the nodes drawn need no second read; with
# ``$roots`` also those of the nodes expanded, so the start needs no lookup of its own.
# The neighbours' properties come only while the read has at most ``$room`` steps (the
# nodes the answer can still take): around a hub (a plan with thousands of assignments)
# only the kept nodes' are read afterwards, as before.
_EXPAND_NODES = (
    "UNWIND $ids AS x MATCH (a:Entity {id: x}) "
    "WITH x, a, [(a)-[r]-(b) | [type(r), startNode(r).id, endNode(r).id, b.id, " + lab("b") + ", "
    "properties(r), b]] AS found "
    "WITH collect([x, a, found]) AS expanded, sum(size(found)) AS total "
    "UNWIND expanded AS e WITH e[0] AS x, e[1] AS a, e[2] AS found, total <= $room AS with_props "
    "RETURN x AS a, CASE WHEN $roots THEN [" + lab("a") + ", a {.*, text: null}] END AS node, "
    "[f IN found | f[0..6] + [CASE WHEN with_props THEN [n IN [f[6]] | n {.*, text: null}][0] END]] "
    "AS steps")

# id → (label, properties without ``id`` and ``text``): what a node item shows.
Shown = dict[str, tuple[str, dict[str, Any]]]


def _shown(label: str, props: dict[str, Any], drop: tuple[str, ...] = ("text",)
           ) -> tuple[str, dict[str, Any]]:
    return label, {k: v for k, v in props.items() if k not in drop}


def _expand_shown(reader: Neo4jReader, ids: Iterable[str], shown: Shown, room: int,
                  roots: bool = False) -> list[Step]:
    """:func:`expand` on Neo4j, also recording in ``shown`` what the items of the
    neighbours (if there are at most ``room`` steps) and, with ``roots``, of ``ids`` found
    show: one read for both."""
    rows = reader.read_many(_EXPAND_NODES, ("a", "node", "steps"),
                            ids=sorted(set(ids)), roots=roots, room=room)
    out: list[Step] = []
    for row in rows:
        a = row["a"]
        if row["node"] is not None:
            shown[a] = _shown(row["node"][0], row["node"][1], drop=("id", "text"))
        for t, s, e, b, bl, p, bp in row["steps"]:
            out.append((a, t, s, e, b, bl, p))
            if bp is not None:
                shown[b] = _shown(bl, bp, drop=("id", "text"))
    return out


def _node_items(store: Readable, ids: list[str], depth: dict[str, int] | None = None,
                shown: Shown | None = None) -> list[dict[str, Any]]:
    """Items of ``ids``; nodes not in ``shown`` are read (one read for all of them)."""
    shown = dict(shown or {})
    missing = [i for i in ids if i not in shown]
    if missing:
        shown.update((i, _shown(n.label, n.props)) for i, n in store.get_many(missing).items())
    out = []
    for i in ids:
        label, props = shown[i]
        item: dict[str, Any] = {"id": i, "label": label, "name": display_name(props, i),
                                "props": props}
        if depth is not None:
            item["depth"] = depth[i]
        out.append(item)
    return out


def _edge_item(key: tuple[str, str, str], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": key[1], "source": key[0], "target": key[2], "props": props}


# neighbourhood -------------------------------------------------------------------------------
def _neighbourhood_embedded(snap: EmbeddedSnapshot, id: str, depth: int, labels: list[str] | None,
                            edge_types: list[str] | None, limit: int) -> dict[str, Any]:
    step = _expand_embedded(snap)
    return _walk(snap, resolve_any(snap, id, "id"), lambda ids, room: step(ids), {},
                 depth, labels, edge_types, limit)


def _neighbourhood_neo4j(reader: Neo4jReader, id: str, depth: int, labels: list[str] | None,
                         edge_types: list[str] | None, limit: int) -> dict[str, Any]:
    shown: Shown = {}
    start: str | None = None
    pending: list[Step] | None = None  # the first level, when read with the start
    if by_id_text(id):
        # An id: the start and its first level in one read (a name is resolved first).
        first = _expand_shown(reader, [id], shown, limit - 1, roots=True)
        if id in shown:
            start, pending = id, first
    if start is None:
        start = resolve_any(reader, id, "id")

    def step(ids: list[str], room: int) -> list[Step]:
        nonlocal pending
        if pending is not None:
            steps, pending = pending, None
            return steps
        return _expand_shown(reader, ids, shown, room)

    return _walk(reader, start, step, shown, depth, labels, edge_types, limit)


def _walk(handle: ReadHandle, start: str, step: Callable[[list[str], int], list[Step]],
          shown: Shown, depth: int, labels: list[str] | None, edge_types: list[str] | None,
          limit: int) -> dict[str, Any]:
    """Breadth first from ``start``; ``step(ids, room)`` gives the edges of ``ids`` (and may
    record in ``shown`` what the neighbours' items show while there is ``room`` for them)."""
    depth_of = {start: 0}
    kept = [start]
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    frontier, truncated = [start], False
    for level in range(1, depth + 1):
        if not frontier:
            break
        new: set[str] = set()
        for _, t, s, e, b, bl, p in step(frontier, limit - len(kept)):
            if (edge_types and t not in edge_types) or (labels and bl not in labels and b != start):
                continue
            seen[(s, t, e)] = p
            if b not in depth_of:
                new.add(b)
        ordered = sorted(new)
        if len(ordered) > limit - len(kept):
            truncated, ordered = True, ordered[:max(0, limit - len(kept))]
        for b in ordered:
            depth_of[b] = level
        kept += ordered
        frontier = ordered
        if truncated:
            break
    edges = [_edge_item(k, p) for k, p in sorted(seen.items())
             if k[0] in depth_of and k[2] in depth_of]
    return {"nodes": _node_items(handle, kept, depth_of, shown), "edges": edges,
            "truncated": truncated}


_SCHEMA = load_schema()
NEIGHBOURHOOD = QuerySpec(
    name="neighbourhood",
    title="Quan hệ xung quanh một đối tượng",
    description="The nodes within `depth` steps of a node (either direction), optionally only some "
                "labels and edge types; at most `limit` nodes, nearest first then by id.",
    params=(Param("id", required=True, help="id (hoặc tên)"),
            Param("depth", "int", 1, minimum=1, maximum=3),
            Param("labels", "list", choices=tuple(_SCHEMA.labels), help="chỉ các loại này"),
            Param("edge_types", "list", choices=tuple(_SCHEMA.edges), help="chỉ các quan hệ này"),
            Param("limit", "int", 500, minimum=1, maximum=5000)),
    example={"id": "commune-23488"}, embedded=_neighbourhood_embedded, neo4j=_neighbourhood_neo4j,
    tags=("graph",),
)


# path ------------------------------------------------------------------------------------------
PathKey = tuple[str, str, str]  # (source, type, target) of an edge


def shortest_path(step: Expand, source: str, target: str,
                  max_depth: int) -> tuple[list[str], list[tuple[PathKey, dict[str, Any]]]] | None:
    """The lexicographically smallest (by ids) shortest undirected path, or None.

    Bidirectional search: the smaller frontier grows first (ties: the source side).
    """
    if source == target:
        return [source], []
    dist = {True: {source: 0}, False: {target: 0}}  # True: from the source side
    frontier = {True: [source], False: [target]}
    level = {True: 0, False: 0}
    adj: dict[str, dict[str, list[PathKey]]] = defaultdict(lambda: defaultdict(list))
    props: dict[PathKey, dict[str, Any]] = {}
    meet: list[str] = []
    while level[True] + level[False] < max_depth and frontier[True] and frontier[False]:
        side = len(frontier[True]) <= len(frontier[False])
        new: set[str] = set()
        for a, t, s, e, b, _, p in step(frontier[side]):
            props[(s, t, e)] = p
            adj[a][b].append((s, t, e))
            adj[b][a].append((s, t, e))
            if b not in dist[side]:
                new.add(b)
        level[side] += 1
        for b in new:
            dist[side][b] = level[side]
        frontier[side] = sorted(new)
        meet = sorted(b for b in new if b in dist[not side])
        if meet:
            break
    if not meet:
        return None
    ds, dt = dist[True], dist[False]
    total = min(ds[m] + dt[m] for m in meet)
    layer = [m for m in meet if ds[m] + dt[m] == total]
    k = ds[layer[0]]
    on_path: dict[int, set[str]] = {k: set(layer)}
    for i in range(k - 1, -1, -1):
        on_path[i] = {y for y, dy in ds.items() if dy == i and any(z in on_path[i + 1] for z in adj[y])}
    path = [source]
    for i in range(1, k + 1):
        path.append(min(z for z in adj[path[-1]] if z in on_path[i]))
    for i in range(k + 1, total + 1):
        path.append(min(z for z in adj[path[-1]] if dt.get(z) == total - i))
    keys = [min(adj[a][b]) for a, b in itertools.pairwise(path)]
    return path, [(k, props[k]) for k in keys]


def _path(store: ReadHandle, source: str, target: str, max_depth: int) -> dict[str, Any]:
    s = resolve_any(store, source, "source")
    t = resolve_any(store, target, "target")
    found = shortest_path(expand(store), s, t, max_depth)
    if found is None:
        return {"found": False, "length": None, "nodes": [], "edges": []}
    path, edges = found
    return {"found": True, "length": len(edges), "nodes": _node_items(store, path),
            "edges": [_edge_item(k, p) for k, p in edges]}


PATH = QuerySpec(
    name="path",
    title="Đường nối giữa hai đối tượng",
    description="A shortest chain of relations (in either direction) between two nodes, e.g. "
                "from a unit to a village; the same one on both stores when there are several.",
    params=(Param("source", required=True, help="id hoặc tên"),
            Param("target", required=True, help="id hoặc tên"),
            Param("max_depth", "int", 4, minimum=1, maximum=6)),
    example={"source": "unit-district-614-hoi-lien-hiep-phu-nu-huyen-kon-ray",
             "target": "village-commune-23488-thon-10-lang-kon-skoi"},
    fetch=_path, tags=("graph",),
)
QUERIES = (NEIGHBOURHOOD, PATH)
