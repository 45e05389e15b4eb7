"""entity_links — one node with every relation it has, its sources' evidence and where it stands across 2025.

What the entity page shows, for a person or a tool: the node (a document with its text),
each edge touching it and the node at its other end, the nodes its reference properties
name, readable names for assignments ("<unit> giúp đỡ <target>"), the sentence each
source reference quotes, and the place's succession across the 1 July 2025 reform:

* a 2025 unit: ``predecessors``, the legacy units it succeeded (``partial`` when only part
  of one went into it);
* a legacy unit: ``successors``, the 2025 units it went into, with their province;
* a village: the successors of its commune (``via``).

A directive also has its ``lineage``: the chain of IMPLEMENTS and BASED_ON edges above it
(``up``) and below it (``down``), both relations followed together up to six steps (a
district plan based on a plan that implements a provincial conclusion), nearest first.
``directive_lineage`` follows each relation on its own.

>>> evidence("Một. Hai ba bốn. Năm.", 5, 8)
'Hai ba bốn.'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from danvan.errors import NotFoundError
from danvan.graph.sources import parse_source_ref
from danvan.queries.base import display_name
from danvan.queries.communes import item
from danvan.queries.spec import Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader

__all__ = ["ENTITY_LINKS", "QUERIES", "chain", "evidence", "short", "source_items"]

EVIDENCE_CHARS = 1200  # the entity page quotes more than a graph's hover card
LINEAGE_DEPTH = 6
LINEAGE = ("BASED_ON", "IMPLEMENTS")
_PLACES_2025 = ("Province", "Commune")


def short(value: Any, size: int) -> str:
    """A value as one line of at most ``size`` characters.

    >>> short(["a", "b"], 10), short(2.0, 10), short("x" * 12, 10)
    ('a; b', '2', 'xxxxxxxxx…')
    """
    if isinstance(value, bool):
        text = "có" if value else "không"
    elif isinstance(value, list):
        text = "; ".join(str(v) for v in value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return text if len(text) <= size else text[:size - 1] + "…"


def evidence(text: str | None, start: int | None, end: int | None, size: int = 400) -> str | None:
    """The sentence around a quoted span of a document's text (``None`` when the text is not stored)."""
    if not text or start is None or end is None or not 0 <= start < end <= len(text):
        return None
    left = max(text.rfind(mark, 0, start) for mark in (". ", "\n", "; ", "! ", "? "))
    left = 0 if left < 0 else left + 1
    ends = [i for i in (text.find(mark, end) for mark in (".", "\n", ";", "!", "?")) if i >= 0]
    right = min(ends) + 1 if ends else len(text)
    if right - left > size:  # a long sentence: the span itself, with a little context
        left, right = max(left, start - 80), min(right, end + 80)
    return short(" ".join(text[left:right].split()), size)


def source_items(refs: list[str], docs: dict[str, dict[str, Any]], size: int) -> list[dict[str, Any]]:
    """Each ``document#start-end`` with its document's title and the evidence it quotes."""
    out = []
    for ref in refs:
        document, start, end = parse_source_ref(ref)
        props = docs.get(document)
        found = props or {}
        out.append({"id": document, "exists": props is not None,
                    "title": found.get("title") or document, "url": found.get("url"),
                    "publisher": found.get("publisher"), "published": found.get("published"),
                    "evidence": evidence(found.get("text"), start, end, size)})
    return out


Raw = dict[str, Any]


def _edge(type_: str, source: str, target: str, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": type_, "source": source, "target": target, "props": dict(props)}


def _ref_ids(schema: Any, label: str, props: dict[str, Any]) -> set[str]:
    spec = schema.labels[label].properties
    return {v for k, v in props.items() if isinstance(v, str) and k in spec and spec[k].type == "ref"}


def _shape(raw: Raw) -> dict[str, Any]:
    """The answer from what either fetch read (see the module docstring)."""
    node, nodes = raw["node"], raw["nodes"]
    edges = sorted({f"{e['source']}|{e['type']}|{e['target']}": e for e in raw["edges"]}.items())
    names = {}
    for n in [node, *nodes.values()]:
        if n["label"] == "Assignment":
            unit, target = (raw["names"].get(n["props"].get(k, "")) for k in ("unit", "target"))
            names[n["id"]] = f"{unit or '?'} giúp đỡ {target or '?'}"
    out = {"node": node, "edges": [e for _, e in edges], "nodes": nodes, "names": names,
           "sources": source_items(node["props"].get("sources") or [], raw["docs"], EVIDENCE_CHARS),
           "succession": _succession(node, [e for _, e in edges], nodes, raw)}
    if "lineage" in raw:
        out["lineage"] = _lineage(node["id"], *raw["lineage"])
    return out


def _succession(node: dict[str, Any], edges: list[dict[str, Any]], nodes: dict[str, Any],
                raw: Raw) -> dict[str, Any]:
    label, props, me = node["label"], node["props"], node["id"]
    if label not in ("Province", "Commune", "Village"):
        return {}
    more = {**nodes, **raw["more"]}

    def successors(succ: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = [{"node": more[e["target"]], "partial": bool(e["props"].get("partial")),
                 "province": more.get(more[e["target"]]["props"].get("province", ""))
                 if more[e["target"]]["label"] == "Commune" else None}
                for e in succ if e["target"] in more]
        return sorted(rows, key=lambda r: (_name(r["node"]), r["node"]["id"]))

    if label == "Village":
        commune = nodes.get(props.get("commune", ""))
        if commune is None:
            return {}
        return {"successors": successors(raw["commune_successions"]), "via": commune}
    if props.get("era") == "2025":
        rows = [{"node": nodes[e["source"]], "partial": bool(e["props"].get("partial"))}
                for e in edges if e["type"] == "SUCCEEDED_BY" and e["target"] == me and e["source"] in nodes]
        return {"predecessors": sorted(rows, key=lambda r: (_name(r["node"]), r["node"]["id"]))}
    return {"successors": successors([e for e in edges if e["type"] == "SUCCEEDED_BY"
                                      and e["source"] == me])}


def chain(start: str, edges: list[tuple[str, str, str]], up: bool) -> list[tuple[int, str, str]]:
    """(depth, directive, edge type) reached from ``start`` along ``edges`` (source, type, target),
    out-edges when ``up``, breadth first; a node's edges in key order, as a store lists them.

    >>> chain("c", [("c", "IMPLEMENTS", "b"), ("b", "BASED_ON", "a")], up=True)
    [(1, 'b', 'IMPLEMENTS'), (2, 'a', 'BASED_ON')]
    """
    step: dict[str, list[tuple[str, str]]] = {}
    for source, type_, target in sorted(set(edges)):
        if up:
            step.setdefault(source, []).append((type_, target))
        else:
            step.setdefault(target, []).append((source, type_))
    out: list[tuple[int, str, str]] = []
    seen, frontier = {start}, [(start, 0)]
    while frontier:
        node, depth = frontier.pop(0)
        if depth >= LINEAGE_DEPTH:
            continue
        for a, b in sorted(step.get(node, [])):
            other, type_ = (b, a) if up else (a, b)
            if other not in seen:
                seen.add(other)
                out.append((depth + 1, other, type_))
                frontier.append((other, depth + 1))
    return out


def _lineage(start: str, edges: list[tuple[str, str, str]], items: dict[str, Any]) -> dict[str, Any]:
    return {side: [{"depth": d, "node": items[i], "type": t} for d, i, t in chain(start, edges, up)
                   if i in items] for side, up in (("up", True), ("down", False))}


def _name(n: dict[str, Any]) -> str:
    return display_name(n["props"], n["id"])


def _missing(id: str) -> NotFoundError:
    return NotFoundError(f"không có thực thể nào có mã '{id}'")


# embedded ---------------------------------------------------------------------------------
def _links_embedded(snap: EmbeddedSnapshot, id: str) -> dict[str, Any]:
    node, succ, pred = snap.node, snap.succ, snap.pred
    if id not in node:
        raise _missing(id)
    label, props = node[id]["label"], node[id]["props"]
    edges = [_edge(k, id, t, d["props"]) for t, keys in succ[id].items() for k, d in keys.items()]
    edges += [_edge(k, s, id, d["props"]) for s, keys in pred[id].items() for k, d in keys.items()]
    others = ({e["target"] for e in edges} | {e["source"] for e in edges}
              | _ref_ids(snap.schema, label, props)) - {id}
    nodes = {i: item(i, node[i]["label"], node[i]["props"]) for i in sorted(others) if i in node}
    ends = {n["props"].get(k) for n in [*nodes.values(), {"label": label, "props": props}]
            if n["label"] == "Assignment" for k in ("unit", "target")}
    raw: Raw = {"node": {"id": id, "label": label, "props": dict(props)}, "edges": edges, "nodes": nodes,
                "names": {i: display_name(node[i]["props"], i) for i in ends if i in node},
                "docs": {d: node[d]["props"] for d in _doc_ids(props) if d in node},
                "commune_successions": [], "more": {}}
    if label in ("Province", "Commune", "Village"):
        firsts = []
        commune = props.get("commune") if label == "Village" else None
        if commune in node:
            raw["commune_successions"] = [_edge("SUCCEEDED_BY", commune, t, keys["SUCCEEDED_BY"]["props"])
                                          for t, keys in succ[commune].items() if "SUCCEEDED_BY" in keys]
            firsts = [e["target"] for e in raw["commune_successions"]]
        firsts += [e["target"] for e in edges if e["type"] == "SUCCEEDED_BY" and e["source"] == id]
        provinces = {node[t]["props"].get("province") for t in firsts
                     if t in node and node[t]["label"] == "Commune"}
        raw["more"] = {i: item(i, node[i]["label"], node[i]["props"])
                       for i in sorted({*firsts, *provinces} - {None}) if i in node}
    if label == "Directive":
        found = []
        for adjacency, forward in ((succ, True), (pred, False)):
            seen, frontier = {id}, [id]
            for _ in range(LINEAGE_DEPTH):
                nxt = []
                for a in frontier:
                    for b, keys in adjacency[a].items():
                        found += [(a, t, b) if forward else (b, t, a) for t in LINEAGE if t in keys]
                        if b not in seen and any(t in keys for t in LINEAGE):
                            seen.add(b)
                            nxt.append(b)
                frontier = nxt
        ids = {x for s, _, t in found for x in (s, t)}
        raw["lineage"] = (found, {i: item(i, node[i]["label"], node[i]["props"]) for i in sorted(ids)})
    return _shape(raw)


def _doc_ids(props: dict[str, Any]) -> list[str]:
    return sorted({parse_source_ref(r).document for r in props.get("sources") or []})


# neo4j ------------------------------------------------------------------------------------
_ITEM = "[{v}.id, [l IN labels({v}) WHERE l <> 'Entity'][0], {v} {{.*, text: null}}]"
_NODE = """
MATCH (n:Entity {id: $id})
RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, properties(n) AS props,
       [(n)-[r]->(b) | [type(r), b.id, properties(r)]] AS outs,
       [(b)-[r]->(n) | [type(r), b.id, properties(r)]] AS ins
"""
_ITEMS = f"UNWIND $ids AS x MATCH (n:Entity {{id: x}}) RETURN {_ITEM.format(v='n')} AS n"
_LINEAGE = "MATCH (n:Entity {id: $id}) RETURN " + ", ".join(
    f"COLLECT {{ MATCH p = (n){a}[:{'|'.join(LINEAGE)}*1..{LINEAGE_DEPTH}]{b}() UNWIND relationships(p) AS r "
    f"RETURN DISTINCT [startNode(r).id, type(r), endNode(r).id] }} AS {side}"
    for side, a, b in (("up", "-", "->"), ("down", "<-", "-")))
_SUCCESSIONS = ("MATCH (c:Entity {id: $id})-[r:SUCCEEDED_BY]->(s) "
                "RETURN s.id AS target, properties(r) AS props")


def _items_neo4j(reader: Neo4jReader, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = reader.read(_ITEMS, ids=sorted(ids))
    return {r["n"][0]: item(*r["n"]) for r in sorted(rows, key=lambda r: r["n"][0])}


def _links_neo4j(reader: Neo4jReader, id: str) -> dict[str, Any]:
    found = reader.read(_NODE, id=id)
    if not found:
        raise _missing(id)
    row = found[0]
    label = row["label"]
    props = {k: v for k, v in row["props"].items() if k != "id"}
    edges = [_edge(t, id, b, p) for t, b, p in row["outs"]] + [_edge(t, b, id, p) for t, b, p in row["ins"]]
    others = ({e["target"] for e in edges} | {e["source"] for e in edges}
              | _ref_ids(reader.schema, label, props)) - {id}
    nodes = _items_neo4j(reader, others)
    ends = {n["props"].get(k) for n in [*nodes.values(), {"label": label, "props": props}]
            if n["label"] == "Assignment" for k in ("unit", "target")} - {None}
    named = _items_neo4j(reader, ends - nodes.keys()) | {i: nodes[i] for i in ends if i in nodes}
    docs = {}
    if _doc_ids(props):
        docs = {r["id"]: {k: v for k, v in r["props"].items() if v is not None} for r in reader.read(
            "UNWIND $ids AS x MATCH (d:Entity {id: x}) "
            "RETURN x AS id, d {.title, .url, .publisher, .published, .text} AS props", ids=_doc_ids(props))}
    raw: Raw = {"node": {"id": id, "label": label, "props": props}, "edges": edges, "nodes": nodes,
                "names": {i: _name(n) for i, n in named.items()}, "docs": docs,
                "commune_successions": [], "more": {}}
    if label in ("Province", "Commune", "Village"):
        firsts = []
        commune = props.get("commune") if label == "Village" else None
        if commune:
            raw["commune_successions"] = [_edge("SUCCEEDED_BY", commune, r["target"], r["props"])
                                          for r in reader.read(_SUCCESSIONS, id=commune)]
            firsts = [e["target"] for e in raw["commune_successions"]]
        firsts += [e["target"] for e in edges if e["type"] == "SUCCEEDED_BY" and e["source"] == id]
        more = _items_neo4j(reader, set(firsts))
        provinces = {n["props"].get("province") for n in more.values() if n["label"] == "Commune"} - {None}
        raw["more"] = more | _items_neo4j(reader, provinces - more.keys())
    if label == "Directive":
        rows = reader.read(_LINEAGE, id=id)[0]
        steps = [(s, t, e) for s, t, e in rows["up"] + rows["down"]]
        raw["lineage"] = (steps, _items_neo4j(reader, {x for s, _, e in steps for x in (s, e)}))
    return _shape(raw)


ENTITY_LINKS = QuerySpec(
    name="entity_links",
    title="Một đối tượng với mọi quan hệ trực tiếp, trích dẫn nguồn và sự kế thừa sau 2025",
    description="Any node by id (a document with its text): every edge touching it and the node at its "
                "other end, the nodes its reference properties name, readable names of assignments, "
                "the sentence each of its sources quotes, and for a place its predecessors or "
                "successors across the 1 July 2025 reform (a village: its commune's).",
    params=(Param("id", required=True, help="mã đối tượng"),),
    example={"id": "commune-23488"}, embedded=_links_embedded, neo4j=_links_neo4j, tags=("profiles",),
)
QUERIES = (ENTITY_LINKS,)
