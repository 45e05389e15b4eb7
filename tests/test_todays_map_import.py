"""Import in today's map (#13 items 3–5, Done-when): 2026 sheets built here, on both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from danvan.graph.store import Store
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.reference.kb import load_kb
from danvan.loaders.spreadsheets.load import import_file
from danvan.queries.catalogue import run as run_query

HEAD = ["Đơn vị", "Thôn/làng", "Xã", "Tỉnh", "Kế hoạch", "Từ ngày", "Đến ngày"]
BOARD = "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi"
DONE_WHEN = [
    [BOARD, "Thôn 1", "Xã Kon Braih", "Tỉnh Quảng Ngãi", "45-KH/TU", "15/01/2026", "31/12/2026"],
    ["Hội Nông dân tỉnh Quảng Ngãi", None, "Xã Kon Braih", "Tỉnh Quảng Ngãi", "45-KH/TU", "15/01/2026",
     "31/12/2026"],
    ["Công an tỉnh Quảng Ngãi", "Tổ dân phố 7", "Phường Kon Tum", "Tỉnh Quảng Ngãi", "45-KH/TU",
     "15/01/2026", "31/12/2026"],
    ["Tỉnh đoàn Quảng Ngãi", "Thôn Kon Đó", "Xã Đăk Kôi", "Quảng Ngãi", "45-KH/TU", "15/01/2026",
     "31/12/2026"],
]


def sheet(path: Path, rows: list[list[Any]], head: list[str] = HEAD) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["KẾ HOẠCH PHÂN CÔNG GIÚP ĐỠ NĂM 2026"])  # a title row above the header
    ws.append(head)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def kb(store: Store) -> Store:
    """The curated knowledge base plus a "Thôn 1" in two former communes of Xã Kon Braih."""
    load_kb(store)
    schema = store.schema
    units = admin_units()
    olds = units.predecessors(units.commune("Kon Braih", province="51", era="2025"))
    store.write([schema.node("Village", commune=f"commune-{c.code}", name="Thôn 1")
                 for c in olds[:2]])
    return store


def _by_row(report: Any) -> dict[int, Any]:
    return {r.row: r for r in report.rows}


def test_the_done_when_sheet_has_no_row_not_found(kb: Store, tmp_path: Path) -> None:
    report = import_file(kb, sheet(tmp_path / "2026.xlsx", DONE_WHEN))
    rows = _by_row(report)
    assert [r.status for r in report.rows] == ["ambiguous", "new", "new", "new"], report.to_text()
    assert all("không tìm thấy" not in r.message for r in report.rows)
    # Thôn 1 of Kon Braih: two, each labelled with the former commune it was in.
    names = {c["name"] for c in rows[3].candidates}
    assert names == {"Thôn 1 (xã Đăk Ruồng cũ)", "Thôn 1 (xã Đăk Tờ Re cũ)"}
    assert report.written is None


def test_xa_cu_settles_the_village_and_the_sheet_imports(kb: Store, tmp_path: Path) -> None:
    rows = [[*row, None] for row in DONE_WHEN]
    rows[0][-1] = "Đăk Ruồng"
    report = import_file(kb, sheet(tmp_path / "2026.xlsx", rows, [*HEAD, "Xã cũ"]))
    assert report.ok, report.to_text()
    assert [r.status for r in report.rows] == ["new"] * 4
    assignments = {e.source: e.target for e in kb.edges("ASSIGNED_TO")}
    targets = set(assignments.values())
    assert "village-commune-23488-thon-1" in targets  # Đăk Ruồng's Thôn 1, the known village
    braih = admin_units().commune("Kon Braih", province="51", era="2025")
    assert f"commune-2025-{braih.code}" in targets  # the commune row: today's commune
    # A village unknown in a known 2025 commune is created there and reported.
    kon_tum = admin_units().commune("Kon Tum", province="51", era="2025")
    village = kb.get(f"village-commune-2025-{kon_tum.code}-to-dan-pho-7")
    assert village is not None and village.id in targets
    assert any("thôn mới 'Tổ dân phố 7'" in n for n in _by_row(report)[5].new)
    # Thôn Kon Đó is a known village of the former Đăk Kôi, found through Xã Đăk Kôi (2025).
    assert "village-commune-23482-thon-kon-do" in targets
    again = import_file(kb, sheet(tmp_path / "again.xlsx", rows, [*HEAD, "Xã cũ"]))
    assert [r.status for r in again.rows] == ["present"] * 4


def test_post_reform_bodies_are_created_with_their_dated_lineage(kb: Store, tmp_path: Path) -> None:
    rows = [[*row, None] for row in DONE_WHEN]
    rows[0][-1] = "Đăk Ruồng"
    report = import_file(kb, sheet(tmp_path / "2026.xlsx", rows, [*HEAD, "Xã cũ"]))
    assert report.ok, report.to_text()
    board = next(n for n in kb.nodes("PartyBody") if n.name == BOARD)
    assert board.props["scope"] == "province-2025-51"
    plan = next(n for n in kb.nodes("Directive") if n.props.get("ref") == "45-KH/TU")
    issuer = kb.get(plan.props["issuer"])
    assert issuer is not None and issuer.name == "Ban Thường vụ Tỉnh ủy Quảng Ngãi"
    assert issuer.props["scope"] == "province-2025-51"  # never Kon Tum's, a dissolved province
    # Ban Dân vận Tỉnh ủy Kon Tum → Ban Tuyên giáo và Dân vận Tỉnh ủy Kon Tum → Quảng Ngãi's
    into_board = [e for e in kb.edges("CONTINUED_BY") if e.target == board.id]
    assert len(into_board) == 1 and into_board[0].props["date"] == "2025-07-01"
    middle = kb.get(into_board[0].source)
    assert middle is not None and middle.name == "Ban Tuyên giáo và Dân vận Tỉnh ủy Kon Tum"
    into_middle = {e.source: e.props for e in kb.edges("CONTINUED_BY") if e.target == middle.id}
    dan_van = next(n for n in kb.nodes("PartyBody") if n.name == "Ban Dân vận Tỉnh ủy Kon Tum")
    assert into_middle[dan_van.id] == {"date": "2025-03-01", "basis": "121-KL/TW"}
    # The standing committee continues Kon Tum's, dated.
    btv_kt = next(n for n in kb.nodes("PartyBody") if n.name == "Ban Thường vụ Tỉnh ủy Kon Tum")
    assert any(e.source == btv_kt.id and e.target == issuer.id for e in kb.edges("CONTINUED_BY"))
    # The unit profile crosses the reform both ways.
    profile = run_query(kb, "unit_profile", unit=board.id)
    assert [(x["name"], x["date"]) for x in profile["continues"]] == [(middle.name, "2025-07-01")]
    back = run_query(kb, "unit_profile", unit=dan_van.id)
    assert [x["id"] for x in back["continued_by"]] == [middle.id]


def test_a_sheet_mixing_periods_resolves_each_row_by_its_dates(kb: Store, tmp_path: Path) -> None:
    head = ["Đơn vị", "Thôn/làng", "Xã", "Huyện", "Tỉnh", "Kế hoạch", "Từ ngày"]
    rows = [
        ["Hội Nông dân tỉnh Kon Tum", None, "Xã Đăk Kôi", "Kon Rẫy", "Kon Tum", "133-KH/TU", "10/05/2024"],
        ["Hội Nông dân tỉnh Quảng Ngãi", None, "Xã Đăk Kôi", None, "Quảng Ngãi", "45-KH/TU", "10/05/2026"],
    ]
    report = import_file(kb, sheet(tmp_path / "mixed.xlsx", rows, head))
    assert report.ok, report.to_text()
    targets = {e.target for e in kb.edges("ASSIGNED_TO")}
    new = admin_units().commune("Đăk Kôi", province="51", era="2025")
    assert "commune-23482" in targets and f"commune-2025-{new.code}" in targets
    # The 2024 unit is Kon Tum's (legacy scope); the 2026 one Quảng Ngãi's (2025 scope).
    scopes = {n.name: n.props["scope"] for n in kb.nodes("Unit") if n.name.startswith("Hội Nông dân tỉnh")}
    assert scopes["Hội Nông dân tỉnh Kon Tum"] == "province-62"
    assert scopes["Hội Nông dân tỉnh Quảng Ngãi"] == "province-2025-51"


def test_a_named_province_is_never_left_by_a_row(kb: Store, tmp_path: Path) -> None:
    rows = [["Hội Nông dân tỉnh", None, "Xã Kon Braih", "Tỉnh Gia Lai", "45-KH/TU", "15/01/2026", None]]
    report = import_file(kb, sheet(tmp_path / "wrong.xlsx", rows))
    assert report.rows[0].status == "invalid" and "gia lai" in report.rows[0].message.lower()
    assert report.written is None


def test_a_district_committee_after_the_reform_is_refused_not_created(kb: Store, tmp_path: Path) -> None:
    rows = [["Huyện ủy Kon Rẫy", None, "Xã Kon Braih", "Quảng Ngãi", "45-KH/TU", "15/01/2026", None]]
    report = import_file(kb, sheet(tmp_path / "old-body.xlsx", rows))
    assert report.rows[0].status == "invalid" and "1/7/2025" in report.rows[0].message


def test_a_review_decision_settles_the_row_when_the_sheet_is_imported_again(kb: Store,
                                                                            tmp_path: Path) -> None:
    from danvan.loaders import review

    rows = DONE_WHEN[:1]  # "Thôn 1" of Xã Kon Braih: two former communes have one
    first = import_file(kb, sheet(tmp_path / "2026.xlsx", rows))
    assert [r.status for r in first.rows] == ["ambiguous"] and first.queued == 1
    [item] = review.pending(kb)
    picked = "village-commune-23488-thon-1"  # Đăk Ruồng's Thôn 1, one of the candidates
    assert picked in {c["id"] for c in item["candidates"]}
    review.decide(kb, item["key"], "pick", "lan", target=picked)  # what the page and API call
    again = import_file(kb, sheet(tmp_path / "2026.xlsx", rows))
    [row] = again.rows
    assert row.status == "new" and row.message.startswith("theo quyết định đã duyệt"), again.to_text()
    assert "xã Đăk Ruồng cũ" in again.to_text()
    assert again.ok and again.queued == 0 and review.pending(kb) == []
    assert picked in {e.target for e in kb.edges("ASSIGNED_TO")}
    # Undone, the decision settles nothing: the row is unclear again.
    review.undo(kb, item["key"], "lan")
    assert [r.status for r in import_file(kb, sheet(tmp_path / "2026.xlsx", rows)).rows] == ["ambiguous"]
