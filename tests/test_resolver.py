"""The one resolver: a name, the fact's date and its context pick the map in force (#13 item 2)."""

from __future__ import annotations

import pytest

from danvan.errors import AmbiguousError, NotFoundError
from danvan.graph.store import Store
from danvan.loaders.reference.resolver import Context, Resolver, in_force, maps_for


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver()


def test_the_date_picks_the_map(resolver: Resolver) -> None:
    new = resolver.commune("Xã Đăk Kôi", Context(date="2026-03-01", province="Quảng Ngãi"))
    old = resolver.commune("Xã Đăk Kôi", Context(date="2023-05-10", province="Kon Tum"))
    assert (new.era, old.era) == ("2025", "legacy")
    assert new.code in {c.code for c in resolver.units.successor(old).candidates}


def test_reform_day_is_the_first_day_of_todays_map() -> None:
    assert maps_for("2025-06-30") == ("legacy",)
    assert maps_for("2025-07-01") == ("2025",)


def test_a_2025_commune_without_district_resolves_in_its_province(resolver: Resolver) -> None:
    found = resolver.commune("Kon Braih", Context(date="2026-01-10", province="Tỉnh Quảng Ngãi"))
    assert (found.name, found.era, found.province_code) == ("Xã Kon Braih", "2025", "51")


def test_a_legacy_name_in_a_2026_fact_is_not_found_but_says_where_it_went(resolver: Resolver) -> None:
    with pytest.raises(NotFoundError) as err:
        resolver.commune("Đăk Tơ Lung", Context(date="2026-01-10", province="Quảng Ngãi"))
    assert "Xã Đăk Kôi" in str(err.value)


def test_a_dissolved_province_limits_a_2026_search_to_its_former_communes(resolver: Resolver) -> None:
    in_kon_tum = resolver.commune("Đăk Kôi", Context(date="2026-01-10", province="Kon Tum"))
    assert in_kon_tum.era == "2025"
    # Tịnh Khê is a 2025 commune of Quảng Ngãi formed from legacy Quảng Ngãi, not Kon Tum.
    resolver.commune("Tịnh Khê", Context(date="2026-01-10", province="Quảng Ngãi"))
    with pytest.raises(NotFoundError):
        resolver.commune("Tịnh Khê", Context(date="2026-01-10", province="Kon Tum"))


def test_a_named_province_is_never_left(resolver: Resolver) -> None:
    # Xã Kon Braih exists only in Quảng Ngãi; named in Gia Lai it is not found, not moved.
    with pytest.raises(NotFoundError):
        resolver.commune("Kon Braih", Context(date="2026-01-10", province="Gia Lai"))


def test_undated_prefers_the_callers_map_for_one_lineage(resolver: Resolver) -> None:
    ctx = Context(province="Kon Tum", prefer="legacy")
    assert resolver.commune("Đăk Kôi", ctx).era == "legacy"
    assert resolver.commune("Đăk Kôi", Context(province="Kon Tum")).era == "2025"


def test_undated_takes_the_only_map_a_name_is_in(resolver: Resolver) -> None:
    assert resolver.commune("Đăk Ruồng", Context(province="Kon Tum")).era == "legacy"
    assert resolver.commune("Kon Braih", Context(province="Quảng Ngãi")).era == "2025"


def test_a_district_means_the_legacy_map(resolver: Resolver) -> None:
    found = resolver.commune("Đăk Tô Lung", Context(date="2026-01-10", district="Kon Rẫy",
                                                   province="Quảng Ngãi"))
    assert (found.name, found.era) == ("Xã Đăk Tơ Lung", "legacy")


def test_ambiguous_candidates_carry_id_and_era(resolver: Resolver) -> None:
    with pytest.raises(AmbiguousError) as err:
        resolver.commune("Tân Lập", Context(date="2024-01-01"))
    assert all({"id", "era", "where"} <= set(c) for c in err.value.candidates)


def test_bodies_of_dissolved_units_are_not_in_force() -> None:
    assert not in_force("province-62", "2026-01-01")
    assert not in_force("district-614", "2025-07-01")
    assert in_force("district-614", "2025-06-30")
    assert not in_force("province-2025-51", "2024-12-31")


def test_a_post_reform_name_never_resolves_to_a_dissolved_provinces_body(store: Store) -> None:
    schema = store.schema
    old_province = schema.node("Province", name="Tỉnh Kon Tum", code="62")
    new_province = schema.node("Province", name="Tỉnh Quảng Ngãi", code="51", era="2025")
    old = schema.node("PartyBody", name="Ban Thường vụ Tỉnh ủy", scope=old_province.id)
    store.write([old_province, new_province, old])
    r = Resolver(store)
    assert r.organisation("Ban Thường vụ Tỉnh ủy", Context(date="2023-01-01")) == old.id
    assert r.organisation("Ban Thường vụ Tỉnh ủy", Context(date="2026-01-01")) is None
    new = schema.node("PartyBody", name="Ban Thường vụ Tỉnh ủy", scope=new_province.id)
    store.write([new])
    r = Resolver(store)
    assert r.organisation("Ban Thường vụ Tỉnh ủy", Context(date="2026-01-01")) == new.id
    assert r.organisation("Ban Thuong vu Tinh uy", Context(date="2026-01-01")) == new.id
    with pytest.raises(AmbiguousError):
        r.organisation("Ban Thường vụ Tỉnh ủy", Context())
    scoped = Context(scopes=(new_province.id,))
    assert r.organisation("Ban Thường vụ Tỉnh ủy", scoped) == new.id
