"""What every query shares: names, numbers, summaries, and indexes over name rows.

The building blocks that read the graph — name rows, a place's area, a plan's
descendants — are methods of the read handles and stores (``names``, ``area``,
``descendants``: graph/reading.py), written once per backend.

>>> summary("province-62", "Province", {"name": "Tỉnh Kon Tum"})
{'id': 'province-62', 'name': 'Tỉnh Kon Tum', 'label': 'Province'}
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from danvan.graph.names import NameRow, display_name, fold_cached
from danvan.graph.schema import load_schema

__all__ = ["FIELDS", "ORG_LABELS", "PLACE_LABELS", "NameRow", "RowsCache", "TextIndex",
           "display_name", "doc_number", "fold_cached", "summary"]

R = TypeVar("R")
PLACE_LABELS = load_schema().group("places")
ORG_LABELS = load_schema().group("organisations")  # who can be assigned to help a place
FIELDS = load_schema().enum("Model", "field")  # a model's field (lĩnh vực)


_NUMBERED_REF = re.compile(r"^\d+\s*[-/]")


def doc_number(props: dict[str, Any]) -> str | None:
    """The document number people quote ("133-KH/TU"), or None for an unnumbered document.

    Curated data may keep only the numeric part in ``number`` and the full one in ``ref``.

    >>> doc_number({"ref": "133-KH/TU", "number": "133"}), doc_number({"ref": "Đề án 2021-2025"})
    ('133-KH/TU', None)
    """
    ref, number = props.get("ref"), props.get("number")
    if number:
        return str(ref) if ref and ("/" in ref or "-" in ref) else str(number)
    if ref and _NUMBERED_REF.match(str(ref)):
        return str(ref)
    return None


def summary(node_id: str, label: str, props: dict[str, Any]) -> dict[str, Any]:
    """``{"id", "name", "label"}`` of a node."""
    return {"id": node_id, "name": display_name(props, node_id), "label": label}


class RowsCache:
    """Values derived from a name-row tuple, built once while ``names`` hands out that tuple.

    ``names`` returns the same tuple until the store changes, so a structure built from it
    (a search index, rows by key) stays valid exactly as long as the tuple is the one handed
    out. The newest ``size`` are kept; the tuple is held with its value, so an id is never
    mistaken for a later tuple's.

    >>> cache = RowsCache(2)
    >>> rows = ()
    >>> cache.get(rows, lambda r: ["built"]) is cache.get(rows, lambda r: ["again"])
    True
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[int, tuple[Sequence[NameRow], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, rows: Sequence[NameRow], build: Callable[[Sequence[NameRow]], R]) -> R:
        """The value built from ``rows``: built now if this tuple has none yet."""
        with self._lock:
            hit = self._values.get(id(rows))
            if hit is not None and hit[0] is rows:
                self._values.move_to_end(id(rows))
                return hit[1]
        value = build(rows)
        with self._lock:
            self._values[id(rows)] = (rows, value)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value


class TextIndex:
    """Folded texts of many owners, searched for a substring in one pass of C code.

    The texts are joined, one per line, into one string: ``str.find`` scans it,
    and each hit is mapped back to its text by bisection.

    >>> index = TextIndex([("a", ["dak ruong", "kon braih"]), ("b", ["dak to"])])
    >>> sorted(index.owners_containing("dak")), index.owners_containing("braih")
    (['a', 'b'], {'a'})
    """

    def __init__(self, items: Iterable[tuple[Any, Iterable[str]]]) -> None:
        self.texts: list[str] = []
        self.owners: list[Any] = []
        for owner, texts in items:
            for text in texts:
                self.texts.append(text.replace("\n", " "))
                self.owners.append(owner)
        self.starts: list[int] = []
        at = 0
        for text in self.texts:
            self.starts.append(at)
            at += len(text) + 1
        self.joined = "\n".join(self.texts)

    def containing(self, q: str) -> list[int]:
        """Indices of the texts that contain ``q``, in order."""
        if "\n" in q:
            return [i for i, t in enumerate(self.texts) if q in t]
        out: list[int] = []
        joined, starts, n = self.joined, self.starts, len(self.starts)
        at = joined.find(q)
        while at != -1:
            i = bisect_right(starts, at) - 1
            out.append(i)
            if i + 1 >= n:
                break
            at = joined.find(q, starts[i + 1])
        return out

    def owners_containing(self, q: str) -> set[Any]:
        """Owners with a text that contains ``q``."""
        owners = self.owners
        return {owners[i] for i in self.containing(q)}
