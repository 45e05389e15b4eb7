"""The read handles (graph/reading.py): what queries see is what the store holds, on both stores.

Queries read only through ``store.reading()``; these tests hold each handle's look-ups
and building blocks to the store's own reads, and the two handles to each other.
"""

from __future__ import annotations

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader
from danvan.graph.store import Store
from danvan.loaders.reference.kb import load_kb

PLACES = ("Province", "District", "Commune", "Village")


@pytest.fixture
def kb(store: Store) -> Store:
    load_kb(store)
    return store


def test_a_handle_reads_what_the_store_holds(kb: Store) -> None:
    ids = [*sorted(n.id for n in kb.nodes("Commune"))[:5], "no-such-node"]
    with kb.reading() as handle:
        for node_id in ids:
            assert handle.get(node_id) == kb.get(node_id)
            for direction in ("out", "in", "both"):
                assert handle.edges_of(node_id, direction) == kb.edges_of(node_id, direction)
            assert (handle.edges_of(node_id, "in", ["PART_OF"])
                    == kb.edges_of(node_id, "in", ["PART_OF"]))
        assert handle.get_many(ids) == kb.get_many(ids)


def test_each_store_gives_its_own_handle(kb: Store) -> None:
    with kb.reading() as handle:
        expected = EmbeddedSnapshot if isinstance(kb, EmbeddedStore) else Neo4jReader
        assert isinstance(handle, expected)
        with handle.reading() as same:  # code given a handle opens it like a store
            assert same is handle


def test_building_blocks_agree_across_stores(kb: Store) -> None:
    """names, area and descendants: the Neo4j handle's Cypher gives the embedded walk's answer."""
    other = EmbeddedStore(":memory:")
    load_kb(other)
    district = max((n.id for n in kb.nodes("District")),
                   key=lambda d: len(kb.edges_of(d, "in", ["PART_OF"])))
    plans = sorted(n.id for n in kb.nodes("Directive"))[:3]
    with kb.reading() as h, other.reading() as e:
        assert h.names(PLACES) == e.names(PLACES)
        assert h.area([district]) == e.area([district]) and len(e.area([district])) > 1
        assert h.descendants(plans) == e.descendants(plans)


def test_names_follow_a_write(kb: Store) -> None:
    """The cached name rows are dropped or patched when the store changes."""
    with kb.reading() as handle:
        before = handle.names(["Province"])
    kb.write([kb.schema.node("Province", name="Tỉnh Thử Nghiệm", code="99")])
    with kb.reading() as handle:
        after = handle.names(["Province"])
    assert {r.name for r in after} - {r.name for r in before} == {"Tỉnh Thử Nghiệm"}
