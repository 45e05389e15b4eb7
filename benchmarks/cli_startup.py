"""Start-up time of the ``danvan`` command: how long ``--help`` and a light command take.

    python benchmarks/cli_startup.py [--runs 15] [--label after] [--pythonpath DIR]
    # writes benchmarks/results/cli_startup[-LABEL].json and .md

Each row is the wall-clock time of a fresh ``danvan …`` process (what the console script
runs: ``python -c "from danvan.cli import main; main()"``), median and min over the runs,
on an empty embedded store. ``--pythonpath DIR`` measures another build of danvan, e.g.
an older commit installed with ``pip install --no-deps --target DIR``. The machine's load
average is recorded with the figures: a busy machine slows every run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMANDS = (("--help",), ("info",), ("import", "--help"), ("user", "list"))


DANVAN = [sys.executable, "-c", "from danvan.cli import main; main()"]


def _time(args: tuple[str, ...], env: dict[str, str], cwd: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*DANVAN, *args], env=env, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--label", default="")
    parser.add_argument("--pythonpath", default="", help="measure the danvan found here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DANVAN_DATA_DIR": tmp, "DANVAN_STORE": "embedded"}
        if args.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join([args.pythonpath, env.get("PYTHONPATH", "")])
        # run from the empty folder: python -c puts the working directory first on the path
        subprocess.run([*DANVAN, "info"], env=env, cwd=tmp, capture_output=True, check=True)  # warm caches
        rows = []
        for command in COMMANDS:
            times = _time(command, env, tmp, args.runs)
            rows.append({"command": "danvan " + " ".join(command), "runs": args.runs,
                         "median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3)})
    result = {"load_average": os.getloadavg(), "python": sys.version.split()[0],
              "danvan": args.pythonpath or "this environment", "rows": rows}
    name = "cli_startup" + (f"-{args.label}" if args.label else "")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [f"# danvan start-up ({args.label or 'current'})", "",
             f"load average {', '.join(f'{x:.1f}' for x in result['load_average'])}", "",
             "| command | median s | min s |", "|---|---|---|"]
    lines += [f"| `{r['command']}` | {r['median_s']} | {r['min_s']} |" for r in rows]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
