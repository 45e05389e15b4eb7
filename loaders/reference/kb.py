"""The curated knowledge base: YAML files written from careful reading, loaded all or nothing.

Layout of a file in ``loaders/reference/kb/`` (see loaders/reference/kb/README.md for the full guide)::

    source: {key, file, sha256, title, kind, published, publisher, url, author}
    places: [{commune: "23488", aliases: [...], at: [[start, end]]}, {district: "614"}, ...]
    nodes:  [{label: Village, commune: commune-23488, name: Thôn 9, at: [[s, e]]}, ...]
    cite:   [{id: directive-district-614-26-kh-hu, at: [[s, e]]}]
    edges:  [{type: IMPLEMENTS, source: <id>, target: <id>, at: [[s, e]]}]

``at`` spans are character offsets into the source file's text after NFC
normalisation. A Model entry may also say ``units``, ``villages``, ``plan``,
``from`` and ``until``: the loader turns them into SUPPORTS, LOCATED_IN and
REGISTERED_UNDER edges and one Assignment per unit and village.

>>> nodes, edges = build_kb()
>>> any(n.id == "commune-23488" for n in nodes)
True
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from danvan.errors import DanvanError, LoadError
from danvan.graph.schema import Schema, load_schema
from danvan.graph.sources import source_ref
from danvan.graph.store import Store, WriteResult
from danvan.graph.types import Edge, Node, merge_props
from danvan.loaders.reference.yaml_lines import LINE, load_yaml
from danvan.text import nfc

__all__ = ["build_kb", "corpus_dir", "kb_files", "load_kb"]

_MODEL_EXTRAS = ("units", "villages", "plan", "from", "until")
_SPECIAL = ("label", "at", "id", LINE)


def kb_files() -> list[Path]:
    """The curated files shipped with danvan, in load order (shared files first)."""
    folder = Path(str(resources.files("danvan.loaders.reference").joinpath("kb")))
    files = sorted(folder.glob("*.yaml"))
    return sorted(files, key=lambda p: (not p.name.startswith("_"), p.name))


def corpus_dir() -> Path | None:
    """Where the source documents are: $DANVAN_CORPUS_DIR, else ../shared/corpus near here."""
    env = os.environ.get("DANVAN_CORPUS_DIR")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "corpus" for p in here.parents]
    candidates.append(Path.cwd().parent / "shared" / "corpus")
    return next((p for p in candidates if p.is_dir()), None)


@dataclass
class _Builder:
    schema: Schema
    corpus: Path | None
    nodes: dict[str, Node] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[Edge, str]] = field(default_factory=list)
    places: set[str] = field(default_factory=set)
    pending_refs: list[tuple[str, str, str, str]] = field(default_factory=list)
    cites: list[tuple[str, list[str]]] = field(default_factory=list)

    # helpers -------------------------------------------------------------------------
    def _sources(self, source_id: str | None, entry: dict[str, Any], file: str) -> list[str]:
        spans = entry.get("at") or []
        if spans and source_id is None:
            raise LoadError(file, entry.get(LINE), "'at' spans need a 'source' in this file")
        out = []
        for span in spans:
            if (not isinstance(span, list) or len(span) != 2
                    or not all(isinstance(x, int) for x in span) or not 0 <= span[0] < span[1]):
                raise LoadError(file, entry.get(LINE), f"bad span {span!r}: want [start, end]")
            out.append(source_ref(source_id, span[0], span[1]))
        return out

    def _add(self, node: Node, where: str, *, merge: bool = False) -> None:
        old = self.nodes.get(node.id)
        if old is not None and not merge:
            file, line = where.rsplit(":", 1)
            raise LoadError(file, int(line), f"duplicate id {node.id} (first at {self.where[node.id]})")
        self.nodes[node.id] = Node(node.label, node.id, merge_props(old.props, node.props)
                                   if old else node.props)
        self.where.setdefault(node.id, where)

    # sections --------------------------------------------------------------------------
    def source(self, raw: dict[str, Any], file: str) -> str:
        props = {k: v for k, v in raw.items() if k != LINE}
        props["kind"] = props.get("kind") or "document"
        text = self._corpus_text(props, file, raw.get(LINE))
        if text is not None:
            props["text"] = text
        try:
            node = self.schema.node("Source", **props)
        except DanvanError as exc:
            raise LoadError(file, raw.get(LINE), str(exc)) from None
        self._add(node, f"{file}:{raw.get(LINE)}")
        return node.id

    def _corpus_text(self, props: dict[str, Any], file: str, line: int | None) -> str | None:
        name = props.get("file")
        if not name or self.corpus is None:
            return None
        path = self.corpus / name
        if not path.is_file():
            return None
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if props.get("sha256") and props["sha256"] != digest:
            raise LoadError(file, line, f"{path} has changed: sha256 {digest} != {props['sha256']}")
        return nfc(data.decode("utf-8"))

    def place(self, raw: dict[str, Any], source_id: str | None, file: str) -> None:
        from danvan.loaders.reference.places import place_records

        line = raw.get(LINE)
        try:
            nodes, edges, main_id = place_records(raw)
        except DanvanError as exc:
            raise LoadError(file, line, str(exc)) from None
        for node in nodes:
            self._add(node, f"{file}:{line}", merge=True)
            self.places.add(node.id)
        for edge in edges:
            self.edges.append((edge, f"{file}:{line}"))
        extra: dict[str, Any] = {"sources": self._sources(source_id, raw, file)}
        if raw.get("aliases"):
            extra["aliases"] = sorted(set(self.nodes[main_id].props.get("aliases", []))
                                      | set(raw["aliases"]))
        main = self.nodes[main_id]
        self.nodes[main_id] = Node(main.label, main.id, merge_props(main.props, extra))

    def node(self, raw: dict[str, Any], source_id: str | None, file: str) -> None:
        line = raw.get(LINE)
        label = raw.get("label")
        if not label:
            raise LoadError(file, line, "node without 'label'")
        props = {k: v for k, v in raw.items() if k not in _SPECIAL}
        extras = {k: props.pop(k) for k in _MODEL_EXTRAS if label == "Model" and k in props}
        props["sources"] = self._sources(source_id, raw, file)
        try:
            node = self.schema.node(label, **props)
        except DanvanError as exc:
            raise LoadError(file, line, str(exc)) from None
        if raw.get("id") and raw["id"] != node.id:
            raise LoadError(file, line, f"id {raw['id']} does not match identity ({node.id})")
        self._add(node, f"{file}:{line}")
        for ref in self.schema.label(label).refs:
            value = node.props.get(ref.name)
            if value is not None and value != ref.default:
                self.pending_refs.append((value, f"{label}.{ref.name}", file, str(line)))
        if extras:
            self._expand_model(node, extras, file, line)

    def _expand_model(self, model: Node, extras: dict[str, Any], file: str, line: int) -> None:
        where = f"{file}:{line}"
        ev = {"sources": model.props.get("sources", [])}
        units, villages = extras.get("units") or [], extras.get("villages") or []
        plan = extras.get("plan")
        for unit in units:
            self.edges.append((Edge("SUPPORTS", unit, model.id, {"role": "owner", **ev}), where))
        for village in villages:
            self.edges.append((Edge("LOCATED_IN", model.id, village, dict(ev)), where))
        if plan:
            self.edges.append((Edge("REGISTERED_UNDER", model.id, plan, dict(ev)), where))
        for unit in units:
            for village in villages:
                props = {"unit": unit, "target": village, "plan": plan,
                         "from": extras.get("from"), "until": extras.get("until"), **ev}
                try:
                    assignment = self.schema.node("Assignment", **props)
                except DanvanError as exc:
                    raise LoadError(file, line, str(exc)) from None
                self._add(assignment, where, merge=True)
                self.edges.append((Edge("WITH_MODEL", assignment.id, model.id, dict(ev)), where))
        for ref in (*units, *villages, *([plan] if plan else [])):
            self.pending_refs.append((ref, "Model", file, str(line)))

    def cite(self, raw: dict[str, Any], source_id: str | None, file: str) -> None:
        node_id = raw.get("id")
        if not node_id:
            raise LoadError(file, raw.get(LINE), "cite without 'id'")
        self.pending_refs.append((node_id, "cite", file, str(raw.get(LINE))))
        self.cites.append((node_id, self._sources(source_id, raw, file)))

    def edge(self, raw: dict[str, Any], source_id: str | None, file: str) -> None:
        line = raw.get(LINE)
        missing = [k for k in ("type", "source", "target") if not raw.get(k)]
        if missing:
            raise LoadError(file, line, f"edge without {', '.join(missing)}")
        props = {k: v for k, v in raw.items()
                 if k not in ("type", "source", "target", "at", LINE)}
        props["sources"] = self._sources(source_id, raw, file)
        self.edges.append((Edge(raw["type"], raw["source"], raw["target"], props),
                           f"{file}:{line}"))

    # finishing -------------------------------------------------------------------------
    def finish(self) -> tuple[list[Node], list[Edge]]:
        for ref, what, file, line in self.pending_refs:
            if ref not in self.nodes:
                raise LoadError(file, int(line), f"{what}: no node with id {ref!r}")
        for node_id, sources in self.cites:
            node = self.nodes[node_id]
            self.nodes[node_id] = Node(node.label, node_id,
                                       merge_props(node.props, {"sources": sources}))
        edges: dict[str, Edge] = {}
        for node in self.nodes.values():
            for edge in self.schema.ref_edges(node):
                edges[edge.key] = edge
            if node.label == "Assignment":
                support = {k: node.props[k] for k in ("from", "until") if k in node.props}
                edge = Edge("SUPPORTS", node.props["unit"], node.props["target"],
                            {"role": "support", **support,
                             "sources": node.props.get("sources", [])})
                edges[edge.key] = Edge(edge.type, edge.source, edge.target,
                                       merge_props(edges[edge.key].props, edge.props)
                                       if edge.key in edges else edge.props)
        for edge, where in self.edges:
            file, line = where.rsplit(":", 1)
            for end in (edge.source, edge.target):
                if end not in self.nodes:
                    raise LoadError(file, int(line), f"{edge.type}: no node with id {end!r}")
            try:
                checked = self.schema.check_edge(edge, self.nodes[edge.source].label,
                                                 self.nodes[edge.target].label)
            except DanvanError as exc:
                raise LoadError(file, int(line), str(exc)) from None
            old = edges.get(checked.key)
            edges[checked.key] = Edge(checked.type, checked.source, checked.target,
                                      merge_props(old.props, checked.props) if old
                                      else checked.props)
        return list(self.nodes.values()), list(edges.values())


def build_kb(files: Iterable[Path] | None = None,
             corpus: Path | None = None) -> tuple[list[Node], list[Edge]]:
    """Read and check curated files; return the nodes and edges, or raise LoadError."""
    builder = _Builder(load_schema(), corpus if corpus is not None else corpus_dir())
    for path in (list(files) if files is not None else kb_files()):
        data = load_yaml(Path(path)) or {}
        name = str(path)
        if not isinstance(data, dict):
            raise LoadError(name, None, "expected a mapping with source/places/nodes/edges")
        unknown = set(data) - {"source", "places", "nodes", "cite", "edges", LINE}
        if unknown:
            raise LoadError(name, None, f"unknown section(s): {', '.join(sorted(unknown))}")
        source_id = builder.source(data["source"], name) if data.get("source") else None
        for raw in data.get("places") or []:
            builder.place(raw, source_id, name)
        for raw in data.get("nodes") or []:
            builder.node(raw, source_id, name)
        for raw in data.get("cite") or []:
            builder.cite(raw, source_id, name)
        for raw in data.get("edges") or []:
            builder.edge(raw, source_id, name)
    return builder.finish()


def load_kb(store: Store, files: Iterable[Path] | None = None,
            corpus: Path | None = None, *, maps: bool = False) -> WriteResult:
    """Check every file, then write the whole knowledge base in one transaction.

    With ``maps``, both administrative maps (every unit of both eras, see
    :mod:`danvan.loaders.reference.admin_map`) are written with it, the curated place
    entries merged on top; ``danvan load`` and ``serve`` do this.
    """
    nodes, edges = build_kb(files, corpus)
    if maps:
        from danvan.loaders.reference.admin_map import map_records, merge_records

        nodes, edges = merge_records(map_records(), (nodes, edges))
        # ~14,000 nodes and 25,000 edges: the bulk path (Neo4j: chunked, all checked first;
        # 16 s instead of 19 s for one transaction on the test server).
        return store.load(nodes, edges)
    return store.write(nodes, edges)
