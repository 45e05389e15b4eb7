"""Search as the board types: without accents, abbreviations mixed with names, words in any order."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.loaders.reference.kb import load_kb
from danvan.queries.catalogue import run as run_query


@pytest.fixture(scope="module")
def kb() -> EmbeddedStore:
    store = EmbeddedStore(":memory:")
    load_kb(store)
    return store


@pytest.mark.parametrize(("typed", "expected"), [
    ("hoi lhpn kon ray", "unit-district-614-hoi-lien-hiep-phu-nu-huyen-kon-ray"),
    ("kon ray hoi lhpn", "unit-district-614-hoi-lien-hiep-phu-nu-huyen-kon-ray"),
    ("DAK RUONG", "commune-23488"),
    ("Đăk Rưởng", "commune-23488"),
    ("133-kh/tu", "directive-province-62-133-kh-tu"),
    ("dak to lung", "commune-23485"),
])
def test_the_intended_entity_comes_first(kb: EmbeddedStore, typed: str, expected: str) -> None:
    items = run_query(kb, "search", q=typed, limit=5)["items"]
    assert items and items[0]["id"] == expected, items


def test_a_phrase_in_order_ranks_above_the_same_words_scattered(kb: EmbeddedStore) -> None:
    items = run_query(kb, "search", q="ban dan van", limit=10)["items"]
    assert items[0]["score"] >= 90 and "Ban Dân vận" in items[0]["name"]


@pytest.mark.parametrize("typed", [
    "dak ruong", "kon", "thon 9", "thôn 1", "133-kh/tu", "hoi nong dan", "xyzq", "a", "làng kon",
    "ban dan van", "ubnd xa", "tinh kon tum", "plei 2", "2025", "hoi lhpn kon ray", "dak  to",
])
@pytest.mark.parametrize("limit", [1, 5, 20, 200])
def test_the_index_answers_like_scoring_every_row(kb: EmbeddedStore, typed: str, limit: int) -> None:
    # The search query ranks through SearchIndex (digit-masked keys, one str.find pass);
    # rank_rows scores every key of every row: their answers must not differ.
    from danvan.queries.search import SEARCHABLE, rank_rows, search_index

    for labels in (SEARCHABLE, ("Village",), ("Unit", "PartyBody")):
        rows = kb.names(labels)
        assert search_index(rows).rank_rows(typed, limit) == rank_rows(rows, typed, None, limit)


def _rebuilt(store: EmbeddedStore, labels: list[str]) -> list[tuple[str, str, str]]:
    """The name rows as a fresh build gives them: (id, label, name) of every node, by id."""
    from danvan.queries.base import display_name

    return sorted((n.id, n.label, display_name(n.props, n.id)) for n in store.nodes()
                  if n.label in labels)


def test_names_follow_writes_deletes_and_other_processes_without_a_rebuild(tmp_path: Path) -> None:
    store, other = EmbeddedStore(tmp_path), EmbeddedStore(tmp_path)
    s = store.schema
    kon_tum = s.node("Province", name="Tỉnh Kon Tum", code="62")
    districts = [s.node("District", name=f"Huyện {i}", code=f"9{i:02d}", province=kon_tum.id)
                 for i in range(30)]
    store.write([kon_tum, *districts])
    labels = ["Province", "District"]
    rows = store.names(labels)
    assert [(r.id, r.label, r.name) for r in rows] == _rebuilt(store, labels)
    steps = [
        lambda: store.write([s.node("District", name="Huyện Mới", code="950", province=kon_tum.id)]),
        lambda: store.write([s.node("District", name="Huyện Đổi Tên", code="905",
                                    province=kon_tum.id)]),  # renamed: a changed row
        lambda: store.delete([districts[3].id]),
        lambda: other.write([s.node("Province", name="Tỉnh Gia Lai", code="64")]),  # replayed
        lambda: other.delete([districts[7].id]),
        lambda: store.write([s.node("Commune", name="Xã A", code="99001",
                                    district=districts[0].id)]),  # another label
    ]
    for step in steps:
        step()
        got = store.names(labels)
        assert [(r.id, r.label, r.name) for r in got] == _rebuilt(store, labels)
    before = store.names(labels)
    store.write([s.node("Commune", name="Xã B", code="99002", district=districts[1].id)])
    assert store.names(labels) is before  # nothing of these labels changed: same tuple, same index
    other.clear()
    assert store.names(labels) == ()
