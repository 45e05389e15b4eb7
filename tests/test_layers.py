"""The import-layer check (scripts/lint-imports, run by scripts/test) sees every module of
the package-dir mapping and fails on an import that goes up a layer or makes a cycle."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mapping() -> dict[str, str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]


def _copy(tmp: Path) -> Path:
    """The repository's packages, pyproject.toml and the check, copied to change freely."""
    repo = tmp / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    shutil.copy(ROOT / "scripts" / "lint-imports", repo / "scripts" / "lint-imports")
    shutil.copy(ROOT / "scripts" / "package_view.py", repo / "scripts" / "package_view.py")
    junk = shutil.ignore_patterns("__pycache__", "static", "templates", "kb")
    for folder in set(_mapping().values()):
        shutil.copytree(ROOT / folder, repo / folder, ignore=junk)
    return repo


def _check(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(repo / "scripts" / "lint-imports")], capture_output=True,
                          text=True, timeout=300, check=False, cwd=repo)


def test_the_checker_sees_every_module_of_the_mapped_folders(tmp_path: Path) -> None:
    probe = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT / "scripts")!r})
        from package_view import lay_out
        lay_out(Path({str(tmp_path)!r}))
        sys.path.insert(0, {str(tmp_path)!r})
        import grimp
        print("\\n".join(sorted(grimp.build_graph("danvan", cache_dir=None).modules)))
    """)
    seen = set(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                              cwd=tmp_path, timeout=120).stdout.split())
    expected = set()
    for package, folder in _mapping().items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if package == "danvan" and parts[0] in {p.split(".")[1] for p in _mapping() if p != "danvan"}:
                continue  # not in this repository's danvan/ folder, but a mapped one
            expected.add(".".join((package, *parts)).removesuffix(".__init__"))
    assert {"danvan.graph.store", "danvan.loaders.reference.kb", "danvan.cli.app"} <= expected
    assert sorted(expected - seen) == []


@pytest.mark.slow
@pytest.mark.parametrize(("where", "line", "broken"), [
    # the cycle the layers removed: CLI code in loaders importing the CLI
    ("loaders/spreadsheets/load.py", "from danvan.cli.shared import store_options",
     "danvan.loaders is not allowed to import danvan.cli"),
    ("graph/types.py", "from danvan.queries import catalogue",
     "danvan.graph is not allowed to import danvan.queries"),
    ("loaders/reference/kb.py", "from danvan.loaders.documents import extractor",
     "danvan.loaders.reference is not allowed to import danvan.loaders.documents"),
    ("api/problems.py", "import typer", "danvan.api is not allowed to import typer"),
])
def test_an_import_up_a_layer_fails_the_check(tmp_path: Path, where: str, line: str, broken: str) -> None:
    repo = _copy(tmp_path)
    kept = _check(repo)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    with (repo / where).open("a", encoding="utf-8") as f:
        f.write(f"\n{line}  # noqa\n")
    result = _check(repo)
    assert result.returncode == 1, result.stdout
    assert broken in " ".join(result.stdout.split())
