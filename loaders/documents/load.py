"""Documents into the graph (``danvan load --documents``; ``danvan extract`` shows the extraction).

Each file is read (:mod:`danvan.loaders.documents.reading`), extracted
(:mod:`danvan.loaders.documents.extractor`) and written with one ``Store.write``, so a
file that fails leaves nothing behind. Entities already in the store (the
curated knowledge base, earlier documents) are matched, never duplicated; they
gain only evidence (``sources``), their curated values are kept. New entities
and edges carry ``sources: ["<source-id>#start-end"]`` and a ``confidence``.

>>> from danvan.graph.embedded import EmbeddedStore
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "kh.txt"
>>> _ = p.write_text("Căn cứ Kế hoạch số 26-KH/HU, ngày 22/4/2021 của Ban Thường vụ "
...                  "Huyện ủy Kon Rẫy.", encoding="utf-8")
>>> store = EmbeddedStore(":memory:")
>>> report = load_documents(store, [p])
>>> report.failed, store.get("directive-district-614-26-kh-hu").props["ref"]
([], '26-KH/HU')
>>> load_documents(store, [p]).changed
0
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from danvan.errors import DanvanError, LoadError
from danvan.graph.sources import source_ref
from danvan.graph.store import Store
from danvan.graph.types import Edge, Node
from danvan.loaders.documents.assigning import PROPOSE_BELOW
from danvan.loaders.documents.extractor import Extraction, Extractor, Mention, Relation
from danvan.loaders.documents.reading import Document, iter_paths, read_document
from danvan.loaders.reference.admin_units import ERA_2025, admin_units
from danvan.loaders.reference.gazetteer import Gazetteer
from danvan.loaders.review import mention_items
from danvan.text import slug

__all__ = ["FileReport", "LoadReport", "graph_records", "load_documents"]

_PLACES = {"Province", "District", "Commune"}
_MENTIONABLE = {"Province", "District", "Commune", "Village", "PartyBody", "Unit", "Directive",
                "Campaign", "Model", "Person"}
_UNIT_KINDS = {"government", "agency", "mass_organisation", "armed_force", "police", "bank",
               "enterprise", "ngo", "school", "other"}


@dataclass
class FileReport:
    """What loading one file did."""

    file: str
    source: str | None = None
    new: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    changed: int = 0
    error: str | None = None
    queued: int = 0  # unresolved mentions put in the review queue (loaders/review.py)
    decided: int = 0  # unresolved mentions a reviewer had decided before, applied
    #: Assignment ids the document states with confidence (new or gaining this evidence)
    assignments: list[str] = field(default_factory=list)
    #: facts read with less confidence: Proposal records (kept for review, not established)
    proposals: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LoadReport:
    """What loading several files did."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def failed(self) -> list[FileReport]:
        """Files that could not be loaded."""
        return [f for f in self.files if f.error]

    @property
    def changed(self) -> int:
        """Rows created or updated over all files."""
        return sum(f.changed for f in self.files)

    @property
    def assignments(self) -> int:
        """Assignments added or confirmed over all files."""
        return sum(len(f.assignments) for f in self.files)


# ---------------------------------------------------------------------------
# extraction → nodes and edges


class _Builder:
    def __init__(self, store: Store, ex: Extraction, source_id: str,
                 gazetteer: Gazetteer | None = None) -> None:
        self.store, self.ex, self.source_id = store, ex, source_id
        self.schema = store.schema
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}
        self.report = FileReport(ex.file, source_id)
        self.ids: dict[int, str] = {}
        self.g = gazetteer or Gazetteer(store)

    def span(self, start: int, end: int) -> list[str]:
        return [source_ref(self.source_id, start, end)] if end > start else []

    def put(self, label: str, props: dict[str, Any], span: list[str], conf: float) -> str:
        """Add or enrich a node; an existing one only gains evidence."""
        clean = {k: v for k, v in props.items() if v is not None}
        node_id = self.schema.node_id(label, clean)
        return self.put_id(node_id, label, clean, span, conf)

    def put_id(self, node_id: str, label: str, props: dict[str, Any], span: list[str],
               conf: float) -> str:
        existing = self.nodes.get(node_id) or self.store.get(node_id)
        if existing is not None:
            merged = {**existing.props,
                      "sources": sorted(set(existing.props.get("sources", [])) | set(span))}
            self.nodes[node_id] = Node(existing.label, node_id, merged)
            if node_id not in self.report.new and node_id not in self.report.matched:
                self.report.matched.append(node_id)
            return node_id
        full = {**props, "sources": sorted(set(span)), "confidence": conf}
        self.nodes[node_id] = self.schema.check_node(Node(label, node_id, full))
        self.report.new.append(node_id)
        return node_id

    def edge(self, type_: str, source: str, target: str, span: list[str], conf: float,
             **extra: Any) -> None:
        key = f"{source}|{type_}|{target}"
        old = self.edges.get(key)
        if old is None:
            stored = next((e for e in self.store.edges_of(source, "out", [type_])
                           if e.target == target), None)
            if stored is not None:
                old = stored
        if old is not None:
            props = {**old.props, "sources": sorted(set(old.props.get("sources", [])) | set(span))}
        else:
            props = {**extra, "sources": sorted(set(span)), "confidence": conf}
        self.edges[key] = Edge(type_, source, target, props)

    def place(self, node_id: str) -> str:
        """Make sure an official place (and its parents) is in the batch or the store."""
        from danvan.loaders.reference.places import place_records

        if node_id in self.nodes or self.store.get(node_id) is not None:
            return node_id
        kind, code = node_id.split("-", 1)
        if code.startswith(f"{ERA_2025}-"):  # a unit of the 2025 map and its province
            units = admin_units()
            unit = getattr(units, kind)(code.split("-", 1)[1], era=ERA_2025)
            nodes = [units.unit_node(unit)]
            if kind == "commune":
                nodes.append(units.unit_node(units.province(unit.province_code, era=ERA_2025)))
            for node in nodes:
                if node.id not in self.nodes and self.store.get(node.id) is None:
                    self.nodes[node.id] = node
            return node_id
        nodes, edges, main = place_records({kind: code})
        for node in nodes:
            if node.id not in self.nodes and self.store.get(node.id) is None:
                self.nodes[node.id] = node
        for e in edges:
            self.edges.setdefault(e.key, e)
        return main


def graph_records(store: Store, ex: Extraction, doc: Document,
                  gazetteer: Gazetteer | None = None) -> tuple[list[Node], list[Edge], FileReport]:
    """Nodes and edges one extraction contributes, with the report of new/matched/unresolved."""
    digest = hashlib.sha256(ex.text.encode("utf-8")).hexdigest()
    source_id = _source_id(store, doc, digest)
    b = _Builder(store, ex, source_id, gazetteer)
    existing_source = store.get(source_id)
    if existing_source is None:
        b.nodes[source_id] = store.schema.node(
            "Source", key=source_id.removeprefix("source-"), title=ex.document.get("title")
            or doc.path.name, kind=_source_kind(ex), file=doc.path.name, sha256=digest,
            text=ex.text)
    elif not existing_source.props.get("text"):
        b.nodes[source_id] = Node("Source", source_id, {**existing_source.props, "text": ex.text})
    for i, m in enumerate(ex.mentions):
        node_id = _entity(b, ex, m)
        if node_id:
            b.ids[i] = node_id
            if b.schema.label_of_id(node_id) in _MENTIONABLE:
                b.edge("MENTIONS", source_id, node_id, b.span(m.start, m.end), m.confidence)
        elif m.unresolved or m.type in ("organisation", "village", "directive"):
            b.report.unresolved.append(f"{m.type} {m.text!r} at {m.start}")
    if ex.self_index is not None and ex.self_index in b.ids:
        b.edge("DOCUMENTS", source_id, b.ids[ex.self_index], [], 0.9)
    for r in ex.relations:
        src, dst = b.ids.get(r.source), b.ids.get(r.target)
        if not src or not dst or src == dst:
            continue
        labels = (b.schema.label_of_id(src), b.schema.label_of_id(dst))
        if r.type == "PART_OF" and labels[0] in _PLACES | {"Village"}:
            continue  # official geography and Village.commune already say it
        if r.type == "ASSIGNED":
            _assignment(b, r, src, dst, labels)
            continue
        spec = b.schema.edges[r.type]
        if labels[0] in spec.sources and labels[1] in spec.targets:
            b.edge(r.type, src, dst, b.span(r.start, r.end), r.confidence)
    return list(b.nodes.values()), list(b.edges.values()), b.report


def _assignment(b: _Builder, r: Relation, unit: str, target: str, labels: tuple[str, str],
                ) -> None:
    """An ``ASSIGNED`` relation → the ``Assignment`` fact an import makes (same id), or a
    proposal when the text is less sure (or names a place, not a body, as the helper)."""
    facts = dict(r.attributes)
    plan_index = facts.get("plan")
    plan = b.ids.get(plan_index) if plan_index is not None else None
    if plan is not None and b.schema.label_of_id(plan) != "Directive":
        plan = None
    props = {"unit": unit, "target": target, "plan": plan, "from": facts.get("from"),
             "until": facts.get("until"), "households": facts.get("households")}
    span = b.span(r.start, r.end)
    fact_id = b.schema.node_id("Assignment", {k: v for k, v in props.items() if v is not None})
    existing = b.nodes.get(fact_id) or b.store.get(fact_id)
    sure = r.confidence >= PROPOSE_BELOW and labels[0] in ("Unit", "PartyBody")
    if sure or existing is not None:
        b.put("Assignment", props, span, r.confidence)
        support = {k: props[k] for k in ("from", "until") if props[k]}
        b.edge("SUPPORTS", unit, target, span, r.confidence, role="support", **support)
        if fact_id not in b.report.assignments:
            b.report.assignments.append(fact_id)
        return
    b.report.proposals.append({
        "label": "Assignment", "fact": fact_id, "status": "proposed", "source": b.source_id,
        "props": {k: v for k, v in props.items() if v is not None},
        "confidence": r.confidence, "sources": span,
        "evidence": b.ex.text[r.start:r.end][:500],
        "reason": "độ tin cậy thấp" if labels[0] in ("Unit", "PartyBody")
        else "đơn vị giúp đỡ là một địa phương, không phải cơ quan"})


def _source_id(store: Store, doc: Document, digest: str) -> str:
    for node in store.nodes("Source"):
        if node.props.get("sha256") == digest or (
                node.props.get("file") == doc.path.name and node.props.get("text")
                and hashlib.sha256(node.props["text"].encode("utf-8")).hexdigest() == digest):
            return node.id
    return f"source-{slug(doc.path.stem)[:40]}-{digest[:10]}"


def _source_kind(ex: Extraction) -> str:
    kind = ex.document.get("kind")
    return {"Báo cáo": "report", "Kế hoạch": "plan"}.get(kind or "", "news" if not kind
                                                          else "document")


def _entity(b: _Builder, ex: Extraction, m: Mention) -> str | None:
    span = b.span(m.start, m.end)
    if m.type in ("province", "district", "commune") and m.id:
        b.place(m.id)
        return b.put_id(m.id, m.label or "", {}, span, m.confidence)
    if m.type in ("organisation", "group"):
        return _organisation(b, m, span)
    if m.type == "village" and m.props.get("commune"):
        b.place(m.props["commune"])
        if m.id:
            return b.put_id(m.id, "Village", {}, span, m.confidence)
        return b.put("Village", m.props, span, m.confidence)
    if m.type == "directive":
        return _directive(b, m, span)
    if m.type == "model":
        return _model(b, ex, m, span)
    if m.type == "person":
        scope = _context_scope(b, ex)
        return b.put("Person", {"name": m.canonical, "scope": scope}, span, m.confidence) \
            if scope else None
    if m.type == "statistic":
        a = m.attributes
        return b.put("Statistic", {"document": b.source_id, "key": f"{m.start}-{m.end}",
                                   "what": a.get("what") or m.text, "value": a["value"],
                                   "total": a.get("total"), "category": a.get("category"),
                                   "unit": a.get("what") if a.get("what") == "%" else None},
                     span, m.confidence)
    return None


def _context_scope(b: _Builder, ex: Extraction) -> str | None:
    if ex.context.get("district"):
        return b.place(f"district-{ex.context['district']}")
    if ex.context.get("province"):
        return b.place(f"province-{ex.context['province']}")
    return None


def _organisation(b: _Builder, m: Mention, span: list[str]) -> str | None:
    if m.id:
        return b.put_id(m.id, m.label or "", {}, span, m.confidence)
    scope = m.props.get("scope")
    if not scope:
        return None
    b.place(scope)
    props = dict(m.props)
    if m.label == "Unit" and props.get("kind") not in _UNIT_KINDS:
        props["kind"] = "other"
    return b.put(m.label or "Unit", props, span, m.confidence)


def _directive(b: _Builder, m: Mention, span: list[str]) -> str | None:
    if m.id:
        return b.put_id(m.id, "Directive", {}, span, m.confidence)
    scope = m.props.get("scope")
    issuer_m = m.props.get("issuer_mention")
    issuer = _organisation(b, issuer_m, []) if issuer_m is not None else None
    if not scope or not issuer:
        return None
    b.place(scope)
    a = m.attributes
    props = {"ref": m.canonical, "scope": scope, "issuer": issuer,
             "kind": a.get("kind") or "Văn bản", "kind_code": a.get("kind_code"),
             "number": a.get("number"), "date": a.get("date"), "title": a.get("title")}
    return b.put("Directive", props, span, m.confidence)


def _model(b: _Builder, ex: Extraction, m: Mention, span: list[str]) -> str | None:
    index = ex.mentions.index(m)
    owners = [b.ids.get(r.source) for r in ex.relations
              if r.type == "SUPPORTS" and r.target == index]
    places = [r.target for r in ex.relations if r.type == "LOCATED_IN" and r.source == index]
    place_ids = [_entity(b, ex, ex.mentions[p]) for p in places]
    near = [x for x in owners + place_ids if x]
    known = b.g.model(m.canonical, near or [x for x in (_context_scope(b, ex),) if x])
    if known:
        return b.put_id(known.id, "Model", {}, span, m.confidence)
    scope = next(iter(near), None) or _context_scope(b, ex)
    if scope is None:
        return None
    return b.put("Model", {"name": m.canonical, "scope": scope,
                           "field": m.attributes.get("category")}, span, m.confidence)


# ---------------------------------------------------------------------------
# running


def load_documents(store: Store, paths: list[Path], progress: bool = False) -> LoadReport:
    """Read, extract and write each file (one transaction per file); report what happened."""
    report = LoadReport()
    files = iter_paths([Path(p) for p in paths])
    bar = _progress(len(files)) if progress and len(files) > 3 else None
    task = bar.add_task("documents", total=len(files)) if bar else None
    if bar:
        bar.start()
    try:
        for path in files:
            report.files.append(_load_one(store, path))
            if bar and task is not None:
                bar.advance(task)
    finally:
        if bar:
            bar.stop()
    return report


def _load_one(store: Store, path: Path) -> FileReport:
    try:
        doc = read_document(path)
        gazetteer = Gazetteer(store)
        extraction = Extractor(gazetteer).extract(doc.text, str(path))
        if not extraction.mentions:
            raise LoadError(str(path), None, "no recognisable content (no entity found)")
        nodes, edges, file_report = graph_records(store, extraction, doc, gazetteer)
        review = mention_items(store, extraction, file_report.source or "")
        file_report.changed = store.write(nodes, [*edges, *review.edges]).changed
        file_report.queued, file_report.decided = review.enqueue(store), review.applied
        _keep_proposals(store, file_report)
        return file_report
    except DanvanError as exc:
        return FileReport(str(path), error=str(exc))


def _keep_proposals(store: Store, report: FileReport) -> None:
    """Proposal records, one per fact: a document read again adds its evidence, and a
    proposal the board has decided keeps its decision."""
    for proposal in report.proposals:
        old = store.records.get("Proposal", proposal["fact"])
        if old is not None:
            proposal = {**old, "sources": sorted(set(old.get("sources", []))
                                                 | set(proposal["sources"])),
                        "confidence": max(old.get("confidence", 0), proposal["confidence"])}
        store.records.put("Proposal", proposal["fact"], proposal)


def _progress(total: int) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    transient=True)
