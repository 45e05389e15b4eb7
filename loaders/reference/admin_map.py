"""Both administrative maps as graph records: every province, district and commune of each era.

The legacy map (63 provinces → 696 districts → communes, before 1 July 2025) and
today's map (34 provinces → 3,321 communes, wards and special zones) come from
:mod:`danvan.loaders.reference.admin_units` (``vietnamadminunits``' bundled data, read
offline). Each legacy commune has a dated ``SUCCEEDED_BY`` edge to each 2025
commune it went into (``partial`` when it was divided among several), each
legacy province one to its 2025 province. 2025 communes are ``PART_OF`` their
2025 province (legacy communes are part of their district, districts of their
province, from the nodes' references).

``danvan load`` and ``danvan serve`` (on an empty store) write them with the
curated knowledge base; the knowledge base's own place entries (document
aliases, evidence) are merged on top.

>>> nodes, edges = map_records()
>>> labels = {}
>>> for n in nodes:
...     key = (n.label, n.props.get("era"))
...     labels[key] = labels.get(key, 0) + 1
>>> labels[("Province", "2025")], labels[("Commune", "2025")], labels[("District", None)]
(34, 3321, 696)
>>> any(e.props.get("partial") for e in edges if e.type == "SUCCEEDED_BY")
True
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from danvan.graph.schema import load_schema
from danvan.graph.types import Edge, Node, merge_props
from danvan.loaders.reference.admin_units import ERA_2025, LEGACY, admin_units, succession_edge

__all__ = ["map_records", "merge_records"]


@cache
def _records() -> tuple[tuple[Node, ...], tuple[Edge, ...]]:
    units = admin_units()
    schema = load_schema()
    nodes: list[Node] = []
    edges: list[Edge] = []
    areas: dict[str, float] = {}
    for commune in units.communes(era=ERA_2025):
        if commune.area is not None:
            areas[commune.province_code] = areas.get(commune.province_code, 0.0) + commune.area
    for province in units.provinces(ERA_2025):
        node = units.unit_node(province)
        area = areas.get(province.code)
        if area is not None:
            node = schema.node("Province", **{**node.props, "area": round(area, 2)})
        nodes.append(node)
    province_ids = {p.props["code"]: p.id for p in nodes}
    for commune in units.communes(era=ERA_2025):
        node = units.unit_node(commune)
        nodes.append(node)
        # The schema's Commune.province implies no edge (legacy communes are part of their
        # district); a 2025 commune has no district, so it is part of its province.
        edges.append(Edge("PART_OF", node.id, province_ids[commune.province_code]))
    for province in units.provinces(LEGACY):
        node = units.unit_node(province)
        nodes.append(node)
        edges.append(succession_edge(node.id, province_ids[
            units.province_successor(province).code]))
        for district in units.districts(province):
            nodes.append(units.unit_node(district))
    new_id = {c.code: f"commune-2025-{c.code}" for c in units.communes(era=ERA_2025)}
    for commune in units.all_communes():
        node = units.unit_node(commune)
        nodes.append(node)
        successor = units.successor(commune)
        for target in successor.candidates:
            edges.append(succession_edge(node.id, new_id[target.code], successor.divided))
    return tuple(nodes), tuple(edges)


def map_records() -> tuple[list[Node], list[Edge]]:
    """Nodes and edges of both maps (built once per process, ~14,000 nodes)."""
    nodes, edges = _records()
    return list(nodes), list(edges)


def merge_records(base: tuple[Iterable[Node], Iterable[Edge]],
                  over: tuple[Iterable[Node], Iterable[Edge]]) -> tuple[list[Node], list[Edge]]:
    """``over``'s nodes merged onto ``base``'s (same rule as a store write), edges deduplicated.

    >>> a = load_schema().node("Province", name="Tỉnh Kon Tum", code="62")
    >>> b = load_schema().node("Province", name="Tỉnh Kon Tum", code="62", aliases=["KT"])
    >>> [n.props["aliases"] for n in merge_records(([a], []), ([b], []))[0]]
    [['KT']]
    """
    nodes: dict[str, Node] = {n.id: n for n in base[0]}
    for node in over[0]:
        old = nodes.get(node.id)
        nodes[node.id] = node if old is None else Node(
            node.label, node.id, merge_props(old.props, node.props))
    edges: dict[str, Edge] = {e.key: e for e in base[1]}
    for edge in over[1]:
        old_edge = edges.get(edge.key)
        edges[edge.key] = edge if old_edge is None else Edge(
            edge.type, edge.source, edge.target, merge_props(old_edge.props, edge.props))
    return list(nodes.values()), list(edges.values())
