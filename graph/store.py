"""The one store interface: what the loaders, queries, API and CLI talk to.

A store is a key-value graph: nodes keyed by id, edges keyed by
(source, type, target). :meth:`Store.write` is the only way in; it checks the
whole batch against the schema, then hands a plan of rows to the backend,
which applies it in one transaction. The merge rule (new values win, ``sources``
accumulate) is computed here, once, so both backends behave the same.

>>> from danvan.graph.embedded import EmbeddedStore
>>> store = EmbeddedStore(":memory:")
>>> s = store.schema
>>> result = store.write([s.node("Province", name="Tỉnh Kon Tum", code="62")])
>>> result.nodes_created, store.get("province-62").name
(1, 'Tỉnh Kon Tum')
>>> store.write([s.node("Province", name="Tỉnh Kon Tum", code="62")]).changed
0
"""

from __future__ import annotations

import abc
import contextlib
import ctypes
import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

from danvan.errors import MissingNodeError, ValidationError
from danvan.graph.audit import watching
from danvan.graph.names import NameRow
from danvan.graph.reading import Readable
from danvan.graph.records import Records
from danvan.graph.schema import Schema, load_schema
from danvan.graph.types import Edge, Node, Subgraph, merge_all_props, merge_props

__all__ = ["BULK_ROWS", "Batch", "Store", "TxOps", "WriteResult", "bulk_gc", "missing_end",
           "plan_new_edges", "put_rows", "release_heap"]


BULK_ROWS = 20_000  # a write of this many rows or more is a bulk write (see bulk_gc)


@contextlib.contextmanager
def bulk_gc(rows: int) -> Iterator[None]:
    """Pause the cycle collector while a write of ``rows`` rows builds millions of objects.

    The collector would otherwise walk the growing heap again and again; the
    dicts, tuples and rows a write builds hold no cycles. After a write that
    succeeded, what it built and kept (a national graph: millions of dicts) is
    frozen: later full collections no longer walk it (≈3 s each at national
    scale); reference counting still frees it when it goes. Below BULK_ROWS, or
    when the collector is already off, nothing changes.
    """
    if rows < BULK_ROWS or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    except BaseException:
        gc.enable()  # not frozen: a traceback's frames form cycles the collector must free
        raise
    gc.freeze()
    gc.enable()
    release_heap()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to give back
        return None


def release_heap() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``).

    A bulk write frees hundreds of MB of temporaries (batch copies, rows, SQLite's
    bulk page cache) that glibc would otherwise keep mapped: a national load left
    the process ≈250 MB larger than what it holds. No library wraps this one call.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def missing_end(edge: Edge, labels: dict[str, str]) -> NoReturn:
    """Raise the MissingNodeError for ``edge``, one of whose ends is not in ``labels``."""
    end = edge.target if edge.source in labels else edge.source
    raise MissingNodeError(f"{edge.type}[{edge.source}->{edge.target}]",
                           "source" if end == edge.source else "target",
                           f"no node with id {end!r}")


def plan_new_edges(schema: Schema, nodes: dict[str, Node], raw_edges: list[Edge],
                   result: WriteResult) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """The edge rows by type that ``Store._plan`` gives when nothing is stored but ``nodes``
    (a load into an empty store): every edge is new, so there is nothing to read or diff.
    Counts them in ``result``, as ``Store._edge_rows`` does.

    Each edge is checked as ``Schema.check_edge`` does (which runs, for its errors, on
    the first edge of each type and end labels and on any property it does not know),
    and repeats of a (source, type, target) are merged with ``merge_props`` in order.
    Edges with the same properties (most: ``{"synthetic": true}``) share one dict; no
    store changes a props dict in place (writes put new ones), so that is safe.
    """
    labels = {i: n.label for i, n in nodes.items()}
    ok_ends: set[tuple[str, str, str]] = set()
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    shared: dict[tuple[Any, ...], dict[str, Any]] = {}  # one dict per distinct set of props
    coercers_of = schema._edge_coercers  # per type, filled by check_edge on its first edge
    for edge in raw_edges:  # one pass over ~1.1 M edges nationally: kept inline
        type_, s, t = edge.type, edge.source, edge.target
        source, target = labels.get(s), labels.get(t)
        if source is None or target is None:
            missing_end(edge, labels)
        ends = (type_, source, target)
        if ends not in ok_ends:
            schema.check_edge(edge, source, target)  # raises for ends the type refuses
            ok_ends.add(ends)
        props = edge.props
        if props:
            coercers = coercers_of.get(type_) or {}
            clean: dict[str, Any] = {}
            for name, value in props.items():
                coerce = coercers.get(name)
                if coerce is None:  # unknown property (raises) or type not seen with props
                    clean = schema.check_edge(edge, source, target).props
                    break
                if value is not None:
                    clean[name] = coerce(value, edge)
            try:  # checked values: one type per property, so no True standing for 1
                props = shared.setdefault(tuple(clean.items()), clean)
            except TypeError:  # a list (sources): this edge keeps its own
                props = clean
        key = (s, type_, t)
        previous = merged.get(key)
        # An implied edge without evidence ({}) merges into the given one unchanged.
        merged[key] = (props if previous is None or (not previous and "sources" not in props)
                       else merge_props(previous, props))
    edge_rows: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for (s, type_, t), props in merged.items():
        rows = edge_rows.get(type_)
        if rows is None:
            rows = edge_rows[type_] = []
        rows.append((s, t, props))
    result.edges_created += len(merged)
    return edge_rows


def put_rows(ops: TxOps, node_rows: dict[str, list[tuple[str, dict[str, Any]]]],
             edge_rows: dict[str, list[tuple[str, str, dict[str, Any]]]]) -> None:
    """Put planned rows: nodes by label, then edges by type (names sorted)."""
    for label, rows in sorted(node_rows.items()):
        ops.put_nodes(label, rows)
    for type_, erows in sorted(edge_rows.items()):
        ops.put_edges(type_, erows)


@dataclass
class WriteResult:
    """What a write changed; ``changed == 0`` means the data was already there."""

    nodes_created: int = 0
    nodes_updated: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    nodes_unchanged: int = 0
    edges_unchanged: int = 0

    @property
    def changed(self) -> int:
        """Rows created or updated."""
        return self.nodes_created + self.nodes_updated + self.edges_created + self.edges_updated

    def __iadd__(self, other: WriteResult) -> WriteResult:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


class TxOps(Protocol):
    """What a backend offers inside one write transaction."""

    def existing_nodes(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """``{id: (label, props)}`` for the ids that exist."""
        ...

    def existing_edges(self, edges: Sequence[Edge]) -> dict[str, dict[str, Any]]:
        """``{edge.key: props}`` for the edges that exist."""
        ...

    def put_nodes(self, label: str, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Create or replace nodes of one label: rows of (id, full props)."""
        ...

    def put_edges(self, type_: str, rows: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Create or replace edges of one type: rows of (source, target, full props)."""
        ...


@dataclass
class Batch:
    """Writes collected inside ``with store.transaction() as tx:``; all or nothing."""

    store: Store
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    result: WriteResult | None = None

    def upsert_nodes(self, nodes: Iterable[Node]) -> None:
        """Queue nodes for the transaction."""
        self.nodes.extend(nodes)

    def upsert_edges(self, edges: Iterable[Edge]) -> None:
        """Queue edges for the transaction."""
        self.edges.extend(edges)

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.result = self.store.write(self.nodes, self.edges)


class Store(Readable):
    """Base of both stores: checking and merging here, storage in subclasses."""

    kind: str = "abstract"

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema or load_schema()

    # writing -------------------------------------------------------------
    def transaction(self) -> Batch:
        """Collect writes and apply them together when the block ends without error."""
        return Batch(self)

    def upsert_nodes(self, nodes: Iterable[Node]) -> WriteResult:
        """Create or update nodes (and the edges their references imply)."""
        return self.write(nodes, ())

    def upsert_edges(self, edges: Iterable[Edge]) -> WriteResult:
        """Create or update edges between existing nodes."""
        return self.write((), edges)

    def write(self, nodes: Iterable[Node] = (), edges: Iterable[Edge] = ()) -> WriteResult:
        """Check the whole batch, then apply it in one transaction.

        Raises ValidationError (or MissingNodeError) before anything is written.
        """
        nodes, edges = list(nodes), list(edges)
        who = watching()  # made on someone's behalf: recorded in the history (graph/audit.py)
        before = who.before(self, nodes) if who else None
        with bulk_gc(len(nodes) + len(edges)):  # its end finds the temporaries below gone
            result = self._write_checked(nodes, edges)
        if who:
            who.after(self, nodes, edges, result, before)
        return result

    def _write_checked(self, nodes: list[Node], edges: list[Edge]) -> WriteResult:
        checked, raw_edges = self._checked(nodes, edges)
        return self._run_write(lambda ops: self._apply(ops, checked, raw_edges))

    def load(self, nodes: Iterable[Node] = (), edges: Iterable[Edge] = (),
             chunk: int | None = None) -> WriteResult:
        """Bulk write of a whole dataset: same rules and result as :meth:`write`.

        The whole batch is checked before anything is written. The embedded store
        writes it in one transaction, like :meth:`write` (``chunk`` is ignored); the
        Neo4j store writes it in transactions of ``chunk`` rows (see ``Neo4jStore.load``).
        """
        return self.write(nodes, edges)

    def _checked(self, nodes: Iterable[Node],
                 edges: Iterable[Edge]) -> tuple[dict[str, Node], list[Edge]]:
        """The checked nodes by id (repeats merged) and every edge to write, implied ones first."""
        checked: dict[str, Node] = {}
        repeats: dict[str, list[Node]] = {}  # a sheet's body or plan comes once per row
        check = self.schema.check_node
        for node in nodes:
            node = check(node)
            previous = checked.get(node.id)
            if previous is None:
                checked[node.id] = node
            else:
                repeats.setdefault(node.id, [previous]).append(node)
        for node_id, group in repeats.items():
            # Merged once, as merge_props in order would (the last label wins, as before).
            last = group[-1]
            checked[node_id] = Node(last.label, node_id, merge_all_props([n.props for n in group]),
                                    checked=True)
        ref_edges = self.schema.ref_edges
        implied = [e for n in checked.values() for e in ref_edges(n)]
        return checked, [*implied, *edges]

    def _apply(self, ops: TxOps, nodes: dict[str, Node], raw_edges: list[Edge]) -> WriteResult:
        result, node_rows, edge_rows = self._plan(ops, nodes, raw_edges)
        put_rows(ops, node_rows, edge_rows)
        return result

    def _plan(self, ops: TxOps, nodes: dict[str, Node], raw_edges: list[Edge]) -> tuple[
            WriteResult, dict[str, list[tuple[str, dict[str, Any]]]],
            dict[str, list[tuple[str, str, dict[str, Any]]]]]:
        """Check the edges against the stored labels and merge with what is stored.

        Returns the counts and the rows to put, by label and by edge type; reads only.
        """
        result = WriteResult()
        existing = self._existing_ends(ops, nodes, raw_edges)
        edges = self._check_edges(existing, nodes, raw_edges)
        node_rows = self._node_rows(existing, nodes, result)
        return result, node_rows, self._edge_rows(ops, edges, result)

    @staticmethod
    def _existing_ends(ops: TxOps, nodes: dict[str, Node],
                       raw_edges: list[Edge]) -> dict[str, tuple[str, dict[str, Any]]]:
        """The stored nodes among ``nodes`` and the ends of ``raw_edges`` (one read)."""
        endpoint_ids = {e.source for e in raw_edges} | {e.target for e in raw_edges}
        return ops.existing_nodes(list(endpoint_ids.union(nodes)))

    def _check_edges(self, existing: dict[str, tuple[str, dict[str, Any]]], nodes: dict[str, Node],
                     raw_edges: list[Edge]) -> dict[str, Edge]:
        """The checked edges by key (repeats merged); raises if an end is missing or the
        schema refuses an edge between the labels of its ends (stored or in ``nodes``)."""
        labels = {i: label for i, (label, _) in existing.items()}
        labels.update({i: n.label for i, n in nodes.items()})
        edges: dict[str, Edge] = {}
        check = self.schema.check_edge
        for edge in raw_edges:
            source, target = labels.get(edge.source), labels.get(edge.target)
            if source is None or target is None:
                missing_end(edge, labels)
            edge = check(edge, source, target)
            key = edge.key
            previous = edges.get(key)
            if previous is not None:
                edge = Edge(edge.type, edge.source, edge.target,
                            merge_props(previous.props, edge.props))
            edges[key] = edge
        return edges

    @staticmethod
    def _node_rows(existing: dict[str, tuple[str, dict[str, Any]]], nodes: dict[str, Node],
                   result: WriteResult) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """The nodes to put by label, merged with what is stored; counts them in ``result``."""
        node_rows: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for node in nodes.values():
            old = existing.get(node.id)
            if old is None:
                result.nodes_created += 1
                node_rows.setdefault(node.label, []).append((node.id, node.props))
                continue
            if old[0] != node.label:
                raise ValidationError(node.label, "id", f"{node.id} already exists as {old[0]}")
            merged = merge_props(old[1], node.props)
            if merged == old[1]:
                result.nodes_unchanged += 1
                continue
            result.nodes_updated += 1
            node_rows.setdefault(node.label, []).append((node.id, merged))
        return node_rows

    @staticmethod
    def _edge_rows(ops: TxOps, edges: dict[str, Edge],
                   result: WriteResult) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
        """The edges to put by type, merged with what is stored (one read); counts them."""
        old_edges = ops.existing_edges(list(edges.values()))
        edge_rows: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        for key, edge in edges.items():
            old_props = old_edges.get(key)
            if old_props is None:
                result.edges_created += 1
                merged = edge.props
            else:
                merged = merge_props(old_props, edge.props)
                if merged == old_props:
                    result.edges_unchanged += 1
                    continue
                result.edges_updated += 1
            edge_rows.setdefault(edge.type, []).append((edge.source, edge.target, merged))
        return edge_rows

    @abc.abstractmethod
    def _run_write(self, fn: Callable[[TxOps], WriteResult]) -> WriteResult:
        """Run ``fn`` inside one write transaction; roll back if it raises."""

    # records (accounts, sessions, history, decisions; see graph/records.py) --------------
    @functools.cached_property
    def records(self) -> Records:
        """The board's bookkeeping, kept in this store beside (not in) the graph."""
        return self._records()

    @abc.abstractmethod
    def _records(self) -> Records:
        """This backend's Records."""

    # reading (get, get_many, edges_of and reading: abstract in Readable) -------
    @abc.abstractmethod
    def nodes(self, label: str | None = None) -> Iterator[Node]:
        """Every node, or every node of one label, in id order."""

    @abc.abstractmethod
    def edges(self, type_: str | None = None) -> Iterator[Edge]:
        """Every edge, or every edge of one type, in key order."""

    def names(self, labels: Iterable[str]) -> tuple[NameRow, ...]:
        """Name rows of every node with one of ``labels`` (see ``Readable.names``)."""
        with self.reading() as handle:
            return handle.names(labels)

    def area(self, ids: Iterable[str]) -> set[str]:
        """The places ``ids``, the legacy places they succeeded, and all places inside them."""
        with self.reading() as handle:
            return handle.area(ids)

    def descendants(self, ids: Iterable[str]) -> set[str]:
        """The directives ``ids`` and every directive implementing them, transitively."""
        with self.reading() as handle:
            return handle.descendants(ids)

    def is_empty(self) -> bool:
        """True when the store holds no node (a load into it need read nothing back)."""
        return self.counts()["nodes"] == 0

    @abc.abstractmethod
    def counts(self) -> dict[str, Any]:
        """``{"nodes", "edges", "labels": {label: n}, "edge_types": {type: n}}``."""

    # deleting ---------------------------------------------------------------
    @abc.abstractmethod
    def delete(self, ids: Iterable[str]) -> int:
        """Delete nodes and their edges; returns how many nodes went."""

    @abc.abstractmethod
    def delete_edges(self, edges: Iterable[Edge]) -> int:
        """Delete edges (matched by source, type, target); returns how many went."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Delete everything."""

    # whole-graph helpers ----------------------------------------------------------
    def export(self, ids: Iterable[str] | None = None) -> Subgraph:
        """The whole graph, or the nodes ``ids`` with the edges among them."""
        if ids is None:
            return Subgraph(list(self.nodes()), list(self.edges()))
        wanted = self.get_many(ids)
        edges = {e.key: e for i in wanted for e in self.edges_of(i, "out")
                 if e.target in wanted}
        return Subgraph(list(wanted.values()), list(edges.values()))

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
