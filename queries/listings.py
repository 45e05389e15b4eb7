"""listings — directives, models and places, filterable and paged; plus the helpers other queries share.

Each listing fetches raw rows ``(id, label, props, …)`` from its store (a
networkx walk or one Cypher read anchored on a start node when a filter gives
one), then filters, shapes and sorts them in shared Python, so both stores
give the same answer.

>>> doc_item("directive-x", "Directive", {"ref": "26-KH/HU", "number": "26", "kind": "Kế hoạch"},
...          None)["number"]
'26-KH/HU'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from danvan.errors import NotFoundError
from danvan.queries.base import (
    FIELDS,
    ORG_LABELS,
    PLACE_LABELS,
    TextIndex,
    display_name,
    doc_number,
    fold_cached,
)
from danvan.queries.maps import in_map
from danvan.queries.resolve import by_id, resolve, resolve_many
from danvan.queries.spec import MAP_PARAM, MAX_LIMIT, Param, QuerySpec
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader, Readable, ReadHandle

__all__ = ["DOC_LIST", "PLACE_LIST", "N", "P", "Raw", "doc_item", "doc_row_neo4j",
           "doc_rows", "emb", "lab", "model_item", "model_rows", "n3", "place_item", "place_row_neo4j",
           "place_rows", "plan_ref", "raw3", "resolve_any"]

LEVELS = {"province": "Province", "district": "District", "commune": "Commune", "village": "Village"}
CAMPAIGN_KIND = "Cuộc vận động"

Raw = tuple[str, str, dict[str, Any]]  # (id, label, props)


# raw node triples, the same from both stores ---------------------------------------------
def lab(var: str) -> str:
    """Cypher for the schema label of node variable ``var`` (every node also has ``Entity``)."""
    return f"[l IN labels({var}) WHERE l <> 'Entity'][0]"


def N(var: str) -> str:
    """Cypher for the raw triple ``[id, label, properties]`` of node variable ``var``."""
    return f"[{var}.id, {lab(var)}, properties({var})]"


def P(var: str, *keys: str) -> str:
    """Cypher for a triple ``[id, label, {keys}]``: only the properties a shape reads.

    A map projection gives null for a key the node lacks; :func:`n3` drops nulls (Neo4j
    stores none), so the triple reads like one of every property.
    """
    return f"[{var}.id, {lab(var)}, {var} {{{', '.join('.' + k for k in keys)}}}]"


def n3(value: Sequence[Any] | None) -> Raw | None:
    """A triple from Neo4j as a tuple, without the ``id`` Neo4j keeps among the properties."""
    return None if value is None else raw3(value)


def raw3(value: Sequence[Any]) -> Raw:
    """:func:`n3` of a triple that is never null (a row's own node)."""
    node_id, label, props = value[0], value[1], value[2]
    return node_id, label, {k: v for k, v in (props or {}).items() if k != "id" and v is not None}


def emb(g: Any, node_id: str) -> Raw:
    """The raw triple of a node of the embedded store's networkx graph."""
    data = g.nodes[node_id]
    return node_id, data["label"], data["props"]


def uniq(rows: Iterable[Raw | None]) -> list[Raw]:
    """Distinct triples by id, in id order."""
    return sorted({r[0]: r for r in rows if r is not None}.values(), key=lambda r: r[0])


def resolve_any(store: Readable, text: str, param: str, labels: Sequence[str] | None = None) -> str:
    """An exact id, else a name resolved among ``labels`` (default: everything searchable)."""
    node = by_id(store, text)
    if node is not None and (labels is None or node.label in labels):
        return node.id
    from danvan.queries.search import SEARCHABLE

    return resolve(store, text, labels or SEARCHABLE, param=param)


# directives ------------------------------------------------------------------------------
def doc_item(node_id: str, label: str, props: dict[str, Any],
             issuer: Raw | None) -> dict[str, Any]:
    """A directive (or campaign) as listings and lineage show it."""
    if label == "Campaign":
        return {"id": node_id, "type": "Campaign", "number": None, "ref": None,
                "kind": CAMPAIGN_KIND, "kind_code": None, "date": None, "issuer": None,
                "title": props.get("name"), "period": None}
    return {"id": node_id, "type": label, "number": doc_number(props), "ref": props.get("ref"),
            "kind": props.get("kind"), "kind_code": props.get("kind_code"),
            "date": props.get("date"),
            "issuer": {"id": issuer[0], "name": display_name(issuer[2], issuer[0])} if issuer else None,
            "title": props.get("title"), "period": props.get("period")}


def plan_ref(raw: Raw) -> dict[str, Any]:
    """``{"id", "number", "type", "kind", "title"}`` of a plan (directive or campaign)."""
    node_id, label, props = raw
    return {"id": node_id, "number": doc_number(props) if label == "Directive" else None,
            "type": label, "kind": CAMPAIGN_KIND if label == "Campaign" else props.get("kind"),
            "title": props.get("title") or props.get("name")}


# What display_name, doc_item, plan_ref and the directives listing's filters read.
_DISPLAY_KEYS = ("name", "title", "ref", "what", "description")
_DOC_KEYS = ("ref", "number", "kind", "kind_code", "date", "title", "period", "name", "aliases")
_DOC_COLUMNS = {
    "d": P("d", *_DOC_KEYS),
    "issuer": f"head([(i)-[:ISSUES]->(d) WHERE i.id = d.issuer | {P('i', *_DISPLAY_KEYS)}])",
}
_DOC_CYPHER = "RETURN " + ", ".join(f"{expr} AS {name}" for name, expr in _DOC_COLUMNS.items())
DOC_LIST = "[" + ", ".join(_DOC_COLUMNS.values()) + "]"  # directive ``d`` and its issuer as one list


def doc_row_neo4j(row: Sequence[Any]) -> tuple[Raw, Raw | None]:
    """A (directive, issuer) pair from Neo4j's ``[d, issuer]`` (see ``_DOC_COLUMNS``)."""
    return raw3(row[0]), n3(row[1])


def doc_rows(store: Readable, ids: Iterable[str] | None = None,
             issuers: Iterable[str] | None = None) -> list[tuple[Raw, Raw | None]]:
    """(directive, issuer) raw pairs: of ``ids``, of ``issuers``, or every directive.

    From Neo4j the triples carry only the properties :func:`doc_item` and the
    directives listing read.
    """
    with store.reading() as handle:
        return handle.fetch(_doc_rows_embedded, _doc_rows_neo4j, ids=ids, issuers=issuers)


DocRow = tuple[Raw, Raw | None]


def _doc_rows_neo4j(reader: Neo4jReader, ids: Iterable[str] | None,
                    issuers: Iterable[str] | None) -> list[DocRow]:
    if ids is not None:
        rows = reader.read_many("UNWIND $ids AS x MATCH (d:Entity {id: x}) " + _DOC_CYPHER,
                                tuple(_DOC_COLUMNS), ids=sorted(set(ids)))
    elif issuers is not None:
        rows = reader.read_many("UNWIND $ids AS x MATCH (:Entity {id: x})-[:ISSUES]->(d:Directive) "
                                "WITH DISTINCT d " + _DOC_CYPHER, tuple(_DOC_COLUMNS),
                                ids=sorted(set(issuers)))
    else:
        rows = reader.read_many("MATCH (d:Directive) " + _DOC_CYPHER, tuple(_DOC_COLUMNS))
    out = [doc_row_neo4j((r["d"], r["issuer"])) for r in rows]
    return sorted(out, key=lambda r: r[0][0])


def _doc_rows_embedded(snap: EmbeddedSnapshot, ids: Iterable[str] | None,
                       issuers: Iterable[str] | None) -> list[DocRow]:
    g, nodes, succ = snap.graph, snap.node, snap.succ
    if ids is not None:
        wanted: Sequence[str] = sorted(i for i in set(ids) if i in nodes)
    elif issuers is not None:
        wanted = sorted({d for i in issuers if i in nodes for d in snap.out_ids(i, "ISSUES")})
    else:
        wanted = snap.ids_with_label("Directive")
    out: list[DocRow] = []
    for d in wanted:
        issuer = nodes[d]["props"].get("issuer")
        ok = issuer in succ and "ISSUES" in succ[issuer].get(d, ())
        out.append((emb(g, d), emb(g, issuer) if ok else None))
    return out




# models ------------------------------------------------------------------------------------
# raw model row: (model, units, places [(place, communes)], plans)
ModelRow = tuple[Raw, list[Raw], list[tuple[Raw, list[Raw]]], list[Raw]]

_MODEL_KEYS = ("name", "field", "effective", "year", "households", "synthetic")
_MODEL_CYPHER = f"""
RETURN {P('m', *_MODEL_KEYS)} AS m,
  [(u)-[:SUPPORTS]->(m) WHERE u:Unit OR u:PartyBody | {P('u', *_DISPLAY_KEYS)}] AS units,
  [(m)-[:LOCATED_IN]->(t) | [{P('t', 'name')},
     CASE WHEN t:Village THEN [(t)-[:PART_OF]->(c:Commune) | {P('c', 'name')}] ELSE [] END]] AS places,
  [(m)-[:REGISTERED_UNDER]->(p) | {P('p', *_DOC_KEYS)}]
    + [(m)<-[:WITH_MODEL]-(:Assignment)-[:UNDER_PLAN]->(p) | {P('p', *_DOC_KEYS)}] AS plans
"""

_MODEL_ANCHORS = {
    "ids": "UNWIND $ids AS x MATCH (m:Entity {id: x}) WHERE m:Model",
    "units": "UNWIND $ids AS x MATCH (:Entity {id: x})-[:SUPPORTS]->(m:Model) WITH DISTINCT m",
    "area": "UNWIND $ids AS x MATCH (:Entity {id: x})<-[:LOCATED_IN]-(m:Model) WITH DISTINCT m",
    "plans": "UNWIND $ids AS x MATCH (p:Entity {id: x}) CALL { WITH p MATCH (p)<-[:REGISTERED_UNDER]-"
             "(m:Model) RETURN m UNION WITH p MATCH (p)<-[:UNDER_PLAN]-(:Assignment)-[:WITH_MODEL]->"
             "(m:Model) RETURN m } WITH DISTINCT m",
    "all": "MATCH (m:Model)",
}


def _model_ids_embedded(snap: EmbeddedSnapshot, anchor: str, ids: set[str]) -> set[str]:
    g, out_ids, in_ids = snap.graph, snap.out_ids, snap.in_ids

    def is_model(i: str) -> bool:
        return g.nodes[i]["label"] == "Model"

    present = [i for i in ids if i in g]
    if anchor == "ids":
        return {i for i in present if is_model(i)}
    if anchor == "units":
        return {m for u in present for m in out_ids(u, "SUPPORTS") if is_model(m)}
    if anchor == "area":
        return {m for t in present for m in in_ids(t, "LOCATED_IN") if is_model(m)}
    if anchor == "plans":
        found = {m for p in present for m in in_ids(p, "REGISTERED_UNDER") if is_model(m)}
        found |= {m for p in present for a in in_ids(p, "UNDER_PLAN")
                  for m in out_ids(a, "WITH_MODEL")}
        return found
    return set(snap.ids_with_label("Model"))


def model_rows(store: Readable, anchor: str, ids: Iterable[str] = ()) -> list[ModelRow]:
    """Raw model rows, found from ``anchor`` ("ids", "units", "area", "plans" or "all").

    From Neo4j the triples carry only the properties :func:`model_item` reads.
    """
    with store.reading() as handle:
        return handle.fetch(_model_rows_embedded, _model_rows_neo4j, anchor=anchor, ids=set(ids))


def _model_rows_neo4j(reader: Neo4jReader, anchor: str, ids: set[str]) -> list[ModelRow]:
    rows = reader.read_many(_MODEL_ANCHORS[anchor] + _MODEL_CYPHER,
                            ("m", "units", "places", "plans"), ids=sorted(ids))
    out = [(raw3(r["m"]), uniq(map(n3, r["units"])),
            sorted(((raw3(t), uniq(map(n3, cs))) for t, cs in r["places"]), key=lambda x: x[0][0]),
            uniq(map(n3, r["plans"]))) for r in rows]
    return sorted(out, key=lambda r: r[0][0])


def _model_rows_embedded(snap: EmbeddedSnapshot, anchor: str, ids: set[str]) -> list[ModelRow]:
    g, out_ids, in_ids = snap.graph, snap.out_ids, snap.in_ids
    out: list[ModelRow] = []
    for m in sorted(_model_ids_embedded(snap, anchor, ids)):
        units = uniq(emb(g, u) for u in in_ids(m, "SUPPORTS")
                     if g.nodes[u]["label"] in ORG_LABELS)
        places = []
        for t in out_ids(m, "LOCATED_IN"):
            communes = ([emb(g, c) for c in out_ids(t, "PART_OF")
                         if g.nodes[c]["label"] == "Commune"]
                        if g.nodes[t]["label"] == "Village" else [])
            places.append((emb(g, t), uniq(communes)))
        plans = [emb(g, p) for p in out_ids(m, "REGISTERED_UNDER")]
        plans += [emb(g, p) for a in in_ids(m, "WITH_MODEL") for p in out_ids(a, "UNDER_PLAN")]
        out.append((emb(g, m), units, places, uniq(plans)))
    return out


def model_item(row: ModelRow) -> dict[str, Any]:
    """The API shape of a model."""
    (node_id, _, props), units, places, plans = row
    return {
        "id": node_id, "name": props.get("name"), "category": props.get("field"),
        "units": [{"id": u[0], "name": display_name(u[2], u[0])} for u in units],
        "villages": [{"id": t[0], "name": t[2].get("name"),
                      "commune": cs[0][2].get("name") if cs else None}
                     for t, cs in places if t[1] == "Village"],
        "places": [{"id": t[0], "name": t[2].get("name"), "level": t[1].lower()} for t, _ in places],
        "effective": props.get("effective"), "year": props.get("year"),
        "households": props.get("households"),
        "plans": [{"id": p[0], "number": plan_ref(p)["number"], "type": p[1]} for p in plans],
        "synthetic": bool(props.get("synthetic", False)),
    }




# places ------------------------------------------------------------------------------------
# raw place row: (place, parents, successors [(succ, its provinces)], province-ref, parent successors)
PlaceRow = tuple[Raw, list[Raw], list[tuple[Raw, list[Raw]]], list[Raw], list[tuple[Raw, list[Raw]]]]

# What place_item and the name filter of the places listing read, and no more.
_PLACE_KEYS = ("name", "code", "kind", "aliases", "lat", "lon", "era")


def _province_of(var: str) -> str:
    """The province that place ``var`` names, found through the ``Entity(id)`` index.

    SEEK: without it, inside ``read_many``'s ``CALL {…} RETURN collect(…)`` the planner
    chose a plan that took ~100 ms for 59 communes instead of 3 ms.
    """
    return (f"COLLECT {{ MATCH (q:Entity {{id: {var}.province}}) USING INDEX SEEK q:Entity(id) "
            f"WHERE q:Province RETURN {P('q', 'name')} }}")


_PLACE_COLUMNS = {
    "n": P("n", *_PLACE_KEYS),
    "parents": f"[(n)-[:PART_OF]->(p) WHERE p:Province OR p:District OR p:Commune | {P('p', 'name', 'era')}]",
    "succ": f"""[(n)-[:SUCCEEDED_BY]->(s) |
     [{P('s', 'name')}, {_province_of('s')}]]""",
    "province": _province_of("n"),
    "parent_succ": f"""[(n)-[:PART_OF]->(c:Commune)-[:SUCCEEDED_BY]->(s) |
     [{P('s', 'name')}, {_province_of('s')}]]""",
}
_PLACE_CYPHER = "RETURN " + ",\n  ".join(f"{expr} AS {name}" for name, expr in _PLACE_COLUMNS.items())
PLACE_LIST = "[" + ", ".join(_PLACE_COLUMNS.values()) + "]"  # the row of place ``n`` as one list


def place_row_neo4j(row: Sequence[Any]) -> PlaceRow:
    """A place row from the list :data:`PLACE_LIST` gives (or the columns of one row)."""
    node, parents, succ, province, parent_succ = row
    return (raw3(node), uniq(map(n3, parents)), _succ_neo4j(succ),
            uniq(map(n3, province)), _succ_neo4j(parent_succ))


def _succ_neo4j(pairs: list[Any]) -> list[tuple[Raw, list[Raw]]]:
    return sorted(((raw3(s), uniq(map(n3, qs))) for s, qs in pairs), key=lambda x: x[0][0])


def place_rows(store: Readable, ids: Iterable[str]) -> list[PlaceRow]:
    """Raw place rows of ``ids``, in id order (the listing picks its ids first: see
    :func:`_places`). From Neo4j the triples carry only the properties
    :func:`place_item` reads.
    """
    with store.reading() as handle:
        return handle.fetch(_place_rows_embedded, _place_rows_neo4j, ids=ids)


def _place_rows_neo4j(reader: Neo4jReader, ids: Iterable[str]) -> list[PlaceRow]:
    rows = reader.read_many("UNWIND $ids AS x MATCH (n:Entity {id: x}) " + _PLACE_CYPHER,
                            tuple(_PLACE_COLUMNS), ids=sorted(set(ids)))
    out = [place_row_neo4j([r[c] for c in _PLACE_COLUMNS]) for r in rows]
    return sorted(out, key=lambda r: r[0][0])


def _place_rows_embedded(snap: EmbeddedSnapshot, ids: Iterable[str]) -> list[PlaceRow]:
    g, out_ids = snap.graph, snap.out_ids
    wanted = sorted(i for i in set(ids) if i in g)

    def province_of(node_id: str) -> list[Raw]:
        ref = g.nodes[node_id]["props"].get("province")
        return [emb(g, ref)] if ref in g and g.nodes[ref]["label"] == "Province" else []

    def succ_of(node_id: str) -> list[tuple[Raw, list[Raw]]]:
        return [(emb(g, s), province_of(s)) for s in out_ids(node_id, "SUCCEEDED_BY")]

    out: list[PlaceRow] = []
    for i in wanted:
        parents = [emb(g, p) for p in out_ids(i, "PART_OF")
                   if g.nodes[p]["label"] in ("Province", "District", "Commune")]
        parent_succ = [s for p in parents if p[1] == "Commune" for s in succ_of(p[0])]
        out.append((emb(g, i), parents, succ_of(i), province_of(i),
                    sorted(parent_succ, key=lambda x: x[0][0])))
    return out


def _names_index(snap: EmbeddedSnapshot, label: str) -> TextIndex:
    """Folded names and aliases of the nodes with ``label`` (kept until the graph changes)."""
    cache = snap.memo("listings.names")
    if label not in cache:
        nodes = snap.node
        cache[label] = TextIndex(
            (i, [fold_cached(str(k)) for k in [nodes[i]["props"].get("name") or "",
                                          *(nodes[i]["props"].get("aliases") or [])]])
            for i in snap.ids_with_label(label))
    index: TextIndex = cache[label]
    return index


def _succ_item(pair: tuple[Raw, list[Raw]]) -> dict[str, Any]:
    (node_id, label, props), provinces = pair
    prov = provinces[0] if provinces else None
    return {"id": node_id, "name": props.get("name"), "level": label.lower(),
            "province": prov[2].get("name") if prov else None,
            "province_id": prov[0] if prov else None}


def place_item(row: PlaceRow) -> dict[str, Any]:
    """The API shape of a place (``successor``: for a village, its commune's successor)."""
    (node_id, label, props), parents, succ, province, parent_succ = row
    parent_raw = parents[0] if parents else (province[0] if province else None)
    successors = succ if label != "Village" else parent_succ
    era = props.get("era")
    if era is None:
        era = next((p[2].get("era") for p in parents if p[1] == "Commune" and p[2].get("era")), "legacy")
    return {
        "id": node_id, "level": label.lower(), "name": props.get("name"),
        "official_code": props.get("code"), "kind": props.get("kind"),
        "parent": ({"id": parent_raw[0], "name": parent_raw[2].get("name"),
                    "level": parent_raw[1].lower()} if parent_raw else None),
        "successor": _succ_item(successors[0]) if successors else None,
        "successors": [_succ_item(s) for s in successors],
        "aliases": list(props.get("aliases") or []),
        "lat": props.get("lat"), "lon": props.get("lon"), "era": era,
    }




def place_by_id(store: Readable, node_id: str) -> dict[str, Any]:
    """The place item of one id; NotFoundError when it is not a place."""
    rows = place_rows(store, [node_id])
    if not rows or rows[0][0][1] not in PLACE_LABELS:
        raise NotFoundError(f"không tìm thấy địa bàn '{node_id}'")
    return place_item(rows[0])


# the listings ------------------------------------------------------------------------------

def _directives(store: ReadHandle, number: str | None, issuer: str | None, kind: str | None,
                limit: int, offset: int) -> dict[str, Any]:
    issuers = set(resolve_many(store, issuer, ORG_LABELS, param="issuer")) if issuer else None
    rows = doc_rows(store, issuers=issuers)
    items = []
    q_number, q_kind = fold(number) if number else None, fold(kind) if kind else None
    for d, issuer_raw in rows:
        props = d[2]
        if issuers is not None and d[1] != "Directive":
            continue
        if q_kind and q_kind not in (fold_cached(str(props.get("kind") or "")),
                                     fold_cached(str(props.get("kind_code") or ""))):
            continue
        if q_number:
            ref = fold_cached(str(props.get("ref") or ""))
            keys = {fold_cached(str(props.get("number") or "")), ref,
                    *(fold_cached(a) for a in props.get("aliases") or [])}
            if q_number not in keys and not ref.startswith(q_number):
                continue
        items.append(doc_item(d[0], d[1], d[2], issuer_raw))
    items.sort(key=lambda i: (i["date"] or "", i["id"]), reverse=True)
    return {"items": items[offset:offset + limit], "total": len(items)}


DIRECTIVES = QuerySpec(
    name="directives",
    title="Văn bản chỉ đạo: kế hoạch, chỉ thị, kết luận…",
    description="Directives filtered by number (133-KH/TU or 133), issuing body and kind "
                "(Kế hoạch or KH), newest first, with the full document number.",
    params=(Param("number", help="số ký hiệu: 133-KH/TU hoặc 133"),
            Param("issuer", help="cơ quan ban hành: id hoặc tên"),
            Param("kind", help="loại văn bản: Kế hoạch, Chỉ thị… hoặc mã KH, CT…"),
            Param("limit", "int", 100, minimum=1, maximum=MAX_LIMIT),
            Param("offset", "int", 0, minimum=0)),
    example={"kind": "Kế hoạch"},
    fetch=_directives, tags=("directives",),
)


def _models(store: ReadHandle, unit: str | None, village: str | None, commune: str | None,
            district: str | None, category: str | None, plan: str | None, limit: int,
            offset: int) -> dict[str, Any]:
    units = set(resolve_many(store, unit, ORG_LABELS, param="unit")) if unit else None
    plans = set(resolve_many(store, plan, ["Directive", "Campaign"], param="plan")) if plan else None
    area = None
    for value, label, param in ((district, "District", "district"), (commune, "Commune", "commune")):
        if value:
            area = store.area(resolve_many(store, value, [label], within=area, param=param))
    if village:
        area = {resolve(store, village, ["Village"], within=area, param="village")}
    if units is not None:
        rows = model_rows(store, "units", units)
    elif area is not None:
        rows = model_rows(store, "area", area)
    elif plans is not None:
        rows = model_rows(store, "plans", plans)
    else:
        rows = model_rows(store, "all")
    items = []
    for row in rows:
        (_, _, props), row_units, places, row_plans = row
        if units is not None and not units & {u[0] for u in row_units}:
            continue
        if area is not None and not area & {t[0][0] for t in places}:
            continue
        if plans is not None and not plans & {p[0] for p in row_plans}:
            continue
        if category and props.get("field") != category:
            continue
        items.append(model_item(row))
    items.sort(key=lambda i: (i["name"] or "", i["id"]))
    return {"items": items[offset:offset + limit], "total": len(items)}


MODELS = QuerySpec(
    name="models",
    title="Mô hình “Dân vận khéo”: ai xây dựng, ở thôn nào, theo kế hoạch nào",
    description="Models with the units that support them, the villages they are in, their field, "
                "whether reports judged them effective, and the plans they are registered under.",
    params=(Param("unit", help="đơn vị: id hoặc tên"),
            Param("village", help="thôn, làng (kèm xã nếu trùng tên)"),
            Param("commune", help="xã (cũ hoặc sau sáp nhập 2025)"),
            Param("district", help="huyện"),
            Param("category", choices=FIELDS, help="lĩnh vực"),
            Param("plan", help="kế hoạch hoặc cuộc vận động"),
            Param("limit", "int", 100, minimum=1, maximum=MAX_LIMIT),
            Param("offset", "int", 0, minimum=0)),
    example={"district": "Kon Rẫy"},
    fetch=_models, tags=("models",),
)


_LEVEL_ORDER = {label.lower(): i for i, label in enumerate(PLACE_LABELS)}


_FULL_ROWS = 300  # Neo4j: up to this many places named like the query, read them whole at once


# Type words a place's name starts with: "Kon Braih" names "Xã Kon Braih" exactly.
_UNIT_WORD = re.compile(r"^(?:tinh|thanh pho|huyen|quan|thi xa|thi tran|xa|phuong|dac khu) ")


def _match_rank(q: str | None, name: str) -> int:
    """0 when ``q`` (folded) is the name with or without its type word, 1 when the name
    starts with it, else 2: a search lists the place it names first.

    >>> [_match_rank("kon braih", n) for n in ("Xã Kon Braih", "Kon Braih Hạ", "Tỉnh Gia Lai")]
    [0, 1, 2]
    """
    if not q:
        return 0
    full = fold_cached(name)
    short = _UNIT_WORD.sub("", full)
    if q in (full, short):
        return 0
    return 1 if full.startswith(q) or short.startswith(q) else 2


def _place_order(q: str | None, map_: str, node_id: str, label: str, name: str
                 ) -> tuple[int, int, int, str, str]:
    """Best name match first, then the units of ``map_`` (villages are in both), then by
    level and name."""
    other_map = label != "Village" and not in_map(node_id, map_)
    return _match_rank(q, name), int(other_map), _LEVEL_ORDER[label.lower()], name, node_id


def _places_embedded(snap: EmbeddedSnapshot, level: str | None, name: str | None, q: str | None,
                     code: str | None, era: str | None, map: str, limit: int,
                     offset: int) -> dict[str, Any]:
    name = name or q  # ``q``: what a search box sends
    return _places(snap, level, fold(name) if name else None, code, era, map, limit, offset, None)


def _places_neo4j(reader: Neo4jReader, level: str | None, name: str | None, q: str | None,
                  code: str | None, era: str | None, map: str, limit: int,
                  offset: int) -> dict[str, Any]:
    name = name or q  # ``q``: what a search box sends
    q = fold(name) if name else None
    named = _neo4j_named(reader, level, q) if q else None
    if named is not None and len(named) <= _FULL_ROWS:
        return _places_whole(reader, named, q or "", code, era, map, limit, offset)  # one read
    return _places(reader, level, q, code, era, map, limit, offset, named)


def _places(store: ReadHandle, level: str | None, q: str | None, code: str | None,
            era: str | None, map: str, limit: int, offset: int,
            named: list[str] | None) -> dict[str, Any]:
    # Order and filter on a light row per place, then shape only the page: a national
    # "dak" matches ~7,000 places, and a full row (parents, successors) each cost ~0.5 s.
    kept = sorted(_place_order(q, map, node_id, label, props.get("name") or "")
                  for node_id, label, props, place_era
                  in store.fetch(_light_embedded, _light_neo4j, level=level, code=code,
                                 contains=q, with_era=bool(era), candidates=named)
                  if not era or place_era == era)
    page = [row[-1] for row in kept[offset:offset + limit]]
    rows = {row[0][0]: row for row in place_rows(store, page)}
    return {"items": [place_item(rows[i]) for i in page], "total": len(kept)}


def _neo4j_named(store: Neo4jReader, level: str | None, contains: str) -> list[str]:
    """Ids of the places of ``level`` whose cached name keys contain ``contains`` (a superset)."""
    labels = [LEVELS[level.lower()]] if level else list(PLACE_LABELS)
    return sorted(r.id for r in store.names(labels) if any(contains in k for k in r.keys))


def _named(q: str, name: Any, aliases: Iterable[Any] | None) -> bool:
    """Whether the folded ``q`` is in a place's name or one of its aliases."""
    return any(q in fold_cached(str(k)) for k in [name or "", *(aliases or [])])


def _places_whole(store: ReadHandle, ids: list[str], q: str, code: str | None, era: str | None,
                  map_: str, limit: int, offset: int) -> dict[str, Any]:
    """The places listing from the full rows of the places ``ids`` (named like ``q``, or
    a superset of those)."""
    items = []
    for row in place_rows(store, ids):
        props = row[0][2]
        if (code is not None and props.get("code") != code) or not _named(
                q, props.get("name"), props.get("aliases")):
            continue
        item = place_item(row)
        if era and item["era"] != era:
            continue
        items.append(item)
    items.sort(key=lambda i: _place_order(q, map_, i["id"], i["level"].capitalize(), i["name"] or ""))
    return {"items": items[offset:offset + limit], "total": len(items)}


LightRow = tuple[str, str, dict[str, Any], str | None]


def _light_neo4j(reader: Neo4jReader, level: str | None, code: str | None, contains: str | None,
                 with_era: bool, candidates: list[str] | None = None) -> list[LightRow]:
    """(id, label, props, era) of the places of ``level`` (all if None) with ``code`` and,
    if ``contains`` (folded) is given, a name or alias that contains it (on Neo4j, looked
    for among ``candidates``: :func:`_neo4j_named`).

    ``era`` (None unless ``with_era``) is as :func:`place_item` gives it: the place's own,
    else that of the first commune it is part of (a village), else "legacy". Neo4j's
    props hold only ``name``.
    """
    labels = [LEVELS[level.lower()]] if level else list(PLACE_LABELS)
    if contains:
        ids = candidates if candidates is not None else _neo4j_named(reader, level, contains)
        head = "UNWIND $ids AS x MATCH (n:Entity {id: x}) "
    else:
        ids = None
        head = (f"MATCH (n:{reader.label(labels[0])}) " if level else
                "MATCH (n:Entity) WHERE n:Province OR n:District OR n:Commune OR n:Village ")
    rows = reader.read(
        head + "WITH n, [l IN labels(n) WHERE l IN $labels][0] AS label "
        "WHERE label IS NOT NULL AND ($code IS NULL OR n.code = $code) "
        "RETURN n.id AS id, label, n.name AS name, n.aliases AS aliases, n.era AS era, "
        "CASE WHEN $with_era AND n.era IS NULL THEN [(n)-[:PART_OF]->(c:Commune) "
        "WHERE c.era IS NOT NULL AND c.era <> '' | [c.id, c.era]] END AS communes",
        ids=ids, labels=labels, code=code, with_era=with_era)
    out = []
    for r in rows:
        if contains and not _named(contains, r["name"], r["aliases"]):
            continue  # the name rows' keys also hold other forms of the name
        place_era = r["era"]
        if with_era and place_era is None:
            place_era = min(r["communes"])[1] if r["communes"] else "legacy"
        out.append((r["id"], r["label"], {"name": r["name"]}, place_era))
    return out


def _light_embedded(snap: EmbeddedSnapshot, level: str | None, code: str | None,
                    contains: str | None, with_era: bool,
                    candidates: list[str] | None = None) -> list[LightRow]:
    """:func:`_light_neo4j` on the embedded store (``candidates`` are not needed here)."""
    labels = [LEVELS[level.lower()]] if level else list(PLACE_LABELS)
    nodes = snap.node
    found: Iterable[str] = (  # the names index holds exactly the names and aliases
        [i for lab in labels for i in snap.ids_with_label(lab)] if contains is None
        else {i for lab in labels for i in _names_index(snap, lab).owners_containing(contains)})
    out = []
    for i in found:
        data = nodes[i]
        props = data["props"]
        if code is not None and props.get("code") != code:
            continue
        place_era = props.get("era")
        if with_era and place_era is None:
            place_era = next((nodes[p]["props"]["era"] for p in snap.out_ids(i, "PART_OF")
                              if nodes[p]["label"] == "Commune" and nodes[p]["props"].get("era")),
                             "legacy")
        out.append((i, data["label"], props, place_era))
    return out


PLACES = QuerySpec(
    name="places",
    title="Địa bàn: tỉnh, huyện, xã, thôn (trước và sau sáp nhập 2025)",
    description="Places by level, name (without regard to accents), official code and era "
                "(legacy or 2025), with parent, 2025 successor, aliases and coordinates. With a "
                "name, the place named exactly comes first, the units of the map asked for (2025 "
                "by default) before those of the other.",
    params=(Param("level", choices=tuple(LEVELS), help="cấp: province, district, commune, village"),
            Param("name", help="tên (không cần dấu)"),
            Param("q", help="như name: tìm theo tên, địa bàn đúng tên đứng đầu"),
            Param("code", help="mã hành chính"),
            Param("era", choices=("legacy", "2025"), help="thời kỳ: legacy hoặc 2025"),
            MAP_PARAM,
            Param("limit", "int", 100, minimum=1, maximum=MAX_LIMIT),
            Param("offset", "int", 0, minimum=0)),
    example={"level": "commune", "name": "dak"},
    embedded=_places_embedded, neo4j=_places_neo4j, tags=("places",),
)
QUERIES = (DIRECTIVES, MODELS, PLACES)
