"""Building blocks every query shares, each written once per store.

* :func:`names` — (id, label, name, match keys) of the nodes of some labels;
* :func:`expand_area` — a place and everything inside it, and what it succeeded;
* :func:`descendants` — directives that implement a plan, transitively.

>>> from danvan.graph.embedded import EmbeddedStore
>>> names(EmbeddedStore(":memory:"), ["Commune"])
[]
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from danvan.errors import DanvanError
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.embedded import EmbeddedStore
    from danvan.graph.neo4j_store import Neo4jStore
    from danvan.graph.store import Store

__all__ = ["NameRow", "consistent", "descendants", "doc_number", "expand_area", "in_ids", "names", "out_ids",
           "summary"]

R = TypeVar("R")
PLACE_LABELS = ("Province", "District", "Commune", "Village")
_NAME_KEYS = ("name", "ref", "number", "title", "key")


@dataclass(frozen=True)
class NameRow:
    """A node as search and resolution see it."""

    id: str
    label: str
    name: str
    keys: tuple[str, ...]  # folded name, aliases, numbers


_fold = lru_cache(maxsize=1 << 17)(fold)  # the same names are folded on every resolution


# Level words people leave out: "Kon Rẫy" for "Huyện Kon Rẫy", "Tân Lập" for "Xã Tân Lập".
_LEVEL_WORDS = ("thanh pho ", "thi tran ", "thi xa ", "tinh ", "huyen ", "xa ", "phuong ", "quan ")


def _keys(props: dict[str, Any]) -> tuple[str, ...]:
    values = [props.get(k) for k in _NAME_KEYS] + list(props.get("aliases") or [])
    keys = {_fold(str(v)) for v in values if v}
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


_NUMBERED_REF = re.compile(r"^\d+\s*[-/]")


def doc_number(props: dict[str, Any]) -> str | None:
    """The document number people quote ("133-KH/TU"), or None for an unnumbered document.

    Curated data may keep only the numeric part in ``number`` and the full one in ``ref``.

    >>> doc_number({"ref": "133-KH/TU", "number": "133"}), doc_number({"ref": "Đề án 2021-2025"})
    ('133-KH/TU', None)
    """
    ref, number = props.get("ref"), props.get("number")
    if number:
        return str(ref) if ref and ("/" in ref or "-" in ref) else str(number)
    if ref and _NUMBERED_REF.match(str(ref)):
        return str(ref)
    return None


def summary(node_id: str, label: str, props: dict[str, Any]) -> dict[str, Any]:
    """``{"id", "name", "label"}`` of a node."""
    return {"id": node_id, "name": display_name(props, node_id), "label": label}


# embedded ------------------------------------------------------------------------------
def out_ids(g: Any, node: str, type_: str) -> list[str]:
    """Targets of ``node``'s out-edges of one type in a networkx MultiDiGraph.

    Reads networkx's adjacency dicts (``_succ``: target → edge key → data) directly:
    the public edge views cost more than the lookup itself on this hot path.
    """
    return sorted(t for t, keys in g._succ[node].items() if type_ in keys)


def in_ids(g: Any, node: str, type_: str) -> list[str]:
    """Sources of ``node``'s in-edges of one type (``_pred``: source → edge key → data)."""
    return sorted(s for s, keys in g._pred[node].items() if type_ in keys)


# Folding every name is the costly part of resolution: the rows are kept per store and
# label set until the store's graph changes (its ``generation`` moves on).
_NAME_CACHE: weakref.WeakKeyDictionary[Any, tuple[Any, dict[frozenset[str], list[NameRow]]]] = (
    weakref.WeakKeyDictionary())


def _names_embedded(store: EmbeddedStore, labels: Iterable[str]) -> list[NameRow]:
    wanted = frozenset(labels)
    with store._lock:
        g = store.fresh()
        generation, cached = _NAME_CACHE.get(store, (-1, {}))
        if generation != store.generation:
            cached = {}
            _NAME_CACHE[store] = (store.generation, cached)
        if wanted not in cached:
            rows = [NameRow(i, d["label"], display_name(d["props"], i), _keys(d["props"]))
                    for i, d in g.nodes(data=True) if d["label"] in wanted]
            cached[wanted] = sorted(rows, key=lambda r: r.id)
        return list(cached[wanted])


def _area_embedded(store: EmbeddedStore, ids: Iterable[str]) -> set[str]:
    with store._lock:
        g = store.fresh()
        start = {i for i in ids if i in g}
        for i in list(start):
            start.update(in_ids(g, i, "SUCCEEDED_BY"))
        seen, frontier = set(start), list(start)
        while frontier:
            node = frontier.pop()
            for child in in_ids(g, node, "PART_OF"):
                if child not in seen and g.nodes[child]["label"] in PLACE_LABELS:
                    seen.add(child)
                    frontier.append(child)
    return seen


def _descendants_embedded(store: EmbeddedStore, ids: Iterable[str]) -> set[str]:
    with store._lock:
        g = store.fresh()
        seen = {i for i in ids if i in g}
        frontier = list(seen)
        while frontier:
            node = frontier.pop()
            for child in in_ids(g, node, "IMPLEMENTS"):
                if child not in seen:
                    seen.add(child)
                    frontier.append(child)
    return seen


# neo4j ---------------------------------------------------------------------------------
def _names_neo4j(store: Neo4jStore, labels: Iterable[str]) -> list[NameRow]:
    # Cached like the embedded rows, until the database's change token moves (any commit,
    # from anyone). Inside a query run by ``consistent`` the cached rows are used without
    # reading the token first: the query's own reads observe it, and ``consistent`` runs
    # the query again if one of them saw another. Elsewhere the token is read first (one
    # empty read); a write between that read and the rows only makes the next call read
    # them again.
    wanted = frozenset(labels)
    token, cached = _NAME_CACHE.get(store, (None, {}))
    scope = getattr(store._local, "names_scope", None)
    if scope is not None and token is not None and wanted in cached:
        scope.assumed = token
        return list(cached[wanted])
    fresh = store.change_token()
    if fresh != token:
        cached = {}
        _NAME_CACHE[store] = (fresh, cached)
    if wanted not in cached:
        cached[wanted] = _read_names_neo4j(store, wanted)
    return list(cached[wanted])


class _NamesScope:
    """What one query run assumed: the token of the cached names it used, if any."""

    assumed: tuple[int, str] | None = None


def consistent(fn: Callable[..., R]) -> Callable[..., R]:
    """A Neo4j query implementation that may use cached name keys without a token read.

    The query runs once with the cached names; every read it makes reports the change
    token it saw. When it used cached names and any of its reads saw another token (or,
    if it made no read, one empty read does), the database moved since the names were
    cached: the cache is dropped and the query runs again the careful way. A write made
    before the query started, by anyone, is therefore always seen. Errors the cached
    names may have caused (a name not found yet) are checked the same way.
    """
    @functools.wraps(fn)
    def run(store: Neo4jStore, **params: Any) -> R:
        if getattr(store._local, "names_scope", None) is not None:
            return fn(store, **params)  # nested: the outer run checks
        scope = _NamesScope()
        store._local.names_scope = scope
        try:
            with store.tracking() as seen:
                try:
                    result = fn(store, **params)
                except DanvanError:
                    if _still_valid(store, scope, seen):
                        raise
                else:
                    if _still_valid(store, scope, seen):
                        return result
        finally:
            store._local.names_scope = None
        _NAME_CACHE.pop(store, None)
        return fn(store, **params)
    return run


def _still_valid(store: Neo4jStore, scope: _NamesScope, seen: list[tuple[int, str]]) -> bool:
    if scope.assumed is None:
        return True
    if not seen:
        store.change_token()  # appends to seen
    return all(token == scope.assumed for token in seen)


def _read_names_neo4j(store: Neo4jStore, labels: Iterable[str]) -> list[NameRow]:
    out: list[NameRow] = []
    for label in sorted(set(labels)):  # one label scan each, not a scan of every Entity
        rows = store.read(
            f"MATCH (n:{store.cypher_label(label)}) RETURN n.id AS id, "
            "n {.name, .ref, .number, .title, .key, .what, .description, .aliases} AS props")
        out += [NameRow(r["id"], label, display_name(r["props"], r["id"]), _keys(r["props"]))
                for r in rows]
    return sorted(out, key=lambda r: r.id)


def _area_neo4j(store: Neo4jStore, ids: Iterable[str]) -> set[str]:
    rows = store.read(
        "MATCH (p:Entity) WHERE p.id IN $ids "
        "OPTIONAL MATCH (old)-[:SUCCEEDED_BY]->(p) "
        "WITH collect(p) + collect(old) AS roots UNWIND roots AS r "
        "MATCH (x)-[:PART_OF*0..3]->(r) "
        "WHERE x:Province OR x:District OR x:Commune OR x:Village "
        "RETURN collect(DISTINCT x.id) AS ids", ids=sorted(set(ids)))
    return set(rows[0]["ids"]) if rows else set()


def _descendants_neo4j(store: Neo4jStore, ids: Iterable[str]) -> set[str]:
    rows = store.read("MATCH (p:Entity) WHERE p.id IN $ids MATCH (x)-[:IMPLEMENTS*0..10]->(p) "
                      "RETURN collect(DISTINCT x.id) AS ids", ids=sorted(set(ids)))
    return set(rows[0]["ids"]) if rows else set()


# dispatch ------------------------------------------------------------------------------
def names(store: Store, labels: Iterable[str]) -> list[NameRow]:
    """Name rows of every node with one of ``labels``, in id order."""
    if store.kind == "neo4j":
        return _names_neo4j(store, labels)  # type: ignore[arg-type]
    return _names_embedded(store, labels)  # type: ignore[arg-type]


def expand_area(store: Store, ids: Iterable[str]) -> set[str]:
    """The places ``ids``, the legacy places they succeeded, and all places inside them."""
    if store.kind == "neo4j":
        return _area_neo4j(store, ids)  # type: ignore[arg-type]
    return _area_embedded(store, ids)  # type: ignore[arg-type]


def descendants(store: Store, ids: Iterable[str]) -> set[str]:
    """The directives ``ids`` and every directive that implements them, transitively."""
    if store.kind == "neo4j":
        return _descendants_neo4j(store, ids)  # type: ignore[arg-type]
    return _descendants_embedded(store, ids)  # type: ignore[arg-type]
