"""Merging two entities that are the same, and undoing it, on both stores."""

from __future__ import annotations

import warnings

from danvan.accounts import Accounts
from danvan.api.app import create_app
from danvan.config import Settings
from danvan.graph.merge import merge, undo_merge
from danvan.graph.store import Store
from danvan.graph.types import Edge
from tests.test_board_security import PASSWORD, page_csrf, sign_in, small

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

KEEP = "unit-district-614-huyen-doan-kon-ray"
DROP = "unit-district-614-huyen-doan-kr"
VILLAGE = "village-commune-23488-thon-4"


def two_spellings(store: Store) -> None:
    small(store)
    s = store.schema
    drop = s.node("Unit", name="Huyện Đoàn KR", scope="district-614", sources=["source-x#1-2"])
    assignment = s.node("Assignment", unit=drop.id, target=VILLAGE, households=3)
    store.write([drop, assignment], [Edge("SUPPORTS", drop.id, VILLAGE, {"role": "support"})])


def snapshot(store: Store) -> tuple[list[tuple[str, dict]], list[str]]:  # type: ignore[type-arg]
    graph = store.export()
    return (sorted((n.id, n.props) for n in graph.nodes), sorted(e.key for e in graph.edges))


def test_merge_moves_everything_and_undo_puts_it_back(store: Store) -> None:
    two_spellings(store)
    before = snapshot(store)
    record = merge(store, KEEP, DROP, "an", "hai cách viết")
    assert store.get(DROP) is None
    kept = store.get(KEEP)
    assert kept and kept.props["aliases"] == ["Huyện Đoàn KR"] and "source-x#1-2" in kept.props["sources"]
    [assignment] = list(store.nodes("Assignment"))
    assert assignment.props["unit"] == KEEP and assignment.props["households"] == 3
    assert [e.target for e in store.edges_of(KEEP, "out", ["SUPPORTS"])] == [VILLAGE]
    undo_merge(store, record["key"], "an")
    assert snapshot(store) == before
    actions = [c["action"] for c in store.records.find("Change", where={"entities": KEEP})]
    assert actions == ["edit.merge.undo", "edit.merge"]


def test_merge_and_undo_from_the_page(store: Store) -> None:
    two_spellings(store)
    Accounts(store).add_user("an", "editor", PASSWORD)
    client = TestClient(create_app(store, Settings()))
    sign_in(client, "an")
    csrf = page_csrf(client, f"/thuc-the/{KEEP}")
    response = client.post("/sua/gop", data={"csrf": csrf, "keep": KEEP, "drop": "huyen doan kr"})
    assert response.status_code == 200 and "Hoàn tác gộp" in response.text
    assert store.get(DROP) is None
    key = store.records.find("Merge", where={"keep": KEEP})[0]["key"]
    response = client.post(f"/sua/gop/hoan-tac/{key}", data={"csrf": csrf})
    assert response.status_code == 200 and store.get(DROP) is not None
    assert client.post("/sua/gop", data={"keep": KEEP, "drop": DROP},
                       follow_redirects=False).status_code == 403  # no CSRF token
