"""search — find anything by name, accent- and case-insensitive and typo-tolerant.

"dak ruong", "Đăk Rưởng" and "DAK RUONG" all find xã Đăk Ruồng. Scores: 100
for an exact name or alias, 95 when a name starts with the words, 92 when a word
of it does, 90 when it contains them, 89.5 when every word appears somewhere among
its names and aliases ("hoi lhpn kon ray"), else the fuzzy similarity (70 to 89).

>>> rank_rows([], "x", None, 5)
[]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

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


def _contained_score(key: str, q: str) -> float:
    """Score of a key that contains ``q``: 100 exact, 95 prefix, 92 a word's prefix, else 90."""
    if key == q:
        return 100.0
    if key.startswith(q):
        return 95.0
    if any(word.startswith(q) for word in key.split(" ")):
        return 92.0
    return 90.0


def rank_rows(rows: Sequence[NameRow], text: str, types: list[str] | None,
              limit: int) -> list[dict[str, Any]]:
    """Score every row against ``text`` and return the best, best first.

    A key containing the words scores 90–100 (89.5 when the words are spread over a
    row's names and aliases, in any order); other keys score
    min(89, max(ratio, partial_ratio − 5)) and count from 70. The fuzzy pass runs
    in rapidfuzz's C loops, and only when the containing matches do not already
    fill the page.
    """
    q = fold(text)
    if not q:
        return []
    rows = [r for r in rows if not types or r.label in types]
    owner: list[int] = []
    keys: list[str] = []
    for i, row in enumerate(rows):
        owner.extend([i] * len(row.keys))
        keys.extend(row.keys)
    best: dict[int, float] = {}
    for pos, key in enumerate(keys):
        if q in key:
            i = owner[pos]
            best[i] = max(best.get(i, 0.0), _contained_score(key, q))
    words = q.split(" ")
    if len(words) > 1:  # "hoi lhpn kon ray": every word in the row's names and aliases, any order
        for i, row in enumerate(rows):
            if best.get(i, 0.0) < 89.5 and all(w in " ".join(row.keys) for w in words):
                best[i] = 89.5
    if len(best) < limit:
        fuzzy: dict[int, float] = {}
        for _, score, pos in process.extract(q, keys, scorer=fuzz.ratio, score_cutoff=70,
                                             limit=None):
            fuzzy[pos] = score
        for _, score, pos in process.extract(q, keys, scorer=fuzz.partial_ratio,
                                             score_cutoff=75, limit=None):
            fuzzy[pos] = max(fuzzy.get(pos, 0.0), score - 5)
        for pos, score in fuzzy.items():
            i = owner[pos]
            if i not in best or best[i] < 90:
                best[i] = max(best.get(i, 0.0), min(89.0, score))
    found = sorted(((s, rows[i]) for i, s in best.items()),
                   key=lambda sr: (-sr[0], _ORDER.get(sr[1].label, 99), sr[1].name, sr[1].id))
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
