"""Over-limit uploads: how fast a real ``danvan serve`` refuses them, and what they cost it in memory.

    python benchmarks/sheet_limits.py   # writes benchmarks/results/sheet_limits.json and .md

Target (issue 14): an uploaded sheet over the limits is refused in under 15 s with
the server's memory rising by less than 200 MB. Each file is POSTed to
``/api/v1/imports`` (dry run) of a server on an empty store; the time is the
client's wall clock for the request, the memory is the server's resident set
before the request and its peak (``VmHWM``, reset before each request) after.

Files (built by tests/sheets_hostile.py, as the tests use them):

* ``zip bomb`` — 0.3 MB packed, 200 MB of sheet XML unpacked;
* ``row 99,999,999`` — 5 KB, one assignment in row 99,999,999;
* ``column XFD`` — one cell in the last column;
* ``oversized body`` — 21 MB of CSV, over the 20 MB file limit (sent whole);
* ``limit-sized sheet`` — for comparison, a sheet just inside the limits
  (100,000 rows, refused only because its rows do not resolve: the cost of a
  legitimate large upload).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import sheets_hostile as hostile  # noqa: E402 - the test helpers, one copy of the files

from danvan.loaders.spreadsheets.sheet_limits import SheetLimits  # noqa: E402

TOKEN = "benchmark-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _reset_peak(pid: int) -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _limit_sized() -> bytes:
    rows = [[f"Đơn vị {i}", f"Thôn {i}", "Xã Không Có", "Huyện Không Có", "1-KH/XX"]
            for i in range(SheetLimits().max_rows - 1)]
    return hostile.workbook(rows)


def main() -> None:
    files = {
        "zip bomb": ("bom.xlsx", hostile.bomb()),
        "row 99,999,999": ("xa.xlsx", hostile.far_row()),
        "column XFD": ("rong.xlsx", hostile.wide()),
        "oversized body": ("lon.csv", b"x" * (SheetLimits().max_bytes + 2**20)),
        "limit-sized sheet": ("vua.xlsx", _limit_sized()),
    }
    port = _free_port()
    data_dir = tempfile.mkdtemp(prefix="danvan-bench-limits-")
    env = {**os.environ, "DANVAN_DATA_DIR": data_dir, "DANVAN_API_TOKEN": TOKEN}
    server = subprocess.Popen([sys.executable, "-c", "from danvan.cli import main; main()", "serve",
                               "--port", str(port), "--no-load-kb"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        for name, (filename, body) in files.items():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            conn.request("GET", "/api/v1/health")  # warm: the first request loads modules
            conn.getresponse().read()
            before = _status_kb(server.pid, "VmRSS")
            _reset_peak(server.pid)
            started = time.perf_counter()
            conn.request("POST", f"/api/v1/imports?filename={filename}&dry_run=true", body=body,
                         headers={"Authorization": f"Bearer {TOKEN}",
                                  "Content-Type": "application/octet-stream"})
            response = conn.getresponse()
            payload = response.read()
            seconds = time.perf_counter() - started
            peak = _status_kb(server.pid, "VmHWM")
            conn.close()
            detail = json.loads(payload).get("detail", "") if response.status != 200 else ""
            results.append({"file": name, "bytes": len(body), "status": response.status,
                            "seconds": round(seconds, 3),
                            "memory_rise_mb": round((peak - before) / 1024, 1),
                            "detail": detail[:160]})
            print(f"{name:20} {len(body) / 2**20:7.2f} MB → {response.status} in {seconds:6.2f} s, "
                  f"memory +{(peak - before) / 1024:6.1f} MB")
    finally:
        server.terminate()
        server.wait(10)
    out = {"target": {"seconds": 15, "memory_rise_mb": 200}, "limits": SheetLimits().__dict__,
           "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                       "load_average": os.getloadavg()[0]},
           "results": results}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "sheet_limits.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    lines = ["# Over-limit uploads refused by `danvan serve` (POST /api/v1/imports, dry run)", "",
             f"Load average at the start: {out['machine']['load_average']:.1f} on "
             f"{out['machine']['cpus']} CPUs. Target: < 15 s, memory rise < 200 MB.", "",
             "| file | size | status | seconds | server memory rise (MB) |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['file']} | {r['bytes'] / 2**20:.2f} MB | {r['status']} | {r['seconds']} | "
              f"{r['memory_rise_mb']} |" for r in results]
    (HERE / "results" / "sheet_limits.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
