"""Vietnamese text at the boundaries: NFC normalisation, accent-free folding, slugs.

Every string that enters danvan (files, HTTP parameters, spreadsheet cells) goes
through :func:`nfc`; every comparison of names goes through :func:`fold`.

>>> fold("Đăk Rưởng") == fold("dak ruong") == fold("DAK RUONG")
True
>>> slug("Xã Đăk Tơ Lung")
'xa-dak-to-lung'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["dmy", "fold", "fold_with_map", "nfc", "slug"]

_SPACES = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Letters that do not decompose under NFD: đ/Đ is a letter of its own.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "ł": "l"})


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the form danvan stores and shows.

    >>> nfc("Ruo\\u0302\\u0300ng") == "Ruồng"
    True
    """
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch.translate(_EXTRA))
    return "".join(c for c in base if not unicodedata.combining(c)).lower()


def fold(text: str) -> str:
    """Accent- and case-free form for matching; whitespace collapsed.

    ASCII text takes a fast path; other text is folded character by character
    (each character's fold is cached).

    >>> fold("  Hội   LHPN  huyện ")
    'hoi lhpn huyen'
    """
    if text.isascii():
        return _SPACES.sub(" ", text.lower()).strip()
    return _SPACES.sub(" ", "".join(_fold_char(c) for c in nfc(text))).strip()


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character, keeping offsets.

    Returns the folded string (same length rule: one or zero output chars per
    input char is *not* guaranteed, so a map is returned) and, for each folded
    character, the index of the input character it came from. Whitespace is
    not collapsed, so spans found in the folded text map back exactly.

    >>> folded, where = fold_with_map("Đăk")
    >>> folded, where
    ('dak', [0, 1, 2])
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for f in _fold_char(ch):
            out.append(f)
            where.append(i)
    return "".join(out), where


def slug(text: str) -> str:
    """URL-safe, deterministic ASCII slug of a Vietnamese string.

    >>> slug("26-KH/HU")
    '26-kh-hu'
    """
    return _NON_ALNUM.sub("-", fold(text)).strip("-")


def dmy(value: object) -> str:
    """An ISO date as the board writes it (d/m/yyyy); anything else as text, unchanged.

    >>> dmy("2024-03-14"), dmy("2024"), dmy(None)
    ('14/3/2024', '2024', '')
    """
    import datetime as dt

    if value is None:
        return ""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day}/{day.month}/{day.year}"
