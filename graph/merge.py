"""Merging two entities that are the same (two spellings of one unit), and undoing it.

``merge(store, keep, drop, who)`` moves everything of ``drop`` onto ``keep``: its
edges, its name (an alias of ``keep``) and its evidence; nodes whose identity holds
``drop`` (an assignment of the dropped unit, a village of a dropped commune) are
made again under ``keep`` — their ids are derived from it — and so on down. Then
``drop`` and the re-made nodes' old ids are deleted. A ``Merge`` record keeps what
was there before (``drop``, ``keep`` and every moved node with its edges), so
:func:`undo_merge` can put it back: what the merge created goes, the snapshot
returns, and ``keep`` keeps the edges it gained since from other work.

The write and the deletes are separate transactions: a crash between them leaves
both ``keep`` (complete) and the old ids; merging again finishes the job.

>>> from danvan.graph.embedded import EmbeddedStore
>>> store = EmbeddedStore(":memory:")
>>> s = store.schema
>>> _ = store.write([s.node("Province", name="Tỉnh Kon Tum", code="62"),
...                  s.node("Unit", name="Huyện đoàn Kon Rẫy", scope="province-62"),
...                  s.node("Unit", name="Huyện Đoàn KR", scope="province-62")])
>>> record = merge(store, "unit-province-62-huyen-doan-kon-ray", "unit-province-62-huyen-doan-kr", "an")
>>> store.get("unit-province-62-huyen-doan-kon-ray").props["aliases"], store.get(record["drop"])
(['Huyện Đoàn KR'], None)
>>> _ = undo_merge(store, record["key"], "an")
>>> store.get("unit-province-62-huyen-doan-kr").name
'Huyện Đoàn KR'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from danvan.errors import NotFoundError, ValidationError
from danvan.graph.audit import Acting, record_change
from danvan.graph.types import Edge, Node

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["merge", "undo_merge"]

MAX_MOVED = 5_000  # nodes re-made under the kept one; more is not a merge a board does by hand


def _edge_json(e: Edge) -> list[Any]:
    return [e.type, e.source, e.target, e.props]


def _edge(row: list[Any]) -> Edge:
    return Edge(row[0], row[1], row[2], row[3])


def _referrers(store: Store, node_id: str) -> list[tuple[Node, list[str]]]:
    """Nodes with a ref property holding ``node_id``, and which properties."""
    ends = {e.target if e.source == node_id else e.source for e in store.edges_of(node_id)}
    out = []
    for other in store.get_many(ends).values():
        spec = store.schema.labels[other.label]
        props = [r.name for r in spec.refs if other.props.get(r.name) == node_id]
        if props:
            out.append((other, props))
    return out


def merge(store: Store, keep: str, drop: str, who: str, comment: str | None = None) -> dict[str, Any]:
    """Merge ``drop`` into ``keep`` (same label); returns the ``Merge`` record."""
    kept, dropped = store.get(keep), store.get(drop)
    for node_id, node in ((keep, kept), (drop, dropped)):
        if node is None:
            raise NotFoundError(f"no entity {node_id!r}")
    assert kept is not None and dropped is not None
    if keep == drop or kept.label != dropped.label:
        raise ValidationError(kept.label, None, "merge needs two different entities of one kind")
    moved: dict[str, str] = {drop: keep}  # old id → id under keep
    new_nodes: dict[str, Node] = {}
    snapshot: dict[str, dict[str, Any]] = {keep: kept.props, drop: dropped.props}
    labels = {keep: kept.label, drop: dropped.label}
    todo = [drop]
    while todo:
        old = todo.pop()
        for node, props in _referrers(store, old):
            if node.id in moved or node.id == keep:
                continue
            remade = store.schema.node(node.label, **{**node.props, **dict.fromkeys(props, moved[old])})
            moved[node.id] = remade.id
            snapshot[node.id], labels[node.id] = node.props, node.label
            new_nodes[remade.id] = remade
            todo.append(node.id)
            if len(moved) > MAX_MOVED:
                raise ValidationError(kept.label, None, f"more than {MAX_MOVED} records would move")
    old_edges = {e.key: e for old in moved for e in store.edges_of(old)}
    kept_edges = {e.key for e in store.edges_of(keep)}
    edges = {}
    for e in old_edges.values():
        moved_edge = Edge(e.type, moved.get(e.source, e.source), moved.get(e.target, e.target),
                          e.props)
        if moved_edge.source != moved_edge.target:
            edges[moved_edge.key] = moved_edge
    aliases = list(dict.fromkeys(a for a in [*(kept.props.get("aliases") or []), dropped.name,
                                             *(dropped.props.get("aliases") or [])]
                                 if a and a != kept.name))
    sources = sorted({*(kept.props.get("sources") or []), *(dropped.props.get("sources") or [])})
    merged_keep = Node(kept.label, keep, {**kept.props, "aliases": aliases,
                                          **({"sources": sources} if sources else {})})
    existed = set(store.get_many(new_nodes))
    store.write([merged_keep, *new_nodes.values()], list(edges.values()))
    gone = [old for old, new in moved.items() if old != new]
    store.delete(gone)
    keep_edges = [_edge_json(e) for e in store.edges_of(keep) if e.key in kept_edges]
    record = store.records.add("Merge", {
        "keep": keep, "drop": drop, "user": who, "status": "active", "labels": labels,
        "snapshot": snapshot, "edges": [_edge_json(e) for e in old_edges.values()],
        "keep_edges": keep_edges, "created": sorted(set(new_nodes) - existed - {keep}),
        "added_edges": sorted(k for k in edges if k not in old_edges and k not in kept_edges)})
    after = store.get(keep)
    record_change(store, Acting(who, "edit.merge", None, comment), sorted({keep, *moved}),
                  snapshot, {keep: after.props if after else None, **dict.fromkeys(gone)},
                  merge=record["key"])
    return record


def undo_merge(store: Store, key: str, who: str) -> dict[str, Any]:
    """Put back what merge ``key`` changed; ``keep`` keeps edges other work gave it since."""
    record = store.records.get("Merge", key)
    if record is None or record.get("status") != "active":
        raise NotFoundError(f"no active merge {key!r}")
    keep, snapshot, labels = record["keep"], record["snapshot"], record["labels"]
    created = set(record["created"])
    before_keep = store.get(keep)
    # Edges keep gained after the merge from other work stay; the merge's own go.
    skip = {*record["added_edges"], *(Edge(*r[:3]).key for r in record["keep_edges"])}
    since = [e for e in store.edges_of(keep) if e.key not in skip
             and e.source not in created and e.target not in created]
    store.delete([keep, *created])
    nodes = [Node(labels[i], i, props) for i, props in snapshot.items()]
    edges = [_edge(r) for r in [*record["edges"], *record["keep_edges"]]] + since
    store.write(nodes, edges)
    record_change(store, Acting(who, "edit.merge.undo", None, None), sorted({keep, *snapshot}),
                  {keep: before_keep.props if before_keep else None, **dict.fromkeys(created)},
                  snapshot, merge=key)
    return store.records.put("Merge", key, {**record, "status": "undone", "undone_by": who})
