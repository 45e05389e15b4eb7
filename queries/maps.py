"""The two administrative maps queries speak: ``2025`` (in force since 1 July 2025) and ``legacy``.

Places of both maps live in one graph: legacy provinces, districts and communes,
2025 provinces and communes (ids ``province-2025-…``, ``commune-2025-…``; a
``SUCCEEDED_BY`` edge runs from each legacy unit to its successor(s)). Villages
belong to a commune of either map (``PART_OF``); a village of a legacy commune
belongs, derived, to that commune's 2025 successor. The ``map`` parameter of the
listings (``catalogue.MAP_PARAM``) says in which map places are named, grouped and shown:

* filters (``province``, ``commune``) resolve a name among the units of that map
  first — "Xã Đăk Kôi" is the 2025 commune in the 2025 map and the legacy one in
  the legacy map — and fall back to the other map for names only it has;
* a village's commune is shown in that map: in the 2025 map the successor of its
  legacy commune (``former_commune`` keeps the legacy one, "xã … cũ").

A legacy commune split between several 2025 communes is shown under the first of
them by id (no village-level list says where each of its villages went).

>>> in_map("commune-2025-23497", "2025"), in_map("commune-23488", "2025")
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from danvan.queries.resolve import match_rows, resolve_many
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader, Readable

__all__ = ["LEGACY", "MAP_2025", "in_map", "map_commune", "predecessors_of", "resolve_in_map",
           "successors_of"]

MAP_2025 = "2025"
LEGACY = "legacy"
_LEVELS_2025 = frozenset({"Province", "Commune"})  # the 2025 map has no districts


def in_map(node_id: str, map_: str) -> bool:
    """Whether a province, district or commune id is a unit of ``map_``.

    Ids are the schema's slug of the identity keys ``[era, code]``, and the legacy
    era is the default left out of the slug: 2025 units alone carry ``-2025-``.
    """
    is_2025 = "-2025-" in node_id
    return is_2025 if map_ == MAP_2025 else not is_2025


def resolve_in_map(store: Readable, text: str, label: str, map_: str,
                   within: set[str] | None = None, param: str = "name") -> list[str]:
    """Ids ``text`` names among the ``label`` units, preferring the units of ``map_``.

    An exact name (or alias) of a unit of ``map_`` wins; otherwise the plain
    resolution over both maps decides (a legacy name typed in the 2025 map still
    finds its legacy unit, which covers the same villages).

    >>> from danvan.graph.embedded import EmbeddedStore
    >>> from danvan.graph.schema import load_schema
    >>> s, S = EmbeddedStore(":memory:"), load_schema()
    >>> _ = s.write([S.node("Commune", name="Xã Đăk Kôi", code="23485"),
    ...              S.node("Commune", name="Xã Đăk Kôi", code="23485", era="2025")])
    >>> resolve_in_map(s, "dak koi", "Commune", "2025"), resolve_in_map(s, "dak koi", "Commune", "legacy")
    (['commune-2025-23485'], ['commune-23485'])
    """
    if map_ == MAP_2025 and label not in _LEVELS_2025:
        return resolve_many(store, text, [label], within=within, param=param)
    found = match_rows(store.names([label]), text,  # the one exact/fuzzy rule, exact only here
                       accept=lambda r: in_map(r.id, map_) and (within is None or r.id in within))
    if found and fold(text) in found[0].keys:
        return [r.id for r in found]
    return resolve_many(store, text, [label], within=within, param=param)


def successors_of(store: Readable, ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """``{place id: [(successor id, name), …]}`` (by id) of the places among ``ids`` that have one.

    >>> from danvan.graph.embedded import EmbeddedStore
    >>> successors_of(EmbeddedStore(":memory:"), ["commune-23488"])
    {}
    """
    return _succession(store, ids, "out")


def predecessors_of(store: Readable, ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """``{place id: [(predecessor id, name), …]}``: the legacy units each of ``ids`` succeeded."""
    return _succession(store, ids, "in")


Succession = dict[str, list[tuple[str, str]]]


def _succession(store: Readable, ids: Iterable[str], direction: str) -> Succession:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with store.reading() as handle:
        return handle.fetch(_succession_embedded, _succession_neo4j, ids=wanted, direction=direction)


def _succession_neo4j(reader: Neo4jReader, ids: list[str], direction: str) -> Succession:
    arrow = "-[:SUCCEEDED_BY]->" if direction == "out" else "<-[:SUCCEEDED_BY]-"
    rows = reader.read(
        "UNWIND $ids AS x MATCH (c:Entity {id: x}) USING INDEX SEEK c:Entity(id) "
        f"MATCH (c){arrow}(s) RETURN c.id AS id, s.id AS other, s.name AS name", ids=ids)
    out: Succession = {}
    for r in rows:
        out.setdefault(r["id"], []).append((r["other"], r["name"]))
    return {k: sorted(v) for k, v in out.items()}


def _succession_embedded(snap: EmbeddedSnapshot, ids: list[str], direction: str) -> Succession:
    walk = snap.out_ids if direction == "out" else snap.in_ids
    nodes = snap.node
    out: Succession = {}
    for i in ids:
        if i in nodes:
            found = [(s, nodes[s]["props"].get("name")) for s in walk(i, "SUCCEEDED_BY")]
            if found:
                out[i] = found
    return out


def map_commune(commune: dict[str, Any] | None, map_: str,
                successors: dict[str, list[tuple[str, str]]]) -> tuple[dict[str, Any] | None,
                                                                     dict[str, Any] | None]:
    """(commune in ``map_``, former commune or None) of a ``{"id", "name"}`` commune.

    >>> map_commune({"id": "commune-23488", "name": "Xã Đăk Ruồng"}, "2025",
    ...             {"commune-23488": [("commune-2025-23497", "Xã Kon Braih")]})
    ({'id': 'commune-2025-23497', 'name': 'Xã Kon Braih'}, {'id': 'commune-23488', 'name': 'Xã Đăk Ruồng'})
    """
    if commune is None or map_ != MAP_2025 or in_map(commune["id"], MAP_2025):
        return commune, None
    found = successors.get(commune["id"])
    if not found:
        return commune, None
    succ_id, succ_name = found[0]
    return {"id": succ_id, "name": succ_name}, commune
