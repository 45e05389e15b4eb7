"""What ``pip install danvan`` brings: only what runs (no IPython, jedi or pyvis)."""

from __future__ import annotations

import importlib.metadata as metadata
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
VIS = ROOT / "visualisations" / "static"


def _installed_closure(name: str, seen: set[str] | None = None) -> set[str]:
    """Distributions a plain install of ``name`` pulls in (extras left out), as installed."""
    seen = set() if seen is None else seen
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return seen
    seen.add(key)
    try:
        requirements = metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return seen
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        _installed_closure(req.name, seen)
    return seen


def test_the_declared_dependencies_do_not_name_pyvis() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not [d for d in declared if Requirement(d).name.lower() == "pyvis"]


def test_an_install_pulls_no_notebook_tooling() -> None:
    pulled = _installed_closure("danvan")
    assert "fastapi" in pulled and "neo4j" in pulled  # the walk does follow the requirements
    assert not pulled & {"pyvis", "ipython", "jedi", "jsonpickle"}


def test_the_vendored_vis_network_file_has_its_version_and_licence_noted() -> None:
    header = (VIS / "vis-network.min.js").read_text(encoding="utf-8")[:2000]
    version = re.search(r"@version\s+(\S+)", header)
    assert version is not None
    notice = (VIS / "vis-network.NOTICE").read_text(encoding="utf-8")
    assert f"vis-network {version[1]}" in notice and "MIT License" in notice
