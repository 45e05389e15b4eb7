"""danvan's own exceptions; lower libraries' errors are translated into these.

    DanvanError
    ├── ConfigError            bad settings or command-line values
    ├── SchemaError            the schema declaration itself is invalid
    ├── ValidationError        a write breaks the schema (names the field)
    │   └── MissingNodeError   an edge or reference points at no node
    ├── NotFoundError          an id or name that matches nothing
    ├── AmbiguousError         a name that matches several entities (has candidates)
    ├── StoreError             the store failed
    │   ├── StoreUnavailable   cannot reach the store (e.g. Neo4j not listening)
    │   ├── StorageFull        the store's disk is full (nothing was written)
    │   └── AuthError          the store refused the credentials
    └── LoadError              a data file or document could not be loaded (names file/line)

>>> try:
...     raise ValidationError("Village", "name", "is required")
... except DanvanError as exc:
...     print(exc)
Village.name: is required
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AmbiguousError",
    "AuthError",
    "ConfigError",
    "DanvanError",
    "LoadError",
    "MissingNodeError",
    "NotFoundError",
    "SchemaError",
    "StorageFull",
    "StoreError",
    "StoreUnavailable",
    "ValidationError",
]


class DanvanError(Exception):
    """Base of every error danvan raises on purpose."""


class ConfigError(DanvanError):
    """A setting, environment variable or command-line value is wrong."""


class SchemaError(DanvanError):
    """The schema declaration (graph/schema.yaml) is invalid."""


class ValidationError(DanvanError):
    """A node or edge breaks the schema; ``field`` names what is wrong."""

    def __init__(self, where: str, field: str | None, reason: str) -> None:
        self.where = where
        self.field = field
        self.reason = reason
        super().__init__(f"{where}.{field}: {reason}" if field else f"{where}: {reason}")


class MissingNodeError(ValidationError):
    """An edge or reference names a node id that does not exist."""


class NotFoundError(DanvanError):
    """Nothing matches the given id or name."""


class AmbiguousError(DanvanError):
    """A name matches several entities; ``candidates`` lists them."""

    def __init__(self, message: str, candidates: list[dict[str, Any]]) -> None:
        self.candidates = candidates
        super().__init__(message)


class StoreError(DanvanError):
    """The store failed to do what was asked."""


class StoreUnavailable(StoreError):
    """The store cannot be reached."""


class StorageFull(StoreError):
    """The disk the store writes to is full; the write was rolled back."""


class AuthError(StoreError):
    """The store refused the credentials."""


class LoadError(DanvanError):
    """A file could not be loaded; the message names the file and line."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")
