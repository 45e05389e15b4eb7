"""figures — the numbers documents report (statistics) and the targets plans set.

Filter by plan (what a statistic measures, whose targets), by document (a
Source id, or a directive number: the statistics reported in the documents of
that directive, and its targets) and by period (a substring, without accents).

>>> from danvan.queries.catalogue import CATALOGUE
>>> CATALOGUE["figures"].example
{'plan': '133-KH/TU'}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from danvan.graph.reading import ReadHandle
from danvan.queries.listings import N, Raw, emb, n3, plan_ref, raw3, uniq
from danvan.queries.resolve import resolve_many
from danvan.queries.spec import Param, QuerySpec
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader

H = TypeVar("H", bound=ReadHandle)

PLAN_LABELS = ("Directive", "Campaign")

# One read: the statistics and the targets, each collected in its own subquery.
_STAT_COLLECT = (f"WITH DISTINCT s RETURN collect([{N('s')}, [(s)-[:REPORTED_IN]->(d) | [d.id, d.title]], "
                 f"[(s)-[:MEASURES]->(a) | {N('a')}]]) AS stats")
_STAT_ANCHORS = {
    "plans": "UNWIND $ids AS x MATCH (:Entity {id: x})<-[:MEASURES]-(s:Statistic) ",
    "docs": "UNWIND $ids AS x MATCH (:Entity {id: x})<-[:REPORTED_IN]-(s:Statistic) ",
    "all": "MATCH (s:Statistic) ",
}
_TARGET_COLLECT = (f"WITH DISTINCT t RETURN collect([{N('t')}, [(t)-[:TARGET_OF]->(p) | {N('p')}]]) "
                   "AS targets")
_TARGET_ANCHORS = {
    "plans": "UNWIND $target_ids AS x MATCH (:Entity {id: x})<-[:TARGET_OF]-(t:Target) ",
    "all": "MATCH (t:Target) ",
}

StatRow = tuple[Raw, list[tuple[str, str | None]], list[Raw]]
TargetRow = tuple[Raw, list[Raw]]


Rows = tuple[list[StatRow], list[TargetRow]]


def _rows_neo4j(reader: Neo4jReader, anchor: str, ids: set[str], target_anchor: str,
                target_ids: set[str]) -> Rows:
    cypher = (f"CALL {{ {_STAT_ANCHORS[anchor]}{_STAT_COLLECT} }} "
              f"CALL {{ {_TARGET_ANCHORS[target_anchor]}{_TARGET_COLLECT} }} RETURN stats, targets")
    row = reader.read(cypher, ids=sorted(ids), target_ids=sorted(target_ids))[0]
    return ([(raw3(s), sorted((d, title) for d, title in docs), uniq(map(n3, about)))
             for s, docs, about in row["stats"]],
            [(raw3(t), uniq(map(n3, plans))) for t, plans in row["targets"]])


def _rows_embedded(snap: EmbeddedSnapshot, anchor: str, ids: set[str], target_anchor: str,
                   target_ids: set[str]) -> Rows:
    g, node = snap.graph, snap.node

    def labelled(i: str, label: str) -> bool:
        return node[i]["label"] == label

    if anchor == "all":
        stat_ids = set(snap.ids_with_label("Statistic"))
    else:
        edge = "MEASURES" if anchor == "plans" else "REPORTED_IN"
        stat_ids = {s for i in ids if i in node for s in snap.in_ids(i, edge) if labelled(s, "Statistic")}
    stats = [(emb(g, s), [(d, node[d]["props"].get("title")) for d in snap.out_ids(s, "REPORTED_IN")],
              uniq(emb(g, a) for a in snap.out_ids(s, "MEASURES"))) for s in stat_ids]
    if target_anchor == "all":
        t_ids = set(snap.ids_with_label("Target"))
    else:
        t_ids = {t for i in target_ids if i in node for t in snap.in_ids(i, "TARGET_OF")
                 if labelled(t, "Target")}
    targets = [(emb(g, t), uniq(emb(g, p) for p in snap.out_ids(t, "TARGET_OF"))) for t in t_ids]
    return stats, targets


def _document_scope(store: ReadHandle, document: str) -> tuple[set[str], set[str]]:
    """(source ids, directive ids) a document filter stands for."""
    ids = resolve_many(store, document, ["Source", "Directive"], param="document")
    nodes = store.get_many(ids)
    sources = {i for i, n in nodes.items() if n.label == "Source"}
    directives = {i for i, n in nodes.items() if n.label == "Directive"}
    for d in sorted(directives):
        sources |= {e.source for e in store.edges_of(d, "in", ["DOCUMENTS"])}
    for s in sorted(sources - set(ids)) + sorted(i for i in ids if i in sources):
        directives |= {e.target for e in store.edges_of(s, "out", ["DOCUMENTS"])}
    return sources, directives


def _code_key(code: str | None) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code or ""))


# What a fetch gives the shaping: the plan filter, the document's sources, and the rows.
_Raw = tuple[set[str] | None, set[str] | None, Rows]


def _fetch(store: H, plan: str | None, document: str | None, period: str | None, *,
           rows: Callable[[H, str, set[str], str, set[str]], Rows]) -> _Raw:
    plans = set(resolve_many(store, plan, PLAN_LABELS, param="plan")) if plan else None
    sources, doc_plans = _document_scope(store, document) if document else (None, None)
    if plans is not None:
        anchor, ids = "plans", plans
    elif sources is not None:
        anchor, ids = "docs", sources
    else:
        anchor, ids = "all", set()
    t_ids = (plans & doc_plans if plans is not None and doc_plans is not None
             else plans if plans is not None else doc_plans)
    return plans, sources, rows(store, anchor, ids, "all" if t_ids is None else "plans", t_ids or set())


def _shape(raw: _Raw, plan: str | None, document: str | None, period: str | None) -> dict[str, Any]:
    plans, sources, (stats, targets) = raw
    q = fold(period) if period else None
    statistics: list[dict[str, Any]] = []
    for (sid, _, props), docs, about in stats:
        if plans is not None and not plans & {a[0] for a in about}:
            continue
        if sources is not None and not sources & {d for d, _ in docs}:
            continue
        if q and q not in fold(str(props.get("period") or "")):
            continue
        first = about[0] if about else None
        statistics.append({
            "id": sid, "key": props.get("key"), "what": props.get("what"), "value": props.get("value"),
            "total": props.get("total"), "unit": props.get("unit"), "category": props.get("category"),
            "period": props.get("period"), "period_from": props.get("period_from"),
            "period_until": props.get("period_until"),
            "document": {"id": docs[0][0], "title": docs[0][1]} if docs else None,
            "about": ({"id": first[0], "number": plan_ref(first)["number"], "type": first[1],
                       "name": plan_ref(first)["title"]} if first else None),
            "synthetic": bool(props.get("synthetic", False)),
        })
    target_items: list[dict[str, Any]] = []
    for (tid, _, props), t_plans in targets:
        if q and q not in fold(str(props.get("year") or "")):
            continue
        first = t_plans[0] if t_plans else None
        target_items.append({
            "id": tid, "code": props.get("code"), "description": props.get("description"),
            "value": props.get("value"), "unit": props.get("unit"),
            "comparator": props.get("comparator"), "year": props.get("year"),
            "plan": {"id": first[0], "number": plan_ref(first)["number"]} if first else None,
        })
    statistics.sort(key=lambda s: ((s["document"] or {}).get("id") or "", s["id"]))
    target_items.sort(key=lambda t: ((t["plan"] or {}).get("id") or "", _code_key(t["code"]), t["id"]))
    return {"statistics": statistics, "targets": target_items}


FIGURES = QuerySpec(
    name="figures",
    title="Số liệu báo cáo và chỉ tiêu kế hoạch",
    description="Statistics documents report (what, value out of total, unit, period, document, "
                "which directive they measure) and the targets plans set; filter by plan, document "
                "(source id or directive number) and period (targets: by year).",
    params=(Param("plan", help="kế hoạch hoặc cuộc vận động"),
            Param("document", help="tài liệu nguồn (id) hoặc số văn bản (86-BC/BCĐ)"),
            Param("period", help="kỳ báo cáo, ví dụ: quý I/2023 hoặc 2024")),
    example={"plan": "133-KH/TU"}, embedded=partial(_fetch, rows=_rows_embedded),
    neo4j=partial(_fetch, rows=_rows_neo4j), shape=_shape, tags=("figures",),
)
QUERIES = (FIGURES,)
