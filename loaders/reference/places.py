"""Place entries of curated files → official Province/District/Commune nodes.

A curated file names places only by official code; everything else (name,
coordinates, parent, 2025 successor) comes from the administrative-units data,
so nobody types a place by hand.

>>> nodes, edges, main = place_records({"commune": "23488"})
>>> main, sorted({n.label for n in nodes}) == ["Commune", "District", "Province"]
('commune-23488', True)
"""

from __future__ import annotations

from typing import Any

from danvan.errors import LoadError
from danvan.graph.schema import load_schema
from danvan.graph.types import Edge, Node
from danvan.loaders.reference.admin_units import admin_units, succession_edge

__all__ = ["place_records"]


def place_records(raw: dict[str, Any]) -> tuple[list[Node], list[Edge], str]:
    """Nodes and edges for one ``{commune|district|province: code}`` entry, and its main id."""
    units = admin_units()
    schema = load_schema()
    if raw.get("commune"):
        nodes, edges = units.graph_records([str(raw["commune"])])
        return nodes, edges, schema.node_id("Commune", {"code": str(raw["commune"])})
    if raw.get("district"):
        district = units.district(str(raw["district"]))
        province = units.province(district.province_code)
        p_nodes, p_edges = _province_records(province.code)
        node = schema.node("District", name=district.name, code=district.code,
                           kind=district.kind, lat=district.lat, lon=district.lon,
                           province=p_nodes[0].id, aliases=[district.short_name])
        return [node, *p_nodes], p_edges, node.id
    if raw.get("province"):
        nodes, edges = _province_records(str(raw["province"]))
        return nodes, edges, nodes[0].id
    raise LoadError("", raw.get("__line__"), "a place needs 'commune', 'district' or 'province'")


def _province_records(code: str) -> tuple[list[Node], list[Edge]]:
    units = admin_units()
    schema = load_schema()
    old = units.province(code)
    new = units.province_successor(old.code)
    old_node = schema.node("Province", name=old.name, code=old.code, lat=old.lat, lon=old.lon,
                           aliases=[old.short_name])
    new_node = schema.node("Province", name=new.name, code=new.code, era="2025", lat=new.lat,
                           lon=new.lon, aliases=[new.short_name])
    return [old_node, new_node], [succession_edge(old_node.id, new_node.id)]
