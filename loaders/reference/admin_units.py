"""Official Vietnamese administrative units, offline, from ``vietnamadminunits``' data.

Two eras: ``"legacy"`` (63 provinces → districts → communes, before 1 July 2025)
and ``"2025"`` (34 provinces → communes, no districts). The data is read
directly from the package's bundled SQLite file and ``converter_2025.json``;
the package itself is never imported, because its converter may call an
online geocoder. Nothing here touches the network.

Names are matched by code, exact name, accent-free folded name (see
:func:`danvan.text.fold`), the package's alias keys and, last, a fuzzy match
that must be clearly better than the runner-up.

>>> units = admin_units()
>>> commune = units.commune("Đăk Rưởng", district="Kon Rẫy", province="Kon Tum")
>>> commune.name, commune.code, units.district(commune.district_code).name
('Xã Đăk Ruồng', '23488', 'Huyện Kon Rẫy')
>>> units.successor("23488").province.name
'Tỉnh Quảng Ngãi'
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Generic, TypeVar

from rapidfuzz import fuzz, process

from danvan.errors import AmbiguousError, LoadError, NotFoundError
from danvan.graph.schema import load_schema
from danvan.graph.types import Edge, Node
from danvan.text import fold, nfc

__all__ = [
    "ERA_2025",
    "LEGACY",
    "REFORM_DATE",
    "AdminUnits",
    "Commune",
    "District",
    "Province",
    "Successor",
    "admin_units",
    "data_dir",
    "succession_edge",
]

LEGACY = "legacy"
ERA_2025 = "2025"
ERAS = (LEGACY, ERA_2025)

# A fuzzy match needs this rapidfuzz ratio (0..100) on the folded short name …
FUZZY_CUTOFF = 85.0
# … and must beat every other unit in scope by at least this much.
FUZZY_MARGIN = 5.0

# Former names the package does not list, as accent-free keys: legacy province code → keys.
_PROVINCE_ALIASES = {"46": ["thuathienhue", "tthue"]}  # Thừa Thiên Huế → Thành phố Huế, 2025-01-01

_ALNUM_RUN = re.compile(r"[a-z0-9]+")
_TYPE_SUFFIX = re.compile(r"\s*\([^()]*\)$")

# Type words (folded) a name may start with, per level, and the kind they mean.
_TYPE_WORDS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "commune": (
        (("thi", "tran"), "Thị trấn"), (("dac", "khu"), "Đặc khu"), (("xa",), "Xã"),
        (("phuong",), "Phường"), (("tt",), "Thị trấn"), (("x",), "Xã"), (("p",), "Phường"),
    ),
    "district": (
        (("thanh", "pho"), "Thành phố"), (("thi", "xa"), "Thị xã"), (("huyen",), "Huyện"),
        (("quan",), "Quận"), (("tp",), "Thành phố"), (("tx",), "Thị xã"),
        (("h",), "Huyện"), (("q",), "Quận"),
    ),
    "province": ((("thanh", "pho"), "Thành phố"), (("tinh",), "Tỉnh"), (("tp",), "Thành phố")),
}


# ---------------------------------------------------------------------------
# value types


@dataclass(frozen=True, slots=True)
class Province:
    """A province (tỉnh) or centrally-run city (thành phố) of one era.

    >>> p = admin_units().province("kon tum")
    >>> p.code, p.name, p.short_name, p.era, p.kind
    ('62', 'Tỉnh Kon Tum', 'Kon Tum', 'legacy', 'Tỉnh')
    """

    code: str
    name: str
    short_name: str
    lat: float | None
    lon: float | None
    era: str = LEGACY

    @property
    def kind(self) -> str:
        """The type word of the name: "Tỉnh" or "Thành phố"."""
        return _type_word(self.name, self.short_name)


@dataclass(frozen=True, slots=True)
class District:
    """A legacy district: huyện, quận, thị xã or thành phố thuộc tỉnh.

    >>> d = admin_units().district("Kon Rẫy")
    >>> d.code, d.name, d.kind, d.province_code
    ('614', 'Huyện Kon Rẫy', 'Huyện', '62')
    """

    code: str
    name: str
    short_name: str
    kind: str
    province_code: str
    lat: float | None
    lon: float | None
    era: str = LEGACY


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune-level unit (xã, phường, thị trấn; 2025 also đặc khu).

    ``district_code`` is None for 2025 communes (districts were abolished).

    >>> c = admin_units().commune("23479")
    >>> c.name, c.kind, c.district_code, c.province_code, c.era
    ('Thị trấn Đăk Rve', 'Thị trấn', '614', '62', 'legacy')
    """

    code: str
    name: str
    short_name: str
    kind: str
    district_code: str | None
    province_code: str
    lat: float | None
    lon: float | None
    era: str = LEGACY
    area: float | None = None  # km², 2025 communes only (the package has no legacy areas)


@dataclass(frozen=True)
class Successor:
    """Where a legacy commune went on 1 July 2025.

    ``divided`` is True when the commune was split among several 2025 communes;
    ``candidates`` then lists them all and ``commune`` is the one the data marks
    as the default (None if it marks none). Otherwise ``candidates == [commune]``.

    >>> s = admin_units().successor("23485")
    >>> s.divided, s.commune.era, s.province.name
    (False, '2025', 'Tỉnh Quảng Ngãi')
    """

    commune: Commune | None
    province: Province
    candidates: list[Commune]
    divided: bool


Unit = Province | District | Commune
U = TypeVar("U", Province, District, Commune)


# ---------------------------------------------------------------------------
# text helpers


def _words(text: str) -> list[str]:
    """Folded alphanumeric words: ``"Ia H'Drai"`` → ``['ia', 'h', 'drai']``."""
    return _ALNUM_RUN.findall(fold(text))


def _exact(text: str) -> str:
    """Accent-keeping, case-free form: NFC, casefolded, single spaces."""
    return " ".join(nfc(text).casefold().split())


def _type_word(name: str, short_name: str) -> str:
    """``"Tỉnh Kon Tum", "Kon Tum"`` → ``"Tỉnh"``."""
    return name[: len(name) - len(short_name)].strip() if name.endswith(short_name) else ""


def _split_type(words: list[str], level: str) -> tuple[str | None, list[str]]:
    """Strip a leading type word: ``['xa', 'dak', 'ruong']`` → ``('Xã', ['dak', 'ruong'])``."""
    for prefix, kind in _TYPE_WORDS[level]:
        if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
            return kind, words[len(prefix):]
    return None, words


def _kind(unit: Unit) -> str:
    return unit.kind


def _lower_type(unit: Unit) -> str:
    """How a scope reads in a message: ``"huyện Kon Rẫy"``, ``"tỉnh Kon Tum"``."""
    word = _type_word(unit.name, unit.short_name)
    return f"{word[:1].lower()}{word[1:]} {unit.short_name}".strip()


class _Folder:
    """Folds data names to spaced words, caching names and words (they repeat a lot).

    >>> _Folder().spaced("Xã Ia H'Drai")
    'xa ia h drai'
    """

    def __init__(self) -> None:
        self._words: dict[str, str] = {}
        self._names: dict[str, str] = {}

    def spaced(self, text: str) -> str:
        folded = self._names.get(text)
        if folded is None:
            parts = []
            for word in text.split():
                part = self._words.get(word)
                if part is None:
                    part = self._words[word] = " ".join(_ALNUM_RUN.findall(fold(word)))
                if part:
                    parts.append(part)
            folded = self._names[text] = " ".join(parts)
        return folded


# ---------------------------------------------------------------------------
# data files


def data_dir() -> Path:
    """Folder of ``vietnamadminunits``' bundled data, found without importing the package.

    >>> (data_dir() / "dataset.db").is_file()
    True
    """
    spec = find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise LoadError("vietnamadminunits", None, "package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


_LEGACY_SQL = """
SELECT provinceCode, province, provinceShort, provinceLat, provinceLon, provinceKey, provinceAlias,
       districtCode, district, districtShort, districtType, districtLat, districtLon, districtKey,
       districtAlias, wardCode, ward, wardShort, wardType, wardLat, wardLon, wardKey, wardAlias
FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode
"""
_NEW_SQL = """
SELECT provinceCode, province, provinceShort, provinceLat, provinceLon, provinceKey, provinceAlias,
       wardCode, ward, wardShort, wardType, wardLat, wardLon, wardKey, wardAlias, wardAreaKm2
FROM admin_units ORDER BY provinceCode, wardCode
"""


def _read_db(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of both tables, read-only."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
            return conn.execute(_LEGACY_SQL).fetchall(), conn.execute(_NEW_SQL).fetchall()
    except sqlite3.Error as exc:
        raise LoadError(str(path), None, f"cannot read: {exc}") from exc


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise LoadError(str(path), None, f"cannot read: {exc}") from exc


def _short(short: str) -> str:
    """The package disambiguates some short names: ``"Yên Viên (Xã)"`` → ``"Yên Viên"``."""
    return _TYPE_SUFFIX.sub("", short)


def _alias_keys(raw: str | None) -> list[str]:
    """The package's alias column: a JSON list of accent-free keys (former names)."""
    return [k for k in json.loads(raw) if k] if raw else []


# ---------------------------------------------------------------------------
# indexes


class _Index(Generic[U]):
    """Codes and name keys of one level of one era, built once."""

    def __init__(self, level: str, width: int, units: Iterable[U],
                 aliases: dict[str, list[str]], folder: _Folder) -> None:
        self.level = level
        self.width = width
        self.units: list[U] = list(units)
        self.by_code: dict[str, U] = {u.code: u for u in self.units}
        self.exact: dict[str, list[U]] = {}
        self.keyed: dict[str, list[U]] = {}
        self.alias: dict[str, list[U]] = {}
        self.words: dict[str, str] = {}
        for unit in self.units:
            short = folder.spaced(unit.short_name)
            self.words[unit.code] = short
            self._add(self.exact, unit.name.casefold(), unit.short_name.casefold(), unit)
            self._add(self.keyed, folder.spaced(unit.name).replace(" ", ""),
                      short.replace(" ", ""), unit)
            for key in dict.fromkeys(aliases.get(unit.code, ())):
                self.alias.setdefault(key, []).append(unit)
        self.choices: list[str] = [self.words[u.code] for u in self.units]

    @staticmethod
    def _add(table: dict[str, list[U]], full: str, short: str, unit: U) -> None:
        table.setdefault(full, []).append(unit)
        if short != full:
            table.setdefault(short, []).append(unit)

    def code(self, text: str) -> str:
        """Zero-padded code: ``"614"``, ``"23488"``, ``"62"``."""
        return text.zfill(self.width)


def _narrow(hits: Iterable[U] | None, accept: Callable[[U], bool] | None,
            kind: str | None) -> list[U]:
    """Hits inside the scope; of those, the ones of ``kind`` if any."""
    found = [u for u in dict.fromkeys(hits or ()) if accept is None or accept(u)]
    if kind:
        same = [u for u in found if _kind(u) == kind]
        return same or found
    return found


# ---------------------------------------------------------------------------
# the registry


class AdminUnits:
    """All units of both eras with folded-name indexes; construct once (see :func:`admin_units`).

    >>> units = admin_units()
    >>> [c.short_name for c in units.communes("Kon Rẫy", province="Kon Tum")][:3]
    ['Đăk Rve', 'Đăk Kôi', 'Đăk Tơ Lung']
    >>> units.commune("DAK TO LUNG", district="614").name
    'Xã Đăk Tơ Lung'
    """

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or data_dir()
        legacy_rows, new_rows = _read_db(folder / "dataset.db")
        self._folder = _Folder()
        keys: dict[str, str] = {}  # the converter's keys → codes
        self._load_legacy(legacy_rows, keys)
        self._load_2025(new_rows, keys)
        converter = folder / "converter_2025.json"
        try:
            self._load_successors(_read_json(converter), keys)
        except KeyError as exc:
            raise LoadError(str(converter), None, f"unknown unit key {exc}") from None

    # loading ---------------------------------------------------------------
    def _load_legacy(self, rows: list[tuple[Any, ...]], keys: dict[str, str]) -> None:
        provinces: dict[str, Province] = {}
        districts: dict[str, District] = {}
        communes: list[Commune] = []
        aliases: dict[str, dict[str, list[str]]] = {"province": {}, "district": {}, "commune": {}}
        for (pcode, pname, pshort, plat, plon, pkey, palias, dcode, dname, dshort, dkind, dlat,
             dlon, dkey, dalias, code, name, short, kind, lat, lon, key, alias) in rows:
            if pcode not in provinces:
                provinces[pcode] = Province(pcode, pname, _short(pshort), plat, plon, LEGACY)
                aliases["province"][pcode] = _alias_keys(palias) + _PROVINCE_ALIASES.get(pcode, [])
                keys[f"province:{pkey}"] = pcode
            if dcode not in districts:
                districts[dcode] = District(dcode, dname, _short(dshort), dkind, pcode, dlat,
                                            dlon)
                aliases["district"][dcode] = _alias_keys(dalias)
            if not code:  # island districts without communes (Lý Sơn, Côn Đảo, …)
                continue
            communes.append(Commune(code, name, _short(short), kind, dcode, pcode, lat, lon,
                                    LEGACY))
            if alias:
                aliases["commune"][code] = _alias_keys(alias)
            keys[f"{pkey}_{dkey}_{key}"] = code
        self._provinces = {LEGACY: _Index("province", 2, provinces.values(),
                                          aliases["province"], self._folder)}
        self._districts = _Index("district", 3, districts.values(), aliases["district"],
                                 self._folder)
        self._communes = {LEGACY: _Index("commune", 5, communes, aliases["commune"],
                                         self._folder)}
        self._by_district: dict[str, list[Commune]] = {}
        self._by_province: dict[tuple[str, str], list[Commune]] = {}
        self._districts_of: dict[str, list[District]] = {}
        for commune in communes:
            self._by_district.setdefault(commune.district_code or "", []).append(commune)
            self._by_province.setdefault((LEGACY, commune.province_code), []).append(commune)
        for district in districts.values():
            self._districts_of.setdefault(district.province_code, []).append(district)

    def _load_2025(self, rows: list[tuple[Any, ...]], keys: dict[str, str]) -> None:
        provinces: dict[str, Province] = {}
        communes: list[Commune] = []
        aliases: dict[str, dict[str, list[str]]] = {"province": {}, "commune": {}}
        for (pcode, pname, pshort, plat, plon, pkey, palias,
             code, name, short, kind, lat, lon, key, alias, area) in rows:
            if pcode not in provinces:
                provinces[pcode] = Province(pcode, pname, _short(pshort), plat, plon, ERA_2025)
                aliases["province"][pcode] = _alias_keys(palias)
                keys[f"2025-province:{pkey}"] = pcode
            commune = Commune(code, name, _short(short), kind, None, pcode, lat, lon, ERA_2025,
                              area)
            communes.append(commune)
            if alias:
                aliases["commune"][code] = _alias_keys(alias)
            keys[f"2025:{pkey}:{key}"] = code
            self._by_province.setdefault((ERA_2025, pcode), []).append(commune)
        self._provinces[ERA_2025] = _Index("province", 2, provinces.values(),
                                           aliases["province"], self._folder)
        self._communes[ERA_2025] = _Index("commune", 5, communes, aliases["commune"],
                                          self._folder)

    def _load_successors(self, data: dict[str, Any], keys: dict[str, str]) -> None:
        """Legacy code → [(2025 code, is default)], and legacy → 2025 province."""
        self._province_next: dict[str, str] = {}
        for new_key, old_keys in data["DICT_PROVINCE"].items():
            for old in old_keys:
                self._province_next[keys[f"province:{old}"]] = keys[f"2025-province:{new_key}"]
        self._next: dict[str, list[tuple[str, bool]]] = {}
        self._divided: set[str] = set()
        for new_prov, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for new_ward, old_keys in wards.items():
                new_code = keys[f"2025:{new_prov}:{new_ward}"]
                for old in old_keys:
                    if old in keys:  # island districts have no legacy commune
                        self._next[keys[old]] = [(new_code, True)]
        for new_prov, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old, targets in olds.items():
                self._divided.add(keys[old])
                self._next[keys[old]] = [
                    (keys[f"2025:{new_prov}:{t['newWardKey']}"], bool(t["isDefaultNewWard"]))
                    for t in targets
                ]
        self._prev: dict[str, list[str]] = {}
        for old_code, targets in self._next.items():
            for new_code, _ in targets:
                self._prev.setdefault(new_code, []).append(old_code)

    # generic lookup --------------------------------------------------------
    def _lookup(self, idx: _Index[U], text: str | int, accept: Callable[[U], bool] | None,
                pool: Sequence[U], where: str) -> U:
        """Code, exact, folded, alias, then fuzzy match of ``text`` among ``pool``.

        Digits are a code first (zero-padded), a name ("Quận 1") if no unit in
        scope has that code.
        """
        raw = " ".join(nfc(str(text)).split())
        if raw.isdigit():
            unit = idx.by_code.get(idx.code(raw))
            if unit is not None and (accept is None or accept(unit)):
                return unit
        words = _words(raw)
        kind, rest = _split_type(words, idx.level)
        # Accents decide only if the text has some: "SA PA" may be Sa Pa or Sa Pả.
        exact = idx.exact.get(_exact(raw)) if not raw.isascii() else None
        for hits, hint in ((exact, None),
                           (idx.keyed.get("".join(words)), None),
                           (idx.keyed.get("".join(rest)), kind),
                           (idx.alias.get("".join(words)), None),
                           (idx.alias.get("".join(rest)), kind)):
            found = _narrow(hits, accept, hint)
            if found:
                return self._one(idx, found, raw, where)
        what = "has code" if raw.isdigit() else "matches"
        missing = f"no {idx.level} {what} {raw!r} in {where}"
        # The exact name of a unit elsewhere is not a typo of a unit in scope.
        elsewhere = _narrow((idx.keyed.get("".join(words)) or []) +
                            (idx.keyed.get("".join(rest)) or []), None, None)
        if elsewhere:
            raise NotFoundError(f"{missing}; {self._listing(elsewhere[:3])} has that name")
        found = [] if raw.isdigit() else _narrow(self._fuzzy(idx, rest, pool), None, kind)
        if not found:
            raise NotFoundError(missing)
        return self._one(idx, found, raw, where)

    @staticmethod
    def _fuzzy(idx: _Index[U], words: list[str], pool: Sequence[U]) -> list[U]:
        """Units whose folded short name is close to ``words``, if the best is clear."""
        if not words or not pool:
            return []
        choices = idx.choices if pool is idx.units else [idx.words[u.code] for u in pool]
        hits = process.extract(" ".join(words), choices, scorer=fuzz.ratio, limit=None,
                               score_cutoff=FUZZY_CUTOFF - FUZZY_MARGIN)
        if not hits or hits[0][1] < FUZZY_CUTOFF:
            return []
        best = hits[0][1]
        return [pool[i] for _, score, i in hits if score > best - FUZZY_MARGIN]

    def _one(self, idx: _Index[U], found: list[U], raw: str, where: str) -> U:
        if len(found) == 1:
            return found[0]
        raise AmbiguousError(f"{len(found)} {idx.level}s match {raw!r} in {where}: "
                             f"{self._listing(found)}", [self._candidate(u) for u in found])

    def _listing(self, units: Iterable[Unit]) -> str:
        """``"Xã Đông, Huyện KBang, Tỉnh Gia Lai; …"``."""
        return "; ".join(
            ", ".join(x for x in (c["name"], c["district"], c["province"]) if x)
            for c in map(self._candidate, units)
        )

    def _candidate(self, unit: Unit) -> dict[str, Any]:
        """``{"code", "name", "district", "province"}`` for an AmbiguousError."""
        district = getattr(unit, "district_code", None)
        province = getattr(unit, "province_code", None)
        return {
            "code": unit.code,
            "name": unit.name,
            "district": self._districts.by_code[district].name if district else None,
            "province": (self._provinces[unit.era].by_code[province].name
                         if province else None),
        }

    # scope arguments -------------------------------------------------------
    def _province_arg(self, province: str | int | Province, era: str) -> Province:
        if isinstance(province, Province):
            if province.era != era:
                raise NotFoundError(f"{province.name} is a {province.era} province, not {era}")
            return province
        return self.province(province, era=era)

    def _district_arg(self, district: str | int | District,
                      province: Province | None) -> District:
        if not isinstance(district, District):
            return self.district(district, province=province)
        if province is not None and district.province_code != province.code:
            raise NotFoundError(f"{district.name} is not in {province.name}")
        return district

    def _scope(self, district: str | int | District | None,
               province: str | int | Province | None,
               era: str) -> tuple[District | None, Province | None]:
        """Resolve the scope arguments of a commune query."""
        if era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}, not {era!r}")
        if era == ERA_2025 and district is not None:
            raise ValueError("2025 communes have no district; scope them by province")
        prov = self._province_arg(province, era) if province is not None else None
        dist = self._district_arg(district, prov) if district is not None else None
        return dist, prov

    # public lookups --------------------------------------------------------
    def province(self, text_or_code: str | int, era: str = LEGACY) -> Province:
        """The province with this code or name (any accents, case, type word).

        >>> admin_units().province("TỈNH KON TUM").code
        '62'
        >>> admin_units().province("51", era="2025").name
        'Tỉnh Quảng Ngãi'
        """
        if era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}, not {era!r}")
        idx = self._provinces[era]
        try:
            return self._lookup(idx, text_or_code, None, idx.units, f"Vietnam ({era} units)")
        except NotFoundError as exc:
            other = ERA_2025 if era == LEGACY else LEGACY
            try:
                elsewhere = self._lookup(self._provinces[other], text_or_code, None, [], "")
            except (NotFoundError, AmbiguousError):
                raise exc from None
            raise NotFoundError(f"{exc}; {elsewhere.name} is a {other} province") from None

    def district(self, text_or_code: str | int,
                 province: str | int | Province | None = None) -> District:
        """The legacy district with this code or name, inside ``province`` if given.

        >>> admin_units().district("kbang", province="Gia Lai").name
        'Huyện KBang'
        """
        prov = self._province_arg(province, LEGACY) if province is not None else None
        if prov is None:
            return self._lookup(self._districts, text_or_code, None, self._districts.units,
                                "Vietnam")
        return self._lookup(self._districts, text_or_code,
                            lambda d: d.province_code == prov.code,
                            self._districts_of.get(prov.code, []), _lower_type(prov))

    def commune(self, text_or_code: str | int,
                district: str | int | District | None = None,
                province: str | int | Province | None = None,
                era: str = LEGACY) -> Commune:
        """The commune with this code or name, inside ``district``/``province`` if given.

        Raises NotFoundError when nothing matches and AmbiguousError (with
        ``candidates``) when several do.

        >>> admin_units().commune("xã Đăk Tô Lung", district="Kon Rẫy").name
        'Xã Đăk Tơ Lung'
        """
        dist, prov = self._scope(district, province, era)
        idx = self._communes[era]
        if dist is not None:
            code = dist.code
            return self._lookup(idx, text_or_code, lambda c: c.district_code == code,
                                self._by_district.get(code, []), _lower_type(dist))
        if prov is not None:
            pcode = prov.code
            return self._lookup(idx, text_or_code, lambda c: c.province_code == pcode,
                                self._by_province.get((era, pcode), []), _lower_type(prov))
        where = "Vietnam" if era == LEGACY else "Vietnam (2025 units)"
        return self._lookup(idx, text_or_code, None, idx.units, where)

    def communes(self, district: str | int | District | None = None,
                 province: str | int | Province | None = None,
                 era: str = LEGACY) -> list[Commune]:
        """Communes of a district or province (all of ``era`` when neither is given).

        >>> len(admin_units().communes(province="Kon Tum"))
        102
        """
        dist, prov = self._scope(district, province, era)
        if dist is not None:
            return list(self._by_district.get(dist.code, []))
        if prov is not None:
            return list(self._by_province.get((era, prov.code), []))
        return list(self._communes[era].units)

    def districts(self, province: str | int | Province) -> list[District]:
        """The legacy districts of ``province``.

        >>> len(admin_units().districts("Kon Tum"))
        10
        """
        return list(self._districts_of.get(self._province_arg(province, LEGACY).code, []))

    def provinces(self, era: str = LEGACY) -> list[Province]:
        """All provinces of ``era`` (63 legacy, 34 in 2025).

        >>> len(admin_units().provinces()), len(admin_units().provinces("2025"))
        (63, 34)
        """
        if era not in ERAS:
            raise ValueError(f"era must be one of {ERAS}, not {era!r}")
        return list(self._provinces[era].units)

    def all_communes(self) -> list[Commune]:
        """Every legacy commune, ordered by province, district and code.

        >>> len(admin_units().all_communes()) > 10_000
        True
        """
        return list(self._communes[LEGACY].units)

    # 2025 reform -----------------------------------------------------------
    def _legacy_commune(self, commune: str | int | Commune) -> Commune:
        if isinstance(commune, Commune):
            if commune.era != LEGACY:
                raise ValueError(f"{commune.name} is already a 2025 commune")
            return commune
        return self.commune(commune)

    def successor(self, commune_code: str | int | Commune) -> Successor:
        """The 2025 commune(s) and province a legacy commune became part of.

        >>> s = admin_units().successor("23488")
        >>> s.commune.era, s.province.code, s.candidates == [s.commune]
        ('2025', '51', True)
        """
        commune = self._legacy_commune(commune_code)
        targets = self._next.get(commune.code)
        if not targets:
            raise NotFoundError(f"no 2025 successor is recorded for {commune.name} "
                                f"({commune.code})")
        new = self._communes[ERA_2025].by_code
        candidates = [new[code] for code, _ in targets]
        divided = commune.code in self._divided
        main = next((new[code] for code, default in targets if default), None)
        province = self._provinces[ERA_2025].by_code[candidates[0].province_code]
        return Successor(main if divided else candidates[0], province, candidates, divided)

    def predecessors(self, commune_code: str | int | Commune) -> list[Commune]:
        """The legacy communes (or parts of them) a 2025 commune was formed from.

        >>> units = admin_units()
        >>> units.commune("23485") in units.predecessors(units.successor("23485").commune)
        True
        """
        if isinstance(commune_code, Commune):
            commune = commune_code
        else:
            commune = self.commune(commune_code, era=ERA_2025)
        old = self._communes[LEGACY].by_code
        return [old[code] for code in self._prev.get(commune.code, [])]

    def province_successor(self, province_code: str | int | Province) -> Province:
        """The 2025 province a legacy province became (part of).

        >>> admin_units().province_successor("Kon Tum").name
        'Tỉnh Quảng Ngãi'
        """
        province = self._province_arg(province_code, LEGACY)
        return self._provinces[ERA_2025].by_code[self._province_next[province.code]]

    # graph -----------------------------------------------------------------
    def unit_node(self, unit: Unit) -> Node:
        """The schema-checked danvan node of a province, district or commune.

        >>> units = admin_units()
        >>> units.unit_node(units.commune("23488")).id
        'commune-23488'
        >>> units.unit_node(units.province("51", era="2025")).id
        'province-2025-51'
        """
        schema = load_schema()
        common = {"name": unit.name, "code": unit.code, "lat": unit.lat, "lon": unit.lon,
                  "aliases": [unit.short_name]}
        if getattr(unit, "area", None) is not None:
            common["area"] = unit.area
        if isinstance(unit, Province):
            return schema.node("Province", era=unit.era, **common)
        province = schema.node_id("Province", {"era": unit.era, "code": unit.province_code})
        if isinstance(unit, District):
            return schema.node("District", kind=unit.kind, province=province, **common)
        district = (schema.node_id("District", {"code": unit.district_code})
                    if unit.district_code else None)
        return schema.node("Commune", era=unit.era, kind=unit.kind, district=district,
                           province=province, **common)

    def graph_records(self, commune_codes: Iterable[str | int | Commune]
                      ) -> tuple[list[Node], list[Edge]]:
        """Nodes for legacy communes, their district, province and 2025 successors.

        Edges: SUCCEEDED_BY from each legacy commune to each 2025 candidate and
        from each legacy province to its 2025 province. PART_OF edges are
        implied by the nodes' ``district``/``province`` references (the store
        adds them). Nodes and edges are deduplicated.

        >>> nodes, edges = admin_units().graph_records(["23488"])
        >>> sorted(n.id for n in nodes if not n.id.startswith("commune-2025"))
        ['commune-23488', 'district-614', 'province-2025-51', 'province-62']
        >>> [(e.source, e.type) for e in edges]
        [('commune-23488', 'SUCCEEDED_BY'), ('province-62', 'SUCCEEDED_BY')]
        """
        nodes: dict[str, Node] = {}
        ids: dict[tuple[str, str, str], str] = {}
        edges: dict[str, Edge] = {}

        def add(unit: Unit) -> str:
            key = (type(unit).__name__, unit.era, unit.code)
            if key not in ids:
                node = self.unit_node(unit)
                nodes.setdefault(node.id, node)
                ids[key] = node.id
            return ids[key]

        def link(source: str, target: str, partial: bool = False) -> None:
            edge = succession_edge(source, target, partial)
            edges.setdefault(edge.key, edge)

        for item in commune_codes:
            commune = self._legacy_commune(item)
            province = self._provinces[LEGACY].by_code[commune.province_code]
            add(province)
            add(self._districts.by_code[commune.district_code or ""])
            source = add(commune)
            successor = self.successor(commune)
            for candidate in successor.candidates:
                link(source, add(candidate), successor.divided)
            link(ids[("Province", LEGACY, province.code)], add(successor.province))
        return list(nodes.values()), list(edges.values())


REFORM_DATE = "2025-07-01"


def succession_edge(source: str, target: str, partial: bool = False) -> Edge:
    """The dated SUCCEEDED_BY edge of the 1 July 2025 reform; ``partial`` for a divided commune.

    >>> succession_edge("commune-23488", "commune-2025-23485").props
    {'date': '2025-07-01'}
    >>> succession_edge("commune-1", "commune-2025-2", partial=True).props["partial"]
    True
    """
    props: dict[str, Any] = {"date": REFORM_DATE}
    if partial:
        props["partial"] = True
    return Edge("SUCCEEDED_BY", source, target, props)


@cache
def admin_units() -> AdminUnits:
    """The shared :class:`AdminUnits`, built on first use.

    >>> admin_units() is admin_units()
    True
    """
    return AdminUnits()
