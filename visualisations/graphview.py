"""Interactive graph pages: a subgraph or a catalogue result → one HTML page drawn by vis-network.

The page loads nothing from outside: the data travels as JSON inside
``<script type="application/json">`` (``<``, ``>`` and ``&`` escaped, so no
document text can close the block) and the page's own script draws hover cards
with ``textContent`` only. A standalone file inlines vis-network; a served page
points at the copy the explorer serves under ``/assets/``.

>>> from danvan.graph.embedded import EmbeddedStore
>>> store = EmbeddedStore(":memory:")
>>> _ = store.write([store.schema.node("Province", name="Tỉnh <b>", code="62")])
>>> view = graph_view(store)
>>> view.data["meta"]["shown"], "<b>" in json_for_script(view.data)
(1, False)
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape

from danvan.graph.schema import load_schema
from danvan.graph.sources import parse_source_ref
from danvan.graph.types import Edge, Node, Subgraph
from danvan.queries.catalogue import run
from danvan.queries.links import evidence, short
from danvan.queries.subgraphs import DEFAULT_LIMIT, LOW_PRIORITY, MAX_DEPTH

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["DEFAULT_LIMIT", "LOW_PRIORITY", "GraphView", "build_subgraph", "evidence", "graph_data",
           "graph_view", "json_for_script", "layered_view", "radial_layout", "render_page",
           "result_view", "vis_network_js"]

EVIDENCE_CHARS = 400
VALUE_CHARS = 200
_HIDDEN_PROPS = {"name", "sources", "synthetic", "aliases", "text", "sha256", "confidence"}


@dataclass
class GraphView:
    """A subgraph ready to draw: ``data`` is what the page's script reads."""

    data: dict[str, Any]
    title: str = "Đồ thị quan hệ"
    filters: dict[str, Any] = field(default_factory=dict)


# escaping ------------------------------------------------------------------------------
def json_for_script(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` literally.

    >>> json_for_script({"name": "</script><!--"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(data, ensure_ascii=False, default=str)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


# subgraphs -----------------------------------------------------------------------------
def _subgraph(found: dict[str, Any]) -> Subgraph:
    """A ``subgraph`` or ``commune_graph`` answer as a Subgraph."""
    return Subgraph([Node(n["label"], n["id"], n["props"]) for n in found["nodes"]],
                    [Edge(e["type"], e["source"], e["target"], e["props"]) for e in found["edges"]],
                    bool(found.get("truncated")))


def build_subgraph(store: Store, *, plan: str | None = None, district: str | None = None,
                   commune: str | None = None, unit: str | None = None, focus: str | None = None,
                   depth: int = 1, limit: int = DEFAULT_LIMIT) -> tuple[Subgraph, int]:
    """The subgraph the filters select, trimmed to ``limit`` nodes, and its size before trimming.

    The catalogued ``subgraph`` query (queries/subgraphs.py): ``focus`` (an id or a name)
    draws its neighbourhood ``depth`` steps out; plan, district, commune and unit draw the
    assignments they select; nothing selects the whole graph.
    """
    found = run(store, "subgraph", plan=plan, district=district, commune=commune, unit=unit, focus=focus,
                depth=max(0, min(int(depth), MAX_DEPTH)), limit=limit)
    return _subgraph(found), found["total"]


def _ids_in(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("id", "source", "target") and isinstance(item, str):
                out.append(item)
            else:
                _ids_in(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _ids_in(item, out)


_NOTHING: dict[str, Any] = {"nodes": [], "edges": [], "total": 0, "names": {}, "sources": {}}


def result_view(store: Store, result: Any, *, title: str, limit: int = DEFAULT_LIMIT) -> GraphView:
    """Any catalogue result drawn: the entities it names (in the order it names them) and
    the edges among them, read with the ``subgraph`` query's ``ids``."""
    ids: list[str] = []
    _ids_in(result, ids)
    known = [i for i in dict.fromkeys(ids) if store.schema.label_of_id(i)]
    found = run(store, "subgraph", ids=known, limit=limit) if known else _NOTHING
    return GraphView(graph_data(_subgraph(found), total=found["total"], limit=limit, title=title,
                                names=found["names"], sources=found["sources"]), title)


# page data -----------------------------------------------------------------------------
@cache
def _styles() -> dict[str, Any]:
    from danvan.graph.schema import load_schema

    schema = load_schema()
    labels = {name: {"display": spec.display, "color": spec.style.get("color", "#999999"),
                     "shape": spec.style.get("shape", "dot"),
                     "props": {p.name: p.display for p in spec.properties.values()}}
              for name, spec in schema.labels.items()}
    edges = {name: spec.display for name, spec in schema.edges.items()}
    return {"labels": labels, "edges": edges}


def _shown(label: str, key: str, value: Any) -> Any:
    """A property as a person reads it: enum members in Vietnamese, dates d/m/yyyy.

    >>> _shown("Unit", "kind", "mass_organisation"), _shown("Assignment", "from", "2024-03-14")
    ('tổ chức chính trị - xã hội', '14/3/2024')
    """
    from danvan.graph.schema import load_schema
    from danvan.text import dmy

    labels = load_schema().labels
    prop = labels[label].properties.get(key) if label in labels else None
    if prop is None:
        return value
    return dmy(value) if prop.type == "date" else prop.shown(value)


def _short(value: Any, size: int = VALUE_CHARS) -> str:
    return short(value, size)


def _bare_sources(props: dict[str, Any]) -> list[dict[str, Any]]:
    """A node's source references without the documents (no query answer came with them)."""
    return [{"id": ref.document, "title": ref.document, "evidence": None}
            for ref in map(parse_source_ref, props.get("sources") or [])]


def _node_label(name: str, label: str) -> str:
    return name if len(name) <= 40 else name[:38] + "…"


def graph_data(sub: Subgraph, *, total: int | None = None,
               limit: int = DEFAULT_LIMIT, title: str = "Đồ thị quan hệ",
               filters: dict[str, Any] | None = None,
               positions: dict[str, tuple[int, int]] | None = None,
               names: dict[str, str] | None = None,
               sources: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """JSON-ready page data: nodes, edges, styles, counts and the trimming notice.

    ``positions`` (a layered view) fixes where each node is drawn; otherwise rings are laid out.
    A village's label names its commune on a second line ("Thôn 7" is in twenty communes).
    ``names`` (of the nodes the properties refer to) and ``sources`` (per node, as the
    ``subgraph`` query gives them) come with a query's answer; without them references
    show as ids and cards have no evidence.
    """
    styles = _styles()
    schema = load_schema()
    refs_named = names is not None
    known = {n.id: n.name for n in sub.nodes}
    if names is not None:
        known.update({i: name for i, name in names.items() if i not in known})
    names = known
    nodes = []
    for node in sorted(sub.nodes, key=lambda n: n.id):
        spec = styles["labels"].get(node.label, {"props": {}})
        name = node.name
        if node.label == "Assignment":
            unit, target = node.props.get("unit"), node.props.get("target")
            name = f"{names.get(unit, unit)} giúp đỡ {names.get(target, target)}"
        props = []
        for key, value in node.props.items():
            if key in _HIDDEN_PROPS or value in (None, "", []):
                continue
            if isinstance(value, str) and refs_named and schema.label_of_id(value):
                value = names.get(value, value)
            value = _shown(node.label, key, value)
            props.append([spec["props"].get(key, key), _short(value)])
        short = "Phân công: " + str(names.get(node.props.get("target"), "")) \
            if node.label == "Assignment" else name
        label = _node_label(short, node.label)
        if node.label == "Village" and node.props.get("commune") in names:
            label += "\n" + _node_label(names[node.props["commune"]], "Commune")
        item = {"id": node.id, "label": label, "name": name,
                "group": node.label, "props": props[:10],
                "sources": (sources.get(node.id, []) if sources is not None
                            else _bare_sources(node.props))[:5]}
        if node.props.get("synthetic"):
            item["synthetic"] = True
        if node.label == "Model" and node.props.get("field"):
            item["field"] = node.props["field"]
        nodes.append(item)
    layered = positions is not None
    if positions is None:
        positions = radial_layout([n["id"] for n in nodes], [(e.source, e.target) for e in sub.edges])
    for item in nodes:
        item["x"], item["y"] = positions.get(item["id"], (0, 0))
    edges = [{"from": e.source, "to": e.target, "type": e.type,
              "label": styles["edges"].get(e.type, e.type)}
             for e in sorted(sub.edges, key=lambda e: e.key)]
    return {
        "title": title,
        "nodes": nodes, "edges": edges,
        "styles": styles,
        "filters": {k: v for k, v in (filters or {}).items() if v not in (None, "")},
        "layout": "layers" if layered else "rings",
        "meta": {"shown": len(nodes), "edges": len(edges),
                 "total": total if total is not None else len(nodes),
                 "truncated": bool(sub.truncated), "limit": limit,
                 "synthetic": any(n.get("synthetic") for n in nodes)},
    }


def graph_view(store: Store, *, title: str | None = None, limit: int = DEFAULT_LIMIT,
               **filters: Any) -> GraphView:
    """Build the view the filters select (the ``subgraph`` query, see :func:`build_subgraph`)."""
    params = dict(filters)
    depth = max(0, min(int(params.pop("depth", 1)), MAX_DEPTH))
    found = run(store, "subgraph", **params, depth=depth, limit=limit)
    sub = _subgraph(found)
    if title is None:
        title = "Đồ thị quan hệ"
        known = {n.id: n.name for n in sub.nodes} | found["names"]
        chosen = [known.get(str(v), str(v)) for k, v in filters.items() if v and k != "depth"]
        if chosen:
            title += ": " + ", ".join(chosen)
    return GraphView(graph_data(sub, total=found["total"], limit=limit, title=title,
                                filters=filters, names=found["names"], sources=found["sources"]),
                     title, filters)



# the page's first view: one commune in layers ------------------------------------------
LAYER_GAP_X = 300  # px between columns: a 40-character label (≈ 280 px at 14 px) fits
LAYER_GAP_Y = 68   # px between rows: a node and its label of two 14 px lines


def layered_view(store: Store, commune: str | None = None) -> GraphView | None:
    """The graph page's first view: ``commune`` (default: the one with the most assignments) in
    columns, each column centred, with ways to widen; None when no commune has an assignment."""
    found = run(store, "commune_graph", commune=commune)
    start = found["commune"]
    if start is None:
        return None
    positions = {}
    for x, column in enumerate(found["columns"]):
        top = -(len(column) - 1) * LAYER_GAP_Y / 2
        for y, node_id in enumerate(column):
            positions[node_id] = (x * LAYER_GAP_X, round(top + y * LAYER_GAP_Y))
    sub = _subgraph(found)
    nodes = {n.id: n for n in sub.nodes}
    node = nodes.get(start)
    name = node.name if node else start
    title = f"Đồ thị: {name} — thôn, đơn vị giúp đỡ và kế hoạch"
    data = graph_data(sub, title=title, positions=positions, filters={"commune": start},
                      names=found["names"], sources=found["sources"])
    district = (node.props.get("district") if node else None) or ""
    data["widen"] = [[f"Quanh {name}, sâu 2 bước", f"/graph?focus={start}&depth=2"]]
    if district:
        known = nodes[district].name if district in nodes else found["names"].get(district, district)
        data["widen"].append([f"Cả {known}", f"/graph?district={district}"])
    data["widen"].append(["Toàn bộ cơ sở dữ liệu", "/graph?all=1"])
    return GraphView(data, title, {"commune": start})


# layout --------------------------------------------------------------------------------
def radial_layout(ids: Iterable[str], pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """Starting positions in O(n): each connected part as rings around its best-connected node.

    vis-network then needs only a few physics steps instead of hundreds from random positions.

    >>> pos = radial_layout(["a", "b", "c"], [("a", "b"), ("a", "c")])
    >>> pos["a"], abs(pos["b"][0] - pos["a"][0]) + abs(pos["b"][1] - pos["a"][1]) > 100
    ((0, 0), True)
    """
    import math

    nodes = list(dict.fromkeys(ids))
    full: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in pairs:
        if a in full and b in full and a != b:
            full[a].add(b)
            full[b].add(a)
    # Hubs (a plan with hundreds of assignments, the province) would put everything on one ring:
    # lay out the rest by its own structure and put each hub among its neighbours afterwards.
    limit = max(40, int(2 * math.sqrt(len(nodes))))
    hubs = {n for n in nodes if len(full[n]) > limit}
    adj = {n: [m for m in full[n] if m not in hubs] for n in nodes if n not in hubs}
    seen: set[str] = set()
    parts = []
    for start in sorted(adj, key=lambda n: (-len(adj[n]), n)):
        if start in seen:
            continue
        seen.add(start)
        order, parent, depth = [start], {start: ""}, {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for other in sorted(set(adj[node])):
                if other not in seen:
                    seen.add(other)
                    parent[other], depth[other] = node, depth[node] + 1
                    order.append(other)
                    queue.append(other)
        size = dict.fromkeys(order, 1)
        children: dict[str, list[str]] = {n: [] for n in order}
        for node in reversed(order[1:]):
            size[parent[node]] += size[node]
        for node in order[1:]:
            children[parent[node]].append(node)
        per_ring: dict[int, int] = {}
        for node in order:
            per_ring[depth[node]] = per_ring.get(depth[node], 0) + 1
        radius = [0.0]
        for ring in range(1, max(per_ring) + 1):
            radius.append(max(radius[-1] + 160, per_ring[ring] * 42 / (2 * math.pi)))
        wedge = {start: (0.0, 2 * math.pi)}
        local = {}
        for node in order:
            a0, a1 = wedge[node]
            angle = (a0 + a1) / 2
            r = radius[depth[node]]
            local[node] = (r * math.cos(angle), r * math.sin(angle))
            cursor, total = a0, max(1, size[node] - 1)
            for child in children[node]:
                span = (a1 - a0) * size[child] / total
                wedge[child] = (cursor, cursor + span)
                cursor += span
        parts.append((radius[-1] + 120, local))
    # the biggest part at the origin; the others in rows just below it, as wide as it is
    out: dict[str, tuple[int, int]] = {}
    if not parts:
        parts.append((0.0, {}))
    first_r, first = parts[0]
    for node, (lx, ly) in first.items():
        out[node] = (round(lx), round(ly))
    rest = parts[1:]
    width = max(2 * first_r, math.sqrt(sum((2 * r) ** 2 for r, _ in rest)) * 1.2, 600.0)
    x, y, row_height = -width / 2, first_r + 40, 0.0
    for r, local in rest:
        if x + 2 * r > width / 2 and row_height:
            x, y, row_height = -width / 2, y + row_height, 0.0
        cx, cy = x + r, y + r
        x += 2 * r
        row_height = max(row_height, 2 * r)
        for node, (lx, ly) in local.items():
            out[node] = (round(cx + lx), round(cy + ly))
    for i, hub in enumerate(sorted(hubs)):
        around = [out[m] for m in full[hub] if m in out] or [(0, 0)]
        out[hub] = (round(sum(p[0] for p in around) / len(around)) + 60 * i,
                    round(sum(p[1] for p in around) / len(around)) - 60)
    return out


# rendering -----------------------------------------------------------------------------
@cache
def vis_network_js() -> str:
    """The bundled vis-network standalone build (with its licence header)."""
    return resources.files("danvan.visualisations").joinpath("static/vis-network.min.js") \
        .read_text("utf-8")


@cache
def _env() -> Environment:
    return Environment(loader=PackageLoader("danvan.visualisations", "templates"),
                       autoescape=select_autoescape(["html"]))


def render_page(view: GraphView | dict[str, Any], *, standalone: bool = True,
                asset_url: str = "/assets/vis-network.min.js", api: bool = False,
                nav: Iterable[tuple[str, str]] = ()) -> str:
    """The HTML page. ``standalone`` inlines vis-network; otherwise it is loaded from ``asset_url``.

    ``api`` (served pages only) lets a click expand a node through
    ``/api/v1/entities/{id}/neighbourhood``.
    """
    if isinstance(view, dict):
        view = GraphView(view, view.get("title", "Đồ thị quan hệ"))
    template = _env().get_template("graph.html")
    return template.render(
        title=view.title, data_json=json_for_script(view.data), meta=view.data["meta"],
        filters=view.data.get("filters", {}), widen=view.data.get("widen", []),
        vis_js=vis_network_js().replace("</script", "<\\/script") if standalone else None,
        asset_url=asset_url, served=not standalone, api=api, nav=list(nav))
