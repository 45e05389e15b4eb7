"""Uploaded sheets: over-limit files refused before parsing, damaged ones in one clear line.

Limits (size, unpacked size, rows, columns) answer 413/422 over HTTP and one
line from ``danvan import``, which can raise them; a cut or malformed .xlsx is a
LoadError (422 over HTTP, and the connection stays usable), never a traceback.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import sheets_hostile as hostile
from test_api import TOKEN, small_graph

from danvan.api.app import create_app
from danvan.config import Settings
from danvan.errors import LoadError
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store
from danvan.loaders.spreadsheets.load import import_file
from danvan.loaders.spreadsheets.sheet_limits import SheetLimits, SheetTooLarge

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

AUTH = {"Authorization": f"Bearer {TOKEN}"}
DAMAGED = hostile.damaged()


@pytest.fixture(scope="module")
def empty() -> Store:
    return EmbeddedStore(":memory:")


# the library -------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "limit"), [(hostile.far_row, "rows"), (hostile.wide, "columns"),
                                             (hostile.bomb, "unpacked")])
def test_an_xlsx_over_a_limit_is_refused_naming_it(empty: Store, make: object, limit: str) -> None:
    with pytest.raises(SheetTooLarge) as caught:
        import_file(empty, make(), "phan-cong.xlsx", dry_run=True)  # type: ignore[operator]
    assert caught.value.limit == limit
    assert "phan-cong.xlsx" in str(caught.value) and "tối đa" in str(caught.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(empty: Store, tmp_path: Path) -> None:
    big = tmp_path / "lon.csv"
    big.write_bytes(b"x" * (SheetLimits().max_bytes + 1))
    with pytest.raises(SheetTooLarge) as caught:
        import_file(empty, big)
    assert caught.value.limit == "bytes"


def test_csv_rows_and_columns_are_limited_too(empty: Store) -> None:
    rows = "Đơn vị,Xã,Kế hoạch\n" + "A,B,C\n" * 20
    with pytest.raises(SheetTooLarge, match="số dòng"):
        import_file(empty, rows.encode(), "a.csv", limits=SheetLimits(max_rows=10), dry_run=True)
    with pytest.raises(SheetTooLarge, match="số cột"):
        import_file(empty, rows.encode(), "a.csv", limits=SheetLimits(max_columns=2), dry_run=True)


def test_a_declared_dimension_bigger_than_the_rows_costs_nothing(empty: Store) -> None:
    report = import_file(empty, hostile.lying_dimension(), "a.xlsx", dry_run=True)
    assert report.header_row == 1 and len(report.rows) == 1


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_a_damaged_xlsx_is_one_load_error(empty: Store, name: str) -> None:
    with pytest.raises(LoadError) as caught:
        import_file(empty, DAMAGED[name], "hong.xlsx", dry_run=True)
    assert str(caught.value).startswith("hong.xlsx") and "\n" not in str(caught.value)


# the API -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = EmbeddedStore(":memory:")
    small_graph(store)
    with TestClient(create_app(store, Settings(api_token=TOKEN))) as c:
        yield c


def _post(client: TestClient, body: bytes, filename: str = "phan-cong.xlsx") -> object:
    return client.post("/api/v1/imports", params={"filename": filename, "dry_run": "true"},
                       content=body, headers=AUTH)


@pytest.mark.parametrize(("make", "status"), [(hostile.far_row, 422), (hostile.wide, 422),
                                              (hostile.bomb, 413)])
def test_the_api_refuses_an_over_limit_sheet(client: TestClient, make: object, status: int) -> None:
    response = _post(client, make())  # type: ignore[operator]
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["type"] == "urn:danvan:problem:too-large" and "tối đa" in body["detail"]


def test_the_api_refuses_an_oversized_body(client: TestClient) -> None:
    response = _post(client, b"x" * (SheetLimits().max_bytes + 1), "a.csv")
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert response.json()["limit"] == "bytes"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_the_api_answers_a_damaged_xlsx_with_a_problem(client: TestClient, name: str) -> None:
    response = _post(client, DAMAGED[name])
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real ``danvan serve`` (uvicorn, keep-alive) on an empty store."""
    port = _free_port()
    env = {**os.environ, "DANVAN_DATA_DIR": str(tmp_path_factory.mktemp("srv")),
           "DANVAN_API_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-c", "from danvan.cli import main; main()", "serve",
                             "--port", str(port), "--no-load-kb"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_damaged_upload_leaves_the_connection_usable(server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    try:
        _post_each_then_get(conn)
    finally:
        conn.close()


def _post_each_then_get(conn: http.client.HTTPConnection) -> None:
    for name, body in DAMAGED.items():
        conn.request("POST", "/api/v1/imports?filename=hong.xlsx&dry_run=true", body=body,
                     headers={**AUTH, "Content-Type": "application/octet-stream"})
        sock = conn.sock
        response = conn.getresponse()
        payload = json.loads(response.read())
        assert response.status == 422, (name, payload)
        assert response.getheader("connection", "").lower() != "close", name
        conn.request("GET", "/api/v1/health")
        assert conn.sock is sock, f"{name}: the server dropped the connection"
        health = conn.getresponse()
        health.read()
        assert health.status == 200


# the CLI -----------------------------------------------------------------------------------


def _danvan(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DANVAN_DATA_DIR": str(tmp / "data")}
    return subprocess.run([sys.executable, "-c", "from danvan.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False)


def test_the_cli_refuses_an_over_limit_sheet_in_one_line(tmp_path: Path) -> None:
    sheet = tmp_path / "xa.xlsx"
    sheet.write_bytes(hostile.far_row())
    result = _danvan("import", str(sheet), "--dry-run", tmp=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "xa.xlsx" in lines[0] and "--max-rows" in lines[0]


def test_the_cli_limit_can_be_raised(tmp_path: Path) -> None:
    sheet = tmp_path / "xa.xlsx"
    sheet.write_bytes(hostile.far_row(150_000))
    refused = _danvan("import", str(sheet), "--dry-run", "--json", tmp=tmp_path)
    assert refused.returncode != 0 and "--max-rows" in refused.stderr
    allowed = _danvan("import", str(sheet), "--dry-run", "--json", "--max-rows", "200000", tmp=tmp_path)
    assert "vượt giới hạn" not in allowed.stderr, allowed.stderr
    assert [r["row"] for r in json.loads(allowed.stdout)["rows"]] == [150_000]


def test_the_cli_reports_a_damaged_sheet_in_one_line(tmp_path: Path) -> None:
    sheet = tmp_path / "hong.xlsx"
    sheet.write_bytes(DAMAGED["sheet XML cut in the middle"])
    result = _danvan("import", str(sheet), tmp=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "hong.xlsx" in result.stderr
