"""What a sheet row names, resolved by the row's own dates: places, villages, units, bodies and plans.

A thin layer over the one resolver (:mod:`danvan.loaders.reference.resolver`) for
``danvan import``: it adds the villages of the store (a village belongs to its
legacy commune and, derived, to the 2025 commune that commune went into), the
optional *Xã cũ* (former commune) that tells same-named villages of a 2025
commune apart, the bodies and plans a row meets for the first time, and the
Vietnamese messages of the import report.

>>> from danvan.graph.embedded import EmbeddedStore
>>> res = SheetResolver(EmbeddedStore(":memory:"))
>>> place = res.place(Context(date="2026-01-10", province="Quảng Ngãi", commune="Xã Kon Braih"))
>>> place.commune.era, res.village("Thôn 1", place, None)
('2025', (None, 'commune-2025-23497'))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from danvan.errors import AmbiguousError, DanvanError, NotFoundError
from danvan.graph.types import Edge, Node
from danvan.loaders.documents.patterns import KIND_CODES, find_numbers
from danvan.loaders.reference.admin_units import ERA_2025, LEGACY, Commune, admin_units
from danvan.loaders.reference.body_succession import body_kind, continuations
from danvan.loaders.reference.resolver import Context, Place, Resolver, maps_for, unit_id
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["SheetResolver", "row_date"]


def row_date(start: str | None, until: str | None) -> str | None:
    """The date that picks a row's map: its start (or end); None when they straddle 1/7/2025.

    >>> row_date("2026-01-01", None), row_date(None, "2024-12-31"), row_date("2024-03-14", "2026-12-31")
    ('2026-01-01', '2024-12-31', None)
    """
    if start and until and maps_for(start) != maps_for(until):
        return None
    return start or until


@lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    """Folded words of a village or commune name (names repeat on every row: folded once)."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in fold(text)).split())


def _lower(name: str) -> str:
    return f"{name[:1].lower()}{name[1:]}"


class SheetResolver:
    """Everything a sheet's rows are resolved against, loaded once per import."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.schema = store.schema
        self.units = admin_units()
        self.names = Resolver(store, self.units)
        self.villages: dict[str, dict[str, list[str]]] = {}  # commune id → key → village ids
        self.villages_by_name: dict[str, list[tuple[str, str]]] = {}
        self.village_names: dict[str, str] = {}
        self.village_commune: dict[str, str] = {}
        for v in store.nodes("Village"):
            commune = v.props.get("commune", "")
            self.village_names[v.id] = v.name
            self.village_commune[v.id] = commune
            for key in {_key(v.name), *(_key(a) for a in v.props.get("aliases", []))}:
                self.villages.setdefault(commune, {}).setdefault(key, []).append(v.id)
                self.villages_by_name.setdefault(key, []).append((v.id, commune))
        self.cache: dict[tuple[Any, ...], Any] = {}
        self.applied: list[str] = []  # questions of the current row settled by a review decision

    def cached(self, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
        """Rows repeat the same names: remember results and errors."""
        if key not in self.cache:
            try:
                self.cache[key] = fn()
            except DanvanError as exc:
                self.cache[key] = exc
        value = self.cache[key]
        if isinstance(value, DanvanError):
            raise value
        return value

    # places ----------------------------------------------------------------------
    def place(self, ctx: Context) -> Place:
        """Province, district and commune of a row, in the map of its date."""
        key = ("place", ctx.date and maps_for(ctx.date), ctx.province, ctx.district, ctx.commune)
        return self.cached(key, lambda: self.names.place(ctx))  # type: ignore[no-any-return]

    def old_commune(self, text: str, place: Place, ctx: Context) -> Commune:
        """The legacy commune a row's *Xã cũ* names: one of its 2025 commune's predecessors."""
        def find() -> Commune:
            new = place.commune if place.commune and place.commune.era == ERA_2025 else None
            if new is not None:
                olds = self.units.predecessors(new)
                try:
                    return _among(self.units, text, olds)
                except NotFoundError:
                    raise NotFoundError(f"xã cũ '{text}' không phải một trong các xã đã hợp thành "
                                        f"{_lower(new.name)} ({', '.join(c.name for c in olds)})") from None
            old_ctx = replace(ctx, date="2025-06-30", commune=None)
            return self.names.commune(text, old_ctx)
        return self.cached(("old", text, place.commune, ctx.province, ctx.district), find)  # type: ignore[no-any-return]

    def place_records(self, commune: Commune) -> tuple[list[Node], list[Edge]]:
        """Nodes and edges that put ``commune`` (and its province, successors) in the store."""
        def build() -> tuple[list[Node], list[Edge]]:
            if commune.era == LEGACY:
                return self.units.graph_records([commune.code])
            province = self.units.province(commune.province_code, era=ERA_2025)
            nodes = [self.units.unit_node(commune), self.units.unit_node(province)]
            return nodes, [Edge("PART_OF", nodes[0].id, nodes[1].id)]
        return self.cached(("records", commune.era, commune.code), build)  # type: ignore[no-any-return]

    # villages --------------------------------------------------------------------
    def village(self, name: str, place: Place, old: Commune | None) -> tuple[str | None, str]:
        """(the known village or None for a new one, the commune id it is or will be in).

        In a 2025 commune the villages of all its former communes count; several
        of one name are ambiguous, each candidate saying which former commune it
        was in, unless the row's *Xã cũ* settles it.
        """
        commune = place.commune
        assert commune is not None
        key = _key(name)
        if old is not None:
            home = unit_id(old)
            hits = self.villages.get(home, {}).get(key, [])
            return (hits[0] if hits else None), home
        home = unit_id(commune)
        if commune.era == LEGACY:
            hits = self.villages.get(home, {}).get(key, [])
            return (hits[0] if hits else None), home
        olds = [unit_id(c) for c in self.units.predecessors(commune)]
        hits = [v for c in (home, *olds) for v in self.villages.get(c, {}).get(key, [])]
        if len(hits) > 1:
            target = self._decided(AmbiguousError(
                f"{commune.name} có {len(hits)} thôn tên '{name}'; hãy ghi cột 'Xã cũ'",
                [{"id": v, "name": self._labelled(v), "where": self._where(v)} for v in hits]))
            return target, self.village_commune[target]
        if hits:
            return hits[0], self.village_commune[hits[0]]
        return None, home

    def village_by_reading(self, name: str, ctx: Context, place: Place
                           ) -> tuple[Place, str | None, str]:
        """An undated row's village where its commune name has a reading in each map.

        The reading in which the village is known, and unambiguous, wins
        ("Thôn 2, Xã Đăk Rve, Huyện Kon Rẫy": the 2025 Xã Đăk Rve, whose former
        commune Đăk Pne has it); a new village goes to the preferred reading.
        """
        readings = self.cached(("readings", ctx.commune, ctx.province, ctx.district),
                               lambda: self.names.commune_options(str(ctx.commune), ctx))
        ambiguous: AmbiguousError | None = None
        for commune in readings if len(readings) > 1 else ():
            reading = self.place(Context(commune=commune))
            try:
                village_id, commune_id = self.village(name, reading, None)
            except AmbiguousError as exc:
                ambiguous = ambiguous or exc
                continue
            if village_id is not None:
                return reading, village_id, commune_id
        if ambiguous is not None:
            raise ambiguous
        return (place, *self.village(name, place, None))

    def village_anywhere(self, name: str, area: set[str]) -> tuple[str, str]:
        """A village named without its commune: the one of that name inside ``area`` (place ids)."""
        key = _key(name)
        hits = [(v, c) for v, c in self.villages_by_name.get(key, [])
                if not area or c in area or self._commune_in(c, area)]
        if not hits:
            raise NotFoundError(f"không tìm thấy thôn '{name}'; hãy ghi xã của thôn")
        if len(hits) > 1:
            target = self._decided(AmbiguousError(
                f"thôn '{name}' có ở {len(hits)} xã; hãy ghi rõ xã",
                [{"id": v, "name": self._labelled(v), "where": self._where(v)} for v, _ in hits[:20]]))
            return target, self.village_commune[target]
        return hits[0]

    def _decided(self, exc: AmbiguousError) -> str:
        """The village a reviewer picked or created for this very question, else raise ``exc``.

        The question is the row's "chưa rõ" message (its name and context), as queued by
        loaders/review.py's ``import_items``; a rejected or undone decision settles nothing.
        """
        from danvan.loaders.review import import_decision

        message = str(exc)
        decision = self.cached(("decided", message), lambda: import_decision(self.store, message))
        target = decision.get("target") if decision else None
        if decision is None or decision.get("action") not in ("pick", "create") \
                or target not in self.village_commune:
            raise exc
        self.applied.append(f"{self._labelled(target)}, {self._where(target)}")
        return str(target)

    def _commune_in(self, commune_id: str, area: set[str]) -> bool:
        code = commune_id.rsplit("-", 1)[-1]
        era = ERA_2025 if "-2025-" in commune_id else LEGACY
        try:
            c = self.units.commune(code, era=era)
        except DanvanError:
            return False
        if era == ERA_2025:
            return f"province-2025-{c.province_code}" in area
        successor = self.units.province_successor(c.province_code).code
        return bool({f"district-{c.district_code}", f"province-{c.province_code}",
                     f"province-2025-{successor}"} & area)

    def _labelled(self, village_id: str) -> str:
        """"Thôn 1 (xã Đăk Ruồng cũ)" for a village of a legacy commune."""
        name = self.village_names[village_id]
        commune = self.village_commune[village_id]
        if "-2025-" in commune:
            return name
        return f"{name} ({_lower(self._commune_name(commune))} cũ)"

    def _where(self, village_id: str) -> str:
        return self._commune_name(self.village_commune[village_id])

    def _commune_name(self, commune_id: str) -> str:
        era = ERA_2025 if "-2025-" in commune_id else LEGACY
        try:
            return self.units.commune(commune_id.rsplit("-", 1)[-1], era=era).name
        except DanvanError:
            return commune_id

    # organisations and plans -------------------------------------------------------
    def org(self, text: str, ctx: Context) -> str | None:
        """The known unit or body ``text`` names, in force at the row's date."""
        maps = maps_for(ctx.date)
        # Scopes only choose among namesakes: a name unknown anywhere in force is unknown in
        # every row's scopes (a new unit named on thousands of rows is looked up once).
        def known() -> bool:
            try:
                return self.names.organisation(text, replace(ctx, scopes=())) is not None
            except AmbiguousError:
                return True  # namesakes in several places: the row's scopes choose
        if not self.cached(("org known", text, maps), known):
            return None
        return self.cached(("org", text, maps, ctx.scopes),  # type: ignore[no-any-return]
                           lambda: self.names.organisation(text, ctx))

    def plan(self, text: str, ctx: Context) -> str | None:
        """The known plan ``text`` names (a plan outlives its issuer: the date only prefers)."""
        return self.cached(("plan", text, maps_for(ctx.date), ctx.scopes),  # type: ignore[no-any-return]
                           lambda: self.names.directive(text, ctx))

    def new_body(self, text: str, place: Place, ev: dict[str, Any]) -> tuple[list[Node], list[Edge]]:
        """A unit or party body met for the first time, scoped to the row's place, and its lineage.

        Raises NotFoundError for a body of a level the row's map no longer has
        (a district committee after 1 July 2025) or a place the row does not give.
        """
        found = body_kind(text)
        level = found[1] if found else _level_word(text)
        era = place.era
        if level == "district" and era == ERA_2025:
            raise NotFoundError(f"'{text}': cấp huyện không còn từ 1/7/2025; hãy ghi cơ quan hiện nay "
                                "(Đảng ủy xã, Ban Thường vụ Tỉnh ủy…)")
        scope: str | None
        if level == "commune" and place.commune is not None:
            scope = unit_id(place.commune)
        elif level == "province" or place.district is None:
            scope = unit_id(place.province) if place.province else None
        else:
            scope = unit_id(place.district)
        if scope is None:
            raise NotFoundError(f"đơn vị '{text}' chưa có trong cơ sở dữ liệu; hãy ghi xã hoặc tỉnh "
                                "để tạo mới")
        label = "PartyBody" if found else "Unit"
        # Checked once per body; each row's node differs only by its evidence (sources).
        base = self.cached(("body", label, scope, text),
                           lambda: self.schema.node(label, scope=scope, name=text))
        node = Node(label, base.id, {**base.props, **ev}, checked=True)
        extra, edges = self.cached(("continues", node.id), lambda: continuations(self.store, node))
        return [node, *extra], list(edges)

    def new_plan(self, text: str, place: Place, issuer_text: str | None, ctx: Context,
                 ev: dict[str, Any]) -> tuple[list[Node], list[Edge], str]:
        """A plan met for the first time: its issuer from the *Cơ quan ban hành* cell or its number.

        "45-KH/TU" in a row of Quảng Ngãi is issued by the Ban Thường vụ Tỉnh ủy
        Quảng Ngãi (TU: the province's party committee; HU: the district's; ĐU: the
        commune's). Returns (nodes, edges, a Vietnamese note for the report).
        """
        numbers = find_numbers(text)
        number = numbers[0] if numbers and numbers[0].start == 0 else None
        issuer_name = issuer_text or (self._issuer_of(number.issuer, place) if number else None)
        if issuer_name is None:
            raise NotFoundError(f"không tìm thấy kế hoạch '{text}'; hãy ghi cột 'Cơ quan ban hành' "
                                "để tạo mới")
        nodes: list[Node] = []
        edges: list[Edge] = []
        issuer_id = self.org(issuer_name, ctx)
        if issuer_id is None:
            nodes, edges = self.new_body(issuer_name, place, ev)
            issuer_id = nodes[0].id
        issuer_scope = (self.store.get(issuer_id).props.get("scope")  # type: ignore[union-attr]
                        if not nodes else nodes[0].props["scope"])
        kind_code = number.kind_code if number else None
        directive = self.schema.node(
            "Directive", ref=number.canonical if number else text, scope=issuer_scope,
            number=number.number if number else None, kind_code=kind_code,
            kind=KIND_CODES.get((kind_code or "").upper(), "Kế hoạch"), issuer=issuer_id, **ev)
        return [*nodes, directive], edges, f"kế hoạch mới '{text}' ({issuer_name})"

    def _issuer_of(self, code: str, place: Place) -> str | None:
        """The body a number's issuer code names at the row's place ("TU" → its Ban Thường vụ Tỉnh ủy)."""
        code = code.upper().replace("Ð", "Đ")
        if code == "TU" and place.province is not None:
            return f"Ban Thường vụ Tỉnh ủy {place.province.short_name}"
        if code == "HU" and place.district is not None:
            return f"Ban Thường vụ Huyện ủy {place.district.short_name}"
        if code == "ĐU" and place.commune is not None:
            return f"Đảng ủy {_lower(place.commune.name)}"
        return None


_LEVEL_WORDS = {"tinh": "province", "thanh pho": "province", "huyen": "district",
                "xa": "commune", "phuong": "commune", "dac khu": "commune"}


@lru_cache(maxsize=1 << 14)
def _level_word(name: str) -> str | None:
    """The level a unit's name gives ("Hội Nông dân tỉnh Kon Tum" → province), if any.

    >>> _level_word("Hội Nông dân tỉnh Kon Tum"), _level_word("Công an huyện"), _level_word("Trường A")
    ('province', 'district', None)
    """
    words = f" {_key(name)} "
    hits = [(words.find(f" {w} "), level) for w, level in _LEVEL_WORDS.items() if f" {w} " in words]
    return min(hits)[1] if hits else None


def _among(units: Any, text: str, olds: list[Commune]) -> Commune:
    """The one of ``olds`` named ``text``: its exact or folded name, else the official lookup
    (aliases, typos) in the former communes' provinces, if it lands among them."""
    key = _key(text)
    hits = [c for c in olds if key in (_key(c.name), _key(c.short_name))]
    if len(hits) == 1:
        return hits[0]
    for province in sorted({c.province_code for c in olds}):
        try:
            found = units.commune(text, province=province)
        except (NotFoundError, AmbiguousError):
            continue
        if found in olds:
            return found  # type: ignore[no-any-return]
    raise NotFoundError(text)
