"""Today's map: a 10,000-row 2026 sheet imported on the embedded store, and serve's cold start.

    python benchmarks/todays_map.py            # 10,000 rows, 3 cold starts
    python benchmarks/todays_map.py --quick    # 1,000 rows, 1 cold start
    python benchmarks/todays_map.py --profile  # also the import's top functions (cProfile)

The store holds the synthetic province (Kon Tum's villages, as ``danvan demo``
writes them) and both administrative maps. The sheet is written as a board
writes it in 2026: Đơn vị, Thôn/làng, Xã (the 2025 commune), Tỉnh Quảng Ngãi,
plan 45-KH/TU, dates in 2026, and Xã cũ only where the 2025 commune has several
villages of that name. The cold start is the time from starting ``danvan serve``
on an already-loaded data folder (knowledge base + both maps) until
``/api/v1/places?q=Kon Braih`` answers. Results: benchmarks/results/todays-map.json
and .md. Goals: import ≤ 3 s, cold start ≤ 3 s (2 shared cores).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from danvan.graph.embedded import EmbeddedStore
from danvan.loaders.reference.admin_map import map_records
from danvan.loaders.reference.admin_units import admin_units
from danvan.loaders.synthetic.generator import province_dataset, write_dataset

RESULTS = Path(__file__).resolve().parent / "results"
GOALS = {"import_10000_rows_s": 3.0, "serve_cold_start_s": 3.0}
HEAD = ["Đơn vị", "Thôn/làng", "Xã", "Tỉnh", "Kế hoạch", "Từ ngày", "Đến ngày", "Số hộ", "Xã cũ"]


def sheet_rows(store: EmbeddedStore, rows: int) -> list[list[Any]]:
    """Rows of a today's-map sheet over the store's villages (in their 2025 communes)."""
    units = admin_units()
    villages = sorted(store.nodes("Village"), key=lambda n: n.id)
    # Units of the merged province as a 2026 sheet names them (district bodies are gone).
    unit_names = sorted({n.name.replace("Kon Tum", "Quảng Ngãi") for n in store.nodes("Unit")
                         if "huyện" not in n.name.lower()})[:300]
    new_of: dict[str, Any] = {}
    olds: dict[str, Any] = {}
    for v in villages:
        old = units.commune(v.props["commune"].rsplit("-", 1)[-1])
        olds[v.id] = old
        successor = units.successor(old)
        new_of[v.id] = successor.commune or successor.candidates[0]
    same_name = Counter((new_of[v.id].code, v.name) for v in villages)
    out = []
    for i in range(rows):
        v = villages[(i * 7919) % len(villages)]
        new, old = new_of[v.id], olds[v.id]
        xa_cu = old.name if same_name[(new.code, v.name)] > 1 else None
        out.append([unit_names[i % len(unit_names)], v.name, new.name, "Tỉnh Quảng Ngãi", "45-KH/TU",
                    "15/01/2026", "31/12/2026", i % 20, xa_cu])
    return out


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Phân công")
    ws.append(HEAD)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def time_import(folder: Path, rows: int, profile: bool) -> dict[str, Any]:
    from danvan.loaders.spreadsheets.load import import_file

    store = EmbeddedStore(folder / "import")
    data = province_dataset()
    write_dataset(store, data)
    nodes, edges = map_records()
    store.load(nodes, edges)
    sheet = sheet_rows(store, rows)
    path = write_xlsx(folder / f"todays-map-{rows}.xlsx", sheet)
    t = time.perf_counter()
    dry = import_file(store, path, dry_run=True)
    t_dry = time.perf_counter() - t
    prof = cProfile.Profile() if profile else None
    t, cpu = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    real = import_file(store, path)
    if prof:
        prof.disable()
    t_real, cpu_real = time.perf_counter() - t, time.process_time() - cpu
    out: dict[str, Any] = {
        "rows": rows, "with_xa_cu": sum(1 for r in sheet if r[-1]), "dry_run_s": round(t_dry, 2),
        "import_s": round(t_real, 2), "import_cpu_s": round(cpu_real, 2),
        "rows_per_s": round(rows / t_real), "counts": real.counts,
        "dry_run_counts": dry.counts, "ok": real.ok,
        "written": real.written.__dict__ if real.written else None,
        "problems": [r.line() for r in real.rows if r.status in ("ambiguous", "invalid")][:5]}
    if prof:
        stats = pstats.Stats(prof, stream=io.StringIO())
        top = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])[:20]  # type: ignore[attr-defined]
        out["profile_cumtime"] = [{"function": f"{Path(f).name}:{line}:{fn}", "calls": c[1],
                                   "tottime_s": round(c[2], 3), "cumtime_s": round(c[3], 3)}
                                  for (f, line, fn), c in top]
    store.close()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def time_cold_start(folder: Path, runs: int) -> dict[str, Any]:
    """``danvan serve`` on a loaded data folder: seconds until the first answer."""
    data = folder / "serve"
    danvan = Path(sys.executable).with_name("danvan")
    env = {**os.environ, "DANVAN_STORE": "embedded"}
    subprocess.run([str(danvan), "load", "--data-dir", str(data)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    times: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        port = _free_port()
        url = f"http://127.0.0.1:{port}/api/v1/places?q=Kon%20Braih"
        t, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen([str(danvan), "serve", "--data-dir", str(data), "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        response.read()
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError("danvan serve exited") from None
                    time.sleep(0.02)
            times.append(time.perf_counter() - t)
        finally:
            proc.terminate()
            proc.wait(10)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the server's CPU, start to stop
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    counts = EmbeddedStore(data).counts()
    return {"runs_s": [round(x, 2) for x in times], "median_s": round(statistics.median(times), 2),
            "cpu_s": [round(x, 2) for x in cpus],
            "nodes": counts["nodes"], "edges": counts["edges"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS / "todays-map.json")
    args = parser.parse_args()
    rows = 1000 if args.quick else 10_000
    res: dict[str, Any] = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                           "loadavg_before": round(os.getloadavg()[0], 2), "goals": GOALS}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"importing {rows:,} rows", file=sys.stderr)
        res["embedded_import"] = time_import(Path(tmp), rows, args.profile)
        print("serve cold start", file=sys.stderr)
        res["serve_cold_start"] = time_cold_start(Path(tmp), 1 if args.quick else 3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", "utf-8")
    imp, cold = res["embedded_import"], res["serve_cold_start"]
    md = [f"# Today's map ({res['when']}, load average {res['loadavg_before']})", "",
          "| measurement | value | goal |", "|---|---|---|",
          f"| import {imp['rows']:,}-row 2026 sheet (embedded) | {imp['import_s']} s, CPU "
          f"{imp['import_cpu_s']} s ({imp['rows_per_s']:,} rows/s; dry run {imp['dry_run_s']} s) | "
          f"≤ {GOALS['import_10000_rows_s']} s |",
          f"| `danvan serve` cold start, KB + both maps ({cold['nodes']:,} nodes) | median "
          f"{cold['median_s']} s of {cold['runs_s']} (server CPU {cold['cpu_s']} s, to its stop) | "
          f"≤ {GOALS['serve_cold_start_s']} s |",
          "", "Wall times on 2 cores shared with other work: the load average is given above; the "
          "CPU times are what the work itself cost."
          "", f"Import counts: {imp['counts']}; rows with Xã cũ: {imp['with_xa_cu']}."]
    args.out.with_suffix(".md").write_text("\n".join(md) + "\n", "utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
