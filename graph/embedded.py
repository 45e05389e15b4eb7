"""The embedded store: SQLite on disk for durability, networkx in memory for queries.

Every write is one SQLite transaction (WAL, ``synchronous=FULL``): once
:meth:`EmbeddedStore.write` returns, the data survives ``kill -9``, and a crash
mid-write leaves the state before it. SQLite also serialises writers from
several processes. Each write appends the keys it touched to a ``changes``
table; before every read the store replays changes made by other processes
into its networkx graph, so a ``danvan load`` in another terminal is seen by a
running ``danvan serve`` on its next request. A bulk write (at least BULK_ROWS
rows, more than the graph held) logs one reload marker instead: the other
processes then read the whole store again, which costs them about what replaying
that many keys would, and spares the writer a log row per key.

>>> store = EmbeddedStore(":memory:")
>>> store.counts()["nodes"]
0
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from danvan.errors import StoreError
from danvan.graph.background import Background
from danvan.graph.reading import EmbeddedSnapshot
from danvan.graph.records import SqliteRecords
from danvan.graph.schema import Schema
from danvan.graph.sqlite_errors import explain, translated
from danvan.graph.store import BULK_ROWS, Store, TxOps, WriteResult, bulk_gc, plan_new_edges, put_rows
from danvan.graph.types import Edge, Node

__all__ = ["DB_FILE", "EmbeddedStore"]

DB_FILE = "danvan.sqlite3"
_KEEP_CHANGES = 200_000  # older change rows are trimmed; a reader that far behind reloads all
_JOURNAL = 256  # generations whose changed node ids are kept (see nodes_changed_since)
_JOURNAL_NODES = 10_000  # a write of more nodes is journalled as "unknown": rebuild, not patch

_CACHE_SIZE = -2000  # SQLite's default page cache (2 MB), restored after a bulk write
_BULK_CACHE_KB = 1_000_000  # page cache of a bulk write: 1 KB per row written, up to 1 GB
# Both tables are keyed b-trees (WITHOUT ROWID: one tree each, not a table plus an index).
# Nothing looks edges up by target in SQL: a delete finds a node's edges in the graph, so
# stores made before that drop the target index they had (a national load spent ~2 s on it).
_DDL = """
CREATE TABLE IF NOT EXISTS nodes (id TEXT PRIMARY KEY, label TEXT NOT NULL, props TEXT NOT NULL)
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS edges (source TEXT NOT NULL, type TEXT NOT NULL, target TEXT NOT NULL,
  props TEXT NOT NULL, PRIMARY KEY (source, type, target)) WITHOUT ROWID;
DROP INDEX IF EXISTS edges_target;
CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
  key TEXT NOT NULL);
"""
# Rows go in as one JSON array per statement, which SQLite unpacks (json_each) and sorts
# into key order itself: no Python per row, and none of it holds the GIL, so a bulk
# write's inserts run in the background (see _SqliteTx.prepare). ``value->1`` is the
# props object's JSON text, the same text orjson wrote (tested).
_PUT_NODES = """INSERT INTO nodes(id, label, props)
  SELECT value->>0, ?, value->1 FROM json_each(?) WHERE true ORDER BY 1
  ON CONFLICT(id) DO UPDATE SET label=excluded.label, props=excluded.props"""
_PUT_EDGES = """INSERT INTO edges(source, type, target, props)
  SELECT value->>0, ?, value->>1, value->2 FROM json_each(?) WHERE true ORDER BY 1, 3
  ON CONFLICT(source, type, target) DO UPDATE SET props=excluded.props"""


_loads = orjson.loads  # ~4× json.loads: a national store reopens 1.1 M rows


def _fill_graph(g: nx.MultiDiGraph, nodes: Iterable[tuple[str, dict[str, Any]]],
                edges: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Add nodes ``(id, data)`` and edges ``(source, target, type, data)`` to an EMPTY graph.

    Fills networkx's own dicts as ``add_node``/``add_edge`` would (``_node``, ``_succ``
    and ``_pred``, whose per-pair key dict is one shared object; ``_adj`` is ``_succ``)
    without their per-row checks: about 3× faster for a national store. An edge whose
    end is not among the nodes adds that end with no data, as ``add_edge`` does.
    """
    node, succ, pred = g._node, g._succ, g._pred
    for i, data in nodes:
        node[i] = data
        succ[i] = {}
        pred[i] = {}
    for s, t, k, data in edges:
        targets = succ.get(s)
        if targets is None:
            node[s], targets, pred[s] = {}, {}, {}
            succ[s] = targets
        keys = targets.get(t)
        if keys is None:
            sources = pred.get(t)
            if sources is None:
                node[t], succ[t], sources = {}, {}, {}
                pred[t] = sources
            keys = targets[t] = sources[s] = {}
        keys[k] = data
    getattr(g, "__networkx_cache__", {}).clear()  # networkx ≥ 3.3 caches backend conversions


class _SqliteTx:
    """TxOps over an open SQLite transaction and the in-memory graph."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        # What was put, as given: (label, rows of (id, props)) and (type, rows of
        # (source, target, props)); the graph's tuples are made from them when needed.
        self.node_batches: list[tuple[str, Sequence[tuple[str, dict[str, Any]]]]] = []
        self.edge_batches: list[tuple[str, Sequence[tuple[str, str, dict[str, Any]]]]] = []
        self.rows = 0
        self.background: Background | None = None  # see prepare

    def touched_nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The nodes put, as networkx ``(id, data)`` pairs."""
        return ((i, {"label": label, "props": p}) for label, rows in self.node_batches
                for i, p in rows)

    def touched_edges(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """The edges put, as networkx ``(source, target, type, data)`` tuples."""
        return ((s, t, type_, {"props": p}) for type_, rows in self.edge_batches
                for s, t, p in rows)

    def existing_nodes(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        nodes = self.store.graph._node  # networkx's node dict: g.nodes[i] builds a view per call
        return {i: (nodes[i]["label"], nodes[i]["props"]) for i in ids if i in nodes}

    def existing_edges(self, edges: Sequence[Edge]) -> dict[str, dict[str, Any]]:
        succ = self.store.graph._succ  # dict lookups: get_edge_data raises inside for a miss
        out = {}
        for e in edges:
            targets = succ.get(e.source)
            keys = targets.get(e.target) if targets else None
            data = keys.get(e.type) if keys else None
            if data is not None:
                out[e.key] = data["props"]
        return out

    def prepare(self, node_rows: int, edge_rows: int) -> None:
        """Get ready for a write of this many rows (or fewer).

        For a bulk write: a page cache big enough to hold what it touches (SQLite's
        default 2 MB would spill pages to the WAL again and again; the store restores it
        after the write). Into an empty store, its statements then run in the background
        (:class:`Background`): SQLite inserts while this thread plans and builds the graph.
        """
        if node_rows + edge_rows >= BULK_ROWS:
            self.store.db.execute(
                f"PRAGMA cache_size=-{min(node_rows + edge_rows, _BULK_CACHE_KB)}")
            if not self.store.graph._node:
                self.background = Background("danvan-sql")

    def run(self, fn: Callable[..., Any], *args: Any) -> None:
        """``fn(*args)`` now, or in the background after the statements before it."""
        if self.background is None:
            fn(*args)
        else:
            self.background.submit(fn, *args)

    def settle(self) -> BaseException | None:
        """Wait for the statements running in the background; the error of the one that failed."""
        background, self.background = self.background, None
        return None if background is None else background.finish()

    def put_nodes(self, label: str, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        self.run(self.store.db.execute, _PUT_NODES, (label, orjson.dumps(rows).decode()))
        self.node_batches.append((label, rows))
        self.rows += len(rows)

    def put_edges(self, type_: str, rows: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        self.run(self.store.db.execute, _PUT_EDGES, (type_, orjson.dumps(rows).decode()))
        self.edge_batches.append((type_, rows))
        self.rows += len(rows)

    def log(self) -> None:
        """Record what this transaction touched in ``changes``, for other processes.

        A write of at least BULK_ROWS rows that is also bigger than the graph it lands
        in leaves one reload marker instead of a row per key: replaying it would cost
        other processes about as much as reading everything again.
        """
        db = self.store.db
        rows = self.rows
        if rows >= BULK_ROWS and rows >= len(self.store.graph):
            self.run(db.execute, "DELETE FROM changes")  # superseded: every reader behind reloads
            self.run(db.execute, "INSERT INTO changes(kind, key) VALUES ('r', '')")
            return
        self.run(db.executemany, "INSERT INTO changes(kind, key) VALUES ('n', ?)",
                 [(i,) for _, rows in self.node_batches for i, _ in rows])
        self.run(db.executemany, "INSERT INTO changes(kind, key) VALUES ('e', ?)",
                 [(f"{s}|{k}|{t}",) for k, rows in self.edge_batches for s, t, _ in rows])

    def new_graph(self) -> nx.MultiDiGraph | None:
        """For a write into an empty store: a new graph of the rows written (the store's
        stays empty until the commit succeeds); otherwise None (see ``apply_to_graph``)."""
        if self.store.graph._node:
            return None
        g = nx.MultiDiGraph()
        _fill_graph(g, self.touched_nodes(), self.touched_edges())
        return g

    def apply_to_graph(self) -> None:
        """After the commit: the same rows into the in-memory graph."""
        g = self.store.graph
        g.add_nodes_from(self.touched_nodes())  # updates the attributes of existing nodes
        g.add_edges_from(self.touched_edges())  # (source, target, type, data): same for edges


class EmbeddedStore(Store):
    """The default store: ``EmbeddedStore(data_dir)``; ``":memory:"`` for a throwaway one."""

    kind = "embedded"

    def __init__(self, data_dir: str | Path, schema: Schema | None = None) -> None:
        super().__init__(schema)
        if str(data_dir) == ":memory:":
            target = ":memory:"
        else:
            folder = Path(data_dir)
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create data folder {folder}: {exc}") from exc
            target = str(folder / DB_FILE)
        self.path = target
        self._lock = threading.RLock()
        try:
            self.db = sqlite3.connect(target, isolation_level=None, check_same_thread=False,
                                      timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=60000")
            self.db.executescript(_DDL)
        except sqlite3.Error as exc:
            raise explain(exc, target) from exc
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._seq = -1
        self.generation = 0  # bumped whenever the in-memory graph changes
        # generation → ids of the nodes that change changed (None: unknown, e.g. a reload)
        self._journal: OrderedDict[int, frozenset[str] | None] = OrderedDict()
        self._sync()

    # keeping the in-memory graph in step -------------------------------------------------------
    def _max_seq(self) -> int:
        row = self.db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()
        return int(row[0])

    def _sync(self) -> None:
        """Bring the networkx graph up to date with what is committed on disk."""
        with self._lock, translated(self.path):  # a damaged file shows when it is read
            latest = self._max_seq()
            if latest == self._seq:
                return
            oldest = self.db.execute("SELECT coalesce(min(seq), 0) FROM changes").fetchone()[0]
            changed: list[str] | None = None
            if self._seq < 0 or (self._seq < oldest - 1) or latest < self._seq:
                self._reload()
            else:
                changed = self._replay(self._seq, latest)
            self._seq = latest
            self._moved(changed)

    def _moved(self, nodes: Iterable[str] | None) -> None:
        """The graph changed: a new generation, whose changed node ids (None: unknown) are kept."""
        self.generation += 1
        self._journal[self.generation] = None if nodes is None else frozenset(nodes)
        while len(self._journal) > _JOURNAL:
            self._journal.popitem(last=False)

    def nodes_changed_since(self, generation: int) -> frozenset[str] | None:
        """Ids of the nodes added, changed or deleted since ``generation`` (edges aside),
        or None when that is not known (a reload, a bulk write, too long ago).

        Caches derived from node properties (e.g. search's name rows) patch themselves
        with it instead of rebuilding from every node.
        """
        with self._lock:
            changed: set[str] = set()
            for gen in range(generation + 1, self.generation + 1):
                ids = self._journal.get(gen)
                if ids is None:
                    return None
                changed |= ids
            return frozenset(changed)

    def _reload(self) -> None:
        size = self.db.execute("SELECT (SELECT count(*) FROM nodes) + (SELECT count(*) FROM edges)")
        with bulk_gc(size.fetchone()[0]):
            g = nx.MultiDiGraph()
            nodes = ((i, {"label": label, "props": _loads(props)}) for i, label, props
                     in self.db.execute("SELECT id, label, props FROM nodes"))
            known: dict[str, dict[str, Any]] = {}  # most edges share their props text

            def edge_props(text: str) -> dict[str, Any]:
                # Edges with the same short props share one dict (never changed in place).
                props = known.get(text)
                if props is None:
                    props = _loads(text)
                    if len(text) > 64 or len(known) >= 1024:
                        return props
                    known[text] = props
                return props

            _fill_graph(g, nodes, ((s, target, t, {"props": edge_props(props)})
                                   for s, t, target, props
                                   in self.db.execute("SELECT source, type, target, props FROM edges")))
        self._replace_graph(g)

    def _replay(self, after: int, upto: int) -> list[str] | None:
        """Apply other processes' changes; the ids of the nodes changed (None: reloaded)."""
        g = self.graph
        rows = self.db.execute("SELECT DISTINCT kind, key FROM changes WHERE seq > ? AND seq <= ?",
                               (after, upto)).fetchall()
        if any(kind in ("c", "r") for kind, _ in rows):  # cleared, or a bulk write: read all
            self._reload()
            return None
        node_keys = [k for kind, k in rows if kind == "n"]
        edge_keys = [k for kind, k in rows if kind == "e"]
        for node_id in node_keys:
            row = self.db.execute("SELECT label, props FROM nodes WHERE id=?", (node_id,)).fetchone()
            if row is None:
                if node_id in g:
                    g.remove_node(node_id)
            elif node_id in g:
                g.nodes[node_id].update(label=row[0], props=_loads(row[1]))
            else:
                g.add_node(node_id, label=row[0], props=_loads(row[1]))
        for key in edge_keys:
            s, t, target = key.split("|", 2)
            row = self.db.execute("SELECT props FROM edges WHERE source=? AND type=? AND target=?",
                                  (s, t, target)).fetchone()
            if row is None:
                if g.has_edge(s, target, t):
                    g.remove_edge(s, target, t)
            else:
                g.add_edge(s, target, key=t, props=_loads(row[0]))
        return node_keys

    def _replace_graph(self, graph: nx.MultiDiGraph) -> None:
        """Make ``graph`` the in-memory graph, and let the old one be freed.

        networkx caches views on a graph (``g.edges``…) that refer back to it: a cycle,
        which only the collector frees, and a bulk write freezes what it built out of
        the collector's reach (see ``bulk_gc``). Dropping the views lets reference
        counting free a national graph the moment it is replaced.
        """
        old, self.graph = self.graph, graph
        for name, value in list(vars(old).items()):
            if getattr(value, "_graph", None) is old:
                del old.__dict__[name]

    @contextlib.contextmanager
    def reading(self) -> Iterator[EmbeddedSnapshot]:
        """The graph for one query run, with the lock held until the block ends."""
        with self._lock:
            yield EmbeddedSnapshot(self, self.fresh())

    def fresh(self) -> nx.MultiDiGraph:
        """The in-memory graph, after catching up with other processes' writes."""
        self._sync()
        return self.graph

    # writing ---------------------------------------------------------------------------------
    def _run_write(self, fn: Callable[[TxOps], WriteResult]) -> WriteResult:
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise explain(exc, self.path) from exc
            ops = _SqliteTx(self)
            try:
                self._sync()  # we hold the write lock: memory now equals disk
                result = fn(ops)
                ops.log()
                ops.run(self._trim)
                with bulk_gc(ops.rows):
                    self._commit(ops)
            except BaseException as exc:
                ops.settle()  # statements still running in the background end first
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):  # a full disk, a damaged file: say which
                    raise explain(exc, self.path) from exc
                raise
            finally:
                self.db.execute(f"PRAGMA cache_size={_CACHE_SIZE}")  # back from a bulk write's
            self._seq = self._max_seq()
            nodes = sum(len(rows) for _, rows in ops.node_batches)
            self._moved(None if nodes > _JOURNAL_NODES else
                        [i for _, rows in ops.node_batches for i, _ in rows])
            return result

    def _commit(self, ops: _SqliteTx) -> None:
        """Commit, and bring the in-memory graph to what was committed.

        Into an empty store, the graph is built new and kept only once the commit has
        succeeded. For a bulk write into an empty store, SQLite inserts and commits
        (writes the WAL, syncs it and checkpoints: seconds at national scale, all without
        the GIL) in the background while this thread builds the graph. Otherwise the
        rows are applied after the commit.
        """
        ops.run(self.db.execute, "COMMIT")
        graph = ops.new_graph()
        failed = ops.settle()
        if failed is not None:
            raise failed
        if graph is None:
            ops.apply_to_graph()
        else:
            self._replace_graph(graph)

    def _apply(self, ops: TxOps, nodes: dict[str, Node], raw_edges: list[Edge]) -> WriteResult:
        if not isinstance(ops, _SqliteTx) or self.graph._node:
            result, node_rows, edge_rows = self._plan(ops, nodes, raw_edges)
            if isinstance(ops, _SqliteTx):
                ops.prepare(sum(map(len, node_rows.values())), sum(map(len, edge_rows.values())))
            put_rows(ops, node_rows, edge_rows)
            return result
        # Into an empty store (synced: disk is empty too) every row is new: no diff. The
        # nodes are put first, so a bulk write inserts them while the edges are planned.
        result = WriteResult()
        ops.prepare(len(nodes), len(raw_edges))  # at most that many edges, once merged
        put_rows(ops, self._node_rows({}, nodes, result), {})
        put_rows(ops, {}, plan_new_edges(self.schema, nodes, raw_edges, result))
        return result

    def _trim(self) -> None:
        latest = self._max_seq()
        if latest > _KEEP_CHANGES:
            self.db.execute("DELETE FROM changes WHERE seq <= ?", (latest - _KEEP_CHANGES,))

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        with self._lock, translated(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self._sync()  # we hold the write lock: the graph lists every edge on disk
                g = self.graph
                gone = 0
                for node_id in ids:
                    cur = self.db.execute("DELETE FROM nodes WHERE id=?", (node_id,))
                    gone += cur.rowcount
                    if node_id in g:
                        self.db.executemany(
                            "DELETE FROM edges WHERE source=? AND type=? AND target=?",
                            [(s, k, t) for s, t, k in (*g.out_edges(node_id, keys=True),
                                                       *g.in_edges(node_id, keys=True))])
                    self.db.execute("INSERT INTO changes(kind, key) VALUES ('n', ?)", (node_id,))
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:  # SQLite may have rolled back itself (a full disk)
                    self.db.execute("ROLLBACK")
                raise
            for node_id in ids:
                if node_id in self.graph:
                    self.graph.remove_node(node_id)
            self._seq = self._max_seq()
            self._moved(ids)
            return gone

    def delete_edges(self, edges: Iterable[Edge]) -> int:
        edges = list(edges)
        with self._lock, translated(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                gone = 0
                for e in edges:
                    cur = self.db.execute(
                        "DELETE FROM edges WHERE source=? AND type=? AND target=?",
                        (e.source, e.type, e.target))
                    gone += cur.rowcount
                    self.db.execute("INSERT INTO changes(kind, key) VALUES ('e', ?)", (e.key,))
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:  # SQLite may have rolled back itself (a full disk)
                    self.db.execute("ROLLBACK")
                raise
            for e in edges:
                if self.graph.has_edge(e.source, e.target, e.type):
                    self.graph.remove_edge(e.source, e.target, e.type)
            self._seq = self._max_seq()
            self._moved(())
            return gone

    def _records(self) -> SqliteRecords:
        return SqliteRecords(self.schema.records, self.db, self._lock)

    def clear(self) -> None:
        with self._lock, translated(self.path):
            self.records.clear()  # everything: the board's records too, as on Neo4j
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM nodes")
            self.db.execute("DELETE FROM edges")
            self.db.execute("DELETE FROM changes")
            # A marker row makes other processes' readers notice and reload.
            self.db.execute("INSERT INTO changes(kind, key) VALUES ('c', '')")
            self.db.execute("COMMIT")
            self._replace_graph(nx.MultiDiGraph())
            self._seq = self._max_seq()
            self._moved(None)

    # reading ---------------------------------------------------------------------------------
    # get, get_many and edges_of read the same graph as a query's snapshot does: one
    # implementation (graph/reading.py), under the lock and after catching up.
    def _node(self, node_id: str) -> Node:
        data = self.graph.nodes[node_id]
        return Node(data["label"], node_id, dict(data["props"]))

    def get(self, node_id: str) -> Node | None:
        with self.reading() as snap:
            return snap.get(node_id)

    def get_many(self, ids: Iterable[str]) -> dict[str, Node]:
        with self.reading() as snap:
            return snap.get_many(ids)

    def edges_of(self, node_id: str, direction: str = "both",
                 types: Iterable[str] | None = None) -> list[Edge]:
        with self.reading() as snap:
            return snap.edges_of(node_id, direction, types)

    def nodes(self, label: str | None = None) -> Iterator[Node]:
        with self._lock:
            g = self.fresh()
            ids = sorted(i for i, d in g.nodes(data=True) if label is None or d["label"] == label)
            found = [self._node(i) for i in ids]
        yield from found

    def edges(self, type_: str | None = None) -> Iterator[Edge]:
        with self._lock:
            g = self.fresh()
            found = [Edge(k, s, t, dict(d["props"]))
                     for s, t, k, d in g.edges(keys=True, data=True)
                     if type_ is None or k == type_]
        yield from sorted(found, key=lambda e: e.key)

    def is_empty(self) -> bool:
        return not self.fresh()._node

    def counts(self) -> dict[str, Any]:
        with self._lock:
            g = self.fresh()
            labels = Counter(d["label"] for _, d in g.nodes(data=True))
            types = Counter(k for _, _, k in g.edges(keys=True))
            return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                    "labels": dict(sorted(labels.items())),
                    "edge_types": dict(sorted(types.items()))}

    def close(self) -> None:
        with self._lock:
            self.db.close()
