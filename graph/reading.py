"""Read handles: what a query receives from a store for one run.

``store.reading()`` opens this store's handle; queries (``danvan.queries``)
read only through it, so nothing above graph/ touches a backend's locks,
graphs or sessions, or asks which backend it is talking to:

* :class:`EmbeddedSnapshot` — the embedded store's in-memory graph, caught up
  with other processes' writes, with the store's lock held while the handle is
  open (one consistent state for the whole run);
* :class:`Neo4jReader` — Cypher reads with parameters, on one database whose
  change token the handle tracks.

Both offer the building blocks every query shares, each written once per
backend: :meth:`~Readable.names` (name rows for search and resolution),
:meth:`~Readable.area` (a place, what it succeeded, and everything inside) and
:meth:`~Readable.descendants` (directives implementing others, transitively).
:meth:`ReadHandle.fetch` picks the fetch function written for this backend.

>>> from danvan.graph.embedded import EmbeddedStore
>>> store = EmbeddedStore(":memory:")
>>> _ = store.write([store.schema.node("Province", name="Tỉnh Kon Tum", code="62")])
>>> with store.reading() as snap:
...     [row.name for row in snap.names(["Province"])], snap.ids_with_label("Province")
(['Tỉnh Kon Tum'], ('province-62',))
"""

from __future__ import annotations

import abc
import contextlib
import weakref
from bisect import insort
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from danvan.errors import DanvanError
from danvan.graph.names import NAME_PROPS, NameRow, name_row
from danvan.graph.schema import Schema
from danvan.graph.types import Edge, Node

if TYPE_CHECKING:
    from danvan.graph.embedded import EmbeddedStore
    from danvan.graph.neo4j_store import Neo4jStore

__all__ = ["EmbeddedSnapshot", "Neo4jReader", "ReadHandle", "Readable"]

R = TypeVar("R")
_PLACES = frozenset(("Province", "District", "Commune", "Village"))


class Readable(abc.ABC):
    """What both a store and a read handle answer (resolution helpers take either).

    ``with source.reading() as handle:`` gives a handle from either: a store opens
    one, a handle is its own.
    """

    schema: Schema

    @abc.abstractmethod
    def reading(self) -> contextlib.AbstractContextManager[ReadHandle]:
        """A handle to read with (a store's new one, or the handle itself)."""

    @abc.abstractmethod
    def get(self, node_id: str) -> Node | None:
        """The node with this id, or None."""

    @abc.abstractmethod
    def get_many(self, ids: Iterable[str]) -> dict[str, Node]:
        """The nodes that exist among ``ids``."""

    @abc.abstractmethod
    def edges_of(self, node_id: str, direction: str = "both",
                 types: Iterable[str] | None = None) -> list[Edge]:
        """Edges touching a node: ``direction`` is "out", "in" or "both"."""

    @abc.abstractmethod
    def names(self, labels: Iterable[str]) -> tuple[NameRow, ...]:
        """Name rows of every node with one of ``labels``, in id order.

        The same tuple comes back until the store changes: callers must not change it,
        and may key caches on it (see ``queries.base.RowsCache``).
        """

    @abc.abstractmethod
    def area(self, ids: Iterable[str]) -> set[str]:
        """The places ``ids``, the legacy places they succeeded, and all places inside them."""

    @abc.abstractmethod
    def descendants(self, ids: Iterable[str]) -> set[str]:
        """The directives ``ids`` and every directive that implements them, transitively."""


class ReadHandle(Readable):
    """Base of both handles: one store, read for one query run."""

    def reading(self) -> contextlib.AbstractContextManager[ReadHandle]:
        """This handle itself, so code given a store or a handle can open either."""
        return contextlib.nullcontext(self)

    @abc.abstractmethod
    def fetch(self, embedded: Callable[..., R], neo4j: Callable[..., R], /, **params: Any) -> R:
        """Run the fetch function written for this backend with this handle and ``params``."""


# embedded ---------------------------------------------------------------------------------
# Per store, kept while the store lives: name rows by label set (patched when a few nodes
# change, rebuilt otherwise) and derived values (emptied when the graph changes).
_NAMES: weakref.WeakKeyDictionary[Any, tuple[Any, dict[frozenset[str], tuple[NameRow, ...]]]] = (
    weakref.WeakKeyDictionary())
_MEMO: weakref.WeakKeyDictionary[Any, tuple[int, dict[str, dict[Any, Any]]]] = (
    weakref.WeakKeyDictionary())


class EmbeddedSnapshot(ReadHandle):
    """The embedded store's graph for one run; open only inside ``store.reading()``.

    ``node`` maps id → ``{"label", "props"}``; ``succ`` and ``pred`` map a node to its
    neighbours and then to ``{edge type: {"props": …}}`` (networkx's adjacency dicts,
    read directly: the public edge views cost more than the look-ups on hot paths).
    Nothing here may be changed.
    """

    def __init__(self, store: EmbeddedStore, graph: Any) -> None:
        self._store = store
        self.schema = store.schema
        self.graph = graph
        self.node: dict[str, dict[str, Any]] = graph._node
        self.succ: dict[str, dict[str, dict[str, Any]]] = graph._succ
        self.pred: dict[str, dict[str, dict[str, Any]]] = graph._pred
        self.generation: int = store.generation

    def fetch(self, embedded: Callable[..., R], neo4j: Callable[..., R], /, **params: Any) -> R:
        return embedded(self, **params)

    def memo(self, name: str) -> dict[Any, Any]:
        """A dict for values derived from this graph, emptied when the graph changes.

        ``name`` keeps one query's values apart from another's.
        """
        generation, memos = _MEMO.get(self._store, (-1, {}))
        if generation != self.generation:
            memos = {}
            _MEMO[self._store] = (self.generation, memos)
        return memos.setdefault(name, {})

    def ids_with_label(self, label: str) -> tuple[str, ...]:
        """Ids of the nodes with ``label``, sorted."""
        index = self.memo("labels")
        if not index:
            grouped: dict[str, list[str]] = {}
            for i, d in self.node.items():
                grouped.setdefault(d["label"], []).append(i)
            index.update((k, tuple(sorted(v))) for k, v in grouped.items())
            index[None] = ()  # built, even for an empty graph
        return index.get(label, ())

    def out_ids(self, node: str, type_: str) -> list[str]:
        """Targets of ``node``'s out-edges of one type, sorted."""
        return sorted(t for t, keys in self.succ[node].items() if type_ in keys)

    def in_ids(self, node: str, type_: str) -> list[str]:
        """Sources of ``node``'s in-edges of one type, sorted."""
        return sorted(s for s, keys in self.pred[node].items() if type_ in keys)

    def get(self, node_id: str) -> Node | None:
        data = self.node.get(node_id)
        return None if data is None else Node(data["label"], node_id, dict(data["props"]))

    def get_many(self, ids: Iterable[str]) -> dict[str, Node]:
        node = self.node
        return {i: Node(node[i]["label"], i, dict(node[i]["props"])) for i in ids if i in node}

    def edges_of(self, node_id: str, direction: str = "both",
                 types: Iterable[str] | None = None) -> list[Edge]:
        if node_id not in self.node:
            return []
        wanted = set(types) if types is not None else None
        found: dict[str, Edge] = {}
        for outgoing, adjacent in ((True, self.succ), (False, self.pred)):
            if direction not in ("both", "out" if outgoing else "in"):
                continue
            for other, keys in adjacent[node_id].items():
                for type_, data in keys.items():
                    if wanted is None or type_ in wanted:
                        ends = (node_id, other) if outgoing else (other, node_id)
                        edge = Edge(type_, *ends, dict(data["props"]))
                        found[edge.key] = edge
        return [found[key] for key in sorted(found)]

    def names(self, labels: Iterable[str]) -> tuple[NameRow, ...]:
        wanted = frozenset(labels)
        store = self._store
        generation, cached = _NAMES.get(store, (-1, {}))
        if generation != self.generation:
            # A few nodes changed (an import, an edit): patch the rows, not fold every name
            # again (seconds at national scale); unknown changes (a reload) rebuild.
            changed = store.nodes_changed_since(generation) if generation >= 0 else None
            cached = ({} if changed is None else
                      {key: self._patched(rows, key, changed) for key, rows in cached.items()})
            _NAMES[store] = (self.generation, cached)
        if wanted not in cached:
            rows = [name_row(i, d["label"], d["props"]) for i, d in self.node.items()
                    if d.get("label") in wanted]
            cached[wanted] = tuple(sorted(rows, key=_row_id))
        return cached[wanted]

    def _patched(self, rows: tuple[NameRow, ...], wanted: frozenset[str],
                 changed: frozenset[str]) -> tuple[NameRow, ...]:
        """``rows`` after the nodes ``changed`` changed; the same tuple when none of them is
        among these labels, before or after (what was built on it stays valid)."""
        nodes = self.node
        added = sorted((name_row(i, nodes[i]["label"], nodes[i]["props"]) for i in changed
                        if i in nodes and nodes[i].get("label") in wanted), key=_row_id)
        out = [r for r in rows if r.id not in changed]
        if not added and len(out) == len(rows):
            return rows
        for row in added:
            insort(out, row, key=_row_id)
        return tuple(out)

    def area(self, ids: Iterable[str]) -> set[str]:
        pred, node = self.pred, self.node
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

    def descendants(self, ids: Iterable[str]) -> set[str]:
        pred = self.pred
        seen = {i for i in ids if i in pred}
        frontier = list(seen)
        while frontier:
            for child, keys in pred[frontier.pop()].items():
                if "IMPLEMENTS" in keys and child not in seen:
                    seen.add(child)
                    frontier.append(child)
        return seen


def _row_id(row: NameRow) -> str:
    return row.id


# neo4j ------------------------------------------------------------------------------------
class Neo4jReader(ReadHandle):
    """Cypher reads for one run; open only inside ``store.reading()``.

    Name rows are cached per store until the database's change token moves (any
    commit, by anyone). Inside :meth:`fetch` the cached rows are used without reading
    the token first: every read of the run reports the token it saw, and the run is
    made again, the careful way, if one of them saw another. A write made before the
    run started, by anyone, is therefore always seen.
    """

    def __init__(self, store: Neo4jStore) -> None:
        self._store = store
        self.schema = store.schema
        self._in_run = False  # inside fetch: cached names may be used without a token read
        self._assumed: tuple[int, str] | None = None  # the token of cached names used

    def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read (user values only as ``params``); the records as dicts."""
        return self._store.read(cypher, **params)

    def read_many(self, cypher: str, columns: Sequence[str], **params: Any) -> list[dict[str, Any]]:
        """Like :meth:`read` for many rows, sent by the server as one record."""
        return self._store.read_many(cypher, columns, **params)

    def label(self, label: str) -> str:
        """A schema label quoted for Cypher; anything else is refused."""
        return self._store.cypher_label(label)

    def fetch(self, embedded: Callable[..., R], neo4j: Callable[..., R], /, **params: Any) -> R:
        if self._in_run:
            return neo4j(self, **params)  # nested: the outer run checks
        store = self._store
        self._in_run, self._assumed = True, None
        try:
            with store.tracking() as seen:
                try:
                    result = neo4j(self, **params)
                except DanvanError:  # a name the cached rows lacked: checked the same way
                    if self._still_valid(seen):
                        raise
                else:
                    if self._still_valid(seen):
                        return result
        finally:
            self._in_run = False
        _NAMES.pop(store, None)
        return neo4j(self, **params)

    def _still_valid(self, seen: list[tuple[int, str]]) -> bool:
        if self._assumed is None:
            return True
        if not seen:
            self._store.change_token()  # appends to seen
        return all(token == self._assumed for token in seen)

    def get(self, node_id: str) -> Node | None:
        return self._store.get(node_id)

    def get_many(self, ids: Iterable[str]) -> dict[str, Node]:
        return self._store.get_many(ids)

    def edges_of(self, node_id: str, direction: str = "both",
                 types: Iterable[str] | None = None) -> list[Edge]:
        return self._store.edges_of(node_id, direction, types)

    def names(self, labels: Iterable[str]) -> tuple[NameRow, ...]:
        wanted = frozenset(labels)
        store = self._store
        token, cached = _NAMES.get(store, (None, {}))
        if self._in_run and token is not None and wanted in cached:
            self._assumed = token
            return cached[wanted]
        fresh = store.change_token()
        if fresh != token:
            cached = {}
            _NAMES[store] = (fresh, cached)
        if wanted not in cached:
            cached[wanted] = self._read_names(wanted)
        return cached[wanted]

    def _read_names(self, labels: Iterable[str]) -> tuple[NameRow, ...]:
        out: list[NameRow] = []
        fields = ", ".join(f".{p}" for p in NAME_PROPS)
        for label in sorted(set(labels)):  # one label scan each, not a scan of every Entity
            rows = self.read(f"MATCH (n:{self.label(label)}) RETURN n.id AS id, n {{{fields}}} AS props")
            out += [name_row(r["id"], label, r["props"]) for r in rows]
        return tuple(sorted(out, key=_row_id))

    def area(self, ids: Iterable[str]) -> set[str]:
        rows = self.read(
            "MATCH (p:Entity) WHERE p.id IN $ids "
            "OPTIONAL MATCH (old)-[:SUCCEEDED_BY]->(p) "
            "WITH collect(p) + collect(old) AS roots UNWIND roots AS r "
            "MATCH (x)-[:PART_OF*0..3]->(r) "
            "WHERE x:Province OR x:District OR x:Commune OR x:Village "
            "RETURN collect(DISTINCT x.id) AS ids", ids=sorted(set(ids)))
        return set(rows[0]["ids"]) if rows else set()

    def descendants(self, ids: Iterable[str]) -> set[str]:
        rows = self.read("MATCH (p:Entity) WHERE p.id IN $ids MATCH (x)-[:IMPLEMENTS*0..10]->(p) "
                         "RETURN collect(DISTINCT x.id) AS ids", ids=sorted(set(ids)))
        return set(rows[0]["ids"]) if rows else set()
