"""Scale benchmarks: loading, batching, every catalogued query, memory and a 10,000-row import.

    python benchmarks/scale.py            # province + national, both stores (Neo4j if reachable)
    python benchmarks/scale.py --quick    # province only, fewer repetitions (for iteration)
    python benchmarks/scale.py --national-load-only --out /tmp/x.json   # just the national loads

Results go to benchmarks/results/scale.json and scale.md. Neo4j is used when
NEO4J_TEST_URI (default bolt://127.0.0.1:7687) answers with NEO4J_TEST_PASSWORD
(default danvan-test-password); the benchmark clears that database. Loads go
through write_dataset, as ``danvan demo`` does. The Neo4j server's memory is
recorded from NEO4J_TEST_JAVA_OPTS / NEO4J_TEST_PAGE_CACHE as given to
tools/neo4j-test-server/run.sh (figures so far: -Xmx2g, page cache 1024 MB).

Goals (2 cores): national load ≤ 60 s into Neo4j, ≤ 15 s into the embedded
store; batched writes ≥ 20× one-row writes; national embedded queries p99 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from danvan.errors import DanvanError
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store
from danvan.loaders.synthetic.generator import Dataset, national_dataset, province_dataset, write_dataset
from danvan.queries.catalogue import CATALOGUE

RESULTS = Path(__file__).resolve().parent / "results"
GOALS = {"neo4j_national_load_s": 60, "embedded_national_load_s": 15, "batch_ratio": 20,
         "embedded_national_query_p99_ms": 50}


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def query_params(data: Dataset, plan: str) -> dict[str, dict[str, Any]]:
    """Each catalogued query's example, adapted to ids and names that exist in ``data``."""
    assignment = next(n for n in data.nodes if n.label == "Assignment" and "village" in n.props["target"])
    unit = next(n for n in data.nodes if n.id == assignment.props["unit"])
    village = next(n for n in data.nodes if n.id == assignment.props["target"])
    commune = next(n for n in data.nodes if n.id == village.props["commune"])
    out = {name: dict(spec.example) for name, spec in CATALOGUE.items()}
    overrides = {
        "assignments": {"plan": plan}, "coverage": {"plan": plan}, "figures": {"plan": plan},
        "directive_lineage": {"directive": plan}, "models": {"district": "Kon Rẫy"},
        "village_profile": {"village": village.props["name"], "commune": commune.props["name"]},
        "unit_profile": {"unit": unit.id},
        "path": {"source": unit.id, "target": village.id},
        "place": {"id": commune.id}, "entity": {"id": village.id}, "neighbourhood": {"id": commune.id},
        # the page queries, as the explorer asks them on this data
        "subgraph": {"plan": plan}, "assignment_sheet": {"plan": plan},
        "commune_graph": {"commune": commune.id}, "entity_links": {"id": village.id},
        "lookup": {"ids": [unit.id, village.id, commune.id]},
    }
    for name, params in overrides.items():
        if name in out:
            out[name] = params
    return out


# A freshly started Neo4j (a JVM) compiles its Cypher runtime during its first few hundred
# queries: the same query runs 3-10x slower then. A server in use is warm, so before timing,
# every query of the set runs this many times on Neo4j (the embedded store needs one run).
NEO4J_WARM_ROUNDS = 20


@contextlib.contextmanager
def full_collections() -> Iterator[list[float]]:
    """The pauses (ms) of the full (generation 2) garbage collections run meanwhile.

    This process holds the whole dataset (≈110,000 tracked objects at province scale),
    so one full collection takes tens of ms, in whichever query's run it falls: with a
    handful of runs, it alone can set that query's p99. Recorded beside p50/p99 so an
    outlier can be told apart from a slow query; the timings themselves are unchanged.
    """
    pauses: list[float] = []
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(callback)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(callback)


def time_queries(store: Store, params: dict[str, dict[str, Any]], repeat: int) -> dict[str, Any]:
    """p50/p99 in ms of each query, after warm-up runs (see NEO4J_WARM_ROUNDS), and the
    full garbage collections during its timed runs (see :func:`full_collections`)."""
    from danvan.queries.catalogue import run as run_query

    def run(name: str, p: dict[str, Any]) -> Any:
        return run_query(store, name, **p)

    # As `danvan serve` does once its store is open: what is loaded by now (dataset, store,
    # caches) lives as long as the process, so full collections need not walk it again.
    gc.freeze()
    out: dict[str, Any] = {}
    for _ in range(NEO4J_WARM_ROUNDS - 1 if store.kind == "neo4j" else 0):
        for name, p in sorted(params.items()):
            with contextlib.suppress(DanvanError):
                run(name, p)
    for name, p in sorted(params.items()):
        try:
            run(name, p)
        except DanvanError as exc:
            out[name] = {"params": p, "error": str(exc)[:200]}
            continue
        times = []
        with full_collections() as pauses:
            for _ in range(repeat):
                t = time.perf_counter()
                run(name, p)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out[name] = {"params": p, "p50_ms": round(statistics.median(times), 2),
                     "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
                     "runs": repeat, "gc_full_collections": len(pauses),
                     "gc_full_max_ms": round(max(pauses, default=0.0), 1)}
    return out


def load(store: Store, data: Dataset) -> dict[str, Any]:
    """Write ``data`` the way ``danvan demo`` does (write_dataset, the store's bulk path;
    into Neo4j without rewriting real nodes); time, client CPU and rows per second."""
    loadavg = round(os.getloadavg()[0], 2)
    t, cpu = time.perf_counter(), time.process_time()
    written = write_dataset(store, data, skip_real=store.kind == "neo4j")
    seconds = time.perf_counter() - t
    # Rows stored: the dataset's nodes and edges plus the edges their references imply.
    rows = sum(written[k] for k in ("nodes_created", "nodes_updated", "edges_created",
                                    "edges_updated"))
    return {"seconds": round(seconds, 2), "client_cpu_s": round(time.process_time() - cpu, 2),
            "rows": rows, "rows_per_s": round(rows / seconds),
            "nodes": len(data.nodes), "edges_given": len(data.edges), "loadavg_before": loadavg,
            **written}


def neo4j_server_settings() -> dict[str, str]:
    """The test server's memory, as given to tools/neo4j-test-server/run.sh (not read back)."""
    return {"java_opts": os.environ.get("NEO4J_TEST_JAVA_OPTS", "(run.sh default: -Xmx512m)"),
            "page_cache_mb": os.environ.get("NEO4J_TEST_PAGE_CACHE", "(launcher default: 256)")}


def embedded_national_load(national: Dataset, folder: Path) -> tuple[EmbeddedStore, dict[str, Any]]:
    """The national load into a new embedded store in ``folder``, with the RSS it adds."""
    before = rss_mb()
    print("national: embedded load", file=sys.stderr)
    emb = EmbeddedStore(folder)
    loaded = load(emb, national)
    loaded["rss_delta_mb"] = round(rss_mb() - before, 1)
    return emb, loaded


# The embedded national measurements run in a process of their own, as `danvan demo` would
# load a country. In this one, after the province measurements, every Python phase of the
# same load ran 15-40 % slower (15.7-16.6 s against 11.7-12.0 s fresh, phase-timed): the
# national dataset is then allocated into a heap the province work has fragmented, and
# gc.freeze() (time_queries) keeps that work's garbage. That is the harness, not the store.
def embedded_national_fresh(tmp: Path) -> dict[str, Any]:
    """``embedded_national`` of a newly generated national dataset, with 10 runs of each
    query, in a new Python process (see ``--embedded-national``); its results."""
    out = tmp / "embedded-national.json"
    subprocess.run([sys.executable, __file__, "--embedded-national", "--out", str(out)], check=True)
    return {**json.loads(out.read_text("utf-8")), "embedded_national_process": "its own"}


def embedded_national(national: Dataset, folder: Path, query_runs: int | None) -> dict[str, Any]:
    """The national load into a new embedded store in ``folder`` (time, RSS), its queries
    if ``query_runs``, and its reopening."""
    emb, loaded = embedded_national_load(national, folder)
    res: dict[str, Any] = {"embedded_national_load": loaded}
    if query_runs:
        res["embedded_national_queries"] = time_queries(
            emb, query_params(national, "162-KH/TU"), query_runs)
    emb.close()
    res["embedded_national_reopen_s"] = reopen_seconds(folder)
    return res


def reopen_seconds(folder: Path) -> float:
    """How long opening the embedded store in ``folder`` takes (reading it all into memory)."""
    t = time.perf_counter()
    EmbeddedStore(folder).close()
    return round(time.perf_counter() - t, 2)


# The JVM under Neo4j compiles the code paths of a bulk load during the first one it
# serves: on 2 cores, the first national load after a start took 64-72 s, against 43-53 s
# on a server that had loaded before, and the server's JIT compilers had used 78 s of
# compile time (jstat), 54 s of CPU, on the cores the load needs. A server in use has
# paid that once, so (as queries are warmed, above) the timed national load follows a
# warm-up load of a tenth of the country, cleared before the timed one; its time is
# reported too. --cold skips it.
NEO4J_WARMUP_COMMUNES = 1_000


def neo4j_warmup(neo: Store, out: dict[str, Any]) -> None:
    """Load (timed) and clear a tenth of the national dataset: see NEO4J_WARMUP_COMMUNES."""
    from danvan.loaders.reference.admin_units import admin_units

    print("national: neo4j warm-up load", file=sys.stderr)
    warm = national_dataset(communes=admin_units().all_communes()[:NEO4J_WARMUP_COMMUNES])
    neo.clear()
    out["neo4j_warmup_load"] = load(neo, warm)
    neo.clear()


def neo4j_national(neo: Store, national: Dataset, out: dict[str, Any], query_runs: int | None,
                   cold: bool = False) -> None:
    """The national load into Neo4j (cleared before and after; after a warm-up load unless
    ``cold``), and its queries if ``query_runs``; into ``out`` (an error instead of figures
    if the load fails)."""
    if not cold:
        neo4j_warmup(neo, out)
    print("national: neo4j load", file=sys.stderr)
    neo.clear()
    try:
        out["neo4j_national_load"] = load(neo, national)
        if query_runs:
            out["neo4j_national_queries"] = time_queries(
                neo, query_params(national, "162-KH/TU"), query_runs)
    except DanvanError as exc:
        out["neo4j_national_load"] = {"error": str(exc)[:300]}
    neo.clear()


def write_results(res: dict[str, Any], out: Path) -> None:
    """``res`` as JSON at ``out`` and its summary beside it (.md), and on stdout."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    out.with_suffix(".md").write_text(summary(res), encoding="utf-8")
    print(summary(res))


def national_load_only(args: argparse.Namespace, res: dict[str, Any], tmp: Path) -> None:
    """Only the national loads (embedded: load, reopen, RSS; Neo4j: load), into ``args.out``."""
    print("national: generating", file=sys.stderr)
    t = time.perf_counter()
    national = national_dataset()
    res["national_generate_s"] = round(time.perf_counter() - t, 2)
    res["national_counts"] = {"nodes": len(national.nodes), "edges_given": len(national.edges)}
    res["loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
    if not args.neo4j_only:
        res.update(embedded_national(national, tmp / "national", None))
    neo = None if args.no_neo4j else neo4j_store()
    if neo is not None:
        res["neo4j_server"] = neo4j_server_settings()
        neo4j_national(neo, national, res, None, args.cold)
        neo.close()
    res["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    write_results(res, args.out)


def profile_embedded_write(data: Dataset, folder: Path) -> list[dict[str, Any]]:
    """cProfile of an embedded load: the 15 functions with most cumulative time."""
    store = EmbeddedStore(folder)
    prof = cProfile.Profile()
    prof.enable()
    write_dataset(store, data)
    prof.disable()
    store.close()
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    for (file, line, func), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{Path(file).name}:{line}:{func}", "calls": calls,
                     "tottime_s": round(tottime, 3), "cumtime_s": round(cumtime, 3)})
    return sorted(rows, key=lambda r: -r["tottime_s"])[:15]


def import_sheet(store: Store, data: Dataset, rows: int, folder: Path) -> dict[str, Any]:
    """A ``rows``-row .xlsx of new assignments (existing units × villages), imported for real."""
    import openpyxl

    from danvan.loaders.spreadsheets.load import HEADERS, import_file

    names = {n.id: n.props.get("name") for n in data.nodes}
    units = [n for n in data.nodes if n.label == "Unit"]
    villages = [n for n in data.nodes if n.label == "Village"]
    communes = {n.id: n for n in data.nodes if n.label == "Commune"}
    path = folder / f"import-{rows}.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Phân công")
    ws.append(list(HEADERS.values()))
    for i in range(rows):
        unit, village = units[i % len(units)], villages[(i * 7919) % len(villages)]
        commune = communes[village.props["commune"]]
        ws.append([unit.props["name"], village.props["name"], commune.props["name"],
                   names.get(commune.props.get("district")), "Kon Tum", "133-KH/TU", None, None,
                   "01/01/2025", "31/12/2025", i % 20, None])
    wb.save(path)
    t = time.perf_counter()
    import_file(store, path, dry_run=True)
    t_dry = time.perf_counter() - t
    t = time.perf_counter()
    real = import_file(store, path)
    t_real = time.perf_counter() - t
    return {"rows": rows, "dry_run_s": round(t_dry, 2), "import_s": round(t_real, 2),
            "rows_per_s": round(rows / t_real), "counts": real.counts, "ok": real.ok,
            "written": real.written.__dict__ if real.written else None}


def neo4j_store() -> Store | None:
    """The Neo4j test server, or None when it does not answer."""
    try:
        from danvan.graph.neo4j_store import Neo4jStore

        return Neo4jStore(os.environ.get("NEO4J_TEST_URI", "bolt://127.0.0.1:7687"), "neo4j",
                          os.environ.get("NEO4J_TEST_PASSWORD", "danvan-test-password"))
    except DanvanError as exc:
        print(f"neo4j: skipped ({exc})", file=sys.stderr)
        return None


def _write_one_by_one(store: Any, nodes: list[Any]) -> None:
    """What writing without batches costs: one Neo4j transaction per node (the store's
    checks and merge rule left out: this is the floor of the unbatched way)."""
    with store.session() as session:
        for node in nodes:
            checked = store.schema.check_node(node)
            cypher = (f"MERGE (n:Entity {{id: $id}}) SET n = $props, n.id = $id, "
                      f"n:{store.cypher_label(checked.label)}")
            session.execute_write(_run_one, cypher, checked.id, checked.props)


def _run_one(tx: Any, cypher: str, node_id: str, props: dict[str, Any]) -> None:
    tx.run(cypher, id=node_id, props=props).consume()


def batching(store: Any, n: int = 2000) -> dict[str, Any]:
    """Batched UNWIND writes vs one transaction per node, ``n`` Village-free Source nodes each."""
    s = store.schema
    one = [s.node("Source", key=f"bench-one-{i}", title=f"one {i}", synthetic=True) for i in range(n)]
    many = [s.node("Source", key=f"bench-batch-{i}", title=f"batch {i}", synthetic=True) for i in range(n)]
    t = time.perf_counter()
    _write_one_by_one(store, one)
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    store.write(many)
    t_batch = time.perf_counter() - t
    store.delete([x.id for x in one + many])
    return {"nodes": n, "one_by_one_s": round(t_one, 2), "batched_s": round(t_batch, 3),
            "ratio": round(t_one / t_batch, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="province scale only, fewer runs")
    ap.add_argument("--no-neo4j", action="store_true")
    ap.add_argument("--neo4j-only", action="store_true",
                    help="run only the Neo4j parts and merge them into an existing results file")
    ap.add_argument("--national-load-only", action="store_true",
                    help="only the national loads (embedded and, if reachable, Neo4j; with "
                         "--neo4j-only just Neo4j), no queries")
    ap.add_argument("--cold", action="store_true",
                    help="no warm-up load before the timed Neo4j national load (see neo4j_warmup)")
    ap.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    ap.add_argument("--embedded-national", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.embedded_national:  # the child process of embedded_national_fresh
        with tempfile.TemporaryDirectory(prefix="danvan-bench-") as folder:
            child = embedded_national(national_dataset(), Path(folder) / "national", 10)
        args.out.write_text(json.dumps(child), encoding="utf-8")
        return None
    res: dict[str, Any] = {"date": dt.datetime.now().isoformat(timespec="seconds"),
                           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                       "platform": platform.platform()},
                           "quick": args.quick, "goals": GOALS}
    # The stores go into a folder removed at the end (a national one takes ~450 MB).
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as folder:
        if args.national_load_only:
            national_load_only(args, res, Path(folder))
        else:
            run(args, res, Path(folder))


def run(args: argparse.Namespace, res: dict[str, Any], tmp: Path) -> None:
    """Every measurement (or, with --neo4j-only, the Neo4j ones), stores in ``tmp``."""
    repeat = 10 if args.quick else 30
    print("province: generating", file=sys.stderr)
    t = time.perf_counter()
    province = province_dataset()
    res["province_generate_s"] = round(time.perf_counter() - t, 2)
    if args.neo4j_only:
        return neo4j_only(args, res, province, tmp)
    emb = EmbeddedStore(tmp / "province")
    tracemalloc.start()
    res["embedded_province_load"] = load(emb, province)
    peak = tracemalloc.get_traced_memory()[1]
    res["embedded_province_load"]["tracemalloc_peak_mb"] = round(peak / 2**20, 1)
    tracemalloc.stop()
    params_p = query_params(province, "133-KH/TU")
    res["embedded_province_queries"] = time_queries(emb, params_p, repeat)
    print("province: 10,000-row import", file=sys.stderr)
    res["embedded_import_10000_rows"] = import_sheet(emb, province, 1000 if args.quick else 10_000, tmp)
    emb.close()

    if not args.quick:
        print("national: generating", file=sys.stderr)
        t = time.perf_counter()
        national = national_dataset()
        res["national_generate_s"] = round(time.perf_counter() - t, 2)
        labels: dict[str, int] = {}
        for n in national.nodes:
            labels[n.label] = labels.get(n.label, 0) + 1
        res["national_counts"] = {"nodes": len(national.nodes), "edges_given": len(national.edges),
                                  "labels": labels}
        res.update(embedded_national_fresh(tmp))
        print("national: profiling the embedded write (province dataset)", file=sys.stderr)
        res["embedded_write_profile_province"] = profile_embedded_write(province, tmp / "profile")

    # Neo4j after every embedded measurement: a server keeps working (JIT, checkpoints, GC)
    # after a load, on the same two cores, and that would be counted as embedded time.
    neo = None if args.no_neo4j else neo4j_store()
    if neo is not None:
        print("neo4j: province", file=sys.stderr)
        neo.clear()
        res["neo4j_server"] = neo4j_server_settings()
        res["neo4j_province_load"] = load(neo, province)
        res["neo4j_province_queries"] = time_queries(neo, params_p, max(5, repeat // 2))
        res["neo4j_batching"] = batching(neo)

    if not args.quick and neo is not None:
        neo4j_national(neo, national, res, 5, args.cold)
    if neo is not None:
        neo.close()
    write_results(res, args.out)


def neo4j_only(args: argparse.Namespace, res: dict[str, Any], province: Dataset, tmp: Path) -> None:
    """The Neo4j measurements alone, merged into the results file of an earlier run."""
    neo = neo4j_store()
    if neo is None:
        raise SystemExit("neo4j: not reachable")
    old = json.loads(args.out.read_text("utf-8")) if args.out.exists() else res
    params_p = query_params(province, "133-KH/TU")
    old["neo4j_date"] = res["date"]
    old["neo4j_loadavg_before"] = [round(x, 2) for x in os.getloadavg()]
    neo.clear()
    old["neo4j_server"] = neo4j_server_settings()
    old["neo4j_warm_rounds"] = NEO4J_WARM_ROUNDS
    old["neo4j_province_load"] = load(neo, province)
    old["neo4j_province_queries"] = time_queries(neo, params_p, 15)
    old["neo4j_batching"] = batching(neo)
    if not args.quick:
        old["neo4j_national_date"] = res["date"]
        neo4j_national(neo, national_dataset(), old, 5, args.cold)
    neo.close()
    old["neo4j_loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    write_results(old, args.out)


def summary(res: dict[str, Any]) -> str:
    """A Markdown table of the main figures."""
    lines = [f"# Scale benchmark ({res['date']}, {res['machine']['cpus']} CPUs"
             f"{', quick' if res['quick'] else ''})", ""]
    if res.get("neo4j_date"):
        lines += [f"Neo4j figures from a later `--neo4j-only` run ({res['neo4j_date']}, load average "
                  f"{res.get('neo4j_loadavg_before')} → {res.get('neo4j_loadavg_after')})"
                  + (f"; Neo4j national figures from the run of {res['neo4j_national_date']}"
                     if res.get("neo4j_national_date", res["neo4j_date"]) != res["neo4j_date"] else "")
                  + ".", ""]
    lines += ["| measure | value | goal |", "|---|---|---|"]

    def row(name: str, value: Any, goal: str = "") -> None:
        lines.append(f"| {name} | {value} | {goal} |")

    for key in ("embedded_province_load", "neo4j_province_load", "embedded_national_load",
                "neo4j_warmup_load", "neo4j_national_load"):
        r = res.get(key)
        if r:
            goal = {"embedded_national_load": "≤ 15 s", "neo4j_national_load": "≤ 60 s"}.get(key, "")
            cpu = f", client CPU {r['client_cpu_s']} s" if "client_cpu_s" in r else ""
            if "loadavg_before" in r:
                cpu += f", load average before {r['loadavg_before']}"
            row(key.replace("_", " "), r.get("error") or
                f"{r['seconds']} s ({r['rows']:,} rows, {r['rows_per_s']:,} rows/s{cpu})", goal)
    if "embedded_national_process" in res:
        row("embedded national measured in", "a process of its own (see embedded_national_fresh)")
    if "rss_delta_mb" in res.get("embedded_national_load", {}):
        row("embedded national RSS delta", f"{res['embedded_national_load'].get('rss_delta_mb')} MB")
    if "embedded_national_reopen_s" in res:
        row("embedded national reopen", f"{res['embedded_national_reopen_s']} s")
    if "neo4j_server" in res:
        n = res["neo4j_server"]
        row("Neo4j test server memory", f"{n['java_opts']}; page cache {n['page_cache_mb']} MB")
    if "neo4j_warm_rounds" in res:
        row("Neo4j warm-up before timing queries", f"{res['neo4j_warm_rounds']} rounds of every query")
    if "neo4j_batching" in res:
        b = res["neo4j_batching"]
        row("Neo4j batched vs one-by-one (2,000 nodes)",
            f"{b['ratio']}× ({b['one_by_one_s']} s vs {b['batched_s']} s)", "≥ 20×")
    imp = res.get("embedded_import_10000_rows")
    if imp:
        row(f"import {imp['rows']:,}-row .xlsx (embedded, province)",
            f"{imp['import_s']} s ({imp['rows_per_s']:,} rows/s; dry run {imp['dry_run_s']} s)")
    for key in ("embedded_province_queries", "neo4j_province_queries", "embedded_national_queries",
                "neo4j_national_queries"):
        q = res.get(key)
        if not q:
            continue
        lines += ["", f"## {key.replace('_', ' ')} (ms)", "", "| query | p50 | p99 |", "|---|---|---|"]
        for name, r in sorted(q.items()):
            if "error" in r:
                lines.append(f"| {name} | error: {r['error'][:80]} | |")
            else:
                gc_note = (f" (full GC during the runs: {r['gc_full_max_ms']} ms)"
                           if r.get("gc_full_collections") else "")
                lines.append(f"| {name} | {r['p50_ms']} | {r['p99_ms']}{gc_note} |")
    prof = res.get("embedded_write_profile_province")
    if prof:
        lines += ["", "## embedded write profile (province dataset, top tottime)", "",
                  "| function | calls | tottime s | cumtime s |", "|---|---|---|---|"]
        lines += [f"| {p['function']} | {p['calls']} | {p['tottime_s']} | {p['cumtime_s']} |" for p in prof]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
