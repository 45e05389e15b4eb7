"""search — find anything by name, accent- and case-insensitive and typo-tolerant.

"dak ruong", "Đăk Rưởng" and "DAK RUONG" all find xã Đăk Ruồng. Scores: 100
for an exact name or alias, 95 when a name starts with the words, 90 when it
contains them, else the fuzzy similarity (at least 70).

>>> rank_rows([], "x", None, 5)
[]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from danvan.graph.schema import load_schema
from danvan.queries.base import NameRow, names
from danvan.queries.catalogue import Param, QuerySpec, query
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["SEARCHABLE", "rank_rows"]

SEARCHABLE = ("Province", "District", "Commune", "Village", "PartyBody", "Unit", "Directive",
              "Campaign", "Model", "Person", "Event", "Source")
# Equal scores: places and organisations before documents and people.
_ORDER = {label: i for i, label in enumerate(SEARCHABLE)}


def _score(key: str, q: str) -> float:
    if key == q:
        return 100.0
    if key.startswith(q) or any(word.startswith(q) for word in key.split(" ") if q):
        return 95.0 if key.startswith(q) else 92.0
    if q in key:
        return 90.0
    return min(89.0, max(fuzz.ratio(q, key), fuzz.partial_ratio(q, key) - 5))


def rank_rows(rows: Sequence[NameRow], text: str, types: list[str] | None,
              limit: int) -> list[dict[str, Any]]:
    """Score every row against ``text`` and return the best, best first."""
    q = fold(text)
    if not q:
        return []
    found = []
    for row in rows:
        if types and row.label not in types:
            continue
        score = max((_score(k, q) for k in row.keys), default=0.0)
        if score >= 70:
            found.append((score, row))
    found.sort(key=lambda sr: (-sr[0], _ORDER.get(sr[1].label, 99), sr[1].name, sr[1].id))
    return [{"id": r.id, "type": r.label, "name": r.name, "score": round(s, 1)}
            for s, r in found[:limit]]


def _run(store: Store, q: str, type: list[str] | None, limit: int) -> dict[str, Any]:
    return {"items": rank_rows(names(store, type or SEARCHABLE), q, type, limit)}


query(QuerySpec(
    name="search",
    title="Tìm kiếm",
    description="Search every entity by name, alias or number, without regard to accents, case "
                "or small typos; ranked, filterable by type.",
    params=(Param("q", required=True, help="từ khóa"),
            Param("type", "list", choices=tuple(load_schema().labels),
                  help="loại: Village, Commune, Unit, Directive…"),
            Param("limit", "int", 20, minimum=1, maximum=200)),
    example={"q": "dak ruong"}, embedded=_run, neo4j=_run, tags=("search",),
))
