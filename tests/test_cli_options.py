"""The CLI in one place: every command listed by ``danvan --help``, and one set of store
options (--store, --data-dir, --neo4j-uri, --neo4j-user, --neo4j-password) shared by every
command that opens a store, reaching the store it opens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from danvan.cli import app
from danvan.cli.shared import DATA_DIR_HELP, StoreOptions, store_options

COMMANDS = ("serve", "load", "info", "query", "extract", "import", "export", "viz", "demo", "user")
STORE_OPTIONS = ("--store", "--data-dir", "--neo4j-uri", "--neo4j-user", "--neo4j-password")
# every command but extract (which reads files and writes nothing) opens a store
OPENS_A_STORE = {"serve", "load", "info", "query", "import", "export", "viz", "demo", "user add",
                 "user token", "user list", "user disable", "user revoke"}


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    out = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            out.update(_commands(command, f"{prefix}{name} "))
        else:
            out[prefix + name] = command
    return out


def _options(command: Any) -> dict[str, str | None]:
    return {opt: p.help for p in command.params for opt in getattr(p, "opts", []) if opt.startswith("--")}


def test_help_lists_every_command() -> None:
    result = subprocess.run([sys.executable, "-c", "from danvan.cli import main; main()", "--help"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == list(COMMANDS)


def test_every_command_that_opens_a_store_has_the_same_five_options() -> None:
    commands = _commands(typer.main.get_command(app))
    with_store = {name for name, c in commands.items() if "--store" in _options(c)}
    assert with_store == OPENS_A_STORE
    reference = _options(commands["info"])
    assert reference["--data-dir"] == DATA_DIR_HELP
    for name in with_store:
        options = _options(commands[name])
        for opt in STORE_OPTIONS:
            if name == "demo" and opt == "--data-dir":  # the demo's own store
                assert "demo" in (options[opt] or "")
                continue
            assert options[opt] == reference[opt], (name, opt)


@pytest.mark.parametrize("args", [("info",), ("user", "list", "--json"), ("export", "{tmp}/g.json")])
def test_the_store_options_reach_the_store_the_command_opens(tmp_path: Path, args: tuple[str, ...],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANVAN_STORE", "neo4j")  # overridden by --store below
    monkeypatch.setenv("DANVAN_DATA_DIR", str(tmp_path / "not-this-one"))
    data = tmp_path / "chosen"
    argv = [a.format(tmp=tmp_path) for a in args]
    result = CliRunner().invoke(app, [*argv, "--store", "embedded", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert (data / "danvan.sqlite3").exists()
    assert not (tmp_path / "not-this-one").exists()
    if args == ("info",):
        assert json.loads(result.stdout)["store"] == "embedded"


def test_store_options_are_one_value_for_the_command() -> None:
    seen: list[StoreOptions] = []

    @store_options
    def probe(name: str = "x", *, opts: StoreOptions) -> None:
        seen.append(opts)

    probe(name="y", store="neo4j", data_dir=Path("/d"), neo4j_uri="bolt://h:1", neo4j_user="u",
          neo4j_password="p")
    assert seen == [StoreOptions("neo4j", Path("/d"), "bolt://h:1", "u", "p")]
    env = {"DANVAN_STORE": "embedded", "NEO4J_URI": "bolt://env:7687"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        assert seen[0].settings().store == "neo4j" and seen[0].settings().neo4j_uri == "bolt://h:1"
        assert StoreOptions().settings().neo4j_uri == os.environ["NEO4J_URI"]


def test_a_command_without_opts_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="opts"):
        store_options(lambda name="x": None)
