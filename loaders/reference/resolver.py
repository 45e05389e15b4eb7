"""One resolver for places and organisations: a fact's name, date and context → the entity meant.

A name means different things at different dates: "Xã Đăk Kôi" in a 2023 report
is the legacy commune, in a 2026 plan the 2025 one (Đăk Kôi + Đăk Tơ Lung).
:class:`Resolver` takes the fact's date (document date, assignment period) and
context (province, district, commune, the issuing body's scope) and looks in
the map in force (:func:`maps_for`): from 1 July 2025 today's map, before it
the legacy map, undated both — a name valid in only one of them, or
unambiguous in only one, is taken; otherwise the caller's preferred map
decides when both name the same place's lineage, and anything else is
ambiguous with candidates from both. A named province is a hard limit: no
resolution ever lands outside it (a legacy province named in a post-reform
fact limits the search to the 2025 communes formed from it).

Organisations and plans are matched against a store's names with the one
exact/fuzzy rule (:func:`danvan.queries.resolve.match_rows`), limited to bodies
in force at the date: after the reform only bodies of 2025 units, before it
only bodies of legacy ones.

Import (``loaders/spreadsheets/load.py``) and extraction use it; errors are
NotFoundError / AmbiguousError with Vietnamese messages a board can read, and
AmbiguousError's candidates carry ``id`` and ``era``.

>>> r = Resolver()
>>> r.commune("Xã Đăk Kôi", Context(date="2026-03-01", province="Quảng Ngãi")).era
'2025'
>>> r.commune("Xã Đăk Kôi", Context(date="2023-05-10", province="Kon Tum")).code
'23482'
>>> r.commune("Kon Braih", Context(province="Quảng Ngãi")).name
'Xã Kon Braih'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from danvan.errors import AmbiguousError, DanvanError, NotFoundError
from danvan.graph.schema import load_schema
from danvan.loaders.reference.admin_units import (
    ERA_2025,
    LEGACY,
    REFORM_DATE,
    AdminUnits,
    Commune,
    District,
    Province,
    admin_units,
)
from danvan.queries.base import NameRow
from danvan.queries.resolve import match_rows
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["BOARDS_MERGED", "ORG_LABELS", "Context", "Place", "Resolver", "in_force",
           "maps_for", "scope_of", "unit_id", "with_date"]

#: Kết luận 121-KL/TW: each province's Ban Tuyên giáo and Ban Dân vận merged from this day.
BOARDS_MERGED = "2025-03-01"
ORG_LABELS = load_schema().group("organisations")
_SCOPE_IN_ID = re.compile(
    r"^[a-z]+-((?:province|commune)-2025-\d+|(?:province|district|commune)-\d+)-")


def _iso(date: str | dt.date | None) -> str | None:
    if date is None or date == "":
        return None
    if isinstance(date, dt.datetime):
        return date.date().isoformat()
    if isinstance(date, dt.date):
        return date.isoformat()
    return str(date)[:10]


def maps_for(date: str | dt.date | None) -> tuple[str, ...]:
    """The map(s) in force at ``date``: today's from 2025-07-01, legacy before, both undated.

    >>> maps_for("2026-01-15"), maps_for("2024-03-14"), maps_for(None)
    (('2025',), ('legacy',), ('2025', 'legacy'))
    """
    iso = _iso(date)
    if iso is None:
        return (ERA_2025, LEGACY)
    return (ERA_2025,) if iso >= REFORM_DATE else (LEGACY,)


def unit_id(unit: Province | District | Commune) -> str:
    """The store id of an official unit (the schema's rule, without building a node).

    >>> unit_id(admin_units().commune("23488")), unit_id(admin_units().province("51", era="2025"))
    ('commune-23488', 'province-2025-51')
    """
    prefix = type(unit).__name__.lower()
    era = getattr(unit, "era", LEGACY)
    return f"{prefix}-{unit.code}" if era == LEGACY else f"{prefix}-{era}-{unit.code}"


def in_force(scope_id: str | None, date: str | dt.date | None) -> bool:
    """Whether a body scoped to ``scope_id`` (a place id) can act at ``date``.

    Legacy provinces, districts and communes were dissolved on 1 July 2025; 2025
    units did not exist before. Undated or unscoped: always.

    >>> in_force("province-62", "2026-01-01"), in_force("province-2025-51", "2026-01-01")
    (False, True)
    >>> in_force("district-614", "2024-01-01"), in_force("commune-2025-23485", None)
    (True, True)
    """
    if not scope_id:
        return True
    eras = maps_for(date)
    era = ERA_2025 if "-2025-" in scope_id else LEGACY
    return era in eras


@dataclass(frozen=True)
class Context:
    """What is known around a name: the fact's date and where (and by whom) it was written.

    ``province``/``district``/``commune`` are names or codes as written (or
    official units); ``scopes`` are ids of places or bodies the fact is about
    (the issuing body's scope first); ``prefer`` is the map chosen when an
    undated name is valid in both and names one lineage.
    """

    date: str | dt.date | None = None
    province: str | Province | None = None
    district: str | District | None = None
    commune: str | Commune | None = None
    scopes: tuple[str, ...] = ()
    prefer: str = ERA_2025

    @property
    def maps(self) -> tuple[str, ...]:
        """The map(s) in force for this fact (see :func:`maps_for`)."""
        return maps_for(self.date)


@dataclass(frozen=True)
class Place:
    """Where a fact is: its commune (of either map) and, when known, district and province."""

    province: Province | None
    district: District | None
    commune: Commune | None

    @property
    def era(self) -> str | None:
        """The map the place belongs to (None when nothing was named)."""
        unit = self.commune or self.province
        return unit.era if unit is not None else None

    def ids(self) -> set[str]:
        """Ids of the named units (scopes a body or plan of this place may have)."""
        return {unit_id(u) for u in (self.province, self.district, self.commune) if u is not None}


def _lower(name: str) -> str:
    return f"{name[:1].lower()}{name[1:]}"


class Resolver:
    """Resolution of place and organisation names by date and context; build one per job.

    Place lookups need no store; organisation and plan lookups read the
    store's names once (cached by the store until it changes).
    """

    def __init__(self, store: Store | None = None, units: AdminUnits | None = None) -> None:
        self.store = store
        self.units = units or admin_units()
        self._memo: dict[tuple[Any, ...], Any] = {}

    # memo ------------------------------------------------------------------------
    def _cached(self, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
        """Rows repeat the same places: remember results and errors."""
        if key not in self._memo:
            try:
                self._memo[key] = fn()
            except DanvanError as exc:
                self._memo[key] = exc
        value = self._memo[key]
        if isinstance(value, DanvanError):
            raise value
        return value

    # provinces -------------------------------------------------------------------
    def province(self, text: str | Province, ctx: Context = Context()) -> Province:
        """The province named ``text`` in the map in force (a legacy one when only it matches).

        >>> Resolver().province("Kon Tum", Context(date="2026-01-01")).era
        'legacy'
        >>> Resolver().province("Quảng Ngãi", Context(date="2026-01-01")).era
        '2025'
        """
        if isinstance(text, Province):
            return text
        return self._cached(("p", text, ctx.maps), lambda: self._province(text, ctx.maps))

    def _province(self, text: str, maps: tuple[str, ...]) -> Province:
        found: list[Province] = []
        for era in (ERA_2025, LEGACY):
            try:
                found.append(self.units.province(text, era=era))
            except NotFoundError:
                continue
        if not found:
            raise NotFoundError(f"không tìm thấy tỉnh '{text}'")
        # An exact name beats a typo-tolerant match in the other map ("Hà Giang" in 2026 is
        # the former province, not An Giang); then the map in force.
        exact = [p for p in found if _named(text, p)]
        in_map = [p for p in exact or found if p.era in maps]
        return (in_map or exact or found)[0]

    # communes --------------------------------------------------------------------
    def commune(self, text: str, ctx: Context = Context()) -> Commune:
        """The commune named ``text`` in the map in force at ``ctx.date``, inside ``ctx``'s places.

        A district in the context means the legacy map (2025 has no districts).
        Raises NotFoundError or AmbiguousError (candidates with ``id``, ``era``).

        >>> r = Resolver()
        >>> r.commune("Đăk Kôi", Context(date="2026-01-01", province="Kon Tum")).name
        'Xã Đăk Kôi'
        >>> try:
        ...     r.commune("Đăk Tơ Lung", Context(date="2026-01-01", province="Quảng Ngãi"))
        ... except NotFoundError as exc:
        ...     print(str(exc).split("; ")[-1])
        xã Đăk Tơ Lung cũ nay thuộc Xã Đăk Kôi)
        """
        key = ("c", text, ctx.maps, ctx.prefer, _key_of(ctx.province), _key_of(ctx.district))
        return self._cached(key, lambda: self._commune(text, ctx))

    def _commune(self, text: str, ctx: Context) -> Commune:
        province = self.province(ctx.province, ctx) if ctx.province else None
        if ctx.district:
            return self._legacy_in_district(text, ctx, province)
        outcomes: dict[str, Commune | DanvanError] = {}
        for era in ctx.maps:
            try:
                outcomes[era] = self._in_map(text, era, province)
            except (NotFoundError, AmbiguousError) as exc:
                outcomes[era] = exc
        found = {era: c for era, c in outcomes.items() if isinstance(c, Commune)}
        if len(found) == 2:
            exact = {era: c for era, c in found.items() if _named(text, c)}
            found = exact or found  # an exact name beats a typo-tolerant one in the other map
        if len(found) == 1:
            return next(iter(found.values()))
        if len(found) == 2:
            old, new = found[LEGACY], found[ERA_2025]
            if self._one_lineage(old, new):
                return found.get(ctx.prefer, new)
            raise AmbiguousError(
                f"tên xã '{text}' có ở cả danh mục trước và từ 1/7/2025; hãy ghi ngày hoặc huyện",
                [self._candidate(old), self._candidate(new)])
        ambiguous = [e for e in outcomes.values() if isinstance(e, AmbiguousError)]
        if ambiguous:
            candidates = [c for e in ambiguous for c in e.candidates]
            raise AmbiguousError(str(ambiguous[0]), candidates)
        errors = [e for e in outcomes.values() if isinstance(e, DanvanError)]
        if len(errors) == 1:
            raise errors[0]
        where = _lower(province.name) if province else "danh mục hành chính"
        raise NotFoundError(f"không tìm thấy xã '{text}' trong {where}")

    def commune_options(self, text: str, ctx: Context) -> list[Commune]:
        """Every reading of a commune name: for an undated fact naming one lineage in both maps,
        both communes (the preferred map's first); otherwise the one :meth:`commune` gives.

        A caller with more to go on (a village that only one reading has) picks the
        unambiguous one.

        >>> [c.era for c in Resolver().commune_options("Đăk Kôi", Context(province="Kon Tum"))]
        ['2025', 'legacy']
        """
        first = self.commune(text, ctx)
        if ctx.date is not None:
            return [first]
        readings = [first]
        for date in ("2025-06-30", REFORM_DATE):
            try:
                other = self.commune(text, replace(ctx, date=date))
            except (NotFoundError, AmbiguousError):
                continue
            if other != first and self._one_lineage(first, other):
                readings.append(other)
        return readings

    def _one_lineage(self, a: Commune, b: Commune) -> bool:
        old, new = (a, b) if a.era == LEGACY else (b, a)
        if old.era != LEGACY or new.era != ERA_2025:
            return False
        return new.code in {c.code for c in self.units.successor(old).candidates}

    def _legacy_in_district(self, text: str, ctx: Context, province: Province | None) -> Commune:
        if province is not None and province.era != LEGACY:
            # "Huyện Kon Rẫy, Tỉnh Quảng Ngãi": the district's legacy province is one of the
            # 2025 province's predecessors; the district itself decides.
            province = None
        district = ctx.district
        if not isinstance(district, District):
            district = self._district(str(district), province)
        if ctx.province and self.province(ctx.province, ctx).era == ERA_2025:
            wanted = self.province(ctx.province, ctx)
            if self.units.province_successor(district.province_code).code != wanted.code:
                raise NotFoundError(f"{district.name} không thuộc {_lower(wanted.name)}")
        if ctx.maps == (ERA_2025,):
            formed = self._formed_from_district(text, district)
            if formed is not None:
                return formed
        try:
            return self.units.commune(text, district=district)
        except NotFoundError:
            # "Xã Kon Braih, Huyện Kon Rẫy": a 2025 commune formed (partly) from the district's
            # communes, as exports in today's map write it beside the former district.
            formed = self._formed_from_district(text, district)
            if formed is not None:
                return formed
            raise NotFoundError(f"không tìm thấy xã '{text}' trong {_lower(district.name)}") from None
        except AmbiguousError as exc:
            raise AmbiguousError(f"tên xã '{text}' trùng trong {_lower(district.name)}",
                                 [self._candidate_dict(c, LEGACY) for c in exc.candidates]) from None

    def _formed_from_district(self, text: str, district: District) -> Commune | None:
        units = self.units
        province = units.province_successor(district.province_code)
        try:
            found = units.commune(text, province=province, era=ERA_2025)
        except (NotFoundError, AmbiguousError):
            return None
        if any(p.district_code == district.code for p in units.predecessors(found)):
            return found
        return None

    def _in_map(self, text: str, era: str, province: Province | None) -> Commune:
        """The commune of ``era`` named ``text``, inside ``province`` if given."""
        units = self.units
        if province is None:
            try:
                return units.commune(text, era=era)
            except NotFoundError:
                raise NotFoundError(f"không tìm thấy xã '{text}'" + _map_note(era)) from None
            except AmbiguousError as exc:
                raise AmbiguousError(f"tên xã '{text}' trùng ở nhiều nơi; hãy ghi tỉnh"
                                     + ("" if era == ERA_2025 else ", huyện"),
                                     [self._candidate_dict(c, era) for c in exc.candidates]) from None
        scope = province
        limit: Callable[[Commune], bool] | None = None
        if province.era != era:
            if era == LEGACY:
                return self._in_former_provinces(text, province)
            # A legacy province in a post-reform fact: its 2025 successor, limited to the
            # communes formed from it (never another part of the merged province).
            scope = units.province_successor(province)
            old_code = province.code
            limit = lambda c: any(p.province_code == old_code  # noqa: E731
                                  for p in units.predecessors(c))
        try:
            found = units.commune(text, province=scope, era=era)
        except NotFoundError:
            raise NotFoundError(self._missing(text, scope, era)) from None
        except AmbiguousError as exc:
            hits = [units.commune(c["code"], era=era) for c in exc.candidates]
            if limit is not None:
                hits = [c for c in hits if limit(c)]
            if len(hits) == 1:
                return hits[0]
            raise AmbiguousError(f"tên xã '{text}' trùng trong {_lower(scope.name)}",
                                 [self._candidate(c) for c in hits or
                                  [units.commune(c["code"], era=era) for c in exc.candidates]]
                                 ) from None
        if limit is not None and not limit(found):
            raise NotFoundError(f"xã '{text}' ({found.name}) không thuộc địa bàn "
                                f"{_lower(province.name)} cũ")
        return found

    def _in_former_provinces(self, text: str, province: Province) -> Commune:
        """A legacy commune named in a 2025 province: among the provinces it was formed from."""
        found: list[Commune] = []
        ambiguous: list[dict[str, Any]] = []
        for old in self.units.provinces(LEGACY):
            if self.units.province_successor(old).code != province.code:
                continue
            try:
                found.append(self.units.commune(text, province=old))
            except NotFoundError:
                continue
            except AmbiguousError as exc:
                ambiguous += [self._candidate_dict(c, LEGACY) for c in exc.candidates]
        if len(found) == 1 and not ambiguous:
            return found[0]
        if found or ambiguous:
            raise AmbiguousError(f"tên xã '{text}' trùng trong các tỉnh đã hợp thành "
                                 f"{_lower(province.name)}; hãy ghi huyện",
                                 [self._candidate(c) for c in found] + ambiguous)
        raise NotFoundError(f"không tìm thấy xã '{text}' trong các tỉnh đã hợp thành "
                            f"{_lower(province.name)}{_map_note(LEGACY)}")

    def _missing(self, text: str, province: Province, era: str) -> str:
        """Not found, and where the name is in the other map if it is (a helpful hint)."""
        message = f"không tìm thấy xã '{text}' trong {_lower(province.name)}{_map_note(era)}"
        if era == ERA_2025:
            olds = [p for p in self.units.provinces(LEGACY)
                    if self.units.province_successor(p).code == province.code]
            for old in olds:
                try:
                    commune = self.units.commune(text, province=old)
                except (NotFoundError, AmbiguousError):
                    continue
                now = self.units.successor(commune).candidates
                return (message[:-1] + f"; {_lower(commune.name)} cũ nay thuộc "
                        f"{', '.join(c.name for c in now)})")
        return message

    def place(self, ctx: Context) -> Place:
        """Province, district and commune of a row or a document's context, resolved together.

        >>> p = Resolver().place(Context(date="2026-02-01", province="Quảng Ngãi",
        ...                              commune="Xã Kon Braih"))
        >>> p.commune.name, p.commune.era, p.province.era, p.district
        ('Xã Kon Braih', '2025', '2025', None)
        """
        units = self.units
        province = self.province(ctx.province, ctx) if ctx.province else None
        district: District | None = None
        commune: Commune | None = None
        if ctx.commune:
            commune = (ctx.commune if isinstance(ctx.commune, Commune)
                       else self.commune(ctx.commune, ctx))
            if commune.district_code:
                district = units.district(commune.district_code)
            province = units.province(commune.province_code, era=commune.era)
        elif ctx.district:
            d = ctx.district
            district = d if isinstance(d, District) else self._district(d, province)
            province = units.province(district.province_code)
        return Place(province, district, commune)

    def _district(self, text: str, province: Province | None) -> District:
        legacy = province if province is not None and province.era == LEGACY else None
        try:
            return self.units.district(text, province=legacy)
        except NotFoundError:
            where = f" trong {_lower(province.name)}" if province else ""
            raise NotFoundError(f"không tìm thấy huyện '{text}'{where}") from None
        except AmbiguousError as exc:
            raise AmbiguousError(f"tên huyện '{text}' trùng ở nhiều tỉnh; hãy ghi tỉnh",
                                 exc.candidates) from None

    # candidates ------------------------------------------------------------------
    def _candidate(self, commune: Commune) -> dict[str, Any]:
        """``{"id", "code", "name", "era", "where"}``, "where" saying which map and place."""
        units = self.units
        province = units.province(commune.province_code, era=commune.era).name
        if commune.era == LEGACY:
            district = units.district(commune.district_code or "").name
            where = f"{district}, {province} (trước 1/7/2025)"
        else:
            where = f"{province} (từ 1/7/2025)"
        return {"id": unit_id(commune), "code": commune.code, "name": commune.name,
                "era": commune.era, "where": where}

    def _candidate_dict(self, candidate: dict[str, Any], era: str) -> dict[str, Any]:
        return self._candidate(self.units.commune(candidate["code"], era=era))

    # organisations and plans -----------------------------------------------------
    def organisation(self, text: str, ctx: Context = Context(),
                     labels: Sequence[str] = ORG_LABELS, what: str = "đơn vị") -> str | None:
        """The id of the body or unit named ``text`` in force at ``ctx.date``, or None if unknown.

        Bodies scoped to ``ctx.scopes`` win over namesakes elsewhere; a name in a
        post-reform fact never resolves to a body of a dissolved province or
        district. Raises AmbiguousError when several remain.
        """
        if self.store is None:
            raise ValueError("organisation lookups need a store")
        rows = self.store.names(labels)
        return self._pick(rows, text, ctx, what)

    def directive(self, text: str, ctx: Context = Context()) -> str | None:
        """The id of the plan or directive numbered/named ``text`` (scoped like organisations)."""
        return self.organisation(text, ctx, ("Directive",), "kế hoạch")

    def _in_force(self, rows: Sequence[NameRow], maps: tuple[str, ...]) -> Sequence[NameRow]:
        """The rows of bodies in force in ``maps``, one tuple per name tuple and maps (an import
        asks thousands of times: filtering once keeps each lookup to the rows that count)."""
        if len(maps) == 2:
            return rows
        key = (id(rows), maps)
        hit = self._memo.get(key)
        if hit is None or hit[0] is not rows:
            def accept(row: NameRow) -> bool:
                scope = scope_of(row.id)
                return scope is None or (ERA_2025 if "-2025-" in scope else LEGACY) in maps
            hit = self._memo[key] = (rows, tuple(r for r in rows if accept(r)))
        return hit[1]  # type: ignore[no-any-return]

    def _pick(self, rows: Sequence[NameRow], text: str, ctx: Context, what: str) -> str | None:
        scopes = set(ctx.scopes)
        near = (lambda row: scope_of(row.id) in scopes) if scopes else None
        found = match_rows(self._in_force(rows, ctx.maps), text, near=near)
        if not found:
            return None
        if len(found) > 1:
            raise AmbiguousError(f"{what} '{text}' khớp với {len(found)} mục; hãy ghi rõ hơn",
                                 [{"id": r.id, "name": r.name, "where": scope_of(r.id)}
                                  for r in found[:20]])
        return found[0].id


def scope_of(node_id: str) -> str | None:
    """The place id inside a body's or plan's id: ``unit-district-614-…`` → ``district-614``.

    >>> scope_of("party-province-2025-51-ban-thuong-vu-tinh-uy"), scope_of("source-x")
    ('province-2025-51', None)
    """
    m = _SCOPE_IN_ID.match(node_id)
    return m[1] if m else None


def _named(text: str, unit: Province | District | Commune) -> bool:
    """Whether ``text`` is the unit's name or short name, accents, case and type word aside.

    >>> hg = admin_units().province("02")
    >>> _named("tinh ha giang", hg), _named("An Giang", hg)
    (True, False)
    """
    key = "".join(fold(text).split())
    return key in ("".join(fold(unit.name).split()), "".join(fold(unit.short_name).split()))


def _key_of(value: Any) -> Any:
    return unit_id(value) if isinstance(value, Province | District | Commune) else value


def _map_note(era: str) -> str:
    return " (danh mục từ 1/7/2025)" if era == ERA_2025 else " (danh mục trước 1/7/2025)"


def with_date(ctx: Context, date: str | dt.date | None) -> Context:
    """``ctx`` for another date (a row's own dates in a sheet mixing periods)."""
    return replace(ctx, date=date)
