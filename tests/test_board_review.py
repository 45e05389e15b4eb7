"""The review queue: unresolved mentions of a loaded document are queued, decided once, re-applied."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from danvan.accounts import Accounts
from danvan.api.app import create_app
from danvan.config import Settings
from danvan.errors import NotFoundError
from danvan.graph.store import Store
from danvan.loaders import review
from danvan.loaders.documents.load import load_documents
from tests.test_board_security import PASSWORD, sign_in

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# Our own sentence: "thôn 4" with no commune; Kon Rẫy has three villages of that name.
TEXT = ("BÁO CÁO\nNăm 2024, Huyện đoàn Kon Rẫy tiếp tục giúp đỡ thôn 4 làm đường giao thông "
        "nông thôn ở huyện Kon Rẫy.\n")
PICK = "village-commune-23482-thon-4"


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Path:
    from danvan.loaders.reference.kb import load_kb

    load_kb(store)
    path = tmp_path / "bao-cao-2024.txt"
    path.write_text(TEXT, encoding="utf-8")
    [report] = load_documents(store, [path]).files
    assert report.error is None and report.queued == 1
    return path


def test_an_ambiguous_village_is_queued_with_evidence_and_candidates(store: Store,
                                                                     loaded: Path) -> None:
    [item] = review.pending(store)
    assert item["kind"] == "mention.village" and item["text"] == "thôn 4"
    assert "giúp đỡ thôn 4" in item["evidence"]
    assert {c["id"] for c in item["candidates"]} == {
        "village-commune-23479-thon-4", PICK, "village-commune-23485-thon-4"}
    [again] = load_documents(store, [loaded]).files
    assert again.queued == 0 and len(review.pending(store)) == 1  # not queued twice


def test_a_pick_creates_the_fact_and_is_reapplied_then_undone(store: Store, loaded: Path,
                                                              tmp_path: Path) -> None:
    [item] = review.pending(store)
    review.decide(store, item["key"], "pick", "lan", target=PICK)
    [mention] = [e for e in store.edges_of(PICK, "in", ["MENTIONS"]) if e.source == item["source"]]
    assert mention.props["sources"] == [item["span"]]
    assert review.pending(store) == []
    [again] = load_documents(store, [loaded]).files
    assert (again.queued, again.decided) == (0, 1)
    other = tmp_path / "bao-cao-2025.txt"  # another document bringing the same thing
    other.write_text(TEXT.replace("Năm 2024", "Năm 2025"), encoding="utf-8")
    [second] = load_documents(store, [other]).files
    assert (second.queued, second.decided) == (0, 1)
    assert len([e for e in store.edges_of(PICK, "in", ["MENTIONS"])
                if e.source == second.source]) == 1
    review.undo(store, item["key"], "lan")
    assert not [e for e in store.edges_of(PICK, "in", ["MENTIONS"]) if e.source == item["source"]]
    assert [i["key"] for i in review.pending(store)] == [item["key"]]
    with pytest.raises(NotFoundError):
        review.undo(store, item["key"], "lan")
    actions = [c["action"] for c in store.records.find("Change", where={"user": "lan"})]
    assert actions == ["review.undo", "review"]


def test_create_new_makes_the_village_in_the_chosen_commune(store: Store, loaded: Path) -> None:
    from danvan.api.review import new_entity

    [item] = review.pending(store)
    assert store.get("village-commune-23488-thon-4") is None
    new = new_entity(store, "Village", "Thôn 4", "Đăk Ruồng")
    decision = review.decide(store, item["key"], "create", "lan", new=new)
    village = store.get("village-commune-23488-thon-4")
    assert decision["target"] == village.id and village.props["sources"] == [item["span"]]  # type: ignore[union-attr]
    review.undo(store, item["key"], "lan")
    assert store.get("village-commune-23488-thon-4") is None


def test_the_page_and_api_decide_and_undo(store: Store, loaded: Path) -> None:
    Accounts(store).add_user("lan", "editor", PASSWORD)
    client = TestClient(create_app(store, Settings()))
    [item] = client.get("/api/v1/review").json()["items"]
    assert item["candidates"] and item["evidence"]
    sign_in(client, "lan")
    page = client.get("/cho-duyet").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post(f"/cho-duyet/{item['key']}", data={"action": "pick", "target": PICK},
                       follow_redirects=False).status_code == 403  # no CSRF token
    response = client.post(f"/cho-duyet/{item['key']}",
                           data={"csrf": csrf, "action": "pick", "target": PICK})
    assert response.status_code == 200 and "review-decisions" in response.text
    assert client.get("/api/v1/review").json()["items"] == []
    history = client.get("/api/v1/history", params={"entity": PICK}).json()["items"]
    assert [(h["user"], h["action"]) for h in history] == [("lan", "review")]
    response = client.post(f"/cho-duyet/hoan-tac/{item['key']}", data={"csrf": csrf})
    assert response.status_code == 200
    assert len(client.get("/api/v1/review").json()["items"]) == 1


# commune–commune twinning is read with less confidence than the threshold: a proposal
TWINNING = ("Ngày 10/10/2025, Đảng ủy phường Hải Châu cùng Đảng ủy xã Hùng Sơn đã ký chương "
            "trình kết nghĩa giai đoạn mới.\n")


def test_a_proposed_fact_is_queued_accepted_reapplied_and_undone(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tin.txt"
    path.write_text(TWINNING, encoding="utf-8")
    load_documents(store, [path])
    [item] = review.proposals(store)
    assert item["key"].startswith(review.PROPOSAL) and "kết nghĩa" in item["evidence"]
    fact = item["canonical"]
    review.decide_proposal(store, fact, "accept", "lan")
    node = store.get(fact)
    assert node and node.props["sources"] and review.proposals(store) == []
    load_documents(store, [path])  # read again: the fact exists, nothing is proposed
    assert review.proposals(store) == []
    review.undo(store, review.PROPOSAL + fact, "lan")
    assert store.get(fact) is None and [p["canonical"] for p in review.proposals(store)] == [fact]
    review.decide_proposal(store, fact, "reject", "lan")
    load_documents(store, [path])
    assert review.proposals(store) == [] and store.get(fact) is None
    assert store.records.get("Proposal", fact)["status"] == "rejected"  # type: ignore[index]


def test_unclear_import_rows_are_queued_once(store: Store, tmp_path: Path) -> None:
    from danvan.loaders.spreadsheets.load import import_file
    from tests.test_spreadsheets import seed, sheet

    seed(store)
    rows = [[1, "Hội LHPN huyện Kon Rẫy", "Thôn 9", None, "Kon Rẫy", "133-KH/TU"]]
    report = import_file(store, sheet(tmp_path / "a.xlsx", rows))
    assert report.queued == 1
    [item] = review.pending(store)
    assert item["kind"] == "import.row" and "a.xlsx, dòng" in item["evidence"]
    assert item["label"] == "Village"  # "create new" on this row makes a village, not a unit
    assert {c["id"] for c in item["candidates"]} == {"village-commune-23488-thon-9",
                                                     "village-commune-23491-thon-9"}
    assert import_file(store, sheet(tmp_path / "a.xlsx", rows)).queued == 0
    assert import_file(store, sheet(tmp_path / "a.xlsx", rows), dry_run=True).queued == 0
    review.decide(store, item["key"], "pick", "lan", target="village-commune-23488-thon-9")
    other = sheet(tmp_path / "b.xlsx", rows, title_rows=1)  # another sheet, the same question
    assert import_file(store, other).queued == 0 and review.pending(store) == []
