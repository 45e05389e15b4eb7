"""Export → import changes nothing; imports keep curated aliases and report conflicting rows.

Every export the board can make — ``danvan export`` (.xlsx, .csv), the explorer's
Excel download (/phan-cong.xlsx) and its CSV (/api/v1/assignments?format=csv) —
imported again into the store it came from is all "present" and writes nothing,
for the bundled knowledge base and for the demo data, on both stores.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from danvan.api.app import create_app
from danvan.config import Settings
from danvan.export import export_assignments
from danvan.graph.schema import load_schema
from danvan.graph.store import Store
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.reference.kb import load_kb
from danvan.loaders.spreadsheets.load import import_file
from danvan.loaders.synthetic.demo import load_demo

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

S = load_schema()
TOKEN = "t" * 32


def _cli_xlsx(store: Store, tmp_path: Path) -> tuple[bytes, str]:
    export_assignments(store, tmp_path / "out.xlsx")
    return (tmp_path / "out.xlsx").read_bytes(), "out.xlsx"


def _cli_csv(store: Store, tmp_path: Path) -> tuple[bytes, str]:
    export_assignments(store, tmp_path / "out.csv")
    return (tmp_path / "out.csv").read_bytes(), "out.csv"


def _page_xlsx(store: Store, tmp_path: Path) -> tuple[bytes, str]:
    response = TestClient(create_app(store)).get("/phan-cong.xlsx")
    assert response.status_code == 200
    return response.content, "phan-cong.xlsx"


def _page_csv(store: Store, tmp_path: Path) -> tuple[bytes, str]:
    response = TestClient(create_app(store)).get("/api/v1/assignments",
                                                 params={"format": "csv", "limit": 1000})
    assert response.status_code == 200
    return response.content, "phan-cong.csv"


EXPORTS: dict[str, Callable[[Store, Path], tuple[bytes, str]]] = {
    "cli-xlsx": _cli_xlsx, "cli-csv": _cli_csv, "page-xlsx": _page_xlsx, "page-csv": _page_csv}


def _assignment_count(store: Store) -> int:
    return store.counts()["labels"].get("Assignment", 0)


def _round_trip(store: Store, tmp_path: Path, export: str) -> None:
    before = store.export().to_dict()
    data, name = EXPORTS[export](store, tmp_path)
    report = import_file(store, data, filename=name)
    problems = [r.line() for r in report.rows if r.status != "present"]
    assert problems == [], "\n".join(problems[:10])
    assert len(report.rows) >= _assignment_count(store) > 0
    assert report.written is not None and report.written.changed == 0
    assert store.export().to_dict() == before


@pytest.mark.parametrize("export", list(EXPORTS))
def test_every_export_of_the_bundled_kb_imports_again_unchanged(store: Store, tmp_path: Path,
                                                                 export: str) -> None:
    load_kb(store)
    _round_trip(store, tmp_path, export)


@pytest.mark.parametrize("export", list(EXPORTS))
def test_every_export_of_the_demo_imports_again_unchanged(store: Store, tmp_path: Path,
                                                          export: str) -> None:
    load_demo(store)
    _round_trip(store, tmp_path, export)


def test_a_district_level_row_is_imported_as_help_to_the_district(store: Store, tmp_path: Path) -> None:
    load_kb(store)
    sheet = tmp_path / "d.csv"
    sheet.write_text("Đơn vị,Huyện,Tỉnh,Kế hoạch\n"
                     "Hội Nông dân tỉnh Kon Tum,Huyện Kon Rẫy,Kon Tum,133-KH/TU\n", encoding="utf-8")
    report = import_file(store, sheet)
    assert report.ok, report.to_text()
    assert [r.status for r in report.rows] == ["new"]
    targets = [e.target for e in store.edges("ASSIGNED_TO")
               if e.source in {x.source for x in store.edges("ASSIGNED_UNIT")
                               if x.target.endswith("hoi-nong-dan-tinh-kon-tum")}]
    assert targets == ["district-614"]


# aliases --------------------------------------------------------------------------------
def test_a_later_write_adds_aliases_and_keeps_the_stored_ones(store: Store) -> None:
    store.write(admin_units().graph_records(["23488"])[0])
    curated = S.node("Commune", name="Xã Đăk Ruồng", code="23488", district="district-614",
                     province="province-62", aliases=["Đăk Rưởng", "Đăk Ruông"])
    store.write([curated])
    store.write([S.node("Commune", name="Xã Đăk Ruồng", code="23488", district="district-614",
                        province="province-62", aliases=["Đăk Ruồng", "Đăk Rưởng"])])
    node = store.get("commune-23488")
    assert node is not None
    assert sorted(node.props["aliases"]) == sorted(["Đăk Ruồng", "Đăk Rưởng", "Đăk Ruông"])


def test_a_one_row_import_keeps_the_communes_curated_aliases(store: Store, tmp_path: Path) -> None:
    load_kb(store)
    before = store.get("commune-23488")
    assert before is not None and len(before.props["aliases"]) > 1
    sheet = tmp_path / "one.csv"
    sheet.write_text("Đơn vị,Thôn/làng,Xã,Huyện,Kế hoạch\n"
                     "Huyện đoàn Kon Rẫy,Thôn 9,Xã Đăk Ruồng,Kon Rẫy,26-KH/HU\n", encoding="utf-8")
    report = import_file(store, sheet)
    assert report.ok and report.written is not None, report.to_text()
    after = store.get("commune-23488")
    assert after is not None
    assert set(before.props["aliases"]) <= set(after.props["aliases"])


def danvan(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as installed, in a process of its own."""
    return subprocess.run([sys.executable, "-c", "from danvan.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120, check=False)


# conflicting duplicate rows -------------------------------------------------------------
CONFLICT = ("Đơn vị,Thôn/làng,Xã,Huyện,Kế hoạch,Số hộ\n"
            "Huyện đoàn Kon Rẫy,Thôn 9,Xã Đăk Ruồng,Kon Rẫy,26-KH/HU,12\n"
            "Huyện đoàn Kon Rẫy,Thôn 9,Xã Đăk Ruồng,Kon Rẫy,26-KH/HU,15\n")


def test_a_row_repeating_an_assignment_with_other_values_is_reported(store: Store, tmp_path: Path) -> None:
    load_kb(store)
    before = store.counts()
    report = import_file(store, CONFLICT.encode(), filename="dup.csv")
    assert [r.status for r in report.rows] == ["new", "invalid"]
    assert "dòng 2" in report.rows[1].message and "Số hộ" in report.rows[1].message
    assert not report.ok and store.counts() == before


def test_a_repeated_row_with_the_same_values_is_no_conflict(store: Store) -> None:
    load_kb(store)
    same = CONFLICT.replace(",15\n", ",12\n")
    report = import_file(store, same.encode(), filename="dup.csv", dry_run=True)
    assert report.ok and [r.status for r in report.rows] == ["new", "new"]


def test_the_cli_and_the_api_report_the_conflicting_row(tmp_path: Path) -> None:
    from danvan.config import open_store

    data = tmp_path / "data"
    danvan("load", "--data-dir", str(data))
    sheet = tmp_path / "dup.csv"
    sheet.write_text(CONFLICT, encoding="utf-8")
    out = danvan("import", str(sheet), "--data-dir", str(data))
    assert "Dòng 3: không hợp lệ — trùng với dòng trước" in out.stdout, out.stdout + out.stderr
    store = open_store(Settings(data_dir=data))
    try:
        with TestClient(create_app(store, Settings(api_token=TOKEN))) as client:
            response = client.post("/api/v1/imports", params={"filename": "dup.csv"},
                                   content=CONFLICT.encode(), headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        store.close()
    rows = response.json()["rows"]
    assert rows[1]["status"] == "invalid" and "Số hộ" in rows[1]["message"], rows


# dates in Excel (issue 14, item 14) -----------------------------------------------------
def test_excel_downloads_write_real_dates_shown_day_first(tmp_path: Path) -> None:
    import datetime as dt
    import io

    import openpyxl

    from danvan.graph.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "data")
    load_kb(store)
    for export in ("cli-xlsx", "page-xlsx"):
        data, _ = EXPORTS[export](store, tmp_path)
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        header = [c.value for c in sheet[1]]
        column = header.index("Từ ngày") + 1
        cells = [sheet.cell(r, column) for r in range(2, sheet.max_row + 1)]
        dated = [c for c in cells if c.value not in (None, "")]
        assert dated, export
        assert all(isinstance(c.value, dt.datetime) for c in dated), (export, dated[0].value)
        assert all(c.number_format == "d/m/yyyy" for c in dated), (export, dated[0].number_format)
    store.close()
