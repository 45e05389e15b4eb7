"""Records (accounts, history) live in both stores; every write made for someone is in the history."""

from __future__ import annotations

import io
import re
import warnings

import pytest
from openpyxl import load_workbook

from danvan.accounts import Accounts
from danvan.api.app import create_app
from danvan.config import Settings
from danvan.errors import ValidationError
from danvan.graph.audit import acting
from danvan.graph.store import Store
from tests.test_board_security import PASSWORD, VILLAGE, add_form, page_csrf, sign_in, small

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_records_put_find_delete(store: Store) -> None:
    records = store.records
    records.put("User", "an", {"name": "an", "role": "viewer"})
    records.put("User", "bình", {"name": "bình", "role": "editor"})
    records.put("User", "an", {"name": "an", "role": "admin"})
    assert records.get("User", "an")["role"] == "admin"  # type: ignore[index]
    assert [r["name"] for r in records.find("User", where={"role": "editor"})] == ["bình"]
    assert records.delete("User", "an") and records.get("User", "an") is None
    assert not records.delete("User", "an")
    with pytest.raises(ValidationError):
        records.find("User", where={"password_hash": "x"})  # not an indexed field


def test_history_is_append_only_and_found_by_entity(store: Store) -> None:
    records = store.records
    first = records.add("Change", {"user": "an", "action": "edit", "entities": ["a", "b"]})
    records.add("Change", {"user": "bình", "action": "edit", "entities": ["b"]})
    assert [r["user"] for r in records.find("Change", where={"entities": "b"})] == ["bình", "an"]
    assert [r["user"] for r in records.find("Change", where={"entities": "a"})] == ["an"]
    with pytest.raises(ValidationError):
        records.put("Change", first["key"], {"user": "kẻ gian"})
    with pytest.raises(ValidationError):
        records.delete("Change", first["key"])
    with pytest.raises(ValidationError):
        records.add("Change", {"user": "x"}, key=first["key"])


def test_records_stay_out_of_the_graph(store: Store) -> None:
    small(store)
    before = store.counts()
    Accounts(store).add_user("an", "editor", PASSWORD)
    store.records.add("Change", {"user": "an", "action": "edit", "entities": []})
    assert store.counts() == before
    assert all(not n.id.startswith(("User", "an")) for n in store.nodes())


def test_writes_are_recorded_only_when_acting_and_changing(store: Store) -> None:
    s = store.schema
    store.write([s.node("Province", name="Tỉnh Kon Tum", code="62")])
    assert store.records.find("Change") == []  # nobody acting: a test, a library call
    with acting("an", "load", source="tài liệu A"):
        store.write([s.node("Province", name="Tỉnh Kon Tum", code="62", lat=14.3)])
        store.write([s.node("Province", name="Tỉnh Kon Tum", code="62", lat=14.3)])  # no change
    [change] = store.records.find("Change")
    assert (change["user"], change["action"], change["source"]) == ("an", "load", "tài liệu A")
    assert change["before"]["province-62"].get("lat") is None
    assert change["after"]["province-62"]["lat"] == 14.3


def test_bulk_loads_are_recorded_with_counts(store: Store) -> None:
    s = store.schema
    provinces = [s.node("Province", name=f"Tỉnh Thử {i}", code=f"9{i:02d}") for i in range(60)]
    store.load(provinces[:5], chunk=10)
    assert store.records.find("Change") == []  # nobody acting
    # More nodes than DETAIL_NODES and than a chunk: Neo4j writes them in several transactions.
    with acting("an", "import", source="bảng A"):
        store.load(provinces, chunk=10)
        store.load(provinces, chunk=10)  # no change: nothing recorded
    [change] = store.records.find("Change")
    assert (change["user"], change["action"], change["source"]) == ("an", "import", "bảng A")
    assert change["counts"]["nodes_created"] == 55 and change["before"] is None and change["after"] is None
    assert "province-959" in change["entities"]


@pytest.fixture
def editor(store: Store) -> TestClient:
    small(store)
    Accounts(store).add_user("bien-tap", "editor", PASSWORD)
    client = TestClient(create_app(store, Settings()))
    sign_in(client, "bien-tap")
    return client


def test_form_edit_is_in_history_page_api_and_exports(editor: TestClient) -> None:
    response = editor.post("/sua/phan-cong", data={**add_form(page_csrf(editor)), "note": "làm đường"})
    assert response.status_code == 200  # followed to the village page
    assert "Huyện đoàn Kon Rẫy" in response.text
    items = editor.get("/api/v1/history", params={"entity": VILLAGE}).json()["items"]
    assert [(i["user"], i["action"], i["comment"]) for i in items] == [
        ("bien-tap", "edit.assignment", "làm đường")]
    [after] = [p for i, p in items[0]["after"].items() if i.startswith("assignment-")]
    assert after["households"] == 4 and items[0]["before"][next(iter(items[0]["after"]))] is None
    page = editor.get(f"/thuc-the/{VILLAGE}").text
    assert re.search(r'class="history-user">bien-tap<', page)
    mine = editor.get("/lich-su", params={"user": "bien-tap"}).text
    assert 'class="history-user">bien-tap<' in mine
    assert "history-user" not in editor.get("/lich-su", params={"user": "ai-khac"}).text
    csv_text = editor.get("/lich-su.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Thời điểm,Người thực hiện")
    assert "bien-tap" in csv_text and "làm đường" in csv_text
    book = load_workbook(io.BytesIO(editor.get("/lich-su.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][1] == "Người thực hiện" and rows[1][1] == "bien-tap"


def test_ending_an_assignment_twice_from_old_pages_is_a_conflict(editor: TestClient,
                                                                 store: Store) -> None:
    editor.post("/sua/phan-cong", data=add_form(page_csrf(editor)))
    page = editor.get(f"/thuc-the/{VILLAGE}").text
    [assignment] = [n.id for n in store.nodes("Assignment")]
    csrf = page_csrf(editor)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    first = {"csrf": csrf, "assignment": assignment, "version": version, "until": "2025-06-30"}
    assert editor.post("/sua/phan-cong/ket-thuc", data=first, follow_redirects=False).status_code == 303
    second = {**first, "until": "2025-12-31"}  # a second editor, same page version
    response = editor.post("/sua/phan-cong/ket-thuc", data=second)
    assert response.status_code == 409
    assert "2025-06-30" in response.text and "2025-12-31" in response.text
    node = store.get(assignment)
    assert node and node.props["until"] == "2025-06-30" and node.props["version"] == 1


def test_history_rejects_bad_dates(editor: TestClient) -> None:
    response = editor.get("/api/v1/history", params={"since": "hôm qua"})
    assert response.status_code == 422 and response.json()["param"] == "since"


def test_changing_an_assignment_checks_its_version(editor: TestClient, store: Store) -> None:
    editor.post("/sua/phan-cong", data=add_form(page_csrf(editor)))
    [assignment] = [n.id for n in store.nodes("Assignment")]
    csrf = page_csrf(editor)
    change = {"csrf": csrf, "assignment": assignment, "version": "0", "households": "9",
              "from": "2024-01-01"}
    assert editor.post("/sua/phan-cong/sua", data=change, follow_redirects=False).status_code == 303
    node = store.get(assignment)
    assert node and (node.props["households"], node.props["from"], node.props["version"]) == (
        9, "2024-01-01", 1)
    stale = {**change, "households": "12"}  # another editor's form, opened at version 0
    response = editor.post("/sua/phan-cong/sua", data=stale)
    assert response.status_code == 409 and "12" in response.text and "9" in response.text
    assert store.get(assignment).props["households"] == 9  # type: ignore[union-attr]
    bad = {**change, "version": "1", "from": "mai"}
    assert editor.post("/sua/phan-cong/sua", data=bad).status_code == 422
    [last, *_] = editor.get("/api/v1/history", params={"entity": assignment}).json()["items"]
    assert last["before"][assignment]["households"] == 4 and last["after"][assignment]["households"] == 9


def test_registering_and_assessing_a_model(editor: TestClient, store: Store) -> None:
    csrf = page_csrf(editor)
    response = editor.post("/sua/mo-hinh", follow_redirects=False, data={
        "csrf": csrf, "target": VILLAGE, "name": "Tổ hợp tác nuôi heo", "unit": "huyen doan kon ray",
        "field": "kinh tế", "year": "2024", "households": "6"})
    assert response.status_code == 303, response.text
    model_id = response.headers["location"].removeprefix("/thuc-the/")
    model = store.get(model_id)
    assert model and (model.props["field"], model.props["year"], model.props["households"]) == (
        "kinh tế", 2024, 6)
    assert {(e.type, e.target) for e in store.edges_of(model_id, "out")} == {("LOCATED_IN", VILLAGE)}
    assert [e.props["role"] for e in store.edges_of(model_id, "in", ["SUPPORTS"])] == ["owner"]
    assert 'id="assess-model"' in editor.get(f"/thuc-the/{model_id}").text
    assess = {"csrf": csrf, "model": model_id, "version": "0", "effective": "no",
              "assessment": "chưa thật sự hiệu quả", "assessed_on": "2025-06-30",
              "source": "Báo cáo sơ kết 2025"}
    assert editor.post("/sua/mo-hinh/danh-gia", data=assess, follow_redirects=False).status_code == 303
    model = store.get(model_id)
    assert model and model.props["effective"] is False and model.props["assessed_on"] == "2025-06-30"
    assert editor.post("/sua/mo-hinh/danh-gia", data={**assess, "effective": "yes"}).status_code == 409
    actions = [h["action"] for h in editor.get("/api/v1/history", params={"entity": model_id}).json()[
        "items"]]
    assert actions == ["edit.model.assessment", "edit.model"]
