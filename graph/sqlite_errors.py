"""SQLite's errors in words a person can act on: which file or folder, and why.

SQLite says "unable to open database file", "database or disk is full" or
"database disk image is malformed"; the embedded store raises these instead:

* a full disk → :class:`StorageFull` naming the folder (nothing was written);
* a damaged file → StoreError naming it and how to rebuild it;
* a folder it cannot write (read-only mount, permissions) → StoreError naming the
  folder and the system's reason, found by trying to create a file there.

>>> err = sqlite3.OperationalError("database or disk is full")
>>> err.sqlite_errorname = "SQLITE_FULL"
>>> print(explain(err, "/data/danvan.sqlite3"))
the disk holding /data is full (database or disk is full); free some space and try again — nothing was written
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from danvan.errors import StorageFull, StoreError

__all__ = ["explain", "translated", "why_not_writable"]

_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_NOT_WRITABLE = ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM")


def why_not_writable(folder: Path) -> str | None:
    """The system's reason a file cannot be created in ``folder`` (None: it can)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as exc:
        return exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))


def explain(exc: sqlite3.Error, path: str) -> StoreError:
    """The StoreError to raise for SQLite's ``exc`` on the database file ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    folder = Path(path).parent
    if name.startswith("SQLITE_FULL") or "disk is full" in str(exc):
        return StorageFull(f"the disk holding {folder} is full ({exc}); free some space and try "
                           "again — nothing was written")
    if name.startswith(_DAMAGED) or "malformed" in str(exc) or "not a database" in str(exc):
        return StoreError(f"the database file {path} is damaged ({exc}); restore it from a backup, "
                          "or move it aside and run `danvan load` to build a new one")
    if name.startswith(_NOT_WRITABLE) or "readonly" in str(exc) or "unable to open" in str(exc):
        why = why_not_writable(folder) if folder.is_dir() else "the folder does not exist"
        if why is not None or (not os.access(path, os.W_OK) and os.path.exists(path)):
            reason = why or "the database file is read-only"
            return StoreError(f"cannot write to the data folder {folder} ({reason}; SQLite said: {exc}); "
                              "danvan keeps its database and journal there: make the folder writable, "
                              "or choose another with --data-dir or DANVAN_DATA_DIR")
    return StoreError(f"{path}: {exc}")


@contextlib.contextmanager
def translated(path: str) -> Iterator[None]:
    """Turn SQLite errors raised inside the block into :func:`explain`'s StoreErrors."""
    try:
        yield
    except sqlite3.Error as exc:
        raise explain(exc, path) from exc
