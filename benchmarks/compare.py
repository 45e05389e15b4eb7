"""Paired before/after runs of the query benchmarks, each tree running its own copy.

    python benchmarks/compare.py --before /work/before --after .
    python benchmarks/compare.py --before /work/before --after . --pairs 6 --benchmarks scale,queries,maps
    python benchmarks/compare.py --before /work/before --after . --pairs 3 --benchmarks api --append
    python benchmarks/compare.py --report-only      # the tables again from the saved runs

Two checkouts of danvan (e.g. the commit before a refactor and the current branch) each run
their own ``benchmarks/scale.py --quick`` (every catalogued query at province scale, the
embedded store and, when NEO4J_TEST_URI answers, Neo4j: its database is cleared),
``benchmarks/maps.py`` (the queries that take ``map``, in both maps) and, if asked,
``benchmarks/api.py`` (HTTP p50 at concurrency 1 and requests per second at 32, embedded
store), unchanged: this script only starts them and reads their JSON. ``queries`` imports
the tree's own ``scale.query_params`` and ``scale.time_queries`` and times every catalogued
query on both stores with ``--query-repeat`` runs each (``--quick`` makes only 10 on the
embedded store and 5 on Neo4j, too few for a steady p50 on a busy machine). On a shared machine
one run is noise, so runs alternate (before, after, after, before, before, after, …: the
order flips each pair, so a drift such as a Neo4j server warming up over time falls on
both sides alike) and the load average is recorded before and after each run. The report
compares the median over pairs of each query's p50, and says whether the after tree was
slower in *every* pair.

Each tree needs a Python whose ``danvan`` is that tree (an editable install): given with
``--before-python`` / ``--after-python``, or found as ``TREE/.venv/bin/python``,
``../venvs/NAME/bin/python`` beside the tree (NAME = the tree's folder, with or without a
``wt-`` prefix), or this interpreter; each candidate is checked by importing from it.

Raw runs go to ``benchmarks/results/seam-before-after.json`` (appended as they finish, so
an interrupted session keeps its pairs) and the tables to ``seam-before-after.md``
(``--out`` to change the name).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
SLOWER = 1.15  # "clearly slower": after/before above this in every pair


def dump(data: dict[str, Any]) -> str:
    """``data`` as indented JSON, with each list of numbers on one line.

    >>> dump({"times": [1.5, 2.25]})
    '{\\n "times": [1.5, 2.25]\\n}'
    """
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return re.sub(r"\[\s+([-\d.,\s]+?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages (/proc/loadavg)."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def python_for(tree: Path, given: str | None) -> str:
    """A Python interpreter that imports ``danvan`` from ``tree`` (see the module docstring)."""
    venvs = tree.parent / "venvs"
    candidates = [given] if given else [
        str(tree / ".venv/bin/python"), str(venvs / tree.name / "bin/python"),
        str(venvs / tree.name.removeprefix("wt-") / "bin/python"), sys.executable]
    for python in candidates:
        if python and Path(python).exists() and imports_from(python, tree):
            return python
    raise SystemExit(f"compare: no Python imports danvan from {tree} (tried {', '.join(candidates)}); "
                     "pass --before-python / --after-python")


def imports_from(python: str, tree: Path) -> bool:
    """Whether ``python`` (run outside any tree) imports the query catalogue from ``tree``."""
    out = subprocess.run([python, "-c", "import danvan.queries.catalogue as c; print(c.__file__)"],
                         capture_output=True, text=True, cwd="/")
    return out.returncode == 0 and Path(out.stdout.strip()).resolve().is_relative_to(tree.resolve())


def commit_of(tree: Path) -> dict[str, Any]:
    """The commit checked out in ``tree``, its subject, and whether files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True,
                              check=True).stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "subject": git("log", "-1", "--format=%s")[:100],
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


# "queries": scale.py's own query_params and time_queries, imported from the tree measured,
# on the province dataset in both stores, with more runs per query than --quick's 10
# (embedded) and 5 (Neo4j): its p50s are steadier. Nothing else of scale.py runs.
_QUERIES = """
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, "benchmarks")
import scale
out, repeat, neo4j = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
data = scale.province_dataset()
params = scale.query_params(data, "133-KH/TU")
res = {}
with tempfile.TemporaryDirectory(prefix="danvan-compare-") as folder:
    emb = scale.EmbeddedStore(Path(folder) / "province")
    scale.load(emb, data)
    res["embedded_province_queries"] = scale.time_queries(emb, params, repeat)
    emb.close()
neo = scale.neo4j_store() if neo4j else None
if neo is not None:
    neo.clear()
    scale.load(neo, data)
    res["neo4j_province_queries"] = scale.time_queries(neo, params, repeat)
    neo.clear()
    neo.close()
out.write_text(json.dumps(res, ensure_ascii=False), encoding="utf-8")
"""


# "interleaved": one long-lived worker per tree (the tree's Python, in the tree, importing its
# own scale.py and maps.py), both holding the province dataset; the parent asks them in turn
# for a few timed runs of one case at a time, alternating which goes first. Both sides then
# run within a second of each other, so a busy minute on the machine falls on both alike:
# on a shared machine this tells a few per cent apart where whole runs differ by 2x.
_WORKER = """
import gc, json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, "benchmarks")
import maps, scale
from danvan.queries.catalogue import run
data = scale.province_dataset()
cases = {("scale", q): (q, p) for q, p in scale.query_params(data, "133-KH/TU").items()}
for which in ("2025", "legacy"):
    for label, (q, p) in maps._params(which).items():
        cases[("maps", f"{label} (map={which})")] = (q, p)
folder = tempfile.mkdtemp(prefix="danvan-compare-")
stores = {"embedded": scale.EmbeddedStore(Path(folder) / "province")}
scale.load(stores["embedded"], data)
gc.freeze()  # as scale.time_queries does: the loaded data is not walked by every collection
print(json.dumps([list(k) for k in cases]), flush=True)
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd.get("do") == "neo4j":  # open (and, if asked, clear and load) the Neo4j test database
        stores["neo4j"] = scale.neo4j_store()
        if cmd["load"]:
            stores["neo4j"].clear()
            scale.load(stores["neo4j"], data)
        gc.freeze()
        print("{}", flush=True)
        continue
    store, (q, p) = stores[cmd["store"]], cases[tuple(cmd["case"])]
    times = []
    try:
        for _ in range(cmd["n"]):
            t = time.perf_counter()
            run(store, q, **p)
            times.append((time.perf_counter() - t) * 1000)
    except Exception as exc:  # a query this tree does not have, or that fails: say so
        print(json.dumps({"error": str(exc)[:200]}), flush=True)
        continue
    print(json.dumps({"times": times}), flush=True)
"""


class Worker:
    """A tree's worker process (see ``_WORKER``): ``ask`` sends one command, returns its answer."""

    def __init__(self, tree: Path, python: str) -> None:
        self.proc = subprocess.Popen([python, "-c", _WORKER], cwd=tree, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.cases = [tuple(c) for c in json.loads(self.proc.stdout.readline())]

    def ask(self, **cmd: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def interleaved(trees: dict[str, Path], pythons: dict[str, str], rounds: int, runs: int,
                neo4j: bool) -> dict[str, Any]:
    """``rounds`` rounds over every case both trees have, ``runs`` timed runs per side each
    (after warm-up rounds: scale.NEO4J_WARM_ROUNDS on Neo4j, one on the embedded store);
    each case's times per side, and the load average before and after."""
    workers = {side: Worker(trees[side], pythons[side]) for side in ("before", "after")}
    cases = [c for c in workers["after"].cases if c in set(workers["before"].cases)]
    out: dict[str, Any] = {"rounds": rounds, "runs": runs, "loadavg_before": loadavg(),
                           "date": dt.datetime.now().isoformat(timespec="seconds"), "stores": {}}
    stores = ["embedded"]
    if neo4j and os.environ.get("NEO4J_TEST_URI"):
        workers["after"].ask(do="neo4j", load=True)  # both read the one database
        workers["before"].ask(do="neo4j", load=False)
        stores.append("neo4j")
    for store in stores:
        print(f"compare: interleaved, {store}", file=sys.stderr)
        times: dict[str, dict[str, list[float]]] = {}
        warm = 20 if store == "neo4j" else 1
        for side in ("before", "after"):
            for case in cases:
                workers[side].ask(store=store, case=list(case), n=warm)
        for r in range(rounds):
            for case in cases:
                for side in order(r):
                    got = workers[side].ask(store=store, case=list(case), n=runs)
                    key = f"{case[0]}: {case[1]}"
                    times.setdefault(key, {}).setdefault(side, []).extend(
                        round(t, 4) for t in got.get("times", []))
        out["stores"][store] = times
    for w in workers.values():
        w.close()
    out["loadavg_after"] = loadavg()
    return out


def interleaved_rows(times: dict[str, dict[str, list[float]]], runs: int) -> list[dict[str, Any]]:
    """Per case: p50 of every run per side, their ratio, and in how many rounds (``runs``
    runs per side each) the after side's median was the higher."""
    rows = []
    for case, sides in sorted(times.items()):
        b, a = sides.get("before", []), sides.get("after", [])
        if not a or not b:
            continue
        rounds = list(zip(range(0, len(b), runs), range(0, len(a), runs), strict=False))
        slower = sum(statistics.median(a[j:j + runs]) > statistics.median(b[i:i + runs])
                     for i, j in rounds)
        rows.append({"case": case, "before_p50_ms": round(statistics.median(b), 3),
                     "after_p50_ms": round(statistics.median(a), 3),
                     "ratio": round(statistics.median(a) / statistics.median(b), 2),
                     "rounds_after_slower": f"{slower}/{len(rounds)}"})
    return rows


def command(benchmark: str, out: Path, args: argparse.Namespace) -> list[str]:
    """The benchmark's own command line (in the tree it runs in), writing its JSON to ``out``."""
    no_neo4j = ["--no-neo4j"] if args.no_neo4j else []
    if benchmark == "queries":
        return ["-c", _QUERIES, str(out), str(args.query_repeat), "0" if args.no_neo4j else "1"]
    if benchmark == "scale":
        return ["benchmarks/scale.py", "--quick", "--out", str(out), *no_neo4j]
    if benchmark == "maps":
        return ["benchmarks/maps.py", "--repeat", str(args.maps_repeat), "--out", str(out), *no_neo4j]
    if benchmark == "api":
        return ["benchmarks/api.py", "--store", "embedded", "--seconds", str(args.api_seconds),
                "--sequential", "100", "--requests", "2000", "--out", str(out)]
    raise SystemExit(f"compare: unknown benchmark {benchmark!r} (scale, queries, maps, api)")


def figures(benchmark: str, res: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    """``{store or measure: {query: {"p50_ms", "p99_ms" | "rps"}}}`` from a benchmark's JSON."""
    def pick(rows: dict[str, Any], *keys: str) -> dict[str, dict[str, float]]:
        return {q: {k: r[k] for k in keys if k in r} for q, r in rows.items() if "p50_ms" in r}

    if benchmark in ("scale", "queries"):
        return {store: pick(res.get(f"{store}_province_queries", {}), "p50_ms", "p99_ms")
                for store in ("embedded", "neo4j") if res.get(f"{store}_province_queries")}
    if benchmark == "maps":
        return {store: pick(res[store], "p50_ms", "p99_ms")
                for store in ("embedded", "neo4j") if store in res}
    ends = {q: r for q, r in res["endpoints"].items() if "error" not in r}
    many = f"http_c{res['concurrency']}"
    return {"embedded bare": pick({q: r["bare"] for q, r in ends.items()}, "p50_ms", "p99_ms"),
            "embedded HTTP c=1": pick({q: r["http_c1"] for q, r in ends.items()}, "p50_ms", "p99_ms"),
            f"embedded HTTP c={res['concurrency']}": pick({q: r[many] for q, r in ends.items()},
                                                          "p50_ms", "rps")}


def run_one(side: str, tree: Path, python: str, benchmark: str, pair: int,
            args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """One benchmark run in one tree: its figures, time taken and load averages."""
    out = tmp / f"{benchmark}-{side}-{pair}.json"
    cmd = [python, *command(benchmark, out, args)]
    print(f"compare: pair {pair} {side} {benchmark} (load {loadavg()[0]})", file=sys.stderr)
    date, before, started = dt.datetime.now().isoformat(timespec="seconds"), loadavg(), time.perf_counter()
    done = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    row: dict[str, Any] = {"side": side, "pair": pair, "benchmark": benchmark,
                           "date": date,
                           "command": (" ".join(cmd[1:]) if benchmark != "queries" else
                                       f"scale.time_queries, {args.query_repeat} runs per query"),
                           "seconds": round(seconds, 1),
                           "loadavg_before": before, "loadavg_after": loadavg()}
    if done.returncode != 0 or not out.exists():
        row["error"] = (done.stderr or done.stdout)[-600:]
        print(f"compare: {side} {benchmark} failed: {row['error'][-300:]}", file=sys.stderr)
        return row
    raw = json.loads(out.read_text("utf-8"))
    row["figures"] = figures(benchmark, raw)
    if benchmark == "scale":
        row["neo4j_server"] = raw.get("neo4j_server")
    return row


def order(pair: int) -> tuple[str, str]:
    """Before first in even pairs, after first in odd ones (ABBA...)."""
    return ("before", "after") if pair % 2 == 0 else ("after", "before")


def compare(runs: list[dict[str, Any]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per benchmark and store, each query's per-pair p50s (rps) and their medians."""
    table: dict[str, dict[str, dict[str, dict[str, dict[int, dict[str, float]]]]]] = {}
    for r in runs:
        for store, queries in r.get("figures", {}).items():
            for q, f in queries.items():
                slot = table.setdefault(r["benchmark"], {}).setdefault(store, {}).setdefault(q, {})
                slot.setdefault(r["side"], {})[r["pair"]] = f
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for bench, stores in table.items():
        for store, queries in stores.items():
            rows = out.setdefault(bench, {}).setdefault(store, [])
            for q, sides in queries.items():
                pairs = sorted(set(sides.get("before", {})) & set(sides.get("after", {})))
                if not pairs:  # a query one tree does not have (or that failed there)
                    only = [s for s in ("before", "after") if s in sides]
                    rows.append({"query": q, "only": only[0] if len(only) == 1 else "neither",
                                 "p50_ms": [f.get("p50_ms") for s in only for f in sides[s].values()]})
                    continue
                key = "p50_ms" if "p50_ms" in sides["before"][pairs[0]] else "rps"
                b = [sides["before"][p][key] for p in pairs]
                a = [sides["after"][p][key] for p in pairs]
                ratios = [round(y / x, 2) if x else None for x, y in zip(b, a, strict=True)]
                row: dict[str, Any] = {"query": q, "pairs": len(pairs), "before_p50_ms": b, "after_p50_ms": a,
                                       "before_median": round(statistics.median(b), 2),
                                       "after_median": round(statistics.median(a), 2),
                                       "pair_ratios": ratios}
                row["ratio"] = (round(row["after_median"] / row["before_median"], 2)
                                if row["before_median"] else None)
                row["slower_every_pair"] = all(x is not None and x > SLOWER for x in ratios)
                row["faster_every_pair"] = all(x is not None and x < 1 / SLOWER for x in ratios)
                if "rps" in sides["before"][pairs[0]]:  # the concurrent measure: rates too
                    row["before_rps"] = statistics.median(sides["before"][p]["rps"] for p in pairs)
                    row["after_rps"] = statistics.median(sides["after"][p]["rps"] for p in pairs)
                rows.append(row)
            rows.sort(key=lambda x: x["query"])
    return out


def report(data: dict[str, Any]) -> str:
    """The Markdown tables: per benchmark and store, medians of p50 over the pairs."""
    lines = [f"# {data.get('title', 'Query speed before and after')}", "", *data.get("notes", []),
             f"Before: `{data['before']['commit']}` ({data['before']['subject']}); "
             f"after: `{data['after']['commit']}` ({data['after']['subject']})"
             + (" with uncommitted changes" if data["after"].get("dirty") else "") + ".", "",
             "Each tree ran its own copy of the benchmark (`python benchmarks/compare.py`); runs "
             "alternated before/after with the order flipped each pair. Figures: the median over "
             "the pairs of each query's p50 in ms; ratio = after ÷ before (below 1 = faster "
             f"after); 'every pair' marks a query slower (or faster) by more than "
             f"{round((SLOWER - 1) * 100)} % in every pair.", ""]
    comparison = compare(data["runs"])
    for bench, stores in comparison.items():
        for store, rows in stores.items():
            lines += [f"## {bench}: {store}", "",
                      "| query | before p50 | after p50 | ratio | per-pair ratios | every pair |",
                      "|---|---|---|---|---|---|"]
            for r in rows:
                if "only" in r:
                    continue
                mark = "slower" if r["slower_every_pair"] else "faster" if r["faster_every_pair"] else ""
                rates = (f" ({r['before_rps']} → {r['after_rps']} req/s)" if "before_rps" in r else "")
                lines.append(f"| {r['query']} | {r['before_median']} | {r['after_median']}{rates} | "
                             f"{r['ratio']} | {', '.join(map(str, r['pair_ratios']))} | {mark} |")
            only = [f"{r['query']} ({r['only']} only: median p50 {statistics.median(r['p50_ms'])})"
                    for r in rows if "only" in r and r["p50_ms"]]
            if only:
                lines += ["", "Measured in one tree only: " + "; ".join(only) + "."]
            lines.append("")
    inter = data.get("interleaved")
    if inter:
        lines += [f"## Interleaved runs ({inter['date']}, load {inter['loadavg_before']} → "
                  f"{inter['loadavg_after']})", "",
                  f"One worker per tree, both alive at once; {inter['rounds']} rounds, each giving "
                  f"every case {inter['runs']} timed runs on one side then the other (the order "
                  "flipped each round). p50 over all of a side's runs; 'after slower' counts the "
                  "rounds whose after median was the higher.", ""]
        for store, times in inter["stores"].items():
            lines += [f"### {store}", "", "| case | before p50 | after p50 | ratio | after slower |",
                      "|---|---|---|---|---|"]
            lines += [f"| {r['case']} | {r['before_p50_ms']} | {r['after_p50_ms']} | {r['ratio']} | "
                      f"{r['rounds_after_slower']} |" for r in interleaved_rows(times, inter["runs"])]
            lines.append("")
    lines += ["## Runs", "", "| pair | side | benchmark | started | seconds | load before | load after |",
              "|---|---|---|---|---|---|---|"]
    for r in data["runs"]:
        lines.append(f"| {r['pair']} | {r['side']} | {r['benchmark']}{' (failed)' if 'error' in r else ''} | "
                     f"{r['date']} | {r['seconds']} | {' '.join(map(str, r['loadavg_before']))} | "
                     f"{' '.join(map(str, r['loadavg_after']))} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", type=Path, default=None, help="the checkout measured as 'before'")
    ap.add_argument("--after", type=Path, default=Path("."), help="the checkout measured as 'after'")
    ap.add_argument("--before-python")
    ap.add_argument("--after-python")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--benchmarks", default="scale,maps", help="comma-separated: scale, queries, maps, api")
    ap.add_argument("--maps-repeat", type=int, default=30)
    ap.add_argument("--query-repeat", type=int, default=50, help="runs per query in 'queries'")
    ap.add_argument("--api-seconds", type=float, default=3.0)
    ap.add_argument("--no-neo4j", action="store_true")
    ap.add_argument("--append", action="store_true",
                    help="add these runs to the saved ones (same commits), numbering pairs after them")
    ap.add_argument("--interleaved", type=int, default=0, metavar="ROUNDS",
                    help="instead of whole runs: this many rounds of interleaved workers")
    ap.add_argument("--interleaved-runs", type=int, default=5, help="timed runs per side per round")
    ap.add_argument("--notes", type=Path, help="Markdown put under the title (kept in the JSON)")
    ap.add_argument("--report-only", action="store_true", help="rewrite the tables from the saved runs")
    ap.add_argument("--out", type=Path, default=RESULTS / "seam-before-after.json")
    ap.add_argument("--title", default="Query speed before and after the seam refactor (issue 17, item 7)")
    args = ap.parse_args()
    if args.report_only:
        saved: dict[str, Any] = json.loads(args.out.read_text("utf-8"))
        if args.notes:
            saved["notes"] = [*args.notes.read_text("utf-8").splitlines(), ""]
            args.out.write_text(dump(saved), encoding="utf-8")
        args.out.with_suffix(".md").write_text(report(saved), encoding="utf-8")
        print(report(saved))
        return
    if args.before is None:
        ap.error("--before is required")
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    pythons = {"before": python_for(trees["before"], args.before_python),
               "after": python_for(trees["after"], args.after_python)}
    data: dict[str, Any] = {"title": args.title,
                            "before": {"tree": str(trees["before"]), **commit_of(trees["before"])},
                            "after": {"tree": str(trees["after"]), **commit_of(trees["after"])},
                            "neo4j_uri": None if args.no_neo4j else os.environ.get("NEO4J_TEST_URI"),
                            "machine_cpus": os.cpu_count(), "runs": []}
    if args.append and args.out.exists():
        old = json.loads(args.out.read_text("utf-8"))
        if (old["before"]["commit"], old["after"]["commit"]) != (data["before"]["commit"],
                                                                 data["after"]["commit"]):
            raise SystemExit(f"compare: {args.out} measured other commits; drop --append")
        data = old
    if args.interleaved:
        data["interleaved"] = interleaved(trees, pythons, args.interleaved, args.interleaved_runs,
                                          not args.no_neo4j)
        args.pairs = 0
        args.out.write_text(dump(data), encoding="utf-8")
    first = 1 + max((r["pair"] for r in data["runs"]), default=0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="danvan-compare-") as folder:
        for pair in range(first, first + args.pairs):
            for bench in args.benchmarks.split(","):
                for side in order(pair):
                    data["runs"].append(run_one(side, trees[side], pythons[side], bench, pair, args,
                                                Path(folder)))
                    args.out.write_text(dump(data), encoding="utf-8")
    args.out.with_suffix(".md").write_text(report(data), encoding="utf-8")
    print(report(data))


if __name__ == "__main__":
    main()
