"""Hostile and damaged .xlsx files for the import tests and the limit benchmark.

Each builds a real workbook with openpyxl, then replaces or damages members of
its zip: what a prober sends, not what Excel writes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["Đơn vị", "Thôn/làng", "Xã", "Huyện", "Kế hoạch"]
ROW = ["Huyện đoàn Kon Rẫy", "Thôn 4", "Xã Đăk Ruồng", "Kon Rẫy", "26-KH/HU"]


def workbook(rows: list[list[str]] | None = None) -> bytes:
    """A plain valid .xlsx: the header and ``rows`` (default: one good row)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows if rows is not None else [ROW]:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The zip ``data`` with member ``name`` passed through ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, change(body) if info.filename == name else body)
    return out.getvalue()


def _row_xml(r: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'


def with_rows(xml_rows: str, dimension: str = "A1:E2") -> Callable[[bytes], bytes]:
    """A sheet member made of the header row plus ``xml_rows`` (raw XML)."""
    def change(_: bytes) -> bytes:
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<dimension ref="{dimension}"/><sheetData>{_row_xml(1, HEADER)}{xml_rows}'
                '</sheetData></worksheet>').encode()
    return change


def far_row(row: int = 99_999_999) -> bytes:
    """A few KB: the header, and one assignment numbered ``row``."""
    return replace_member(workbook([]), SHEET, with_rows(_row_xml(row, ROW), f"A1:E{row}"))


def wide(column: str = "XFD") -> bytes:
    """One cell in column ``column`` (XFD: the last, 16,384)."""
    cell = f'<row r="2"><c r="{column}2" t="inlineStr"><is><t>x</t></is></c></row>'
    return replace_member(workbook([]), SHEET, with_rows(cell))


def lying_dimension() -> bytes:
    """Two real rows under a declared A1:XFD1048576 (every cell of a sheet)."""
    return replace_member(workbook([]), SHEET, with_rows(_row_xml(2, ROW), "A1:XFD1048576"))


def bomb(unpacked_mb: int = 200) -> bytes:
    """A sheet whose XML unpacks to ``unpacked_mb`` MB (a few hundred KB packed): rows of
    one long text cell each, below the row limit."""
    text = "A" * 30_000
    rows = (unpacked_mb * 2**20) // (len(text) + 60)
    body = "".join(_row_xml(r, [text]) for r in range(2, rows + 2))
    return replace_member(workbook([]), SHEET, with_rows(body, f"A1:A{rows + 1}"))


def damaged() -> dict[str, bytes]:
    """Cut and malformed workbooks, by name."""
    good = workbook([ROW] * 50)
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        sheet = zf.read(SHEET)
    return {
        "file cut at 60 %": good[: len(good) * 6 // 10],
        "file cut at 95 %": good[: len(good) * 95 // 100],
        "sheet XML cut in the middle": replace_member(good, SHEET, lambda b: b[: len(b) // 2]),
        "sheet XML cut inside a tag": replace_member(good, SHEET, lambda b: b[: b.rfind(b"<c ") + 4]),
        "mismatched closing tag": replace_member(good, SHEET, lambda b: b.replace(b"</row>", b"</rwo>", 3)),
        "garbage in the sheet XML": replace_member(good, SHEET,
                                                   lambda b: b[:400] + b"\x00\xff<<&&" + b[400:]),
        "sheet XML empty": replace_member(good, SHEET, lambda b: b""),
        "workbook XML cut": replace_member(good, "xl/workbook.xml", lambda b: b[: len(b) // 2]),
        "content types malformed": replace_member(good, "[Content_Types].xml", lambda b: b[:-20]),
        "styles malformed": replace_member(good, "xl/styles.xml", lambda b: b.replace(b">", b"", 5)),
        "bit flips in the packed sheet": _flip(good, sheet),
    }


def _flip(data: bytes, sheet: bytes) -> bytes:
    """Flip bytes inside the compressed sheet member (the zip stays listed, inflating fails)."""
    start = data.find(b"xl/worksheets/sheet1.xml") + 60
    body = bytearray(data)
    for i in range(start, min(start + 200, len(body)), 7):
        body[i] ^= 0x5A
    return bytes(body)
