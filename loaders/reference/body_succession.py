"""Party bodies across the 2025 reforms: what a body's name says, and the bodies it continues.

From 1 March 2025 each province's Ban Tuyên giáo and Ban Dân vận were merged into
the Ban Tuyên giáo và Dân vận Tỉnh ủy (Kết luận 121-KL/TW); from 1 July 2025
provinces were merged (Nghị quyết 202/2025/QH15), district committees were
dissolved and each 2025 commune has its Đảng ủy under the Tỉnh ủy. A body met
for the first time (in a sheet or a document) is created; :func:`continuations`
then links it to the bodies it continues, with a dated ``CONTINUED_BY`` edge
(Ban Dân vận Tỉnh ủy Kon Tum → Ban Tuyên giáo và Dân vận Tỉnh ủy Kon Tum →
Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi). The kinds are read from the
name by a hand-written table (no library knows Vietnamese party bodies).

>>> body_kind("Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi")
('tuyen-giao-dan-van', 'province')
>>> body_kind("Đảng ủy xã Kon Braih"), body_kind("Hội Nông dân tỉnh")
(('dang-uy', 'commune'), None)
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from danvan.graph.types import Edge, Node
from danvan.loaders.reference.admin_units import ERA_2025, LEGACY, REFORM_DATE, admin_units
from danvan.loaders.reference.resolver import BOARDS_MERGED, scope_of
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.schema import Schema
    from danvan.graph.store import Store

__all__ = ["MERGER_BASIS", "REFORM_BASIS", "body_kind", "continuations", "is_party_body"]

MERGER_BASIS = "121-KL/TW"
REFORM_BASIS = "202/2025/QH15"

# Folded name starts → (kind, level), longest first so "ban thuong vu tinh uy" beats "tinh uy".
_KINDS: tuple[tuple[str, str, str], ...] = (
    ("ban tuyen giao va dan van tinh uy", "tuyen-giao-dan-van", "province"),
    ("ban tuyen giao va dan van thanh uy", "tuyen-giao-dan-van", "province"),
    ("ban thuong vu tinh uy", "thuong-vu", "province"),
    ("ban thuong vu thanh uy", "thuong-vu", "province"),
    ("thuong truc tinh uy", "thuong-truc", "province"),
    ("ban dan van tinh uy", "dan-van", "province"),
    ("ban dan van thanh uy", "dan-van", "province"),
    ("ban tuyen giao tinh uy", "tuyen-giao", "province"),
    ("tinh uy", "cap-uy", "province"),
    ("ban thuong vu huyen uy", "thuong-vu", "district"),
    ("ban dan van huyen uy", "dan-van", "district"),
    ("huyen uy", "cap-uy", "district"),
    ("ban thuong vu dang uy xa", "thuong-vu", "commune"),
    ("ban thuong vu dang uy phuong", "thuong-vu", "commune"),
    ("dang uy xa", "dang-uy", "commune"),
    ("dang uy phuong", "dang-uy", "commune"),
    ("dang uy dac khu", "dang-uy", "commune"),
    ("dang uy thi tran", "dang-uy", "commune"),
)
# What a merged board continues: its two boards (1 March 2025).
_MERGED_FROM = {"tuyen-giao-dan-van": ("dan-van", "tuyen-giao")}


@lru_cache(maxsize=1 << 14)
def body_kind(name: str) -> tuple[str, str] | None:
    """(kind, level) of a party body's name, or None when the name is not one (cached: a
    sheet names the same bodies on thousands of rows)."""
    key = " ".join(fold(name).replace("-", " ").split())
    for start, kind, level in _KINDS:
        if key.startswith(start):
            return kind, level
    return None


def is_party_body(name: str) -> bool:
    """Whether ``name`` names a party committee or one of its boards.

    >>> is_party_body("Ban Thường vụ Tỉnh ủy Quảng Ngãi"), is_party_body("Công an tỉnh")
    (True, False)
    """
    return body_kind(name) is not None


def _predecessor_scopes(scope_id: str) -> list[str]:
    """The legacy places a 2025 province or commune was formed from (ids)."""
    units = admin_units()
    code = scope_id.rsplit("-", 1)[-1]
    if scope_id.startswith("province-2025-"):
        return [f"province-{p.code}" for p in units.provinces(LEGACY)
                if units.province_successor(p).code == code]
    if scope_id.startswith("commune-2025-"):
        return [f"commune-{c.code}" for c in units.predecessors(units.commune(code, era=ERA_2025))]
    return []


def continuations(store: Store, body: Node, extra: Iterable[Node] = ()
                  ) -> tuple[list[Node], list[Edge]]:
    """Bodies ``body`` continues and the dated CONTINUED_BY edges to it.

    A 2025 body continues the bodies of the same kind of the legacy places its
    scope was formed from (1 July 2025); a merged Tuyên giáo và Dân vận board
    continues its province's Ban Dân vận and Ban Tuyên giáo (1 March 2025). When
    a 2025 board's legacy predecessor is only known as its Ban Dân vận, the
    legacy merged board is created between them (it existed from March to June
    2025), so the chain reads as it happened. Only bodies in ``store`` (or in
    ``extra``, bodies about to be written with it) are linked.
    """
    found = body_kind(body.name)
    scope = body.props.get("scope")
    if found is None or not scope:
        return [], []
    kind, _level = found
    known = _bodies(store, extra)
    schema = store.schema
    nodes: list[Node] = []
    edges: list[Edge] = []
    if "-2025-" in scope:
        for old_scope in _predecessor_scopes(scope):
            olds = known.get((old_scope, kind), [])
            if not olds and kind in _MERGED_FROM and old_scope.startswith("province-"):
                parts = [b for k in _MERGED_FROM[kind] for b in known.get((old_scope, k), [])]
                if parts:  # the legacy merged board, between its boards and today's
                    middle = _legacy_board(schema, parts[0], body)
                    nodes.append(middle)
                    edges += [_edge(p.id, middle.id, BOARDS_MERGED, MERGER_BASIS) for p in parts]
                    olds = [middle]
            edges += [_edge(o.id, body.id, REFORM_DATE, REFORM_BASIS) for o in olds]
    elif kind in _MERGED_FROM:
        parts = [b for k in _MERGED_FROM[kind] for b in known.get((scope, k), [])]
        edges += [_edge(p.id, body.id, BOARDS_MERGED, MERGER_BASIS) for p in parts]
    return nodes, [e for e in edges if e.source != e.target]


def _bodies(store: Store, extra: Iterable[Node]) -> dict[tuple[str, str], list[Node]]:
    """Known party bodies by (scope id, kind)."""
    out: dict[tuple[str, str], list[Node]] = {}
    for row in store.names(["PartyBody"]):
        found = body_kind(row.name)
        scope = scope_of(row.id)
        if found and scope:
            out.setdefault((scope, found[0]), []).append(Node("PartyBody", row.id, {"name": row.name}))
    for node in extra:
        found = body_kind(node.name)
        if node.label == "PartyBody" and found and node.props.get("scope"):
            out.setdefault((node.props["scope"], found[0]), []).append(node)
    return out


def _legacy_board(schema: Schema, part: Node, successor: Node) -> Node:
    """The legacy province's Ban Tuyên giáo và Dân vận, named after one of its two boards."""
    scope = scope_of(part.id) or ""
    place = admin_units().province(scope.rsplit("-", 1)[-1]).short_name
    return schema.node("PartyBody", name=f"Ban Tuyên giáo và Dân vận Tỉnh ủy {place}", scope=scope,
                       kind="party_board", sources=list(successor.props.get("sources") or []))


def _edge(source: str, target: str, date: str, basis: str) -> Edge:
    return Edge("CONTINUED_BY", source, target, {"date": date, "basis": basis})
