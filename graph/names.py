"""How a node is named and matched: its display name and its folded match keys.

Both read handles (graph/reading.py) build :class:`NameRow` tuples with these
rules, so search, resolution and the loaders match names the same way on either
store.

>>> display_name({"ref": "133-KH/TU"}, "directive-133")
'133-KH/TU'
>>> name_keys({"name": "Xã Tân Lập", "aliases": ["Tan Lap cu"]})
('tan lap', 'tan lap cu', 'xa tan lap')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from danvan.text import fold

__all__ = ["NAME_PROPS", "PLACE_LABELS", "NameRow", "display_name", "fold_cached", "name_keys",
           "name_row"]

PLACE_LABELS = ("Province", "District", "Commune", "Village")  # schema.yaml group "places"
_NAME_KEYS = ("name", "ref", "number", "title", "key")
# The properties a name row is built from (a Neo4j read asks for only these).
NAME_PROPS = ("name", "ref", "number", "title", "key", "what", "description", "aliases")


@dataclass(frozen=True)
class NameRow:
    """A node as search and resolution see it."""

    id: str
    label: str
    name: str
    keys: tuple[str, ...]  # folded name, aliases, numbers


# The same names are folded on every resolution and listing: fold each once.
fold_cached = lru_cache(maxsize=1 << 17)(fold)

# Level words people leave out: "Kon Rẫy" for "Huyện Kon Rẫy", "Tân Lập" for "Xã Tân Lập".
_LEVEL_WORDS = ("thanh pho ", "thi tran ", "thi xa ", "tinh ", "huyen ", "xa ", "phuong ", "quan ")


def name_keys(props: dict[str, Any]) -> tuple[str, ...]:
    """The folded keys a node is found by: names, numbers, aliases, and each without its level word."""
    values = [props.get(k) for k in _NAME_KEYS] + list(props.get("aliases") or [])
    keys = {fold_cached(str(v)) for v in values if v}
    for key in list(keys):
        for word in _LEVEL_WORDS:
            if key.startswith(word) and len(key) > len(word) + 2:
                keys.add(key[len(word):])
                break
    return tuple(sorted(keys))


def display_name(props: dict[str, Any], node_id: str) -> str:
    """The name people read: name, else title, ref or the id."""
    for key in ("name", "title", "ref", "what", "description"):
        if props.get(key):
            return str(props[key])
    return node_id


def name_row(node_id: str, label: str, props: dict[str, Any]) -> NameRow:
    """The :class:`NameRow` of one node."""
    return NameRow(node_id, label, display_name(props, node_id), name_keys(props))
