"""Data out: sheets that import back unchanged, and graph files networkx reads."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import networkx as nx
import pytest

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from danvan.export import export_assignments, export_graph
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.spreadsheets.load import import_file
from danvan.loaders.synthetic.generator import national_dataset, write_dataset


@pytest.fixture
def small(tmp_path: Path) -> Store:
    """Two communes of Kon Rẫy with villages, units, plans, models and assignments (synthetic)."""
    s = EmbeddedStore(tmp_path / "s")
    units = admin_units()
    data = national_dataset(3, villages_per_commune=4, units_per_district=3, units_per_province=2,
                            communes=[units.commune("23488"), units.commune("23491")])
    write_dataset(s, data)
    return s


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_changes_nothing(small: Store, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"phan-cong{suffix}"
    rows = export_assignments(small, path)
    assert rows >= small.counts()["labels"]["Assignment"]
    before = small.counts()
    report = import_file(small, path)
    assert report.ok, report.to_text()
    assert {r.status for r in report.rows} == {"present"}
    assert report.written is not None and report.written.changed == 0
    assert small.counts() == before


def test_export_of_one_plan_only_lists_its_assignments(small: Store, tmp_path: Path) -> None:
    plan = next(d for d in small.nodes("Directive") if d.id.startswith("directive-district"))
    n = export_assignments(small, tmp_path / "a.csv", plan=plan.id)
    everything = export_assignments(small, tmp_path / "b.csv")
    assert 0 < n < everything


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_graph_files_read_back_with_networkx(small: Store, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"g{suffix}"
    counts = export_graph(small, path)
    g = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
    assert g.number_of_nodes() == counts["nodes"] == small.counts()["nodes"]
    assert g.number_of_edges() == counts["edges"] == small.counts()["edges"]


def test_node_link_json_of_a_neighbourhood(small: Store, tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    counts = export_graph(small, path, ids=["commune-23488"], depth=1)
    data = json.loads(path.read_text("utf-8"))
    ids = {n["id"] for n in data["nodes"]}
    assert "commune-23488" in ids and "district-614" in ids and "village-commune-23488-thon-1" in ids
    assert len(data["edges"]) == counts["edges"] and all("type" in e for e in data["edges"])
    village = next(n for n in data["nodes"] if n["id"] == "village-commune-23488-thon-1")
    assert village["label"] == "Village" and village["synthetic"] is True


def _many_assignments(store: Store) -> int:
    """1,200 assignments (more than a page of the assignments query) to one 2025 commune."""
    from danvan.queries.catalogue import MAX_LIMIT

    s = store.schema
    n = MAX_LIMIT + 200
    nodes = [s.node("Province", name="Tỉnh Một", code="01"),
             s.node("Commune", name="Xã Một", code="00001", province="province-01", era="2025"),
             *[s.node("Unit", name=f"Đơn vị {i}", kind="agency", scope="province-01") for i in range(n)]]
    units = [n_.id for n_ in nodes[2:]]
    nodes += [s.node("Assignment", unit=u, target="commune-2025-00001", note=f"ghi chú {i}")
              for i, u in enumerate(units)]
    store.write(nodes)
    return n


def test_the_sheet_query_lists_every_row_past_the_page_limit(tmp_path: Path) -> None:
    """assignment_sheet has no paging: an export of 1,200 assignments writes all 1,200."""
    from danvan.queries.catalogue import run

    store = EmbeddedStore(tmp_path)
    n = _many_assignments(store)
    sheet = run(store, "assignment_sheet")
    assert sheet["total"] == n and len(sheet["items"]) == n
    assert {i["note"] for i in sheet["items"]} == {f"ghi chú {i}" for i in range(n)}
    assert sheet["provinces"]["commune-2025-00001"] == "Tỉnh Một"
    assert run(store, "assignments")["total"] == n and len(run(store, "assignments")["items"]) == 100


def test_the_downloads_give_every_row(tmp_path: Path) -> None:
    """The table's .xlsx and the API's CSV carry all 1,200 rows (they stopped at 1,000)."""
    import csv
    import io

    import openpyxl

    from danvan.api.app import create_app

    store = EmbeddedStore(tmp_path)
    n = _many_assignments(store)
    with TestClient(create_app(store)) as client:
        text = client.get("/api/v1/assignments", params={"format": "csv"}).content.decode("utf-8-sig")
        book = openpyxl.load_workbook(io.BytesIO(client.get("/phan-cong.xlsx").content))
        page = client.get("/api/v1/assignments", params={"format": "csv", "limit": 5})
    assert len(list(csv.reader(io.StringIO(text)))) == n + 1
    assert book.worksheets[0].max_row == n + 1
    assert len(list(csv.reader(io.StringIO(page.content.decode("utf-8-sig"))))) == 6  # a page, if asked


@pytest.mark.parametrize("name", ["a.xlsx", "a.csv", "g.graphml", "g.json"])
def test_an_export_that_cannot_be_written_says_so_and_leaves_nothing(tmp_path: Path, name: str) -> None:
    """A missing folder: one line naming the file, exit 1, no traceback, no file left."""
    import subprocess
    import sys

    data = tmp_path / "data"
    store = EmbeddedStore(data)
    n = _many_assignments(store)
    assert n
    store.close()
    target = tmp_path / "missing" / name
    done = subprocess.run([sys.executable, "-c", "from danvan.cli import main; main()", "export",
                           str(target), "--data-dir", str(data)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and str(target) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not any((tmp_path / "missing").parent.glob("**/.*.part"))


def test_every_listing_csv_gives_every_row(tmp_path: Path) -> None:
    """/api/v1/places?format=csv lists all 1,150 villages, not the first page of 1,000."""
    import csv
    import io

    from danvan.api.app import create_app
    from danvan.queries.catalogue import MAX_LIMIT

    store = EmbeddedStore(tmp_path)
    s = store.schema
    n = MAX_LIMIT + 150
    commune = s.node("Commune", name="Xã Một", code="00001")
    store.write([commune, *[s.node("Village", name=f"Thôn {i}", commune=commune.id) for i in range(n)]])
    with TestClient(create_app(store)) as client:
        every = client.get("/api/v1/places", params={"format": "csv", "level": "village"})
        later = client.get("/api/v1/places", params={"format": "csv", "level": "village", "offset": 1100})
        json_page = client.get("/api/v1/places", params={"level": "village"}).json()
    rows = list(csv.reader(io.StringIO(every.content.decode("utf-8-sig"))))
    assert len(rows) == n + 1 and len({tuple(r) for r in rows[1:]}) == n
    assert len(list(csv.reader(io.StringIO(later.content.decode("utf-8-sig"))))) == n - 1100 + 1
    assert len(json_page["items"]) == 100 and json_page["total"] == n  # JSON stays paged
