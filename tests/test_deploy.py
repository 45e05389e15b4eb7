"""The production files: docker-compose.yml and the Dockerfile say what the README promises."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import need

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))


def test_neo4j_service_is_community_5_26_with_a_healthcheck_and_named_volumes(compose: dict) -> None:
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"].startswith("neo4j:5.26")
    assert "test" in neo4j["healthcheck"]
    for mount in neo4j["volumes"]:
        assert mount.split(":")[0] in compose["volumes"]
    assert "NEO4J_PASSWORD" in neo4j["environment"]["NEO4J_AUTH"]


def test_api_waits_for_a_healthy_neo4j_and_serves_the_neo4j_store(compose: dict) -> None:
    api = compose["services"]["api"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["DANVAN_STORE"] == "neo4j"
    assert api["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert api["build"] == "."
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert '"--store", "neo4j"' in dockerfile


def test_the_dockerfile_copies_every_package_the_project_installs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    for folder in ("danvan", "graph", "loaders", "queries", "api", "visualisations"):
        assert f"COPY {folder} {folder}" in dockerfile
        assert f'"{folder}"' in pyproject


def test_docker_compose_accepts_the_file() -> None:
    if shutil.which("docker-compose") is None:
        need("docker-compose (Debian package) is not installed")
    result = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config",
                             "-q"], env={"NEO4J_PASSWORD": "example-password", "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
