"""A damaged, read-only or full data folder, or a wrong Neo4j address: one clear line, never a traceback.

The full and read-only folders are real: small tmpfs mounts (the tests run as
root in CI). Where mounting is not allowed, the full disk is simulated by making
SQLite's commit fail with SQLITE_FULL, and the read-only folder by permissions.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_api import TOKEN, small_graph

from danvan.api.app import create_app
from danvan.config import Settings
from danvan.errors import StorageFull, StoreError
from danvan.graph.embedded import DB_FILE, EmbeddedStore
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.synthetic.generator import national_dataset, write_dataset

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def danvan(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from danvan.cli import main; main()", *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=300, check=False)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@contextlib.contextmanager
def mounted(folder: Path, options: str) -> Iterator[bool]:
    """A tmpfs at ``folder`` with ``options``; yields False when mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, check=False).returncode == 0 if os.geteuid() == 0 else False
    try:
        yield done
    finally:
        if done:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def _some_data(folder: Path) -> None:
    store = EmbeddedStore(folder)
    units = admin_units()
    write_dataset(store, national_dataset(5, villages_per_commune=6, units_per_district=4,
                                          units_per_province=3,
                                          communes=[units.commune(c) for c in ("23488", "23491")]))
    store.close()


# a damaged database file ---------------------------------------------------------------------


def test_a_database_with_damaged_middle_pages_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _some_data(folder)
    db = sqlite3.connect(folder / DB_FILE)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file
    db.close()
    path = folder / DB_FILE
    size = path.stat().st_size
    with path.open("r+b") as fh:  # scribble over pages in the middle, not the header
        for offset in range(size // 3, 2 * size // 3, 4096):
            fh.seek(offset + 200)
            fh.write(os.urandom(600))
    with pytest.raises(StoreError, match="damaged"):
        EmbeddedStore(folder)
    line = one_line(danvan("info", "--data-dir", str(folder)))
    assert str(path) in line and "danvan load" in line


# a folder it cannot write --------------------------------------------------------------------


@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_data_folder_is_named_with_the_reason(tmp_path: Path, existing: bool) -> None:
    folder = tmp_path / "ro"
    if existing:
        _some_data(folder)
    with mounted(tmp_path / "mnt", "size=4m") as can_mount:
        if can_mount:
            target = tmp_path / "mnt"
            if existing:
                subprocess.run(["cp", "-a", f"{folder}/.", str(target)], check=True)
            subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
            reason = "Read-only file system"
        else:
            target = folder
            target.mkdir(exist_ok=True)
            target.chmod(0o555)
            reason = "Permission denied"
        try:
            with pytest.raises(StoreError) as caught:
                EmbeddedStore(target)
            assert str(target) in str(caught.value) and reason in str(caught.value)
            line = one_line(danvan("info", "--data-dir", str(target)))
            assert str(target) in line and reason in line and "--data-dir" in line
        finally:
            if not can_mount:
                target.chmod(0o755)


# a full disk ---------------------------------------------------------------------------------


def _fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as fh:
        for size in (65536, 1):
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * size)
    return filler


@pytest.fixture
def tiny_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path | None]:
    """A 3 MB tmpfs; None where mounting is not allowed (the full disk is then simulated)."""
    with mounted(tmp_path / "disk", "size=3m") as can_mount:
        yield tmp_path / "disk" if can_mount else None


def _simulate_full(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: EmbeddedStore, ops: object) -> None:
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(EmbeddedStore, "_commit", full)


def test_a_full_disk_is_one_line_and_nothing_is_written(tiny_disk: Path | None, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = (tiny_disk or tmp_path) / "data"
    if tiny_disk is None:
        _simulate_full(monkeypatch)
        with pytest.raises(StorageFull, match=str(folder)):
            _some_data(folder)
        return
    line = one_line(danvan("load", "--data-dir", str(folder)))
    assert "full" in line and str(folder) in line
    store = EmbeddedStore(folder)
    assert store.counts()["nodes"] == 0  # the load rolled back whole
    store.close()


def test_the_api_answers_a_full_disk_with_507(tiny_disk: Path | None, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = (tiny_disk or tmp_path) / "api"
    store = EmbeddedStore(folder)
    small_graph(store)
    before = store.counts()
    if tiny_disk is None:
        _simulate_full(monkeypatch)
    else:
        filler = _fill(tiny_disk)
    sheet = ("Đơn vị,Thôn/làng,Xã,Huyện,Kế hoạch\n"
             + "".join(f"Tổ công tác {i},Thôn {i},Xã Đăk Ruồng,Kon Rẫy,26-KH/HU\n" for i in range(300)))
    with TestClient(create_app(store, Settings(api_token=TOKEN))) as client:
        response = client.post("/api/v1/imports", params={"filename": "a.csv"},
                               content=sheet.encode(), headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 507, response.text
        assert response.json()["type"] == "urn:danvan:problem:storage-full"
        assert store.counts() == before
        if tiny_disk is not None:
            filler.unlink()  # space again: the same upload goes through
            again = client.post("/api/v1/imports", params={"filename": "a.csv"},
                                content=sheet.encode(), headers={"Authorization": f"Bearer {TOKEN}"})
            assert again.status_code == 200, again.text
    store.close()


class _DeleteFails:
    """A connection whose deletes fail as on a full disk (where mounting is not allowed)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args: object) -> object:
        if sql.startswith("DELETE FROM nodes"):
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
            raise error
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


def test_a_delete_on_a_full_disk_is_storage_full_and_deletes_nothing(tiny_disk: Path | None,
                                                                     tmp_path: Path) -> None:
    folder = (tiny_disk or tmp_path) / "del"
    store = EmbeddedStore(folder)
    small_graph(store)
    before = store.counts()
    victim = next(store.nodes("Village")).id
    real = store.db
    if tiny_disk is None:
        store.db = _DeleteFails(real)  # type: ignore[assignment]
    else:
        filler = _fill(tiny_disk)
    with pytest.raises(StorageFull, match=str(folder)):
        store.delete([victim])
    store.db = real
    assert store.counts() == before and store.get(victim) is not None
    if tiny_disk is not None:
        filler.unlink()
        assert store.delete([victim]) == 1
    store.close()


# a Neo4j address that is not Bolt ------------------------------------------------------------


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "https://neo4j.example:7473", "127.0.0.1:7687"])
def test_a_non_bolt_neo4j_uri_is_one_line(uri: str) -> None:
    line = one_line(danvan("info", "--store", "neo4j", env={"NEO4J_URI": uri}))
    assert uri in line and "bolt://" in line
