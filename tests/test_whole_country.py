"""Whole-country property test of the one resolver (#13 item 8).

Every 2025 unit resolves from (name, province); every legacy commune from (name,
district, province); for every name valid in both maps the date picks the right
one; no resolution lands in a province other than the one named. The figures
(printed with ``pytest -s``) are the resolution accuracy quoted in the notes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import cache

from danvan.errors import AmbiguousError, NotFoundError
from danvan.loaders.reference.admin_units import ERA_2025, LEGACY, AdminUnits, Commune, admin_units
from danvan.loaders.reference.resolver import Context, Resolver
from danvan.text import fold


def _province_ok(units: AdminUnits, named: str, era_named: str, got: Commune) -> bool:
    """``got`` is in the named province, or (a 2025 commune) in the one it became."""
    if era_named == got.era:
        return got.province_code == named
    if era_named == LEGACY:  # a legacy province named, a 2025 commune found
        return units.province_successor(named).code == got.province_code
    return units.province_successor(got.province_code).code == named


@cache
def figures() -> dict[tuple[str, str], int]:
    """Outcome counts per case: ok, ambiguous, not found, wrong, other province."""
    units, resolver = admin_units(), Resolver()
    stats: Counter[tuple[str, str]] = Counter()

    def check(case: str, expect: Commune | None, text: str, ctx: Context, named: str,
              era_named: str) -> None:
        try:
            got = resolver.commune(text, ctx)
        except AmbiguousError:
            stats[case, "ambiguous"] += 1
            return
        except NotFoundError:
            stats[case, "not found"] += 1
            return
        if not _province_ok(units, named, era_named, got):
            stats[case, "other province"] += 1
        stats[case, "ok" if expect is None or got == expect else "wrong"] += 1

    for c in units.communes(era=ERA_2025):
        province = units.province(c.province_code, era=ERA_2025)
        check("2025 (name, province), dated 2026", c, c.name,
              Context(date="2026-01-01", province=province.name), c.province_code, ERA_2025)
        check("2025 (short name, province), undated", c, c.short_name,
              Context(province=province.name), c.province_code, ERA_2025)
    legacy_by_name: dict[tuple[str, str], list[Commune]] = {}
    for c in units.all_communes():
        province = units.province(c.province_code)
        district = units.district(c.district_code or "")
        check("legacy (name, district, province), dated 2024", c, c.name,
              Context(date="2024-01-01", province=province.name, district=district.name),
              c.province_code, LEGACY)
        check("legacy (short name, district, province), undated", c, c.short_name,
              Context(province=province.name, district=district.name), c.province_code, LEGACY)
        legacy_by_name.setdefault((c.province_code, fold(c.name)), []).append(c)
    # Names valid in both maps: a 2025 commune and a legacy commune of the same name in a
    # province it was formed from. Same text, same province named: only the date differs.
    for c in units.communes(era=ERA_2025):
        formed_from = {p.province_code for p in units.predecessors(c)}
        for old_province in units.provinces(LEGACY):
            olds = legacy_by_name.get((old_province.code, fold(c.name)), [])
            if not olds or old_province.code not in formed_from:
                continue
            ctx = Context(province=old_province.name)
            check("both maps: dated 2026 → 2025 unit", c, c.name,
                  replace(ctx, date="2026-01-01"), old_province.code, LEGACY)
            check("both maps: dated 2024 → legacy unit", olds[0] if len(olds) == 1 else None,
                  c.name, replace(ctx, date="2024-01-01"), old_province.code, LEGACY)
    return dict(stats)


def _print(stats: dict[tuple[str, str], int]) -> None:
    for case in dict.fromkeys(c for c, _ in stats):
        counts = {k: v for (c, k), v in stats.items() if c == case}
        total = sum(v for k, v in counts.items() if k != "other province")
        print(f"{case}: {counts.get('ok', 0)}/{total} = {100 * counts.get('ok', 0) / total:.2f} % "
              f"ok; {counts}")


def test_every_2025_unit_resolves_from_name_and_province() -> None:
    stats = figures()
    _print(stats)
    case = "2025 (name, province), dated 2026"
    assert stats[case, "ok"] == len(admin_units().communes(era=ERA_2025)) == 3321
    assert not [k for k in stats if k[0] == case and k[1] != "ok"]


def test_every_legacy_commune_resolves_from_name_district_and_province() -> None:
    stats = figures()
    case = "legacy (name, district, province), dated 2024"
    assert stats[case, "ok"] == len(admin_units().all_communes())
    assert not [k for k in stats if k[0] == case and k[1] != "ok"]


def test_for_names_valid_in_both_maps_the_date_picks_the_map() -> None:
    stats = figures()
    assert stats["both maps: dated 2026 → 2025 unit", "ok"] > 100
    assert stats.get(("both maps: dated 2026 → 2025 unit", "wrong"), 0) == 0
    assert stats["both maps: dated 2024 → legacy unit", "ok"] > 100
    # A name with several legacy namesakes in the merged province is ambiguous, never a guess.
    assert stats.get(("both maps: dated 2024 → legacy unit", "wrong"), 0) == 0


def test_short_names_are_right_or_ambiguous_never_wrong() -> None:
    stats = figures()
    for case in ("2025 (short name, province), undated",
                 "legacy (short name, district, province), undated"):
        assert stats.get((case, "wrong"), 0) == 0
        assert stats[case, "ok"] / sum(v for (c, k), v in stats.items() if c == case) > 0.96


def test_no_resolution_lands_in_another_province() -> None:
    assert not [k for k in figures() if k[1] == "other province"]
