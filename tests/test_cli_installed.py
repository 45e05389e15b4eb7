"""The ``danvan`` command as pip installs it: exit codes, usage errors without tracebacks, help.

These run the console script of the environment the tests run in (the venv's
``bin/danvan``), not ``cli.main`` imported in-process: what a scheduler or a
newcomer's shell sees, with the click copy typer really bundles.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from danvan.queries.catalogue import CATALOGUE


def _script() -> str:
    beside = Path(sys.executable).with_name("danvan")
    found = str(beside) if beside.exists() else shutil.which("danvan")
    if found is None:
        pytest.fail("the danvan console script is not installed (pip install -e .)")
    return found


def danvan(*args: str, tmp: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DANVAN_DATA_DIR": str(tmp / "data")}
    return subprocess.run([_script(), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)


# 1. failures exit non-zero ------------------------------------------------------------------


def test_import_with_a_rejected_row_exits_non_zero(tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("Đơn vị,Thôn/làng,Xã,Kế hoạch\nBan Dân vận Tỉnh ủy,,Xã Không Có Thật,133-KH/TU\n",
                     encoding="utf-8")
    result = danvan("import", str(sheet), tmp=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "không hợp lệ" in result.stdout


def test_import_with_an_ambiguous_row_exits_non_zero(tmp_path: Path) -> None:
    # Many communes are called Tân Lập: without district or province the row is ambiguous.
    sheet = tmp_path / "ambiguous.csv"
    sheet.write_text("Đơn vị,Xã,Kế hoạch\nBan Dân vận Tỉnh ủy,Xã Tân Lập,133-KH/TU\n", encoding="utf-8")
    result = danvan("import", str(sheet), "--json", tmp=tmp_path)
    report = json.loads(result.stdout)
    assert report["counts"]["ambiguous"] == 1
    assert result.returncode == 1


@pytest.mark.parametrize("args", [("load", "--no-kb", "--documents", "/nonexistent/van-ban.txt"),
                                  ("extract", "--no-kb", "/nonexistent/van-ban.txt")])
def test_a_missing_document_exits_non_zero_with_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = danvan(*args, tmp=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "/nonexistent/van-ban.txt" in result.stderr


# 2. usage errors: no traceback, exit 2, the problem named -------------------------------------


@pytest.mark.parametrize(("args", "named"), [
    ((), "Usage"),
    (("query",), "name"),
    (("export",), "file"),
    (("serve", "--bogus"), "--bogus"),
    (("serve", "--port", "x"), "--port"),
    (("serve", "--port", "99999"), "65535"),
    (("serve", "--port", "0"), "--port"),
])
def test_usage_errors_print_no_traceback(tmp_path: Path, args: tuple[str, ...], named: str) -> None:
    result = danvan(*args, tmp=tmp_path, timeout=30)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert named.lower() in output.lower()


def test_query_help_lists_every_query_and_its_parameters(tmp_path: Path) -> None:
    result = danvan("query", "--help", tmp=tmp_path)
    assert result.returncode == 0
    for spec in CATALOGUE.values():
        assert spec.name in result.stdout
        for param in spec.params:
            assert f"--{param.name.replace('_', '-')}" in result.stdout, (spec.name, param.name)


def test_help_of_every_command_is_in_vietnamese(tmp_path: Path) -> None:
    top = danvan("--help", tmp=tmp_path).stdout
    english = ("Serve the", "Load the", "Show which", "Run a catalogued", "Extract mentions",
               "Import an", "Export assignments", "Write an interactive", "Write the synthetic")
    assert not [e for e in english if e in top], top
    for command in ("serve", "load", "query", "export", "demo", "extract"):
        text = danvan(command, "--help", tmp=tmp_path).stdout
        assert not [w for w in ("embedded or neo4j", "(default: $", "print JSON", "random seed")
                    if w in text], (command, text)


# 17. the demo says how to open it, and counts the edges it stored --------------------------


def test_demo_says_how_to_open_it_and_counts_the_edges_stored(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = danvan("demo", "--data-dir", str(folder), tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"danvan serve --data-dir {folder}" in result.stderr
    info = json.loads(danvan("info", "--data-dir", str(folder), tmp=tmp_path).stdout)
    report = json.loads(result.stdout)
    assert report["edges"] == info["edges"] and report["nodes"] == info["nodes"]
