"""POST /api/v1/imports: an assignment sheet over HTTP, with the same rules as `danvan import`."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from test_api import DOAN, PLAN, THON_4_DR, TOKEN, small_graph

from danvan.api.app import create_app
from danvan.config import Settings
from danvan.graph.store import Store

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HEADER = "Đơn vị,Thôn/làng,Xã,Huyện,Tỉnh,Kế hoạch,Từ ngày,Đến ngày,Số hộ\n"
GOOD = HEADER + "Huyện đoàn Kon Rẫy,Thôn 4,Xã Đăk Ruồng,Kon Rẫy,Kon Tum,26-KH/HU,01/06/2024,31/12/2025,7\n"
BAD = HEADER + "Huyện đoàn Kon Rẫy,Thôn 4,Xã Đăk Xyz,Kon Rẫy,Kon Tum,26-KH/HU,01/06/2024,,\n"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    small_graph(store)
    with TestClient(create_app(store, Settings(api_token=TOKEN))) as c:
        yield c


def post(client: TestClient, body: str, filename: str = "phan-cong.csv", **params: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/imports", params={"filename": filename, **params},
                       content=body.encode("utf-8"), headers=AUTH)


def assignments_of_doan(client: TestClient) -> list[dict]:
    return client.get("/api/v1/assignments", params={"unit": DOAN}).json()["items"]


def test_import_needs_the_token(client: TestClient) -> None:
    response = client.post("/api/v1/imports", params={"filename": "a.csv"}, content=GOOD.encode())
    assert response.status_code == 401


def test_dry_run_reports_the_new_row_and_writes_nothing(client: TestClient, store: Store) -> None:
    before = store.counts()
    response = post(client, GOOD, dry_run="true")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] and report["dry_run"]
    assert [r["status"] for r in report["rows"]] == ["new"]
    assert store.counts() == before


def test_import_writes_the_assignment_and_a_second_import_changes_nothing(client: TestClient) -> None:
    first = post(client, GOOD)
    assert first.status_code == 200, first.text
    assert first.json()["written"]["changed"] > 0
    items = assignments_of_doan(client)
    new = [i for i in items if i["village"] and i["village"]["id"] == THON_4_DR]
    assert len(new) == 1
    assert new[0]["plan"]["id"] == PLAN and new[0]["households"] == 7
    assert new[0]["from"] == "2024-06-01" and new[0]["until"] == "2025-12-31"
    second = post(client, GOOD)
    assert second.status_code == 200 and second.json()["written"]["changed"] == 0


def test_a_bad_row_is_reported_by_number_and_nothing_is_written(client: TestClient,
                                                                store: Store) -> None:
    before = store.counts()
    response = post(client, BAD)
    assert response.status_code == 422
    report = response.json()
    assert not report["ok"]
    [row] = report["rows"]
    assert row["status"] == "invalid" and "Đăk Xyz" in row["message"]
    assert store.counts() == before


def test_a_file_that_is_not_a_sheet_is_a_problem(client: TestClient) -> None:
    response = post(client, "%PDF-1.4 not a sheet", filename="phan-cong.pdf")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "phan-cong.pdf" in response.json()["detail"]
