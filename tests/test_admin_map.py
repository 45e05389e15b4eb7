"""Both administrative maps are complete, first-class data in the store (#13 item 1)."""

from __future__ import annotations

from collections import Counter

from danvan.graph.store import Store
from danvan.loaders.reference.admin_map import map_records
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.reference.kb import build_kb, load_kb


def test_the_records_hold_every_unit_of_both_maps() -> None:
    nodes, _ = map_records()
    count = Counter((n.label, n.props.get("era")) for n in nodes)
    units = admin_units()
    assert count[("Province", "2025")] == 34
    assert count[("Province", "legacy")] == 63
    assert count[("Commune", "2025")] == len(units.communes(era="2025")) == 3321
    assert count[("Commune", "legacy")] == len(units.all_communes())
    assert count[("District", None)] == 696
    new = [n for n in nodes if n.label == "Commune" and n.props["era"] == "2025"]
    assert all(n.props.get("lat") is not None and n.props.get("code") for n in new)
    with_area = sum(1 for c in units.communes(era="2025") if c.area is not None)
    assert with_area > 3300  # the package lacks a few areas
    assert sum(1 for n in new if n.props.get("area") is not None) == with_area


def test_every_legacy_commune_has_its_successors_and_a_split_says_so() -> None:
    nodes, edges = map_records()
    succ: dict[str, list[dict]] = {}
    for e in edges:
        if e.type == "SUCCEEDED_BY" and e.source.startswith("commune-"):
            succ.setdefault(e.source, []).append(e.props)
    legacy = [n.id for n in nodes if n.label == "Commune" and n.props["era"] == "legacy"]
    assert all(i in succ for i in legacy)
    split = [i for i, props in succ.items() if len(props) > 1]
    assert split and all(p.get("partial") for i in split for p in succ[i])
    assert all(not p.get("partial") for props in succ.values() if len(props) == 1 for p in props)
    assert all(p["date"] == "2025-07-01" for props in succ.values() for p in props)


def test_load_with_maps_writes_both_maps_and_keeps_the_curated_aliases(store: Store) -> None:
    load_kb(store, maps=True)
    labels = store.counts()["labels"]
    assert labels["Commune"] == 3321 + len(admin_units().all_communes())
    assert labels["District"] == 696 and labels["Province"] == 97
    braih = store.get("commune-2025-23497")
    assert braih is not None and braih.props["area"] > 0
    assert "province-2025-51" in {e.target for e in store.edges_of(braih.id, "out", ["PART_OF"])}
    ruong = store.get("commune-23488")
    curated = next(n for n in build_kb()[0] if n.id == "commune-23488")
    assert ruong is not None and set(curated.props["aliases"]) <= set(ruong.props["aliases"])
    assert len(curated.props["aliases"]) > 1  # more than the official short name
    before = store.counts()
    again = load_kb(store, maps=True)
    assert again.nodes_created == 0 and again.edges_created == 0
    assert store.counts() == before
