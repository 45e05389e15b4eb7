"""Where a node is, as a person says it: "Thôn 7" alone names twenty villages.

A village reads "Xã A, Huyện B" (its commune as documents name it, so two "Thôn 1" of
one merged 2025 commune stay apart); a commune "Huyện B, Tỉnh C"; a district its
province; a unit, party body, plan or model the place it belongs to (its scope). Three
``get_many`` reads at most, whatever the store.

>>> from danvan.graph.embedded import EmbeddedStore
>>> store = EmbeddedStore(":memory:")
>>> s = store.schema
>>> _ = store.write([s.node("Province", name="Tỉnh Kon Tum", code="62"),
...                  s.node("District", name="Huyện Kon Rẫy", code="614", province="province-62"),
...                  s.node("Commune", name="Xã Đăk Ruồng", code="23488", district="district-614"),
...                  s.node("Village", name="Thôn 7", commune="commune-23488")])
>>> found = where_of(store, ["village-commune-23488-thon-7", "commune-23488", "province-62"])
>>> found["village-commune-23488-thon-7"], found["commune-23488"], "province-62" in found
('Xã Đăk Ruồng, Huyện Kon Rẫy', 'Huyện Kon Rẫy, Tỉnh Kon Tum', False)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from danvan.graph.reading import Readable

__all__ = ["where_of"]

_UP = ("commune", "district", "province", "scope")  # the first present is where a node is


def _parent(props: dict[str, object]) -> str | None:
    for key in _UP:
        value = props.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def where_of(store: Readable, ids: Iterable[str]) -> dict[str, str]:
    """``{id: "Xã A, Huyện B"}`` for the ids that are somewhere (not provinces or documents)."""
    nodes = store.get_many(set(ids))
    first_ids = {i: p for i, n in nodes.items() if (p := _parent(n.props))}
    firsts = store.get_many(set(first_ids.values()))
    second_ids = {i: p for i, n in firsts.items() if (p := _parent(n.props))}
    seconds = store.get_many(set(second_ids.values()) - firsts.keys()) | firsts
    out = {}
    for node_id, first_id in first_ids.items():
        first = firsts.get(first_id)
        if first is None:
            continue
        second = seconds.get(second_ids.get(first_id, ""))
        out[node_id] = first.name if second is None else f"{first.name}, {second.name}"
    return out
