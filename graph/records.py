"""Records: the board's own bookkeeping, kept in the same store as the graph but outside it.

Accounts, sessions, API tokens, the history of changes and review decisions are
declared under ``records:`` in graph/schema.yaml. They live where the graph lives
— the embedded store's SQLite file (a ``records`` table) or the Neo4j database
(nodes labelled ``Record`` and their kind, never ``Entity``) — so a Neo4j
deployment, which has no data folder, keeps them too. They are not graph nodes:
no search, export, count, page or query sees them.

A record is a JSON object with a ``key`` (unique per kind) and ``at`` (when it
was made, ISO UTC, the order of listings). Kinds declared ``append_only`` can
only be added to (the history): ``put`` and ``delete`` refuse them.

>>> from danvan.graph.embedded import EmbeddedStore
>>> records = EmbeddedStore(":memory:").records
>>> records.put("User", "an", {"name": "an", "role": "editor"})["role"]
'editor'
>>> [r["name"] for r in records.find("User", where={"name": "an"})]
['an']
"""

from __future__ import annotations

import abc
import datetime as dt
import sqlite3
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from danvan.errors import StoreError, ValidationError

__all__ = ["RESERVED", "Neo4jRecords", "RecordSpec", "Records", "SqliteRecords", "now_iso"]


RESERVED = frozenset({"rid", "record_kind", "key", "at", "data"})  # a record node's own fields


@dataclass(frozen=True)
class RecordSpec:
    """A record kind: which fields can be filtered on, which hold lists, append-only or not."""

    name: str
    index: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    append_only: bool = False


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds (sorts as text)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class Records(abc.ABC):
    """Put, add, get, find and delete records of the kinds the schema declares."""

    def __init__(self, specs: Mapping[str, RecordSpec]) -> None:
        self.specs = dict(specs)

    @abc.abstractmethod
    def clear(self) -> None:
        """Delete every record (the store's ``clear``)."""

    def spec(self, kind: str) -> RecordSpec:
        """The declaration of ``kind``; ValidationError when it is not declared."""
        spec = self.specs.get(kind)
        if spec is None:
            raise ValidationError(kind, None, "unknown record kind")
        return spec

    def _where(self, spec: RecordSpec, where: Mapping[str, Any]) -> list[tuple[str, bool, Any]]:
        out = []
        for name, value in where.items():
            if name not in spec.index:  # field names reach the query text: only declared ones
                raise ValidationError(spec.name, name, "not an indexed field of this record kind")
            out.append((name, name in spec.lists, value))
        return out

    def put(self, kind: str, key: str, props: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace the record ``key`` of ``kind``; returns it as stored."""
        spec = self.spec(kind)
        if spec.append_only:
            raise ValidationError(kind, None, "append-only: records can be added, not replaced")
        old = self.get(kind, key)
        record = {**props, "key": key, "at": old["at"] if old else now_iso()}
        self._put(spec, key, record)
        return record

    def add(self, kind: str, props: Mapping[str, Any], key: str | None = None) -> dict[str, Any]:
        """Add a new record (a generated key when none is given); raises if ``key`` exists."""
        spec = self.spec(kind)
        at = now_iso()
        key = key or f"{at}-{uuid.uuid4().hex[:12]}"
        record = {**props, "key": key, "at": at}
        if not self._create(spec, key, record):
            raise ValidationError(kind, "key", f"{key!r} exists already")
        return record

    def find(self, kind: str, where: Mapping[str, Any] | None = None, *, since: str | None = None,
             until: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Records of ``kind`` matching ``where`` (equality; membership for list fields),
        made in [since, until), newest first."""
        spec = self.spec(kind)
        return self._find(spec, self._where(spec, where or {}), since, until, limit, offset)

    def delete(self, kind: str, key: str) -> bool:
        """Delete one record; True when it existed."""
        spec = self.spec(kind)
        if spec.append_only:
            raise ValidationError(kind, None, "append-only: records cannot be deleted")
        return self._delete(spec, key)

    @abc.abstractmethod
    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The record ``key`` of ``kind``, or None."""

    @abc.abstractmethod
    def _put(self, spec: RecordSpec, key: str, record: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def _create(self, spec: RecordSpec, key: str, record: dict[str, Any]) -> bool: ...

    @abc.abstractmethod
    def _find(self, spec: RecordSpec, where: list[tuple[str, bool, Any]], since: str | None,
              until: str | None, limit: int, offset: int) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def _delete(self, spec: RecordSpec, key: str) -> bool: ...


_SQLITE_DDL = """CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL,
  at TEXT NOT NULL, props TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_at ON records(kind, at);"""


class SqliteRecords(Records):
    """Records in the embedded store's SQLite file (table ``records``), one transaction each."""

    def __init__(self, specs: Mapping[str, RecordSpec], db: sqlite3.Connection,
                 lock: threading.RLock) -> None:
        super().__init__(specs)
        self.db, self.lock = db, lock
        with self.lock:
            self.db.executescript(_SQLITE_DDL)

    def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            with self.lock:
                return self.db.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(f"records: {exc}") from exc

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        self.spec(kind)
        row = self._exec("SELECT props FROM records WHERE kind=? AND key=?", (kind, key)).fetchone()
        return orjson.loads(row[0]) if row else None

    def _put(self, spec: RecordSpec, key: str, record: dict[str, Any]) -> None:
        self._exec("INSERT INTO records(kind, key, at, props) VALUES (?,?,?,?) ON CONFLICT(kind, key)"
                   " DO UPDATE SET props=excluded.props",
                   (spec.name, key, record["at"], orjson.dumps(record).decode()))

    def _create(self, spec: RecordSpec, key: str, record: dict[str, Any]) -> bool:
        cur = self._exec("INSERT OR IGNORE INTO records(kind, key, at, props) VALUES (?,?,?,?)",
                         (spec.name, key, record["at"], orjson.dumps(record).decode()))
        return cur.rowcount == 1

    def _find(self, spec: RecordSpec, where: list[tuple[str, bool, Any]], since: str | None,
              until: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        sql, params = ["SELECT props FROM records WHERE kind=?"], [spec.name]
        for name, is_list, value in where:
            if is_list:
                sql.append(f"AND EXISTS (SELECT 1 FROM json_each(props, '$.{name}') WHERE value=?)")
            else:
                sql.append(f"AND props->>'$.{name}' IS ?")
            params.append(value)
        if since:
            sql.append("AND at >= ?")
            params.append(since)
        if until:
            sql.append("AND at < ?")
            params.append(until)
        sql.append("ORDER BY at DESC, key DESC LIMIT ? OFFSET ?")
        rows = self._exec(" ".join(sql), (*params, limit, offset)).fetchall()
        return [orjson.loads(r[0]) for r in rows]

    def _delete(self, spec: RecordSpec, key: str) -> bool:
        cur = self._exec("DELETE FROM records WHERE kind=? AND key=?", (spec.name, key))
        return cur.rowcount == 1

    def clear(self) -> None:
        """Delete every record (the store's ``clear``)."""
        self._exec("DELETE FROM records")


Read = Callable[..., list[dict[str, Any]]]


class Neo4jRecords(Records):
    """Records as ``(:Record:<Kind> {rid, record_kind, key, at, data})`` nodes, never ``:Entity``.

    ``data`` is the record's JSON (Neo4j properties cannot hold maps); indexed
    fields are copied beside it as plain properties so filters run in Cypher.
    """

    def __init__(self, specs: Mapping[str, RecordSpec], read: Read, write: Read) -> None:
        super().__init__(specs)
        self.read, self.write = read, write
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            self.write("CREATE CONSTRAINT record_rid IF NOT EXISTS FOR (r:Record) REQUIRE r.rid IS UNIQUE")
            self.write("CREATE INDEX record_kind_at IF NOT EXISTS FOR (r:Record) ON (r.record_kind, r.at)")
            self._ready = True

    @staticmethod
    def _fields(spec: RecordSpec, record: dict[str, Any]) -> dict[str, Any]:
        fields = {name: record.get(name) for name in spec.index}
        return {**fields, "record_kind": spec.name, "key": record["key"], "at": record["at"],
                "data": orjson.dumps(record).decode()}

    def clear(self) -> None:
        self.write("MATCH (r:Record) DETACH DELETE r")

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        self.spec(kind)
        self._ensure()
        rows = self.read("MATCH (r:Record {rid: $rid}) RETURN r.data AS data", rid=f"{kind}:{key}")
        return orjson.loads(rows[0]["data"]) if rows else None

    def _put(self, spec: RecordSpec, key: str, record: dict[str, Any]) -> None:
        self._ensure()
        # The kind becomes a label; it comes from the schema's declaration, never from data.
        self.write(f"MERGE (r:Record {{rid: $rid}}) SET r:`{spec.name}` SET r += $fields",
                   rid=f"{spec.name}:{key}", fields=self._fields(spec, record))

    def _create(self, spec: RecordSpec, key: str, record: dict[str, Any]) -> bool:
        self._ensure()
        rows = self.write(f"MERGE (r:Record {{rid: $rid}}) ON CREATE SET r:`{spec.name}`, "
                          "r += $fields, r.fresh = true WITH r, coalesce(r.fresh, false) AS fresh "
                          "REMOVE r.fresh RETURN fresh",
                          rid=f"{spec.name}:{key}", fields=self._fields(spec, record))
        return bool(rows and rows[0]["fresh"])

    def _find(self, spec: RecordSpec, where: list[tuple[str, bool, Any]], since: str | None,
              until: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        self._ensure()
        conds, params = ["r.record_kind = $record_kind"], {"record_kind": spec.name}
        for i, (name, is_list, value) in enumerate(where):
            conds.append(f"$v{i} IN r.`{name}`" if is_list else f"r.`{name}` = $v{i}")
            params[f"v{i}"] = value
        if since:
            conds.append("r.at >= $since")
            params["since"] = since
        if until:
            conds.append("r.at < $until")
            params["until"] = until
        rows = self.read(f"MATCH (r:Record:`{spec.name}`) WHERE {' AND '.join(conds)} "
                         "RETURN r.data AS data ORDER BY r.at DESC, r.key DESC "
                         "SKIP $offset LIMIT $limit", offset=offset, limit=limit, **params)
        return [orjson.loads(r["data"]) for r in rows]

    def _delete(self, spec: RecordSpec, key: str) -> bool:
        self._ensure()
        rows = self.write("MATCH (r:Record {rid: $rid}) DELETE r RETURN count(*) AS gone",
                          rid=f"{spec.name}:{key}")
        return bool(rows and rows[0]["gone"])
