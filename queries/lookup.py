"""lookup — several nodes by id at once: label, properties (not a document's text) and where each is.

``where`` reads as a person says it: a village "Xã A, Huyện B",
a commune "Huyện B, Tỉnh C", a unit or plan the place it belongs to; none for provinces
and documents. Ids that name no node are left out.

>>> _where_text("Xã A", "Huyện B"), _where_text("Xã A", None), _where_text(None, "Huyện B")
('Xã A, Huyện B', 'Xã A', None)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from danvan.queries.base import display_name
from danvan.queries.communes import item
from danvan.queries.spec import Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader

__all__ = ["LOOKUP", "QUERIES"]

MAX_IDS = 5000  # a history page names up to 200 changes × 20 entities
_UP = ("commune", "district", "province", "scope")  # the first present is where a node is


def _where_text(first: str | None, second: str | None) -> str | None:
    if first is None:
        return None
    return first if second is None else f"{first}, {second}"


def _parent(props: dict[str, Any]) -> str | None:
    for key in _UP:
        value = props.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _lookup_embedded(snap: EmbeddedSnapshot, ids: list[str]) -> dict[str, Any]:
    node = snap.node
    out = {}
    for i in sorted(set(ids)):
        if i not in node:
            continue
        props = node[i]["props"]
        first = _parent(props)
        first_name = second_name = None
        if first in node:
            first_name = display_name(node[first]["props"], first)
            second = _parent(node[first]["props"])
            if second in node:
                second_name = display_name(node[second]["props"], second)
        out[i] = {**item(i, node[i]["label"], props), "where": _where_text(first_name, second_name)}
    return {"items": out}


_PARENT = "coalesce({v}.commune, {v}.district, {v}.province, {v}.scope)"
_NAMES = "{.name, .title, .ref, .what, .description}"
_LOOKUP = f"""
UNWIND $ids AS x MATCH (n:Entity {{id: x}})
OPTIONAL MATCH (p1:Entity {{id: {_PARENT.format(v='n')}}})
OPTIONAL MATCH (p2:Entity {{id: {_PARENT.format(v='p1')}}})
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n {{.*, text: null}} AS props,
       p1.id AS p1, p1 {_NAMES} AS first, p2.id AS p2, p2 {_NAMES} AS second
"""


def _lookup_neo4j(reader: Neo4jReader, ids: list[str]) -> dict[str, Any]:
    out = {}
    for r in sorted(reader.read(_LOOKUP, ids=sorted(set(ids))), key=lambda r: r["id"]):
        first = display_name(r["first"], r["p1"]) if r["p1"] is not None else None
        second = display_name(r["second"], r["p2"]) if r["p2"] is not None else None
        out[r["id"]] = {**item(r["id"], r["label"], r["props"]), "where": _where_text(first, second)}
    return {"items": out}


def _at_most(fetch: Callable[[Any, list[str]], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def run(handle: Any, ids: list[str]) -> dict[str, Any]:
        return fetch(handle, ids[:MAX_IDS])
    return run


LOOKUP = QuerySpec(
    name="lookup",
    title="Tra cứu nhiều đối tượng theo mã: loại, thuộc tính, nơi chốn",
    description=f"Up to {MAX_IDS} nodes by id at once: label, properties (a document's text left out) "
                "and where each is (\"Xã A, Huyện B\" for a village); unknown ids are left out.",
    params=(Param("ids", "list", required=True, help="các mã, cách nhau bằng dấu phẩy"),),
    example={"ids": ["commune-23488", "village-commune-23488-thon-9"]},
    embedded=_at_most(_lookup_embedded), neo4j=_at_most(_lookup_neo4j), tags=("profiles",),
)
QUERIES = (LOOKUP,)
