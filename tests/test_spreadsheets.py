"""Assignment sheets in: headers as boards write them, per-row report, all-or-nothing writes."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from danvan.errors import LoadError
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.schema import load_schema
from danvan.graph.store import Store
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.spreadsheets.load import HEADERS, import_file, write_template

S = load_schema()
PLAN = "directive-province-62-133-kh-tu"
UNIT = "unit-district-614-hoi-lien-hiep-phu-nu-huyen-kon-ray"


def seed(store: Store) -> None:
    """Kon Rẫy: xã Đăk Ruồng (Thôn 9) and xã Đăk Pne (also a Thôn 9), one unit, plan 133-KH/TU."""
    nodes, edges = admin_units().graph_records(["23488", "23491"])
    body = S.node("PartyBody", scope="province-62", name="Ban Thường vụ Tỉnh ủy Kon Tum")
    nodes += [
        body,
        S.node("Directive", scope="province-62", ref="133-KH/TU", number="133", kind="Kế hoạch",
               issuer=body.id),
        S.node("Unit", scope="district-614", name="Hội Liên hiệp Phụ nữ huyện Kon Rẫy",
               kind="mass_organisation", aliases=["Hội LHPN huyện Kon Rẫy"]),
        S.node("Village", commune="commune-23488", name="Thôn 9"),
        S.node("Village", commune="commune-23491", name="Thôn 9"),
    ]
    store.write(nodes, edges)


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store)
    return store


@pytest.fixture
def small(tmp_path: Path) -> Store:
    s = EmbeddedStore(tmp_path / "small")
    seed(s)
    return s


def sheet(path: Path, rows: list[list[object]], title_rows: int = 2) -> Path:
    """A board-style workbook: title rows, Vietnamese headers in their own order."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"DANH SÁCH PHÂN CÔNG GIÚP ĐỠ THÔN (bảng {i + 1})"])
    ws.append(["STT", "Cơ quan phụ trách", "Thôn/làng", "Xã", "huyen", "Kế hoạch", "Mô hình",
               "Lĩnh vực", "Từ ngày", "Đến ngày", "Số hộ", "Ghi chú"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


GOOD = [
    [1, "Hội LHPN huyện Kon Rẫy", "Thôn 9", "Đăk Ruồng", "Kon Rẫy", "133-KH/TU", "Nuôi heo đen",
     "kinh tế", "14/03/2024", "2025-12-31", 12, "thử"],
    [2, "Hội Liên hiệp Phụ nữ huyện Kon Rẫy", "Thôn 10", "dak ruong", "Kon Rẫy", "133-KH/TU", None,
     None, None, None, None, None],
    [3, "Phòng Dân tộc huyện Kon Rẫy", "Thôn 9", "Đăk Pne", "Kon Rẫy", "133-kh/tu", None, None, None,
     None, None, None],
]


def test_vietnamese_headers_below_titles_resolve_and_report_new_things(seeded: Store, tmp_path: Path) -> None:
    report = import_file(seeded, sheet(tmp_path / "a.xlsx", GOOD), dry_run=True)
    assert report.ok and report.header_row == 3
    assert [r.status for r in report.rows] == ["new", "new", "new"]
    assert any("thôn mới 'Thôn 10'" in n for n in report.rows[1].new)
    assert any("đơn vị mới 'Phòng Dân tộc huyện Kon Rẫy'" in n for n in report.rows[2].new)
    assert seeded.counts()["labels"].get("Assignment") is None  # dry run wrote nothing


def test_real_import_writes_once_with_row_provenance_and_is_idempotent(seeded: Store,
                                                                        tmp_path: Path) -> None:
    path = sheet(tmp_path / "a.xlsx", GOOD)
    first = import_file(seeded, path)
    assert first.ok and first.written is not None and first.written.nodes_created > 0
    a = seeded.get(f"assignment-{UNIT}-village-commune-23488-thon-9-{PLAN}")
    assert a is not None, [r.to_dict() for r in first.rows]
    assert a.props["from"] == "2024-03-14" and a.props["until"] == "2025-12-31"
    assert a.props["households"] == 12
    assert a.props["sources"] == [f"{first.source_id}#4-5"]
    source = seeded.get(first.source_id)
    assert source is not None and source.props["sha256"] == first.sha256
    village = seeded.get("village-commune-23488-thon-10")
    assert village is not None
    second = import_file(seeded, path)
    assert [r.status for r in second.rows] == ["present"] * 3
    assert second.written is not None and second.written.changed == 0


def test_unknown_commune_is_an_invalid_row_and_nothing_is_written(small: Store, tmp_path: Path) -> None:
    rows = [GOOD[0], [2, "Hội LHPN huyện Kon Rẫy", "Thôn 1", "Đăk Xyz", "Kon Rẫy", "133-KH/TU"]]
    before = small.counts()
    report = import_file(small, sheet(tmp_path / "a.xlsx", rows))
    assert not report.ok and report.written is None
    assert report.rows[1].line() == "Dòng 5: không hợp lệ — không tìm thấy xã 'Đăk Xyz' trong huyện Kon Rẫy"
    assert small.counts() == before


def test_village_in_two_communes_without_commune_is_ambiguous(small: Store, tmp_path: Path) -> None:
    rows = [[1, "Hội LHPN huyện Kon Rẫy", "Thôn 9", None, "Kon Rẫy", "133-KH/TU"]]
    report = import_file(small, sheet(tmp_path / "a.xlsx", rows))
    row = report.rows[0]
    assert row.status == "ambiguous"
    assert {c["id"] for c in row.candidates} == {"village-commune-23488-thon-9",
                                                 "village-commune-23491-thon-9"}


@pytest.mark.parametrize("value", ["31/02/2024", "sắp tới", "2024/13/45"])
def test_dates_that_are_not_dates_are_invalid(small: Store, tmp_path: Path, value: str) -> None:
    rows = [[1, "Hội LHPN huyện Kon Rẫy", "Thôn 9", "Đăk Ruồng", "Kon Rẫy", "133-KH/TU", None, None,
             value]]
    row = import_file(small, sheet(tmp_path / "a.xlsx", rows)).rows[0]
    assert row.status == "invalid" and "Từ ngày" in row.message


def test_merged_cells_apply_to_the_range_and_blank_rows_are_skipped(small: Store, tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Đơn vị", "Thôn/làng", "Xã", "Huyện", "Kế hoạch"])
    ws.append(["Hội LHPN huyện Kon Rẫy", "Thôn 1", "Đăk Ruồng", "Kon Rẫy", "133-KH/TU"])
    ws.append([None, "Thôn 2"])
    ws.append([])
    ws.append([None, "Thôn 3"])
    for col in "ACDE":
        ws.merge_cells(f"{col}2:{col}5")
    wb.save(path)
    report = import_file(small, path, dry_run=True)
    assert [(r.row, r.status) for r in report.rows] == [(2, "new"), (3, "new"), (5, "new")]


def test_formula_without_cached_value_is_an_invalid_cell(small: Store, tmp_path: Path) -> None:
    rows = [[1, "Hội LHPN huyện Kon Rẫy", "Thôn 9", "Đăk Ruồng", "Kon Rẫy", "133-KH/TU", None, None,
             None, None, "=5+7"]]
    row = import_file(small, sheet(tmp_path / "a.xlsx", rows)).rows[0]
    assert row.status == "invalid" and "công thức" in row.message


def test_csv_with_semicolons_and_plan_option(small: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Don vi", "Thon", "Xa", "Huyen"])
        w.writerow(["Hoi LHPN huyen Kon Ray", "Thon 9", "Dak Ruong", "Kon Ray"])
    report = import_file(small, path, plan="133-KH/TU")
    assert report.ok and [r.status for r in report.rows] == ["new"]
    assert small.get(f"assignment-{UNIT}-village-commune-23488-thon-9-{PLAN}") is not None


@pytest.mark.parametrize(("name", "data", "words"), [
    ("a.pdf", b"%PDF-1.4", "không được hỗ trợ"),
    ("a.xlsx", b"PK\x03\x04 not really a zip", "bị hỏng"),
    ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "mật khẩu"),
    ("a.xls", b"\xd0\xcf\x11\xe0", ".xls"),
])
def test_bad_files_raise_a_clear_load_error(small: Store, name: str, data: bytes, words: str) -> None:
    with pytest.raises(LoadError, match=words):
        import_file(small, data, name)


def test_missing_required_column_names_the_columns(small: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Thôn/làng", "Xã", "Kế hoạch"])
    wb.save(path)
    with pytest.raises(LoadError, match="Đơn vị"):
        import_file(small, path)


def test_template_has_headers_and_instructions_and_imports_empty(small: Store, tmp_path: Path) -> None:
    path = write_template(tmp_path / "mau.xlsx")
    wb = openpyxl.load_workbook(path)
    headers = [c.value for c in wb["Phân công"][1]]
    assert headers[:5] == ["Đơn vị", "Thôn/làng", "Xã", "Tỉnh", "Kế hoạch"]  # today's map first
    assert set(HEADERS.values()) <= set(headers) and {"Xã cũ", "Huyện"} <= set(headers)
    guide = {row[0].value: row[2].value for row in wb["Hướng dẫn"].iter_rows()}
    assert "1/7/2025" in guide["Xã"] and "Xã cũ" in guide and "không" in guide["Huyện"] + "không"
    assert "Hướng dẫn" in wb.sheetnames
    report = import_file(small, path, plan="133-KH/TU")
    assert report.ok and report.rows == []


def test_cli_exit_code_says_whether_the_import_failed(tmp_path: Path) -> None:
    from danvan.cli import app

    data = tmp_path / "store"
    seed(EmbeddedStore(data))
    bad = sheet(tmp_path / "bad.xlsx", [[1, "Hội LHPN huyện Kon Rẫy", "Thôn 1", "Đăk Xyz", "Kon Rẫy",
                                         "133-KH/TU"]])
    result = CliRunner().invoke(app, ["import", str(bad), "--dry-run", "--data-dir", str(data)])
    assert result.exit_code == 1 and "Dòng 4" in result.output
    good = sheet(tmp_path / "good.xlsx", GOOD[:1])
    result = CliRunner().invoke(app, ["import", str(good), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
