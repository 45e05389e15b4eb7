"""Turn what a user typed (an id, a number, a name with or without accents) into node ids.

Exact matches (after folding accents and case) win; otherwise a typo-tolerant
match is accepted only when it is clearly the best. Several equally good
matches raise AmbiguousError with the candidates (HTTP 409).

>>> from danvan.graph.embedded import EmbeddedStore
>>> from danvan.graph.schema import load_schema
>>> store = EmbeddedStore(":memory:")
>>> _ = store.write([load_schema().node("Province", name="Tỉnh Kon Tum", code="62")])
>>> resolve(store, "tinh kon tum", ["Province"])
'province-62'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from danvan.errors import AmbiguousError, NotFoundError
from danvan.graph.schema import load_schema
from danvan.queries.base import NameRow, RowsCache
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.reading import Readable
    from danvan.graph.types import Node

__all__ = ["by_id", "by_id_text", "fuzzy_matches", "match_rows", "resolve", "resolve_many"]

FUZZY_MIN = 86.0
FUZZY_MARGIN = 4.0
# Every id is the schema's slug of a node's identity keys (Schema.check_node refuses any
# other), so text with capitals, spaces, accents or "/" cannot be one.
_ID_CHARS = re.compile(r"[a-z0-9-]+")


def by_id_text(text: str) -> bool:
    """Whether ``text`` can be an id at all (see :func:`by_id`).

    >>> by_id_text("commune-23488"), by_id_text("Xã Đăk Ruồng")
    (True, False)
    """
    return _ID_CHARS.fullmatch(text) is not None


def by_id(store: Readable, text: str) -> Node | None:
    """The node whose id is ``text``; no lookup at all for text no id can look like.

    >>> from danvan.graph.embedded import EmbeddedStore
    >>> by_id(EmbeddedStore(":memory:"), "133-KH/TU") is None
    True
    """
    return store.get(text) if by_id_text(text) else None


_BY_KEY = RowsCache(16)


def _rows_by_key(rows: Sequence[NameRow]) -> dict[str, list[NameRow]]:
    index: dict[str, list[NameRow]] = {}
    for row in rows:
        for key in row.keys:
            index.setdefault(key, []).append(row)
    return index


def _by_key(rows: Sequence[NameRow]) -> dict[str, list[NameRow]]:
    """Rows by each of their match keys, in row order; built once per name-row tuple.

    ``names`` hands out the same tuple until the store changes, so exact matches are
    found without scanning every row.
    """
    return _BY_KEY.get(rows, _rows_by_key)


def _candidates(store: Readable, rows: Sequence[NameRow]) -> list[dict[str, str]]:
    """Candidates with where they are ("Thôn 4" → which commune), so a person can choose."""
    rows = list(rows[:20])
    nodes = store.get_many(r.id for r in rows)
    parents = {i: n.props.get("commune") or n.props.get("district") or n.props.get("scope")
               for i, n in nodes.items()}
    parent_nodes = store.get_many(p for p in parents.values() if p)
    out = []
    for r in rows:
        parent = parent_nodes.get(parents.get(r.id) or "")
        item = {"id": r.id, "type": r.label, "name": r.name}
        if parent is not None:
            item["within"] = parent.name
        out.append(item)
    return out


def _prefer_legacy(rows: list[NameRow]) -> list[NameRow]:
    """A legacy place and its 2025 namesake are one answer: documents speak of the legacy one."""
    legacy = [r for r in rows if "-2025-" not in r.id]
    if len(legacy) == 1 and all(r.name == legacy[0].name for r in rows):
        return legacy
    return rows


def fuzzy_matches(rows: Sequence[NameRow], text: str, limit: int = 10) -> list[tuple[NameRow, float]]:
    """Best typo-tolerant matches of ``text`` among ``rows``, best first (one per node)."""
    choices = [(i, key) for i, row in enumerate(rows) for key in row.keys]
    found = process.extract(fold(text), [k for _, k in choices], scorer=fuzz.ratio,
                            limit=limit * 4)
    best: dict[int, float] = {}
    for _, score, pos in found:
        row_index = choices[pos][0]
        best[row_index] = max(best.get(row_index, 0.0), score)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], rows[kv[0]].id))
    return [(rows[i], s) for i, s in ranked[:limit]]


def match_rows(rows: Sequence[NameRow], text: str,
               accept: Callable[[NameRow], bool] | None = None,
               near: Callable[[NameRow], bool] | None = None) -> list[NameRow]:
    """The one exact-then-fuzzy rule for names in a store, every caller's (queries, import).

    ``rows`` is a :func:`names` tuple. Rows named ``text`` exactly (accents and
    case aside), those ``near`` first when there are any; else the clear fuzzy
    match (score ≥ FUZZY_MIN, among the ``near`` rows when ``near`` is given), or
    every fuzzy match within FUZZY_MARGIN of the best when none is clear; else
    nothing. ``accept`` leaves rows out altogether (e.g. bodies not in force).

    >>> rows = (NameRow("a", "Unit", "Hội Nông dân", ("hoi nong dan",)),
    ...         NameRow("b", "Unit", "Hội Cựu chiến binh", ("hoi cuu chien binh",)))
    >>> [r.id for r in match_rows(rows, "Hội Nông dân")], [r.id for r in match_rows(rows, "hoi nong dn")]
    (['a'], ['a'])
    """
    exact = [r for r in _by_key(rows).get(fold(text), ()) if accept is None or accept(r)]
    if exact:
        if near is not None:
            exact = [r for r in exact if near(r)] or exact
        return exact
    pool = [r for r in rows if (accept is None or accept(r)) and (near is None or near(r))]
    matches = fuzzy_matches(pool, text)
    if matches and matches[0][1] >= FUZZY_MIN:
        return [row for row, score in matches if matches[0][1] - score < FUZZY_MARGIN]
    return []


def resolve_many(store: Readable, text: str, labels: Iterable[str],
                 within: set[str] | None = None, param: str = "name") -> list[str]:
    """All ids ``text`` names exactly, or the one clear fuzzy match; errors otherwise."""
    labels = list(labels)
    node = by_id(store, text)
    if node is not None and node.label in labels:
        return [node.id]
    every = store.names(labels)
    accept = None if within is None else (lambda r: r.id in within)
    found = match_rows(every, text, accept)
    if found and fold(text) in found[0].keys:
        return [r.id for r in _prefer_legacy(found)]
    if len(found) == 1:
        return [found[0].id]
    if found:
        raise AmbiguousError(f"'{text}' ({param}) khớp với nhiều mục; hãy chọn một",
                             _candidates(store, found))
    what = " / ".join(_shown_label(label) for label in labels)
    rows = [r for r in every if within is None or r.id in within]
    matches = fuzzy_matches(rows, text, limit=1)
    hint = f"; gần nhất: {matches[0][0].name}" if matches else ""
    raise NotFoundError(f"không tìm thấy {what} '{text}' ({param}){hint}")


def _shown_label(label: str) -> str:
    """The label as the board reads it ("Mô hình" for Model), lower case inside a sentence."""
    spec = load_schema().labels.get(label)
    return spec.display.lower() if spec else label


def resolve(store: Readable, text: str, labels: Iterable[str], within: set[str] | None = None,
            param: str = "name") -> str:
    """The one id ``text`` names; AmbiguousError when it names several."""
    labels = list(labels)
    ids = resolve_many(store, text, labels, within, param)
    if len(ids) > 1:
        rows = {r.id: r for r in store.names(labels)}
        raise AmbiguousError(f"'{text}' ({param}) khớp với {len(ids)} mục; hãy nói rõ hơn "
                             "(ví dụ kèm tên xã)", _candidates(store, [rows[i] for i in ids]))
    return ids[0]
