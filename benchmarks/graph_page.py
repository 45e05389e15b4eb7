"""Benchmark: time to interactive and weight of the graph page with 300, 1,000 and 3,000 nodes.

    python benchmarks/graph_page.py [--sizes 300,1000,3000] [--runs 3]

Builds a synthetic province (districts, communes, villages, units, assignments,
models; all marked ``synthetic``) in an in-memory store, renders the graph page
as ``danvan viz`` does (standalone, vis-network inlined) and opens it in headless
Debian chromium. "Interactive" = vis-network's stabilisation is done and
physics is off (``window.danvanGraph.ready``); the time is measured from
navigation start. Results go to benchmarks/results/graph_page.json.
Goal: 3,000 nodes usable within 5 s, page ≤ 3 MB.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from danvan.graph.embedded import EmbeddedStore
from danvan.graph.schema import load_schema
from danvan.graph.types import Edge, Node
from danvan.visualisations.graphview import graph_view, render_page, vis_network_js

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RESULTS = Path(__file__).resolve().parent / "results" / "graph_page.json"
GOAL_SECONDS, GOAL_BYTES = 5.0, 3_000_000
FIELDS = load_schema().enum("Model", "field")


def synthetic_store(nodes: int) -> EmbeddedStore:
    """A province big enough to hold ``nodes`` nodes, shaped like the real data."""
    store = EmbeddedStore(":memory:")
    s = store.schema
    batch: list[Node] = []
    edges: list[Edge] = []
    province = s.node("Province", name="Tỉnh Mô Phỏng", code="99", synthetic=True)
    plan = s.node("Directive", ref="1-KH/TU", kind="Kế hoạch", scope=province.id,
                  issuer="party-province-99-ban-thuong-vu", synthetic=True)
    party = s.node("PartyBody", name="Ban Thường vụ", scope=province.id, synthetic=True)
    batch += [province, party, plan]
    d = 0
    while len(batch) < nodes * 1.05:
        d += 1
        district = s.node("District", name=f"Huyện Thử {d}", code=f"9{d:03d}", province=province.id,
                          synthetic=True)
        batch.append(district)
        units = [s.node("Unit", name=f"Đơn vị {d}.{u}", scope=district.id, synthetic=True)
                 for u in range(8)]
        batch += units
        for c in range(6):
            commune = s.node("Commune", name=f"Xã Thử {d}.{c}", code=f"8{d:03d}{c}",
                             district=district.id, synthetic=True)
            batch.append(commune)
            for v in range(5):
                village = s.node("Village", name=f"Thôn {v + 1}", commune=commune.id, synthetic=True)
                batch.append(village)
                if (c + v) % 4 == 3:  # some villages nobody helps
                    continue
                unit = units[(c * 5 + v) % len(units)]
                model = s.node("Model", name=f"Mô hình {d}.{c}.{v}", scope=unit.id,
                               field=FIELDS[(c + v) % 4], synthetic=True)
                assignment = s.node("Assignment", unit=unit.id, target=village.id, plan=plan.id,
                                    synthetic=True)
                batch += [model, assignment]
                edges += [Edge("WITH_MODEL", assignment.id, model.id),
                          Edge("LOCATED_IN", model.id, village.id)]
    store.write(batch, edges)
    return store


def measure(html_path: Path, runs: int) -> dict[str, Any]:
    """Median time to interactive over ``runs`` fresh page loads."""
    from playwright.sync_api import sync_playwright

    times, counts = [], None
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True, bypass_csp=True,
            viewport={"width": 1366, "height": 900})
        for _ in range(runs):
            page = context.new_page()
            page.goto(html_path.as_uri())
            page.wait_for_function("window.danvanGraph && window.danvanGraph.ready === true",
                                   timeout=120_000)
            times.append(page.evaluate("window.danvanGraph.readyAt") / 1000)
            counts = page.evaluate("[danvanGraph.network.body.nodeIndices.length,"
                                   " danvanGraph.edges.length]")
            page.close()
        context.close()
    return {"interactive_s": round(statistics.median(times), 2),
            "interactive_runs_s": [round(t, 2) for t in times],
            "drawn_nodes": counts[0], "drawn_edges": counts[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1000,3000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    js_bytes = len(vis_network_js().encode())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            store = synthetic_store(size)
            started = time.perf_counter()
            view = graph_view(store, limit=size)
            html = render_page(view, standalone=True)
            build_s = time.perf_counter() - started
            path = Path(tmp) / f"graph-{size}.html"
            path.write_text(html, encoding="utf-8")
            served = len(render_page(view, standalone=False).encode())
            row = {"nodes": view.data["meta"]["shown"], "edges": view.data["meta"]["edges"],
                   "build_s": round(build_s, 2),
                   "page_bytes_standalone": len(html.encode()),
                   "page_bytes_served_html": served,
                   "page_bytes_served_total": served + js_bytes,
                   **measure(path, args.runs)}
            row["meets_goal"] = row["interactive_s"] <= GOAL_SECONDS and \
                row["page_bytes_standalone"] <= GOAL_BYTES
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "graph_page", "goal": {"interactive_s": GOAL_SECONDS, "page_bytes": GOAL_BYTES},
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "platform": platform.platform(),
                    "load_average_1m": round(__import__("os").getloadavg()[0], 2)},
        "results": rows}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
