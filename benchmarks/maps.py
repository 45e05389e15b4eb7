"""The queries that take ``map`` (issue 13), in today's map and the legacy one, on the province demo.

    python benchmarks/maps.py [--no-neo4j] [--out benchmarks/results/maps.json]

p50/p99 in ms of coverage, assignments and places with ``map=2025`` (the default) and
``map=legacy``, on the embedded store and (when NEO4J_TEST_URI answers; the database is
cleared) Neo4j, after the warm-up rounds of benchmarks/scale.py. With a catalogue that has
no ``map`` parameter (code before it) the queries run without it, so the same command
measures the code before the change. Results also go to ``maps.md`` beside the JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import time_queries

from danvan.graph.embedded import EmbeddedStore
from danvan.loaders.synthetic.demo import load_demo
from danvan.queries.catalogue import CATALOGUE

RESULTS = Path(__file__).resolve().parent / "results"
CASES = {
    "coverage 133-KH/TU": ("coverage", {"plan": "133-KH/TU"}),
    "coverage Kon Rẫy": ("coverage", {"district": "Kon Rẫy"}),
    "assignments 133-KH/TU": ("assignments", {"plan": "133-KH/TU", "limit": 1000}),
    "places q=Đăk": ("places", {"q": "Đăk"}),
}


def _params(with_map: str | None) -> dict[str, tuple[str, dict[str, Any]]]:
    out = {}
    for label, (name, p) in CASES.items():
        known = {param.name for param in CATALOGUE[name].params}
        p = {("name" if k == "q" and "q" not in known else k): v for k, v in p.items()}
        if with_map and "map" in known:
            p = {**p, "map": with_map}
        out[label] = (name, p)
    return out


def _time(store: Any, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for which in ("2025", "legacy"):
        cases = _params(which)
        # time_queries runs catalogued queries by name: run one case at a time.
        for label, (name, p) in cases.items():
            out[f"{label} (map={which})"] = time_queries(store, {name: p}, repeat)[name]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-neo4j", action="store_true")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--out", type=Path, default=RESULTS / "maps.json")
    args = ap.parse_args()
    res: dict[str, Any] = {"date": dt.datetime.now().isoformat(timespec="seconds"),
                           "has_map_param": any(p.name == "map" for p in CATALOGUE["coverage"].params),
                           "loadavg": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory(prefix="danvan-bench-maps-") as folder:
        emb = EmbeddedStore(Path(folder) / "province")
        load_demo(emb, "province")
        res["embedded"] = _time(emb, args.repeat)
        emb.close()
    if not args.no_neo4j:
        from danvan.errors import DanvanError
        from danvan.graph.neo4j_store import Neo4jStore

        try:
            neo = Neo4jStore(os.environ.get("NEO4J_TEST_URI", "bolt://127.0.0.1:7687"), "neo4j",
                             os.environ.get("NEO4J_TEST_PASSWORD", "danvan-test-password"))
        except DanvanError as exc:
            print(f"Neo4j skipped: {exc}", file=sys.stderr)
        else:
            neo.clear()
            load_demo(neo, "province")
            res["neo4j"] = _time(neo, args.repeat)
            neo.clear()
            neo.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [f"# Queries with map ({res['date']}, load {res['loadavg']})", "",
             "| query | store | p50 ms | p99 ms |", "|---|---|---|---|"]
    for store in ("embedded", "neo4j"):
        for label, t in res.get(store, {}).items():
            lines.append(f"| {label} | {store} | {t.get('p50_ms', t.get('error'))} | {t.get('p99_ms', '')} |")
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
