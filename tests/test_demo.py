"""The synthetic Kon Tum demo reproduces the 133-KH/TU figures and never passes for real data."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from danvan.cli.demo import demo_settings
from danvan.config import Settings
from danvan.errors import AmbiguousError, ConfigError
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.synthetic.demo import load_demo
from danvan.loaders.synthetic.demo_today import PLAN_REF, PROVINCE, today_plan
from danvan.loaders.synthetic.generator import SOURCE_ID, national_dataset, province_dataset, write_dataset
from danvan.queries.catalogue import run as run_query
from danvan.queries.maps import in_map

FIELDS = {"kinh tế": 39, "văn hóa - xã hội": 32, "quốc phòng - an ninh": 9,
          "xây dựng hệ thống chính trị": 2}


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The province demo, written once per store for this module."""
    if request.param == "embedded":
        s: Store = EmbeddedStore(tmp_path_factory.mktemp("demo"))
    else:
        s = request.getfixturevalue("neo4j_server")
        s.clear()
    report = load_demo(s, "province", seed=2024)
    assert report["nodes_created"] == report["nodes"]
    yield s


def test_coverage_reproduces_the_reported_133_figures(demo: Store) -> None:
    # The 2024 plan counts communes in the map of its time.
    c = run_query(demo, "coverage", plan="133-KH/TU", include_implementing=True, map="legacy")
    assert c["units_total"] == 58 + 311
    assert c["units_by_level"] == {"District": 311, "Province": 58}
    assert c["units_with_models"] == 48
    assert c["units_with_plans"] == 52
    assert c["models_total"] == 82 and c["models_by_category"] == FIELDS
    assert c["households_supported"] == 468
    assert c["villages_helped"] == 313 and c["communes_helped"] == 61
    reported = {s["id"].split("-", 2)[-1]: s["value"] for s in c["reported"]}
    assert reported["du-lieu-mo-phong-to-ho-tro-giup-do"] == 55
    today = run_query(demo, "coverage", plan="133-KH/TU", include_implementing=True)
    assert today["villages_helped"] == 313 and 0 < today["communes_helped"] < 61  # merged communes


def test_province_units_alone_work_in_the_three_districts(demo: Store) -> None:
    c = run_query(demo, "coverage", plan="133-KH/TU", include_implementing=False)
    assert c["units_total"] == 58 and c["households_supported"] == 468
    districts = {i["district"]["id"] for i in run_query(demo, "assignments", plan="133-KH/TU",
                                                        limit=1000)["items"]}
    assert districts == {"district-613", "district-617", "district-610"}


def test_everything_is_marked_synthetic_and_cites_the_demo_source(demo: Store) -> None:
    assert all(n.props.get("synthetic") is True for n in demo.nodes())
    assert all(e.props.get("synthetic") is True for e in demo.edges())
    source = demo.get(SOURCE_ID)
    assert source is not None and source.props["title"] == "Dữ liệu mô phỏng"


def test_demo_twice_changes_nothing(demo: Store) -> None:
    again = load_demo(demo, "province", seed=2024)
    assert again["nodes_created"] == again["nodes_updated"] == again["edges_created"] == 0


def test_same_seed_same_data_and_kon_tum_places_are_official() -> None:
    a, b = province_dataset(7), province_dataset(7)
    assert [n.to_dict() for n in a.nodes] == [n.to_dict() for n in b.nodes]
    communes = {n.props["code"] for n in a.nodes if n.label == "Commune" and "-2025-" not in n.id}
    assert communes == {c.code for c in admin_units().communes(province="62")}


def test_demo_goes_to_its_own_store_unless_asked() -> None:
    base = Settings(data_dir=Path("/data"))
    assert demo_settings(base, None, False).data_dir == Path("/data/demo")
    assert demo_settings(base, None, True).data_dir == Path("/data")
    with pytest.raises(ConfigError, match="--into-current"):
        demo_settings(Settings(store="neo4j"), None, False)


def test_into_current_never_marks_real_nodes_synthetic(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    nodes, edges = admin_units().graph_records(["23488"])
    store.write(nodes, edges)
    small = national_dataset(1, villages_per_commune=3, units_per_district=2, units_per_province=2,
                             communes=[admin_units().commune("23488")])
    result = write_dataset(store, small, skip_real=True)
    assert result["skipped_real"] == len(nodes)
    assert "synthetic" not in store.get("commune-23488").props
    assert store.get("village-commune-23488-thon-1").props["synthetic"] is True


# today's map (issue 13, item 7) ------------------------------------------------------------
def _today() -> dict[str, Any]:
    return today_plan(province_dataset(2024), 2024).figures


def test_the_demo_has_a_2026_plan_of_the_merged_province_in_todays_map(demo: Store) -> None:
    figures = _today()
    items = run_query(demo, "assignments", plan=PLAN_REF, limit=1000)["items"]
    assert len(items) == figures["assignments"] and items
    assert {i["commune"]["id"] for i in items} == set(figures["communes_2025"])
    assert all(in_map(i["commune"]["id"], "2025") for i in items)
    villages = [i for i in items if i["village"]]
    assert villages and all(i["former_commune"] for i in villages)  # each from a former commune
    assert {i["target"]["level"] for i in items} == {"Commune", "Village"}
    plan = demo.get(next(iter({i["plan"]["id"] for i in items})))
    assert plan is not None and plan.props["date"] >= "2025-07-01" and plan.props["scope"] == PROVINCE
    today = run_query(demo, "coverage", plan=PLAN_REF)
    then = run_query(demo, "coverage", plan=PLAN_REF, map="legacy")
    assert today["communes_helped"] == figures["communes"] < then["communes_helped"]


def test_the_2026_plan_shows_villages_of_the_same_name_in_one_commune(demo: Store) -> None:
    for commune in _today()["communes_2025"]:
        helped = [i for i in run_query(demo, "assignments", plan=PLAN_REF, commune=commune)["items"]
                  if i["village"] and i["village"]["name"] == "Thôn 1"]
        assert len({i["former_commune"]["id"] for i in helped}) == 2, commune
        with pytest.raises(AmbiguousError) as info:
            run_query(demo, "assignments", commune=commune, village="Thôn 1")
        assert len({c["within"] for c in info.value.candidates}) >= 2


def test_the_explorer_tells_namesakes_apart_by_their_former_commune(demo: Store) -> None:
    from danvan.api.app import create_app

    commune = _today()["communes_2025"][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    with TestClient(create_app(demo)) as client:
        page = client.get("/phan-cong", params={"commune": commune, "village": "Thôn 1"})
    assert page.status_code == 409
    where = re.findall(r'<span class="where">— ([^<]*)</span>', page.text)
    assert len(where) >= 2 and len(set(where)) == len(where)  # each names its former commune
