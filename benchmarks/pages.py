"""Each explorer page's request, timed on both stores (issue 17: the pages read through the catalogue).

    python benchmarks/pages.py [--no-neo4j] [--repeat 15] [--label after] [--data DIR]

The data is the curated knowledge base with both administrative maps of the whole
country (as ``danvan load`` writes them) plus the province demo (Kon Tum before the
reform and the 2026 plan of today's Quảng Ngãi), written once: into ``--data`` (an
embedded store folder, reused when it already holds data) and into the Neo4j server at
NEO4J_TEST_URI (reused when it holds the same number of nodes; ``--reload`` clears and
writes it again). Each page is requested through the FastAPI app in-process (no network):
two warm-up requests, then ``--repeat`` timed ones; p50 and p90 in ms.

The same file runs on older code (it only needs ``create_app``, ``load_kb`` and
``load_demo``), so "before" and "after" are measured with one command from two
worktrees, interleaved; each run appends to ``results/pages.json`` under its ``--label``
and ``results/pages.md`` shows the newest run of each label side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from danvan.api.app import create_app
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store

try:
    from danvan.loaders.reference.kb import load_kb
    from danvan.loaders.synthetic.demo import load_demo
except ImportError:  # the code before loaders/ was split by purpose (the "before" runs)
    from danvan.loaders.demo import load_demo  # type: ignore[no-redef]
    from danvan.loaders.kb import load_kb  # type: ignore[no-redef]

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what we install
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

RESULTS = Path(__file__).resolve().parent / "results"
# What a person opens: every page that reads the graph, in both maps where it has one.
PAGES = {
    "home (2025)": "/",
    "home (legacy)": "/?map=legacy",
    "search dak ruong": "/tim-kiem?q=dak+ruong",
    "assignments 133-KH/TU": "/phan-cong?plan=133-KH/TU",
    "assignments xlsx Kon Rẫy": "/phan-cong.xlsx?district=Kon+R%E1%BA%ABy&map=legacy",
    "coverage (all)": "/bao-phu",
    "coverage Kon Rẫy (legacy)": "/bao-phu?district=Kon+R%E1%BA%ABy&map=legacy",
    "map (2025)": "/ban-do",
    "map (legacy)": "/ban-do?map=legacy",
    "map Kon Tum district Kon Rẫy": "/ban-do?map=legacy&district=district-614",
    "entity: legacy commune Đăk Ruồng": "/thuc-the/commune-23488",
    "entity: 2025 commune Kon Braih": "/thuc-the/commune-2025-23497",
    "entity: village": "/thuc-the/village-commune-23488-thon-9",
    "entity: plan 08-KL/TU": "/thuc-the/{plan}",
    "entity: unit": "/thuc-the/{unit}",
    "graph (first view)": "/graph",
    "graph plan 26-KH/HU": "/graph?plan=26-KH%2FHU",
    "graph focus Đăk Ruồng depth 2": "/graph?focus=commune-23488&depth=2",
    "graph.json district Kon Rẫy": "/graph.json?district=district-614",
}


def fill(store: Store) -> dict[str, Any]:
    """Write the knowledge base with both maps and the province demo into an empty store."""
    started = time.perf_counter()
    load_kb(store, maps=True)
    load_demo(store, "province")
    return {"load_s": round(time.perf_counter() - started, 1)}


def _ids(store: Store) -> dict[str, str]:
    """Ids the page list names by role: the plan 08-KL/TU and the unit with the most assignments."""
    from danvan.queries.catalogue import run

    plan = run(store, "search", q="08-KL/TU", limit=1)["items"][0]["id"]
    items = run(store, "assignments", plan="133-KH/TU", limit=1000)["items"]
    counts: dict[str, int] = {}
    for item in items:
        counts[item["unit"]["id"]] = counts.get(item["unit"]["id"], 0) + 1
    unit = min(counts, key=lambda u: (-counts[u], u))
    return {"plan": plan, "unit": unit}


def time_pages(store: Store, repeat: int) -> dict[str, Any]:
    """p50/p90 ms of each page of PAGES on ``store`` (a failing page reports its status)."""
    client = TestClient(create_app(store))
    ids = _ids(store)
    out: dict[str, Any] = {}
    for label, url in PAGES.items():
        url = url.format(**ids)
        times = []
        status = 0
        for i in range(repeat + 2):
            t0 = time.perf_counter()
            response = client.get(url, follow_redirects=False)
            elapsed = (time.perf_counter() - t0) * 1000
            status = response.status_code
            if i >= 2:
                times.append(elapsed)
        if status != 200:
            out[label] = {"error": f"HTTP {status}"}
            continue
        times.sort()
        out[label] = {"p50_ms": round(statistics.median(times), 1),
                      "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1)}
        print(f"{label}: {out[label]}", file=sys.stderr)
    return out


def _neo4j() -> Store | None:
    from danvan.errors import DanvanError
    from danvan.graph.neo4j_store import Neo4jStore

    try:
        return Neo4jStore(os.environ.get("NEO4J_TEST_URI", "bolt://127.0.0.1:7687"), "neo4j",
                          os.environ.get("NEO4J_TEST_PASSWORD", "danvan-test-password"))
    except DanvanError as exc:
        print(f"Neo4j skipped: {exc}", file=sys.stderr)
        return None


def write_report(path: Path) -> None:
    """``pages.md``: per label, the median over its runs of each page's p50 and p90, side by side.

    The runs of both labels interleave (before, after, before, after…) so both meet the same
    load on a shared machine; each run's load average is listed.
    """
    runs = json.loads(path.read_text(encoding="utf-8"))["runs"]
    by_label: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        by_label.setdefault(r["label"], []).append(r)
    labels = sorted(by_label, key=lambda x: (x != "before", x))
    lines = ["# Explorer pages, request time (ms): median over runs of each run's p50 / p90", ""]
    for label in labels:
        lines.append(f"- {label}: " + "; ".join(f"{r['date']} (load {r['loadavg']}-{r['loadavg_end']})"
                                                for r in by_label[label]))
    lines.append("")
    for store in ("embedded", "neo4j"):
        lines += [f"## {store}", "", "| page | " + " | ".join(labels) + " |",
                  "|---|" + "---|" * len(labels)]
        for page in PAGES:
            cells = []
            for label in labels:
                found = [r[store][page] for r in by_label[label] if page in r.get(store, {})]
                ok = [t for t in found if "p50_ms" in t]
                if not ok:
                    cells.append(found[0].get("error", "") if found else "")
                    continue
                p50 = statistics.median(t["p50_ms"] for t in ok)
                p90 = statistics.median(t["p90_ms"] for t in ok)
                cells.append(f"{p50:.1f} / {p90:.1f}")
            lines.append(f"| {page} | " + " | ".join(cells) + " |")
        lines.append("")
    path.with_suffix(".md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-neo4j", action="store_true")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--label", default="after", help="before / after: the code measured")
    ap.add_argument("--data", type=Path, default=Path("/tmp/danvan-bench-pages"),
                    help="embedded store folder (filled on first use)")
    ap.add_argument("--reload", action="store_true", help="write the Neo4j data again")
    ap.add_argument("--out", type=Path, default=RESULTS / "pages.json")
    args = ap.parse_args()
    res: dict[str, Any] = {"label": args.label, "date": dt.datetime.now().isoformat(timespec="seconds"),
                           "loadavg": round(os.getloadavg()[0], 2)}
    emb = EmbeddedStore(args.data)
    if emb.is_empty():
        res["embedded_fill"] = fill(emb)
    res["embedded"] = time_pages(emb, args.repeat)
    expected = emb.counts()["nodes"]
    emb.close()
    neo = None if args.no_neo4j else _neo4j()
    if neo is not None:
        if args.reload or neo.counts()["nodes"] != expected:
            neo.clear()
            res["neo4j_fill"] = fill(neo)
        res["neo4j"] = time_pages(neo, args.repeat)
        neo.close()
    res["loadavg_end"] = round(os.getloadavg()[0], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {"runs": []}
    old["runs"].append(res)
    args.out.write_text(json.dumps(old, ensure_ascii=False, indent=1), encoding="utf-8")
    write_report(args.out)


if __name__ == "__main__":
    main()
