"""The Neo4j store: the official ``neo4j`` driver, batched ``UNWIND … MERGE`` writes.

Every node carries the label ``Entity`` besides its own, with a uniqueness
constraint on ``Entity.id``, so any node is found by id through one index.
Labels and relationship types written into Cypher come only from the schema;
every value travels as a parameter. Driver errors become danvan errors here.

>>> _label_of(["Entity", "Village"])
'Village'
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any

import neo4j
from neo4j import exceptions as nx_errors

from danvan.errors import AuthError, ConfigError, StoreError, StoreUnavailable, ValidationError
from danvan.graph.audit import watching
from danvan.graph.neo4j_health import Health
from danvan.graph.reading import Neo4jReader
from danvan.graph.records import Neo4jRecords
from danvan.graph.schema import Schema
from danvan.graph.store import Store, TxOps, WriteResult, bulk_gc, plan_new_edges
from danvan.graph.types import Edge, Node

__all__ = ["Neo4jStore"]

CHUNK = 10_000  # rows per UNWIND statement
LOAD_CHUNK = 10_000  # rows per transaction of a bulk load (Neo4jStore.load; see load)
LOAD_WORKERS = 2  # sessions writing the chunks of a bulk load at the same time
CLEAR_BATCH = 50_000  # rows deleted per transaction by clear()
# One row, or none in an empty graph (the board's Record nodes are not part of it).
_ANY_NODE = "MATCH (n:Entity) RETURN n.id AS id LIMIT 1"


def _props(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != "id"}


def _label_of(labels: Iterable[str]) -> str:
    return next(label for label in labels if label != "Entity")


_GRAPH_TYPES = (neo4j.graph.Node, neo4j.graph.Relationship, neo4j.graph.Path)


def _map_pattern(source: str, keys: Collection[str]) -> str:
    """The properties ``keys`` of the map ``source`` as a pattern's property map.

    ``CREATE (n:L {`a`: row.`a`})`` makes a node with its properties in one step; the
    same ``CREATE`` followed by ``SET n = row`` sets them one by one from a map whose
    keys the planner cannot know, so it adds an Eager (all rows held in memory) and
    costs the server about 20 % more per node. A key absent from a row is null there,
    which a ``CREATE`` does not store. ``keys`` come from the schema (see ``_keys``).

    >>> _map_pattern("row.props", ["role", "synthetic"])
    ' {`role`: row.props.`role`, `synthetic`: row.props.`synthetic`}'
    >>> _map_pattern("row", [])
    ''
    """
    if not keys:
        return ""
    return " {" + ", ".join(f"`{k}`: {source}.`{k}`" for k in keys) + "}"


def _keys(maps: Iterable[dict[str, Any]], allowed: Collection[str]) -> list[str] | None:
    """The keys the maps use, sorted; None if one is not in ``allowed`` (the schema's)."""
    keys: set[str] = set()
    for m in maps:
        keys.update(m)
    return sorted(keys) if keys <= set(allowed) else None


def _records(result: neo4j.Result) -> list[dict[str, Any]]:
    """The records as dicts of the values the codec decoded (lists, maps, scalars).

    ``Record.data()`` walks every nested value looking for graph entities, which costs
    more than decoding (a page of places: 60 % of the client's time). The catalogue's
    Cypher returns maps and ids, never nodes; a record that does return a node,
    relationship or path at its top level still goes through ``data()``.
    """
    keys = result.keys()
    out = []
    for rec in result:
        if any(isinstance(v, _GRAPH_TYPES) for v in rec):
            out.append(rec.data())
        else:
            out.append(dict(zip(keys, rec, strict=True)))
    return out


BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_uri(uri: str) -> None:
    """Refuse a Neo4j address danvan cannot use, saying what to write instead.

    (The driver takes ``http://`` for its experimental HTTP API, and then fails deep
    inside on a module it does not install.)

    >>> check_uri("bolt://127.0.0.1:7687")
    >>> try:
    ...     check_uri("http://127.0.0.1:7474")
    ... except ConfigError as exc:
    ...     print(str(exc).split(": write")[0])
    NEO4J_URI / --neo4j-uri 'http://127.0.0.1:7474' is not a Bolt address
    """
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    if scheme in BOLT_SCHEMES:
        return
    if scheme.startswith("http"):
        what = f"{scheme}:// is Neo4j's browser port, which danvan does not use"
    else:
        what = f"{scheme}:// is not supported" if scheme else "it has no scheme"
    raise ConfigError(f"NEO4J_URI / --neo4j-uri {uri!r} is not a Bolt address: write "
                      f"bolt://HOST:7687 (or neo4j://, bolt+s://, neo4j+s://); {what}")


class _Neo4jTx:
    """TxOps over one managed write transaction.

    What the reads of this transaction found missing is remembered: a node that
    ``existing_nodes`` did not find is written with ``CREATE`` (no index probe
    before the insert; the uniqueness constraint still guards it), and an edge
    with an endpoint that did not exist cannot exist either, so it is neither
    read back nor merged. Edges between existing nodes are read with both
    endpoints found by id first, so the relationship check starts from the
    endpoint with fewer relationships (``Expand(Into)``) rather than from a
    dense target (a province with thousands of ``PART_OF``, a plan with
    thousands of ``UNDER_PLAN``), and written with ``MERGE``.

    A concurrent writer that creates one of the same nodes first makes the
    ``CREATE`` fail on the constraint; the store then runs the write again with
    ``create`` False, which merges everything (as every write did before).

    The nodes it creates report their element ids; a new edge between two of
    them finds its ends by element id (a direct record lookup) instead of two
    probes of the id index, about twice as fast for a bulk load. Such
    statements count what they created, and ``flush`` (before every commit)
    fails the transaction if a row found no ends, e.g. because another process
    deleted one of the nodes between two transactions of a bulk load.
    """

    def __init__(self, store: Neo4jStore, tx: neo4j.ManagedTransaction, create: bool = True) -> None:
        self.store = store
        self.tx = tx
        self.create = create
        self.absent: set[str] = set()  # ids read in this transaction and not found
        self.written: Collection[str] | None = None  # ids whose properties the merge needs
        self.new_edges: set[str] = set()  # edge keys known not to exist
        self.all_new = False  # every edge put is new (a load into an empty database)
        self.element_ids: dict[str, str] = {}  # id → element id of the nodes created here
        self.created: list[neo4j.Result] = []  # CREATE statements whose element ids are unread
        self.counted: list[tuple[neo4j.Result, int]] = []  # edge statements and their row counts

    def fork(self) -> _Neo4jTx:
        """Another writer of the same load: it shares what the plan learnt (ids known
        absent, edges known new, element ids of created nodes) but has its own
        transaction and its own statements in flight."""
        other = _Neo4jTx(self.store, self.tx, self.create)
        other.absent, other.written, other.new_edges = self.absent, self.written, self.new_edges
        other.all_new = self.all_new
        other.element_ids = self.element_ids
        return other

    def _run(self, cypher: str, rows: list[Any], name: str = "rows") -> Iterator[neo4j.Record]:
        for start in range(0, len(rows), CHUNK):
            yield from self.tx.run(cypher, {name: rows[start:start + CHUNK]})

    def _send(self, cypher: str, rows: list[Any]) -> None:
        """Run a write without waiting for it: the next statement's parameters are packed
        while the server executes this one (its outcome is read before the commit)."""
        for start in range(0, len(rows), CHUNK):
            self.tx.run(cypher, rows=rows[start:start + CHUNK])

    def existing_nodes(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """``{id: (label, props)}``; props only for the ids being written (see ``Neo4jStore._apply``).

        The endpoints of edges need only their label, read grouped by label so a
        chunk of 20,000 villages comes back as one record, not 20,000 property maps.
        """
        written = self.written
        full = [i for i in ids if written is None or i in written]
        bare = [] if written is None else [i for i in ids if i not in written]
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        for rec in self._run("UNWIND $ids AS id MATCH (n:Entity {id: id}) "
                             "RETURN n.id AS id, labels(n) AS labels, properties(n) AS props",
                             full, "ids"):
            out[rec["id"]] = (_label_of(rec["labels"]), _props(rec["props"]))
        for rec in self._run("UNWIND $ids AS id MATCH (n:Entity {id: id}) "
                             "RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, "
                             "collect(n.id) AS ids", bare, "ids"):
            out.update((i, (rec["label"], {})) for i in rec["ids"])
        self.absent.update(i for i in ids if i not in out)
        return out

    def existing_edges(self, edges: Sequence[Edge]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        by_type: dict[str, list[dict[str, str]]] = {}
        for e in edges:
            if self.create and (e.source in self.absent or e.target in self.absent):
                self.new_edges.add(e.key)
            else:
                by_type.setdefault(e.type, []).append({"s": e.source, "t": e.target})
        for type_, rows in by_type.items():
            rel = self.store.cypher_type(type_)
            cypher = ("UNWIND $rows AS row MATCH (a:Entity {id: row.s}) MATCH (b:Entity {id: row.t}) "
                      f"WITH row, [(a)-[r:{rel}]->(b) | properties(r)] AS found "
                      "WHERE size(found) > 0 RETURN row.s AS s, row.t AS t, found[0] AS p")
            for rec in self._run(cypher, rows):
                out[f"{rec['s']}|{type_}|{rec['t']}"] = dict(rec["p"])
        return out

    def put_nodes(self, label: str, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        lab = self.store.cypher_label(label)
        new = [{**p, "id": i} for i, p in rows if self.create and i in self.absent]
        old = [{**p, "id": i} for i, p in rows if not (self.create and i in self.absent)]
        allowed = {"id", *self.store.schema.labels[label].properties}
        for start in range(0, len(new), CHUNK):
            part = new[start:start + CHUNK]
            keys = _keys(part, allowed)
            create = (f"CREATE (n:Entity:{lab}{_map_pattern('row', keys)})" if keys is not None
                      else f"CREATE (n:Entity:{lab}) SET n = row")
            self.created.append(self.tx.run(
                f"UNWIND $rows AS row {create} "
                "RETURN collect(row.id) AS ids, collect(elementId(n)) AS eids", rows=part))
        self._send(f"UNWIND $rows AS row MERGE (n:Entity {{id: row.id}}) SET n = row, n:{lab}", old)
        self.absent.difference_update(i for i, _ in rows)

    def put_edges(self, type_: str, rows: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        rel = self.store.cypher_type(type_)
        self._read_element_ids()
        eids = self.element_ids
        direct: list[dict[str, Any]] = []
        new: list[dict[str, Any]] = []
        old: list[dict[str, Any]] = []
        all_new, new_edges = self.all_new, self.new_edges
        for s, t, p in rows:
            if not all_new:
                key = f"{s}|{type_}|{t}"
                if key not in new_edges:
                    old.append({"s": s, "t": t, "props": p})
                    continue
                new_edges.discard(key)
            es, et = eids.get(s), eids.get(t)
            if es is not None and et is not None:
                direct.append({"s": es, "t": et, "props": p})
            else:
                new.append({"s": s, "t": t, "props": p})
        allowed = self.store.schema.edges[type_].properties
        for start in range(0, len(direct), CHUNK):
            part = direct[start:start + CHUNK]
            self.counted.append((self.tx.run(
                "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.s "
                f"MATCH (b) WHERE elementId(b) = row.t {self._create_edge(rel, part, allowed)} "
                "RETURN count(r) AS n", rows=part), len(part)))
        ends = "UNWIND $rows AS row MATCH (a:Entity {id: row.s}) MATCH (b:Entity {id: row.t}) "
        for start in range(0, len(new), CHUNK):
            part = new[start:start + CHUNK]
            self.tx.run(f"{ends}{self._create_edge(rel, part, allowed)}", rows=part)
        self._send(f"{ends}MERGE (a)-[r:{rel}]->(b) SET r = row.props", old)

    @staticmethod
    def _create_edge(rel: str, rows: list[dict[str, Any]], allowed: Collection[str]) -> str:
        """``CREATE`` of an edge ``r`` of type ``rel`` from ``a`` to ``b`` with ``row.props``,
        the properties in the pattern when the schema knows them all (see ``_map_pattern``)."""
        keys = _keys((row["props"] for row in rows), allowed)
        if keys is None:
            return f"CREATE (a)-[r:{rel}]->(b) SET r = row.props"
        return f"CREATE (a)-[r:{rel}{_map_pattern('row.props', keys)}]->(b)"

    def _read_element_ids(self) -> None:
        for result in self.created:
            rec = result.single(strict=True)
            self.element_ids.update(zip(rec["ids"], rec["eids"], strict=True))
        self.created = []

    def flush(self) -> None:
        """Before the commit: read what the pipelined statements report, and check it."""
        self._read_element_ids()
        for result, expected in self.counted:
            got = result.single(strict=True)["n"]
            if got != expected:
                raise StoreError(f"{expected - got} of {expected} new edges lost an end while "
                                 "they were written (a node deleted meanwhile?); nothing written")
        self.counted = []


class _Abandoned(Exception):
    """Raised in a write transaction of a bulk load whose later checks failed: roll back."""


class _Gate:
    """Holds the commits of a bulk load's first transactions until its checks are done.

    The node chunks of a load are written while the client still checks and plans the
    edges; each transaction waits here before its commit. ``open`` lets them commit
    (everything was checked); ``abandon`` makes them roll back (a check failed), so
    nothing a failed load sent is ever committed.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._abandoned = False

    def open(self) -> None:
        """The checks passed: the waiting transactions may commit."""
        self._event.set()

    def abandon(self) -> None:
        """A check failed: the waiting transactions roll back."""
        self._abandoned = True
        self._event.set()

    def wait(self) -> None:
        """Block until opened; raise :class:`_Abandoned` if abandoned instead."""
        self._event.wait()
        if self._abandoned:
            raise _Abandoned("the bulk load's checks failed; nothing committed")


class Neo4jStore(Store):
    """``Neo4jStore(uri, user, password)``; checks the connection and creates constraints."""

    kind = "neo4j"

    def __init__(self, uri: str, user: str = "neo4j", password: str = "",
                 database: str | None = None, schema: Schema | None = None,
                 connect_timeout: float = 5.0) -> None:
        super().__init__(schema)
        self.generation = 0  # bumped by every write through this store (see change_token)
        self.retry_time = 15.0  # seconds a read is retried on transient errors
        self._local = threading.local()  # per thread: tokens seen by reads (see tracking)
        check_uri(uri)
        self.uri = uri
        self.database = database
        self.health = Health(uri, (user, password))  # bounded reads, fail fast while down
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), connection_timeout=connect_timeout,
                max_transaction_retry_time=15.0, connection_acquisition_timeout=connect_timeout * 2,
                # Queries name relationship types the data may not have yet (HELD_AT in a
                # store without events); the server's "does not exist" hints are noise here.
                notifications_min_severity="OFF")
        except (ValueError, nx_errors.ConfigurationError) as exc:
            raise StoreUnavailable(f"invalid Neo4j URI {uri!r}: {exc}") from None
        try:
            with self._errors():
                self.driver.verify_connectivity()
            self.ensure_schema()
        except BaseException:
            self.driver.close()
            raise

    # error translation -------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except nx_errors.AuthError as exc:
            raise AuthError(f"Neo4j at {self.uri} refused the credentials ({exc.message})") from None
        except (nx_errors.ServiceUnavailable, nx_errors.SessionExpired, OSError) as exc:
            reason = "connection refused" if "refused" in str(exc) else " ".join(str(exc).split())
            self.health.trip(reason)  # the next calls fail at once until a probe succeeds
            raise StoreUnavailable(f"cannot reach Neo4j at {self.uri} ({reason})") from None
        except nx_errors.Neo4jError as exc:
            raise StoreError(f"Neo4j error {exc.code}: {exc.message}") from exc
        except nx_errors.DriverError as exc:
            raise StoreError(f"Neo4j driver error: {exc}") from exc

    def session(self) -> neo4j.Session:
        """A driver session on the configured database."""
        return self.driver.session(database=self.database)

    def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read query as one auto-commit transaction; return the records as dicts.

        One round trip (RUN + PULL) instead of a managed transaction's BEGIN, RUN, PULL
        and COMMIT. The driver does not retry auto-commit transactions, so reads (which
        are idempotent) are retried here on the errors a managed read would retry, for
        up to ``retry_time`` seconds. The bookmark the read returns is kept: see
        :meth:`tracking`.
        """
        self.health.check()  # known down: fail at once (see graph/neo4j_health.py)
        deadline = time.monotonic() + self.retry_time
        delay = 0.05
        with self._errors():
            while True:
                try:
                    rows, bookmarks = self.health.run(self._read_once, cypher, params)
                    break
                except (nx_errors.ServiceUnavailable, nx_errors.SessionExpired):
                    # A pooled connection the server dropped (a restart) is worth another
                    # try; a server that does not complete a new connection is down.
                    if not self.health.answers() or time.monotonic() + delay > deadline:
                        raise
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                except (nx_errors.Neo4jError, nx_errors.DriverError) as exc:
                    if not exc.is_retryable() or time.monotonic() + delay > deadline:
                        raise
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
        seen = getattr(self._local, "seen", None)
        if seen is not None:
            seen.append((self.generation, "|".join(sorted(bookmarks.raw_values))))
        return rows

    def _read_once(self, cypher: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]],
                                                                      neo4j.Bookmarks]:
        with self.driver.session(database=self.database,
                                 default_access_mode=neo4j.READ_ACCESS) as session:
            rows = _records(session.run(cypher, params))
            return rows, session.last_bookmarks()

    def read_many(self, cypher: str, columns: Sequence[str], **params: Any) -> list[dict[str, Any]]:
        """Like :meth:`read`, for a query with many rows: the server sends them as one record.

        The driver handles every record in Python (a message, its chunks, socket reads),
        about as much work on the client as decoding a few hundred values; collected
        into one list they cost one message. ``columns`` are the names ``cypher``
        returns (from code, never from users). Not for results too large to hold at
        once on the server (whole-graph exports).
        """
        for column in columns:
            if not column.isidentifier():
                raise ValueError(f"not a column name: {column!r}")
        wrapped = f"CALL {{ {cypher} }} RETURN collect([{', '.join(columns)}]) AS rows"
        rows = self.read(wrapped, **params)
        return [dict(zip(columns, row, strict=True)) for row in rows[0]["rows"]] if rows else []

    @contextlib.contextmanager
    def reading(self) -> Iterator[Neo4jReader]:
        """The reader for one query run (nested runs in a thread share the outer one)."""
        outer = getattr(self._local, "reader", None)
        if outer is not None:
            yield outer
            return
        self._local.reader = reader = Neo4jReader(self)
        try:
            yield reader
        finally:
            self._local.reader = None

    def change_token(self) -> tuple[int, str]:
        """Changes whenever the database may have changed; cheap (one empty read).

        The bookmark of a read transaction names the last transaction committed on the
        database, whoever committed it (this process, another one, an analyst in the
        browser); this process's own writes also move the counter. Caches of derived
        data (name keys) are valid while the token stays the same.
        """
        generation = self.generation
        with self.tracking() as seen:
            self.read("RETURN 1")
            bookmark = seen[-1][1]
        return generation, bookmark

    @contextlib.contextmanager
    def tracking(self) -> Iterator[list[tuple[int, str]]]:
        """Collect the change tokens the reads of this thread observe, in order.

        A query that relies on derived data cached at some token (name keys) checks
        afterwards that every read it made saw that same token: then the database did
        not move between the cache and the answer, and no extra read was needed.
        Nested use shares the outer list.
        """
        outer = getattr(self._local, "seen", None)
        if outer is not None:
            yield outer
            return
        seen: list[tuple[int, str]] = []
        self._local.seen = seen
        try:
            yield seen
        finally:
            self._local.seen = None

    # schema --------------------------------------------------------------------------------
    def cypher_label(self, label: str) -> str:
        """A label from the schema, quoted for Cypher; anything else is refused."""
        if label not in self.schema.labels and label != "Entity":
            raise ValidationError(label, None, "unknown label")
        return f"`{label}`"

    def cypher_type(self, type_: str) -> str:
        """An edge type from the schema, quoted for Cypher; anything else is refused."""
        if type_ not in self.schema.edges:
            raise ValidationError(type_, None, "unknown edge type")
        return f"`{type_}`"

    def schema_statements(self) -> list[str]:
        """Constraints and indexes derived from the schema declaration.

        Ids are unique across labels, so the one constraint on ``Entity.id`` is the id
        index of every node; queries that find a node of some label by id match it as
        ``(x:Entity {id: …}) WHERE x:Label``. (A per-label copy of that constraint cost
        every node written a second uniqueness probe, lock and index entry.)
        """
        out = ["CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE"]
        for label, spec in self.schema.labels.items():
            for key in spec.identity:
                if key not in ("name",):
                    out.append(f"CREATE INDEX {label.lower()}_{key} IF NOT EXISTS "
                               f"FOR (n:{self.cypher_label(label)}) ON (n.{key})")
            if "name" in spec.properties:
                out.append(f"CREATE INDEX {label.lower()}_name IF NOT EXISTS "
                           f"FOR (n:{self.cypher_label(label)}) ON (n.name)")
        return out

    def obsolete_constraints(self) -> set[str]:
        """Names of constraints earlier versions created and this one drops: one
        ``<label>_id`` uniqueness constraint per label (see :meth:`schema_statements`)."""
        return {f"{label.lower()}_id" for label in self.schema.labels}

    def ensure_schema(self) -> None:
        """Create the constraints and indexes, drop obsolete ones (idempotent)."""
        with self._errors(), self.session() as session:
            present = {rec["name"] for rec in session.run("SHOW CONSTRAINTS YIELD name")}
            for name in sorted(present & self.obsolete_constraints()):
                # The name comes from the schema's labels, never from data.
                session.run(f"DROP CONSTRAINT `{name}` IF EXISTS").consume()
            for statement in self.schema_statements():
                session.run(statement).consume()

    # writing ---------------------------------------------------------------------------------
    def _run_write(self, fn: Callable[[TxOps], WriteResult]) -> WriteResult:
        self.health.check()
        self.generation += 1
        with self._errors(), self.session() as session:
            def work(tx: neo4j.ManagedTransaction, create: bool) -> WriteResult:
                ops = _Neo4jTx(self, tx, create)
                result = fn(ops)
                ops.flush()
                return result

            try:
                return session.execute_write(work, True)
            except nx_errors.ConstraintError:
                # Someone else created one of "our" new nodes meanwhile: merge instead.
                return session.execute_write(work, False)

    def _apply(self, ops: TxOps, nodes: dict[str, Node], raw_edges: list[Edge]) -> WriteResult:
        # The shared merge reads the old properties only of the nodes it writes; other ids
        # (edge endpoints) need only exist and have a label, so they are read without them.
        if isinstance(ops, _Neo4jTx):
            ops.written = nodes.keys()
        return super()._apply(ops, nodes, raw_edges)

    def load(self, nodes: Iterable[Node] = (), edges: Iterable[Edge] = (),
             chunk: int | None = None) -> WriteResult:
        """Bulk write: the whole batch is checked and planned, then written in
        transactions of ``chunk`` rows (LOAD_CHUNK by default).

        Nothing is written if any row breaks the schema or names a missing node: no
        transaction commits before every check has passed. The writes are not one
        transaction: a national dataset in one would need more server memory than a
        default Neo4j has. (The server holds a transaction's changes on its heap until
        the commit; at 10,000 rows a national load spent 4-6 s in garbage collection,
        at 50,000 rows 9-12 s.) The chunks are written by LOAD_WORKERS sessions at once
        (nodes, then edges). The node chunks start as soon as the nodes are planned
        (one read of the stored nodes; none into an empty database, whose edges are
        planned without reads): while the server writes them, the client checks
        and plans the edges, and the first transactions wait for that before their
        commit (see :class:`_Gate`); if a check fails they roll back. If the server
        fails midway, the nodes and edges of the committed chunks stay; loading the
        same data again completes it (writes are idempotent). Nodes go first, so an
        edge is never written before its ends. A batch of at most ``chunk`` rows is
        simply :meth:`write`, one transaction.
        """
        nodes, edges = list(nodes), list(edges)
        # Made on someone's behalf (an import, a demo load from the CLI): in the history like
        # Store.write's, which keeps each node's before and after only for small writes.
        who = watching()
        before = who.before(self, nodes) if who else None
        with bulk_gc(len(nodes) + len(edges)):  # its end finds the temporaries below gone
            result = self._load_checked(nodes, edges, chunk or LOAD_CHUNK)
        if who:
            who.after(self, nodes, edges, result, before)
        return result

    def _load_checked(self, nodes: list[Node], edges: list[Edge], size: int) -> WriteResult:
        checked, raw_edges = self._checked(nodes, edges)
        if len(checked) + len(raw_edges) <= size:
            return self._run_write(lambda ops: self._apply(ops, checked, raw_edges))
        self.generation += 1
        with self._errors(), self.session() as session:
            def read_nodes(tx: neo4j.ManagedTransaction) -> tuple[_Neo4jTx, Any, bool]:
                ops = _Neo4jTx(self, tx)
                ops.written = checked.keys()
                if tx.run(_ANY_NODE).peek() is None:  # an empty database: every row is new
                    ops.absent = set(checked)
                    return ops, {}, True
                return ops, self._existing_ends(ops, checked, raw_edges), False

            # Into an empty database, nothing is read back and the edges are planned as for
            # an empty embedded store (plan_new_edges). A writer that adds some of the same
            # nodes meanwhile makes their CREATE fail; that chunk is merged (_load_chunk).
            ops, existing, empty = session.execute_read(read_nodes)
            result = WriteResult()
            node_rows = self._node_rows(existing, checked, result)
            # The edges are planned with what the read found absent (ops.absent, which the
            # node writers copy before they strike off the ids they create).
            planner = ops.fork()
            gate = _Gate()
            node_steps = self._steps(node_rows, size)
            nodes_done: list[neo4j.Bookmarks] = []
            failed: list[BaseException] = []

            def write_nodes() -> None:
                try:
                    nodes_done.append(self._load_parallel(ops, "nodes", node_steps, None, gate))
                except BaseException as exc:  # re-raised in the calling thread
                    failed.append(exc)

            def plan_edges(tx: neo4j.ManagedTransaction) -> Any:
                planner.tx = tx
                counts = WriteResult()
                edge_rows = self._edge_rows(planner, self._check_edges(
                    existing, checked, raw_edges), counts)
                return counts, edge_rows

            writer = threading.Thread(target=write_nodes, name="danvan-load-nodes", daemon=True)
            writer.start()
            try:
                if empty:
                    counts = WriteResult()
                    edge_rows = plan_new_edges(self.schema, checked, raw_edges, counts)
                else:
                    counts, edge_rows = session.execute_read(plan_edges)
            except BaseException:
                gate.abandon()
                writer.join()
                raise
            gate.open()
            writer.join()
        if failed:
            raise failed[0]
        result += counts
        ops.all_new = empty
        self._load_parallel(ops, "edges", self._steps(edge_rows, size), nodes_done[0])
        return result

    @staticmethod
    def _steps(rows: dict[str, list[Any]], size: int) -> list[tuple[str, list[Any]]]:
        """The rows by label or type, in chunks of ``size``: (name, rows), names sorted."""
        return [(name, part[start:start + size]) for name, part in sorted(rows.items())
                for start in range(0, len(part), size)]

    def _load_parallel(self, ops: _Neo4jTx, kind: str, steps: list[tuple[str, list[Any]]],
                       after: neo4j.Bookmarks | None, gate: _Gate | None = None) -> neo4j.Bookmarks:
        """Write ``steps`` (name, rows) in LOAD_WORKERS sessions, each chunk its own
        transaction; the first failure stops the others from taking more chunks.

        The sessions start after the transactions named by the bookmarks ``after``;
        returns the bookmarks of their last transactions (the edges of a load run
        after all of its nodes, whichever session wrote them). Every transaction
        waits for ``gate`` (if given) before its commit.
        """
        done = neo4j.Bookmarks()
        if not steps:
            return after or done
        pending = iter(steps)
        lock = threading.Lock()
        failed: list[BaseException] = []

        def worker() -> None:
            nonlocal done
            mine = ops.fork()
            if kind == "nodes":  # each writer strikes off the ids it creates from its own copy
                mine.absent = set(ops.absent)
            put = mine.put_nodes if kind == "nodes" else mine.put_edges
            try:
                with self._errors(), self.driver.session(database=self.database,
                                                         bookmarks=after) as session:
                    while True:
                        with lock:
                            step = None if failed else next(pending, None)
                        if step is None:
                            break
                        self._load_chunk(session, mine, put, *step, gate=gate)
                    with lock:
                        done += session.last_bookmarks()
            except BaseException as exc:  # re-raised in the calling thread
                with lock:
                    failed.append(exc)

        threads = [threading.Thread(target=worker, name=f"danvan-load-{kind}-{i}", daemon=True)
                   for i in range(min(LOAD_WORKERS, len(steps)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failed:
            raise failed[0]
        return done

    def _load_chunk(self, session: neo4j.Session, ops: _Neo4jTx, put: Callable[..., None],
                    name: str, rows: list[Any], gate: _Gate | None = None) -> None:
        """One transaction of a bulk load, with what the plan learnt (which ids are new);
        it waits for ``gate`` (if given) before its commit."""
        tries = 0

        def work(tx: neo4j.ManagedTransaction) -> None:
            nonlocal tries
            if tries and put == ops.put_nodes:  # a retry: forget what the failed try created
                for row in rows:
                    ops.element_ids.pop(row[0], None)
            tries += 1
            ops.tx = tx
            ops.created, ops.counted = [], []
            put(name, rows)
            ops.flush()
            if gate is not None:
                gate.wait()

        try:
            session.execute_write(work)
        except nx_errors.ConstraintError:
            # Someone else created one of these new nodes meanwhile: merge this chunk.
            ops.create = False
            session.execute_write(work)
            ops.create = True

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        rows = self._write("UNWIND $ids AS id MATCH (n:Entity {id: id}) "
                           "DETACH DELETE n RETURN count(*) AS gone", ids=ids)
        return int(rows[0]["gone"]) if rows else 0

    def delete_edges(self, edges: Iterable[Edge]) -> int:
        gone = 0
        by_type: dict[str, list[dict[str, str]]] = {}
        for e in edges:
            by_type.setdefault(e.type, []).append({"s": e.source, "t": e.target})
        for type_, rows in by_type.items():
            rel = self.cypher_type(type_)
            out = self._write(f"UNWIND $rows AS row MATCH (:Entity {{id: row.s}})-[r:{rel}]->"
                              "(:Entity {id: row.t}) DELETE r RETURN count(*) AS gone", rows=rows)
            gone += int(out[0]["gone"]) if out else 0
        return gone

    def clear(self) -> None:
        # Relationships first, then the bare nodes: a batch of DETACH DELETE that meets a
        # province (thousands of relationships) outgrows the server's transaction memory.
        for cypher in ("MATCH ()-[r]->() WITH r LIMIT $n DELETE r RETURN count(*) AS gone",
                       "MATCH (n) WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS gone"):
            while True:
                rows = self._write(cypher, n=CLEAR_BATCH)
                if not rows or rows[0]["gone"] == 0:
                    break

    def _records(self) -> Neo4jRecords:
        return Neo4jRecords(self.schema.records, self.read, self._write)

    def _write(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        self.health.check()
        self.generation += 1

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [rec.data() for rec in tx.run(cypher, **params)]

        with self._errors(), self.session() as session:
            return session.execute_write(work)

    # reading ---------------------------------------------------------------------------------
    @staticmethod
    def _node(rec: dict[str, Any]) -> Node:
        return Node(_label_of(rec["labels"]), rec["props"]["id"], _props(rec["props"]))

    def get(self, node_id: str) -> Node | None:
        rows = self.read("MATCH (n:Entity {id: $id}) RETURN labels(n) AS labels, "
                         "properties(n) AS props", id=node_id)
        return self._node(rows[0]) if rows else None

    def get_many(self, ids: Iterable[str]) -> dict[str, Node]:
        rows = self.read_many("UNWIND $ids AS id MATCH (n:Entity {id: id}) "
                              "RETURN labels(n) AS labels, properties(n) AS props",
                              ("labels", "props"), ids=list(ids))
        return {n.id: n for n in map(self._node, rows)}

    def edges_of(self, node_id: str, direction: str = "both",
                 types: Iterable[str] | None = None) -> list[Edge]:
        # Types outside the schema match nothing, as in the embedded store.
        wanted = sorted(set(types) & set(self.schema.edges)) if types is not None else None
        if wanted == []:
            return []
        # The types go into the pattern (from the schema only), so a plan's thousands of
        # UNDER_PLAN edges are not read when only its MEASURES are wanted.
        rel = ":" + "|".join(self.cypher_type(t) for t in wanted) if wanted else ""
        parts = []
        if direction in ("out", "both"):
            parts.append(f"MATCH (a:Entity {{id: $id}})-[r{rel}]->(b) RETURN a.id AS s, type(r) AS t, "
                         "b.id AS o, properties(r) AS p")
        if direction in ("in", "both"):
            parts.append(f"MATCH (a)-[r{rel}]->(b:Entity {{id: $id}}) RETURN a.id AS s, type(r) AS t, "
                         "b.id AS o, properties(r) AS p")
        rows = self.read_many(" UNION ALL ".join(parts), ("s", "t", "o", "p"), id=node_id)
        found = {f"{r['s']}|{r['t']}|{r['o']}": Edge(r["t"], r["s"], r["o"], dict(r["p"]))
                 for r in rows}
        return [found[k] for k in sorted(found)]

    def nodes(self, label: str | None = None) -> Iterator[Node]:
        lab = self.cypher_label(label) if label else "Entity"
        rows = self.read(f"MATCH (n:{lab}) RETURN labels(n) AS labels, properties(n) AS props "
                         "ORDER BY n.id")
        for rec in rows:
            yield self._node(rec)

    def edges(self, type_: str | None = None) -> Iterator[Edge]:
        rel = f":{self.cypher_type(type_)}" if type_ else ""
        rows = self.read(f"MATCH (a)-[r{rel}]->(b) RETURN a.id AS s, type(r) AS t, b.id AS o, "
                         "properties(r) AS p")
        found = sorted((Edge(r["t"], r["s"], r["o"], dict(r["p"])) for r in rows),
                       key=lambda e: e.key)
        yield from found

    def is_empty(self) -> bool:
        return not self.read(_ANY_NODE)

    def counts(self) -> dict[str, Any]:
        labels = self.read("MATCH (n:Entity) RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS l, "
                           "count(*) AS c")
        types = self.read("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c")
        label_counts = Counter({r["l"]: r["c"] for r in labels})
        type_counts = Counter({r["t"]: r["c"] for r in types})
        return {"nodes": sum(label_counts.values()), "edges": sum(type_counts.values()),
                "labels": dict(sorted(label_counts.items())),
                "edge_types": dict(sorted(type_counts.items()))}

    def close(self) -> None:
        self.health.close()
        self.driver.close()
