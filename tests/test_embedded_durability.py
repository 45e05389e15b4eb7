"""The embedded store on disk: kill -9 safety, and several processes sharing one data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.schema import load_schema

BASE = 50
BIG = 40_000

_WRITER = textwrap.dedent("""
    import sys
    from danvan.graph.embedded import EmbeddedStore
    from danvan.graph.schema import load_schema
    s = load_schema()
    store = EmbeddedStore(sys.argv[1])
    prefix, first, count, batches = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    size = count // batches
    for b in range(batches):
        nodes = [s.node("Province", name=f"{prefix} {i}", code=f"{prefix}{i}")
                 for i in range(first + b * size, first + (b + 1) * size)]
        print("WRITING", flush=True)
        store.write(nodes)
        print("DONE", flush=True)
""")


def run_writer(data: Path, prefix: str, first: int, count: int,
               batches: int = 1) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(data), prefix, str(first),
                             str(count), str(batches)], stdout=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.4, 1.2])
def test_kill_9_during_a_large_write_leaves_the_state_before_or_after(tmp_path: Path,
                                                                      delay: float) -> None:
    data = tmp_path / "data"
    with run_writer(data, "base", 0, BASE) as base:
        assert base.wait(timeout=60) == 0
    with run_writer(data, "big", 0, BIG) as big:
        assert big.stdout is not None
        assert big.stdout.readline().strip() == "WRITING"
        time.sleep(delay)
        os.kill(big.pid, signal.SIGKILL)
        big.wait(timeout=30)
    count = EmbeddedStore(data).counts()["nodes"]
    assert count in (BASE, BASE + BIG)


def test_an_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_writer(data, "ack", 0, 500) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(2)]
        assert lines == ["WRITING", "DONE"]
        proc.kill()
        proc.wait(timeout=30)
    assert EmbeddedStore(data).counts()["nodes"] == 500


def test_a_write_from_another_process_is_seen_on_the_next_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    reader = EmbeddedStore(data)
    assert reader.get("province-other1") is None
    with run_writer(data, "other", 0, 10) as proc:
        assert proc.wait(timeout=60) == 0
    node = reader.get("province-other1")
    assert node is not None and node.props["name"] == "other 1"
    assert reader.counts()["nodes"] == 10


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    EmbeddedStore(data).close()
    with run_writer(data, "a", 0, 2000, 20) as a, run_writer(data, "b", 0, 2000, 20) as b:
        assert a.wait(timeout=120) == 0 and b.wait(timeout=120) == 0
    store = EmbeddedStore(data)
    assert store.counts()["nodes"] == 4000
    assert store.get("province-a1999") is not None and store.get("province-b1999") is not None


def test_a_reader_sees_another_process_clearing_the_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    reader = EmbeddedStore(data)
    reader.write([load_schema().node("Province", name="x", code="1")])
    EmbeddedStore(data).clear()
    assert reader.counts()["nodes"] == 0
