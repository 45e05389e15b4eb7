"""Shared fixtures: every store test runs against both stores.

The Neo4j side needs the test server (tools/neo4j-test-server, started by
``scripts/test``), reached through NEO4J_TEST_URI / NEO4J_TEST_PASSWORD.
Outside CI those tests skip with the reason; with CI=true they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from danvan.errors import DanvanError
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NEO4J_URI = os.environ.get("NEO4J_TEST_URI", "bolt://127.0.0.1:7687")
NEO4J_PASSWORD = os.environ.get("NEO4J_TEST_PASSWORD", "danvan-test-password")
CORPUS = Path(os.environ.get("DANVAN_CORPUS_DIR",
                             Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))


def need(reason: str) -> None:
    """Skip outside CI; fail in CI, where nothing may skip."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Store]:
    """One connection to the Neo4j test server for the whole session."""
    from danvan.graph.neo4j_store import Neo4jStore

    try:
        store = Neo4jStore(NEO4J_URI, "neo4j", NEO4J_PASSWORD)
    except DanvanError as exc:
        need(f"Neo4j test server not reachable at {NEO4J_URI} ({exc}); "
             "run scripts/test, which starts it")
    yield store
    store.close()


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each kind."""
    if request.param == "embedded":
        s = EmbeddedStore(tmp_path / "data")
        yield s
        s.close()
    else:
        s = request.getfixturevalue("neo4j_server")
        s.clear()
        yield s


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The five source documents beside the checkout."""
    if not CORPUS.is_dir():
        need(f"corpus not found at {CORPUS}")
    return CORPUS
