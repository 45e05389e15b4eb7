"""The bulk path (Store.load, write_dataset): same rules as write, all checked before anything is written."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path
from typing import Any

import pytest

from danvan.errors import MissingNodeError, StorageFull, ValidationError
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.schema import load_schema
from danvan.graph.store import BULK_ROWS, Store
from danvan.graph.types import Edge, Node
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.synthetic.generator import national_dataset, write_dataset

S = load_schema()
CHUNK = 100  # small transactions, so a Neo4j load of the data below takes several


def dataset() -> tuple[list[Node], list[Edge]]:
    """About 300 nodes and 600 edges: a few communes of the national generator."""
    data = national_dataset(communes=admin_units().all_communes()[:6], units_per_district=4,
                            units_per_province=3)
    return data.nodes, data.edges


def test_load_writes_what_write_would_and_twice_changes_nothing(store: Store) -> None:
    nodes, edges = dataset()
    implied = {e.key for n in nodes for e in S.ref_edges(n)}
    stored = len(implied | {e.key for e in edges})
    assert implied - {e.key for e in edges}, "the generator leaves implied edges to the store"
    first = store.load(nodes, edges, chunk=CHUNK)
    assert first.nodes_created == len(nodes)
    assert first.edges_created == stored
    counts = store.counts()
    assert (counts["nodes"], counts["edges"]) == (len(nodes), stored)
    assert all(e.props.get("synthetic") is True for e in store.edges())
    again = store.load(nodes, edges, chunk=CHUNK)
    assert again.changed == 0
    assert again.nodes_unchanged == len(nodes)
    reference = EmbeddedStore(":memory:")
    reference.write(nodes, edges)
    assert store.export().to_dict() == reference.export().to_dict()


def test_load_merges_with_what_is_stored(store: Store) -> None:
    nodes, edges = dataset()
    village = next(n for n in nodes if n.label == "Village")
    store.load(nodes, edges, chunk=CHUNK)
    changed = Node("Village", village.id, {**village.props, "sources": ["source-a#1-2"]})
    result = store.load([changed, *nodes], edges, chunk=CHUNK)
    assert (result.nodes_created, result.nodes_updated) == (0, 1)
    store.load([Node("Village", village.id, {**village.props, "sources": ["source-b#3-4"]})],
               chunk=CHUNK)
    got = store.get(village.id)
    assert got is not None and got.props["sources"] == ["source-a#1-2", "source-b#3-4"]


def test_a_bad_row_at_the_end_of_a_load_writes_nothing(store: Store) -> None:
    nodes, edges = dataset()
    bad = S.node("Province", name="Tỉnh X", code="99").props | {"lat": "north"}
    with pytest.raises(ValidationError) as exc:
        store.load([*nodes, Node("Province", "", bad)], edges, chunk=CHUNK)
    assert exc.value.where == "Province" and exc.value.field == "lat"
    assert store.counts()["nodes"] == 0


def test_an_edge_to_a_missing_node_at_the_end_of_a_load_writes_nothing(store: Store) -> None:
    nodes, edges = dataset()
    with pytest.raises(MissingNodeError):
        store.load(nodes, [*edges, Edge("PART_OF", nodes[-1].id, "province-00")], chunk=CHUNK)
    assert store.counts() == {"nodes": 0, "edges": 0, "labels": {}, "edge_types": {}}


def test_write_dataset_goes_through_load_and_checks_everything_first(store: Store) -> None:
    nodes, edges = dataset()
    from danvan.loaders.synthetic.generator import Dataset

    broken = Dataset("broken", [*nodes, Node("Village", "", {"name": "Thôn 1"})], edges)
    with pytest.raises(ValidationError) as exc:
        write_dataset(store, broken, chunk=CHUNK)
    assert exc.value.field == "commune"
    assert store.counts()["nodes"] == 0
    written = write_dataset(store, Dataset("ok", nodes, edges), chunk=CHUNK)
    implied = {e.key for n in nodes for e in S.ref_edges(n)}
    assert written["nodes_created"] == len(nodes)
    assert written["edges_created"] == len(implied | {e.key for e in edges})


def test_fast_checks_give_the_same_values_and_errors_as_the_full_ones() -> None:
    nfd = "Tho\u0302n 1"
    node = S.check_node(Node("Village", "", {"name": f"  {nfd} ", "commune": "commune-1",
                                             "number": 3.0, "synthetic": True}))
    assert node.props == {"name": "Thôn 1", "commune": "commune-1", "number": 3, "synthetic": True}
    assert node.id == "village-commune-1-thon-1"
    for props, field in (({"name": " ", "commune": "commune-1"}, "name"),
                         ({"name": "a", "commune": "commune-1", "synthetic": 1}, "synthetic"),
                         ({"name": "a", "commune": "commune-1", "number": True}, "number"),
                         ({"name": "a", "commune": 5}, "commune")):
        with pytest.raises(ValidationError) as exc:
            S.check_node(Node("Village", "", props))
        assert (exc.value.where, exc.value.field) == ("Village", field)
    with pytest.raises(ValidationError) as exc:
        S.check_edge(Edge("PART_OF", "village-1", "commune-1", {"synthetic": 1}), "Village", "Commune")
    assert (exc.value.where, exc.value.field) == ("PART_OF[village-1->commune-1]", "synthetic")


_BULK_WRITER = textwrap.dedent("""
    import sys
    from danvan.graph.embedded import EmbeddedStore
    from danvan.graph.schema import load_schema
    s = load_schema()
    store = EmbeddedStore(sys.argv[1])
    province = s.node("Province", name="Tỉnh Kon Tum", code="62")
    districts = [s.node("District", name=f"Huyện {i}", code=f"9{i:04d}", province=province.id)
                 for i in range(int(sys.argv[2]))]
    result = store.load([province, *districts])
    print(result.nodes_created, result.edges_created)
""")


def test_another_process_sees_a_bulk_load(tmp_path: Path) -> None:
    reader = EmbeddedStore(tmp_path)
    reader.write([S.node("Province", name="Tỉnh Gia Lai", code="64")])
    assert reader.counts()["nodes"] == 1
    count = BULK_ROWS  # nodes and as many PART_OF edges: a bulk write (one reload marker)
    out = subprocess.run([sys.executable, "-c", _BULK_WRITER, str(tmp_path), str(count)],
                         capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.split() == [str(count + 1), str(count)]
    kinds = reader.db.execute("SELECT DISTINCT kind FROM changes").fetchall()
    assert kinds == [("r",)]
    counts = reader.counts()
    assert (counts["nodes"], counts["edges"]) == (count + 2, count)
    assert reader.get("district-90007") is not None
    assert [e.target for e in reader.edges_of("district-90007", "out")] == ["province-62"]
    # Deleting a node removes the edges that end at it (found in the graph, not by an index).
    assert reader.delete(["province-62"]) == 1
    assert reader.counts()["edges"] == 0


def test_a_failed_bulk_write_writes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    province = S.node("Province", name="Tỉnh Kon Tum", code="62")
    districts = [S.node("District", name=f"Huyện {i}", code=f"9{i:04d}", province=province.id)
                 for i in range(BULK_ROWS)]

    def explode(*_: object) -> None:
        raise RuntimeError("disk on fire")

    store._trim = explode  # type: ignore[method-assign]  # fails after the rows are in, before COMMIT
    with pytest.raises(RuntimeError):
        store.load([province, *districts])
    del store._trim
    assert store.counts()["nodes"] == 0
    assert store.db.execute("SELECT count(*) FROM nodes").fetchone() == (0,)
    assert store.load([province, *districts]).nodes_created == BULK_ROWS + 1
    assert EmbeddedStore(tmp_path).counts()["edges"] == BULK_ROWS


class _CommitFails:
    """A connection whose COMMIT fails (as a full disk would), everything else passed on."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def test_a_bulk_write_whose_commit_fails_leaves_memory_and_disk_empty(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    province = S.node("Province", name="Tỉnh Kon Tum", code="62")
    districts = [S.node("District", name=f"Huyện {i}", code=f"9{i:04d}", province=province.id)
                 for i in range(BULK_ROWS)]
    real = store.db
    store.db = _CommitFails(real)  # type: ignore[assignment]
    with pytest.raises(StorageFull, match="disk is full"):  # SQLite's error, said plainly
        store.load([province, *districts])  # committed in a thread while the graph is built
    store.db = real
    assert store.graph.number_of_nodes() == 0 and store.counts()["nodes"] == 0
    assert EmbeddedStore(tmp_path).counts() == {"nodes": 0, "edges": 0, "labels": {},
                                                "edge_types": {}}


def bulk_dataset() -> tuple[list[Node], list[Edge]]:
    """Just over BULK_ROWS rows (with the implied edges): a bulk write's own path."""
    data = national_dataset(communes=admin_units().all_communes()[:200])
    implied = sum(len(S.ref_edges(n)) for n in data.nodes)
    assert len(data.nodes) + len(data.edges) + implied >= BULK_ROWS
    return data.nodes, data.edges


def stored_rows(store: EmbeddedStore) -> tuple[list[Any], list[Any]]:
    """What the store's SQLite file holds, in key order."""
    return (store.db.execute("SELECT id, label, props FROM nodes ORDER BY id").fetchall(),
            store.db.execute("SELECT * FROM edges ORDER BY source, type, target").fetchall())


def test_a_bulk_load_into_an_empty_store_stores_what_small_writes_would(tmp_path: Path) -> None:
    # Into an empty store, SQLite inserts in the background while the edges are planned.
    nodes, edges = bulk_dataset()
    bulk = EmbeddedStore(tmp_path / "bulk")
    bulk.load(nodes, edges)
    small = EmbeddedStore(tmp_path / "small")
    for start in range(0, len(nodes), 5000):  # each write below BULK_ROWS, into a store in use
        small.write(nodes[start:start + 5000])
    for start in range(0, len(edges), 5000):
        small.write((), edges[start:start + 5000])
    assert stored_rows(bulk) == stored_rows(small)
    assert bulk.export().to_dict() == small.export().to_dict()
    assert EmbeddedStore(tmp_path / "bulk").export().to_dict() == small.export().to_dict()
    assert bulk.load(nodes, edges).changed == 0


def test_a_bulk_load_that_fails_after_its_nodes_went_in_writes_nothing(tmp_path: Path) -> None:
    nodes, edges = bulk_dataset()
    store = EmbeddedStore(tmp_path)
    with pytest.raises(MissingNodeError):  # found while the nodes are being inserted
        store.load(nodes, [*edges, Edge("PART_OF", nodes[-1].id, "province-00")])
    assert store.counts()["nodes"] == 0 and stored_rows(store) == ([], [])
    assert EmbeddedStore(tmp_path).counts()["nodes"] == 0
    assert store.load(nodes, edges).nodes_created == len(nodes)


def test_a_store_made_with_the_old_tables_opens_and_deletes(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "danvan.sqlite3")
    db.executescript("""
        CREATE TABLE nodes (id TEXT PRIMARY KEY, label TEXT NOT NULL, props TEXT NOT NULL);
        CREATE TABLE edges (source TEXT NOT NULL, type TEXT NOT NULL, target TEXT NOT NULL,
          props TEXT NOT NULL, PRIMARY KEY (source, type, target)) WITHOUT ROWID;
        CREATE INDEX edges_target ON edges(target);
    """)
    db.close()
    store = EmbeddedStore(tmp_path)
    province = S.node("Province", name="Tỉnh Kon Tum", code="62")
    district = S.node("District", name="Huyện Đăk Hà", code="612", province=province.id)
    store.write([province, district])
    index = store.db.execute("SELECT name FROM sqlite_master WHERE name='edges_target'")
    assert index.fetchall() == []  # dropped on open: nothing reads edges by target in SQL
    assert store.delete([province.id]) == 1
    reopened = EmbeddedStore(tmp_path)
    assert reopened.counts()["edges"] == 0 and reopened.get(district.id) is not None


def test_a_graph_replaced_after_a_bulk_write_is_freed(tmp_path: Path) -> None:
    # A bulk write freezes what it built (gc.freeze); networkx's cached views make the
    # graph a cycle, so unless the store drops them, every reload would keep the old graph.
    store = EmbeddedStore(tmp_path)
    province = S.node("Province", name="Tỉnh Kon Tum", code="62")
    store.load([province, *(S.node("District", name=f"Huyện {i}", code=f"9{i:04d}",
                                   province=province.id) for i in range(BULK_ROWS))])
    store.counts()  # creates the views
    old = weakref.ref(store.graph)
    other = EmbeddedStore(tmp_path)
    other.clear()  # another process's clear: the next read reloads
    assert store.counts()["nodes"] == 0
    assert old() is None


@pytest.mark.parametrize("empty", [True, False], ids=["empty database", "database in use"])
def test_neo4j_writes_nodes_while_it_checks_the_edges_and_commits_nothing_if_one_fails(
        neo4j_server: Store, monkeypatch: pytest.MonkeyPatch, empty: bool) -> None:
    """The node chunks of a Neo4j load run while the edges are checked; their transactions
    wait before the commit, and roll back when an edge check fails. Into an empty database
    the edges are checked without reading anything back (plan_new_edges)."""
    import threading

    from danvan.graph import neo4j_store

    neo4j_server.clear()
    other = [] if empty else [S.node("Source", key="other-document", title="Another document")]
    neo4j_server.write(other)
    nodes, edges = dataset()
    at_gate = threading.Event()
    real_wait = neo4j_store._Gate.wait
    real_check = neo4j_store.plan_new_edges if empty else Store._check_edges

    def wait(gate: neo4j_store._Gate) -> None:
        at_gate.set()
        real_wait(gate)

    def check_edges(*args: Any) -> Any:
        assert at_gate.wait(30), "no node transaction was under way while the edges were checked"
        return real_check(*args)

    monkeypatch.setattr(neo4j_store._Gate, "wait", wait)
    if empty:
        monkeypatch.setattr(neo4j_store, "plan_new_edges", check_edges)
    else:
        monkeypatch.setattr(Store, "_check_edges", check_edges)
    with pytest.raises(MissingNodeError):
        neo4j_server.load(nodes, [*edges, Edge("PART_OF", nodes[-1].id, "province-00")], chunk=CHUNK)
    assert neo4j_server.counts()["nodes"] == len(other)
    at_gate.clear()
    result = neo4j_server.load(nodes, edges, chunk=CHUNK)
    assert result.nodes_created == len(nodes) == neo4j_server.counts()["nodes"] - len(other)
