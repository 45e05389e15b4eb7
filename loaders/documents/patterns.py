"""Formulaic patterns of Vietnamese administrative writing: numbers, dates, periods, figures.

Hand-written, because no library knows these conventions: party numbers
``NUMBER-KIND/ISSUER`` (``08-KL/TU``, ``86-BC/BCĐ``), state numbers
``NUMBER[/YEAR]/KIND-ISSUER`` (``123/KH-UBND``), joint numbers
``NUMBER-KIND-ISSUER-ISSUER`` (``07-CTrPH-UBND-MTTQ``); dates ``d/m/yyyy`` and
``ngày 05/7`` (year from context); ``quý II/2022``; ``giai đoạn 2021-2025``;
figures with dot thousands and comma decimals (``8.542``, ``6,59%``).

>>> [m.canonical for m in find_numbers("Kế hoạch số 26 - KH/HU và 123/KH-UBND")]
['26-KH/HU', '123/KH-UBND']
>>> parse_number_value("420.757.000"), parse_number_value("6,59")
(420757000.0, 6.59)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from danvan.text import fold

__all__ = [
    "DATE",
    "KIND_CODES",
    "KIND_WORDS",
    "PERIOD",
    "QUARTER",
    "DirectiveNumber",
    "canonical_code",
    "find_numbers",
    "iso_date",
    "kind_before",
    "parse_number_value",
    "quarter_range",
]

#: Kind code → kind of document (domain.md's table, plus common state kinds).
KIND_CODES = {
    "NQ": "Nghị quyết", "KL": "Kết luận", "CT": "Chỉ thị", "KH": "Kế hoạch", "QĐ": "Quyết định",
    "TB": "Thông báo", "BC": "Báo cáo", "CV": "Công văn", "HD": "Hướng dẫn",
    "CTR": "Chương trình", "CTRPH": "Chương trình phối hợp", "ĐA": "Đề án", "QC": "Quy chế",
    "QYĐ": "Quy định", "TTR": "Tờ trình", "BB": "Biên bản", "NĐ": "Nghị định",
    "TT": "Thông tư", "GM": "Giấy mời", "KHPH": "Kế hoạch phối hợp", "HĐ": "Hướng dẫn",
}
_MIXED_CASE = {"CTR": "CTr", "CTRPH": "CTrPH", "QYĐ": "QyĐ", "TTR": "TTr"}
#: Kind words as written before a number (folded) → kind code.
KIND_WORDS = {
    "nghi quyet": "NQ", "ket luan": "KL", "chi thi": "CT", "ke hoach": "KH",
    "quyet dinh": "QĐ", "thong bao": "TB", "bao cao": "BC", "cong van": "CV",
    "huong dan": "HD", "chuong trinh phoi hop": "CTrPH", "chuong trinh": "CTr",
    "de an": "ĐA", "quy che": "QC", "quy dinh": "QyĐ", "to trinh": "TTr",
    "ke hoach phoi hop": "KHPH", "nghi dinh": "NĐ", "thong tu": "TT",
}

_L = r"[A-Za-zĐđÐ&]"
_UP = r"[A-ZĐÐ]"
_ISSUER = rf"{_UP}{_L}{{0,9}}(?:\s?-\s?{_UP}{_L}{{0,9}})*"
# The "not after a word, / . or -" condition is checked in code (_free_start): a
# pattern that begins with \d lets the regex engine jump to the digits.
_PARTY = re.compile(rf"(\d{{1,5}})\s?-\s?({_UP}{_L}{{0,5}})\s?/\s?({_ISSUER})(?![\w/])")
_STATE = re.compile(rf"(\d{{1,5}})(?:/(\d{{4}}))?\s?/\s?({_UP}{_L}{{0,5}})\s?-\s?"
                    rf"({_ISSUER})(?![\w/])")
_JOINT = re.compile(rf"(\d{{1,5}})-({_UP}{_L}{{1,5}})((?:-{_UP}{_L}{{1,9}}){{2,}})"
                    rf"(?![\w/])")
_KIND_BEFORE = re.compile(
    r"(nghi quyet|ket luan|chi thi|ke hoach phoi hop|ke hoach|quyet dinh|thong bao|bao cao"
    r"|cong van|huong dan|chuong trinh phoi hop|chuong trinh|de an|quy che|quy dinh|to trinh"
    r"|nghi dinh|thong tu)(?: lien tich)?(?: so)?:?\s*$")

DATE = re.compile(r"(?<![\d/])(\d{1,2})\s?[/.-]\s?(\d{1,2})(?:\s?[/.-]\s?(\d{4}))?(?![\d/])")
DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
QUARTER = re.compile(r"\bquý\s+(I{1,3}|IV|[1-4])\s?/\s?(\d{4})", re.I)
PERIOD = re.compile(r"\bgiai\s+đoạn\s+(?:I+:?\s*)?(?:từ\s+năm\s+)?(\d{4})\s?[-–—]\s?(\d{4})", re.I)
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"


@dataclass(frozen=True)
class DirectiveNumber:
    """A document number found in text, with its parts and canonical spelling."""

    start: int
    end: int
    number: str
    kind_code: str
    issuer: str
    style: str  # party | state | joint
    year: str | None = None

    @property
    def canonical(self) -> str:
        """``NUMBER-KIND/ISSUER`` (party), ``NUMBER/KIND-ISSUER`` (state) or joint chain."""
        if self.style == "party":
            return f"{self.number}-{self.kind_code}/{self.issuer}"
        if self.style == "state":
            year = f"/{self.year}" if self.year else ""
            return f"{self.number}{year}/{self.kind_code}-{self.issuer}"
        return f"{self.number}-{self.kind_code}-{self.issuer}"

    @property
    def kind(self) -> str | None:
        """The kind of document its code names (KH → Kế hoạch), if known."""
        return KIND_CODES.get(self.kind_code.upper())


def canonical_code(code: str) -> str:
    """Spelling of a kind or issuer code: upper case, Ð→Đ, CTr/CTrPH kept mixed.

    >>> canonical_code("ctrph"), canonical_code("bcð")
    ('CTrPH', 'BCĐ')
    """
    up = code.upper().replace("Ð", "Đ")
    return _MIXED_CASE.get(up, up)


def _issuer(raw: str) -> str:
    return "-".join(canonical_code(p.strip()) for p in raw.split("-"))


def find_numbers(text: str) -> list[DirectiveNumber]:
    """Every document number in ``text``, in order, without overlaps."""
    found: list[DirectiveNumber] = []
    if "/" not in text and "-" not in text:
        return found
    for m in _free(_JOINT, text):
        if canonical_code(m.group(2)) in KIND_CODES or canonical_code(m.group(2)).upper() in KIND_CODES:
            issuers = _issuer(m.group(3).strip("-"))
            found.append(DirectiveNumber(m.start(), m.end(), m.group(1),
                                         canonical_code(m.group(2)), issuers, "joint"))
    for m in _free(_PARTY, text):
        found.append(DirectiveNumber(m.start(), m.end(), m.group(1), canonical_code(m.group(2)),
                                     _issuer(m.group(3)), "party"))
    for m in _free(_STATE, text):
        found.append(DirectiveNumber(m.start(), m.end(), m.group(1), canonical_code(m.group(3)),
                                     _issuer(m.group(4)), "state", m.group(2)))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    out: list[DirectiveNumber] = []
    for d in found:
        if out and d.start < out[-1].end:
            continue
        if _looks_like_code(d):
            out.append(d)
    return out


def _free(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` not glued to a word, ``/``, ``.`` or ``-`` before them."""
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if m is None:
            return
        s = m.start()
        if s and (text[s - 1].isalnum() or text[s - 1] in "_/.-"):
            # a number glued to what precedes: skip the whole run of digits
            pos = s + 1
            while pos < len(text) and text[pos].isdigit():
                pos += 1
            continue
        yield m
        pos = m.end()


def _looks_like_code(d: DirectiveNumber) -> bool:
    # "VH-TT-DL" style words are not numbers; a kind code must be short and known-ish.
    code = d.kind_code.upper()
    return code in KIND_CODES or (len(code) <= 4 and d.style != "joint")


def kind_before(text: str, start: int, folded_text: str | None = None) -> tuple[int, str] | None:
    """Kind word right before a number (``Kế hoạch số 26-…``): (its start, kind code).

    ``folded_text`` is ``text`` already folded with its length kept (the extractor
    folds a document once); without it the window is folded here.

    >>> kind_before("theo Kế hoạch số 26-KH/HU", 17)
    (5, 'KH')
    """
    window_start = max(0, start - 40)
    folded = (folded_text[window_start:start] if folded_text is not None
              else fold_keep(text[window_start:start]))
    m = _KIND_BEFORE.search(folded)
    if not m:
        return None
    return window_start + m.start(), KIND_WORDS[m.group(1)]


def fold_keep(text: str) -> str:
    """Fold one character at a time, keeping length (for windows of text).

    >>> fold_keep("Kế hoạch số")
    'ke hoach so'
    """
    out = []
    for ch in text:
        f = fold(ch) if ch.strip() else " "
        out.append(f[:1] if f else " ")
    return "".join(out)


def iso_date(day: str | int, month: str | int, year: str | int | None) -> str | None:
    """``YYYY-MM-DD`` if the parts make a real date, else None.

    >>> iso_date("5", "7", "2022"), iso_date(31, 2, 2022)
    ('2022-07-05', None)
    """
    import datetime as dt

    if year is None:
        return None
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def quarter_range(quarter: str, year: str) -> tuple[str, str]:
    """First and last day of ``quý II/2022``-style quarters.

    >>> quarter_range("II", "2022")
    ('2022-04-01', '2022-06-30')
    """
    q = _ROMAN[quarter.upper()]
    last = {1: "03-31", 2: "06-30", 3: "09-30", 4: "12-31"}[q]
    return f"{year}-{3 * q - 2:02d}-01", f"{year}-{last}"


def parse_number_value(raw: str) -> float:
    """Value of a figure written the Vietnamese way: dots for thousands, comma decimals."""
    return float(raw.replace(".", "").replace(",", "."))

