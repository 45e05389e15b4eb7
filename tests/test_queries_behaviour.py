"""What users rely on from the query catalogue, checked on the embedded store.

The data is the curated knowledge base plus the synthetic province of
test_queries_contract (province 99: Xã Một and Xã Hai merged into Xã Hợp Nhất in
2025; 01-KL/TU ← 02-KH/TU ← 03-KH/HU; Thôn 1 of Xã Một helped by two units).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_queries_contract import SOURCE_TEXT, UNIT, all_data, ask

from danvan.errors import AmbiguousError, NotFoundError, ValidationError
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store

V11 = "village-commune-99101-thon-1"
V21 = "village-commune-99102-thon-1"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = EmbeddedStore(tmp_path_factory.mktemp("behaviour"))
    s.write(*all_data())
    yield s
    s.close()


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


# search and resolution -------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["Đăk Rưởng", "dak ruong", "DAK RUONG"])
def test_search_finds_dak_ruong_first_whatever_the_accents(store: Store, typed: str) -> None:
    assert ask(store, "search", q=typed)["items"][0]["id"] == "commune-23488"


def test_a_village_name_shared_by_several_communes_is_ambiguous(store: Store) -> None:
    with pytest.raises(AmbiguousError) as info:
        ask(store, "village_profile", village="Thôn 1")
    assert {V11, V21} <= set(ids(info.value.candidates))


def test_thon_4_without_a_commune_is_ambiguous_in_the_kb(store: Store) -> None:
    if len([n for n in store.nodes("Village") if n.props.get("name") == "Thôn 4"]) < 2:
        pytest.skip("the KB has fewer than two villages called Thôn 4")
    with pytest.raises(AmbiguousError) as info:
        ask(store, "assignments", village="thôn 4")
    assert len(info.value.candidates) >= 2


def test_the_commune_disambiguates_a_village(store: Store) -> None:
    profile = ask(store, "village_profile", village="thon 1", commune="xa mot")
    assert profile["village"]["id"] == V11
    assert profile["commune"]["id"] == "commune-99101"


# parameter checking --------------------------------------------------------------------------------
def test_an_unknown_parameter_is_refused_by_name(store: Store) -> None:
    with pytest.raises(ValidationError) as info:
        ask(store, "models", colour="red")
    assert info.value.field == "colour"


def test_a_limit_above_the_maximum_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError) as info:
        ask(store, "directives", limit=100_000)
    assert info.value.field == "limit"


def test_a_depth_out_of_range_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError) as info:
        ask(store, "neighbourhood", id=UNIT, depth=9)
    assert info.value.field == "depth"


def test_an_unknown_id_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        ask(store, "entity", id="no-such-thing-anywhere")


# assignments and coverage --------------------------------------------------------------------------
def test_a_2025_commune_covers_the_legacy_communes_it_succeeded(store: Store) -> None:
    items = ask(store, "assignments", commune="Xã Hợp Nhất")["items"]
    assert {i["commune"]["id"] for i in items} == {"commune-2025-99101"}  # today's map
    assert {i["former_commune"]["id"] for i in items} == {"commune-99101", "commune-99102"}
    legacy = ask(store, "assignments", commune="Xã Hợp Nhất", map="legacy")["items"]
    assert {i["commune"]["id"] for i in legacy} == {"commune-99101", "commune-99102"}


def test_kon_braih_covers_dak_ruong_in_the_kb(store: Store) -> None:
    if store.get("commune-2025-23497") is None:
        pytest.skip("the KB has no Xã Kon Braih")
    items = ask(store, "assignments", commune="Kon Braih")["items"]
    assert "commune-23488" in {(i["former_commune"] or {}).get("id") for i in items}


def test_include_implementing_widens_a_plan(store: Store) -> None:
    narrow = ask(store, "assignments", plan="02-KH/TU")
    wide = ask(store, "assignments", plan="02-KH/TU", include_implementing=True)
    assert {i["plan"]["number"] for i in narrow["items"]} == {"02-KH/TU"}
    assert {i["plan"]["number"] for i in wide["items"]} == {"02-KH/TU", "03-KH/HU"}
    assert wide["total"] > narrow["total"]


def test_as_of_leaves_out_expired_assignments(store: Store) -> None:
    all_time = ask(store, "assignments", plan="03-KH/HU")["items"]
    current = ask(store, "assignments", plan="03-KH/HU", as_of="2024-06-01")["items"]
    assert V11 in {i["target"]["id"] for i in all_time}
    assert V11 not in {i["target"]["id"] for i in current}
    assert len(current) == len(all_time) - 1


def test_coverage_lists_unhelped_villages_and_overlaps(store: Store) -> None:
    cov = ask(store, "coverage", district="Huyện Thử Nghiệm", include_implementing=True)
    assert cov["villages_total"] == 5
    assert set(ids(cov["villages_unhelped"])) == {"village-commune-99101-thon-2", V21,
                                                  "village-commune-99103-thon-3"}
    assert [(v["id"], v["helpers"]) for v in cov["villages_overlapping"]] == [(V11, 2)]


# listings ------------------------------------------------------------------------------------------
def test_directives_show_the_full_number_and_null_for_unnumbered(store: Store) -> None:
    items = ask(store, "directives", issuer="Ban Thường vụ Tỉnh ủy Thử Nghiệm")["items"]
    numbers = {i["number"] for i in items}
    assert {"01-KL/TU", "02-KH/TU", "04-QĐ/TU", "05-BC/TU", None} == numbers
    assert ask(store, "directives", number="133-KH/TU")["items"][0]["number"] == "133-KH/TU"


def test_directives_filter_by_kind_name_or_code(store: Store) -> None:
    by_code = ask(store, "directives", kind="KH", limit=1000)
    by_name = ask(store, "directives", kind="ke hoach", limit=1000)
    assert by_code == by_name
    assert all(i["kind"] == "Kế hoạch" for i in by_code["items"])
    assert {"02-KH/TU", "03-KH/HU"} <= {i["number"] for i in by_code["items"]}


def test_models_show_units_villages_and_plans(store: Store) -> None:
    items = ask(store, "models", commune="Xã Một")["items"]
    assert [m["name"] for m in items] == ["Nuôi bò sinh sản"]
    model = items[0]
    assert model["units"] == [{"id": UNIT, "name": "Hội Nông dân tỉnh Thử Nghiệm"}]
    assert model["villages"] == [{"id": V11, "name": "Thôn 1", "commune": "Xã Một"}]
    assert model["effective"] is True
    assert [p["number"] for p in model["plans"]] == ["02-KH/TU"]


def test_models_of_a_plan_include_those_of_its_assignments(store: Store) -> None:
    names = [m["name"] for m in ask(store, "models", plan="03-KH/HU")["items"]]
    assert names == ["Câu lạc bộ văn nghệ"]


def test_places_filter_by_era_and_name_without_accents(store: Store) -> None:
    new = ask(store, "places", era="2025", name="hop nhat")["items"]
    assert ids(new) == ["province-2025-98", "commune-2025-99101"]  # provinces first
    legacy = ask(store, "place", id="commune-99101")
    assert legacy["successor"]["id"] == "commune-2025-99101"
    assert legacy["successor"]["province"] == "Tỉnh Hợp Nhất"
    assert legacy["parent"] == {"id": "district-991", "name": "Huyện Thử Nghiệm", "level": "district"}


# profiles ------------------------------------------------------------------------------------------
def test_village_profile_lists_helpers_models_plans_and_events(store: Store) -> None:
    profile = ask(store, "village_profile", village=V11)
    assert [h["unit"]["id"] for h in profile["helpers"]] == [UNIT, "unit-province-99-tinh-doan-thu-nghiem"]
    assert profile["successor"]["id"] == "commune-2025-99101"
    assert [m["name"] for m in profile["models"]] == ["Nuôi bò sinh sản"]
    assert {p["number"] for p in profile["plans"]} == {"02-KH/TU", "03-KH/HU"}
    assert [e["name"] for e in profile["events"]] == ["Hội nghị thử nghiệm"]


def test_unit_profile_lists_where_it_helps_and_what_it_issued(store: Store) -> None:
    unit = ask(store, "unit_profile", unit="Hội Nông dân tỉnh Thử Nghiệm")
    assert ids(unit["villages"]) == [V11]
    assert [m["name"] for m in unit["models"]] == ["Nuôi bò sinh sản"]
    board = ask(store, "unit_profile", unit="Ban Thường vụ Tỉnh ủy Thử Nghiệm")
    assert "02-KH/TU" in {d["number"] for d in board["directives_issued"]}
    child = ask(store, "unit_profile", unit="Sở Y tế tỉnh Thử Nghiệm")
    assert child["parent"]["id"] == UNIT
    assert ids(child["communes"]) == ["commune-99102"]


def test_entity_quotes_its_evidence(store: Store) -> None:
    entity = ask(store, "entity", id=UNIT)
    assert entity["sources"][0]["text"] == SOURCE_TEXT[20:49]
    assert "sources" not in entity["properties"]


# lineage, graphs, figures --------------------------------------------------------------------------
def test_lineage_climbs_and_descends_implements(store: Store) -> None:
    up = ask(store, "directive_lineage", directive="03-KH/HU", depth=3)
    assert [(i["number"], i["depth"]) for i in up["implements"]] == [("02-KH/TU", 1), ("01-KL/TU", 2),
                                                                      (None, 3)]
    assert up["implements"][2]["kind"] == "Cuộc vận động"
    down = ask(store, "directive_lineage", directive="01-KL/TU")
    assert [(i["number"], i["depth"]) for i in down["implemented_by"]] == [("02-KH/TU", 1), ("03-KH/HU", 2)]
    based = ask(store, "directive_lineage", directive="02-KH/TU", depth=1)
    assert [i["number"] for i in based["based_on"]] == ["04-QĐ/TU"]


def test_lineage_of_08_kl_tu_finds_26_kh_hu_in_the_kb(store: Store) -> None:
    if store.get("directive-district-614-26-kh-hu") is None:
        pytest.skip("the KB has no 26-KH/HU")
    found = ask(store, "directive_lineage", directive="08-KL/TU")["implemented_by"]
    assert "26-KH/HU" in {i["number"] for i in found}


def test_a_path_leads_from_a_unit_to_a_village(store: Store) -> None:
    path = ask(store, "path", source=UNIT, target=V21)
    assert path["found"]
    nodes = ids(path["nodes"])
    assert nodes[0] == UNIT and nodes[-1] == V21
    for edge, a, b in zip(path["edges"], nodes, nodes[1:], strict=False):
        assert {edge["source"], edge["target"]} == {a, b}


def test_no_path_within_a_too_small_depth(store: Store) -> None:
    assert ask(store, "path", source="village-commune-99103-thon-3", target="province-62",
               max_depth=2) == {"found": False, "length": None, "nodes": [], "edges": []}


def test_neighbourhood_is_trimmed_nearest_first(store: Store) -> None:
    full = ask(store, "neighbourhood", id="commune-99101", depth=2)
    cut = ask(store, "neighbourhood", id="commune-99101", depth=2, limit=4)
    assert not full["truncated"] and cut["truncated"]
    assert ids(cut["nodes"]) == ids(full["nodes"])[:4]
    kept = set(ids(cut["nodes"]))
    assert all(e["source"] in kept and e["target"] in kept for e in cut["edges"])


def test_figures_give_statistics_and_targets_of_a_plan(store: Store) -> None:
    figures = ask(store, "figures", plan="02-KH/TU")
    assert [(s["value"], s["total"]) for s in figures["statistics"]] == [(5.0, 10.0)]
    assert [t["code"] for t in figures["targets"]] == ["1", "2", "10"]
    by_report = ask(store, "figures", document="05-BC/TU")
    assert {s["document"]["id"] for s in by_report["statistics"]} == {"source-test-bao-cao"}
    assert len(by_report["statistics"]) == 2


def test_a_name_not_found_says_what_was_looked_for_in_vietnamese(store: Store) -> None:
    """The board reads "không tìm thấy mô hình …", not the schema's English label."""
    with pytest.raises(NotFoundError, match="không tìm thấy mô hình 'Không có mô hình này' \\(model\\)"):
        ask(store, "assignments", model="Không có mô hình này")
    with pytest.raises(NotFoundError, match="không tìm thấy thôn, làng 'Thôn 999'"):
        ask(store, "village_profile", village="Thôn 999")
