"""Assignments read from documents become the same facts an import makes, or proposals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from danvan.graph.store import Store
from danvan.loaders.documents.load import load_documents
from danvan.loaders.reference.kb import load_kb
from danvan.loaders.spreadsheets.load import import_file

PLAN = "directive-district-614-26-kh-hu"
LHPN = "unit-district-614-hoi-lien-hiep-phu-nu-huyen-kon-ray"
THON_9 = "village-commune-23488-thon-9"

# written for this test: a district plan assigning the women's union to a village
TEXT = ("Số 31-BC/BCĐ\n\nBÁO CÁO\nkết quả quý I/2024\n\nThực hiện Kế hoạch số 26-KH/HU, ngày "
        "22/4/2021 của Ban Thường vụ Huyện ủy Kon Rẫy, Hội LHPN huyện nhận đỡ đầu thôn 9, xã "
        "Đăk Ruồng, giúp 12 hộ.\n")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_stated_assignment_is_an_assignment_fact_with_its_source(
        store: Store, tmp_path: Path) -> None:
    load_kb(store)
    report = load_documents(store, [_write(tmp_path, "bc.txt", TEXT)])
    assert report.failed == []
    facts = [n for n in store.nodes("Assignment") if n.props["unit"] == LHPN
             and n.props["target"] == THON_9]
    assert len(facts) == 1
    fact = facts[0]
    assert fact.props["plan"] == PLAN and fact.props["households"] == 12
    assert fact.props["confidence"] >= 0.7
    assert any(s.startswith("source-bc-") for s in fact.props["sources"])
    assert report.assignments == 1 and fact.id in report.files[0].assignments
    assert any(e.target == THON_9 for e in store.edges_of(LHPN, "out", ["SUPPORTS"]))


def test_a_sheet_and_a_document_stating_one_assignment_make_one_fact(
        store: Store, tmp_path: Path) -> None:
    load_kb(store)
    sheet = _write(tmp_path, "phan-cong.csv",
                   "Đơn vị,Thôn/làng,Xã,Huyện,Tỉnh,Kế hoạch\n"
                   "Hội Liên hiệp Phụ nữ huyện Kon Rẫy,Thôn 9,Đăk Ruồng,Kon Rẫy,Kon Tum,26-KH/HU\n")
    imported = import_file(store, sheet)
    assert imported.ok, imported
    before = {n.id for n in store.nodes("Assignment")}
    load_documents(store, [_write(tmp_path, "bc.txt", TEXT)])
    after = [n for n in store.nodes("Assignment") if n.props["unit"] == LHPN
             and n.props["target"] == THON_9]
    assert len(after) == 1 and after[0].id in before
    sources = after[0].props["sources"]
    assert any(s.startswith("source-bc-") for s in sources) and len(sources) >= 2


def test_a_less_sure_statement_is_kept_as_a_proposal_not_a_fact(
        store: Store, tmp_path: Path) -> None:
    # commune–commune twinning: the helping side is read from the order of the names
    text = ("Ngày 16/8/2025, Đảng ủy phường Hải Châu cùng Đảng ủy xã Hùng Sơn đã ký chương trình "
            "kết nghĩa.\n")
    report = load_documents(store, [_write(tmp_path, "tin.txt", text)])
    assert report.failed == [] and report.assignments == 0
    assert list(store.nodes("Assignment")) == []
    proposals = store.records.find("Proposal", where={"status": "proposed"})
    assert len(proposals) == 1
    p = proposals[0]
    assert p["label"] == "Assignment" and p["fact"].startswith("assignment-")
    assert p["props"]["target"] == "commune-2025-20443" and p["confidence"] < 0.7
    assert p["sources"] and "kết nghĩa" in p["evidence"]
    # read again: still one proposal, its evidence kept
    load_documents(store, [_write(tmp_path, "tin.txt", text)])
    assert len(store.records.find("Proposal")) == 1


def _extract_app() -> typer.Typer:
    from danvan.cli import app

    return app


def test_load_documents_reports_assignments_and_extract_json_shows_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from danvan.cli import app

    monkeypatch.setenv("DANVAN_STORE", "embedded")
    doc = _write(tmp_path, "bc.txt", TEXT)
    runner = CliRunner()
    out = runner.invoke(app, ["load", "--data-dir", str(tmp_path / "data"), "--documents",
                              str(doc)])
    assert out.exit_code == 0, out.output
    assert "1 phân công" in out.output
    out = runner.invoke(_extract_app(), ["extract", "--json", str(doc)])
    data = json.loads(out.output)
    assigned = [r for r in data["relations"] if r["type"] == "ASSIGNED"]
    assert len(assigned) == 1 and 0 < assigned[0]["confidence"] <= 1
    assert data["mentions"][assigned[0]["target"]]["canonical"] == "Thôn 9, Xã Đăk Ruồng"
    assert all("confidence" in m for m in data["mentions"])


def test_a_2026_plan_resolves_today_s_communes_and_the_merged_province_s_bodies(
        tmp_path: Path) -> None:
    text = ("Ngày 12/3/2026, Ban Thường vụ Tỉnh ủy Quảng Ngãi ban hành Kế hoạch số 45-KH/TU về "
            "giúp đỡ các thôn ở xã Kon Braih, Đăk Kôi và phường Kon Tum.\nBan Tuyên giáo và "
            "Dân vận Tỉnh ủy nhận đỡ đầu làng Kon Jong, xã Kon Braih. Ban Thường vụ Tỉnh ủy "
            "giao Đảng ủy xã Đăk Kôi phụ trách thôn 1.\n")
    out = CliRunner().invoke(_extract_app(), ["extract", "--json", "--no-kb",
                                   str(_write(tmp_path, "kh.txt", text))])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    communes = {m["canonical"]: m["id"] for m in data["mentions"] if m["type"] == "commune"}
    assert communes == {"Xã Kon Braih": "commune-2025-23497", "Xã Đăk Kôi": "commune-2025-23485",
                        "Phường Kon Tum": "commune-2025-23293"}
    bodies = [m for m in data["mentions"] if m["type"] == "organisation"]
    assert {m["canonical"] for m in bodies} >= {
        "Ban Thường vụ Tỉnh ủy Quảng Ngãi", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ngãi",
        "Đảng ủy xã Đăk Kôi"}
    assert all("Kon Tum" not in m["canonical"] for m in bodies)
    assert all(m["attributes"]["scope"].startswith(("province-2025-", "commune-2025-"))
               for m in bodies)


def test_the_corpus_loaded_into_an_empty_store_yields_the_kb_s_assignments(
        corpus: Path, tmp_path: Path) -> None:
    from danvan.graph.embedded import EmbeddedStore

    kb = EmbeddedStore(":memory:")
    load_kb(kb)
    want = {(n.props["unit"], n.props["target"], n.props.get("plan"))
            for n in kb.nodes("Assignment")}
    store = EmbeddedStore(tmp_path / "docs")
    report = load_documents(store, sorted(corpus.glob("*.txt")))
    assert report.failed == []
    got = {(n.props["unit"], n.props["target"], n.props.get("plan")): n
           for n in store.nodes("Assignment")}
    found = want & set(got)
    assert len(want) == 21 and len(found) >= 18, sorted(want - set(got))
    assert all(got[k].props["sources"] for k in found)
