"""Neo4j frozen or down: pages answer 503 within ~2 s, fail at once while it stays down, and
recover by themselves when it is back.

The store reaches the real Neo4j test server through a TCP relay the test
controls: *frozen* keeps every connection open and accepts new ones but passes
nothing on (what a stopped JVM — ``kill -STOP`` — or a dead link looks like to a
client), *down* refuses connections and drops the open ones (a stopped server),
*up* relays again. One test stops the test server's JVM itself (``kill -STOP``,
then ``kill -CONT``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import NEO4J_PASSWORD, NEO4J_URI, need

from danvan.api.app import create_app
from danvan.config import Settings
from danvan.errors import DanvanError
from danvan.graph.store import Store

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

LONG_ROWS = 30_000_000  # a read of a few seconds on the test server
FAST = 2.5  # seconds: a page must have answered by then (1 s of waiting + a 1 s probe)


class Relay:
    """A TCP relay to ``target`` that can be frozen, taken down and brought up again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode = "up"
        self.socks: list[socket.socket] = []
        self.lock = threading.Lock()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.listener: socket.socket | None = None
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.socks += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _hold(self) -> None:
        while self.mode == "frozen":
            time.sleep(0.01)

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                self._hold()
                data = src.recv(65536)
                if not data:
                    break
                self._hold()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()

    def freeze(self) -> None:
        self.mode = "frozen"

    def down(self) -> None:
        self.mode = "down"
        with self.lock:
            socks, self.socks = self.socks, []
        if self.listener is not None:  # shut down first: close alone leaves accept() listening
            socks.append(self.listener)
            self.listener = None
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def up(self) -> None:
        if self.listener is None:
            self._listen()
        self.mode = "up"


@pytest.fixture
def relay(neo4j_server: Store) -> Iterator[Relay]:
    target = urlparse(NEO4J_URI)
    r = Relay((target.hostname or "127.0.0.1", target.port or 7687))
    yield r
    r.up()
    r.down()


@pytest.fixture
def relayed(relay: Relay) -> Iterator[Store]:
    from danvan.graph.neo4j_store import Neo4jStore

    store = Neo4jStore(f"bolt://127.0.0.1:{relay.port}", "neo4j", NEO4J_PASSWORD)
    yield store
    store.close()


@pytest.fixture
def client(relayed: Store) -> Iterator[TestClient]:
    with TestClient(create_app(relayed, Settings()), raise_server_exceptions=False) as c:
        yield c


PATHS = ["/api/v1/search?q=dak+ruong", "/phan-cong"]


def _timed(client: TestClient, path: str) -> tuple[int, float]:
    started = time.monotonic()
    status = client.get(path).status_code
    return status, time.monotonic() - started


def _recovers(client: TestClient, path: str, within: float = 15.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if client.get(path).status_code == 200:
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"{path} did not recover within {within} s")


@pytest.mark.parametrize("path", PATHS)
def test_a_frozen_server_gives_503_fast_then_recovers(relay: Relay, client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200
    relay.freeze()
    status, took = _timed(client, path)
    assert status == 503 and took < FAST, (status, took)
    status, took = _timed(client, path)  # known down: no waiting at all
    assert status == 503 and took < 0.5, (status, took)
    relay.up()
    assert _recovers(client, path) < 10


@pytest.mark.parametrize("path", PATHS)
def test_a_stopped_server_gives_503_fast_then_recovers(relay: Relay, client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200
    relay.down()
    for _ in range(3):
        status, took = _timed(client, path)
        assert status == 503 and took < FAST, (status, took)
    relay.up()
    assert _recovers(client, path) < 10


def test_the_503_says_the_store_is_unavailable(relay: Relay, client: TestClient) -> None:
    relay.down()
    response = client.get("/api/v1/search?q=dak+ruong")
    assert response.status_code == 503
    assert response.json()["type"].endswith("store-unavailable")
    assert "Retry-After" in response.headers


def test_a_long_query_on_a_live_server_is_not_cut_short(relayed: Store) -> None:
    # Longer than the wait before a probe: the server answers the probe, the read goes on.
    started = time.monotonic()
    rows = relayed.read("UNWIND range(1, $n) AS i WITH i WHERE i % 7 = 0 RETURN count(i) AS n",
                        n=LONG_ROWS)
    assert rows == [{"n": LONG_ROWS // 7}]
    assert time.monotonic() - started > relayed.health.slow  # type: ignore[attr-defined]


def test_writes_fail_fast_while_the_server_is_down(relay: Relay, relayed: Store) -> None:
    relay.down()
    with pytest.raises(DanvanError):
        relayed.counts()
    started = time.monotonic()
    with pytest.raises(DanvanError):
        relayed.write([relayed.schema.node("Province", name="Tỉnh Thử", code="99")])
    assert time.monotonic() - started < 0.5


def _server_pid() -> int:
    """The pid of the Neo4j test server tools/neo4j-test-server/run.sh started for NEO4J_TEST_URI."""
    state = Path(os.environ.get("NEO4J_TEST_STATE_DIR")
                 or Path(os.environ.get("TMPDIR", "/tmp")) / "danvan-neo4j-test")
    try:
        pid = int((state / "neo4j.pid").read_text().split()[0])
        port = int((state / "neo4j.port").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        need(f"no Neo4j test server started by run.sh in {state} (set NEO4J_TEST_STATE_DIR)")
    if port != (urlparse(NEO4J_URI).port or 7687):
        need(f"the server in {state} listens on {port}, not on {NEO4J_URI}")
    return pid


def test_a_really_stopped_jvm_gives_503_fast_then_recovers(neo4j_server: Store) -> None:
    # kill -STOP on the test server itself: connections stay open, nothing answers.
    from danvan.graph.neo4j_store import Neo4jStore

    pid = _server_pid()
    store = Neo4jStore(NEO4J_URI, "neo4j", NEO4J_PASSWORD)
    try:
        with TestClient(create_app(store, Settings()), raise_server_exceptions=False) as client:
            path = "/api/v1/search?q=dak+ruong"
            assert client.get(path).status_code == 200
            os.kill(pid, signal.SIGSTOP)
            try:
                status, took = _timed(client, path)
                assert status == 503 and took < FAST, (status, took)
                status, took = _timed(client, path)
                assert status == 503 and took < 0.5, (status, took)
            finally:
                os.kill(pid, signal.SIGCONT)
            assert _recovers(client, path) < 10
    finally:
        store.close()
