"""Limits on an uploaded sheet, checked before it is parsed: size, unpacked size, rows, columns.

A sheet is work for the server before a single row is checked: an .xlsx is a
zip of XML, so 0.9 MB can unpack to 200 MB of XML (a "zip bomb"), and a 5 KB
sheet with one cell in row 99,999,999 made the reader produce every empty row
before it (over two minutes). :func:`check_sheet` refuses such files from what
they declare and a streamed scan of the sheet's XML, in a fraction of a second
and without unpacking more than the limit:

* ``max_bytes`` — the file as sent;
* ``max_unpacked`` — the sum of the zip members' sizes (Python's zipfile never
  inflates a member beyond its declared size, so a lying header cannot bypass it);
* ``max_rows`` / ``max_columns`` — the highest row number and column a cell of
  the first sheet has (CSV: rows and fields counted as read).

The API answers 413 (size) or 422 (rows, columns); ``danvan import`` prints the
same line and takes ``--max-mb``, ``--max-rows`` and ``--max-columns`` to raise them.

>>> SheetLimits().max_rows
100000
>>> column_number(b"XFD")
16384
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from danvan.errors import LoadError

__all__ = ["SheetLimits", "SheetTooLarge", "check_csv_row", "check_sheet", "check_size", "column_number"]

MB = 2**20
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"")
_ANY_ROW = re.compile(rb"<(?:\w+:)?row\b")
# The cells _CELL matches, giving their column letters only (so ``findall`` stays in C).
_CELL_COLUMN = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(?=\d+\")")
_CHUNK = 1 << 20


class SheetTooLarge(LoadError):
    """A sheet over one of the limits; ``limit`` names it (bytes, unpacked, rows, columns)."""

    def __init__(self, file: str, limit: str, reason: str) -> None:
        self.limit = limit
        super().__init__(file, None, reason)


@dataclass(frozen=True)
class SheetLimits:
    """The most a sheet may be (defaults: well above any board's sheet of assignments)."""

    max_bytes: int = 20 * MB
    max_unpacked: int = 100 * MB
    max_rows: int = 100_000
    max_columns: int = 100

    @classmethod
    def scaled(cls, max_mb: float | None = None, max_rows: int | None = None,
               max_columns: int | None = None) -> SheetLimits:
        """Limits from the CLI's options; the unpacked size keeps its ratio to the file size."""
        base = cls()
        ratio = base.max_unpacked / base.max_bytes
        size = int(max_mb * MB) if max_mb is not None else base.max_bytes
        return cls(size, int(size * ratio), max_rows or base.max_rows, max_columns or base.max_columns)


def column_number(letters: bytes) -> int:
    """1-based column number of spreadsheet column letters (A → 1, XFD → 16384)."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _over(name: str, limit: str, what: str, found: str, allowed: str, option: str) -> SheetTooLarge:
    return SheetTooLarge(name, limit, f"tệp vượt giới hạn {what}: {found} (tối đa {allowed}); "
                         f"hãy chia nhỏ tệp, hoặc với danvan import dùng {option}")


def check_size(size: int, name: str, limits: SheetLimits) -> None:
    """Refuse a file of ``size`` bytes over ``max_bytes``."""
    if size > limits.max_bytes:
        raise _over(name, "bytes", "dung lượng", f"{size / MB:.1f} MB",
                    f"{limits.max_bytes / MB:g} MB", "--max-mb")


def check_sheet(data: bytes, name: str, limits: SheetLimits) -> None:
    """Raise SheetTooLarge when the .xlsx ``data`` is over a limit (see the module docstring).

    Every worksheet is scanned (which one is first is the workbook's to say). A file
    that is not a readable zip is left for the reader to report in its own words.
    """
    check_size(len(data), name, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with zf:
        unpacked = sum(info.file_size for info in zf.infolist())
        if unpacked > limits.max_unpacked:
            raise _over(name, "unpacked", "dung lượng khi giải nén", f"{unpacked / MB:.0f} MB",
                        f"{limits.max_unpacked / MB:g} MB", "--max-mb")
        for member in zf.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                _scan(zf, member, name, limits)


def _scan(zf: zipfile.ZipFile, sheet_path: str, name: str, limits: SheetLimits) -> None:
    """Stream the sheet's XML: stop at the first row or column past the limits."""
    rows_seen = 0
    tail = b""
    try:
        with zf.open(sheet_path) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                buf = tail + chunk
                # Keep an unfinished tag for the next round (tags are short).
                cut = buf.rfind(b"<") if chunk else len(buf)
                part, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
                rows_seen += len(_ANY_ROW.findall(part))  # rows without r= count in order
                highest = max((int(m[1]) for m in _ROW.finditer(part)), default=0)
                highest = max(highest, rows_seen)
                if highest > limits.max_rows:
                    raise _over(name, "rows", "số dòng", f"dòng {highest:,}".replace(",", "."),
                                f"{limits.max_rows:,} dòng".replace(",", "."), "--max-rows")
                # A sheet has a few columns and many rows: number each distinct letter once.
                widest = max(map(column_number, set(_CELL_COLUMN.findall(part))), default=0)
                if widest > limits.max_columns:
                    raise _over(name, "columns", "số cột", f"cột {widest}",
                                f"{limits.max_columns} cột", "--max-columns")
                if not chunk:
                    return
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        return  # damaged: the reader says so in its own words


def check_csv_row(row: int, width: int, name: str, limits: SheetLimits) -> None:
    """Refuse CSV row number ``row`` with ``width`` fields when over the limits."""
    if row > limits.max_rows:
        raise _over(name, "rows", "số dòng", f"hơn {limits.max_rows:,}".replace(",", ".") + " dòng",
                    f"{limits.max_rows:,} dòng".replace(",", "."), "--max-rows")
    if width > limits.max_columns:
        raise _over(name, "columns", "số cột", f"{width} cột ở dòng {row}",
                    f"{limits.max_columns} cột", "--max-columns")
