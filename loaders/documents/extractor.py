"""Text of one administrative document → mentions, relations and document facts.

Offsets (``start``, ``end``) are character offsets into the text **after NFC
normalisation** (``unicodedata.normalize("NFC", text)``), so
``text[start:end] == mention["text"]`` for the NFC text.

The passes are rules written by hand for Vietnamese administrative prose (no
library does this): places after their type word (``xã Đăk Tô Lung``) resolved
in the document's context district; organisations from a lexicon plus their
scope word (``Hội LHPN huyện``); document numbers with kind, date and issuer;
villages with the commune named after them; ``mô hình …`` phrases; figures;
then relations from the phrases that carry them (``Căn cứ``, ``thực hiện``,
``của``, ``tại``).

>>> ex = Extractor(Gazetteer()).extract("Căn cứ Kế hoạch số 26-KH/HU, ngày 22/4/2021 "
...                                       "của Ban Thường vụ Huyện ủy Kon Rẫy.")
>>> [(m.type, m.canonical) for m in ex.mentions if m.type != "district"]
[('directive', '26-KH/HU'), ('organisation', 'Ban Thường vụ Huyện ủy Kon Rẫy')]
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from danvan.graph.schema import load_schema
from danvan.loaders.documents import patterns as P
from danvan.loaders.reference.admin_units import ERA_2025, LEGACY
from danvan.loaders.reference.gazetteer import ORG_TYPES, Gazetteer, OrgType, fold_fast, squash
from danvan.text import fold, nfc

__all__ = ["Extraction", "Extractor", "Mention", "Relation"]

_PLACE_WORDS = re.compile(r"(?<![a-z0-9])(thi tran|thanh pho|thi xa|xa|phuong|huyen|tinh)"
                          r"(?= +[^ ])")
_LEVEL_OF = {"xa": "commune", "thi tran": "commune", "phuong": "commune", "huyen": "district",
             "thanh pho": "district", "thi xa": "district", "tinh": "province"}
_VILLAGE_WORDS = re.compile(r"(?<![a-z0-9])(thon|lang|buon|bon|ban|plei|ap|soc|xom|to dan pho|"
                            r"khu pho)(?= +[^ ])")
#: village words as written; the new ones fold like common words (bản/ban, ấp/áp, bon/bốn)
#: and count only with their accents
_VILLAGE_WRITTEN = {"thôn", "làng", "buôn", "plei", "tổ dân phố", "khu phố", "bon", "bản", "ấp",
                    "sóc", "xóm"}
_VILLAGE_ASCII = {"thon", "lang", "buon", "bon", "plei", "to dan pho", "khu pho"}
_VILLAGE_KINDS = {"Thôn", "Làng", "Buôn", "Plei", "Bon", "Bản", "Ấp", "Sóc", "Xóm", "Tổ dân phố",
                  "Khu phố"}
_WORD = re.compile(r"[\w'’]+")
_ACTIVITY = ("nuoi", "trong", "tang gia", "cham", "ve sinh", "xoa bo", "cau lac bo", "to hop tac",
             "nha vuon", "tiet kiem", "chan nuoi", "tuyen truyen", "bao ve", "thay doi", "hop tac",
             "phat trien vuon", "san xuat", "lam", "che bien", "dan van kheo")
#: Kind codes folded: "Chỉ thị 04-CT" is a number, "Chỉ thị 04-Đảng ủy các xã" a short reference
_CODES = "|".join(sorted({fold(c) for c in P.KIND_CODES}, key=len, reverse=True))
#: "của chị Hồ Thị Xuân": a person (or household) owning a model stays in its name
_PERSON_OWNER = re.compile(r" của (?:hộ gia đình |gia đình |hộ )?(?:ông|bà|anh|chị|già làng) "
                           r"[A-ZĐÀ-Ỹ]\w*(?: [A-ZĐÀ-Ỹ]\w*){0,3}")
_MODEL_STOP = re.compile(r"[;,.()\n:“”\"*]| tại | của | – | - | ở | gắn với | cho | trên | do "
                         r"| được | năm \d| đã | với | nhằm | theo | và | thôn | làng | trong | \|", re.I)
_UNITS = ("luot nguoi|luot|ho gia dinh|ho|mo hinh|co quan, don vi|co quan|don vi|to ho tro|"
          "to hop tac|to|thon|xa, thi tran|xa|buoi|tin|bai|nha tam|nha|bong den|cong trinh|"
          "don bien phong|nguoi|tap the|ca nhan|trieu dong|ty dong|dong|hoi vien|doan vien|lop|"
          "cuoc|suat|phan qua|dang uy|hop tac xa|doanh nghiep|ha|tan")
#: "có mô hình sản xuất ổn định": a description, not a named model
#: ", lower-case phrases … ending the sentence with an ellipsis" (no new model, no verb of a clause)
_MODEL_LIST_TAIL = re.compile(r"((?:,\s+(?!mô hình)[a-zà-ỹđ][^,.;:()…\n“”\"]{2,40}){1,4}?)\s*(?:…|\.\.\.)")
_GENERIC_MODEL = re.compile(r"(san xuat|phat trien kinh te|kinh te)( (on dinh|hieu qua|kinh doanh))?")
_STAT = re.compile(rf"(?<![\w.,/])({P.NUMBER})(?:/({P.NUMBER}))?\s?(%|(?:{_UNITS})(?![a-z0-9]))")
_NOT_STAT_BEFORE = {"thon", "lang", "to", "khu", "so", "an", "chi", "quy", "nam", "thang", "ngay",
                    "thu", "phuong", "doi", "buon", "plei", "ban", "diem", "muc", "dieu", "khoan",
                    "giai", "dot", "lan"}
_PERSON = re.compile(r"(?<![\w])(đồng chí|Đồng chí|ông|bà|chị|anh|Ông|Bà|Chị|Anh)\s+"
                     r"((?:[A-ZĐÀ-Ỹ][\w]*)(?:\s[A-ZĐÀ-Ỹ][\w]*){1,4})")


_NAMED_HEADS = {"don bien phong": "Đồn Biên phòng", "cong ty": "Công ty", "truong": "Trường",
                "to ket nghia so": "Tổ kết nghĩa số"}
_NAMED_BODY = re.compile(r"(?<![a-z])(don bien phong|cong ty|truong|to ket nghia so) (?=[^ ])")
_LEGAL_FORMS = {"co phan": "Cổ phần", "cp": "Cổ phần", "tnhh mtv": "Trách nhiệm hữu hạn Một thành viên",
                "tnhh mot thanh vien": "Trách nhiệm hữu hạn Một thành viên",
                "trach nhiem huu han mot thanh vien": "Trách nhiệm hữu hạn Một thành viên",
                "tnhh": "Trách nhiệm hữu hạn", "trach nhiem huu han": "Trách nhiệm hữu hạn"}
_LEGAL_FORM = re.compile(r"(" + "|".join(sorted(_LEGAL_FORMS, key=len, reverse=True))
                         + r") +(?=[^ ])")
_SCHOOLS = {"thcs": "Trung học cơ sở", "thpt": "Trung học phổ thông", "tieuhoc": "Tiểu học",
            "mamnon": "Mầm non", "mau giao": "Mẫu giáo", "trunghoccoso": "Trung học cơ sở",
            "trunghocphothong": "Trung học phổ thông", "mauigiao": "Mẫu giáo"}
_SCHOOL = re.compile(r"(thcs|thpt|tieu hoc|mam non|mau giao|trung hoc co so|trung hoc pho thong"
                     r"|ptdtbt[ -]?(?:th|thcs|th&thcs|th va thcs)?|ptdtnt(?: thcs| thpt)?) (?=[^ ])")
#: lower-case words that end a proper name ("Công ty Cao su Đăk Lăk nhận kết nghĩa")
_NAME_STOP = {"cung", "va", "da", "gan", "ket", "nhan", "duoc", "la", "tai", "o", "cua", "voi",
              "trao", "tang", "lam", "de", "co", "doi", "trong", "cho", "se", "vua", "dang",
              "phoi", "ho", "giup", "to", "thuc", "trien", "ky", "den", "ve", "tu", "thi", "nen",
              "nay", "do", "bam", "cu", "ho tro", "tham", "chung", "deu", "khong", "moi", "luon",
              "thuoc", "theo", "nham", "tren", "duoi", "sau", "khi", "nhu", "ma", "hay", "hoac"}
#: where a province may be named alone: after "ở"/"tại", or opening a line ("Trà Vinh: …")
_BARE_PROVINCE_AT = re.compile(r"(?<!\w)(?:ở|tại|Ở|Tại) (?=[A-ZĐÀ-Ỹ])")


def _all_at(text: str, needle: str) -> list[int]:
    """Every index of ``needle`` in ``text`` (str.find is faster than a regex scan)."""
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out
_CATEGORY = re.compile(r"mo hinh (?:ve |tren linh vuc )?(kinh te|van hoa|quoc phong|"
                       r"he thong chinh tri)")
#: bodies joined by dashes before the scope they share ("Đảng ủy - HĐND - UBND xã X")
_BODY_CHAIN = re.compile(r"(?:\s*[-–]\s*(?:hdnd|ubnd|hoi dong nhan dan|uy ban nhan dan|"
                         r"ubmttq(?:vn)?|mttq|dang uy))+ (xa|phuong|thi tran|huyen|tinh)(?= )")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZĐÀ-Ỹ(“\"])")
_KIND_OF = {"xa": "Xã", "phuong": "Phường", "thi tran": "Thị trấn", "huyen": "Huyện",
            "thanh pho": "Thành phố", "thi xa": "Thị xã", "tinh": "Tỉnh"}
_FULL_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(20\d\d)(?![\d/])")
#: a year that dates the text ("năm 2026", "Tết năm 2024"), not a target ("đến năm 2030")
_YEAR_OF_TEXT = re.compile(r"(?<!đến )(?<!tới )(?<!giai đoạn )(?<![-–])\bnăm (?:mới )?(20\d\d)\b",
                           re.I)


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _tones(word: str) -> str | None:
    """The tone marks of a written word (None when it carries no mark at all)."""
    nfd = unicodedata.normalize("NFD", word)
    if nfd.isascii():
        return None
    return "".join(sorted(ch for ch in nfd if ch in _TONES))


def _tones_agree(text: str, forms: list[str]) -> bool:
    return _tones_agree_cached(text, tuple(forms))


@lru_cache(maxsize=4096)
def _tones_agree_cached(text: str, forms: tuple[str, ...]) -> bool:
    """``text`` carries, word for word, the tones of one of ``forms`` (or no accents at all).

    Folding drops tones, so "tình" would match "Tỉnh"; a word written with no mark at all
    (a text typed without accents) agrees with anything.
    """
    words = text.split()
    candidates = [f.split() for f in forms if len(f.split()) == len(words)]
    if not candidates:
        return True
    return any(all(_tones(w) is None or _tones(w) == _tones(c) for w, c in zip(words, cand,
                                                                             strict=True))
               for cand in candidates)


def _village_word(word: str) -> bool:
    """A village word as written: "bản" (village) but not "Ban" (board), "làng" not "Lạng"."""
    low = " ".join(word.lower().split())
    if low.isascii():
        return low in _VILLAGE_ASCII
    return low in _VILLAGE_WRITTEN


def _village_key(number: int | None, name: str) -> str:
    return str(number) if number is not None else squash(name)


def _document_year(text: str) -> tuple[int | None, str | None]:
    """The document's year and, when written in full near its top, its date (ISO)."""
    head = text[:1500]
    date = P.DATE_WORDS.search(head)
    iso = P.iso_date(*date.groups()) if date else None
    if iso is None:
        # dates written in full in the document's first pages (a long report cites many)
        dates = [P.iso_date(*d.groups()) for d in _FULL_DATE.finditer(text, 0, 6000)]
        iso = max((d for d in dates if d), default=None)
    if iso is not None:
        return int(iso[:4]), iso
    years = [int(y) for y in _YEAR_OF_TEXT.findall(text)]
    if years:
        return max(years), None
    first = re.search(r"(?<!\d)(20\d\d)(?!\d)", text[:3000])
    return (int(first.group(1)) if first else None), None


@dataclass
class Mention:
    """One entity mention: ``text == normalised_text[start:end]``."""

    type: str
    text: str
    start: int
    end: int
    canonical: str
    id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    unresolved: bool = False
    # for the loader: label and properties of the entity the mention names
    label: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.8

    def to_json(self) -> dict[str, Any]:
        """The public JSON form."""
        return {"type": self.type, "text": self.text, "start": self.start, "end": self.end,
                "canonical": self.canonical, "id": self.id, "attributes": self.attributes,
                "confidence": self.confidence}


@dataclass(frozen=True)
class Relation:
    """A relation between two mentions (indexes into the mention list)."""

    type: str
    source: int
    target: int
    start: int
    end: int
    confidence: float = 0.75
    #: what the sentence adds to the fact: (("plan", mention index), ("households", 12), …)
    attributes: tuple[tuple[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The public JSON form."""
        out = {"type": self.type, "source": self.source, "target": self.target,
               "start": self.start, "end": self.end, "confidence": self.confidence}
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        return out


@dataclass
class Extraction:
    """Everything found in one document."""

    file: str
    text: str
    document: dict[str, Any]
    mentions: list[Mention]
    relations: list[Relation]
    self_index: int | None = None
    context: dict[str, str | None] = field(default_factory=dict)

    @property
    def unresolved(self) -> list[int]:
        """Indexes of mentions that look like entities but match nothing known."""
        return [i for i, m in enumerate(self.mentions) if m.unresolved]

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``danvan extract --json`` prints."""
        return {"file": self.file, "document": self.document,
                "mentions": [m.to_json() for m in self.mentions],
                "relations": [r.to_json() for r in self.relations],
                "unresolved": self.unresolved}


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    """Sorted mentions without a second mention of one type inside another's span."""
    mentions.sort(key=lambda m: (m.start, -(m.end - m.start), m.type))
    out: list[Mention] = []
    last_end: dict[str, int] = {}
    for m in mentions:
        if m.start < last_end.get(m.type, -1):
            continue
        out.append(m)
        last_end[m.type] = max(last_end.get(m.type, -1), m.end)
    return out


class Extractor:
    """Rule-based extractor; one instance serves many documents."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.g = gazetteer
        self.schema = load_schema()
        self._place_ids: dict[tuple[str, str], str] = {}

    def place_id(self, label: str, code: str, era: str = LEGACY) -> str:
        """Node id of an official place (``Commune``, ``23488`` → ``commune-23488``;
        of the 2025 map ``commune-2025-23497``)."""
        key = (label, code, era)
        got = self._place_ids.get(key)
        if got is None:
            got = self._place_ids[key] = self.schema.node_id(label, {"code": code, "era": era})
        return got

    # entry point -----------------------------------------------------------------
    def extract(self, text: str, file: str = "") -> Extraction:
        """Extract from ``text`` (normalised to NFC first)."""
        run = _Run(self, nfc(text), file)
        return run.result()


class _Run:
    """State of one extraction."""

    def __init__(self, ex: Extractor, text: str, file: str) -> None:
        self.ex, self.g, self.text, self.file = ex, ex.g, text, file
        self.folded = fold_fast(text)
        self.mentions: list[Mention] = []
        self.relations: set[Relation] = set()
        self.district: str | None = None
        self.province: str | None = None  # a code of the document's era
        self.era = LEGACY
        self.dated = False  # the era comes from the document's date, not from its names
        self.year: int | None = None
        self._words: dict[int, list[tuple[int, int]]] = {}
        self.campaign_board = False
        self.village_spelling: dict[tuple[str, str], str] = {}

    # helpers -----------------------------------------------------------------------
    def add(self, m: Mention) -> Mention:
        self.mentions.append(m)
        return m

    def words_after(self, pos: int, limit: int = 5) -> list[tuple[int, int]]:
        """Spans of capitalised words right after ``pos`` (single spaces between).

        Computed once per position for the longest ``limit`` (5): shorter limits
        are prefixes of it.
        """
        got = self._words.get(pos)
        if got is None:
            got = self._words[pos] = self._words_after(pos, max(limit, 5))
        return got[:limit] if limit < len(got) else got

    def _words_after(self, pos: int, limit: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        i = pos
        while len(out) < limit:
            j = i
            while j < len(self.text) and self.text[j] == " ":
                j += 1
            if out and j - i != 1:
                break
            if not out and j - i > 2:
                break
            m = _WORD.match(self.text, j)
            if not m:
                break
            if not m.group(0)[0].isupper():
                break
            out.append((m.start(), m.end()))
            i = m.end()
        return out

    def resolve_name(self, level: str, name: str, commune_district: str | None = None,
                     ) -> Any:
        """The unit ``name`` stands for in this document's map (an undated one: either map).

        In the 2025 map a name is searched among the document's province's communes, then
        spelled exactly anywhere; districts exist only in the legacy map.
        """
        if level == "district":
            return self.g.district(name, province=self.legacy_province())
        other = ERA_2025 if self.era == LEGACY else LEGACY
        for era in (self.era,) if self.dated else (self.era, other):
            prov = self.province if era == self.era else None
            if level == "commune":
                found = self.g.commune(name, district=(commune_district or self.district)
                                       if era == LEGACY else None, province=prov, era=era)
            else:
                found = self.g.province(name, era=era)
            if found is not None:
                return found
        return None

    def legacy_province(self) -> str | None:
        """The document's province code in the legacy map (None for a 2025 document)."""
        return self.province if self.era == LEGACY else None

    def longest_place(self, level: str, pos: int, district: str | None = None,
                      word: str | None = None) -> tuple[Any, int, int] | None:
        """The unit named by the longest run of capitalised words after ``pos``; ``word``
        (the written level word, folded) decides between a huyện and a thị xã of one name."""
        words = self.words_after(pos, 5)
        for k in range(len(words), 0, -1):
            start, end = words[0][0], words[k - 1][1]
            name = self.text[start:end]
            unit = None
            if level == "district" and word in _KIND_OF:
                unit = self.resolve_name(level, f"{_KIND_OF[word]} {name}", district)
            unit = unit or self.resolve_name(level, name, district)
            if unit is not None:
                return unit, start, end
        return None

    def place_mention(self, level: str, unit: Any, start: int, end: int,
                      conf: float = 0.9) -> Mention:
        label = {"commune": "Commune", "district": "District", "province": "Province"}[level]
        era = getattr(unit, "era", LEGACY)
        node_id = self.ex.place_id(label, unit.code, era)
        attrs: dict[str, Any] = {"code": unit.code}
        if era != LEGACY:
            attrs["era"] = era
        if level == "commune":
            attrs["district"] = unit.district_code
        return self.add(Mention(level, self.text[start:end], start, end, unit.name, node_id,
                                attrs, label=label, confidence=conf))

    # passes ---------------------------------------------------------------------------
    def result(self) -> Extraction:
        self.context()
        self.places()
        self.bare_communes()
        self.bare_provinces()
        self.organisations()
        self.named_bodies()
        self.company_short_names()
        self.villages()
        self.village_bodies()
        directives = self.directives()
        self.short_refs(directives)
        self.models()
        self.people()
        self.statistics()
        self.mentions = _dedupe(self.mentions)
        document, self_index = self.document_facts()
        rels = find_relations(self, self_index)
        return Extraction(self.file, self.text, document, self.mentions,
                          sorted(rels, key=lambda r: (r.start, r.source, r.target, r.type)),
                          self_index, {"district": self.district, "province": self.province})

    def context(self) -> None:
        """The document's map (era), province, district and year.

        The date decides the map (on or after 1 July 2025: the 2025 map); an undated
        document is read in the map its place names fit. Province and district come
        from votes of places spelled exactly: a province named with its level word or in
        a provincial body's name weighs 3, a district 2, a commune 1; a fuzzy guess
        weighs nothing, so one near miss cannot outvote what the text states.
        """
        self.year, date = _document_year(self.text)
        if date is not None:
            self.era, self.dated = (ERA_2025 if date >= "2025-07-01" else LEGACY), True
        elif self.year is not None and self.year >= 2026:
            self.era, self.dated = ERA_2025, True
        else:
            self.era = self.era_of_names()
        votes: Counter[str] = Counter()
        district_votes: Counter[str] = Counter()
        for m in _PLACE_WORDS.finditer(self.folded):
            level = _LEVEL_OF[m.group(1)]
            words = self.words_after(m.end(), 5)
            for k in range(len(words), 0, -1):
                name = self.text[words[0][0]:words[k - 1][1]]
                unit = self.exact_unit(level, name, m.group(1))
                if unit is None:
                    continue
                weight = {"province": 3, "district": 2, "commune": 1}[level]
                if level == "district":
                    district_votes[unit.code] += 3 if m.start() < 600 else 2
                    votes[self.in_era_province(unit.province_code, LEGACY)] += weight
                else:
                    code = unit.province_code if level == "commune" else unit.code
                    votes[self.in_era_province(code, unit.era)] += weight
                    if getattr(unit, "district_code", None):
                        district_votes[unit.district_code] += 1
                break
        # bodies named with their place: "Tỉnh ủy Gia Lai", "UBND tỉnh X", "Huyện ủy Kbang"
        for m in re.finditer(r"(?<![a-z])(tinh uy|thanh uy|huyen uy|bdbp|bo doi bien phong)"
                             r" (?=[^ ])", self.folded):
            words = self.words_after(m.end(), 4)
            for k in range(len(words), 0, -1):
                name = self.text[words[0][0]:words[k - 1][1]]
                if m.group(1) == "huyen uy":
                    unit = self.exact_unit("district", name, "huyen")
                    if unit is not None:
                        district_votes[unit.code] += 3
                        votes[self.in_era_province(unit.province_code, LEGACY)] += 2
                        break
                    continue
                unit = self.exact_unit("province", name, "tinh")
                if unit is not None:
                    votes[self.in_era_province(unit.code, unit.era)] += 3
                    break
        votes.pop(None, None)  # type: ignore[call-overload]
        if votes:
            self.province = votes.most_common(1)[0][0]
        if self.era == LEGACY:
            inside = [(n, c) for c, n in district_votes.items()
                      if self.province is None
                      or self.g.unit("district", c).province_code == self.province]
            if inside:
                self.district = max(inside)[1]
                self.province = self.g.unit("district", self.district).province_code

    def exact_unit(self, level: str, name: str, word: str) -> Any:
        """The unit spelled ``name`` at ``level`` in the document's map (or the legacy
        map for districts), only if spelled exactly (no fuzzy guess)."""
        if level == "district":
            unit = self.g.district(name)
            eras: tuple[str, ...] = ()
        else:
            eras = (self.era,) if self.dated else (self.era, ERA_2025 if self.era == LEGACY
                                                   else LEGACY)
            unit = None
            for era in eras:
                unit = (self.g.commune(f"{_KIND_OF[word]} {name}", era=era) if level == "commune"
                        else self.g.province(name, era=era))
                if unit is not None:
                    break
        return unit if unit is not None and Gazetteer.exact(unit, name) else None

    def in_era_province(self, code: str, era: str) -> str | None:
        """A province code of ``era`` as a code of the document's era."""
        if era == self.era:
            return code
        if era == LEGACY:
            return self.g.units.province_successor(code).code
        return None  # a 2025 province does not say which legacy one

    def era_of_names(self) -> str:
        """The map an undated document's place names fit: names found in one map only vote.

        Districts and *thị trấn* exist only before 1 July 2025; a commune spelled exactly
        in one map and not in the other votes for that map. A tie is read as the legacy map.
        """
        legacy = new = 0
        for m in _PLACE_WORDS.finditer(self.folded):
            level = _LEVEL_OF[m.group(1)]
            if level == "province":
                continue
            words = self.words_after(m.end(), 5)
            if not words:
                continue
            for k in range(len(words), 0, -1):
                name = self.text[words[0][0]:words[k - 1][1]]
                if level == "district":
                    unit = self.g.district(name)
                    if unit is not None and Gazetteer.exact(unit, name):
                        legacy += 2
                        break
                    continue
                full = f"{_KIND_OF[m.group(1)]} {name}"
                old = self.g.commune(full)
                new_unit = self.g.commune(full, era=ERA_2025)
                old_ok = old is not None and Gazetteer.exact(old, name) and \
                    old.kind == _KIND_OF[m.group(1)]
                new_ok = new_unit is not None and Gazetteer.exact(new_unit, name) and \
                    new_unit.kind == _KIND_OF[m.group(1)]
                if old_ok or new_ok:
                    legacy += old_ok and not new_ok
                    new += new_ok and not old_ok
                    break
        return ERA_2025 if new > legacy else LEGACY

    def places(self) -> None:
        """Provinces, districts and communes written after their type word, and lists of them."""
        for m in _PLACE_WORDS.finditer(self.folded):
            level = _LEVEL_OF[m.group(1)]
            at = m.end()
            # "xã biên giới Khổng Lào": a describing word between the level word and the name
            adj = re.match(r" (bien gioi|vung cao|mien nui|vung bien)(?= [^ ])", self.folded[at:at + 14])
            if adj and level == "commune":
                at += adj.end()
            found = self.longest_place(level, at, word=m.group(1))
            if found is None and level == "commune":
                found = self.commune_in_next_district(at)
            if found is None:
                words = self.words_after(at, 4)
                if (words and level == "commune" and self.text[words[0][0]].isupper()
                        and not self.text[m.start():words[-1][1]].isupper()):
                    s, e = m.start(), words[-1][1]
                    self.add(Mention(level, self.text[s:e], s, e, self.text[s:e].strip(), None,
                                     {}, unresolved=True, confidence=0.3))
                continue
            unit, _, end = found
            if level == "commune":
                unit = self.explicit_district(unit, at, end)
            mention = self.place_mention(level, unit, m.start(), end)
            self.enumeration(mention, level, unit)

    def bare_provinces(self) -> None:
        """Provinces named without their level word: "TP.HCM", "ở Đăk Lăk", a heading "Trà Vinh:"."""
        for m in re.finditer(r"(?<![\w.])(?:TP|Tp)\.\s?(?=[A-ZĐÀ-Ỹ])", self.text):
            run = re.match(r"[A-ZĐÀ-Ỹ][\w.]*(?: [A-ZĐÀ-Ỹ]\w*){0,3}", self.text[m.end():])
            if not run:
                continue
            for k in range(len(run.group(0).split()), 0, -1):
                name = " ".join(run.group(0).split()[:k]).rstrip(".")
                unit = self.g.province(f"Thành phố {name}", era=self.era)
                if unit is not None:
                    self.place_mention("province", unit, m.start(), m.end() + len(name), 0.8)
                    break
        # a line's first words ("Trà Vinh: …"): only lines with a colon near their start
        starts = [0] + [i + 1 for i in _all_at(self.text, "\n")]
        heads = [(a, a) for a in starts if ":" in self.text[a:a + 40]]
        after_word = [(m.start(), m.end()) for m in _BARE_PROVINCE_AT.finditer(self.text)]
        for m_start, m_end in heads + after_word:
            found = self.bare_place("province", m_end - 1) if m_end > m_start else None
            if found is None and m_start == m_end:  # a line's first words
                if m_end >= len(self.text) or not self.text[m_end].isupper():
                    continue
                words = self.words_after(m_end, 3)
                for k in range(len(words), 0, -1):
                    name = self.text[words[0][0]:words[k - 1][1]]
                    unit = self.resolve_name("province", name)
                    if unit is not None and Gazetteer.exact(unit, name) and \
                            self.text[words[k - 1][1]:words[k - 1][1] + 1] == ":":
                        self.place_mention("province", unit, words[0][0], words[k - 1][1], 0.75)
                        break
                continue
            if found is not None:
                unit, end = found
                start = self.words_after(m_end - 1, 1)[0][0]
                self.place_mention("province", unit, start, end, 0.75)

    def bare_communes(self) -> None:
        """Communes named without their level word, in a list the sentence calls communes:
        "03 xã …, đó là Keo Lôm, Phì Nhừ và Chiềng Sơ", "Keo Lôm, Phì Nhừ, Chiềng Sơ là ba xã".

        Each name must be spelled exactly as a commune of the document's district (or, in
        the 2025 map, province); the list is taken whole or not at all.
        """
        if (self.district is None and self.era == LEGACY) or self.province is None:
            return
        for m in re.finditer(r"(?<![a-z])xa\b[^.;\n]{0,70}?(?:do la|la|gom):? ", self.folded):
            self.bare_list(m.end(), None)
        for m in re.finditer(r" là (?:\w+ )?xã\b", self.text):
            start = max(self.text.rfind(". ", 0, m.start()) + 2, self.text.rfind("\n", 0, m.start()) + 1)
            if 0 < m.start() - start <= 80:
                self.bare_list(start, "là")

    def bare_list(self, at: int, closing: str | None) -> None:
        found: list[tuple[Any, int, int]] = []
        pos = at
        while True:
            words = self.words_after(pos, 3)
            unit = None
            for k in range(len(words), 0, -1):
                name = self.text[words[0][0]:words[k - 1][1]]
                cand = self.resolve_name("commune", name)
                if cand is not None and Gazetteer.exact(cand, name) and (
                        self.era != LEGACY or cand.district_code == self.district):
                    unit = (cand, words[0][0], words[k - 1][1])
                    break
            if unit is None:
                break
            found.append(unit)
            sep = re.match(r"(,| và) (?=\S)", self.text[unit[2]:unit[2] + 5])
            if not sep:
                break
            pos = unit[2] + sep.end() - 1
        if len(found) < 2:
            return
        if closing and not re.match(r"\s+là\b", self.text[found[-1][2]:found[-1][2] + 5]):
            return
        taken = [(x.start, x.end) for x in self.mentions]
        for unit, s, e in found:
            if not any(a < e and s < b for a, b in taken):
                self.place_mention("commune", unit, s, e, 0.75)

    def commune_in_next_district(self, at: int) -> tuple[Any, int, int] | None:
        """``xã Ayun, huyện Chư Sê`` where the name alone is ambiguous in the province."""
        words = self.words_after(at, 5)
        for k in range(len(words), 0, -1):
            end = words[k - 1][1]
            nxt = re.match(r"[\s,–-]*(huyen|thi xa|thanh pho) ", self.folded[end:end + 16])
            if not nxt:
                continue
            district = self.longest_place("district", end + nxt.end() - 1)
            if district is None:
                continue
            unit = self.g.commune(self.text[words[0][0]:end], district=district[0].code)
            if unit is not None:
                return unit, words[0][0], end
        return None

    def explicit_district(self, unit: Any, name_start: int, end: int) -> Any:
        """``xã Đăk Long, huyện Đăk Glei``: the district written next decides the commune."""
        nxt = re.match(r"[\s,–-]*(huyen|thi xa|thanh pho) ", self.folded[end:end + 16])
        if not nxt:
            return unit
        district = self.longest_place("district", end + nxt.end() - 1)
        if district is None or district[0].code == unit.district_code:
            return unit
        words = self.words_after(name_start, 5)
        name = self.text[words[0][0]:end] if words else ""
        return self.g.commune(name, district=district[0].code) or unit

    def enumeration(self, first: Mention, level: str, unit: Any) -> None:
        """``Huyện Kon Plông, Tu Mơ Rông và Đăk Glei``: the same level after , or và."""
        pos = first.end
        parent = getattr(unit, "district_code", None)
        while True:
            sep = re.match(r"(,| và| hoặc|,\s*và) (?=\S)", self.text[pos:pos + 8])
            if not sep:
                break
            at = pos + sep.end() - 1
            found = self.longest_place(level, at, parent)
            if found is None:
                if level == "district" and self.text[at + 1:at + 2].isupper():
                    prov = self.longest_place("province", at)
                    if prov and prov[0].code == unit.province_code:
                        self.place_mention("province", prov[0], prov[1], prov[2], 0.8)
                break
            unit2, s, e = found
            if level == "commune" and unit2.district_code != unit.district_code:
                break
            self.place_mention(level, unit2, s, e, 0.8)
            pos = e

    def organisations(self) -> None:
        """Organisation names from the lexicon with their scope word or place name."""
        self.campaign_board = bool(re.search(r"(?<![a-z])(ban chi dao|bcd) (cuoc van dong|cvd)",
                                             self.folded))
        for start, end, key in self.g.org_matcher.find(self.folded):
            org = self.g.org_by_variant[key]
            before = self.folded[max(0, start - 30):start]
            # "các huyện ủy, thành ủy": every body of a kind, not one
            # ("các thành viên Ban Chỉ đạo", "các PCT UBND huyện": many people of one body)
            if re.search(r"tru so (?:[a-z]+ )?(?:(?:dang uy|hdnd|ubnd|ubmttqvn|mttq|mat tran)"
                         r" ?[-,] ?)*$", self.folded[max(0, start - 60):start]):
                continue  # "trụ sở Đảng ủy - HĐND - UBND xã …": a building, not a body
            many = re.search(r"(?<![a-z])(cac|nhung|moi) ((?:[a-z]+ ){0,2}[a-z]+, )?$", before)
            if many and self.text[start - len(before) + many.start(1):][:5].split(" ")[0].lower() \
                    in ("các", "những", "mọi"):
                continue
            if org.head.startswith("Thường trực") and before.endswith("bi thu "):
                # "Phó Bí thư Thường trực Huyện ủy": a title; the body is the Huyện ủy
                word = re.match(r"(thuong truc|tt) ", self.folded[start:end])
                inner = self.g.org_matcher.find(self.folded[:end], start + word.end()) if word else []
                if inner:
                    org, start = self.g.org_by_variant[inner[0][2]], inner[0][0]
            self.organisation(org, start, end)

    def organisation(self, org: OrgType, start: int, end: int) -> None:
        after = self.folded[end:end + 40]
        if re.match(r" (cac|nhung) ", after) or re.match(r" cung cap", after):
            return
        if not _tones_agree(self.text[start:end], self.g.org_written.get(self.folded[start:end],
                                                                         [])):
            return  # "tình đoàn kết" is no "Tỉnh đoàn": accents written decide
        level, scope_unit, m_end = org.level, None, end
        sw = re.match(r"( \([a-z]{2,6}\))?( cua)?( viet nam)?( cap)? "
                      r"(huyen|tinh|xa|phuong|thi tran|thanh pho)(?![a-z0-9])", after)
        if sw and not (org.level and sw.group(5) in ("huyen", "tinh")):
            if sw.group(4):
                return  # "cấp xã": every commune, not one body
            level = _LEVEL_OF[sw.group(5)]
            m_end = end + sw.end()
            found = self.longest_place(level, m_end)
            if found:
                scope_unit, _, name_end = found
                self.place_mention(level, scope_unit, found[1], name_end, 0.85)
                m_end = name_end
        elif org.level:
            found = self.longest_place(org.level, end)
            if found:
                # "Tỉnh ủy Kon Tum": the name fused into the committee's is its scope, not a
                # place mention (gold convention: no province or district is mentioned)
                scope_unit, _, m_end = found
            elif org.level == "district" and org.head == "Thành ủy":
                # "Thành ủy Đà Nẵng": the committee of a centrally-run city
                found = self.bare_place("province", end)
                if found:
                    scope_unit, m_end = found
                    level = "province"
        elif org.home and (found := self.bare_place(org.home, end)):
            # "BĐBP Bình Phước", "Bộ đội Biên phòng Quảng Trị": the name is no place mention
            scope_unit, m_end = found
            level = org.home
        elif (not org.scoped or org.head == "Ban Chỉ đạo Cuộc vận động"
              or re.search(r"(?<![a-z])(tm|t/m)\.? *$", self.folded[max(0, start - 6):start])):
            # "TM. ỦY BAN NHÂN DÂN" signs for the body of the document's own place
            level = org.home or ("district" if self.district else "province")
        elif chain := _BODY_CHAIN.match(after):
            # "Đảng ủy - HĐND - UBND xã Lơ Pang": bodies listed before one scope share it
            level = _LEVEL_OF[chain.group(1)]
            found = self.longest_place(level, end + chain.end())
            if found is None:
                return
            scope_unit = found[0]
        else:
            return
        if level is None:
            level = "district"
        scope_id, place_name = self.scope_of(level, scope_unit, start)
        level_word = Gazetteer.level_word(level)
        if level == "commune" and sw:
            level_word = {"xa": "xã", "thi tran": "thị trấn", "phuong": "phường"}.get(
                sw.group(5), "xã")
        if level == "province" and scope_unit is None and self.province:
            p = self.g.unit("province", self.province, self.era)
            level_word = p.kind.lower()
        elif level == "province" and scope_unit is not None:
            level_word = scope_unit.kind.lower()
        text = self.text[start:m_end]
        head = org.head
        if head == "Ban Chỉ đạo" and self.campaign_board:
            head = "Ban Chỉ đạo Cuộc vận động"  # the one board the document is about
        if org.party:
            committee = {"province": "Tỉnh ủy", "district": "Huyện ủy"}.get(level, "Đảng ủy")
            canonical = f"{head} {committee} {place_name}" if place_name else head
        elif org.level or (head == "Thành ủy" and level == "province"):
            canonical = f"{head} {place_name}" if place_name else head
        else:
            canonical = (f"{head} {level_word} {place_name}" if place_name
                         else f"{head} {level_word}")
        known = self.g.organisation(canonical, org.label, scope_id) if scope_id else None
        props = {"name": canonical, "scope": scope_id, "kind": org.kind}
        self.add(Mention("organisation", text, start, m_end, canonical,
                         known.id if known else None, {"kind": org.kind, "scope": scope_id},
                         unresolved=scope_id is None, label=org.label, props=props,
                         confidence=0.85 if scope_unit else 0.7))

    def named_bodies(self) -> None:
        """Bodies known by a proper name: ``Đồn Biên phòng Đắc Ơ``, ``Công ty CP Phân bón Bình
        Điền``, ``Trường THCS Phú Lộc``, ``tổ kết nghĩa số 8``."""
        for m in _NAMED_BODY.finditer(self.folded):
            kind = m.group(1)
            head = _NAMED_HEADS[kind]
            at = m.end()
            if kind == "cong ty":
                form = _LEGAL_FORM.match(self.folded, at)
                prefix = ""
                if form:
                    prefix = _LEGAL_FORMS[re.sub(r" +", " ", form.group(1))] + " "
                    at = form.end()
                words = self.name_run(at)
                if not words:
                    continue
                end = words[-1][1]
                canonical = f"Công ty {prefix}{self.text[words[0][0]:end]}"
                self.body_mention(m.start(), end, canonical, "Unit", "enterprise", "province")
            elif kind == "truong":
                school = _SCHOOL.match(self.folded, at)
                if not school:
                    continue
                level_name = _SCHOOLS.get(school.group(1).replace(" ", ""),
                                          self.text[at:school.end(1)])
                words = self.words_after(school.end(), 4)
                if not words:
                    continue
                end = words[-1][1]
                tail = re.match(r" \d{1,2}(?![\d/])", self.text[end:end + 4])
                end += tail.end() if tail else 0
                canonical = f"Trường {level_name} {self.text[words[0][0]:end]}"
                self.body_mention(m.start(), end, canonical, "Unit", "school", "district")
            elif kind.startswith("to ket nghia"):
                number = re.match(r"\d{1,3}", self.text[at:at + 3])
                if not number:
                    continue
                end = at + number.end()
                level = "district" if self.district else "province"
                scope_id, place = self.scope_of(level, None, m.start())
                if scope_id is None:
                    continue
                word = Gazetteer.level_word(level)
                self.body_mention(m.start(), end, f"Tổ kết nghĩa số {number.group(0)} {word} "
                                  f"{place}", "Unit", "other", level)
            else:  # đồn biên phòng
                words = self.words_after(at, 4)
                if not words:
                    continue
                end = words[-1][1]
                self.body_mention(m.start(), end, f"{head} {self.text[words[0][0]:end]}",
                                  "Unit", "armed_force", "province")

    def company_short_names(self) -> None:
        """"Bình Điền" alone for "Công ty CP Phân bón Bình Điền" named before: the company.

        The short name is the full name's last two capitalised words, unless they name a
        place of the document's area ("Công ty Cao su Chư Sê": Chư Sê is a district).
        """
        companies = [m for m in self.mentions if m.type == "organisation"
                     and m.attributes.get("kind") == "enterprise"]
        taken = [(m.start, m.end) for m in self.mentions]
        seen: set[str] = set()
        for c in companies:
            words = c.canonical.split()
            if len(words) < 4 or not all(w[:1].isupper() for w in words[-2:]):
                continue
            short = " ".join(words[-2:])
            if short in seen or any(self.bare_exact(level, short) for level in
                                    ("commune", "district", "province")):
                continue
            seen.add(short)
            for m in re.compile(rf"(?<!\w){re.escape(short)}(?!\w)").finditer(self.text, c.end):
                if any(a <= m.start() < b for a, b in taken):
                    continue
                self.add(Mention("organisation", short, m.start(), m.end(), c.canonical, c.id,
                                 dict(c.attributes), label=c.label, props=dict(c.props),
                                 confidence=0.7))

    def bare_exact(self, level: str, name: str) -> bool:
        """``name`` is, spelled exactly, a province, or a commune/district of the document's
        province (a namesake at the other end of the country does not count)."""
        unit = self.resolve_name(level, name)
        if unit is None or not Gazetteer.exact(unit, name):
            return False
        return level == "province" or self.province is None or self.in_era_province(
            unit.province_code, getattr(unit, "era", LEGACY)) == self.province

    def name_run(self, at: int) -> list[tuple[int, int]]:
        """Words of a proper name from ``at``: capitalised ones, and lower-case ones between
        them ("Tư vấn xây dựng Đắk Lắk"), up to a verb or a connective."""
        out: list[tuple[int, int]] = []
        for w in re.finditer(r"\S+", self.text[at:at + 120]):
            word = w.group(0)
            core = word.rstrip(".,;:)”\"")
            if not core or not re.fullmatch(r"[\w'’&-]+", core):
                break
            if core[0].islower() and fold(core) in _NAME_STOP:
                break
            out.append((at + w.start(), at + w.start() + len(core)))
            if core != word or (w.end() < 120 and self.text[at + w.end():at + w.end() + 1]
                                not in (" ",)):
                break
        while out and self.text[out[-1][0]].islower():
            out.pop()
        return out if out and any(self.text[a].isupper() for a, _ in out) else []

    def body_mention(self, start: int, end: int, canonical: str, label: str, kind: str,
                     level: str) -> None:
        scope_id, _ = self.scope_of(level, None, start)
        if scope_id is None and level == "district":
            scope_id, _ = self.scope_of("province", None, start)
        known = self.g.organisation(canonical, label, scope_id) if scope_id else None
        self.add(Mention("organisation", self.text[start:end], start, end, canonical,
                         known.id if known else None, {"kind": kind, "scope": scope_id},
                         unresolved=scope_id is None, label=label,
                         props={"name": canonical, "scope": scope_id, "kind": kind},
                         confidence=0.8))

    def village_bodies(self) -> None:
        """``Chi bộ thôn 1``, ``ban tự quản buôn Kbu``: a village's own body."""
        if not any(w in self.folded for w in ("chi bo ", "ban tu quan ", "ban cong tac mat tran ")):
            return
        villages = {m.start: m for m in self.mentions if m.type == "village" and not m.unresolved}
        for m in re.finditer(r"(?<![a-z])(chi bo|ban tu quan|ban cong tac mat tran) ",
                             self.folded):
            v = villages.get(m.end())
            if v is None:
                continue
            head = {"chi bo": "Chi bộ", "ban tu quan": "Ban tự quản",
                    "ban cong tac mat tran": "Ban Công tác Mặt trận"}[m.group(1)]
            name = v.canonical.replace(", ", " ")
            name = name[0].lower() + name[1:]
            self.add(Mention("organisation", self.text[m.start():v.end], m.start(), v.end,
                             f"{head} {name}", None,
                             {"kind": "other", "scope": v.attributes.get("commune")},
                             label="Unit", props={"name": f"{head} {name}", "scope":
                                                  v.attributes.get("commune"), "kind": "other"},
                             confidence=0.75))

    def bare_place(self, level: str, end: int) -> tuple[Any, int] | None:
        """A unit of ``level`` named right after ``end`` without a level word, spelled exactly."""
        words = self.words_after(end, 4)
        for k in range(len(words), 0, -1):
            name = self.text[words[0][0]:words[k - 1][1]]
            unit = self.resolve_name(level, name)
            if unit is not None and Gazetteer.exact(unit, name):
                return unit, words[k - 1][1]
        return None

    def scope_of(self, level: str, unit: Any, at: int) -> tuple[str | None, str | None]:
        if unit is not None:
            label = {"commune": "Commune", "district": "District", "province": "Province"}[level]
            return self.ex.place_id(label, unit.code, getattr(unit, "era", LEGACY)), \
                unit.short_name
        if level == "district" and self.district:
            d = self.g.unit("district", self.district)
            return self.ex.place_id("District", d.code), d.short_name
        if level == "province" and self.province:
            p = self.g.unit("province", self.province, self.era)
            return self.ex.place_id("Province", p.code, self.era), p.short_name
        if level == "commune":
            near = [m for m in self.mentions if m.type == "commune" and not m.unresolved
                    and at - 250 < m.end <= at and "\n" not in self.text[m.end:at]]
            if near:
                c = self.g.unit("commune", near[-1].attributes["code"],
                                near[-1].attributes.get("era", LEGACY))
                return near[-1].id, c.short_name
        return None, None

    def villages(self) -> None:
        """``thôn 4``, ``làng Kon Đó``, ``buôn Kbu``, ``bản Nà Vàng``, ``thôn 10 Làng Kon Skôi``.

        The commune is the one written next ("làng Quen (xã Ia Me, …)"); else the one another
        mention of the same village in the document names; else the document's only commune.
        """
        found: list[tuple[int, int, str, int | None, str, Mention | None]] = []
        commune_names = {squash(self.g.unit("commune", c.attributes["code"],
                                            c.attributes.get("era", LEGACY)).short_name)
                         for c in self.mentions if c.type == "commune" and not c.unresolved}
        for m in _VILLAGE_WORDS.finditer(self.folded):
            word = self.text[m.start():m.end()]
            if not _village_word(word):
                continue
            before = self.folded[max(0, m.start() - 12):m.start()]
            if re.search(r"(gia|thanh pho|tp\.?) ?$", before):
                continue  # "già làng Y B'Bốc" is a person; "thành phố Buôn Ma Thuột" a city
            num = re.match(r" ?(\d{1,3})(?![\d/,.]\d)", self.text[m.end():m.end() + 6])
            number = int(num.group(1)) if num else None
            pos = m.end() + (num.end() if num else 0)
            words = self.words_after(pos, 5)
            # names joined by a dash: "thôn 5 Ngọc Răng – Nhân Liễu"
            if words:
                dash = re.match(r" [–-] (?=[A-ZĐÀ-Ỹ])", self.text[words[-1][1]:words[-1][1] + 4])
                if dash and not re.match(r"(xa|thi tran|phuong|huyen)\b",
                                         self.folded[words[-1][1] + 3:words[-1][1] + 12]):
                    words += self.words_after(words[-1][1] + 2, 3)
            if words and len(words) == 1 and self.text[words[0][0]:words[0][1]].isupper() and \
                    words[0][1] - words[0][0] > 1:
                words = []  # "làng DTTS": an abbreviation, not a name
            if number is None and not words:
                # "Buôn wik, xã Ea Hồ": a name typed in lower case, sure by its commune
                low = re.match(r" ([a-zà-ỹđ][\w'’]{1,15})(?=[\s,–-]+(?:xã|phường|thị trấn) )",
                               self.text[pos:pos + 40])
                if low and fold(low.group(1)) not in _NAME_STOP:
                    words = [(pos + 1, pos + low.end())]
            if number is None and not words:
                continue
            if word[0].isupper() and m.start() > 0 and self.text[m.start() - 1] not in "\n ,(-–":
                continue
            if words and number is None:
                tail_num = re.match(r" (\d{1,2})(?![\d/])(?! (?:triệu|tỷ|nghìn|ngàn|hộ|người|"
                                    r"km|ha|m\b|%))", self.text[words[-1][1]:words[-1][1] + 12])
                if tail_num:
                    words.append((words[-1][1] + 1, words[-1][1] + tail_num.end()))
            end = words[-1][1] if words else pos
            name_part = self.text[(words[0][0] if words else end):end]
            if words and number is None and self.g.district(f"{word} {name_part}") is not None \
                    and Gazetteer.exact(self.g.district(f"{word} {name_part}"),
                                        f"{word} {name_part}"):
                continue  # "Buôn Hồ", "Buôn Đôn": districts named with a village word
            if any(c.type == "commune" and c.start <= m.start() < c.end for c in self.mentions) \
                    or (number is None and squash(f"{word} {name_part}") in commune_names):
                continue  # "xã Bản Lầu", and "Bản Lầu" alone: the commune's name
            kind = word[0].upper() + word[1:].lower() if word.islower() else word.capitalize()
            found.append((m.start(), end, kind, number, name_part,
                          self.commune_after(end) or self.commune_after_list(end)))
            # "các thôn Na Mạ 1, Na Mạ 2": more names of the same kind
            if re.search(r"(cac|nhung|hai|ba) $", before) and number is None:
                found += self.more_villages(end, kind)
        by_name = {}
        for f in found:
            if f[5] is not None:
                by_name.setdefault(_village_key(f[3], f[4]), f[5])
        communes = {m.id for m in self.mentions if m.type == "commune" and not m.unresolved}
        only = next((m for m in self.mentions if m.type == "commune" and not m.unresolved),
                    None) if len(communes) == 1 else None
        resolved = []
        for start, end, kind, number, name_part, commune in found:
            conf = 0.85
            if commune is None:
                commune, conf = by_name.get(_village_key(number, name_part)), 0.75
            if commune is None and only is not None and not self.unknown_commune_after(end):
                commune, conf = only, 0.6
            resolved.append((start, end, kind, number, name_part, commune, conf))
        # "thôn 10" and "thôn 10 Làng Kon Skôi" of one commune: one village, its full name
        for _, _, kind, number, name_part, commune, _ in resolved:
            if commune is not None and number is not None and name_part:
                self.village_spelling.setdefault((commune.id, str(number)),
                                                 f"{kind} {number} {name_part}")
        for start, end, kind, number, name_part, commune, conf in resolved:
            node_part = None
            if commune is not None and number is not None and not name_part:
                full = self.village_spelling.get((commune.id, str(number)))
                if full and full.split()[0] == kind:
                    node_part = full.split(" ", 2)[2]
            self.village_mention(start, end, kind, number, name_part, commune, conf, node_part)

    def unknown_commune_after(self, end: int) -> bool:
        """A commune is written after the village but matches no official one."""
        return any(m.type == "commune" and m.unresolved and end <= m.start <= end + 12
                   for m in self.mentions)

    def more_villages(self, end: int, kind: str
                      ) -> list[tuple[int, int, str, int | None, str, Mention | None]]:
        out: list[tuple[int, int, str, int | None, str, Mention | None]] = []
        while True:
            sep = re.match(r"(,| và) (?=[A-ZĐÀ-Ỹ])", self.text[end:end + 5])
            if not sep:
                return out
            words = self.words_after(end + sep.end() - 1, 4)
            if not words:
                return out
            stop = words[-1][1]
            tail = re.match(r" (\d{1,2})(?![\d/])", self.text[stop:stop + 4])
            stop += tail.end() if tail else 0
            name = self.text[words[0][0]:stop]
            if fold(name.split()[0]) in ("xa", "huyen", "tinh", "phuong", "thon", "lang"):
                return out
            out.append((words[0][0], stop, kind, None, name,
                        self.commune_after(stop) or self.commune_after_list(stop)))
            end = stop

    def village_mention(self, start: int, end: int, kind: str, number: int | None,
                        name_part: str, commune: Mention | None, conf: float,
                        node_name_part: str | None = None) -> None:
        """A village mention named as written; its node may carry the document's fuller name
        (``node_name_part``: "Làng Kon Skôi" of a bare "thôn 10")."""
        name = f"{kind} {number}" if number is not None else f"{kind} {name_part}"
        attrs: dict[str, Any] = {"number": number}
        if name_part and number is not None:
            attrs["alias"] = name_part
        if commune is None:
            self.add(Mention("village", self.text[start:end], start, end, name, None,
                             attrs, unresolved=True, label="Village", confidence=0.4))
            return
        known = self.g.village(commune.id, name_part or name, number)
        # "Thôn 10 Làng Kon Skôi": the node is named as written in full (the number alone is
        # an alias); "Đăk O Nglăng" after "Đăk Ônglăng" is the same village, spelled first way
        full = f"{kind} {number} {name_part}" if name_part and number is not None else name
        full = self.village_spelling.setdefault((commune.id, squash(full)), full)
        node_full = f"{kind} {number} {node_name_part}" if node_name_part else full
        vname = known.name if known else node_full
        attrs["commune"] = commune.id
        props = {"name": vname, "commune": commune.id, "number": number,
                 "kind": kind if kind in _VILLAGE_KINDS else None}
        if (name_part or node_name_part) and number is not None:
            props["aliases"] = [f"{kind} {number}"]
        shown = full if not known else vname
        self.add(Mention("village", self.text[start:end], start, end,
                         f"{shown}, {commune.canonical}", known.id if known else None, attrs,
                         label="Village", props=props, confidence=conf))

    def commune_after(self, end: int) -> Mention | None:
        """The commune written right after ``end``: ", xã X", " - xã X", " (xã X, …)", "thuộc xã X"."""
        for m in self.mentions:
            if m.type == "commune" and not m.unresolved and end <= m.start <= end + 12:
                gap = self.text[end:m.start]
                if re.fullmatch(r"[\s,–-]*(?:\(\s*|thuộc\s+|của\s+)?", gap):
                    return m
        return None

    def commune_after_list(self, end: int) -> Mention | None:
        """``thôn 4, thôn 5 xã Đăk Kôi``: the commune closing a list of villages."""
        tail = self.folded[end:end + 80]
        m = re.match(r"((,| va) (thon|lang) [\w ]{1,20}?)+[\s,–-]*(?=(xa|thi tran|phuong) )",
                     tail)
        return self.commune_after(end + m.end()) if m else None

    def directives(self) -> list[Mention]:
        out = []
        for num in P.find_numbers(self.text):
            attrs: dict[str, Any] = {"number": num.number, "kind_code": num.kind_code,
                                     "kind": num.kind, "style": num.style}
            before = P.kind_before(self.text, num.start, self.folded)
            if before:
                attrs["kind"] = P.KIND_CODES.get(before[1].upper(), attrs["kind"])
            after = self.text[num.end:num.end + 40]
            d = re.match(r"\s*,?\s*(?:ban hành\s+)?ngày\s+(\d{1,2})\s?[/.-]\s?(\d{1,2})"
                         r"(?:\s?[/.-]\s?(\d{4}))?", after, re.I)
            if d:
                attrs["date"] = P.iso_date(d.group(1), d.group(2), d.group(3) or self.year)
            mention = self.add(Mention("directive", self.text[num.start:num.end], num.start,
                                       num.end, num.canonical, None, attrs, label="Directive",
                                       confidence=0.95))
            mention.props = {"date_end": num.end + (d.end() if d else 0)}
            out.append(mention)
        return out

    def short_refs(self, full: list[Mention]) -> None:
        """``Kế hoạch số 133``, ``Chỉ thị 02 và 04``: numbers without kind/issuer."""
        pat = re.compile(r"(?<![a-z])(" + "|".join(sorted(P.KIND_WORDS, key=len, reverse=True))
                         + r")( so)? (\d{1,4})(?![\d/]|\s?-\s?(?:\d|(?:" + _CODES + r")(?![a-z])))"
                         r"((?: va (\d{1,4})(?![\d/-]))?)")
        taken = [(m.start, m.end) for m in full]
        for m in pat.finditer(self.folded):
            code = P.KIND_WORDS[m.group(1)]
            for grp in (3, 5):
                if not m.group(grp):
                    continue
                s, e = m.start(grp), m.end(grp)
                if any(a <= s < b for a, b in taken):
                    continue
                number = m.group(grp).lstrip("0") or "0"
                target = next((f for f in full if (f.attributes["number"].lstrip("0") or "0")
                               == number and f.attributes["kind_code"].upper() == code.upper()),
                              None)
                if target is None:
                    continue
                start = m.start() if grp == 3 else s
                self.add(Mention("directive", self.text[start:e], start, e, target.canonical,
                                 None, {**target.attributes, "short": True},
                                 label="Directive", confidence=0.8))

    def models(self) -> None:
        """``mô hình “…”``, ``Mô hình Nuôi heo đen``, ``mô hình nuôi heo bản địa``."""
        for m in re.finditer(r"(?<![a-z0-9])mo hinh +", self.folded):
            prev = self.folded[max(0, m.start() - 12):m.start()].split()
            # "2.665 mô hình (1.921 tập thể …)": a count, not a named model
            if prev and (re.fullmatch(r"[\d.,]+", prev[-1]) or prev[-1] in ("cac", "nhung", "nhieu", "moi",
                                                             "so", "nhan")):
                continue
            pos = m.end()
            rest = self.text[pos:pos + 200]
            q = re.match(r"[“\"«*(]+\s*", rest)
            if q:
                close = re.search(r"[”\"»]|\*(?=\s*[\)”\"]?)", rest[q.end():])
                if not close:
                    continue
                name = rest[q.end():q.end() + close.start()].strip(" *")
                end = pos + q.end() + close.end()
                while end < len(self.text) and self.text[end] in "*”\"":
                    end += 1
            else:
                frest = self.folded[pos:pos + 25]
                first = frest.split(" ", 1)[0] if rest else ""
                if not rest or not (rest[0].isupper() or frest.startswith(_ACTIVITY)):
                    continue
                if first in ("diem", "chung", "hay", "nay"):
                    continue
                stop = _MODEL_STOP.search(rest)
                if stop is None and pos + len(rest) >= len(self.text):
                    continue  # the text ends inside the name: a cut-off name is no model
                name = (rest[:stop.start()] if stop else rest[:80]).strip()
                if stop and stop.group(0) == "," and (tail := _MODEL_LIST_TAIL.match(
                        rest, stop.start())):
                    # "mô hình Giúp dân phát triển kinh tế, giảm nghèo bền vững, đảm bảo an sinh
                    # xã hội…": the last of a list of models, closed by an ellipsis, keeps its commas
                    name = rest[:tail.end(1)].strip()
                if stop and stop.group(0) in "\"“" and stop.start() and rest[stop.start() - 1] == " ":
                    # 'Mô hình thay đổi "nếp nghĩ, cách làm"': the quoted words belong to it
                    close = re.search(r"[\"”]", rest[stop.end():stop.end() + 80])
                    if close:
                        name = rest[:stop.end() + close.end()].strip()
                if _GENERIC_MODEL.fullmatch(fold(name)):
                    continue
                owner = _PERSON_OWNER.match(rest, len(name))
                if owner:
                    # "… của chị Hồ Thị Xuân", "… của hộ ông A Châm": a household's model
                    name = rest[:owner.end()].strip()
                elif stop and stop.group(0) == " của " and not rest[stop.end():][:1].isupper():
                    more = _MODEL_STOP.search(rest, stop.end())
                    name = (rest[:more.start()] if more else rest[:80]).strip()
                end = pos + len(name)
                # "Nuôi heo đen (heo làng)": a gloss in brackets belongs to the mention
                gloss = re.match(r" ?\([^()\n\d]{1,30}\)", self.text[end:end + 34])
                if gloss:
                    end += gloss.end()
            # a name closed by its quote may be long; an unquoted run stops at 20 words;
            # nothing half-read: no number fragment ("(1.921 tập thể")
            if not name or name[0].isdigit() or squash(name) == "danvankheo" or \
                    len(name.split()) > (40 if q else 20):
                continue
            canonical = name[0].upper() + name[1:]
            self.add(Mention("model", self.text[m.start():end], m.start(), end, canonical, None,
                             {"category": self.category(m.start())}, label="Model",
                             props={"name": canonical}, confidence=0.75))

    def category(self, at: int) -> str | None:
        fields = {"kinh te": "kinh tế", "van hoa": "văn hóa - xã hội",
                  "quoc phong": "quốc phòng - an ninh", "he thong chinh tri":
                  "xây dựng hệ thống chính trị"}
        found = _CATEGORY.match(self.folded, at, at + 60)
        return fields[found.group(1)] if found else None

    def people(self) -> None:
        for m in _PERSON.finditer(self.text):
            words = m.group(2).split(" ")
            keep = []
            for w in words:
                if len(w) > 1 and w.isupper():
                    break
                keep.append(w)
            if len(keep) < 2:
                continue
            name = " ".join(keep)
            s, e = m.start(2), m.start(2) + len(name)
            self.add(Mention("person", name, s, e, name, None, {"title": m.group(1).lower()},
                             label="Person", confidence=0.7))

    def statistics(self) -> None:
        for m in _STAT.finditer(self.folded):
            prev = self.folded[max(0, m.start() - 10):m.start()].split()
            if prev and prev[-1] in _NOT_STAT_BEFORE:
                continue
            raw = self.text[m.start(1):m.end(1)]
            unit = self.text[m.start(3):m.end(3)]
            attrs: dict[str, Any] = {"value": P.parse_number_value(raw), "what": unit}
            if m.group(2):
                attrs["total"] = P.parse_number_value(self.text[m.start(2):m.end(2)])
            if unit == "%":
                clause = re.split(r"[;.\n:]", self.text[max(0, m.start() - 120):m.start()])[-1]
                attrs["what"] = " ".join(clause.split()[-8:]) or "%"
            cat = re.match(r"\s*(?:về|trên lĩnh vực)\s+([^;,)\n]+)", self.text[m.end():m.end() + 60])
            if cat:
                attrs["category"] = cat.group(1).strip()
            self.add(Mention("statistic", self.text[m.start():m.end()], m.start(), m.end(),
                             f"{raw} {unit}" if unit != "%" else f"{raw}%", None, attrs,
                             label="Statistic", confidence=0.7))

    # document ---------------------------------------------------------------------------
    def document_facts(self) -> tuple[dict[str, Any], int | None]:
        return document_facts(self)


# ---------------------------------------------------------------------------
# document facts and relations

_ISSUER_CODES = {"TU": ("Ban Thường vụ Tỉnh ủy", "province"),
                 "HU": ("Ban Thường vụ Huyện ủy", "district"),
                 "BCĐ": ("Ban Chỉ đạo Cuộc vận động", "district"),
                 "UBND": ("Ủy ban nhân dân", "district"),
                 "MTTQ": ("Ủy ban Mặt trận Tổ quốc Việt Nam", "district"),
                 "BDV": ("Ban Dân vận Huyện ủy", "district")}
_PLAN_KINDS = {"Kế hoạch", "Chương trình", "Chương trình phối hợp", "Đề án", "Kế hoạch phối hợp"}


_BY_HEAD: dict[str, OrgType] = {}
for _t in ORG_TYPES:
    _BY_HEAD.setdefault(_t.head, _t)


def _org_type(head: str) -> OrgType:
    return _BY_HEAD[head]


def document_facts(run: _Run) -> tuple[dict[str, Any], int | None]:
    """Number, kind, issuer, date and title of the document itself; its own mention index."""
    text, ms = run.text, run.mentions
    self_m = None
    for m in ms:
        line_start = run.text.rfind("\n", 0, m.start) + 1
        if m.type == "directive" and m.start < 600 and re.fullmatch(
                r"\W*so\W*", run.folded[line_start:m.start]):
            self_m = m
            break
    kind = heading = title = None
    for line in re.finditer(r"^[ \t*]*([^\n]{4,40}?)[ \t*]*$", text[:2000], re.M):
        word = line.group(1).strip()
        if word.isupper() and fold(word) in P.KIND_WORDS:
            kind = P.KIND_CODES.get(P.KIND_WORDS[fold(word)].upper())
            heading = line
            block = re.match(r"\s*\n\s*([^\n]+(?:\n[^\n]+)*)", text[line.end():line.end() + 800])
            if block:
                title = " ".join(block.group(1).split())
            break
    if kind is None and self_m is not None:
        kind = self_m.attributes.get("kind")
    if title is None:
        for line in text[:1500].splitlines():
            words = line.split()
            if 5 <= len(words) <= 40 and "|" not in line and not line.startswith(("(", "Số")):
                title = " ".join(words)
                break
    date = P.DATE_WORDS.search(text[:1500])
    doc_date = P.iso_date(*date.groups()) if date else None
    issuer = _document_issuer(run, self_m)
    if self_m is None and heading is not None and kind is not None:
        canonical = " ".join(f"{kind} {title or ''}".split())[:200]
        self_m = run.add(Mention("directive", heading.group(1).strip(),
                                 heading.start(1), heading.start(1) + len(heading.group(1).strip()),
                                 canonical, None, {"kind": kind, "kind_code": None},
                                 label="Directive", confidence=0.9))
        ms.sort(key=lambda m: (m.start, -(m.end - m.start), m.type))
    if self_m is not None:
        self_m.attributes.update({"kind": kind or self_m.attributes.get("kind"),
                                  "role": "document"})
        if doc_date:
            self_m.attributes["date"] = doc_date
        if title:
            self_m.attributes["title"] = title
    number = self_m.canonical if self_m is not None and self_m.attributes.get("number") else None
    return ({"number": number, "kind": kind, "issuer": issuer.canonical if issuer else None,
             "date": doc_date or (self_m.attributes.get("date") if self_m else None),
             "title": title}, ms.index(self_m) if self_m is not None else None)


def _document_issuer(run: _Run, self_m: Mention | None) -> Mention | None:
    orgs = [m for m in run.mentions if m.type == "organisation" and not m.unresolved]
    for m in orgs:
        if m.start < 300 and m.text.isupper():
            return m
    tail = len(run.text) - 700
    for m in orgs:
        if m.start > tail and re.search(r"(tm\.?|t/m)\s*$", run.folded[max(0, m.start - 6):m.start]):
            return m
    for m in orgs:
        if m.start > tail and re.match(r"\s*\.?/\.", run.text[m.end:m.end + 4]):
            return m
    if self_m is not None and self_m.attributes.get("kind_code"):
        return _issuer_from_code(run, self_m)
    return None


def _issuer_from_code(run: _Run, d: Mention) -> Mention | None:
    """An issuer the number implies (HU → Ban Thường vụ Huyện ủy), as a mention-less entity."""
    code = d.canonical.replace("/", "-").split("-")[-1]
    spec = _ISSUER_CODES.get(code)
    if spec is None:
        return None
    head, level = spec
    scope_id, place = run.scope_of(level, None, d.start)
    if scope_id is None:
        return None
    org = _org_type(head)
    canonical = (f"{head} {place}" if org.level else
                 f"{head} {Gazetteer.level_word(level)} {place}")
    known = run.g.organisation(canonical, org.label, scope_id)
    return Mention("organisation", "", d.start, d.start, canonical, known.id if known else None,
                   {"kind": org.kind, "scope": scope_id}, label=org.label,
                   props={"name": canonical, "scope": scope_id, "kind": org.kind},
                   confidence=0.6)


def find_relations(run: _Run, self_index: int | None) -> set[Relation]:
    """Relations carried by the phrases around mentions."""
    ms, text, folded = run.mentions, run.text, run.folded
    index = {id(m): i for i, m in enumerate(ms)}
    out: set[Relation] = set()

    def rel(kind: str, a: Mention, b: Mention, start: int | None = None) -> None:
        s = min(a.start, b.start) if start is None else start
        out.add(Relation(kind, index[id(a)], index[id(b)], s, max(a.end, b.end)))

    def starting(at: int, types: tuple[str, ...], slack: int = 2) -> Mention | None:
        for m in ms:
            if m.type in types and at <= m.start <= at + slack:
                return m
        return None

    directives = [m for m in ms if m.type == "directive"]
    issuers: list[Mention | None] = []
    for d in directives:
        end = d.props.get("date_end", d.end)
        de = re.match(r"\s*,?\s*(của|do)\s+", text[end:end + 12])
        issuers.append(starting(end + de.end(), ("organisation",)) if de else None)
    # "Kế hoạch số 101-KH/HU, ngày … và Công văn số 1172-CV/HU, ngày … của Ban Thường vụ
    # Huyện ủy", "Chỉ thị 02 và 04 của Huyện ủy": the issuer closes the whole list
    coordinated = re.compile(r"\s*(,|va)\s*(?:(?:" + "|".join(P.KIND_WORDS) + r")(?: so)?\s*)?")
    for j in range(len(directives) - 2, -1, -1):
        d, nxt = directives[j], directives[j + 1]
        end = d.props.get("date_end", d.end)
        if (issuers[j] is None and issuers[j + 1] is not None and end <= nxt.start
                and _issuer_code(d) == _issuer_code(nxt)
                and coordinated.fullmatch(folded[end:_ref_start(run, nxt)])):
            issuers[j] = issuers[j + 1]
    for d, issuer in zip(directives, issuers, strict=True):
        if issuer is not None:
            rel("ISSUES", issuer, d)
        _finish_directive(run, d, issuer)
    # BASED_ON: "Căn cứ <directive>"
    if self_index is not None:
        me = ms[self_index]
        for m in re.finditer(r"(?<![a-z])can cu ", folded):
            clause_end = re.search(r"[;\n]|\.\s", text[m.end():])
            stop = m.end() + (clause_end.start() if clause_end else 400)
            first = next((d for d in directives if m.end() <= d.start < stop and d is not me),
                         None)
            if first is not None:
                out.add(Relation("BASED_ON", self_index, index[id(first)], m.start(), first.end))
    # IMPLEMENTS: "<directive> … (về) thực hiện <directive>"
    for j, d2 in enumerate(directives):
        before = folded[max(0, d2.start - 40):d2.start]
        t = re.search(r"thuc hien\W{0,3}(?:[a-z ]{0,25})$", before)
        if not t or not re.search(r"thuc hien\W{0,3}(" + "|".join(P.KIND_WORDS) + r")?( so)? ?$",
                                  before):
            continue
        at = d2.start - 40 + t.start() if d2.start >= 40 else t.start()
        prev = [d for d in directives[:j] if d.end <= at and d.canonical != d2.canonical]
        if prev:
            d1 = prev[-1]
            gap = text[d1.end:at]
            if len(gap) <= 160 and not re.search(r"[;\n]|\.\s|\bvà\b", gap):
                rel("IMPLEMENTS", d1, d2)
                continue
        if self_index is not None and d2.start < 1500 and ms[self_index].attributes.get(
                "kind") in _PLAN_KINDS and ms[self_index] is not d2:
            rel("IMPLEMENTS", ms[self_index], d2)
    _places_relations(run, rel)
    _model_relations(run, rel)
    # imported here: the assignment rules build this module's Relation
    from danvan.loaders.documents.assigning import find_assignments
    out |= find_assignments(run, self_index, out)
    return out


def _issuer_code(d: Mention) -> str:
    """``HU`` of ``26-KH/HU`` and of a short reference to it."""
    return d.canonical.replace("/", "-").split("-")[-1]


def _ref_start(run: _Run, d: Mention) -> int:
    """Where a reference starts: its kind word (``Công văn số``) when written before it."""
    before = P.kind_before(run.text, d.start, run.folded)
    return before[0] if before and before[0] < d.start else d.start


def _finish_directive(run: _Run, d: Mention, issuer: Mention | None) -> None:
    """Scope, issuer and knowledge-base id of a directive mention."""
    code = d.canonical.replace("/", "-").split("-")[-1] if d.attributes.get("number") else ""
    if issuer is None and d.attributes.get("role") != "document" and code:
        issuer = _issuer_from_code(run, d)
    elif issuer is None and d.attributes.get("role") == "document":
        issuer = _document_issuer(run, d)
    scope = (issuer.props.get("scope") if issuer is not None else None)
    if scope is None:
        scope, _ = run.scope_of("province" if code == "TU" else "district", None, d.start)
    d.attributes["issuer"] = issuer.canonical if issuer is not None else None
    scopes = [s for s in (scope, *_ctx_scopes(run)) if s]
    if d.attributes.get("number"):
        known = run.g.directive(d.canonical, scopes)
    else:  # the document itself, unnumbered: by scope, kind and title
        known = run.g.document(scopes, d.attributes.get("kind"), d.attributes.get("title"))
    d.id = known.id if known else None
    d.props = {**d.props, "ref": d.canonical, "scope": scope, "issuer_mention": issuer}


def _ctx_scopes(run: _Run) -> list[str]:
    out = []
    if run.district:
        out.append(f"district-{run.district}")
    if run.province:
        out.append(f"province-{run.province}")
    return out


def _places_relations(run: _Run, rel: Any) -> None:
    ms, text = run.mentions, run.text
    for i, m in enumerate(ms):
        if m.type not in ("village", "commune", "district"):
            continue
        want = {"village": "commune", "commune": "district", "district": "province"}[m.type]
        for n in ms[i + 1:i + 4]:
            if n.type == want and n.start - m.end <= 14 and re.fullmatch(
                    r"[\s,–-]*(huyện|tỉnh|thị xã|thành phố)?[\s,–-]*", text[m.end:n.start],
                    re.I) is not None:
                if m.type == "village" and n.id != m.attributes.get("commune"):
                    continue
                rel("PART_OF", m, n)
                break


def _model_relations(run: _Run, rel: Any) -> None:
    ms, text, folded = run.mentions, run.text, run.folded
    orgs = [m for m in ms if m.type == "organisation"]
    for i, model in enumerate(ms):
        if model.type != "model":
            continue
        pos = model.end
        located = owned = False
        # "tại thôn X - xã Y và thôn Z - xã W"
        for n in ms[i + 1:]:
            gap = text[pos:n.start]
            if n.type in ("commune", "district") and located:
                pos = n.end
                continue
            if n.type in ("village", "commune") and re.fullmatch(
                    r"\s*(?:[-–,|]\s*)?(?:(tại|ở|và|,)\s*)?", gap, re.I):
                if n.type == "commune" and located:
                    continue
                rel("LOCATED_IN", model, n)
                located = True
                pos = n.end
                continue
            if n.type == "organisation" and re.fullmatch(r"\s*(của|do)\s+", gap):
                rel("SUPPORTS", n, model)
                owned = True
            break
        # "Hội LHPN huyện: mô hình …" and "- Công an huyện … Mô hình …"
        line_start = text.rfind("\n", 0, model.start) + 1
        seg = [] if owned else [o for o in orgs if line_start <= o.start < model.start]
        for o in reversed(seg):
            if re.match(r"\s*:", text[o.end:o.end + 3]):
                between = text[o.end:model.start]
                if not re.search(r"\.\s|\n", between) and not any(
                        p.start > o.end and re.match(r"\s*:", text[p.end:p.end + 3])
                        for p in seg):
                    rel("SUPPORTS", o, model)
                break
            sentence_start = max(text.rfind(". ", 0, model.start) + 2, line_start)
            # ("⁽⁶⁾ Công an huyện …": a footnote's marker opens the line)
            if re.fullmatch(r"[\s\-+*•⁽⁾⁰¹²³⁴⁵⁶⁷⁸⁹]*", text[sentence_start:o.start]) and not re.search(
                    r"\.\s", text[o.end:model.start]):
                rel("SUPPORTS", o, model)
                break
        # "mô hình điểm của Ban Chỉ đạo … (*Mô hình Nhà vườn …*)": the model in brackets is it
        if not owned:
            before = [o for o in orgs if o.end <= model.start and re.fullmatch(
                r"\s*\(\s*\*?\s*", text[o.end:model.start])]
            if before and re.search(
                    r"mo hinh(?: diem)? cua $", folded[max(0, before[-1].start - 20):
                                                       before[-1].start]):
                rel("SUPPORTS", before[-1], model)
                owned = True
        # "Chỉ đạo UBND huyện chủ trì, phối hợp … xây dựng mô hình …": who leads builds it
        ends = [m.end() for m in _SENTENCE_END.finditer(text, max(0, model.start - 600),
                                                        model.start)]
        sent_s0 = max(ends[-1] if ends else 0, text.rfind("\n", 0, model.start) + 1)
        lead = re.search(r"(?<![a-z])chu tri\b", folded[sent_s0:model.start])
        if lead and re.search(r"xay dung mo hinh", folded[sent_s0:model.start]):
            at = sent_s0 + lead.start()
            leaders = [o for o in orgs if sent_s0 <= o.start and o.end <= at
                       and re.fullmatch(r"\s*,?\s*", text[o.end:at])]
            if leaders:
                rel("SUPPORTS", leaders[-1], model)
        # REGISTERED_UNDER: "đăng ký … mô hình … theo Kế hoạch số …"
        sent_s = max(text.rfind(". ", 0, model.start), text.rfind("\n", 0, model.start))
        sent_e = min(x for x in (text.find(". ", model.end), text.find("\n", model.end),
                                 len(text)) if x >= 0)
        if "dang ky" in folded[sent_s:sent_e]:
            for d in ms:
                if d.type == "directive" and sent_s < d.start < sent_e and re.search(
                        r"(theo|thuoc)\s+[^\n]{0,25}$", folded[max(0, d.start - 30):d.start]):
                    rel("REGISTERED_UNDER", model, d)
