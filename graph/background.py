"""Jobs run in order by a thread of their own, while the calling thread goes on.

SQLite does its work without Python's GIL, so the statements of a bulk write,
handed to a :class:`Background`, overlap the Python work that follows them (the
embedded store plans its edges and builds its in-memory graph meanwhile). Once a
job fails, the jobs after it are skipped; :meth:`Background.finish` waits for
the thread and returns that error. Written here because the standard library's
executors keep going after a failure and hand each error back on its own future.

>>> import sqlite3
>>> db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
>>> jobs = Background()
>>> jobs.submit(db.execute, "CREATE TABLE t (x)")
>>> jobs.submit(db.execute, "INSERT INTO t SELECT value FROM json_each(?)", ("[1, 2]",))
>>> jobs.submit(db.execute, "INSERT INTO nowhere VALUES (1)")  # fails: what follows is skipped
>>> jobs.submit(db.execute, "INSERT INTO t VALUES (3)")
>>> jobs.finish(), db.execute("SELECT sum(x) FROM t").fetchone()
(OperationalError('no such table: nowhere'), (3,))
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Background"]


class Background:
    """A thread that runs the jobs it is given, in order, until :meth:`finish`."""

    def __init__(self, name: str = "danvan-background") -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue())
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` after the jobs already given (skipped if one of them failed)."""
        self._jobs.put((fn, args))

    def finish(self) -> BaseException | None:
        """Wait until every job has run; the error of the one that failed, if any."""
        self._jobs.put(None)
        self._thread.join()
        return self.error

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self.error is None:
                fn, args = job
                try:
                    fn(*args)
                except BaseException as exc:  # handed to the caller by finish()
                    self.error = exc
