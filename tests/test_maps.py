"""Queries speak both administrative maps: ``map=2025`` (default) and ``map=legacy``.

Both stores hold the curated knowledge base (Xã Kon Braih succeeds Đăk Ruồng, Đăk Tờ
Re and Tân Lập; Xã Đăk Kôi of 2025 succeeds the legacy Đăk Kôi and Đăk Tơ Lung) and
the synthetic province of test_queries_contract (Xã Một + Xã Hai → Xã Hợp Nhất of
Tỉnh Hợp Nhất). Every expectation is derived from the legacy answers, not written in.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from test_queries_contract import all_data, ask

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

KON_BRAIH = "commune-2025-23497"
PREDECESSORS = ("commune-23488", "commune-23494", "commune-23497")  # Đăk Ruồng, Đăk Tờ Re, Tân Lập


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    if request.param == "embedded":
        s: Store = EmbeddedStore(tmp_path_factory.mktemp("maps"))
        s.write(*all_data())
        yield s
        s.close()
    else:
        s = request.getfixturevalue("neo4j_server")
        s.clear()
        s.write(*all_data())
        yield s


def test_kon_braih_coverage_counts_the_villages_of_all_its_predecessors(store: Store) -> None:
    today = ask(store, "coverage", commune="Kon Braih", map="2025")
    parts = [ask(store, "coverage", commune=c, map="legacy") for c in PREDECESSORS]
    assert today["villages_total"] == sum(p["villages_total"] for p in parts) > 0
    assert today["villages_helped"] == sum(p["villages_helped"] for p in parts) > 0
    assert today["communes_helped"] == 1  # in today's map they are one commune
    assert sum(p["communes_helped"] for p in parts) > 1
    unhelped = today["villages_unhelped"]
    assert unhelped and {v["commune"]["id"] for v in unhelped} == {KON_BRAIH}
    assert {v["former_commune"]["id"] for v in unhelped} <= set(PREDECESSORS)


def test_the_default_map_is_2025(store: Store) -> None:
    assert ask(store, "coverage", commune="Đăk Kôi") == ask(store, "coverage", commune="Đăk Kôi",
                                                             map="2025")


def test_a_name_in_both_maps_is_the_unit_of_the_map_asked_for(store: Store) -> None:
    today = ask(store, "assignments", commune="Đăk Kôi", map="2025")["items"]
    then = ask(store, "assignments", commune="Đăk Kôi", map="legacy")["items"]
    assert {i["commune"]["id"] for i in then} == {"commune-23482"}  # the legacy Xã Đăk Kôi
    assert {i["commune"]["id"] for i in today} == {"commune-2025-23485"}
    # Today's Đăk Kôi also holds the legacy Đăk Tơ Lung: more assignments, named by xã cũ.
    assert {i["id"] for i in then} < {i["id"] for i in today}
    assert {i["former_commune"]["name"] for i in today} == {"Xã Đăk Kôi", "Xã Đăk Tơ Lung"}


def test_assignments_in_the_legacy_map_keep_the_legacy_commune(store: Store) -> None:
    items = ask(store, "assignments", commune="Kon Braih", map="legacy")["items"]
    assert {i["commune"]["id"] for i in items} <= set(PREDECESSORS)
    assert all(i["former_commune"] is None for i in items)


def test_a_2025_province_covers_its_2025_communes(store: Store) -> None:
    items = ask(store, "assignments", province="Tỉnh Hợp Nhất")["items"]
    by_commune = ask(store, "assignments", commune="Xã Hợp Nhất")["items"]
    assert items and {i["id"] for i in items} == {i["id"] for i in by_commune}


def test_a_place_search_for_a_2025_name_lists_that_unit_first(store: Store) -> None:
    assert ask(store, "places", q="Kon Braih")["items"][0]["id"] == KON_BRAIH
    today = ask(store, "places", q="Đăk Kôi")["items"]
    then = ask(store, "places", q="dak koi", map="legacy")["items"]
    assert today[0]["id"] == "commune-2025-23485" and then[0]["id"] == "commune-23482"
    assert {i["id"] for i in today} == {i["id"] for i in then}  # the same places, reordered


def test_the_api_takes_the_map(store: Store) -> None:
    from danvan.api.app import create_app

    with TestClient(create_app(store)) as client:
        today = client.get("/api/v1/coverage", params={"commune": "Kon Braih", "map": "2025"})
        then = client.get("/api/v1/coverage", params={"commune": "Kon Braih", "map": "legacy"})
        places = client.get("/api/v1/places", params={"q": "Kon Braih"})
        bad = client.get("/api/v1/coverage", params={"commune": "Kon Braih", "map": "1990"})
    assert today.status_code == then.status_code == places.status_code == 200
    assert today.json()["villages_helped"] == then.json()["villages_helped"] > 0
    assert today.json()["communes_helped"] == 1 < then.json()["communes_helped"]
    assert places.json()["items"][0]["name"] == "Xã Kon Braih"
    assert bad.status_code == 422 and "map" in bad.text
