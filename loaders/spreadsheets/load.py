"""Assignment spreadsheets in: read, map headers, resolve every row, report, write all or nothing.

``danvan import FILE.xlsx|.csv [--plan 133-KH/TU] [--dry-run]`` reads a sheet of
assignments (unit, village, commune, district, province, plan, model, field,
from, until, households, note) as boards write them: Vietnamese headers
(matched without accents, fuzzily, in any order, below title rows), merged
cells (the value applies to the whole range), blank rows, dates as dd/mm/yyyy,
yyyy-mm-dd or Excel dates, formulas (their cached values; a formula without
one is an invalid cell). ``.xlsx`` is streamed (openpyxl read-only), so a
100,000-row file keeps memory flat.

Every row is resolved: communes against the official list (scoped by district
and province), villages within their commune (a new name in a known commune
is created and reported as new), units and plans against the knowledge base
(accents optional, small typos tolerated; an unknown unit is created, scoped to
the row's district or province, and reported as new). A row is *new*, *already
present*, *changed*, *ambiguous* (with candidates) or *invalid* (with the
reason). A row with a district but no commune or village assigns help to the
district. The explorer's downloads read back too: "Địa bàn được giúp đỡ" with
its "Cấp", "Xã cũ" (the legacy commune, in the 2025 map) and "; "-listed
models and fields; a model is the stored one of that name its assignment lists
(or the only one at its place), whoever owns it. A row that repeats an earlier
row's assignment or model with other values is invalid (the write would
otherwise keep the last one without a word). A real run writes nothing unless
every row is new, present or changed,
and then writes everything with ``store.load`` (checked whole before anything is
written; one transaction, or Neo4j's chunked transactions for a large sheet); rows already present are not
rewritten, so importing the same file twice (or an export of the store) changes
nothing.

Provenance: the file becomes a Source node ``source-import-<first 16 hex of its
sha256>`` (kind ``spreadsheet``); each fact written from row *n* carries
``sources = ["source-import-…#n-<n+1>"]`` — for spreadsheets the span is a row
range (sheet row numbers), not character offsets.

The API calls :func:`import_file` (``POST /api/v1/imports``).

>>> header_map(["STT", "Cơ quan phụ trách", "Thôn/làng", "xa", "Huyện"])
{'unit': 1, 'village': 2, 'commune': 3, 'district': 4}
>>> parse_date("14/3/2024"), parse_date("2024-03-14"), parse_date(45365)
('2024-03-14', '2024-03-14', '2024-03-14')
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

from rapidfuzz import fuzz

from danvan.cells import restore
from danvan.errors import AmbiguousError, DanvanError, LoadError, NotFoundError
from danvan.graph.schema import load_schema
from danvan.graph.sources import source_ref
from danvan.graph.store import Store, WriteResult
from danvan.graph.types import Edge, Node
from danvan.loaders.reference.admin_units import ERA_2025
from danvan.loaders.reference.resolver import Context
from danvan.loaders.reference.resolver import unit_id as place_id
from danvan.loaders.spreadsheets.sheet_limits import SheetLimits, check_csv_row, check_sheet, check_size
from danvan.loaders.spreadsheets.sheet_resolver import SheetResolver, row_date
from danvan.text import fold, nfc

__all__ = ["COLUMNS", "EXTRA_HEADERS", "HEADERS", "TEMPLATE_COLUMNS", "ImportReport", "RowResult",
           "header_map", "import_file", "parse_date", "read_rows", "write_template"]

# Canonical column → the Vietnamese header written in templates and exports.
HEADERS = {"unit": "Đơn vị", "village": "Thôn/làng", "commune": "Xã", "district": "Huyện",
           "province": "Tỉnh", "plan": "Kế hoạch", "model": "Mô hình", "field": "Lĩnh vực",
           "from": "Từ ngày", "until": "Đến ngày", "households": "Số hộ", "note": "Ghi chú"}
# Optional columns of today's-map sheets (not in exports).
EXTRA_HEADERS = {"old_commune": "Xã cũ", "issuer": "Cơ quan ban hành"}
# Other ways boards write them (folded); matching is accent-free and fuzzy.
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("don vi", "co quan phu trach", "don vi phu trach", "co quan don vi", "don vi giup do",
             "co quan don vi phu trach", "don vi duoc phan cong", "co quan", "unit"),
    "village": ("thon lang", "thon", "lang", "thon buon", "thon lang duoc giup do", "village"),
    "commune": ("xa", "xa phuong thi tran", "xa phuong", "commune", "ward"),
    "district": ("huyen", "huyen thanh pho", "huyen thi xa thanh pho", "district"),
    "province": ("tinh", "tinh thanh pho", "province"),
    "plan": ("ke hoach", "van ban", "theo ke hoach", "so ke hoach", "plan"),
    "model": ("mo hinh", "ten mo hinh", "mo hinh dan van kheo", "model"),
    "field": ("linh vuc", "field"),
    "from": ("tu ngay", "ngay bat dau", "bat dau", "from"),
    "until": ("den ngay", "ngay ket thuc", "ket thuc", "until"),
    "households": ("so ho", "so ho duoc ho tro", "so ho huong loi", "households"),
    "note": ("ghi chu", "note"),
    # Optional, for today's map: the former commune (before 1/7/2025) of a village, which
    # tells apart same-named villages of one 2025 commune; the body that issued the plan.
    "old_commune": ("xa cu", "xa cu truoc sap nhap", "xa truoc sap nhap", "old commune",
                    "former commune"),
    "issuer": ("co quan ban hanh", "noi ban hanh", "don vi ban hanh", "issuer"),
    # The explorer's downloads name the helped place in one column, with its level beside it.
    "target": ("dia ban duoc giup do", "dia ban duoc giup", "target"),
    "level": ("cap", "cap dia ban", "level"),
}
FIELD_ALIASES = {
    "kinh tế": ("kinh te", "kt", "economy"),
    "văn hóa - xã hội": ("van hoa xa hoi", "vhxh", "van hoa", "xa hoi", "culture society"),
    "quốc phòng - an ninh": ("quoc phong an ninh", "qpan", "qp an", "an ninh", "quoc phong"),
    "xây dựng hệ thống chính trị": ("xay dung he thong chinh tri", "xdhtct", "he thong chinh tri",
                                    "xay dung dang"),
}
HEADER_SCAN_ROWS = 30
STATUSES = ("new", "present", "changed", "ambiguous", "invalid")
STATUS_VI = {"new": "mới", "present": "đã có", "changed": "cập nhật", "ambiguous": "chưa rõ",
             "invalid": "không hợp lệ"}
_WORDS = re.compile(r"[a-z0-9]+")


# ---------------------------------------------------------------------------
# cells


DECIDED = "theo quyết định đã duyệt"  # a row settled by a review decision (loaders/review.py)


class BadCell(ValueError):
    """A cell whose value cannot be used (e.g. a formula without a cached value)."""


FORMULA = object()  # marker: formula cell without cached value


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(fold(text)))


def header_map(cells: Iterable[Any]) -> dict[str, int]:
    """Canonical column → index for a header row (fuzzy, accent-free); unknown headers ignored."""
    found: dict[str, tuple[float, int]] = {}
    for index, cell in enumerate(cells):
        if cell is None or not str(cell).strip():
            continue
        key = _key(str(cell))
        best, score = None, 0.0
        for column, aliases in COLUMNS.items():
            for alias in aliases:
                s = 100.0 if key == alias else fuzz.ratio(key, alias)
                if s > score:
                    best, score = column, s
        if best and score >= 85 and (best not in found or score > found[best][0]):
            found[best] = (score, index)
    return {c: i for c, (_, i) in sorted(found.items(), key=lambda kv: kv[1][1])}


def parse_date(value: Any) -> str | None:
    """ISO date from dd/mm/yyyy, d-m-yyyy, yyyy-mm-dd, a datetime or an Excel serial number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 120_000:
            return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
        raise ValueError(value)
    return _parse_date_text(str(value))


@lru_cache(maxsize=1 << 12)
def _parse_date_text(value: str) -> str:
    """``parse_date`` of a text cell: a sheet's dates repeat, so each is read once."""
    text = nfc(value).strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", text)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    raise ValueError(text)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if value.__class__ is str:
        return _text_of_str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(restore(nfc(str(value))).split())  # an export's '=… is the name =…
    return text or None


@lru_cache(maxsize=1 << 14)
def _text_of_str(value: str) -> str | None:
    """``_text`` of a text cell: a sheet repeats its units, places and plans on every row."""
    text = " ".join(restore(nfc(value)).split())  # an export's '=… is the name =…
    return text or None


# ---------------------------------------------------------------------------
# reading files


Range = tuple[int, int, int, int]


def _xlsx_extras(data: bytes, sheet_path: str) -> tuple[list[Range], set[tuple[int, int]]]:
    """Merged ranges (r1, c1, r2, c2) and formula cells without cached value, from the sheet XML."""
    merges: list[tuple[int, int, int, int]] = []
    formulas: set[tuple[int, int]] = set()
    cell = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?<!/)>(.*?)</c>', re.S)
    merge = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
    # The sheet must be well-formed XML, as Excel requires (calamine reads past a broken
    # tag): expat checks it in the same pass, in C (~30 ms for 10,000 rows).
    checker = expat.ParserCreate()
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(sheet_path) as fh:
        tail = b""
        while True:
            chunk = fh.read(1 << 20)
            checker.Parse(chunk, not chunk)
            buf = tail + chunk
            cut = buf.rfind(b"</row>") + 6 if chunk else len(buf)
            if cut < 6 and chunk:
                tail = buf
                continue
            part, tail = buf[:cut], buf[cut:]
            if b"<f" in part:
                for m in cell.finditer(part):
                    body = m[3]
                    if b"<f" in body and not re.search(rb"<v>[^<]+</v>", body):
                        formulas.add((int(m[2]), _col(m[1])))
            for m in merge.finditer(part):
                merges.append((int(m[2]), _col(m[1]), int(m[4]), _col(m[3])))
            if not chunk:
                break
    return merges, formulas


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n - 1


# What the readers and the libraries under them raise on a cut or malformed file (zip,
# deflate, XML — lxml's and the standard library's syntax errors are SyntaxErrors —, values).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, KeyError, ValueError, TypeError,
            IndexError, AttributeError, OSError, StopIteration, expat.ExpatError)


def _first_sheet_path(data: bytes) -> str:
    """Path in the .xlsx zip of its first worksheet, from the workbook and its relationships."""
    from xml.etree import ElementTree as ET

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for member in ("[Content_Types].xml", "xl/styles.xml"):  # Excel refuses a broken one
            if member in zf.namelist():
                ET.fromstring(zf.read(member))
        rels = ET.fromstring(zf.read("_rels/.rels"))
        book = next(r.get("Target", "") for r in rels if r.get("Type", "").endswith("/officeDocument"))
        book = book.lstrip("/")
        folder = book.rsplit("/", 1)[0] + "/" if "/" in book else ""
        root = ET.fromstring(zf.read(book))
        sheet = next(e for e in root.iter() if local(e.tag) == "sheet")
        rid = next(v for k, v in sheet.attrib.items() if local(k) == "id")
        book_rels = ET.fromstring(zf.read(f"{folder}_rels/{book.rsplit('/', 1)[-1]}.rels"))
        target = next(r.get("Target", "") for r in book_rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else folder + target


def _xlsx_rows(data: bytes, filename: str, limits: SheetLimits) -> Iterator[tuple[int, list[Any]]]:
    # python-calamine (Rust) reads the cells' values ~10x faster than openpyxl (10,000 rows:
    # 0.15 s instead of 1.6 s of CPU), from the cells the file has (not its <dimension>);
    # merged ranges and formulas without a cached value still come from the sheet's XML.
    from python_calamine import CalamineError, CalamineWorkbook

    damaged = (*_DAMAGED, CalamineError)
    check_sheet(data, filename, limits)  # before any parsing: size, unpacked size, rows, columns
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise LoadError(filename, None, "tệp được đặt mật khẩu hoặc là định dạng Excel cũ (.xls); hãy "
                        "mở bằng Excel, bỏ mật khẩu và lưu lại thành .xlsx")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grid = book.get_sheet_by_index(0).iter_rows()
        merges, formulas = _xlsx_extras(data, _first_sheet_path(data))
    except damaged as exc:
        raise LoadError(filename, None, f"tệp .xlsx bị hỏng hoặc không đọc được ({exc})") from None
    starts: dict[int, list[tuple[int, int, int, int]]] = {}
    for rng in merges:
        starts.setdefault(rng[0], []).append(rng)
    active: list[tuple[tuple[int, int, int, int], Any]] = []
    try:
        for r, row in enumerate(grid, start=1):
            values = [None if v == "" else v for v in row]
            if formulas:  # most sheets have none: no (row, column) lookup per cell then
                for c in range(len(values)):
                    if (r, c) in formulas:
                        values[c] = FORMULA
            for rng in starts.pop(r, []):
                active.append((rng, values[rng[1]] if rng[1] < len(values) else None))
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                active = [(rng, v) for rng, v in active if rng[2] > r]
                yield r, []  # a blank row stays blank even inside merged ranges
                continue
            if active:
                width = max(rng[3] for rng, _ in active) + 1
                values += [None] * (width - len(values))
                for (r1, c1, _r2, c2), value in active:
                    for c in range(c1, c2 + 1):
                        if (r, c) != (r1, c1):
                            values[c] = value
                active = [(rng, v) for rng, v in active if rng[2] > r]
            yield r, values
    except damaged as exc:  # a cut or malformed member shows only once it is read
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise LoadError(filename, None, f"tệp .xlsx bị hỏng, nội dung không đọc được ({reason}); "
                        "hãy mở bằng Excel và lưu lại") from None
    finally:
        book.close()


def _csv_rows(data: bytes, filename: str, limits: SheetLimits) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError(filename, None, "tệp CSV không phải UTF-8; hãy lưu lại với mã hóa UTF-8") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        for r, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            check_csv_row(r, len(row), filename, limits)
            yield r, list(row)
    except csv.Error as exc:
        raise LoadError(filename, None, f"tệp CSV không đọc được ({exc})") from None


def read_rows(data: bytes, filename: str, limits: SheetLimits | None = None
              ) -> Iterator[tuple[int, list[Any]]]:
    """(sheet row number, cell values) of the first sheet of an .xlsx/.xlsm or a .csv file;
    SheetTooLarge (before any parsing) when it is over ``limits`` (default: SheetLimits())."""
    limits = limits or SheetLimits()
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if data[:2] != b"PK" and data[:4] != b"\xd0\xcf\x11\xe0":
            raise LoadError(filename, None, "không phải tệp .xlsx (nội dung không đúng định dạng)")
        return _xlsx_rows(data, filename, limits)
    if suffix == ".csv":
        check_size(len(data), filename, limits)
        return _csv_rows(data, filename, limits)
    if suffix == ".xls":
        raise LoadError(filename, None, "định dạng .xls cũ không được hỗ trợ; hãy lưu lại thành .xlsx")
    raise LoadError(filename, None, f"loại tệp {suffix or '(không có đuôi)'} không được hỗ trợ; "
                    "dùng .xlsx hoặc .csv")


# ---------------------------------------------------------------------------
# report


@dataclass
class RowResult:
    """What happened to one sheet row."""

    row: int
    status: str
    message: str = ""
    candidates: list[dict[str, Any]] = field(default_factory=list)
    new: list[str] = field(default_factory=list)  # entities this row creates, in Vietnamese

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"row": self.row, "status": self.status, "message": self.message,
                "candidates": self.candidates, "new": self.new}

    def line(self) -> str:
        """``Dòng 7: không tìm thấy xã 'Đăk Xyz' trong huyện Kon Rẫy``."""
        text = f"Dòng {self.row}: {STATUS_VI[self.status]}"
        if self.message:
            text += f" — {self.message}"
        if self.new:
            text += f" (tạo mới: {'; '.join(self.new)})"
        for c in self.candidates[:5]:
            text += f"\n    • {c.get('name')} [{c.get('id') or c.get('code')}]"
            if c.get("where"):
                text += f" — {c['where']}"
        return text


@dataclass
class ImportReport:
    """The outcome of an import (or a dry run) of one file."""

    file: str
    sha256: str
    source_id: str
    dry_run: bool
    columns: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None
    rows: list[RowResult] = field(default_factory=list)
    written: WriteResult | None = None
    error: str | None = None
    queued: int = 0  # "chưa rõ" rows newly put in the review queue (loaders/review.py)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status."""
        out = dict.fromkeys(STATUSES, 0)
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def ok(self) -> bool:
        """True when no row is ambiguous or invalid and the file could be read."""
        c = self.counts
        return self.error is None and c["ambiguous"] == 0 and c["invalid"] == 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the API's response body)."""
        w = self.written
        return {"file": self.file, "sha256": self.sha256, "source": self.source_id,
                "dry_run": self.dry_run, "ok": self.ok, "error": self.error,
                "header_row": self.header_row, "columns": self.columns, "counts": self.counts,
                "written": None if w is None else {**w.__dict__, "changed": w.changed},
                "rows": [r.to_dict() for r in self.rows]}

    def to_text(self, all_rows: bool = False) -> str:
        """The Vietnamese report a board reads; lists problem rows (all rows with ``all_rows``)."""
        c = self.counts
        head = [f"Tệp {self.file}: {sum(c.values())} dòng dữ liệu — {c['new']} mới, {c['present']} đã có, "
                f"{c['changed']} cập nhật, {c['ambiguous']} chưa rõ, {c['invalid']} không hợp lệ."]
        if self.error:
            head.append(f"Lỗi: {self.error}")
        shown = [r for r in self.rows if all_rows or r.status in ("ambiguous", "invalid") or r.new
                 or r.message.startswith(DECIDED)]
        lines = head + [r.line() for r in shown]
        if self.dry_run:
            lines.append("Chạy thử: chưa ghi gì vào cơ sở dữ liệu.")
        elif self.written is not None:
            lines.append(f"Đã ghi: {self.written.nodes_created} nút mới, {self.written.nodes_updated} nút "
                         f"cập nhật, {self.written.edges_created} quan hệ mới.")
        elif not self.ok:
            lines.append("Không ghi gì: hãy sửa các dòng trên rồi nhập lại.")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# resolving


def _lower(name: str) -> str:
    return f"{name[:1].lower()}{name[1:]}"


class _Resolver(SheetResolver):
    """The one resolver's sheet layer (loaders/spreadsheets/sheet_resolver.py) plus the store's models."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.models = _ModelIndex(store)


class _ModelIndex:
    """Stored models by the assignment that lists them and by the place they are in.

    A model's id is scoped to its owner, which a sheet row does not name (the KB's
    "Nhà vườn kiểu mẫu" belongs to a steering committee, the row names the unit that
    helps): a row's model is the stored one of that name (or alias) that its
    assignment already lists, else the only one of that name at its place. Loaded on
    the first row with a model.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.loaded = False
        self.nodes: dict[str, Node] = {}
        self.of_assignment: dict[str, list[str]] = {}
        self.at_place: dict[str, list[str]] = {}

    def _load(self) -> None:
        self.nodes = {n.id: n for n in self.store.nodes("Model")}
        for edge in self.store.edges("WITH_MODEL"):
            self.of_assignment.setdefault(edge.source, []).append(edge.target)
        for edge in self.store.edges("LOCATED_IN"):
            if edge.source in self.nodes:
                self.at_place.setdefault(edge.target, []).append(edge.source)
        self.loaded = True

    def _named(self, ids: list[str], key: str) -> list[Node]:
        found = [self.nodes[i] for i in ids if i in self.nodes]
        return [n for n in found if key in {_key(n.name), *(_key(a) for a in n.props.get("aliases", []))}]

    def find(self, name: str, assignment_id: str, place_id: str) -> Node | None:
        """The stored model a row's ``name`` means, or None (a new model)."""
        if not self.loaded:
            self._load()
        key = _key(name)
        listed = self._named(self.of_assignment.get(assignment_id, []), key)
        if len(listed) == 1:
            return listed[0]
        here = self._named(self.at_place.get(place_id, []), key)
        return here[0] if len(here) == 1 else None


# ---------------------------------------------------------------------------
# rows → facts


def _split_list(text: str | None) -> list[str]:
    """The values of a cell that lists several ("A; B"), as the explorer's downloads write them."""
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def _place_texts(get: Callable[[str], str | None]) -> tuple[str | None, str | None, str | None]:
    """(village, commune, district) of a row; a "Địa bàn được giúp đỡ" cell fills the one its "Cấp" names.

    Without a level, the place is a village unless it repeats the row's commune or district.
    A "Xã cũ" cell (downloads in the 2025 map) is read with the row's place by the
    resolver (column ``old_commune``): "Xã" then holds today's commune.
    """
    village, commune, district = get("village"), get("commune"), get("district")
    target = get("target")
    if not target or village:
        return village, commune, district
    level = _key(get("level") or "")
    if level.startswith(("thon", "lang", "village")):
        village = target
    elif level.startswith(("xa", "phuong", "thi tran", "commune")):
        commune = target  # the helped commune itself; the Xã cell may give its 2025 successor
    elif level.startswith(("huyen", "district")):
        district = district or target
    elif _key(target).startswith(("xa ", "phuong ", "thi tran ", "dac khu ")):
        commune = target  # a commune by its type word; the Xã cell may give its 2025 successor
    elif _key(target) not in {_key(commune or ""), _key(district or "")}:
        village = target
    return village, commune, district


@dataclass
class _Facts:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _field(value: str) -> str:
    key = _key(value)
    for name, aliases in FIELD_ALIASES.items():
        if key == _key(name) or key in aliases:
            return name
    best = max(((fuzz.ratio(key, a), n) for n, al in FIELD_ALIASES.items() for a in (_key(n), *al)))
    if best[0] >= 80:
        return best[1]
    raise ValueError(f"lĩnh vực '{value}' không thuộc: {', '.join(FIELD_ALIASES)}")


def _cell(values: list[Any], cols: dict[str, int], name: str) -> Any:
    i = cols.get(name)
    if i is None or i >= len(values):
        return None
    v = values[i]
    if v is FORMULA:
        raise BadCell(f"ô {({**HEADERS, **EXTRA_HEADERS}).get(name, name)} là công thức chưa có giá trị "
                      "(hãy mở bằng Excel và lưu lại)")
    return v


def _row_facts(res: _Resolver, row: int, values: list[Any], cols: dict[str, int],
               default_plan: str | None, source_id: str) -> tuple[RowResult, _Facts, list[str]]:
    """Resolve one row; returns its result, the facts to write and the ids to check for presence."""
    schema = res.schema
    ev = {"sources": [source_ref(source_id, row, row + 1)]}
    get = lambda name: _text(_cell(values, cols, name))  # noqa: E731
    unit_text, province_text = get("unit"), get("province")
    village_text, commune_text, district_text = _place_texts(get)
    plan_text = get("plan") or default_plan
    if not unit_text:
        return RowResult(row, "invalid", "thiếu tên đơn vị"), _Facts(), []
    if not village_text and not commune_text and not district_text:
        return RowResult(row, "invalid", "thiếu thôn/làng, xã hoặc huyện"), _Facts(), []
    if not plan_text:
        return RowResult(row, "invalid", "thiếu kế hoạch (cột Kế hoạch hoặc --plan)"), _Facts(), []
    try:
        start = parse_date(_cell(values, cols, "from"))
    except ValueError:
        return RowResult(row, "invalid", f"'Từ ngày' không phải ngày: {get('from')!r} "
                         "(dùng dd/mm/yyyy)"), _Facts(), []
    try:
        until = parse_date(_cell(values, cols, "until"))
    except ValueError:
        return RowResult(row, "invalid", f"'Đến ngày' không phải ngày: {get('until')!r} "
                         "(dùng dd/mm/yyyy)"), _Facts(), []
    if start and until and until < start:
        return RowResult(row, "invalid", "'Đến ngày' trước 'Từ ngày'"), _Facts(), []
    households_raw = _cell(values, cols, "households")
    households = None
    if households_raw not in (None, ""):
        text = str(households_raw).strip().removesuffix(" hộ")
        try:
            number = float(text.replace(",", "")) if isinstance(households_raw, str) else households_raw
            if isinstance(number, bool) or not float(number).is_integer() or number < 0:
                raise ValueError
            households = int(number)
        except (TypeError, ValueError):
            message = f"'Số hộ' không phải số nguyên: {households_raw!r}"
            return RowResult(row, "invalid", message), _Facts(), []
    try:
        fields = [_field(f) for f in _split_list(get("field"))]
    except ValueError as exc:
        return RowResult(row, "invalid", str(exc)), _Facts(), []
    model_texts, note = _split_list(get("model")), get("note")

    # Each row in the map of its own dates (a sheet may mix periods); undated: today's first.
    ctx = Context(date=row_date(start, until), province=province_text, district=district_text,
                  commune=commune_text, prefer=ERA_2025)
    place = res.place(ctx)
    prov, dist, com = place.province, place.district, place.commune
    old_text = get("old_commune")
    old = res.old_commune(old_text, place, ctx) if old_text else None
    if old is not None and ctx.maps == ("legacy",) and com is not None and com.era == ERA_2025:
        # A row dated before the reform is about the former commune; today's is its successor.
        place = res.place(Context(date=ctx.date, commune=old))
        prov, dist, com = place.province, place.district, place.commune
    new: list[str] = []
    facts = _Facts()
    place_nodes: list[Node] = []
    place_edges: list[Edge] = []
    if village_text and com is None and old is None:
        area = place.ids()
        village_id, commune_id = res.village_anywhere(village_text, area)
        era = "2025" if "-2025-" in commune_id else "legacy"
        com = res.units.commune(commune_id.rsplit("-", 1)[-1], era=era)
        place = res.place(Context(date=ctx.date, commune=com))
        prov, dist = place.province, place.district
        target = village_id
    elif village_text:
        if old is None and com is not None and ctx.date is None and commune_text:
            place, village_id, commune_id = res.village_by_reading(village_text, ctx, place)
            prov, dist, com = place.province, place.district, place.commune
        else:
            holder = place if com is not None else res.place(Context(date=ctx.date, commune=old))
            village_id, commune_id = res.village(village_text, holder, old)
        if village_id is None:
            node = schema.node("Village", commune=commune_id, name=village_text, **ev)
            village_id = node.id
            facts.nodes.append(node)
            where = old if old is not None and commune_id == place_id(old) else com or old
            new.append(f"thôn mới '{village_text}' ({where.name if where else commune_id})")
        elif old is None and com is not None and commune_id != place_id(com):
            old = res.units.commune(commune_id.rsplit("-", 1)[-1])  # the village's former commune
        target = village_id
    elif com is not None:
        target = place_id(com)
    else:  # a district-level assignment (a plan's group of units for a whole district)
        if dist is None:
            return RowResult(row, "invalid", "thiếu thôn/làng, xã hoặc huyện"), _Facts(), []
        target = place_id(dist)
        place_nodes = [res.units.unit_node(u) for u in (prov, dist) if u is not None]
    for unit in (com, old):
        if unit is not None:
            more_nodes, more_edges = res.place_records(unit)
            place_nodes, place_edges = place_nodes + more_nodes, place_edges + more_edges
    scopes = tuple(sorted(place.ids() | ({place_id(old)} if old is not None else set())))
    row_ctx = Context(date=ctx.date, scopes=scopes)
    unit_id = res.org(unit_text, row_ctx)
    if unit_id is None:
        body_nodes, body_edges = res.new_body(unit_text, place, ev)
        unit_id = body_nodes[0].id
        facts.nodes += body_nodes
        facts.edges += body_edges
        new.append(f"đơn vị mới '{unit_text}'")
        new += [f"đơn vị mới '{n.name}' (tiếp nối)" for n in body_nodes[1:]]
    plan_id = res.plan(plan_text, row_ctx)
    if plan_id is None:
        plan_nodes, plan_edges, note_new = res.cached(
            ("new plan", plan_text, get("issuer"), scopes, ctx.date and ctx.date >= "2025-07-01"),
            lambda: res.new_plan(plan_text, place, get("issuer"), row_ctx, ev))
        plan_id = plan_nodes[-1].id
        facts.nodes += plan_nodes
        facts.edges += plan_edges
        new.append(note_new)
    assignment = schema.node("Assignment", unit=unit_id, target=target, plan=plan_id,
                             households=households, note=note, **{"from": start, "until": until}, **ev)
    facts.nodes.append(assignment)
    support = {k: v for k, v in (("from", start), ("until", until)) if v}
    facts.edges.append(Edge("SUPPORTS", unit_id, target, {"role": "support", **support, **ev}))
    check = [assignment.id]
    for model_text in model_texts:
        known = res.models.find(model_text, assignment.id, target)
        if known is not None:  # the stored model keeps its scope and name (its identity)
            model = schema.node("Model", scope=known.props["scope"], name=known.name,
                                field=fields[0] if len(fields) == 1 else None, **ev)
        elif len(fields) > 1:
            return RowResult(row, "invalid", f"mô hình mới '{model_text}' cần một lĩnh vực; hãy ghi "
                             "mỗi mô hình một dòng"), _Facts(), []
        else:
            model = schema.node("Model", scope=unit_id, name=model_text,
                                field=fields[0] if fields else None, **ev)
        facts.nodes.append(model)
        facts.edges += [Edge("WITH_MODEL", assignment.id, model.id, dict(ev)),
                        Edge("SUPPORTS", unit_id, model.id,
                             {"role": "owner" if model.props["scope"] == unit_id else "support", **ev}),
                        Edge("LOCATED_IN", model.id, target, dict(ev)),
                        Edge("REGISTERED_UNDER", model.id, plan_id, dict(ev))]
        check.append(model.id)
    facts.nodes = place_nodes + facts.nodes
    facts.edges = place_edges + facts.edges
    return RowResult(row, "new", new=new), facts, check


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return all(old.get(k) == v for k, v in new.items() if k not in ("sources", "synthetic"))


def _classify(store: Store, results: list[tuple[RowResult, _Facts, list[str]]]) -> None:
    """Mark rows whose assignment (and model) already exist with the same values as present."""
    ids = sorted({i for _, _, check in results for i in check})
    existing: dict[str, Node] = {}
    for start in range(0, len(ids), 5000):
        existing.update(store.get_many(ids[start:start + 5000]))
    seen: dict[str, int] = {}
    for result, facts, check in results:
        if result.status != "new":
            continue
        by_id = {n.id: n for n in facts.nodes}
        olds = [existing.get(i) for i in check]
        if all(olds) and all(_same(o.props, by_id[o.id].props) for o in olds if o):
            with_model = [e for e in facts.edges if e.type == "WITH_MODEL"]
            if not with_model or any(e.target in {x.target for x in store.edges_of(check[0], "out",
                                                                                   ["WITH_MODEL"])}
                                     for e in with_model):
                result.status = "present"
        elif any(olds):
            result.status = "changed"
        first = seen.setdefault(check[0], result.row)
        if first != result.row and result.status == "new":
            result.message = f"cùng phân công với dòng {first}"


def _conflicts(schema: Any, results: list[tuple[RowResult, _Facts, list[str]]]) -> None:
    """Mark a row invalid when it repeats an earlier row's assignment or model with other values.

    Without this the write would keep the last row's value without a word. Values a row
    leaves blank are no conflict (a write never erases with a blank).
    """
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    for result, facts, _ in results:
        if result.status in ("ambiguous", "invalid"):
            continue
        differences: list[str] = []
        for node in facts.nodes:
            if node.label not in ("Assignment", "Model"):
                continue
            seen = first.setdefault(node.id, (result.row, node.props))
            if seen[0] == result.row:
                continue
            spec = schema.labels[node.label].properties
            for key, value in node.props.items():
                old = seen[1].get(key)
                if key not in ("sources", "synthetic") and old is not None and old != value:
                    what = spec[key].display if key in spec else key
                    differences.append(f"{what}: dòng {seen[0]} ghi {old!r}, dòng này ghi {value!r}")
        if differences:
            result.status = "invalid"
            result.message = "trùng với dòng trước nhưng khác giá trị — " + "; ".join(differences)


# ---------------------------------------------------------------------------
# the import


def _find_header(rows: Iterator[tuple[int, list[Any]]], filename: str
                 ) -> tuple[int, dict[str, int], list[Any]]:
    for r, values in rows:
        cols = header_map([v if v is not FORMULA else None for v in values])
        if "unit" in cols and {"village", "commune", "district", "target"} & cols.keys():
            return r, cols, values
        if r >= HEADER_SCAN_ROWS:
            break
    raise LoadError(filename, None, "không tìm thấy dòng tiêu đề có cột 'Đơn vị' và 'Thôn/làng', 'Xã' "
                    "hoặc 'Huyện' "
                    f"trong {HEADER_SCAN_ROWS} dòng đầu (các cột cần có: {', '.join(HEADERS.values())})")


def import_file(store: Store, path_or_bytes: str | Path | bytes, filename: str | None = None,
                plan: str | None = None, dry_run: bool = False,
                limits: SheetLimits | None = None) -> ImportReport:
    """Read, resolve and (unless ``dry_run`` or a row fails) write an assignment sheet.

    File-level problems (wrong type, corrupt or password-protected file, no
    header row) raise LoadError; row problems are in the report. Nothing is
    written unless ``report.ok``. A file over ``limits`` (size, unpacked size, rows,
    columns; default SheetLimits()) raises SheetTooLarge before it is parsed.
    """
    limits = limits or SheetLimits()
    if isinstance(path_or_bytes, bytes):
        data, name = path_or_bytes, filename or "upload"
    else:
        path = Path(path_or_bytes)
        name = filename or path.name
        try:
            check_size(path.stat().st_size, name, limits)  # before reading it all into memory
            data = path.read_bytes()
        except OSError as exc:
            raise LoadError(str(path), None, f"không đọc được tệp: {exc.strerror}") from None
    if not data:
        raise LoadError(name, None, "tệp rỗng")
    digest = hashlib.sha256(data).hexdigest()
    source_id = f"source-import-{digest[:16]}"
    report = ImportReport(name, digest, source_id, dry_run)
    rows = read_rows(data, name, limits)
    header_row, cols, header = _find_header(rows, name)
    report.header_row = header_row
    report.columns = {c: str(header[i]) for c, i in cols.items()}
    default_plan = _text(plan)
    if "plan" not in cols and not default_plan:
        raise LoadError(name, header_row, "thiếu cột 'Kế hoạch'; hãy thêm cột hoặc dùng --plan")
    res = _Resolver(store)
    results: list[tuple[RowResult, _Facts, list[str]]] = []
    for r, values in rows:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        res.applied.clear()
        try:
            results.append(_row_facts(res, r, values, cols, default_plan, source_id))
            if res.applied:  # an unclear value a reviewer settled in the review queue
                results[-1][0].message = f"{DECIDED}: {'; '.join(res.applied)}"
        except BadCell as exc:
            results.append((RowResult(r, "invalid", str(exc)), _Facts(), []))
        except AmbiguousError as exc:
            results.append((RowResult(r, "ambiguous", str(exc), candidates=exc.candidates), _Facts(), []))
        except (NotFoundError, DanvanError) as exc:
            results.append((RowResult(r, "invalid", str(exc)), _Facts(), []))
    _classify(store, results)
    _conflicts(store.schema, results)
    report.rows = [r for r, _, _ in results]
    if not dry_run:
        from danvan.loaders.review import import_items

        report.queued = import_items(store, report)  # "chưa rõ" rows go to the review queue
    if dry_run or not report.ok:
        return report
    todo = [(r, f) for r, f, _ in results if r.status in ("new", "changed")]
    if not todo:
        report.written = WriteResult()
        return report
    source = load_schema().node("Source", key=f"import-{digest[:16]}", title=name, kind="spreadsheet",
                                file=name, sha256=digest)
    nodes = [source] + [n for _, f in todo for n in f.nodes]
    edges = [e for _, f in todo for e in f.edges]
    # Official places repeat on every row of their commune: send each once.
    places = ("Province", "District", "Commune")
    seen_places: set[str] = set()
    nodes = [n for n in nodes if n.label not in places
             or not (n.id in seen_places or seen_places.add(n.id))]  # type: ignore[func-returns-value]
    # So do their PART_OF and SUCCEEDED_BY edges and a created body's CONTINUED_BY (no row
    # evidence on them): once each, not 10,000 times through the schema's edge check.
    once = ("SUCCEEDED_BY", "PART_OF", "CONTINUED_BY")
    edges = [e for e in edges if e.type not in once] + list(
        {e.key: e for e in edges if e.type in once}.values())
    # Store.load: checked whole first, like write; Neo4j then writes it in chunked transactions
    # (one transaction of a 25,000-row sheet outgrew a 512 MB server's transaction memory).
    report.written = store.load(nodes, edges)
    return report


# ---------------------------------------------------------------------------
# template and CLI

# The template's columns, in today's map: no district (Huyện and Xã cũ come last, optional).
TEMPLATE_COLUMNS = ("unit", "village", "commune", "province", "plan", "model", "field", "from",
                    "until", "households", "note", "district", "old_commune", "issuer")
INSTRUCTIONS = (
    ("Cột", "Bắt buộc", "Cách ghi"),
    ("Đơn vị", "có", "Tên cơ quan, đơn vị phụ trách giúp đỡ (có dấu hoặc không dấu), ví dụ “Ban Tuyên giáo "
                     "và Dân vận Tỉnh ủy Quảng Ngãi”. Đơn vị chưa có trong cơ sở dữ liệu sẽ được tạo mới "
                     "theo xã hoặc tỉnh ghi ở cùng dòng (Đảng ủy xã theo xã)."),
    ("Thôn/làng", "có thôn hoặc xã",
     "Tên thôn, làng, tổ dân phố được giúp đỡ. Thôn của các xã cũ đã hợp thành xã mới đều được tìm; thôn "
     "chưa có trong một xã đã biết sẽ được tạo mới."),
    ("Xã", "có thôn hoặc xã", "Tên xã, phường, đặc khu theo danh mục hành chính hiện hành (từ 1/7/2025), "
                              "ví dụ Xã Kon Braih, Phường Kon Tum. Dòng có ngày trước 1/7/2025 được hiểu "
                              "theo danh mục cũ."),
    ("Tỉnh", "nên có", "Tên tỉnh (34 tỉnh, thành phố hiện hành); tên tỉnh cũ (Kon Tum) cũng được hiểu. "
                       "Xã chỉ được tìm trong tỉnh đã ghi."),
    ("Kế hoạch", "có (hoặc --plan)", "Số ký hiệu văn bản, ví dụ 45-KH/TU. Kế hoạch chưa có sẽ được tạo "
                                    "mới, do Ban Thường vụ Tỉnh ủy (…/TU), Đảng ủy xã (…/ĐU) của dòng "
                                    "ban hành, hoặc cơ quan ghi ở cột Cơ quan ban hành."),
    ("Mô hình", "không", "Tên mô hình “Dân vận khéo” do đơn vị đăng ký tại thôn."),
    ("Lĩnh vực", "không", "kinh tế; văn hóa - xã hội; quốc phòng - an ninh; xây dựng hệ thống chính trị."),
    ("Từ ngày", "không", "Ngày bắt đầu, dạng dd/mm/yyyy (ví dụ 15/01/2026). Ngày của dòng quyết định "
                         "danh mục: từ 1/7/2025 danh mục mới, trước đó danh mục cũ; không ghi ngày thì ưu "
                         "tiên danh mục mới."),
    ("Đến ngày", "không", "Ngày kết thúc, dạng dd/mm/yyyy."),
    ("Số hộ", "không", "Số hộ được hỗ trợ (số nguyên)."),
    ("Ghi chú", "không", "Ghi chú tự do."),
    ("Huyện", "không (bảng cũ)", "Chỉ cho bảng theo danh mục trước 1/7/2025: tên huyện, thành phố, giúp phân "
                                 "biệt các xã cũ trùng tên."),
    ("Xã cũ", "không", "Xã, phường, thị trấn trước 1/7/2025 của thôn. Ghi khi xã mới có nhiều thôn trùng tên "
                       "(ví dụ Thôn 1 của xã Đăk Ruồng cũ và Thôn 1 của xã Tân Lập cũ, nay cùng thuộc Xã Kon "
                       "Braih)."),
    ("Cơ quan ban hành", "không", "Cơ quan ban hành kế hoạch, khi kế hoạch chưa có trong cơ sở dữ liệu "
                                  "và số ký hiệu không cho biết (ví dụ Ban Tuyên giáo và Dân vận Tỉnh ủy "
                                  "Quảng Ngãi)."),
    ("", "", ""),
    ("Lưu ý", "", "Có thể có dòng tiêu đề phía trên; thứ tự cột tùy ý; ô gộp được hiểu là cùng giá trị "
                  "cho cả vùng gộp; dòng trống được bỏ qua. Chạy thử trước: danvan import TỆP --dry-run."),
)


def write_template(path: str | Path) -> Path:
    """An empty .xlsx in today's map: the columns of TEMPLATE_COLUMNS and a sheet of instructions."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers = {**HEADERS, **EXTRA_HEADERS}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phân công"
    ws.append([headers[c] for c in TEMPLATE_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = {"unit": 40, "model": 30, "field": 22, "note": 30, "households": 8, "issuer": 36}
    for i, column in enumerate(TEMPLATE_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(column, 16)
    ws.freeze_panes = "A2"
    guide = wb.create_sheet("Hướng dẫn")
    for row in INSTRUCTIONS:
        guide.append(list(row))
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 16, 18
    guide.column_dimensions["C"].width = 100
    out = Path(path)
    wb.save(out)
    return out
