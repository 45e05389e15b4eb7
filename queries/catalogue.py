"""The catalogue of named questions, and the one way to run one: :func:`run`.

Every caller — the API, the pages, the CLI, the tests — runs a query by name
here. Parameters are checked and converted once (``QuerySpec.convert``), the
store opens its read handle (graph/reading.py), and the handle picks the fetch
written for its backend. The query modules are listed explicitly below; none
registers itself on import.

>>> [name for name in CATALOGUE][:3]  # in the order the API and CLI list them
['assignments', 'assignment_sheet', 'search']
>>> from danvan.graph.embedded import EmbeddedStore
>>> run(EmbeddedStore(":memory:"), "search", q="Kon Rẫy")["items"]
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from danvan.errors import ValidationError
from danvan.queries import (
    assignments,
    communes,
    coverage,
    figures,
    graphs,
    lineage,
    links,
    listings,
    lookup,
    overview,
    profiles,
    search,
    subgraphs,
)
from danvan.queries.spec import MAP_PARAM, MAX_DEPTH, MAX_LIMIT, Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["CATALOGUE", "MAP_PARAM", "MAX_DEPTH", "MAX_LIMIT", "Param", "QuerySpec", "get",
           "parse_cli_params", "run"]

# The order questions are listed in (API index, CLI help, docs).
_MODULES = (assignments, search, coverage, profiles, lineage, graphs, figures, listings,
            overview, communes, lookup, links, subgraphs)

CATALOGUE: dict[str, QuerySpec] = {spec.name: spec for module in _MODULES for spec in module.QUERIES}


def run(store: Store, name: str, /, **params: Any) -> Any:
    """Run catalogued query ``name`` on ``store`` with checked parameters.

    The whole run reads one consistent state: the embedded store's lock is held,
    and a Neo4j run is repeated if the database moved under cached name keys.
    """
    spec = get(name)
    checked = spec.convert(params)
    with store.reading() as handle:
        result = handle.fetch(*spec.fetchers(), **checked)
        return result if spec.shape is None else spec.shape(result, **checked)


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
