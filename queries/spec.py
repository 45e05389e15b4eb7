"""What a catalogued query is: its parameters (checked once, for every caller) and its fetches.

>>> Param("limit", type="int", default=10, maximum=50).convert("search", "20")
20
>>> MAP_PARAM.convert("coverage", None)
'2025'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from danvan.errors import ValidationError
from danvan.text import nfc

__all__ = ["MAP_PARAM", "MAX_DEPTH", "MAX_LIMIT", "Param", "QuerySpec"]

MAX_LIMIT = 1000
MAX_DEPTH = 4


@dataclass(frozen=True)
class Param:
    """One parameter: its type (str, int, bool, date, list), default and bounds."""

    name: str
    type: str = "str"
    default: Any = None
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] | None = None
    required: bool = False

    def convert(self, query_name: str, value: Any) -> Any:
        """Check and convert one value (strings from HTTP or the CLI are accepted)."""
        where = f"query {query_name}"
        if value is None or value == "":
            if self.required:
                raise ValidationError(where, self.name, "is required")
            return self.default
        try:
            if self.type == "int":
                value = int(value)
                if self.minimum is not None and value < self.minimum:
                    raise ValidationError(where, self.name, f"must be ≥ {self.minimum}")
                if self.maximum is not None and value > self.maximum:
                    raise ValidationError(where, self.name, f"must be ≤ {self.maximum}")
            elif self.type == "bool":
                if isinstance(value, str):
                    if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                        raise ValueError(value)
                    value = value.lower() in ("true", "1", "yes")
                value = bool(value)
            elif self.type == "date":
                value = dt.date.fromisoformat(str(value)).isoformat()
            elif self.type == "list":
                items = value.split(",") if isinstance(value, str) else list(value)
                value = [nfc(str(v)).strip() for v in items if str(v).strip()]
            else:
                value = nfc(str(value)).strip()
                if len(value) > 200:
                    raise ValidationError(where, self.name, "is longer than 200 characters")
        except (TypeError, ValueError):
            raise ValidationError(where, self.name, f"expected {self.type}, got {value!r}") from None
        if self.choices is not None:
            values = value if isinstance(value, list) else [value]
            for v in values:
                if v not in self.choices:
                    raise ValidationError(where, self.name, f"{v!r} is not one of "
                                          f"{', '.join(self.choices)}")
        return value


# The administrative map places are named, grouped and shown in (see danvan.queries.maps).
MAP_PARAM = Param("map", default="2025", choices=("2025", "legacy"),
                  help="bản đồ hành chính: 2025 (sau sáp nhập 1/7/2025, mặc định) "
                       "hoặc legacy (trước sáp nhập, để xem lịch sử)")


@dataclass(frozen=True)
class QuerySpec:
    """A catalogued question: its description, and one fetch per backend.

    ``embedded`` is called with an ``EmbeddedSnapshot`` and ``neo4j`` with a
    ``Neo4jReader`` (graph/reading.py), each with the checked parameters. A query
    that reads only through what both handles offer (``names``, ``area``,
    ``get_many``…, each written per backend in graph/) gives one ``fetch`` instead.
    ``shape``, when given, turns the fetch's result into the answer (shared code).
    """

    name: str
    title: str
    description: str
    params: Sequence[Param]
    example: dict[str, Any]
    embedded: Callable[..., Any] | None = None
    neo4j: Callable[..., Any] | None = None
    fetch: Callable[..., Any] | None = None
    shape: Callable[..., Any] | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if (self.fetch is None) == (self.embedded is not None and self.neo4j is not None):
            return
        raise TypeError(f"query {self.name}: give embedded= and neo4j=, or one fetch=")

    def fetchers(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """(embedded fetch, Neo4j fetch)."""
        if self.fetch is not None:
            return self.fetch, self.fetch
        assert self.embedded is not None and self.neo4j is not None  # __post_init__
        return self.embedded, self.neo4j

    def convert(self, params: dict[str, Any]) -> dict[str, Any]:
        """Checked parameters with defaults filled in; unknown names are refused."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ValidationError(f"query {self.name}", unknown[0], "unknown parameter")
        return {name: p.convert(self.name, params.get(name)) for name, p in known.items()}
