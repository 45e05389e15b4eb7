"""The review queue ("Chờ duyệt"): what a load left uncertain, decided once by a person, re-applied after.

Sources of queue items:

* ``danvan load --documents``: mentions the extractor could not resolve (a village
  with no commune, an unknown commune or organisation, ``Mention.unresolved``), with
  the evidence sentence and the candidates of the same name in the document's area;
* ``danvan import``: rows the import reported "chưa rõ" (ambiguous), with the
  candidates it gave;
* facts the extractor read with less confidence than its threshold (``Proposal``
  records of loaders/documents/load.py): *accept* writes the fact, *reject* keeps it out.

A decision is data (a ``Decision`` record: what was seen, where, what was decided,
by whom): *pick* a candidate, *create* a new entity, or *reject*. Picking or
creating writes the fact — a ``MENTIONS`` edge from the document to the entity,
with the mention's span as evidence — and every pending item with the same
fingerprint (the same kind of thing, the same folded name, the same area) is
decided with it. When a document brings that thing again, the loader applies the
decision in the same write and queues nothing. A decision can be undone: what it
created is removed (the history keeps both) and its items are pending again.

>>> fingerprint("mention.village", "Thôn 4", {"district": "district-614"})[:12]
'1ed7091bbddb'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from danvan.errors import NotFoundError, ValidationError
from danvan.graph.audit import Acting, acting, record_change
from danvan.graph.sources import source_ref
from danvan.graph.types import Edge, Node
from danvan.text import fold

if TYPE_CHECKING:
    from danvan.graph.store import Store
    from danvan.loaders.documents.extractor import Extraction, Mention

__all__ = ["ACTIONS", "PROPOSAL", "Review", "decide", "decide_proposal", "decided", "fingerprint",
           "import_decision", "import_items", "mention_items", "pending", "proposals", "undo"]

ACTIONS = ("pick", "create", "reject")
_LABEL_OF = {"village": "Village", "commune": "Commune", "district": "District",
             "organisation": "Unit"}
EVIDENCE_CHARS = 160  # either side of a mention, for the sentence shown with it


def fingerprint(kind: str, text: str, context: dict[str, Any]) -> str:
    """What makes two queue items "the same thing": kind, folded name, area."""
    area = context.get("district") or context.get("province") or ""
    return hashlib.sha256(f"{kind}|{fold(text)}|{area}".encode()).hexdigest()


def _evidence(text: str, start: int, end: int) -> str:
    """The sentence around a mention (to the nearest full stop or line break)."""
    lo = max(0, start - EVIDENCE_CHARS)
    hi = min(len(text), end + EVIDENCE_CHARS)
    left = max(text.rfind(".", lo, start), text.rfind("\n", lo, start))
    right = [i for i in (text.find(".", end, hi), text.find("\n", end, hi)) if i != -1]
    return " ".join(text[left + 1 if left != -1 else lo:min(right) + 1 if right else hi].split())


def _candidates(store: Store, label: str, text: str, context: dict[str, Any]) -> list[dict[str, Any]]:
    from danvan.errors import AmbiguousError
    from danvan.queries.resolve import resolve_many

    within = None
    for level in ("district", "province"):  # the extractor's context gives codes ("614")
        code = context.get(level)
        area = code if code and code.startswith(level) else f"{level}-{code}"
        if code and store.get(area):
            within = store.area({area})
            break
    try:
        ids = resolve_many(store, text, [label], within, "name")
    except (NotFoundError, AmbiguousError):
        return []
    found = store.get_many(ids)
    out = []
    for node_id in ids[:20]:
        node = found.get(node_id)
        if node is None:
            continue
        where = node.props.get("commune") or node.props.get("scope") or node.props.get("district")
        place = store.get(where) if isinstance(where, str) else None
        out.append({"id": node_id, "name": node.name, "label": node.label,
                    "where": place.name if place else None})
    return out


@dataclass
class Review:
    """What a document's load adds because of earlier decisions, and the items it queues."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    applied: int = 0

    def enqueue(self, store: Store) -> int:
        """Queue the items (after the load's write); an item already queued is left alone."""
        queued = 0
        for item in self.items:
            if store.records.get("Review", item["key"]) is None:
                store.records.put("Review", item["key"], item)
                queued += 1
        return queued


def _active_decision(store: Store, fp: str) -> dict[str, Any] | None:
    found = store.records.find("Decision", where={"fingerprint": fp, "status": "active"}, limit=1)
    return found[0] if found else None


def mention_items(store: Store, ex: Extraction, source_id: str) -> Review:
    """Decided mentions become facts of this load; undecided ones become queue items."""
    review = Review()
    context = dict(ex.context or {})
    for m in ex.mentions:
        if not m.unresolved:
            continue
        kind = f"mention.{m.type}"
        label = _LABEL_OF.get(m.type, "Unit")
        fp = fingerprint(kind, m.canonical, context)
        span = source_ref(source_id, m.start, m.end)
        decision = _active_decision(store, fp)
        if decision is not None:
            if decision["action"] in ("pick", "create") and store.get(decision["target"]):
                review.edges.append(Edge("MENTIONS", source_id, decision["target"],
                                         {"sources": [span], "confidence": 1.0}))
            review.applied += 1
            continue
        review.items.append(_mention_item(store, m, kind, label, fp, source_id, span, ex, context))
    return review


def _mention_item(store: Store, m: Mention, kind: str, label: str, fp: str, source_id: str,
                  span: str, ex: Extraction, context: dict[str, Any]) -> dict[str, Any]:
    return {"key": hashlib.sha256(f"{fp}|{span}".encode()).hexdigest()[:32], "kind": kind,
            "label": label, "text": m.text, "canonical": m.canonical, "fingerprint": fp,
            "source": source_id, "span": span, "evidence": _evidence(ex.text, m.start, m.end),
            "context": context, "candidates": _candidates(store, label, m.canonical, context),
            "status": "pending", "file": ex.file}


def import_items(store: Store, report: Any) -> int:
    """Queue the "chưa rõ" (ambiguous) rows of an import report; returns how many were new."""
    review = Review()
    for row in report.rows:
        if row.status != "ambiguous":
            continue
        fp = fingerprint("import.row", row.message, {})
        if _active_decision(store, fp) is not None:  # decided for another sheet already
            continue
        span = f"{report.source_id}#row-{row.row}"
        # Keyed by file name and row, not by the file's hash: the same sheet saved again
        # (a spreadsheet program rewrites its metadata) is the same question.
        where = f"{report.file}|{row.row}"
        review.items.append({
            "key": hashlib.sha256(f"{fp}|{where}".encode()).hexdigest()[:32], "kind": "import.row",
            "label": _candidate_label(store, row.candidates),
            "text": row.message, "canonical": row.message, "fingerprint": fp,
            "source": report.source_id, "span": span, "evidence": f"{report.file}, dòng {row.row}: "
            f"{row.message}", "context": {}, "status": "pending", "file": report.file,
            "candidates": [{"id": c.get("id"), "name": c.get("name"), "label": c.get("type"),
                            "where": c.get("where")} for c in row.candidates]})
    return review.enqueue(store)


def _candidate_label(store: Store, candidates: list[dict[str, Any]]) -> str:
    """The label a "create new" decision makes: the candidates' own (a village's row makes a village).

    Import candidates carry an id and a name, not always a type, so the stored node decides.
    """
    for c in candidates:
        if c.get("type"):
            return str(c["type"])
        node = store.get(c["id"]) if c.get("id") else None
        if node is not None:
            return node.label
    return "Unit"


def import_decision(store: Store, message: str) -> dict[str, Any] | None:
    """The active decision on an import row's question (its "chưa rõ" message), if any.

    The import's resolver (loaders/spreadsheets/sheet_resolver.py) applies it, so a sheet with the same
    unclear value in the same context imports that row to the decided entity.
    """
    return _active_decision(store, fingerprint("import.row", message, {}))


def pending(store: Store, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    """Queue items waiting for a decision, newest first."""
    return store.records.find("Review", where={"status": "pending"}, limit=limit, offset=offset)


def _facts(store: Store, item: dict[str, Any], target: str) -> list[Edge]:
    if item["kind"].startswith("mention.") and store.get(item["source"]):
        return [Edge("MENTIONS", item["source"], target, {"sources": [item["span"]],
                                                          "confidence": 1.0})]
    return []


def decide(store: Store, key: str, action: str, who: str, target: str | None = None,
           new: dict[str, Any] | None = None, comment: str | None = None) -> dict[str, Any]:
    """Decide the queue item ``key`` (and every pending item of the same thing).

    ``pick`` needs ``target`` (a candidate's id); ``create`` needs ``new``, the
    properties of the entity to create (its label is the item's); ``reject`` writes
    nothing. Returns the Decision record.
    """
    item = store.records.get("Review", key)
    if item is None or item.get("status") != "pending":
        raise NotFoundError(f"no pending review item {key!r}")
    if action not in ACTIONS:
        raise ValidationError("Decision", "action", f"one of {', '.join(ACTIONS)}")
    created: list[str] = []
    if action == "pick":
        if not target or store.get(target) is None:
            raise ValidationError("Decision", "target", "pick needs the id of an existing entity")
    elif action == "create":
        node = store.schema.node(item["label"], **(new or {}))
        if store.get(node.id) is None:
            created.append(node.id)
        target = node.id
    same = [i for i in store.records.find("Review", where={"fingerprint": item["fingerprint"],
                                                           "status": "pending"}, limit=10_000)]
    nodes = ([store.schema.node(item["label"], **(new or {}), sources=[item["span"]])]
             if action == "create" else [])
    edges = [e for i in same for e in _facts(store, i, target)] if target else []
    stored = {x.key for source in {e.source for e in edges}
              for x in store.edges_of(source, "out", ["MENTIONS"])}
    existing = {e.key for e in edges if e.key in stored}
    with acting(who, "review", source=item["source"], comment=comment):
        if nodes or edges:
            store.write(nodes, edges)
    decision = store.records.put("Decision", key, {
        "fingerprint": item["fingerprint"], "kind": item["kind"], "text": item["canonical"],
        "source": item["source"], "action": action, "target": target, "user": who,
        "comment": comment, "status": "active", "items": [i["key"] for i in same],
        "created_nodes": created,
        "created_edges": [[e.source, e.type, e.target] for e in edges if e.key not in existing]})
    for i in same:
        store.records.put("Review", i["key"], {**i, "status": "decided", "decision": key})
    if action == "reject":
        record_change(store, Acting(who, "review", item["source"], comment), [item["source"]],
                      None, {"decision": {"action": "reject", "text": item["canonical"]}})
    return decision


PROPOSAL = "proposal-"  # queue keys of proposed facts: the prefix and the fact's id


def proposals(store: Store, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    """Facts a document proposed with less confidence than the threshold, still undecided
    (``Proposal`` records, made by loaders/documents/load.py), as queue items."""
    out = []
    for p in store.records.find("Proposal", where={"status": "proposed"}, limit=limit,
                                offset=offset):
        props = p.get("props") or {}
        out.append({"key": PROPOSAL + p["fact"], "kind": f"proposal.{p.get('label', '')}",
                    "label": p.get("label"), "text": p.get("reason") or "", "canonical": p["fact"],
                    "source": p.get("source"), "span": (p.get("sources") or [None])[0],
                    "evidence": p.get("evidence"), "props": props, "status": "pending",
                    "confidence": p.get("confidence"), "at": p.get("at"), "candidates": []})
    return out


def decide_proposal(store: Store, fact: str, action: str, who: str,
                    comment: str | None = None) -> dict[str, Any]:
    """Accept (write the proposed Assignment and its SUPPORTS edge, with the document as
    source) or reject a proposed fact. The Proposal keeps the decision, so loading the
    document again proposes nothing: an accepted fact exists, a rejected one stays rejected."""
    proposal = store.records.get("Proposal", fact)
    if proposal is None or proposal.get("status") != "proposed":
        raise NotFoundError(f"no pending proposal {fact!r}")
    if action not in ("accept", "reject"):
        raise ValidationError("Decision", "action", "accept or reject")
    created_nodes: list[str] = []
    created_edges: list[list[str]] = []
    if action == "accept":
        if proposal.get("label") != "Assignment":
            raise ValidationError("Decision", "action", f"cannot accept a {proposal.get('label')}")
        props = proposal.get("props") or {}
        sources = list(proposal.get("sources") or [])
        node = store.schema.node("Assignment", **props, sources=sources)
        support = {k: props[k] for k in ("from", "until") if props.get(k)}
        edge = Edge("SUPPORTS", props["unit"], props["target"],
                    {"role": "support", "sources": sources, **support})
        if store.get(node.id) is None:
            created_nodes.append(node.id)
        if not any(e.target == edge.target for e in store.edges_of(edge.source, "out", ["SUPPORTS"])):
            created_edges.append([edge.source, edge.type, edge.target])
        with acting(who, "review", source=proposal.get("source"), comment=comment):
            store.write([node], [edge])
    else:
        record_change(store, Acting(who, "review", proposal.get("source"), comment),
                      [fact, *(v for v in (proposal.get("props") or {}).values()
                               if isinstance(v, str) and "-" in v)],
                      None, {"decision": {"action": "reject", "fact": fact}})
    status = "accepted" if action == "accept" else "rejected"
    store.records.put("Proposal", fact, {**proposal, "status": status, "decided_by": who})
    return store.records.put("Decision", PROPOSAL + fact, {
        "fingerprint": fact, "kind": f"proposal.{proposal.get('label')}",
        "text": proposal.get("evidence") or fact, "source": proposal.get("source"),
        "action": action, "target": fact if action == "accept" else None, "user": who,
        "comment": comment, "status": "active", "items": [], "proposal": fact,
        "created_nodes": created_nodes, "created_edges": created_edges})


def undo(store: Store, key: str, who: str) -> dict[str, Any]:
    """Undo a decision: remove what it created, put its items back in the queue."""
    decision = store.records.get("Decision", key)
    if decision is None or decision.get("status") != "active":
        raise NotFoundError(f"no active decision {key!r}")
    edges = [Edge(t, s, o, {}) for s, t, o in decision.get("created_edges", [])]
    gone = store.get_many(decision.get("created_nodes", []))
    before = {i: n.props for i, n in gone.items()}
    if edges:
        store.delete_edges(edges)
    if gone:
        store.delete(list(gone))
    record_change(store, Acting(who, "review.undo", decision["source"]),
                  sorted({decision["source"], *([decision["target"]] if decision["target"] else []),
                          *gone}),
                  {**before, "decision": {"action": decision["action"],
                                          "target": decision["target"]}},
                  {"decision": None}, edges_removed=decision.get("created_edges", []))
    if decision.get("proposal"):  # a proposed fact waits for a decision again
        proposal = store.records.get("Proposal", decision["proposal"])
        if proposal:
            store.records.put("Proposal", decision["proposal"],
                              {**proposal, "status": "proposed", "decided_by": None})
    for item_key in decision.get("items", []):
        item = store.records.get("Review", item_key)
        if item:
            store.records.put("Review", item_key, {**item, "status": "pending", "decision": None})
    return store.records.put("Decision", key, {**decision, "status": "undone", "undone_by": who})


def decided(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """Recent active decisions (for the page's undo list)."""
    return store.records.find("Decision", where={"status": "active"}, limit=limit)
