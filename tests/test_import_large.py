"""A large sheet imports into both stores: Neo4j writes it in checked, chunked transactions.

At 25,000 rows an import is ~100,000 nodes and ~150,000 edges: one Neo4j
transaction of that size outgrows the transaction memory of a server with a
512 MB heap (the test server's), so the import goes through ``Store.load``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from danvan.graph.store import Store
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.spreadsheets.load import import_file
from danvan.loaders.synthetic.generator import national_dataset, write_dataset

pytestmark = pytest.mark.slow

ROWS = 25_000


def large_sheet(path: Path, rows: int, bad_row: int | None = None) -> Path:
    """``rows`` assignments of new units to new villages of Xã Đăk Pne, each with a model;
    row ``bad_row`` (sheet numbering) names a plan that does not exist."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Đơn vị", "Thôn/làng", "Xã", "Huyện", "Kế hoạch", "Mô hình", "Lĩnh vực"])
        for i in range(rows):
            plan = "999-KH/XX" if i + 2 == bad_row else "84-KH/HU"
            writer.writerow([f"Tổ công tác số {i}", f"Thôn thử {i}", "Xã Đăk Pne", "Huyện Kon Rẫy",
                             plan, f"Mô hình thử {i}", "kinh tế"])
    return path


@pytest.fixture
def seeded(store: Store) -> Store:
    units = admin_units()
    write_dataset(store, national_dataset(3, villages_per_commune=2, units_per_district=2,
                                          units_per_province=1, communes=[units.commune("23491")]))
    return store


def test_a_large_sheet_imports_whole(seeded: Store, tmp_path: Path) -> None:
    before = seeded.counts()
    report = import_file(seeded, large_sheet(tmp_path / "lon.csv", ROWS))
    assert report.ok and report.counts["new"] == ROWS, report.error
    after = seeded.counts()
    assert after["labels"]["Assignment"] - before["labels"].get("Assignment", 0) == ROWS
    assert after["labels"]["Model"] - before["labels"].get("Model", 0) == ROWS
    assert report.written is not None
    assert after["nodes"] - before["nodes"] == report.written.nodes_created
    assert after["edges"] - before["edges"] == report.written.edges_created


def test_a_large_sheet_with_one_bad_row_writes_nothing(seeded: Store, tmp_path: Path) -> None:
    before = seeded.counts()
    report = import_file(seeded, large_sheet(tmp_path / "lon.csv", ROWS, bad_row=ROWS))
    assert not report.ok and report.written is None
    assert seeded.counts() == before
