"""What ``pip install danvan`` brings: only what runs (no IPython, jedi or pyvis), and all of danvan:
every module of every mapped folder and the knowledge base's data files."""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
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


def _package_dirs() -> dict[str, str]:
    """The ``package-dir`` mapping of pyproject.toml: danvan.graph → graph, …"""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]


def _build_wheel(tmp: Path) -> Path:
    """Build the wheel from a copy of what pyproject.toml names (no stale build/ folder)."""
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in set(_package_dirs().values()):
        shutil.copytree(ROOT / folder, src / folder, ignore=junk)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(tmp / "dist"), str(src)],
                   check=True, capture_output=True, text=True, timeout=300)
    return next((tmp / "dist").glob("danvan-*.whl"))


@pytest.mark.slow
def test_the_wheel_ships_every_module_and_the_knowledge_base(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        shipped = set(zf.namelist())
        zf.extractall(tmp_path / "installed")
    expected = set()
    for package, folder in _package_dirs().items():
        prefix = package.replace(".", "/")
        for path in (ROOT / folder).rglob("*"):
            rel = path.relative_to(ROOT / folder)
            if path.suffix == ".py" and "__pycache__" not in rel.parts and \
                    not (package == "danvan" and rel.parts[0] in {p.split(".")[1] for p in _package_dirs()
                                                                 if p != "danvan"}):
                expected.add(f"{prefix}/{rel.as_posix()}")
    assert "danvan/loaders/reference/kb.py" in expected  # the walk does see the sub-packages
    assert sorted(expected - shipped) == []
    kb = {n for n in shipped if n.startswith("danvan/loaders/reference/kb/") and n.endswith(".yaml")}
    assert len(kb) == len(list((ROOT / "loaders" / "reference" / "kb").glob("*.yaml")))
    # The installed layout finds its own data through importlib.resources.
    probe = ("from danvan.loaders.reference.kb import kb_files; import danvan; "
             "print(danvan.__file__); print(len(kb_files()))")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "installed")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path,
                         check=True, timeout=120).stdout.split()
    assert out[0].startswith(str(tmp_path / "installed"))
    assert int(out[1]) == len(kb) > 0
