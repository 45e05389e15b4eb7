"""API benchmark: requests per second at concurrency 32, and what HTTP adds to a bare query.

    python benchmarks/api.py                     # embedded store, province demo dataset
    python benchmarks/api.py --store neo4j       # the Neo4j test server (its database is cleared)
    python benchmarks/api.py --requests 500 --seconds 5 --endpoints coverage,search

It writes the province dataset into a temporary store, starts ``danvan serve``
on a free port of 127.0.0.1 (loopback only) and, for every read endpoint:

1. times the bare catalogued query in this process (p50/p99, ``scale.time_queries``);
2. sends requests one at a time: the HTTP p50 at concurrency 1, compared with the bare p50
   (goal: HTTP ≤ 2× the bare query at p50);
3. sends at most ``--requests`` requests from 32 concurrent httpx clients for at most
   ``--seconds`` seconds: requests per second, p50 and p99 under load.

With ``wrk`` on the PATH (Debian package ``wrk``: a load generator written in C) steps 2
and 3 use it instead of httpx (``--client``): Python's async client costs 1–3 ms of CPU per
request on the same two cores, which is then counted as if the server had spent it.
Client and server share the machine's cores, so the rates are a floor. Results go to
benchmarks/results/api.json and api.md (api-neo4j.* for ``--store neo4j``), with the load
average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import neo4j_store, query_params, time_queries

from danvan.api.routes_v1 import ENDPOINTS, _id_param
from danvan.graph.embedded import EmbeddedStore
from danvan.graph.store import Store
from danvan.loaders.synthetic.generator import PLAN_133, province_dataset, write_dataset
from danvan.queries.catalogue import CATALOGUE

RESULTS = Path(__file__).resolve().parent / "results"
HOST = "127.0.0.1"
PREFIX = "/api/v1"
GOAL_HTTP_OVER_BARE = 2.0


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def requests_for(params: dict[str, dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    """``{query: (path, query string)}`` for each read endpoint, with the benchmark's parameters.

    >>> requests_for({"entity": {"id": "commune-1"}})["entity"]
    ('/api/v1/entities/commune-1', {})
    """
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for endpoint in ENDPOINTS:
        spec = CATALOGUE.get(endpoint.query)
        if spec is None or endpoint.query not in params:
            continue
        p = dict(params[endpoint.query])
        path = endpoint.path
        if endpoint.path_id:
            path = path.replace("{id}", quote(str(p.pop(_id_param(spec))), safe=""))
        out[endpoint.query] = (PREFIX + path, p)
    return out


@contextlib.contextmanager
def serve(store: str, data_dir: Path, port: int) -> Iterator[str]:
    """``danvan serve`` in a subprocess on ``HOST:port``; yields its base URL, stops it after."""
    env = {k: v for k, v in os.environ.items() if k != "DANVAN_API_TOKEN"}
    args = [sys.executable, "-c", "from danvan.cli import main; main()", "serve", "--host", HOST,
            "--port", str(port), "--store", store, "--data-dir", str(data_dir), "--no-load-kb"]
    if store == "neo4j":
        args += ["--neo4j-uri", os.environ.get("NEO4J_TEST_URI", "bolt://127.0.0.1:7687"),
                 "--neo4j-user", "neo4j",
                 "--neo4j-password", os.environ.get("NEO4J_TEST_PASSWORD", "danvan-test-password")]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"danvan serve exited with {proc.returncode}: {proc.stderr.read()[-500:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}{PREFIX}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("danvan serve did not answer /api/v1/health within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _pct(times: list[float], q: float) -> float:
    times = sorted(times)
    return round(times[min(len(times) - 1, int(len(times) * q))], 2)


async def sequential(client: httpx.AsyncClient, path: str, params: dict[str, Any], count: int,
                     seconds: float) -> dict[str, Any]:
    """Latency of ``count`` requests sent one after another (at most ``seconds``)."""
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times) < count and time.perf_counter() < deadline:
        t = time.perf_counter()
        response = await client.get(path, params=params)
        times.append((time.perf_counter() - t) * 1000)
        response.raise_for_status()
    return {"requests": len(times), "p50_ms": round(statistics.median(times), 2),
            "p99_ms": _pct(times, 0.99)}


async def concurrent(client: httpx.AsyncClient, path: str, params: dict[str, Any], total: int,
                     seconds: float, concurrency: int) -> dict[str, Any]:
    """At most ``total`` requests from ``concurrency`` workers for at most ``seconds``."""
    times: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    start = time.perf_counter()
    deadline = start + seconds

    async def worker() -> None:
        nonlocal sent
        while sent < total and time.perf_counter() < deadline:
            sent += 1
            t = time.perf_counter()
            try:
                response = await client.get(path, params=params)
                status = str(response.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            if status == "200":
                times.append((time.perf_counter() - t) * 1000)
            else:
                errors[status] = errors.get(status, 0) + 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    out: dict[str, Any] = {"concurrency": concurrency, "requests": len(times), "seconds": round(elapsed, 2),
                           "rps": round(len(times) / elapsed, 1), "errors": errors}
    if times:
        out.update(p50_ms=round(statistics.median(times), 2), p99_ms=_pct(times, 0.99))
    return out


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(text: str) -> dict[str, Any]:
    r"""Requests/s, p50/p99 (ms) and errors from ``wrk --latency`` output.

    >>> out = "  Latency Distribution\n     50%  840.00us\n     99%    5.80ms\n"
    >>> parse_wrk(out + "  Non-2xx or 3xx responses: 3\nRequests/sec:    946.46\n")
    {'rps': 946.5, 'p50_ms': 0.84, 'p99_ms': 5.8, 'errors': {'non-2xx': 3}}
    """
    pct = {int(q): float(v) * _UNITS[u]
           for q, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    errors: dict[str, int] = {}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if bad:
        errors["non-2xx"] = int(bad.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sock and sum(map(int, sock.groups())):
        errors["socket"] = sum(map(int, sock.groups()))
    return {"rps": round(float(rps.group(1)), 1) if rps else 0.0,
            "p50_ms": round(pct.get(50, float("nan")), 2), "p99_ms": round(pct.get(99, float("nan")), 2),
            "errors": errors}


def run_wrk(url: str, connections: int, seconds: float) -> dict[str, Any]:
    """``wrk`` with one thread and ``connections`` keep-alive connections against ``url``."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
                          "--timeout", "30s", url], capture_output=True, text=True, check=True)
    return {"concurrency": connections, **parse_wrk(out.stdout)}


def compared(path: str, params: dict[str, Any], bare: dict[str, Any], one: dict[str, Any],
             many: dict[str, Any], size: int) -> dict[str, Any]:
    """One endpoint's figures: bare, c=1, c=N, and what HTTP adds to the bare p50."""
    bare_p50 = bare.get("p50_ms")
    return {"path": path, "params": params, "bare": bare, "http_c1": one,
            f"http_c{many['concurrency']}": many,
            "http_over_bare_p50": round(one["p50_ms"] / bare_p50, 2) if bare_p50 else None,
            "http_added_p50_ms": round(one["p50_ms"] - bare_p50, 2) if bare_p50 else None,
            "response_bytes": size}


def measure_wrk(base: str, plan: dict[str, tuple[str, dict[str, Any]]], args: argparse.Namespace,
                bare: dict[str, Any]) -> dict[str, Any]:
    """Like ``measure``, with wrk as the client (c=1 for latency, c=N for the rate)."""
    out: dict[str, Any] = {}
    for name, (path, params) in sorted(plan.items()):
        print(f"api: {name}", file=sys.stderr)
        url = f"{base}{path}" + (f"?{urlencode(params)}" if params else "")
        warm = httpx.get(url, timeout=60)
        if warm.status_code != 200:
            out[name] = {"path": path, "params": params, "error": f"{warm.status_code}: {warm.text[:200]}"}
            continue
        one = run_wrk(url, 1, min(args.seconds, 5))
        many = run_wrk(url, args.concurrency, args.seconds)
        out[name] = compared(path, params, bare.get(name, {}), one, many, len(warm.content))
    return out


async def measure(base: str, plan: dict[str, tuple[str, dict[str, Any]]], args: argparse.Namespace,
                  bare: dict[str, Any]) -> dict[str, Any]:
    """Both HTTP measurements for every endpoint, next to the bare query's figures."""
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        for name, (path, params) in sorted(plan.items()):
            print(f"api: {name}", file=sys.stderr)
            warm = await client.get(path, params=params)
            if warm.status_code != 200:
                out[name] = {"path": path, "params": params,
                             "error": f"{warm.status_code}: {warm.text[:200]}"}
                continue
            one = await sequential(client, path, params, args.sequential, args.seconds)
            many = await concurrent(client, path, params, args.requests, args.seconds, args.concurrency)
            out[name] = compared(path, params, bare.get(name, {}), one, many, len(warm.content))
    return out


def load_store(kind: str, folder: Path) -> Store:
    """The province dataset in a fresh embedded store in ``folder``, or in the (cleared) Neo4j server."""
    data = province_dataset()
    if kind == "neo4j":
        store = neo4j_store()
        if store is None:
            raise SystemExit("neo4j: not reachable")
        store.clear()
    else:
        store = EmbeddedStore(folder)
    write_dataset(store, data)
    return store


def summary(res: dict[str, Any]) -> str:
    """A Markdown table of the results."""
    c = res["concurrency"]
    lines = [f"# API benchmark ({res['date']}, {res['store']} store, province dataset, "
             f"{res['machine']['cpus']} CPUs, load average {res['loadavg_before']} → {res['loadavg_after']})",
             "", f"Bare = the catalogued query in-process; HTTP c=1 = one request at a time over loopback; "
             f"c={c} = {c} concurrent connections; client: {res.get('client', 'httpx')} "
             f"({res['seconds_per_endpoint']} s per endpoint; client and server share the cores). "
             f"Goal: HTTP p50 ≤ {GOAL_HTTP_OVER_BARE}× bare p50.", "",
             f"| endpoint | bare p50 / p99 ms | HTTP c=1 p50 / p99 ms | HTTP ÷ bare (p50) | added ms | "
             f"c={c} rps | c={c} p50 / p99 ms | errors |", "|---|---|---|---|---|---|---|---|"]
    for name, r in sorted(res["endpoints"].items()):
        if "error" in r:
            lines.append(f"| {name} | error: {r['error'][:80]} | | | | | | |")
            continue
        b, one, many = r["bare"], r["http_c1"], r[f"http_c{c}"]
        lines.append(f"| {name} (`{r['path']}`) | {b.get('p50_ms')} / {b.get('p99_ms')} | "
                     f"{one['p50_ms']} / {one['p99_ms']} | {r['http_over_bare_p50']}× | "
                     f"{r['http_added_p50_ms']} | {many['rps']} | {many.get('p50_ms')} / "
                     f"{many.get('p99_ms')} | {sum(many['errors'].values()) or ''} |")
    added = [r["http_added_p50_ms"] for r in res["endpoints"].values()
             if r.get("http_added_p50_ms") is not None]
    met = sorted(n for n, r in res["endpoints"].items()
                 if (r.get("http_over_bare_p50") or 99) <= GOAL_HTTP_OVER_BARE)
    if added:
        lines += ["", f"HTTP adds a median {statistics.median(added):.1f} ms per request at p50 "
                  f"(range {min(added):.1f}–{max(added):.1f} ms), whatever the query costs: the "
                  f"{GOAL_HTTP_OVER_BARE}× goal holds only where the query itself costs more than that "
                  f"({', '.join(met) or 'none'})."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", choices=("embedded", "neo4j"), default="embedded")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--requests", type=int, default=2000, help="at most this many per endpoint at c=32")
    ap.add_argument("--seconds", type=float, default=15.0, help="at most this long per measurement")
    ap.add_argument("--sequential", type=int, default=100, help="requests one at a time per endpoint")
    ap.add_argument("--bare-runs", type=int, default=30)
    ap.add_argument("--endpoints", help="comma-separated query names (default: every read endpoint)")
    ap.add_argument("--client", choices=("wrk", "httpx"),
                    default="wrk" if shutil.which("wrk") else "httpx")
    ap.add_argument("--out", type=Path, help="default: benchmarks/results/api.json (api-neo4j.json)")
    args = ap.parse_args()
    args.out = args.out or RESULTS / ("api.json" if args.store == "embedded" else "api-neo4j.json")
    tmp = Path(tempfile.mkdtemp(prefix="danvan-api-bench-"))
    print(f"api: writing the province dataset into the {args.store} store", file=sys.stderr)
    store = load_store(args.store, tmp)
    params = query_params(province_dataset(), "133-KH/TU")
    # A number with a slash cannot be a path segment (/directives/133-KH/TU/lineage): use the id.
    params["directive_lineage"] = {"directive": PLAN_133}
    plan = requests_for(params)
    if args.endpoints:
        plan = {k: v for k, v in plan.items() if k in args.endpoints.split(",")}
    loadavg_before = [round(x, 2) for x in os.getloadavg()]
    bare = time_queries(store, {k: params[k] for k in plan}, args.bare_runs)
    store.close()
    with serve(args.store, tmp, free_port()) as base:
        endpoints = (measure_wrk(base, plan, args, bare) if args.client == "wrk"
                     else asyncio.run(measure(base, plan, args, bare)))
    res = {"date": dt.datetime.now().isoformat(timespec="seconds"), "store": args.store,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "platform": platform.platform()},
           "client": args.client, "concurrency": args.concurrency, "requests_per_endpoint": args.requests,
           "seconds_per_endpoint": args.seconds, "loadavg_before": loadavg_before,
           "loadavg_after": [round(x, 2) for x in os.getloadavg()],
           "goal_http_over_bare_p50": GOAL_HTTP_OVER_BARE, "endpoints": endpoints}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    args.out.with_suffix(".md").write_text(summary(res), encoding="utf-8")
    print(summary(res))


if __name__ == "__main__":
    main()
