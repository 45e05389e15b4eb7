"""Building blocks every query shares, each written once per store.

* :func:`names` — (id, label, name, match keys) of the nodes of some labels;
* :func:`expand_area` — a place and everything inside it, and what it succeeded;
* :func:`descendants` — directives that implement a plan, transitively.

>>> from danvan.graph.embedded import EmbeddedStore
>>> names(EmbeddedStore(":memory:"), ["Commune"])
()
"""

from __future__ import annotations

import functools
import re
import threading
import weakref
from bisect import bisect_right, insort
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from danvan.errors import DanvanError
from danvan.graph.schema import load_schema
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.embedded import EmbeddedStore
    from danvan.graph.neo4j_store import Neo4jStore
    from danvan.graph.store import Store

__all__ = ["FIELDS", "ORG_LABELS", "PLACE_LABELS", "NameRow", "RowsCache", "TextIndex", "area_in_graph",
           "consistent", "descendants",
           "descendants_in_graph", "doc_number", "expand_area", "fold_cached", "ids_with_label",
           "in_ids", "memo", "names", "out_ids", "summary"]

R = TypeVar("R")
PLACE_LABELS = load_schema().group("places")
ORG_LABELS = load_schema().group("organisations")  # who can be assigned
FIELDS = load_schema().enum("Model", "field")  # a model's field (lĩnh vực)
_PLACES = frozenset(PLACE_LABELS)
_NAME_KEYS = ("name", "ref", "number", "title", "key")


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


def _keys(props: dict[str, Any]) -> tuple[str, ...]:
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
# The same tuple is handed out until then, so indexes built on it (search's) can be kept
# while it stays the same object.
_NAME_CACHE: weakref.WeakKeyDictionary[Any, tuple[Any, dict[frozenset[str], tuple[NameRow, ...]]]] = (
    weakref.WeakKeyDictionary())


def _names_embedded(store: EmbeddedStore, labels: Iterable[str]) -> tuple[NameRow, ...]:
    wanted = frozenset(labels)
    with store._lock:
        g = store.fresh()
        generation, cached = _NAME_CACHE.get(store, (-1, {}))
        if generation != store.generation:
            # A few nodes changed (an import, an edit): patch the rows, not fold every name
            # again (seconds at national scale); unknown changes (a reload) rebuild.
            changed = store.nodes_changed_since(generation) if generation >= 0 else None
            cached = ({} if changed is None else
                      {key: _patched(g, rows, key, changed) for key, rows in cached.items()})
            _NAME_CACHE[store] = (store.generation, cached)
        if wanted not in cached:
            rows = [_name_row(i, d) for i, d in g._node.items() if d.get("label") in wanted]
            cached[wanted] = tuple(sorted(rows, key=_row_id))
        return cached[wanted]


def _name_row(node_id: str, data: dict[str, Any]) -> NameRow:
    props = data["props"]
    return NameRow(node_id, data["label"], display_name(props, node_id), _keys(props))


def _row_id(row: NameRow) -> str:
    return row.id


def _patched(g: Any, rows: tuple[NameRow, ...], wanted: frozenset[str],
             changed: frozenset[str]) -> tuple[NameRow, ...]:
    """``rows`` (of the labels ``wanted``, in id order) after the nodes ``changed`` changed.

    The same tuple when none of them is among these labels, before or after: what was
    built on it (the search index) stays valid.

    >>> from danvan.graph.embedded import EmbeddedStore
    >>> store = EmbeddedStore(":memory:")
    >>> store.write([store.schema.node("Province", name="Tỉnh Kon Tum", code="62")])
    ... # doctest: +ELLIPSIS
    WriteResult(...)
    >>> rows = names(store, ["Province"])
    >>> _ = store.write([store.schema.node("Province", name="Tỉnh Gia Lai", code="64")])
    >>> [r.name for r in names(store, ["Province"])]
    ['Tỉnh Kon Tum', 'Tỉnh Gia Lai']
    """
    nodes = g._node
    added = sorted((_name_row(i, nodes[i]) for i in changed
                    if i in nodes and nodes[i].get("label") in wanted), key=_row_id)
    out = [r for r in rows if r.id not in changed]
    if not added and len(out) == len(rows):
        return rows
    for row in added:
        insort(out, row, key=_row_id)
    return tuple(out)


def area_in_graph(g: Any, ids: Iterable[str]) -> set[str]:
    """:func:`expand_area` on the embedded store's graph (the caller holds the store's lock)."""
    pred, node = g._pred, g._node
    start = {i for i in ids if i in node}
    for i in list(start):
        start.update(s for s, keys in pred[i].items() if "SUCCEEDED_BY" in keys)
    seen, frontier = set(start), list(start)
    while frontier:
        for child, keys in pred[frontier.pop()].items():
            if "PART_OF" in keys and child not in seen and node[child]["label"] in _PLACES:
                seen.add(child)
                frontier.append(child)
    return seen


def descendants_in_graph(g: Any, ids: Iterable[str]) -> set[str]:
    """:func:`descendants` on the embedded store's graph (the caller holds the store's lock)."""
    pred = g._pred
    seen = {i for i in ids if i in pred}
    frontier = list(seen)
    while frontier:
        for child, keys in pred[frontier.pop()].items():
            if "IMPLEMENTS" in keys and child not in seen:
                seen.add(child)
                frontier.append(child)
    return seen


def _area_embedded(store: EmbeddedStore, ids: Iterable[str]) -> set[str]:
    with store._lock:
        return area_in_graph(store.fresh(), ids)


def _descendants_embedded(store: EmbeddedStore, ids: Iterable[str]) -> set[str]:
    with store._lock:
        return descendants_in_graph(store.fresh(), ids)


# Derived values (ids by label, so listings and coverage read one label without scanning
# every node; compact assignment records…), kept per store until its graph changes.
_MEMO: weakref.WeakKeyDictionary[Any, tuple[int, dict[str, dict[Any, Any]]]] = (
    weakref.WeakKeyDictionary())


def memo(store: EmbeddedStore, name: str) -> dict[Any, Any]:
    """A dict for values derived from the embedded store's graph, emptied when it changes.

    Call it after ``store.fresh()`` with the store's lock held; ``name`` keeps one
    query's values apart from another's.
    """
    generation, memos = _MEMO.get(store, (-1, {}))
    if generation != store.generation:
        memos = {}
        _MEMO[store] = (store.generation, memos)
    return memos.setdefault(name, {})


class RowsCache:
    """Values derived from a name-row tuple, built once while ``names`` hands out that tuple.

    ``names`` returns the same tuple until the store changes, so a structure built from it
    (a search index, rows by key) stays valid exactly as long as the tuple is the one handed
    out. The newest ``size`` are kept; the tuple is held with its value, so an id is never
    mistaken for a later tuple's.

    >>> cache = RowsCache(2)
    >>> rows = ()
    >>> cache.get(rows, lambda r: ["built"]) is cache.get(rows, lambda r: ["again"])
    True
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[int, tuple[Sequence[NameRow], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, rows: Sequence[NameRow], build: Callable[[Sequence[NameRow]], R]) -> R:
        """The value built from ``rows``: built now if this tuple has none yet."""
        with self._lock:
            hit = self._values.get(id(rows))
            if hit is not None and hit[0] is rows:
                self._values.move_to_end(id(rows))
                return hit[1]  # type: ignore[no-any-return]
        value = build(rows)
        with self._lock:
            self._values[id(rows)] = (rows, value)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value


class TextIndex:
    """Folded texts of many owners, searched for a substring in one pass of C code.

    The texts are joined, one per line, into one string: ``str.find`` scans it,
    and each hit is mapped back to its text by bisection.

    >>> index = TextIndex([("a", ["dak ruong", "kon braih"]), ("b", ["dak to"])])
    >>> sorted(index.owners_containing("dak")), index.owners_containing("braih")
    (['a', 'b'], {'a'})
    """

    def __init__(self, items: Iterable[tuple[Any, Iterable[str]]]) -> None:
        self.texts: list[str] = []
        self.owners: list[Any] = []
        for owner, texts in items:
            for text in texts:
                self.texts.append(text.replace("\n", " "))
                self.owners.append(owner)
        self.starts: list[int] = []
        at = 0
        for text in self.texts:
            self.starts.append(at)
            at += len(text) + 1
        self.joined = "\n".join(self.texts)

    def containing(self, q: str) -> list[int]:
        """Indices of the texts that contain ``q``, in order."""
        if "\n" in q:
            return [i for i, t in enumerate(self.texts) if q in t]
        out: list[int] = []
        joined, starts, n = self.joined, self.starts, len(self.starts)
        at = joined.find(q)
        while at != -1:
            i = bisect_right(starts, at) - 1
            out.append(i)
            if i + 1 >= n:
                break
            at = joined.find(q, starts[i + 1])
        return out

    def owners_containing(self, q: str) -> set[Any]:
        """Owners with a text that contains ``q``."""
        owners = self.owners
        return {owners[i] for i in self.containing(q)}


def ids_with_label(store: EmbeddedStore, g: Any, label: str) -> tuple[str, ...]:
    """Ids of the nodes with ``label``, sorted (``g = store.fresh()``, the lock held)."""
    index = memo(store, "labels")
    if not index:
        grouped: dict[str, list[str]] = {}
        for i, d in g._node.items():
            grouped.setdefault(d["label"], []).append(i)
        index.update((k, tuple(sorted(v))) for k, v in grouped.items())
        index[None] = ()  # built, even for an empty graph
    return index.get(label, ())


# neo4j ---------------------------------------------------------------------------------
def _names_neo4j(store: Neo4jStore, labels: Iterable[str]) -> tuple[NameRow, ...]:
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
        return cached[wanted]
    fresh = store.change_token()
    if fresh != token:
        cached = {}
        _NAME_CACHE[store] = (fresh, cached)
    if wanted not in cached:
        cached[wanted] = tuple(_read_names_neo4j(store, wanted))
    return cached[wanted]


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
def names(store: Store, labels: Iterable[str]) -> tuple[NameRow, ...]:
    """Name rows of every node with one of ``labels``, in id order.

    The same tuple comes back until the store changes: callers must not assume a copy.
    """
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
