"""Failing fast while Neo4j is down or frozen: bounded reads, a probe and a circuit breaker.

The driver bounds connecting, but not waiting for an answer: a pooled connection
to a server that stopped answering (a frozen JVM, a dropped link) waits forever,
and a stopped server made every read retry for 15 s. :class:`Health` adds:

* **bounded reads** — :meth:`Health.run` runs a read in a worker thread; when it
  has not answered after ``slow`` seconds, :meth:`Health.answers` asks the server
  on a new connection (its handshake bounded by ``probe_timeout``). A server that
  does not answer fails the read with :class:`StoreUnavailable`; one that does
  (a long query) is left to finish, and asked again every ``slow`` seconds.
* **a circuit breaker** — a failure marks the server down for ``cool_down``
  seconds, during which every call fails at once (:meth:`Health.check`); the
  first call after that probes, and a server that answers again closes the
  breaker: recovery needs nobody.

A worker left waiting on a frozen server returns to the pool when the server
wakes up or its connection breaks; meanwhile the breaker keeps new reads off it.

>>> h = Health("bolt://127.0.0.1:1", ("neo4j", ""), probe_timeout=0.5)
>>> h.check()  # nothing known against the server yet
>>> h.trip("connection refused")
>>> try:
...     h.check()
... except StoreUnavailable as exc:
...     print(str(exc).split(";")[0])
Neo4j at bolt://127.0.0.1:1 is unavailable (connection refused)
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as nx_errors

from danvan.errors import StoreUnavailable

__all__ = ["Health"]

T = TypeVar("T")

SLOW = 1.0  # seconds a read may take before the server is asked whether it answers at all
PROBE_TIMEOUT = 1.0  # seconds a probe waits for a new connection's handshake
COOL_DOWN = 3.0  # seconds calls fail at once after a failure, before the next probe
WORKERS = 64  # reads in flight at once (the API serves up to 32 requests at a time)


class _DaemonPool:
    """Worker threads that never hold the process open.

    ``ThreadPoolExecutor`` joins its workers at exit, so a read stuck on a frozen
    server kept ``danvan info`` from exiting after it had reported the failure;
    no standard pool offers daemon workers, hence these few lines.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._jobs: queue.SimpleQueue[tuple[concurrent.futures.Future[Any], Callable[..., Any],
                                            tuple[Any, ...]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((future, fn, args))
        with self._lock:
            if self._idle == 0 and self._threads < self._size:
                self._threads += 1
                threading.Thread(target=self._work, name=f"danvan-neo4j-read-{self._threads}",
                                 daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            future, fn, args = self._jobs.get()
            with self._lock:
                self._idle -= 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the caller, who re-raises it
                future.set_exception(exc)


class Health:
    """Whether a Neo4j server answers, remembered; see the module docstring."""

    def __init__(self, uri: str, auth: tuple[str, str], slow: float = SLOW,
                 probe_timeout: float = PROBE_TIMEOUT, cool_down: float = COOL_DOWN) -> None:
        self.uri, self.auth = uri, auth
        self.slow, self.probe_timeout, self.cool_down = slow, probe_timeout, cool_down
        self._lock = threading.Lock()
        self._down_until: float | None = None
        self._reason = ""
        self._probing = False
        self._pool: _DaemonPool | None = None

    # the breaker ------------------------------------------------------------------------
    def _unavailable(self) -> StoreUnavailable:
        return StoreUnavailable(f"Neo4j at {self.uri} is unavailable ({self._reason}); "
                                f"retried automatically every {self.cool_down:g} s")

    def trip(self, reason: str) -> None:
        """Mark the server down for ``cool_down`` seconds."""
        with self._lock:
            self._down_until = time.monotonic() + self.cool_down
            self._reason = reason

    def check(self) -> None:
        """Return if the server may be used; raise StoreUnavailable at once while it is
        known down. After the cool-down, one caller probes (the others still fail fast)."""
        with self._lock:
            if self._down_until is None:
                return
            if time.monotonic() < self._down_until or self._probing:
                raise self._unavailable()
            self._probing = True
        try:
            ok = self.answers()
        finally:
            with self._lock:
                self._probing = False
        if not ok:
            self.trip(self._reason)
            raise self._unavailable()
        with self._lock:
            self._down_until = None

    def answers(self) -> bool:
        """True when the server completes a new connection within ``probe_timeout``."""
        try:
            with neo4j.GraphDatabase.driver(self.uri, auth=self.auth,
                                            connection_timeout=self.probe_timeout,
                                            connection_acquisition_timeout=self.probe_timeout,
                                            max_connection_pool_size=1) as driver:
                driver.verify_connectivity()
        except nx_errors.AuthError:
            return True  # it answered (refusing the credentials is another error, reported as such)
        except (nx_errors.DriverError, nx_errors.Neo4jError, OSError):
            return False
        return True

    # bounded calls ------------------------------------------------------------------------
    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread, given up (StoreUnavailable, breaker tripped) when
        it is slow and the server does not answer a probe."""
        with self._lock:
            if self._pool is None:
                self._pool = _DaemonPool(WORKERS)
            pool = self._pool
        future = pool.submit(fn, *args)
        while True:
            try:
                return future.result(timeout=self.slow)
            except concurrent.futures.TimeoutError:
                if not self.answers():
                    self.trip(f"no answer within {self.slow + self.probe_timeout:g} s: "
                              "frozen or unreachable")
                    raise self._unavailable() from None

    def close(self) -> None:
        """Forget the workers: idle ones wait (daemon threads, gone at exit); a read still
        in flight ends with its connection."""
        with self._lock:
            self._pool = None
