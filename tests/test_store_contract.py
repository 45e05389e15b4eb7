"""The store contract: every operation behaves the same on the embedded store and Neo4j."""

from __future__ import annotations

import pytest

from danvan.errors import MissingNodeError, ValidationError
from danvan.graph.schema import load_schema
from danvan.graph.store import Store
from danvan.graph.types import Edge, Node

S = load_schema()


def places() -> list[Node]:
    return [
        S.node("Province", name="Tỉnh Kon Tum", code="62"),
        S.node("District", name="Huyện Kon Rẫy", code="614", province="province-62"),
        S.node("Commune", name="Xã Đăk Ruồng", code="23488", district="district-614",
               aliases=["Đăk Rưởng"], sources=["source-a#1-5"]),
        S.node("Village", name="Thôn 9", commune="commune-23488", number=9),
    ]


def test_upsert_then_get_returns_the_same_node(store: Store) -> None:
    store.write(places())
    node = store.get("commune-23488")
    assert node is not None
    assert node.label == "Commune"
    assert node.props == {"name": "Xã Đăk Ruồng", "code": "23488", "era": "legacy",
                          "district": "district-614", "aliases": ["Đăk Rưởng"],
                          "sources": ["source-a#1-5"]}


def test_get_of_unknown_id_is_none(store: Store) -> None:
    assert store.get("commune-00000") is None


def test_writing_the_same_batch_twice_changes_nothing(store: Store) -> None:
    first = store.write(places())
    second = store.write(places())
    assert first.nodes_created == 4 and first.edges_created == 3
    assert second.changed == 0
    assert store.counts()["nodes"] == 4


def test_reference_properties_create_their_edges(store: Store) -> None:
    store.write(places())
    edges = store.edges_of("commune-23488", "both")
    assert [(e.type, e.source, e.target) for e in edges] == [
        ("PART_OF", "commune-23488", "district-614"),
        ("PART_OF", "village-commune-23488-thon-9", "commune-23488"),
    ]
    assert edges[0].props == {"sources": ["source-a#1-5"]}


def test_update_overwrites_values_and_accumulates_sources(store: Store) -> None:
    store.write(places())
    again = S.node("Commune", name="Xã Đăk Ruồng", code="23488", district="district-614",
                   lat=14.43, sources=["source-b#7-9"])
    result = store.write([again])
    assert result.nodes_updated == 1
    node = store.get("commune-23488")
    assert node is not None
    assert node.props["lat"] == 14.43
    assert node.props["aliases"] == ["Đăk Rưởng"]
    assert node.props["sources"] == ["source-a#1-5", "source-b#7-9"]


def test_edges_of_filters_direction_and_type(store: Store) -> None:
    store.write(places())
    assert [e.target for e in store.edges_of("commune-23488", "out")] == ["district-614"]
    assert [e.source for e in store.edges_of("commune-23488", "in")] == [
        "village-commune-23488-thon-9"]
    assert store.edges_of("commune-23488", "both", types=["SUPPORTS"]) == []


def test_explicit_edges_carry_their_properties(store: Store) -> None:
    unit = S.node("Unit", name="Hội Liên hiệp Phụ nữ huyện Kon Rẫy", scope="district-614",
                  kind="mass_organisation")
    store.write([*places(), unit])
    edge = Edge("SUPPORTS", unit.id, "village-commune-23488-thon-9",
                {"role": "support", "from": "2023-01-01", "sources": ["source-a#3-4"]})
    assert store.upsert_edges([edge]).edges_created == 1
    [found] = store.edges_of(unit.id, "out", types=["SUPPORTS"])
    assert found == edge


@pytest.mark.parametrize(("node", "field"), [
    (Node("Hamlet", "", {"name": "x"}), None),
    (Node("Commune", "", {"name": "Xã A"}), "code"),
    (Node("Village", "", {"name": "Thôn 1", "commune": "commune-23488", "number": "one"}),
     "number"),
    (Node("Commune", "", {"name": "Xã A", "code": "1", "colour": "red"}), "colour"),
    (Node("Model", "", {"name": "M", "scope": "district-614", "field": "sport"}), "field"),
])
def test_a_batch_that_breaks_the_schema_writes_nothing(store: Store, node: Node,
                                                       field: str | None) -> None:
    with pytest.raises(ValidationError) as err:
        store.write([*places(), node])
    assert err.value.field == field
    assert store.counts()["nodes"] == 0


def test_an_edge_to_a_missing_node_fails_the_whole_batch(store: Store) -> None:
    with pytest.raises(MissingNodeError) as err:
        store.write(places(), [Edge("PART_OF", "district-614", "province-99")])
    assert "province-99" in str(err.value)
    assert store.counts() == {"nodes": 0, "edges": 0, "labels": {}, "edge_types": {}}


def test_an_edge_between_wrong_labels_is_refused(store: Store) -> None:
    store.write(places())
    with pytest.raises(ValidationError, match="cannot start"):
        store.upsert_edges([Edge("ISSUES", "commune-23488", "district-614")])


def test_transaction_applies_everything_at_the_end(store: Store) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes(places()[:2])
        tx.upsert_nodes(places()[2:])
        assert store.counts()["nodes"] == 0
    assert tx.result is not None and tx.result.nodes_created == 4
    assert store.counts()["nodes"] == 4


def test_transaction_that_raises_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.upsert_nodes(places())
        raise RuntimeError("stop")
    assert store.counts()["nodes"] == 0


def test_delete_removes_nodes_with_their_edges(store: Store) -> None:
    store.write(places())
    assert store.delete(["village-commune-23488-thon-9", "nope"]) == 1
    assert store.get("village-commune-23488-thon-9") is None
    assert store.edges_of("commune-23488", "in") == []
    assert store.counts()["edges"] == 2


def test_delete_edges_keeps_the_nodes(store: Store) -> None:
    store.write(places())
    assert store.delete_edges([Edge("PART_OF", "commune-23488", "district-614")]) == 1
    assert store.edges_of("commune-23488", "out") == []
    assert store.get("commune-23488") is not None


def test_counts_by_label_and_edge_type(store: Store) -> None:
    store.write(places())
    assert store.counts() == {
        "nodes": 4, "edges": 3,
        "labels": {"Commune": 1, "District": 1, "Province": 1, "Village": 1},
        "edge_types": {"PART_OF": 3},
    }


def test_nodes_and_edges_list_in_id_order(store: Store) -> None:
    store.write(places())
    assert [n.id for n in store.nodes()] == sorted(n.id for n in places())
    assert [n.id for n in store.nodes("Village")] == ["village-commune-23488-thon-9"]
    assert [e.key for e in store.edges()] == sorted(e.key for e in store.edges())


def test_export_of_some_ids_keeps_only_edges_among_them(store: Store) -> None:
    store.write(places())
    sub = store.export(["commune-23488", "district-614", "missing"])
    assert sorted(n.id for n in sub.nodes) == ["commune-23488", "district-614"]
    assert [e.key for e in sub.edges] == ["commune-23488|PART_OF|district-614"]


def test_clear_empties_the_store(store: Store) -> None:
    assert store.is_empty()
    store.write(places())
    assert not store.is_empty()
    store.clear()
    assert store.counts()["nodes"] == 0 and store.is_empty()


def test_text_is_stored_in_nfc(store: Store) -> None:
    decomposed = "Xa\u0303 \u0110a\u0306k Ruo\u0302\u0300ng"
    store.write([S.node("Province", name="Tỉnh Kon Tum", code="62"),
                 S.node("District", name="Huyện Kon Rẫy", code="614", province="province-62"),
                 S.node("Commune", name=decomposed, code="23488", district="district-614")])
    node = store.get("commune-23488")
    assert node is not None and node.props["name"] == "Xã Đăk Ruồng"
