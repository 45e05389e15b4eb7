"""CSV the board can open in Excel: UTF-8 with BOM, Vietnamese headers, no formula injection.

A cell that starts with ``= + - @`` (or a tab or carriage return) is prefixed
with ``'`` so a spreadsheet shows it as text instead of running it
(:func:`danvan.cells.neutralise`, the one rule every export uses).

>>> neutralise('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
>>> cell({"id": "unit-1", "name": "Hội LHPN"}), cell([{"name": "A"}, {"name": "B"}]), cell(True)
('Hội LHPN', 'A; B', 'có')
>>> to_csv([{"name": "Thôn 9"}], [("Thôn/làng", ("name",))])[:1] == "\\ufeff".encode()[:1]
True
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import Response

from danvan.cells import neutralise
from danvan.text import nfc, slug

__all__ = ["Column", "cell", "csv_response", "neutralise", "to_csv"]

BOM = "\ufeff"

# (Vietnamese header, keys to try in order; the first present one is used)
Column = tuple[str, tuple[str, ...]]


def cell(value: Any) -> str:
    """One value as the text a person reads (references by name, lists joined)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, dict):
        for key in ("name", "number", "title", "ref", "id"):
            if value.get(key) not in (None, ""):
                return cell(value[key])
        return ""
    if isinstance(value, list | tuple | set):
        return "; ".join(c for c in (cell(v) for v in value) if c)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


def _pick(item: dict[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        if item.get(key) not in (None, "", []):
            return item[key]
    return None


def to_csv(items: Iterable[dict[str, Any]], columns: Sequence[Column]) -> bytes:
    """The rows as CSV bytes (BOM, CRLF), text cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _ in columns])
    for item in items:
        writer.writerow([neutralise(cell(_pick(item, keys))) for _, keys in columns])
    return (BOM + out.getvalue()).encode("utf-8")


def csv_response(items: Iterable[dict[str, Any]], columns: Sequence[Column], name: str,
                 *qualifiers: str | None) -> Response:
    """An attachment named ``<name>[-<qualifier>…].csv`` (qualifiers slugged, ASCII)."""
    parts = [name, *(slug(q) for q in qualifiers if q)]
    filename = "-".join(p for p in parts if p)[:120] + ".csv"
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    return Response(to_csv(items, columns), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})
