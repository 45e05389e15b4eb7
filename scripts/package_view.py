"""The installed layout of danvan as symbolic links, for tools that read files.

pyproject's ``package-dir`` mapping installs the folder graph/ as ``danvan.graph`` (and so
on). Tools that find modules by walking folders (import-linter through grimp, mypy) do
not follow that mapping: run on the source tree or an editable install they would see
danvan/ alone. :func:`lay_out` builds ``<folder>/danvan`` as the mapping installs it
(``danvan/graph -> graph/``…); ``scripts/lint-imports`` and ``scripts/typecheck`` run
their tool there. Written by hand: no tool lays out a package-dir mapping.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lay_out(target: Path) -> Path:
    """Build ``target/danvan`` as pyproject's package-dir mapping installs it; return it."""
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    top = target / "danvan"
    top.mkdir()
    for entry in (ROOT / mapping["danvan"]).iterdir():
        if entry.name != "__pycache__":
            (top / entry.name).symlink_to(entry)
    for package, folder in mapping.items():
        if package != "danvan":
            link = target.joinpath(*package.split("."))
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(ROOT / folder, target_is_directory=True)
    return top
