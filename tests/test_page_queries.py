"""The queries the explorer's pages read through, over the knowledge base with both maps of the country.

Both stores hold what ``danvan load`` writes (the curated knowledge base and every unit
of both administrative maps, with coordinates) plus the synthetic province of
test_queries_contract. Each page query gives the same answer on both stores, and its
figures agree with the answers of the other catalogued queries (derived, not written in).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_queries_contract import SOURCE_TEXT, UNIT, ask, synthetic_graph

from danvan.errors import DanvanError, NotFoundError
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store

KON_BRAIH = "commune-2025-23497"
PREDECESSORS = ("commune-23488", "commune-23494", "commune-23497")  # Đăk Ruồng, Đăk Tờ Re, Tân Lập
KON_RAY = "district-614"
V11 = "village-commune-99101-thon-1"


def _fill(store: Store) -> None:
    from danvan.loaders.reference.kb import load_kb

    load_kb(store, maps=True)
    store.write(*synthetic_graph())


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = EmbeddedStore(tmp_path_factory.mktemp("page-queries"))
    _fill(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def neo(request: pytest.FixtureRequest) -> Store:
    store: Store = request.getfixturevalue("neo4j_server")
    store.clear()
    _fill(store)
    return store


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest) -> Store:
    return request.getfixturevalue("embedded" if request.param == "embedded" else "neo")  # type: ignore[no-any-return]


def _answer(store: Store, name: str, params: dict[str, Any]) -> Any:
    try:
        return ask(store, name, **params)
    except DanvanError as exc:
        return ("error", type(exc).__name__, str(exc))


CASES = [
    ("overview", {"map": "2025"}), ("overview", {"map": "legacy"}), ("filter_choices", {}),
    ("commune_map", {"map": "2025"}), ("commune_map", {"map": "legacy"}),
    ("commune_map", {"map": "legacy", "district": KON_RAY}),
    ("commune_map", {"map": "2025", "province": "province-2025-51"}),
    ("lookup", {"ids": [KON_BRAIH, *PREDECESSORS, V11, "source-test-bao-cao", "nothing"]}),
    ("entity_links", {"id": KON_BRAIH}), ("entity_links", {"id": "commune-23488"}),
    ("entity_links", {"id": "village-commune-23488-thon-9"}), ("entity_links", {"id": KON_RAY}),
    ("entity_links", {"id": "province-62"}),
    ("subgraph", {}), ("subgraph", {"district": KON_RAY}), ("subgraph", {"focus": KON_BRAIH, "depth": 2}),
    ("commune_graph", {}), ("commune_graph", {"commune": KON_BRAIH}),
]


@pytest.mark.neo4j
@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_both_stores_give_the_same_answer_with_both_maps(embedded: Store, neo: Store, name: str,
                                                         params: dict[str, Any]) -> None:
    expected = _answer(embedded, name, params)
    assert _answer(neo, name, params) == expected


# overview -------------------------------------------------------------------------------------
def test_overview_counts_the_assignments_of_each_plan_and_unit(store: Store) -> None:
    found = ask(store, "overview", map="legacy")
    plans = {p["id"]: p["assignments"] for p in found["plans"]}
    units = {u["id"]: u["assignments"] for u in found["units"]}
    kh = "directive-province-99-02-kh-tu"
    assert plans[kh] == ask(store, "assignments", plan=kh, map="legacy")["total"] == 2
    assert units[UNIT] == ask(store, "assignments", unit=UNIT, map="legacy")["total"] == 1
    assert found["labels"]["Commune"] > 10000  # both maps of the whole country


def test_overview_groups_helped_communes_under_their_district_or_2025_province(store: Store) -> None:
    legacy = {s["id"]: s for s in ask(store, "overview", map="legacy")["scopes"]}
    today = {s["id"]: s for s in ask(store, "overview", map="2025")["scopes"]}
    one = {c["id"]: c["helpers"] for c in legacy["district-991"]["communes"]}
    assert one == {"commune-99101": 2, "commune-99102": 2}  # Xã Ba: nobody helps
    merged = {c["id"]: c["helpers"] for c in today["province-2025-98"]["communes"]}
    assert merged == {"commune-2025-99101": 3}  # Xã Một and Xã Hai went into Xã Hợp Nhất
    assert all(s["id"].startswith("province-2025-") for s in today.values())


def test_overview_lists_the_newest_directives_first(store: Store) -> None:
    dates = [d["props"].get("date") or "" for d in ask(store, "overview")["directives"]]
    assert len(dates) == 12 and dates == sorted(dates, reverse=True)


# filter_choices ---------------------------------------------------------------------------------
def test_filter_choices_offer_the_plans_of_assignments_districts_and_2025_provinces(store: Store) -> None:
    found = ask(store, "filter_choices")
    every = ask(store, "assignments", plan="02-KH/TU", map="legacy")["items"] + \
        ask(store, "assignments", plan="03-KH/HU", map="legacy")["items"]
    plans = {p["id"] for p in found["plans"]}
    assert {i["plan"]["id"] for i in every} <= plans
    assert "directive-province-99-04-qd-tu" not in plans  # a decision nothing is assigned under
    assert {"district-991", KON_RAY} <= {d["id"] for d in found["districts"]}
    provinces = {p["id"] for p in found["provinces_2025"]}
    assert "province-2025-98" in provinces and len(provinces - {"province-2025-98"}) == 34


# commune_map ------------------------------------------------------------------------------------
def test_a_2025_commune_on_the_map_has_the_helpers_and_villages_of_its_predecessors(store: Store) -> None:
    today = ask(store, "commune_map", map="2025", province="province-2025-51")["communes"]
    today = {c["id"]: c for c in today}
    then = {c["id"]: c for c in ask(store, "commune_map", map="legacy", district=KON_RAY)["communes"]}
    braih = today[KON_BRAIH]
    assert braih["villages"] == sum(then[c]["villages"] for c in PREDECESSORS) > 0
    assert braih["villages_helped"] == sum(then[c]["villages_helped"] for c in PREDECESSORS) > 0
    units = {i["unit"]["id"] for c in PREDECESSORS
             for i in ask(store, "assignments", commune=c, map="legacy", limit=1000)["items"]}
    assert braih["helpers"] >= len(units) > 0
    assert set(braih["former"]) == {then[c]["name"] for c in PREDECESSORS}


def test_the_map_without_a_scope_draws_the_districts_where_someone_helps(store: Store) -> None:
    communes = ask(store, "commune_map", map="legacy")["communes"]
    assert communes and all(c["lat"] is not None for c in communes)
    helped_districts = {c["scope"]["id"] for c in communes if c["helpers"]}
    assert {c["scope"]["id"] for c in communes} == helped_districts
    assert {c["id"] for c in ask(store, "commune_map", map="legacy", district=KON_RAY)["communes"]} <= \
        {c["id"] for c in communes}


# lookup -----------------------------------------------------------------------------------------
def test_lookup_says_where_each_node_is_and_leaves_text_and_unknown_ids_out(store: Store) -> None:
    found = ask(store, "lookup", ids=[V11, "source-test-bao-cao", "nothing", "province-99"])["items"]
    assert set(found) == {V11, "source-test-bao-cao", "province-99"}
    assert found[V11]["where"] == "Xã Một, Huyện Thử Nghiệm"
    assert found["province-99"]["where"] is None
    assert "text" not in found["source-test-bao-cao"]["props"]
    assert found["source-test-bao-cao"]["props"]["title"] == "Báo cáo thử nghiệm"


# entity_links -----------------------------------------------------------------------------------
HU = "directive-district-991-03-kh-hu"


def test_a_2025_commune_lists_the_legacy_communes_it_succeeded(store: Store) -> None:
    found = ask(store, "entity_links", id=KON_BRAIH)
    rows = found["succession"]["predecessors"]
    assert {r["node"]["id"] for r in rows} == set(PREDECESSORS)
    edges = {(e["source"], e["target"]): e for e in found["edges"] if e["type"] == "SUCCEEDED_BY"}
    assert all(r["partial"] == bool(edges[(r["node"]["id"], KON_BRAIH)]["props"].get("partial"))
               for r in rows)


def test_a_legacy_commune_and_its_villages_lead_to_the_2025_commune_and_province(store: Store) -> None:
    commune = ask(store, "entity_links", id="commune-23488")["succession"]["successors"]
    village = ask(store, "entity_links", id="village-commune-23488-thon-9")["succession"]
    assert [r["node"]["id"] for r in commune] == [KON_BRAIH]
    assert [r["node"]["id"] for r in village["successors"]] == [KON_BRAIH]
    province = ask(store, "place", id=KON_BRAIH)["parent"]
    assert commune[0]["province"]["id"] == province["id"] and village["via"]["id"] == "commune-23488"


def test_entity_links_quote_the_sentence_of_each_source(store: Store) -> None:
    found = ask(store, "entity_links", id=UNIT)
    assert found["sources"] == [{"id": "source-test-bao-cao", "exists": True, "title": "Báo cáo thử nghiệm",
                                 "url": None, "publisher": None, "published": None, "evidence": SOURCE_TEXT}]
    source = ask(store, "entity_links", id="source-test-bao-cao")
    assert source["node"]["props"]["text"] == SOURCE_TEXT  # a document's page shows its text
    assert "text" not in source["nodes"][UNIT]["props"]


def test_assignments_around_a_village_are_named_by_unit_and_place(store: Store) -> None:
    found = ask(store, "entity_links", id=V11)
    assigned = {e["source"] for e in found["edges"] if e["type"] == "ASSIGNED_TO"}
    items = ask(store, "assignments", village=V11, map="legacy")["items"]
    units = {i["id"]: i["unit"]["name"] for i in items}
    assert assigned == set(units) and {found["names"][a] for a in assigned} == {
        f"{name} giúp đỡ Thôn 1" for name in units.values()}


def test_a_directive_lineage_follows_implements_and_based_on_together(store: Store) -> None:
    up = ask(store, "entity_links", id=HU)["lineage"]["up"]
    chain = [(r["depth"], r["node"]["id"], r["type"]) for r in up]
    kh, kl, qd = ("directive-province-99-02-kh-tu", "directive-province-99-01-kl-tu",
                  "directive-province-99-04-qd-tu")
    assert chain == [(1, kh, "IMPLEMENTS"), (2, qd, "BASED_ON"), (2, kl, "IMPLEMENTS"),
                     (3, "campaign-thu-nghiem", "IMPLEMENTS")]
    # directive_lineage follows each relation on its own: the decision the plan above is based on
    # is not among what this plan implements.
    assert qd not in {i["id"] for i in ask(store, "directive_lineage", directive=HU, depth=4)["implements"]}
    down = ask(store, "entity_links", id=kl)["lineage"]["down"]
    assert [(r["depth"], r["node"]["id"]) for r in down] == [(1, kh), (2, HU)]


def test_entity_links_of_an_unknown_id_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        ask(store, "entity_links", id="nothing-here")


# subgraph and commune_graph ---------------------------------------------------------------------
def test_a_focus_one_step_out_is_the_node_and_its_neighbours(store: Store) -> None:
    found = ask(store, "subgraph", focus="commune-23488", depth=1)
    links = ask(store, "entity_links", id="commune-23488")
    neighbours = {e["source"] for e in links["edges"]} | {e["target"] for e in links["edges"]}
    assert {n["id"] for n in found["nodes"]} == neighbours and found["total"] == len(neighbours)
    shown = {n["id"] for n in found["nodes"]}
    assert all(e["source"] in shown and e["target"] in shown for e in found["edges"])


def test_the_whole_graph_is_trimmed_to_the_limit_and_says_how_big_it_is(store: Store) -> None:
    found = ask(store, "subgraph", limit=25)
    assert len(found["nodes"]) == 25 and found["truncated"]
    assert found["total"] == sum(ask(store, "overview")["labels"].values())
    assert not any(n["label"] in ("Source", "Statistic") for n in found["nodes"])  # drawn last


def test_a_plan_subgraph_holds_its_assignments_and_names_what_they_refer_to(store: Store) -> None:
    found = ask(store, "subgraph", plan="02-KH/TU")
    shown = {n["id"] for n in found["nodes"]}
    items = ask(store, "assignments", plan="02-KH/TU", map="legacy")["items"]
    assert {i["id"] for i in items} | {i["unit"]["id"] for i in items} <= shown
    refs = {v for n in found["nodes"] for v in n["props"].values() if isinstance(v, str) and
            v.startswith(("province-", "district-", "commune-")) and v not in shown}
    assert refs and refs <= set(found["names"])
    assert found["sources"][UNIT] == [{"id": "source-test-bao-cao", "title": "Báo cáo thử nghiệm",
                                       "evidence": SOURCE_TEXT}]


def test_the_first_graph_is_the_commune_with_the_most_assignments_in_layers(store: Store) -> None:
    found = ask(store, "commune_graph")
    counts: dict[str, int] = {}
    for item in ask(store, "assignments", map="legacy", limit=1000)["items"]:
        commune = item["commune"]["id"] if item["commune"] else item["target"]["id"]
        counts[commune] = counts.get(commune, 0) + 1
    assert found["commune"] == min(counts, key=lambda c: (-counts[c], c))
    plans, units, villages, commune, up = found["columns"]
    assert commune == [found["commune"]] and all(u.startswith(("district-", "province-")) for u in up)
    items = ask(store, "assignments", commune=found["commune"], map="legacy", limit=1000)["items"]
    assert set(units) == {i["unit"]["id"] for i in items}
    assert set(plans) == {i["plan"]["id"] for i in items if i["plan"]}
    helped = {(e["source"], e["target"]) for e in found["edges"] if e["type"] == "SUPPORTS"}
    assert helped == {(i["unit"]["id"], i["target"]["id"]) for i in items}
    assert set(villages) >= {i["target"]["id"] for i in items if i["target"]["id"] != found["commune"]}
