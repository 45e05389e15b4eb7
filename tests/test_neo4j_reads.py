"""Neo4j reads: cached name keys never hide a write made outside this store; reads are retried."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import exceptions as nx_errors

from danvan.errors import NotFoundError
from danvan.graph.schema import load_schema
from danvan.graph.store import Store
from danvan.queries.catalogue import run as run_query

S = load_schema()


@pytest.fixture
def neo4j(neo4j_server: Store) -> Iterator[Any]:
    neo4j_server.clear()
    neo4j_server.write([
        S.node("Province", name="Tỉnh Kon Tum", code="62"),
        S.node("District", name="Huyện Kon Rẫy", code="614", province="province-62"),
        S.node("Commune", name="Xã Đăk Ruồng", code="23488", district="district-614"),
    ])
    yield neo4j_server


def outside(store: Any, cypher: str, **params: Any) -> None:
    """A write by someone else (another process, the Neo4j browser): not through ``store``."""
    with store.driver.session(database=store.database) as session:
        session.run(cypher, params).consume()


def test_a_node_created_outside_the_store_is_found_by_the_next_query(neo4j: Any) -> None:
    assert run_query(neo4j, "search", q="dak ruong")["items"]  # the name keys are now cached
    assert run_query(neo4j, "place", id="Đăk Ruồng")["id"] == "commune-23488"
    generation = neo4j.generation
    outside(neo4j, "CREATE (n:Entity:Commune {id: 'commune-99999', name: 'Xã Ia Chim', code: '99999'})")
    assert neo4j.generation == generation  # this store did not see the write happen
    assert [i["id"] for i in run_query(neo4j, "search", q="ia chim")["items"]][:1] == ["commune-99999"]
    outside(neo4j, "CREATE (n:Entity:Commune {id: 'commune-99998', name: 'Xã Sa Loong', code: '99998'})")
    assert run_query(neo4j, "place", id="sa loong")["id"] == "commune-99998"  # resolved through the names


def test_a_rename_outside_the_store_is_seen_by_name_resolution(neo4j: Any) -> None:
    assert run_query(neo4j, "place", id="Đăk Ruồng")["id"] == "commune-23488"
    outside(neo4j, "MATCH (n:Entity {id: 'commune-23488'}) SET n.name = 'Xã Đăk Tờ Re'")
    with pytest.raises(NotFoundError):
        run_query(neo4j, "place", id="Đăk Ruồng")
    assert run_query(neo4j, "place", id="dak to re")["name"] == "Xã Đăk Tờ Re"


def test_a_query_that_makes_no_read_of_its_own_still_checks_the_database(neo4j: Any) -> None:
    run_query(neo4j, "search", q="kon ray")
    outside(neo4j, "CREATE (n:Entity:District {id: 'district-615', name: 'Huyện Kon Plông', code: '615'})")
    assert "district-615" in {i["id"] for i in run_query(neo4j, "search", q="kon plong")["items"]}


def test_a_read_is_retried_after_a_transient_failure(neo4j: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real = neo4j.driver.session
    failures = []

    def flaky(**kwargs: Any) -> Any:
        if not failures:
            failures.append(1)
            raise nx_errors.ServiceUnavailable("connection reset (simulated)")
        return real(**kwargs)

    monkeypatch.setattr(neo4j.driver, "session", flaky)
    assert neo4j.get("commune-23488").name == "Xã Đăk Ruồng"
    assert failures == [1]


def test_opening_a_store_drops_the_old_per_label_id_constraints(neo4j: Any) -> None:
    """Ids are unique across labels: ``Entity.id`` is the only id constraint, and a database
    made by an earlier version loses its per-label copies when a store opens it (twice: no-op)."""
    outside(neo4j, "CREATE CONSTRAINT village_id IF NOT EXISTS FOR (n:Village) REQUIRE n.id IS UNIQUE")
    for _ in range(2):
        neo4j.ensure_schema()  # what opening a store runs
        names = {r["name"] for r in neo4j.read("SHOW CONSTRAINTS YIELD name")}
        assert names - {"record_rid"} == {"entity_id"}  # record_rid: graph/records.py's key


@pytest.mark.parametrize(("cypher", "label"), [
    ("UNWIND $ids AS i MATCH (v:Entity:Village {id: i}) USING INDEX v:Entity(id) RETURN v", "Village"),
    ("UNWIND $ids AS x MATCH (m:Entity {id: x}) WHERE m:Model RETURN m", "Model"),
    ("UNWIND $ids AS x MATCH (q:Entity {id: x}) WHERE q:Province RETURN q", "Province"),
])
def test_nodes_of_a_label_are_found_by_id_through_the_entity_id_index(neo4j: Any, cypher: str,
                                                                     label: str) -> None:
    """The shapes the queries use to find a node of one label by id seek ``Entity(id)``
    (with no per-label id index, ``(v:Village {id: …})`` would scan every village)."""
    with neo4j.driver.session(database=neo4j.database) as session:
        plan = session.run("EXPLAIN " + cypher, ids=["x"]).consume().plan

    def operators(p: dict[str, Any]) -> list[str]:
        return [p["operatorType"].split("@")[0]] + [o for c in p.get("children", []) for o in operators(c)]

    found = operators(plan)
    assert "NodeUniqueIndexSeek" in found, found
    assert not {"NodeByLabelScan", "NodeIndexScan", "AllNodesScan"} & set(found), (label, found)
