"""directive_lineage — what a directive implements and is based on, and what implements it.

``implements`` climbs IMPLEMENTS edges (a district plan → the provincial
conclusion → the campaign), ``implemented_by`` descends them; ``based_on`` and
``basis_for`` follow BASED_ON. Each item carries its ``depth`` and ``via`` (the
item it was reached from).

>>> _bfs("a", {"a": ["b"], "b": ["c"]}, 1)
{'b': (1, 'a')}
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from danvan.queries.listings import DOC_LIST, doc_item, doc_row_neo4j, doc_rows
from danvan.queries.resolve import resolve
from danvan.queries.spec import MAX_DEPTH, Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader, ReadHandle

DIRECTIONS = {  # name: (edge type, follow out-edges?)
    "implements": ("IMPLEMENTS", True),
    "implemented_by": ("IMPLEMENTS", False),
    "based_on": ("BASED_ON", True),
    "basis_for": ("BASED_ON", False),
}

# Neo4j: every lineage edge within MAX_DEPTH steps of the root, per direction, and in the
# same read the directive rows of the root and of every node those edges reach (the answer
# shows those within ``depth``: a subset).
_CYPHER_WITH_DOCS = "MATCH (root:Entity {id: $id}) WITH root, " + ", ".join(
    f"COLLECT {{ MATCH p = (root){'-' if out else '<-'}[:{t}*1..{MAX_DEPTH}]{'->' if out else '-'}() "
    f"UNWIND relationships(p) AS r RETURN DISTINCT [startNode(r).id, endNode(r).id] }} AS {name}"
    for name, (t, out) in DIRECTIONS.items()) + f"""
WITH *, [root.id] + reduce(acc = [], e IN {' + '.join(DIRECTIONS)} | acc + e) AS ids
RETURN {', '.join(DIRECTIONS)},
  COLLECT {{ UNWIND ids AS x MATCH (d:Entity {{id: x}}) WITH DISTINCT d RETURN {DOC_LIST} }} AS docs"""


def _neo4j_raw(reader: Neo4jReader, root: str) -> tuple[dict[str, dict[str, list[str]]], list[Any]]:
    """(adjacency as :func:`_adjacency` gives it, doc_rows of the nodes around) from Neo4j."""
    row = reader.read(_CYPHER_WITH_DOCS, id=root)[0]
    out: dict[str, dict[str, list[str]]] = {}
    for name, (_, forward) in DIRECTIONS.items():
        adj: dict[str, set[str]] = defaultdict(set)
        for s, t in row[name]:
            a, b = (s, t) if forward else (t, s)
            adj[a].add(b)
        out[name] = {k: sorted(v) for k, v in adj.items()}
    return out, [doc_row_neo4j(r) for r in row["docs"]]


def _bfs(start: str, adj: dict[str, list[str]], depth: int) -> dict[str, tuple[int, str]]:
    """``{node: (depth, via)}`` within ``depth`` steps; ``via`` the smallest predecessor id."""
    found: dict[str, tuple[int, str]] = {}
    frontier = [start]
    for level in range(1, depth + 1):
        nxt: dict[str, str] = {}
        for node in sorted(frontier):
            for child in adj.get(node, []):
                if child != start and child not in found and child not in nxt:
                    nxt[child] = node
        found.update({c: (level, via) for c, via in nxt.items()})
        frontier = list(nxt)
    return found


def _adjacency(snap: EmbeddedSnapshot, root: str) -> dict[str, dict[str, list[str]]]:
    """Per direction, ``{node: sorted next nodes}`` within MAX_DEPTH steps of ``root`` (embedded)."""
    out: dict[str, dict[str, list[str]]] = {}
    for name, (type_, forward) in DIRECTIONS.items():
        step = snap.out_ids if forward else snap.in_ids
        adj2: dict[str, list[str]] = {}
        frontier = [root]
        for _ in range(MAX_DEPTH):
            nxt = []
            for node in frontier:
                if node in adj2:
                    continue
                adj2[node] = step(node, type_)
                nxt += adj2[node]
            frontier = nxt
        out[name] = {k: v for k, v in adj2.items() if v}
    return out


def _root(handle: ReadHandle, directive: str) -> str:
    return resolve(handle, directive, ["Directive", "Campaign"], param="directive")


def _lineage_embedded(snap: EmbeddedSnapshot, directive: str, depth: int) -> dict[str, Any]:
    root = _root(snap, directive)
    return _shape(snap, root, depth, _adjacency(snap, root), None)


def _lineage_neo4j(reader: Neo4jReader, directive: str, depth: int) -> dict[str, Any]:
    root = _root(reader, directive)
    adjacency, docs = _neo4j_raw(reader, root)
    return _shape(reader, root, depth, adjacency, docs)


def _shape(handle: ReadHandle, root: str, depth: int, adjacency: dict[str, dict[str, list[str]]],
           docs: list[Any] | None) -> dict[str, Any]:
    reached = {name: _bfs(root, adj, depth) for name, adj in adjacency.items()}
    ids = {root} | {i for found in reached.values() for i in found}
    if docs is None:
        docs = doc_rows(handle, ids)
    items = {d[0]: doc_item(d[0], d[1], d[2], issuer) for d, issuer in docs if d[0] in ids}
    result: dict[str, Any] = {"directive": items[root]}
    for name, found in reached.items():
        result[name] = sorted(({**items[i], "depth": dv, "via": via} for i, (dv, via) in found.items()
                               if i in items), key=lambda x: (x["depth"], x["id"]))
    return result


LINEAGE = QuerySpec(
    name="directive_lineage",
    title="Quan hệ giữa các văn bản: thực hiện, căn cứ",
    description="For a directive (id or number such as 26-KH/HU): what it implements (up to "
                "campaigns), what implements it, what it is based on and what is based on it.",
    params=(Param("directive", required=True, help="văn bản: id hoặc số ký hiệu (26-KH/HU)"),
            Param("depth", "int", 2, minimum=1, maximum=MAX_DEPTH)),
    example={"directive": "08-KL/TU"}, embedded=_lineage_embedded, neo4j=_lineage_neo4j,
    tags=("directives",),
)
QUERIES = (LINEAGE,)
