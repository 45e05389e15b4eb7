"""The Neo4j store: the official ``neo4j`` driver, batched ``UNWIND … MERGE`` writes.

Every node carries the label ``Entity`` besides its own, with a uniqueness
constraint on ``Entity.id``, so any node is found by id through one index.
Labels and relationship types written into Cypher come only from the schema;
every value travels as a parameter. Driver errors become danvan errors here.

>>> Neo4jStore.cypher_label("Village")
'`Village`'
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import neo4j
from neo4j import exceptions as nx_errors

from danvan.errors import AuthError, StoreError, StoreUnavailable, ValidationError
from danvan.graph.schema import Schema
from danvan.graph.store import Store, TxOps, WriteResult
from danvan.graph.types import Edge, Node

__all__ = ["Neo4jStore"]

CHUNK = 5000  # rows per UNWIND statement


def _props(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != "id"}


def _label_of(labels: Iterable[str]) -> str:
    return next(label for label in labels if label != "Entity")


class _Neo4jTx:
    """TxOps over one managed write transaction."""

    def __init__(self, store: Neo4jStore, tx: neo4j.ManagedTransaction) -> None:
        self.store = store
        self.tx = tx

    def existing_nodes(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        for start in range(0, len(ids), CHUNK):
            result = self.tx.run(
                "UNWIND $ids AS id MATCH (n:Entity {id: id}) "
                "RETURN n.id AS id, labels(n) AS labels, properties(n) AS props",
                ids=list(ids[start:start + CHUNK]))
            for rec in result:
                out[rec["id"]] = (_label_of(rec["labels"]), _props(rec["props"]))
        return out

    def existing_edges(self, edges: Sequence[Edge]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        by_type: dict[str, list[dict[str, str]]] = {}
        for e in edges:
            by_type.setdefault(e.type, []).append({"s": e.source, "t": e.target})
        for type_, rows in by_type.items():
            rel = self.store.cypher_type(type_)
            for start in range(0, len(rows), CHUNK):
                result = self.tx.run(
                    f"UNWIND $rows AS row MATCH (a:Entity {{id: row.s}})-[r:{rel}]->"
                    "(b:Entity {id: row.t}) RETURN row.s AS s, row.t AS t, properties(r) AS p",
                    rows=rows[start:start + CHUNK])
                for rec in result:
                    out[f"{rec['s']}|{type_}|{rec['t']}"] = dict(rec["p"])
        return out

    def put_nodes(self, label: str, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        lab = self.store.cypher_label(label)
        data = [{"id": i, "props": p} for i, p in rows]
        for start in range(0, len(data), CHUNK):
            self.tx.run(f"UNWIND $rows AS row MERGE (n:Entity {{id: row.id}}) "
                        f"SET n = row.props, n.id = row.id, n:{lab}",
                        rows=data[start:start + CHUNK]).consume()

    def put_edges(self, type_: str, rows: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        rel = self.store.cypher_type(type_)
        data = [{"s": s, "t": t, "props": p} for s, t, p in rows]
        for start in range(0, len(data), CHUNK):
            self.tx.run(f"UNWIND $rows AS row MATCH (a:Entity {{id: row.s}}) "
                        f"MATCH (b:Entity {{id: row.t}}) MERGE (a)-[r:{rel}]->(b) SET r = row.props",
                        rows=data[start:start + CHUNK]).consume()


class Neo4jStore(Store):
    """``Neo4jStore(uri, user, password)``; checks the connection and creates constraints."""

    kind = "neo4j"

    def __init__(self, uri: str, user: str = "neo4j", password: str = "",
                 database: str | None = None, schema: Schema | None = None,
                 connect_timeout: float = 5.0) -> None:
        super().__init__(schema)
        self.uri = uri
        self.database = database
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), connection_timeout=connect_timeout,
                max_transaction_retry_time=15.0, connection_acquisition_timeout=connect_timeout * 2)
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
            raise StoreUnavailable(f"cannot reach Neo4j at {self.uri} ({reason})") from None
        except nx_errors.Neo4jError as exc:
            raise StoreError(f"Neo4j error {exc.code}: {exc.message}") from exc
        except nx_errors.DriverError as exc:
            raise StoreError(f"Neo4j driver error: {exc}") from exc

    def session(self) -> neo4j.Session:
        """A driver session on the configured database."""
        return self.driver.session(database=self.database)

    def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read query in a managed transaction; return the records as dicts."""
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [rec.data() for rec in tx.run(cypher, **params)]

        with self._errors(), self.session() as session:
            return session.execute_read(work)

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
        """Constraints and indexes derived from the schema declaration."""
        out = ["CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE"]
        for label, spec in self.schema.labels.items():
            out.append(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
                       f"FOR (n:{self.cypher_label(label)}) REQUIRE n.id IS UNIQUE")
            for key in spec.identity:
                if key not in ("name",):
                    out.append(f"CREATE INDEX {label.lower()}_{key} IF NOT EXISTS "
                               f"FOR (n:{self.cypher_label(label)}) ON (n.{key})")
            if "name" in spec.properties:
                out.append(f"CREATE INDEX {label.lower()}_name IF NOT EXISTS "
                           f"FOR (n:{self.cypher_label(label)}) ON (n.name)")
        return out

    def ensure_schema(self) -> None:
        """Create the constraints and indexes (idempotent)."""
        with self._errors(), self.session() as session:
            for statement in self.schema_statements():
                session.run(statement).consume()

    # writing ---------------------------------------------------------------------------------
    def _run_write(self, fn: Callable[[TxOps], WriteResult]) -> WriteResult:
        with self._errors(), self.session() as session:
            return session.execute_write(lambda tx: fn(_Neo4jTx(self, tx)))

    def write_one_by_one(self, nodes: Sequence[Node]) -> None:
        """Unbatched writes, one transaction per node: only for the batching benchmark."""
        with self._errors(), self.session() as session:
            for node in nodes:
                checked = self.schema.check_node(node)
                lab = self.cypher_label(checked.label)
                session.execute_write(lambda tx, n=checked, lab=lab: tx.run(
                    f"MERGE (n:Entity {{id: $id}}) SET n = $props, n.id = $id, n:{lab}",
                    id=n.id, props=n.props).consume())

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
        while True:
            rows = self._write("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n "
                               "RETURN count(*) AS gone")
            if not rows or rows[0]["gone"] == 0:
                return

    def _write(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
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
        rows = self.read("UNWIND $ids AS id MATCH (n:Entity {id: id}) "
                         "RETURN labels(n) AS labels, properties(n) AS props", ids=list(ids))
        return {n.id: n for n in map(self._node, rows)}

    def edges_of(self, node_id: str, direction: str = "both",
                 types: Iterable[str] | None = None) -> list[Edge]:
        wanted = sorted(set(types)) if types is not None else None
        parts = []
        if direction in ("out", "both"):
            parts.append("MATCH (a:Entity {id: $id})-[r]->(b) RETURN a.id AS s, type(r) AS t, "
                         "b.id AS o, properties(r) AS p")
        if direction in ("in", "both"):
            parts.append("MATCH (a)-[r]->(b:Entity {id: $id}) RETURN a.id AS s, type(r) AS t, "
                         "b.id AS o, properties(r) AS p")
        rows = self.read(" UNION ALL ".join(parts), id=node_id)
        found = {f"{r['s']}|{r['t']}|{r['o']}": Edge(r["t"], r["s"], r["o"], dict(r["p"]))
                 for r in rows if wanted is None or r["t"] in wanted}
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
        self.driver.close()
