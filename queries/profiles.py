"""profiles — one place, village, unit or entity with everything around it.

* ``place``: a province, district, commune or village with parent and 2025 successor;
* ``village_profile``: who helps a village, under which plans, with which models, and events;
* ``unit_profile``: where a unit helps, its models, plans and the directives it issued;
* ``entity``: any node with its properties and the evidence text of its sources.

>>> from danvan.queries.catalogue import CATALOGUE
>>> CATALOGUE["village_profile"].example
{'village': 'Thôn 9', 'commune': 'Đăk Ruồng'}
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from danvan.errors import NotFoundError
from danvan.graph.sources import parse_source_ref
from danvan.queries.base import ORG_LABELS, PLACE_LABELS, display_name
from danvan.queries.listings import (
    PLACE_LIST,
    N,
    Raw,
    doc_item,
    emb,
    n3,
    place_by_id,
    place_item,
    place_row_neo4j,
    place_rows,
    plan_ref,
    resolve_any,
    uniq,
)
from danvan.queries.resolve import resolve, resolve_many
from danvan.queries.spec import Param, QuerySpec

if TYPE_CHECKING:
    from danvan.graph.reading import EmbeddedSnapshot, Neo4jReader, ReadHandle

H = TypeVar("H", bound="ReadHandle")

__all__: list[str] = []


def _ref(raw: Raw | None, *extra: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    out: dict[str, Any] = {"id": raw[0], "name": display_name(raw[2], raw[0])}
    for key in extra:
        out[key] = raw[2].get(key)
    return out


def _model(raw: Raw, plans: list[Raw]) -> dict[str, Any]:
    props = raw[2]
    return {"id": raw[0], "name": props.get("name"), "category": props.get("field"),
            "effective": props.get("effective"), "year": props.get("year"),
            "households": props.get("households"),
            "plans": [{"id": p[0], "number": plan_ref(p)["number"]} for p in plans]}


# place -------------------------------------------------------------------------------------
def _place(store: ReadHandle, id: str) -> dict[str, Any]:
    return place_by_id(store, resolve_any(store, id, "id", PLACE_LABELS))


PLACE = QuerySpec(
    name="place",
    title="Thông tin một địa bàn",
    description="One province, district, commune or village: official code, parent, 2025 "
                "successor, aliases, coordinates and era.",
    params=(Param("id", required=True, help="id hoặc tên địa bàn"),),
    example={"id": "commune-23488"}, fetch=_place, tags=("places",),
)


# village profile ---------------------------------------------------------------------------
# raw: assignments [(assignment, unit, plan|None)], supports [(unit, edge props)],
#      models [(model, plans)], events [(event, place id)]
_VILLAGE_CYPHER = f"""
MATCH (v:Entity {{id: $id}})
RETURN
  [(a:Assignment)-[:ASSIGNED_TO]->(v) | [{N('a')},
     head([(a)-[:ASSIGNED_UNIT]->(u) | {N('u')}]), head([(a)-[:UNDER_PLAN]->(p) | {N('p')}])]]
     AS assignments,
  [(u)-[r:SUPPORTS]->(v) WHERE u:Unit OR u:PartyBody | [{N('u')}, properties(r)]] AS supports,
  [(m:Model)-[:LOCATED_IN]->(v) | [{N('m')}, [(m)-[:REGISTERED_UNDER]->(p) | {N('p')}]
     + [(m)<-[:WITH_MODEL]-(:Assignment)-[:UNDER_PLAN]->(p) | {N('p')}]]]
  + [(m:Model)<-[:WITH_MODEL]-(:Assignment)-[:ASSIGNED_TO]->(v) | [{N('m')},
       [(m)-[:REGISTERED_UNDER]->(p) | {N('p')}]
       + [(m)<-[:WITH_MODEL]-(:Assignment)-[:UNDER_PLAN]->(p) | {N('p')}]]] AS models,
  [(e:Event)-[:HELD_AT]->(v) | [{N('e')}, v.id]]
  + [(e:Event)-[:HELD_AT]->(c:Commune)<-[:PART_OF]-(v) | [{N('e')}, c.id]] AS events,
  [(v)-[:PART_OF]->(c:Commune) | c.id] AS communes,
  COLLECT {{ UNWIND [v] + [(v)-[:PART_OF]->(c:Commune) | c] AS n RETURN {PLACE_LIST} }} AS places
"""


def _model_plans_embedded(snap: EmbeddedSnapshot, m: str) -> list[Raw]:
    g, out_ids, in_ids = snap.graph, snap.out_ids, snap.in_ids
    plans = [emb(g, p) for p in out_ids(m, "REGISTERED_UNDER")]
    plans += [emb(g, p) for a in in_ids(m, "WITH_MODEL") for p in out_ids(a, "UNDER_PLAN")]
    return uniq(plans)


def _village_raw_neo4j(reader: Neo4jReader, v: str) -> dict[str, Any]:
    r = reader.read(_VILLAGE_CYPHER, id=v)[0]
    return {
        "assignments": [(n3(a), n3(u), n3(p)) for a, u, p in r["assignments"]],
        "supports": [(n3(u), {k: x for k, x in p.items()}) for u, p in r["supports"]],
        "models": [(n3(m), uniq(map(n3, ps))) for m, ps in r["models"]],
        "events": [(n3(e), where) for e, where in r["events"]],
        "communes": sorted(set(r["communes"])),
        "places": [place_row_neo4j(row) for row in r["places"]],  # place_rows of v and communes
    }


def _village_raw_embedded(snap: EmbeddedSnapshot, v: str) -> dict[str, Any]:
    g, out_ids, in_ids = snap.graph, snap.out_ids, snap.in_ids
    assignments = []
    for a in in_ids(v, "ASSIGNED_TO"):
        unit, plan = out_ids(a, "ASSIGNED_UNIT"), out_ids(a, "UNDER_PLAN")
        assignments.append((emb(g, a), emb(g, unit[0]) if unit else None,
                            emb(g, plan[0]) if plan else None))
    supports = [(emb(g, u), g.edges[u, v, "SUPPORTS"]["props"]) for u in in_ids(v, "SUPPORTS")
                if g.nodes[u]["label"] in ORG_LABELS]
    model_ids = [m for m in in_ids(v, "LOCATED_IN") if g.nodes[m]["label"] == "Model"]
    model_ids += [m for a in in_ids(v, "ASSIGNED_TO") for m in out_ids(a, "WITH_MODEL")]
    models = [(emb(g, m), _model_plans_embedded(snap, m)) for m in model_ids]
    places = [v] + [c for c in out_ids(v, "PART_OF") if g.nodes[c]["label"] == "Commune"]
    events = [(emb(g, e), p) for p in places for e in in_ids(p, "HELD_AT")
              if g.nodes[e]["label"] == "Event"]
    return {"assignments": assignments, "supports": supports, "models": models, "events": events,
            "communes": places[1:]}


def _village_profile(store: H, village: str, commune: str | None, *,
                     read: Callable[[H, str], dict[str, Any]]) -> dict[str, Any]:
    area = None
    if commune:
        area = store.area(resolve_many(store, commune, ["Commune"], param="commune"))
    v = resolve(store, village, ["Village"], within=area, param="village")
    raw = read(store, v)
    found = raw.get("places")  # Neo4j reads them with the rest
    if found is None:
        found = place_rows(store, [v, *raw["communes"]])
    rows = {row[0][0]: row for row in found}
    place = place_item(rows[v])
    parent = (place["parent"] or {}).get("id")
    commune_item = place_item(rows[parent]) if parent in rows else None
    helpers: dict[str, dict[str, Any]] = {}

    def helper(unit: Raw) -> dict[str, Any]:
        return helpers.setdefault(unit[0], {"unit": _ref(unit), "plans": {}, "from": [], "until": [],
                                            "assignments": []})

    for a, unit, plan in raw["assignments"]:
        if unit is None:
            continue
        h = helper(unit)
        h["assignments"].append(a[0])
        if plan is not None:
            h["plans"][plan[0]] = plan
        h["from"].append(a[2].get("from"))
        h["until"].append(a[2].get("until"))
    for unit, props in raw["supports"]:
        h = helper(unit)
        h["from"].append(props.get("from"))
        h["until"].append(props.get("until"))
    helper_items = []
    for h in helpers.values():
        froms, untils = [x for x in h["from"] if x], [x for x in h["until"] if x]
        helper_items.append({
            "unit": h["unit"], "plans": [plan_ref(p) for _, p in sorted(h["plans"].items())],
            "from": min(froms) if froms else None,
            "until": max(untils) if untils and len(untils) == len(h["until"]) else None,
            "assignments": sorted(h["assignments"]),
        })
    helper_items.sort(key=lambda h: (h["unit"]["name"], h["unit"]["id"]))
    models = {m[0]: _model(m, plans) for m, plans in raw["models"]}
    plans: dict[str, Raw] = {p[0]: p for _, _, p in raw["assignments"] if p is not None}
    plans.update({p[0]: p for _, ps in raw["models"] for p in ps})
    events = {e[0]: {"id": e[0], "name": e[2].get("name"), "date": e[2].get("date"),
                     "kind": e[2].get("kind"), "place": e[2].get("place"), "held_at": where}
              for e, where in raw["events"]}
    return {
        "village": place, "commune": commune_item,
        "successor": place["successor"],
        "helpers": helper_items,
        "models": sorted(models.values(), key=lambda m: (m["name"] or "", m["id"])),
        "plans": [plan_ref(p) for _, p in sorted(plans.items())],
        "events": sorted(events.values(), key=lambda e: (e["date"] or "", e["id"]), reverse=True),
    }


VILLAGE_PROFILE = QuerySpec(
    name="village_profile",
    title="Hồ sơ thôn, làng: ai giúp đỡ, theo kế hoạch nào, mô hình gì",
    description="One village: its commune and 2025 successor, the units helping it (with plans "
                "and period), its models, the plans involved and events held there or in its commune.",
    params=(Param("village", required=True, help="thôn, làng: id hoặc tên"),
            Param("commune", help="xã, để phân biệt các thôn trùng tên")),
    example={"village": "Thôn 9", "commune": "Đăk Ruồng"},
    embedded=partial(_village_profile, read=_village_raw_embedded),
    neo4j=partial(_village_profile, read=_village_raw_neo4j), tags=("profiles",),
)


# unit profile ------------------------------------------------------------------------------
_UNIT_CYPHER = f"""
MATCH (u:Entity {{id: $id}})
RETURN {N('u')} AS u,
  [(u)-[:SCOPED_TO]->(s) | {N('s')}] AS scope,
  [(u)-[:PART_OF]->(p) | {N('p')}] AS parents,
  [(a:Assignment)-[:ASSIGNED_UNIT]->(u) | [{N('a')},
     head([(a)-[:ASSIGNED_TO]->(t) | [{N('t')}, [(t)-[:PART_OF]->(c) | {N('c')}]]]),
     head([(a)-[:UNDER_PLAN]->(p) | {N('p')}])]] AS assignments,
  [(u)-[:SUPPORTS]->(t) WHERE NOT t:Model | [{N('t')}, [(t)-[:PART_OF]->(c) | {N('c')}]]] AS supports,
  [(u)-[:SUPPORTS]->(m:Model) | m.id] + [(u)<-[:ASSIGNED_UNIT]-(:Assignment)-[:WITH_MODEL]->(m) | m.id]
     AS model_ids,
  [(u)-[:ISSUES]->(d) | [{N('d')}, head([(i)-[:ISSUES]->(d) WHERE i.id = d.issuer | {N('i')}])]]
     AS issued
"""
_MODELS_CYPHER = f"""
UNWIND $ids AS x MATCH (m:Entity {{id: x}})
RETURN {N('m')} AS m, [(m)-[:REGISTERED_UNDER]->(p) | {N('p')}]
  + [(m)<-[:WITH_MODEL]-(:Assignment)-[:UNDER_PLAN]->(p) | {N('p')}] AS plans
"""


def _unit_raw_neo4j(reader: Neo4jReader, u: str) -> dict[str, Any]:
    r = reader.read(_UNIT_CYPHER, id=u)[0]
    model_ids = sorted(set(r["model_ids"]))
    models = (reader.read_many(_MODELS_CYPHER, ("m", "plans"), ids=model_ids)
              if model_ids else [])
    return {
        "unit": n3(r["u"]), "scope": uniq(map(n3, r["scope"])), "parents": uniq(map(n3, r["parents"])),
        "assignments": [(n3(a), (n3(t[0]), uniq(map(n3, t[1]))) if t else None, n3(p))
                        for a, t, p in r["assignments"]],
        "supports": [(n3(t), uniq(map(n3, cs))) for t, cs in r["supports"]],
        "models": [(n3(m["m"]), uniq(map(n3, m["plans"]))) for m in models],
        "issued": [(n3(d), n3(i)) for d, i in r["issued"]],
    }


def _unit_raw_embedded(snap: EmbeddedSnapshot, u: str) -> dict[str, Any]:
    g, out_ids, in_ids = snap.graph, snap.out_ids, snap.in_ids
    def with_parents(t: str) -> tuple[Raw, list[Raw]]:
        return emb(g, t), uniq(emb(g, c) for c in out_ids(t, "PART_OF"))

    assignments = []
    for a in in_ids(u, "ASSIGNED_UNIT"):
        target, plan = out_ids(a, "ASSIGNED_TO"), out_ids(a, "UNDER_PLAN")
        assignments.append((emb(g, a), with_parents(target[0]) if target else None,
                            emb(g, plan[0]) if plan else None))
    model_ids = {m for m in out_ids(u, "SUPPORTS") if g.nodes[m]["label"] == "Model"}
    model_ids |= {m for a in in_ids(u, "ASSIGNED_UNIT") for m in out_ids(a, "WITH_MODEL")}
    issued = []
    for d in out_ids(u, "ISSUES"):
        issuer = g.nodes[d]["props"].get("issuer")
        ok = issuer in g and g.has_edge(issuer, d, "ISSUES")
        issued.append((emb(g, d), emb(g, issuer) if ok else None))
    return {
        "unit": emb(g, u), "scope": uniq(emb(g, s) for s in out_ids(u, "SCOPED_TO")),
        "parents": uniq(emb(g, p) for p in out_ids(u, "PART_OF")),
        "assignments": assignments,
        "supports": [with_parents(t) for t in out_ids(u, "SUPPORTS")
                     if g.nodes[t]["label"] != "Model"],
        "models": [(emb(g, m), _model_plans_embedded(snap, m)) for m in sorted(model_ids)],
        "issued": issued,
    }


def _unit_profile(store: H, unit: str, *, read: Callable[[H, str], dict[str, Any]]) -> dict[str, Any]:
    u = resolve(store, unit, ORG_LABELS, param="unit")
    raw = read(store, u)
    node_id, label, props = raw["unit"]
    scope = raw["scope"][0] if raw["scope"] else None
    parent = raw["parents"][0] if raw["parents"] else None
    targets: dict[str, tuple[Raw, list[Raw]]] = {}
    for _, target, _ in raw["assignments"]:
        if target is not None:
            targets[target[0][0]] = target
    for target in raw["supports"]:
        targets[target[0][0]] = target
    plans: dict[str, Raw] = {p[0]: p for _, _, p in raw["assignments"] if p is not None}
    plans.update({p[0]: p for _, ps in raw["models"] for p in ps})

    def places(level: str, parent_label: str, key: str) -> list[dict[str, Any]]:
        out = []
        for t, parents in targets.values():
            if t[1] != level:
                continue
            up = next((p for p in parents if p[1] == parent_label), None)
            out.append({"id": t[0], "name": t[2].get("name"), key: up[2].get("name") if up else None,
                        f"{key}_id": up[0] if up else None})
        return sorted(out, key=lambda x: x["id"])

    models = [_model(m, ps) for m, ps in raw["models"]]
    return {
        "unit": {"id": node_id, "name": display_name(props, node_id), "type": label,
                 "kind": props.get("kind"), "aliases": list(props.get("aliases") or []),
                 "scope": ({"id": scope[0], "name": scope[2].get("name"), "level": scope[1].lower()}
                           if scope else None)},
        "parent": ({"id": parent[0], "name": display_name(parent[2], parent[0]), "type": parent[1]}
                   if parent else None),
        "villages": places("Village", "Commune", "commune"),
        "communes": places("Commune", "District", "district"),
        "districts": places("District", "Province", "province"),
        "models": sorted(models, key=lambda m: (m["name"] or "", m["id"])),
        "plans": [plan_ref(p) for _, p in sorted(plans.items())],
        "directives_issued": sorted((doc_item(d[0], d[1], d[2], i) for d, i in raw["issued"]),
                                    key=lambda x: (x["date"] or "", x["id"]), reverse=True),
        "assignments_total": len(raw["assignments"]),
        **_succession(store, u),
    }


def _succession(store: ReadHandle, u: str) -> dict[str, list[dict[str, Any]]]:
    """The bodies ``u`` continues and those that continue it (CONTINUED_BY, dated), so a body
    of today's map leads to its predecessors' plans and back."""
    ins, outs = store.edges_of(u, "in", ["CONTINUED_BY"]), store.edges_of(u, "out", ["CONTINUED_BY"])
    nodes = store.get_many({e.source for e in ins} | {e.target for e in outs})

    def item(other: str, props: dict[str, Any]) -> dict[str, Any]:
        node = nodes.get(other)
        return {"id": other, "name": node.name if node else other, "date": props.get("date"),
                "basis": props.get("basis")}
    return {"continues": sorted((item(e.source, e.props) for e in ins), key=lambda x: x["id"]),
            "continued_by": sorted((item(e.target, e.props) for e in outs), key=lambda x: x["id"])}


UNIT_PROFILE = QuerySpec(
    name="unit_profile",
    title="Hồ sơ cơ quan, đơn vị: giúp đỡ ở đâu, mô hình, kế hoạch, văn bản ban hành",
    description="One unit or party body: its scope and parent, the villages, communes and districts "
                "it helps, its models, the plans involved, the directives it issued, and the bodies "
                "it continues or that continue it (dated, across the 2025 reforms).",
    params=(Param("unit", required=True, help="đơn vị: id hoặc tên"),),
    example={"unit": "Hội Liên hiệp Phụ nữ huyện Kon Rẫy"},
    embedded=partial(_unit_profile, read=_unit_raw_embedded),
    neo4j=partial(_unit_profile, read=_unit_raw_neo4j), tags=("profiles",),
)


# entity ------------------------------------------------------------------------------------
def _entity(store: ReadHandle, id: str) -> dict[str, Any]:
    node = store.get(id)
    if node is None:
        node = store.get(resolve_any(store, id, "id"))
    if node is None:  # pragma: no cover - resolve_any raises first
        raise NotFoundError(f"không tìm thấy '{id}' (id)")
    sources = [parse_source_ref(s).to_dict() for s in node.props.get("sources", [])]
    docs = store.get_many(sorted({s["document"] for s in sources}))
    for s in sources:
        doc = docs.get(s["document"])
        text = doc.props.get("text") if doc is not None else None
        s["title"] = doc.props.get("title") if doc is not None else None
        s["text"] = (text[s["start"]:s["end"]] if text and s["start"] is not None
                     and s["end"] is not None else None)
    props = {k: v for k, v in node.props.items() if k not in ("sources", "text")}
    return {"id": node.id, "type": node.label, "type_name": store.schema.labels[node.label].display,
            "name": node.name, "properties": props, "sources": sources,
            "has_text": bool(node.props.get("text"))}


ENTITY = QuerySpec(
    name="entity",
    title="Chi tiết một đối tượng và trích dẫn nguồn",
    description="Any node by id: its type, properties and the sources that state it, with the "
                "quoted evidence when the document text is stored (a Source's own text is left out).",
    params=(Param("id", required=True, help="id (hoặc tên)"),),
    example={"id": "commune-23488"}, fetch=_entity, tags=("profiles",),
)
QUERIES = (PLACE, VILLAGE_PROFILE, UNIT_PROFILE, ENTITY)
