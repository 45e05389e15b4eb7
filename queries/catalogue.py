"""The catalogue of named questions: parameters, documentation and one implementation per store.

A query is data (name, Vietnamese title, description, parameters, example) plus
two functions, one for the embedded store and one for Neo4j. Parameters are
checked and converted here, once, so both implementations receive the same
values and the API and CLI report the same errors.

>>> sorted(CATALOGUE)[:3]
['assignments', 'coverage', 'directive_lineage']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from danvan.errors import ValidationError
from danvan.text import nfc

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["CATALOGUE", "MAP_PARAM", "Param", "QuerySpec", "parse_cli_params", "query", "run"]

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
    """A catalogued question with its two implementations."""

    name: str
    title: str
    description: str
    params: Sequence[Param]
    example: dict[str, Any]
    embedded: Callable[..., Any]
    neo4j: Callable[..., Any]
    tags: tuple[str, ...] = field(default_factory=tuple)

    def convert(self, params: dict[str, Any]) -> dict[str, Any]:
        """Checked parameters with defaults filled in; unknown names are refused."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ValidationError(f"query {self.name}", unknown[0], "unknown parameter")
        return {name: p.convert(self.name, params.get(name)) for name, p in known.items()}


CATALOGUE: dict[str, QuerySpec] = {}
_MODULES = ("assignments", "search", "coverage", "profiles", "lineage", "graphs", "figures",
            "listings", "communes", "overview", "lookup")


def query(spec: QuerySpec) -> QuerySpec:
    """Register a query (used at import time by the query modules).

    The Neo4j implementation is wrapped by :func:`danvan.queries.base.consistent`, so it
    may use cached name keys without first reading the database's change token.
    """
    from danvan.queries.base import consistent

    spec = dataclasses.replace(spec, neo4j=consistent(spec.neo4j))
    CATALOGUE[spec.name] = spec
    return spec


def _load_all() -> None:
    for module in _MODULES:
        try:
            importlib.import_module(f"danvan.queries.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"danvan.queries.{module}":
                raise


def run(store: Store, name: str, /, **params: Any) -> Any:
    """Run catalogued query ``name`` on ``store`` with checked parameters."""
    spec = get(name)
    checked = spec.convert(params)
    impl = spec.neo4j if store.kind == "neo4j" else spec.embedded
    return impl(store, **checked)


def get(name: str) -> QuerySpec:
    """The spec of query ``name``; ValidationError naming it if there is none."""
    if name not in CATALOGUE:
        raise ValidationError("query", "name", f"no query named {name!r}; "
                              f"known: {', '.join(sorted(CATALOGUE))}")
    return CATALOGUE[name]


def parse_cli_params(name: str, args: list[str]) -> dict[str, Any]:
    """``["--plan", "133-KH/TU", "--limit", "5"]`` → ``{"plan": "133-KH/TU", "limit": "5"}``."""
    spec = get(name)
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise ValidationError(f"query {name}", arg, "expected --parameter value")
        key = arg[2:].replace("-", "_")
        if "=" in key:
            key, value = key.split("=", 1)
            i += 1
        elif i + 1 < len(args) and not args[i + 1].startswith("--"):
            value = args[i + 1]
            i += 2
        else:
            value, i = "true", i + 1
        out[key] = value
    spec.convert(out)
    return out


_load_all()
