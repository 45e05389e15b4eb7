"""The history of changes: every write made while someone is ``acting`` is recorded.

``Store.write`` asks :func:`watching` whether a write is being made on someone's
behalf (the CLI, an API call, a form on the explorer each say who and why with
:func:`acting`); if so, after the write it appends a ``Change`` record (append-only,
graph/records.py) with who, when, what (action), which entities, their properties
before and after, and the source or comment. A write that changed nothing records
nothing (loading the same document again adds no history).

>>> from danvan.graph.embedded import EmbeddedStore
>>> store = EmbeddedStore(":memory:")
>>> with acting("an", "edit", comment="thêm tỉnh"):
...     _ = store.write([store.schema.node("Province", name="Tỉnh Kon Tum", code="62")])
>>> [(c["user"], c["action"], c["entities"], c["after"]["province-62"]["name"])
...  for c in store.records.find("Change")]
[('an', 'edit', ['province-62'], 'Tỉnh Kon Tum')]
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from danvan.graph.types import Edge, Node

if TYPE_CHECKING:
    from danvan.graph.store import Store, WriteResult

__all__ = ["DETAIL_NODES", "Acting", "act_as", "acting", "record_change", "watching"]

DETAIL_NODES = 50  # writes of at most this many nodes keep each node's before and after
MAX_ENTITIES = 20_000  # a larger write (a national load) lists no entities, only counts

_ACTING: contextvars.ContextVar[Acting | None] = contextvars.ContextVar("danvan_acting",
                                                                         default=None)


@dataclass(frozen=True)
class Acting:
    """Who is writing and why: a user name, an action, a source, a comment."""

    user: str
    action: str
    source: str | None = None
    comment: str | None = None

    def before(self, store: Store, nodes: Sequence[Node]) -> dict[str, Any] | None:
        """The stored properties of the nodes about to be written (small writes only)."""
        if not nodes or len(nodes) > DETAIL_NODES:
            return None
        found = store.get_many({n.id for n in nodes})
        return {n.id: (found[n.id].props if n.id in found else None) for n in nodes}

    def after(self, store: Store, nodes: Sequence[Node], edges: Sequence[Edge],
              result: WriteResult, before: dict[str, Any] | None) -> None:
        """Append the Change record of a write that changed something."""
        if not result.changed:
            return
        after = None
        if before is not None:
            found = store.get_many(before)
            after = {i: (found[i].props if i in found else None) for i in before}
            before = {i: p for i, p in before.items() if p != after.get(i)}
            after = {i: after[i] for i in before}
        record_change(store, self, _entities(store, nodes, edges), before, after,
                      counts=asdict(result))


def _entities(store: Store, nodes: Sequence[Node], edges: Sequence[Edge]) -> list[str]:
    """The ids a write touched: its nodes, the nodes they refer to, its edges' ends."""
    if len(nodes) + len(edges) > MAX_ENTITIES:
        return []
    ids: set[str] = set()
    for node in nodes:
        ids.add(node.id)
        spec = store.schema.labels.get(node.label)
        for ref in spec.refs if spec else ():
            value = node.props.get(ref.name)
            if isinstance(value, str):
                ids.add(value)
    for edge in edges:
        ids.update((edge.source, edge.target))
    return sorted(ids)


def record_change(store: Store, who: Acting, entities: Sequence[str],
                  before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                  **extra: Any) -> dict[str, Any]:
    """Append one Change record (for changes that are not a ``Store.write``: a delete,
    an undo, a review decision) and return it."""
    return store.records.add("Change", {
        "user": who.user, "action": who.action, "source": who.source, "comment": who.comment,
        "entities": list(entities), "before": before, "after": after, **extra})


def watching() -> Acting | None:
    """Who the current write is made for, or None (then nothing is recorded)."""
    return _ACTING.get()


@contextlib.contextmanager
def acting(user: str, action: str, source: str | None = None,
           comment: str | None = None) -> Iterator[Acting]:
    """Record the writes made inside the block as ``user`` doing ``action``.

    A nested block without a source or comment keeps the outer block's.
    """
    outer = _ACTING.get()
    who = Acting(user, action, source or (outer.source if outer else None),
                 comment or (outer.comment if outer else None))
    token = _ACTING.set(who)
    try:
        yield who
    finally:
        _ACTING.reset(token)


def act_as(user: str, action: str, source: str | None = None) -> None:
    """Record every later write of this context as ``user`` doing ``action`` (a CLI run)."""
    _ACTING.set(Acting(user, action, source))
