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
from danvan.queries.base import NameRow, RowsCache, TextIndex
from danvan.queries.spec import Param, QuerySpec
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.reading import Readable

__all__ = ["SEARCHABLE", "SearchIndex", "fuzzy_scores", "rank_rows", "search_index"]

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


def fuzzy_scores(q: str, choices: Sequence[str]) -> dict[int, float]:
    """``{position: score}`` of the choices near ``q``: ratio ≥ 70, or partial_ratio ≥ 75 less 5.

    >>> fuzzy_scores("dak ruong", ["dak ruong", "xa dak ruong", "kon ray"])
    {0: 100.0, 1: 95.0}
    """
    found: dict[int, float] = {}
    for _, score, pos in process.extract(q, choices, scorer=fuzz.ratio, score_cutoff=70, limit=None):
        found[pos] = score
    for _, score, pos in process.extract(q, choices, scorer=fuzz.partial_ratio, score_cutoff=75,
                                         limit=None):
        found[pos] = max(found.get(pos, 0.0), score - 5)
    return found


def rank_rows(rows: Sequence[NameRow], text: str, types: list[str] | None,
              limit: int) -> list[dict[str, Any]]:
    """Score every row against ``text`` and return the best, best first.

    A key containing the words scores 90–100 (89.5 when the words are spread over a
    row's names and aliases, in any order); other keys score
    min(89, max(ratio, partial_ratio − 5)) and count from 70. The fuzzy pass runs
    in rapidfuzz's C loops, and only when the containing matches do not already
    fill the page.

    This is the definition; the search query gives the same answers faster through
    :class:`SearchIndex` (tests check that they agree).
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
        for pos, score in fuzzy_scores(q, keys).items():
            i = owner[pos]
            if i not in best or best[i] < 90:
                best[i] = max(best.get(i, 0.0), min(89.0, score))
    found = sorted(((s, rows[i]) for i, s in best.items()),
                   key=lambda sr: (-sr[0], _ORDER.get(sr[1].label, 99), sr[1].name, sr[1].id))
    return [{"id": r.id, "type": r.label, "name": r.name, "score": round(s, 1)}
            for s, r in found[:limit]]


# The index -------------------------------------------------------------------------------
_DIGITS = "0123456789"
_DIGIT_SET = frozenset(_DIGITS)
_MASK = str.maketrans(_DIGITS, "\0" * 10)


class SearchIndex:
    """:func:`rank_rows` without scoring every key: the same answers, kept per name-row tuple.

    * keys are scored once each, not once per row that has them;
    * keys containing the words are found in one ``str.find`` pass (:class:`TextIndex`);
    * the fuzzy pass scores keys with their digits masked: a character the query does not
      contain matches nothing, whichever it is, so "nuôi bò 123" and "nuôi bò 456" score
      alike and tens of thousands of numbered names collapse into a few thousand. Keys
      holding a digit the query has are scored one by one.
    """

    def __init__(self, rows: Sequence[NameRow]) -> None:
        self.rows = rows
        order = sorted(range(len(rows)), key=lambda i: (_ORDER.get(rows[i].label, 99),
                                                         rows[i].name, rows[i].id))
        self.order = order  # rank → row
        self.rank = [0] * len(rows)
        for position, i in enumerate(order):
            self.rank[i] = position
        by_key: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            for key in row.keys:
                by_key.setdefault(key, []).append(i)
        self.keys = list(by_key)
        self.key_rows: list[list[int]] = list(by_key.values())
        self.text = TextIndex((k, [key]) for k, key in enumerate(self.keys))
        masked: dict[str, list[int]] = {}  # masked key → keys
        self.digits: list[int] = []  # key → bit set of its digits
        self.with_digit: list[list[int]] = [[] for _ in _DIGITS]  # digit → keys holding it
        for k, key in enumerate(self.keys):
            present = _DIGIT_SET.intersection(key)
            bits = 0
            for digit in present:
                bits |= 1 << int(digit)
                self.with_digit[int(digit)].append(k)
            self.digits.append(bits)
            masked.setdefault(key.translate(_MASK) if present else key, []).append(k)
        self.masked = list(masked)
        self.members: list[list[int]] = list(masked.values())
        self.masked_text = TextIndex((m, [key]) for m, key in enumerate(self.masked))
        key_rows = self.key_rows
        self.group_rows = [key_rows[keys[0]] if len(keys) == 1 else
                           list({i for k in keys for i in key_rows[k]}) for keys in self.members]

    def _hits(self, w: str) -> list[tuple[str, list[int]]]:
        """(key, its rows) of the keys containing ``w`` — masked keys when ``w`` has no digit."""
        if any(c in w for c in _DIGITS) or "\0" in w:
            return [(self.keys[k], self.key_rows[k]) for k in self.text.containing(w)]
        return [(self.masked[m], self.group_rows[m]) for m in self.masked_text.containing(w)]

    def _fuzzy(self, q: str) -> list[tuple[float, list[int]]]:
        """(score, rows) of the keys with ratio ≥ 70 or partial_ratio ≥ 75 (that − 5)."""
        qbits = sum(1 << d for d, digit in enumerate(_DIGITS) if digit in q)
        masked = fuzzy_scores(q, self.masked)
        if not qbits:
            return [(s, self.group_rows[m]) for m, s in masked.items()]
        digits, key_rows = self.digits, self.key_rows
        out = [(s, key_rows[k]) for m, s in masked.items() for k in self.members[m]
               if not digits[k] & qbits]  # its digits are all ones the query lacks
        dirty = sorted({k for d in range(10) if qbits >> d & 1 for k in self.with_digit[d]})
        out += [(s, key_rows[dirty[pos]])
                for pos, s in fuzzy_scores(q, [self.keys[k] for k in dirty]).items()]
        return out

    def rank_rows(self, text: str, limit: int) -> list[dict[str, Any]]:
        """The answer of :func:`rank_rows` on ``self.rows`` (types already applied)."""
        q = fold(text)
        if not q:
            return []
        if "\0" in q:  # the mask character itself: score every key
            return rank_rows(self.rows, text, None, limit)
        # Rows by score, best first: each row in the bucket of its best score only.
        levels: dict[float, list[list[int]]] = {}
        for key, key_rows in self._hits(q):
            levels.setdefault(_contained_score(key, q), []).append(key_rows)
        buckets: list[tuple[float, set[int]]] = []
        placed: set[int] = set()
        for score in sorted(levels, reverse=True):
            found = set().union(*levels[score]) - placed
            placed |= found
            buckets.append((score, found))
        words = q.split(" ")
        if len(words) > 1:  # every word in some name or alias of the row (none has a space)
            every: set[int] | None = None
            for w in sorted({w for w in words if w}, key=len, reverse=True):
                found = set().union(*(key_rows for _, key_rows in self._hits(w)))
                every = found if every is None else every & found
                if not every:
                    break
            spread = (every or set()) - placed
            placed |= spread
            buckets.append((89.5, spread))
        fuzzy: dict[int, float] = {}
        if len(placed) < limit:
            for score, key_rows in self._fuzzy(q):
                for i in key_rows:
                    if score > fuzzy.get(i, 0.0) and i not in placed:
                        fuzzy[i] = score
        rows, rank, order = self.rows, self.rank, self.order
        top: list[tuple[int, float]] = []
        for score, found in buckets:
            if len(top) >= limit:
                break
            ranks = sorted(map(rank.__getitem__, found))[:limit - len(top)]
            top += [(order[r], score) for r in ranks]
        if len(top) < limit and fuzzy:  # fuzzy scores count up to 89
            by_score: dict[float, list[int]] = {}
            for i, score in fuzzy.items():
                by_score.setdefault(min(89.0, score), []).append(i)
            for score in sorted(by_score, reverse=True):
                if len(top) >= limit:
                    break
                ranks = sorted(map(rank.__getitem__, by_score[score]))[:limit - len(top)]
                top += [(order[r], score) for r in ranks]
        return [{"id": rows[i].id, "type": rows[i].label, "name": rows[i].name,
                 "score": round(s, 1)} for i, s in top]


_INDEXES = RowsCache(8)


def search_index(rows: Sequence[NameRow]) -> SearchIndex:
    """The index of ``rows``, built once while the same name-row tuple is handed out."""
    return _INDEXES.get(rows, SearchIndex)


def _fetch(handle: Readable, q: str, type: list[str] | None, limit: int) -> tuple[NameRow, ...]:
    return handle.names(type or SEARCHABLE)


def _rank(rows: tuple[NameRow, ...], q: str, type: list[str] | None, limit: int) -> dict[str, Any]:
    return {"items": search_index(rows).rank_rows(q, limit)}


SEARCH = QuerySpec(
    name="search",
    title="Tìm kiếm",
    description="Search every entity by name, alias or number, without regard to accents, case "
                "or small typos; ranked, filterable by type.",
    params=(Param("q", required=True, help="từ khóa"),
            Param("type", "list", choices=tuple(load_schema().labels),
                  help="loại: Village, Commune, Unit, Directive…"),
            Param("limit", "int", 20, minimum=1, maximum=200)),
    example={"q": "dak ruong"}, fetch=_fetch, shape=_rank, tags=("search",),
)
QUERIES = (SEARCH,)
