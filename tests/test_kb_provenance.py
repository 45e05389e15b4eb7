"""Every evidence span of the curated knowledge base points at text that mentions the fact."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.types import Node
from danvan.loaders.reference.kb import build_kb, load_kb
from danvan.text import fold

ORG_LABELS = ("PartyBody", "Unit")


def written_forms(value: float) -> set[str]:
    """How a figure may be written in the documents: 8.542, 8542, 6,59, 52."""
    if float(value).is_integer():
        n = int(value)
        return {str(n), f"{n:,}".replace(",", "."), f"{n:02d}"}
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return {text.replace(".", ","), text}


@pytest.fixture(scope="module")
def kb(corpus: Path) -> tuple[dict[str, Node], list, dict[str, str]]:
    nodes, edges = build_kb(corpus=corpus)
    by_id = {n.id: n for n in nodes}
    texts = {}
    for node in nodes:
        if node.label == "Source" and node.props.get("file"):
            raw = (corpus / node.props["file"]).read_text("utf-8")
            texts[node.id] = unicodedata.normalize("NFC", raw)
    return by_id, edges, texts


def keys_of(node: Node, by_id: dict[str, Node], edges_from: dict[str, list[str]]) -> set[str]:
    """Folded strings any of which may stand for ``node`` in a span."""
    p = node.props
    keys = {fold(str(p[k])) for k in ("name", "ref", "title", "code") if p.get(k)}
    keys |= {fold(a) for a in p.get("aliases", [])}
    if p.get("ref") and "/" in p["ref"]:
        keys.add(fold(p["ref"].split("/")[0]))  # "Kế hoạch số 133" for 133-KH/TU
    if node.label in ("Statistic", "Target") and p.get("value") is not None:
        keys |= written_forms(p["value"])
    if node.label == "Assignment":
        for ref in (p.get("target"), p.get("unit"), *edges_from.get(node.id, [])):
            if ref in by_id:
                keys |= keys_of(by_id[ref], by_id, {})
    return {k for k in keys if k}


def org_by_place(node: Node, by_id: dict[str, Node], span: str) -> bool:
    """'Thường trực Huyện ủy Đăk Glei, Tu Mơ Rông, Kon Plông' names Huyện ủy Tu Mơ Rông."""
    scope = by_id.get(node.props.get("scope", ""))
    if node.label not in ORG_LABELS or scope is None:
        return False
    places = {fold(a) for a in [scope.props.get("name", ""), *scope.props.get("aliases", [])] if a}
    kind = fold(str(node.props.get("kind") or node.props["name"].split(" ")[0]))
    return any(place in span for place in places) and (kind in span or
                                                      fold(node.props["name"]).split(" ")[0] in span)


def directive_by_number(node: Node, span: str) -> bool:
    """'Chỉ thị 02 và 04' names 04-CT/HU: its kind and its number as a word."""
    number, kind = node.props.get("number"), node.props.get("kind")
    return (node.label == "Directive" and bool(number) and bool(kind)
            and fold(kind) in span and re.search(rf"\b{re.escape(fold(number))}\b", span) is not None)


def mentions(node: Node, span: str, by_id: dict[str, Node],
             edges_from: dict[str, list[str]]) -> bool:
    folded = fold(span)
    return (any(k in folded for k in keys_of(node, by_id, edges_from))
            or org_by_place(node, by_id, folded) or directive_by_number(node, folded))


def spans(props: dict, texts: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for source in props.get("sources", []):
        doc, _, span = source.partition("#")
        start, end = (int(x) for x in span.split("-"))
        assert doc in texts, f"{source}: unknown document"
        assert 0 <= start < end <= len(texts[doc]), f"{source}: outside the document"
        out.append((source, texts[doc][start:end]))
    return out


def models_of_assignments(edges: list) -> dict[str, list[str]]:
    """Assignment id → the models it works with (an assignment's span names its model)."""
    out: dict[str, list[str]] = {}
    for e in edges:
        if e.type == "WITH_MODEL":
            out.setdefault(e.source, []).append(e.target)
    return out


def test_every_node_span_mentions_its_node(kb: tuple) -> None:
    by_id, edges, texts = kb
    models = models_of_assignments(edges)
    bad = [f"{node.id} ← {source}: {span!r}"
           for node in by_id.values() for source, span in spans(node.props, texts)
           if not mentions(node, span, by_id, models)]
    assert not bad, "\n".join(bad)


def test_every_edge_span_mentions_one_of_its_ends(kb: tuple) -> None:
    by_id, edges, texts = kb
    models = models_of_assignments(edges)
    bad = [f"{e.key} ← {source}: {span!r}"
           for e in edges for source, span in spans(e.props, texts)
           if not (mentions(by_id[e.source], span, by_id, models)
                   or mentions(by_id[e.target], span, by_id, models))]
    assert not bad, "\n".join(bad)


def test_every_fact_from_a_document_carries_a_source(kb: tuple) -> None:
    by_id, _, _ = kb
    unsourced = [n.id for n in by_id.values()
                 if n.label not in ("Source", "Province", "District", "Commune", "Campaign")
                 and not n.props.get("sources") and not n.props.get("synthetic")]
    assert not unsourced, unsourced


def test_the_stored_document_text_is_the_corpus_text(kb: tuple, tmp_path: Path,
                                                    corpus: Path) -> None:
    _, _, texts = kb
    store = EmbeddedStore(tmp_path / "kb")
    load_kb(store, corpus=corpus)
    for doc, text in texts.items():
        node = store.get(doc)
        assert node is not None and node.props["text"] == text
