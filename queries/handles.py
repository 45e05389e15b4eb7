"""Temporary: read handles shaped like the Seam's (graph/reading.py, issue 17) until it lands.

The page queries are written against the handles the Seam gives every fetch
(``EmbeddedSnapshot``: ``node``, ``succ``, ``pred``, ``ids_with_label``…;
``Neo4jReader``: ``read``, ``read_many``, ``label``…). Until that commit is on
main, :func:`current_form` adapts them to today's ``QuerySpec`` (functions of the
store). This module goes when the Seam is merged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from danvan.graph.types import Node
from danvan.queries import base

__all__ = ["current_form"]


class _Snapshot:
    def __init__(self, store: Any, g: Any) -> None:
        self.store = store
        self.schema = store.schema
        self.graph = g
        self.node: dict[str, dict[str, Any]] = g._node
        self.succ: dict[str, dict[str, dict[str, Any]]] = g._succ
        self.pred: dict[str, dict[str, dict[str, Any]]] = g._pred

    def memo(self, name: str) -> dict[Any, Any]:
        return base.memo(self.store, name)

    def ids_with_label(self, label: str) -> tuple[str, ...]:
        return base.ids_with_label(self.store, self.graph, label)

    def out_ids(self, node: str, type_: str) -> list[str]:
        return base.out_ids(self.graph, node, type_)

    def in_ids(self, node: str, type_: str) -> list[str]:
        return base.in_ids(self.graph, node, type_)

    def get(self, node_id: str) -> Node | None:
        data = self.node.get(node_id)
        return None if data is None else Node(data["label"], node_id, dict(data["props"]))

    def get_many(self, ids: Iterable[str]) -> dict[str, Node]:
        node = self.node
        return {i: Node(node[i]["label"], i, dict(node[i]["props"])) for i in ids if i in node}

    def area(self, ids: Iterable[str]) -> set[str]:
        return base.area_in_graph(self.graph, ids)


class _Reader:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.schema = store.schema

    def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        return self.store.read(cypher, **params)  # type: ignore[no-any-return]

    def read_many(self, cypher: str, columns: Sequence[str], **params: Any) -> list[dict[str, Any]]:
        return self.store.read_many(cypher, columns, **params)  # type: ignore[no-any-return]

    def label(self, label: str) -> str:
        return self.store.cypher_label(label)  # type: ignore[no-any-return]

    def get(self, node_id: str) -> Node | None:
        return self.store.get(node_id)  # type: ignore[no-any-return]

    def get_many(self, ids: Iterable[str]) -> dict[str, Node]:
        return self.store.get_many(ids)  # type: ignore[no-any-return]

    def area(self, ids: Iterable[str]) -> set[str]:
        return base.expand_area(self.store, ids)


def current_form(embedded: Callable[..., Any], neo4j: Callable[..., Any]
                 ) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """(embedded, neo4j) functions of the store, calling fetches written for the handles."""
    @functools.wraps(embedded)
    def on_embedded(store: Any, **params: Any) -> Any:
        with store._lock:
            return embedded(_Snapshot(store, store.fresh()), **params)

    @functools.wraps(neo4j)
    def on_neo4j(store: Any, **params: Any) -> Any:
        return neo4j(_Reader(store), **params)

    return on_embedded, on_neo4j
