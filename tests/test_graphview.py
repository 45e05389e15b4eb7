"""Graph pages: what they carry, that document text cannot break out of them, trimming, ``danvan viz``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store
from danvan.graph.types import Edge
from danvan.loaders.reference.kb import load_kb
from danvan.queries.catalogue import run as run_query
from danvan.visualisations.graphview import (
    build_subgraph,
    graph_view,
    json_for_script,
    render_page,
    result_view,
)

XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script><!--"


@pytest.fixture(scope="module")
def kb() -> EmbeddedStore:
    store = EmbeddedStore(":memory:")
    load_kb(store)
    return store


def _data_block(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert match, "the page has no data block"
    return json.loads(match.group(1))


def _hostile_store() -> EmbeddedStore:
    store = EmbeddedStore(":memory:")
    s = store.schema
    province = s.node("Province", name="Tỉnh Kon Tum", code="62")
    source = s.node("Source", key="s1", title=BREAKOUT, text=f"Đơn vị {XSS} giúp thôn. Hết.")
    unit = s.node("Unit", name=XSS, scope=province.id, sources=["source-s1#7-35"])
    store.write([province, source, unit])
    return store


def test_document_text_cannot_reach_the_page_unescaped() -> None:
    store = _hostile_store()
    html = render_page(graph_view(store), standalone=True)
    assert XSS not in html and "</script><script>alert(2)" not in html
    names = {n["name"] for n in _data_block(html)["nodes"]}
    assert XSS in names  # the data still says exactly what the store holds
    unit = next(n for n in _data_block(html)["nodes"] if n["group"] == "Unit")
    assert unit["sources"] == [{"id": "source-s1", "title": BREAKOUT,
                                "evidence": f"Đơn vị {XSS} giúp thôn."}]


def test_json_for_script_escapes_every_way_out_of_a_script_block() -> None:
    text = json_for_script({"a": BREAKOUT + "&\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["a"] == BREAKOUT + "&\u2028"


def test_the_page_loads_nothing_from_outside(kb: EmbeddedStore) -> None:
    standalone = render_page(graph_view(kb, plan="26-KH/HU"), standalone=True)
    served = render_page(graph_view(kb, plan="26-KH/HU"), standalone=False,
                         asset_url="/static/vis-network.min.js")
    for html in (standalone, served):
        for attr in re.findall(r'(?:src|href|action)="([^"]*)"', html):
            assert not re.match(r"(?i)(https?:)?//", attr), attr
        assert "bootstrap" not in html.lower()
    assert "vis-network" in standalone and "@license" in standalone  # inlined, with its licence
    assert '<script src="/static/vis-network.min.js">' in served


def test_legend_and_edges_speak_vietnamese_from_the_schema(kb: EmbeddedStore) -> None:
    data = graph_view(kb, plan="26-KH/HU").data
    assert data["styles"]["labels"]["Village"] == {**data["styles"]["labels"]["Village"],
                                                   "display": "Thôn, làng", "color": "#33a02c"}
    types = {e["type"]: e["label"] for e in data["edges"]}
    assert types["ASSIGNED_TO"] == "giúp đỡ" and types["UNDER_PLAN"] == "theo kế hoạch"
    groups = {n["group"] for n in data["nodes"]}
    assert {"Directive", "Assignment", "Unit", "Village"} <= groups


def test_plan_view_holds_the_plan_its_assignments_units_and_villages(kb: EmbeddedStore) -> None:
    sub, total = build_subgraph(kb, plan="26-KH/HU")
    ids = {n.id for n in sub.nodes}
    rows = run_query(kb, "assignments", plan="26-KH/HU")["items"]
    assert rows and total == len(ids)
    assert "directive-district-614-26-kh-hu" in ids
    for row in rows:
        assert {row["id"], row["unit"]["id"], row["target"]["id"]} <= ids
    keys = {e.key for e in sub.edges}
    for row in rows:
        assert f"{row['id']}|ASSIGNED_UNIT|{row['unit']['id']}" in keys


def test_hover_cards_carry_sources_and_the_evidence_sentence(kb: EmbeddedStore) -> None:
    data = graph_view(kb, focus="commune-23488", depth=2).data
    commune = next(n for n in data["nodes"] if n["id"] == "commune-23488")
    assert commune["name"] == "Xã Đăk Ruồng"
    assert commune["sources"] and all(s["title"] for s in commune["sources"])
    quoted = [s["evidence"] for s in commune["sources"] if s["evidence"]]
    if any(n.props.get("text") for n in kb.nodes("Source")):
        assert any("Ruồng" in q or "Ruông" in q for q in quoted)
    assignment = next(n for n in data["nodes"] if n["group"] == "Assignment")
    assert " giúp đỡ " in assignment["name"] and not assignment["name"].startswith("assignment-")


def test_a_big_graph_is_trimmed_and_the_page_says_how_to_narrow_it() -> None:
    store = EmbeddedStore(":memory:")
    s = store.schema
    province = s.node("Province", name="Tỉnh Thử", code="99")
    units = [s.node("Unit", name=f"Đơn vị {i}", scope=province.id) for i in range(60)]
    store.write([province, *units])
    view = graph_view(store, limit=25)
    meta = view.data["meta"]
    assert meta == {**meta, "shown": 25, "total": 61, "truncated": True}
    html = render_page(view)
    assert 'id="trim-notice"' in html and "61" in html and "thu hẹp" in html


def test_focus_depth_widens_the_neighbourhood(kb: EmbeddedStore) -> None:
    one, _ = build_subgraph(kb, focus="dak ruong", depth=1)
    two, _ = build_subgraph(kb, focus="dak ruong", depth=2)
    assert {n.id for n in one.nodes} < {n.id for n in two.nodes}
    neighbours = {e.target if e.source == "commune-23488" else e.source
                  for e in kb.edges_of("commune-23488")}
    assert {n.id for n in one.nodes} == neighbours | {"commune-23488"}


def test_any_catalogue_result_renders(kb: EmbeddedStore) -> None:
    result = run_query(kb, "coverage", plan="26-KH/HU")
    data = result_view(kb, result, title="coverage").data
    shown = {n["id"] for n in data["nodes"]}
    assert {v["id"] for v in result["villages_overlapping"]} <= shown
    assert data["meta"]["shown"] == len(shown)
    # a village's card names its commune (read with the drawing), as on the graph page
    village = next(n for n in data["nodes"] if n["group"] == "Village")
    values = [str(v) for _, v in village["props"]]
    assert values and not any(v.startswith("commune-") for v in values)
    assert "\n" in village["label"]


def test_subgraph_works_on_both_stores(store: Store) -> None:
    s = store.schema
    province = s.node("Province", name="Tỉnh Kon Tum", code="62")
    district = s.node("District", name="Huyện Kon Rẫy", code="614", province=province.id)
    commune = s.node("Commune", name="Xã Đăk Ruồng", code="23488", district=district.id)
    village = s.node("Village", name="Thôn 9", commune=commune.id)
    unit = s.node("Unit", name=XSS, scope=district.id)
    store.write([province, district, commune, village, unit],
                [Edge("SUPPORTS", unit.id, village.id, {"role": "support"})])
    sub, total = build_subgraph(store, focus=village.id, depth=1)
    assert {n.id for n in sub.nodes} == {village.id, commune.id, unit.id} and total == 3
    html = render_page(graph_view(store, focus="thon 9"))
    assert XSS not in html and {n["id"] for n in _data_block(html)["nodes"]} == {
        village.id, commune.id, unit.id}


def test_danvan_viz_writes_a_self_contained_page(tmp_path: Path) -> None:
    env = {**os.environ, "DANVAN_DATA_DIR": str(tmp_path / "data"), "DANVAN_STORE": "embedded"}
    cli = [sys.executable, "-c", "from danvan.cli import main; main()"]
    subprocess.run([*cli, "load"], env=env, check=True, capture_output=True, cwd=tmp_path)
    out = tmp_path / "ke-hoach.html"
    done = subprocess.run([*cli, "viz", "--plan", "26-KH/HU", "-o", str(out)], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = _data_block(out.read_text("utf-8"))
    assert f"{data['meta']['shown']} nodes" in done.stdout
    assert "directive-district-614-26-kh-hu" in {n["id"] for n in data["nodes"]}
    bad = subprocess.run([*cli, "viz", "--focus", "khong co noi nao nhu vay", "-o", str(out)],
                         env=env, capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode != 0 and "focus" in bad.stderr and "Traceback" not in bad.stderr
