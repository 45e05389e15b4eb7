"""Names the extractor knows: official places, organisation types, and a store's own entities.

* :func:`fold_fast` folds text (accents, case, đ→d) keeping its length, so a
  span found in the folded text is the same span in the original.
* :class:`MultiMatcher` finds many folded names at once with one compiled,
  trie-shaped regex alternation.
* :data:`ORG_TYPES` is a hand-written lexicon of Vietnamese organisation names
  and their abbreviations (no library has it).
* :class:`Gazetteer` resolves place names against the official units
  (:mod:`danvan.loaders.reference.admin_units`) and organisations, villages, models and
  directives against a store (the curated knowledge base), typo-tolerant with
  rapidfuzz.

>>> m = MultiMatcher(["hoi lhpn", "hoi lien hiep phu nu", "ubnd"])
>>> [(s, e, k) for s, e, k in m.find(fold_fast("Hội LHPN huyện và UBND xã"))]
[(0, 8, 'hoi lhpn'), (18, 22, 'ubnd')]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from danvan.errors import AmbiguousError, NotFoundError
from danvan.graph.store import Store
from danvan.loaders.reference.admin_units import (
    ERA_2025,
    LEGACY,
    REFORM_DATE,
    Commune,
    District,
    Province,
    admin_units,
)
from danvan.loaders.reference.bodies import PARTY_BOARDS, PROVINCIAL_BODIES, PROVINCIAL_DEPARTMENTS, spellings
from danvan.loaders.reference.resolver import Context, Resolver
from danvan.text import fold, nfc

__all__ = ["ORG_TYPES", "Gazetteer", "KnownEntity", "MultiMatcher", "OrgType", "fold_fast",
           "org_key", "squash"]


class _FoldTable(dict[int, str]):
    """str.translate table that folds each character to exactly one character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        f = fold(ch) if not ch.isspace() else " "
        value = f[0] if f else " "
        self[code] = value
        return value


_TABLE = _FoldTable()


def fold_fast(text: str) -> str:
    """Accent- and case-free copy of ``text`` with the same length (offsets carry over).

    Unlike :func:`danvan.text.fold` it keeps whitespace runs and maps a stray
    combining mark to a space, so ``text[i]`` and the result's ``[i]`` correspond.

    >>> fold_fast("Đăk  Tơ Lung")
    'dak  to lung'
    """
    return text.translate(_TABLE)


@lru_cache(maxsize=65536)
def squash(text: str) -> str:
    """Folded letters and digits only: ``"Đăk O Nglăng"`` and ``"Đăk Ônglăng"`` agree.

    >>> squash("Đăk O Nglăng") == squash("Đăk Ônglăng")
    True
    """
    return re.sub(r"[^a-z0-9]+", "", fold(text))


#: Abbreviations of organisation names (folded) → written out, for comparing names.
_ABBREVIATIONS = (
    ("ubmttqvn", "uy ban mat tran to quoc viet nam"), ("ubmttq vn", "uy ban mat tran to quoc viet nam"),
    ("ubmttq", "uy ban mat tran to quoc"), ("mttqvn", "mat tran to quoc viet nam"),
    ("mttq", "mat tran to quoc"), ("hoi lhpn", "hoi lien hiep phu nu"),
    ("hoi ccb", "hoi cuu chien binh"), ("bcd", "ban chi dao"), ("cvd", "cuoc van dong"),
    ("ubnd", "uy ban nhan dan"), ("hdnd", "hoi dong nhan dan"), ("btv", "ban thuong vu"),
    ("bdv", "ban dan van"), ("hu", "huyen uy"), ("tu", "tinh uy"), ("phong thanh tra", "thanh tra"),
    ("mo hinh", ""))
_ABBR_RE = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(a) for a, _ in _ABBREVIATIONS)
                      + r")(?![a-z0-9])")
_ABBR = dict(_ABBREVIATIONS)


def org_key(name: str) -> str:
    """Name folded, abbreviations written out, letters and digits only: for comparing names.

    >>> org_key("UBMTTQVN huyện Kon Rẫy") == org_key("Ủy ban Mặt trận Tổ quốc Việt Nam huyện Kon Rẫy")
    True
    """
    return re.sub(r"[^a-z0-9]+", "", _ABBR_RE.sub(lambda m: _ABBR[m.group(1)], fold(name)))


class MultiMatcher:
    """Find folded keys in folded text: one regex, longest match first, whole words only."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = sorted({k for k in keys if k})
        trie: dict[str, Any] = {}
        for key in self.keys:
            node = trie
            for ch in key:
                node = node.setdefault(ch, {})
            node[""] = True
        body = self._regex(trie) if self.keys else "(?!)"
        self._re = re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")

    def _regex(self, node: dict[str, Any]) -> str:
        alts = []
        end = False
        for ch, child in sorted(node.items()):
            if ch == "":
                end = True
                continue
            alts.append(re.escape(ch) + self._regex(child) if child != {"": True}
                        else re.escape(ch))
        if not alts:
            return ""
        inner = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            # longer continuations first; the bare end is the fallback
            return f"(?:{inner})?"
        return inner

    def find(self, folded: str, pos: int = 0) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, key) matches from ``pos``, left to right."""
        return [(m.start(), m.end(), m.group(0)) for m in self._re.finditer(folded, pos)]


@dataclass(frozen=True)
class OrgType:
    """A kind of organisation: canonical head, graph label and kind, written variants.

    ``level`` is the level the head itself names (Huyện ủy → district); ``scoped``
    says the head needs a scope word after it (``UBND huyện``) to be one body;
    ``home`` is the level of an unscoped body named alone (a *Sở* is the province's);
    ``party`` bodies are named after their committee ("Ban Dân vận tỉnh X" is the
    "Ban Dân vận Tỉnh ủy X"); ``written`` keeps the accented spellings.
    """

    head: str
    label: str
    kind: str
    variants: tuple[str, ...]
    level: str | None = None
    scoped: bool = True
    home: str | None = None
    party: bool = False
    written: tuple[str, ...] = ()


def _o(head: str, label: str, kind: str, *variants: str, level: str | None = None,
       scoped: bool = True, home: str | None = None, party: bool = False,
       folded: Iterable[str] = ()) -> OrgType:
    keys = dict.fromkeys((fold(head), *(fold(v) for v in variants), *folded))
    return OrgType(head, label, kind, tuple(keys), level, scoped, home, party,
                   (head, *variants))


def _official_bodies() -> tuple[OrgType, ...]:
    """Org types of the official structure every province has (see :mod:`.bodies`)."""
    out = []
    for name, abbrs in PROVINCIAL_DEPARTMENTS:
        out.append(_o(name, "Unit", "agency", *abbrs, scoped=False, home="province",
                      folded=spellings(name)))
    for board, abbrs in PARTY_BOARDS:
        for committee, level in (("Tỉnh ủy", "province"), ("Huyện ủy", "district")):
            out.append(_o(f"{board} {committee}", "PartyBody", board,
                          *(f"{a} {committee}" for a in abbrs), level=level, scoped=False,
                          folded={f"{v} {fold(committee)}" for v in spellings(board)}))
    for name, abbrs in PROVINCIAL_BODIES:
        label = "PartyBody" if name.startswith(("Đảng ủy", "Ban Thường vụ")) else "Unit"
        kind = "armed_force" if "Bộ đội" in name or "Quân sự" in name else (
            "Đảng ủy" if label == "PartyBody" else "agency")
        out.append(_o(name, label, kind, *abbrs, scoped=name == "Thanh tra",
                      home="province"))
    return tuple(out)


#: Organisation names as written in provincial documents (hand-written lexicon).
ORG_TYPES: tuple[OrgType, ...] = (
    *_official_bodies(),
    _o("Ban Dân vận", "PartyBody", "Ban Dân vận", "BDV", party=True),
    _o("Ban Tuyên giáo", "PartyBody", "Ban Tuyên giáo", party=True),
    # "BĐBP" alone is the province's force; "Bộ đội Biên phòng" alone is the force in general
    OrgType("Bộ đội Biên phòng", "Unit", "armed_force", ("bdbp",), None, False, "province",
            False, ("BĐBP",)),
    _o("Trung tâm Chính trị", "Unit", "agency", scoped=False),
    _o("Ban Thường vụ Huyện ủy", "PartyBody", "Ban Thường vụ", "BTV Huyện ủy",
       "Ban Thường vụ HU", level="district", scoped=False),
    _o("Thường trực Huyện ủy", "PartyBody", "Thường trực", "TT Huyện ủy", level="district",
       scoped=False),
    _o("Ban Dân vận Huyện ủy", "PartyBody", "Ban Dân vận", "BDV Huyện ủy", level="district",
       scoped=False),
    _o("Ban Tuyên giáo Huyện ủy", "PartyBody", "Ban Tuyên giáo", level="district", scoped=False),
    _o("Huyện ủy", "PartyBody", "Huyện ủy", "Huyện uỷ", level="district", scoped=False),
    _o("Ban Thường vụ Tỉnh ủy", "PartyBody", "Ban Thường vụ", "BTV Tỉnh ủy", level="province",
       scoped=False),
    _o("Thường trực Tỉnh ủy", "PartyBody", "Thường trực", level="province", scoped=False),
    _o("Ban Dân vận Tỉnh ủy", "PartyBody", "Ban Dân vận", "BDV Tỉnh ủy", level="province",
       scoped=False),
    _o("Ban Tuyên giáo Tỉnh ủy", "PartyBody", "Ban Tuyên giáo", level="province", scoped=False),
    _o("Tỉnh ủy", "PartyBody", "Tỉnh ủy", level="province", scoped=False),
    _o("Thành ủy", "PartyBody", "Thành ủy", level="district", scoped=False),
    _o("Đảng ủy", "PartyBody", "Đảng ủy", "ĐU"),
    _o("Đảng ủy Bộ đội Biên phòng", "PartyBody", "Đảng ủy", "Đảng ủy BĐBP"),
    # set up by the party committee: a party body, as the curated knowledge base has it
    _o("Ban Chỉ đạo Cuộc vận động", "PartyBody", "Ban Chỉ đạo", "BCĐ Cuộc vận động", "BCĐ CVĐ",
       "Ban chỉ đạo CVĐ"),
    _o("Ban Chỉ đạo", "Unit", "other", "BCĐ"),
    _o("Ủy ban nhân dân", "Unit", "government", "UBND", "Uỷ ban nhân dân"),
    _o("Hội đồng nhân dân", "Unit", "government", "HĐND"),
    _o("Thường trực Hội đồng nhân dân", "Unit", "government", "Thường trực HĐND", "TT HĐND"),
    _o("Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam", "Unit", "mass_organisation",
       "Ban Thường trực UBMTTQVN", "Ban Thường trực UBMTTQ VN", "Ban Thường trực Ủy ban MTTQ Việt Nam",
       "Ban TT UBMTTQVN", "Ban TT UBMTTQ VN", "Ban TT UBMTTQ", "Ban Thường trực UBMTTQ"),
    _o("Ủy ban Mặt trận Tổ quốc Việt Nam", "Unit", "mass_organisation", "UBMTTQVN", "UBMTTQ VN",
       "UBMTTQ", "Ủy ban MTTQ", "Ủy ban MTTQ Việt Nam", "Uỷ ban MTTQ Việt Nam",
       "Ủy ban Mặt trận Tổ quốc", "Mặt trận Tổ quốc Việt Nam", "Mặt trận Tổ quốc", "MTTQ",
       "MTTQ Việt Nam", "Mặt trận"),
    _o("Mặt trận - Đoàn thể", "Unit", "mass_organisation", "MT-ĐT", "MT - ĐT", "MTĐT",
       "Mặt trận, Đoàn thể", "Mặt trận – Đoàn thể"),
    _o("Hội Liên hiệp Phụ nữ", "Unit", "mass_organisation", "Hội LHPN", "Hội Phụ nữ",
       "Hội LH Phụ nữ"),
    _o("Hội Cựu chiến binh", "Unit", "mass_organisation", "Hội CCB"),
    _o("Hội Nông dân", "Unit", "mass_organisation", "Hội ND"),
    _o("Hội Người cao tuổi", "Unit", "mass_organisation", "Hội NCT"),
    _o("Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Unit", "mass_organisation", "Đoàn TNCS HCM",
       "Đoàn Thanh niên", "Đoàn TN"),
    _o("Huyện đoàn", "Unit", "mass_organisation", level="district", scoped=False),
    _o("Tỉnh đoàn", "Unit", "mass_organisation", level="province", scoped=False),
    _o("Công an", "Unit", "police"),
    _o("Ban Chỉ huy Quân sự", "Unit", "armed_force", "Ban CHQS", "BCHQS"),
    _o("Bộ Chỉ huy Quân sự", "Unit", "armed_force", "Bộ CHQS"),
    _o("Bộ đội Biên phòng", "Unit", "armed_force", home="province"),
    _o("Ngân hàng Chính sách xã hội", "Unit", "bank", "Ngân hàng Chính sách - Xã hội",
       "Ngân hàng CSXH", "NHCSXH", "Phòng giao dịch Ngân hàng Chính sách xã hội"),
    _o("Phòng Dân tộc", "Unit", "agency", scoped=False),
    _o("Phòng Y tế", "Unit", "agency", scoped=False),
    _o("Phòng Tài chính - Kế hoạch", "Unit", "agency", "Phòng Tài chính Kế hoạch",
       "Phòng TC-KH", "Phòng TCKH", scoped=False),
    _o("Phòng Giáo dục và Đào tạo", "Unit", "agency", "Phòng GD&ĐT", "Phòng GDĐT",
       "Phòng GD-ĐT", scoped=False),
    _o("Phòng Lao động - Thương binh và Xã hội", "Unit", "agency", "Phòng LĐTB&XH",
       "Phòng LĐ-TB&XH", "Phòng LĐTBXH", "Phòng LĐTĐ&XH", "Phòng Lao động Thương binh và Xã hội",
       scoped=False),
    _o("Phòng Nông nghiệp và Phát triển nông thôn", "Unit", "agency", "Phòng NN&PTNT",
       "Phòng Nông nghiệp và PTNT", "Phòng NN-PTNT", scoped=False),
    _o("Phòng Văn hóa và Thông tin", "Unit", "agency", "Phòng VH&TT", "Phòng Văn hóa - Thông tin",
       "Phòng VHTT", scoped=False),
    _o("Phòng Tài nguyên và Môi trường", "Unit", "agency", "Phòng TN&MT", "Phòng TNMT",
       scoped=False),
    _o("Phòng Nội vụ", "Unit", "agency", scoped=False),
    _o("Phòng Tư pháp", "Unit", "agency", scoped=False),
    _o("Phòng Kinh tế - Hạ tầng", "Unit", "agency", "Phòng KT-HT", "Phòng Kinh tế và Hạ tầng",
       scoped=False),
    _o("Phòng Thanh tra", "Unit", "agency", "Thanh tra huyện", scoped=False),
    _o("Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên", "Unit", "agency",
       "Trung tâm GDNN-GDTX", "Trung tâm GDNN - GDTX", "TT GDNN-GDTX", scoped=False),
    _o("Trung tâm Dịch vụ nông nghiệp", "Unit", "agency", "Trung tâm DVNN", scoped=False),
    _o("Trung tâm Văn hóa - Thể thao - Du lịch và Truyền thông", "Unit", "agency",
       "Trung tâm VH-TT-DL&TT", "Trung tâm VHTTDL&TT", "Trung tâm Văn hóa, Thể thao, Du lịch "
       "và Truyền thông", scoped=False),
    _o("Trung tâm Y tế", "Unit", "agency", scoped=False),
    _o("Văn phòng Huyện ủy", "PartyBody", "Văn phòng", level="district", scoped=False),
)

_LEVEL_WORD = {"district": "huyện", "province": "tỉnh", "commune": "xã"}
#: a date inside each map, for asking the date-aware resolver about one map
_A_DAY_IN = {LEGACY: "2025-06-30", ERA_2025: REFORM_DATE}


def _accented(name: str) -> str:
    """Case-free NFC form with accents kept: tells "Ia Băng" from "Ia Bang"."""
    return " ".join(nfc(name).casefold().split())


@dataclass(frozen=True)
class KnownEntity:
    """An entity of the store, as the gazetteer indexes it."""

    id: str
    label: str
    name: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Its name, ref and aliases."""
        out = [self.name, *(self.props.get("aliases") or [])]
        if self.props.get("ref"):
            out.append(self.props["ref"])
        return out


class Gazetteer:
    """Resolution of names to official places and to a store's entities.

    >>> g = Gazetteer()
    >>> g.commune("Đăk Tô Lung", district="614").name
    'Xã Đăk Tơ Lung'
    """

    def __init__(self, store: Store | None = None) -> None:
        self.units = admin_units()
        self.resolver = Resolver(store, self.units)
        self._places: dict[tuple[str | None, ...], Any] = {}
        self._squashed: dict[str, list[str]] = {}
        self.by_label: dict[str, list[KnownEntity]] = defaultdict(list)
        self.ids: set[str] = set()
        if store is not None:
            for label in ("PartyBody", "Unit", "Village", "Model", "Directive"):
                for node in store.nodes(label):
                    self.by_label[label].append(KnownEntity(node.id, label, node.name,
                                                            dict(node.props)))
            self.ids = {n.id for n in store.nodes()}
        self.org_matcher = MultiMatcher([v for t in ORG_TYPES for v in t.variants])
        self.org_by_variant = {}
        self.org_written: dict[str, list[str]] = defaultdict(list)
        for org in ORG_TYPES:
            for v in org.variants:
                self.org_by_variant.setdefault(v, org)
            for w in org.written:
                self.org_written[fold(w)].append(w)
        self.directives: dict[str, list[KnownEntity]] = defaultdict(list)
        for d in self.by_label["Directive"]:
            for name in d.names:
                self.directives[squash(name)].append(d)

    # places ----------------------------------------------------------------------
    def _one(self, fn: Any, name: str, **scope: Any) -> Any:
        """One unit or None; of several, the one spelled exactly as ``name`` (accents kept).

        Folding makes "Ia Bang" and "Ia Băng" one key: the written accents then decide.
        """
        args = {k: v for k, v in scope.items() if v is not None}
        try:
            return fn(name, **args)
        except AmbiguousError as err:
            want = _accented(name)
            same = [c for c in err.candidates if _accented(c["name"]) == want
                    or _accented(c["name"]).endswith(" " + want)]
            if len(same) == 1:
                return self._one(fn, same[0]["code"], era=args.get("era"))
            return None
        except (NotFoundError, ValueError):
            return None

    def _memo(self, key: tuple[str | None, ...], compute: Any) -> Any:
        """Place lookups repeat within and across documents: remember them (bounded)."""
        try:
            return self._places[key]
        except KeyError:
            pass
        if len(self._places) > 100_000:
            self._places.clear()
        value = self._places[key] = compute()
        return value

    def unit(self, level: str, code: str, era: str = LEGACY) -> Any:
        """The official unit of ``level`` (commune, district, province) with ``code``."""
        if level == "district" or era == LEGACY:
            return self._memo(("code", level, code), lambda: getattr(self.units, level)(code))
        return self._memo(("code", level, code, era),
                          lambda: getattr(self.units, level)(code, era=era))

    def clear_cache(self) -> None:
        """Forget remembered place lookups (the benchmark measures cold documents with it)."""
        self._places.clear()

    def commune(self, name: str, district: str | None = None,
                province: str | None = None, era: str = LEGACY) -> Commune | None:
        """The commune called ``name`` of ``era``: in the district, else the province, else anywhere.

        A name written with its level word ("phường Hải Châu") prefers units of that kind.
        Outside the given scope only a name spelled like the unit's (no fuzzy guess) is taken:
        a near miss in another province is not evidence of anything.
        """
        return self._memo(("c", name, district, province, era),
                          lambda: self._commune(name, district, province, era))

    def _commune(self, name: str, district: str | None, province: str | None,
                 era: str) -> Commune | None:
        if len(squash(name)) < 2:
            return None
        if era != LEGACY:
            district = None
        # the shared resolver (loaders/reference/resolver.py) within the scope, in the map asked for
        date = _A_DAY_IN[era]
        scopes: list[Context] = []
        if district is not None:
            scopes.append(Context(date=date, district=self.unit("district", district)))
        if province is not None:
            scopes.append(Context(date=date, province=self.unit("province", province, era)))
        for ctx in scopes:
            found = self._resolve(name, ctx, era)
            if found is not None:
                return found
        # across the country only a name spelled exactly: a near miss is no evidence
        found = self._resolve(name, Context(date=date), era)
        return found if found is not None and self.exact(found, name) else None

    def _resolve(self, name: str, ctx: Context, era: str) -> Commune | None:
        """The resolver's answer; of an ambiguous one, the unit spelled as written (accents)."""
        try:
            return self.resolver.commune(name, ctx)
        except AmbiguousError as err:
            want = _accented(name)
            same = [c for c in err.candidates if c.get("era", era) == era and (
                _accented(c["name"]) == want or _accented(c["name"]).endswith(" " + want))]
            if len(same) == 1:
                return self.unit("commune", same[0]["code"], era)
            return None
        except (NotFoundError, ValueError):
            return None

    def district(self, name: str, province: str | None = None) -> District | None:
        """The legacy district called ``name`` (in the province first)."""
        return self._memo(("d", name, province), lambda: self._district(name, province))

    def _district(self, name: str, province: str | None) -> District | None:
        if len(squash(name)) < 2:
            return None
        if province:
            found = self._one(self.units.district, name, province=province)
            if found is not None:
                return found
        found = self._one(self.units.district, name)
        if found is not None and province and not self.exact(found, name):
            return None
        return found

    def province(self, name: str, era: str = LEGACY) -> Province | None:
        """The province of ``era`` called ``name``."""
        return self._memo(("p", name, era), lambda: self._province(name, era))

    def _province(self, name: str, era: str) -> Province | None:
        if len(squash(name)) < 2:
            return None
        return self._one(self.units.province, name, era=None if era == LEGACY else era)

    @staticmethod
    def exact(unit: Any, name: str) -> bool:
        """``name`` (with or without its level word) is the unit's name, folded: no fuzzy guess.

        >>> g = Gazetteer()
        >>> Gazetteer.exact(g.commune("Đăk Tô Lung", district="614"), "Đăk Tơ Lung")
        True
        """
        key = squash(name)
        return key in (squash(unit.short_name), squash(unit.name))

    # the store's own entities ------------------------------------------------------
    def best(self, label: str, name: str, accept: Any = None, cutoff: float = 88.0,
             ) -> KnownEntity | None:
        """The known entity of ``label`` whose name or alias is closest to ``name``."""
        pool = self.by_label.get(label)
        if not pool:
            return None
        key = org_key(name)
        if not key:
            return None
        best: tuple[float, KnownEntity] | None = None
        for entity in pool:
            if accept is not None and not accept(entity):
                continue
            score = max(fuzz.ratio(key, n) for n in self.squashed(entity))
            if score >= cutoff and (best is None or score > best[0]):
                best = (score, entity)
        return best[1] if best else None

    def squashed(self, entity: KnownEntity) -> list[str]:
        """The entity's names and aliases, abbreviations expanded and squashed (computed once)."""
        got = self._squashed.get(entity.id)
        if got is None:
            got = self._squashed[entity.id] = [org_key(n) for n in entity.names]
        return got

    def document(self, scopes: Iterable[str], kind: str | None, title: str | None,
                 ) -> KnownEntity | None:
        """A known unnumbered document of these scopes, of this kind, titled like ``title``.

        Unnumbered plans are named differently by each writer, so the title
        decides (token-set similarity ≥ 85), within the issuer's scope and kind.
        """
        if not title:
            return None
        want = fold(title)
        scope_set = set(scopes)
        best: tuple[float, KnownEntity] | None = None
        for d in self.by_label.get("Directive", []):
            if d.props.get("number") or d.props.get("scope") not in scope_set:
                continue
            if kind and d.props.get("kind") and d.props["kind"] != kind:
                continue
            score = max(fuzz.token_set_ratio(want, fold(n)) for n in
                        (d.props.get("title") or "", *d.names) if n)
            if score >= 85 and (best is None or score > best[0]):
                best = (score, d)
        return best[1] if best else None

    def organisation(self, canonical: str, label: str, scope: str | None,
                     ) -> KnownEntity | None:
        """A known party body or unit of this scope named like ``canonical``."""
        return self._memo(("o", canonical, label, scope),
                          lambda: self._organisation(canonical, label, scope))

    def _organisation(self, canonical: str, label: str, scope: str | None,
                      ) -> KnownEntity | None:
        def same_scope(e: KnownEntity) -> bool:
            return scope is None or e.props.get("scope") == scope
        found = self.best(label, canonical, same_scope, cutoff=90.0)
        if found is None:
            other = "Unit" if label == "PartyBody" else "PartyBody"
            found = self.best(other, canonical, same_scope, cutoff=90.0)
        return found

    def directive(self, ref: str, scopes: Iterable[str]) -> KnownEntity | None:
        """The known directive numbered ``ref``, preferring the given scopes in order."""
        candidates = self.directives.get(squash(ref), [])
        for scope in scopes:
            for c in candidates:
                if c.props.get("scope") == scope:
                    return c
        return candidates[0] if len(candidates) == 1 and not list(scopes) else None

    def village(self, commune_id: str, name: str, number: int | None) -> KnownEntity | None:
        """A known village of the commune: by number when numbered, else by name."""
        pool = [v for v in self.by_label["Village"] if v.props.get("commune") == commune_id]
        if number is not None:
            for v in pool:
                if v.props.get("number") == number:
                    return v
        key = squash(name)
        for v in pool:
            if any(squash(n) == key for n in v.names):
                return v
        return self.best("Village", name,
                         lambda e: e.props.get("commune") == commune_id, cutoff=85.0)

    def model(self, name: str, near: Iterable[str]) -> KnownEntity | None:
        """A known model named like ``name``; one scoped to ``near`` ids wins ties."""
        near_ids = set(near)
        found = self.best("Model", name, lambda e: e.props.get("scope") in near_ids, 85.0)
        found = found or self.best("Model", name, cutoff=92.0)
        if found is None and near_ids:
            # "Nuôi trùn quế" for the known "Nuôi trùn quế gắn với bảo vệ môi trường"
            key = org_key(name)
            hits = [e for e in self.by_label.get("Model", []) if e.props.get("scope") in near_ids
                    and len(key) >= 10 and any(n.startswith(key) for n in self.squashed(e))]
            found = hits[0] if len(hits) == 1 else None
        return found

    @staticmethod
    def level_word(level: str) -> str:
        """huyện / tỉnh / xã for a level."""
        return _LEVEL_WORD[level]
