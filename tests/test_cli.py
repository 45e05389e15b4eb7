"""The danvan command: clear one-line failures, idempotent loading, catalogue queries."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import NEO4J_URI


def danvan(*args: str, env: dict[str, str] | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-c", "from danvan.cli import main; main()", *args],
                          capture_output=True, text=True, env=full_env, timeout=timeout, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_help_lists_the_subcommands() -> None:
    result = danvan("--help")
    assert result.returncode == 0
    for command in ("serve", "load", "query", "info"):
        assert command in result.stdout


def test_serve_on_neo4j_with_nothing_listening_fails_fast_naming_the_uri() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = danvan("serve", "--store", "neo4j", "--neo4j-uri", uri, timeout=30)
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert elapsed < 10
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and uri in lines[0]
    assert "Traceback" not in result.stderr


def test_wrong_neo4j_credentials_give_a_clear_message(neo4j_server: object) -> None:
    result = danvan("info", "--store", "neo4j", "--neo4j-uri", NEO4J_URI,
                    "--neo4j-password", "not-the-password", timeout=60)
    assert result.returncode != 0
    assert "credentials" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_store_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = danvan("info", "--store", "sqlite", env={"DANVAN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "embedded, neo4j" in result.stderr


def test_load_twice_changes_nothing_the_second_time(tmp_path: Path, corpus: Path) -> None:
    env = {"DANVAN_DATA_DIR": str(tmp_path / "data"), "DANVAN_CORPUS_DIR": str(corpus)}
    first = danvan("load", env=env)
    assert first.returncode == 0, first.stderr
    second = danvan("load", env=env)
    assert second.returncode == 0, second.stderr
    assert "0 nodes created, 0 updated" in second.stdout
    assert "0 edges created, 0 updated" in second.stdout
    info = json.loads(danvan("info", env=env).stdout)
    assert info["store"] == "embedded" and info["nodes"] > 100


def test_query_command_prints_the_catalogue_answer_as_json(tmp_path: Path) -> None:
    env = {"DANVAN_DATA_DIR": str(tmp_path / "data")}
    assert danvan("load", env=env).returncode == 0
    result = danvan("query", "search", "--q", "dak ruong", env=env)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    assert items[0]["id"] == "commune-23488"


def test_query_with_a_bad_parameter_names_it(tmp_path: Path) -> None:
    result = danvan("query", "assignments", "--limit", "100000",
                    env={"DANVAN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "limit" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["no_such_query"])
def test_an_unknown_query_lists_the_known_ones(tmp_path: Path, name: str) -> None:
    result = danvan("query", name, env={"DANVAN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "assignments" in result.stderr
