"""The demo dataset ``danvan demo`` writes: synthetic, clearly marked, reproducible from a seed.

At province scale the demo holds Kon Tum before the reform (plan 133-KH/TU, 2024)
and a 2026 plan of the merged Quảng Ngãi in today's map (loaders/synthetic/demo_today.py),
so the explorer shows both eras. Every node and edge the demo writes has ``synthetic: true``; its Source is
"Dữ liệu mô phỏng" (``source-du-lieu-mo-phong``). Running it twice changes nothing. Where it
goes (its own embedded store, or ``--into-current``) is the command's choice (danvan/cli/demo.py).
"""

from __future__ import annotations

import time
from typing import Any

from danvan.errors import ConfigError
from danvan.graph.store import Store
from danvan.loaders.synthetic.demo_today import today_plan
from danvan.loaders.synthetic.generator import Dataset, national_dataset, province_dataset, write_dataset

__all__ = ["load_demo"]


def load_demo(store: Store, scale: str = "province", seed: int = 2024) -> dict[str, Any]:
    """Generate and write the dataset; returns counts, timings and the figures it reproduces."""
    started = time.perf_counter()
    if scale == "province":
        data = province_dataset(seed)
        today = today_plan(data, seed)  # the same province now, in the map in force since 2025
        data = Dataset(data.name, data.nodes + today.nodes, data.edges + today.edges,
                       {**data.figures, "today": today.figures})
    elif scale == "national":
        data = national_dataset(seed)
    else:
        raise ConfigError(f"--scale must be province or national, not {scale!r}")
    generated = time.perf_counter()
    # Real data the store already holds (a shared Neo4j database, or --into-current) is
    # never re-marked as synthetic; an empty demo folder has none, and costs no look-up.
    written = write_dataset(store, data, skip_real=True)
    # The dataset's edges with those its nodes' references imply (a village's PART_OF its
    # commune…), which the store writes too: the figure a later ``danvan info`` shows.
    edges = {e.key for e in data.edges} | {e.key for n in data.nodes for e in store.schema.ref_edges(n)}
    return {"scale": scale, "seed": seed, "store": store.kind, **data.counts(), "edges": len(edges),
            **written,
            "generate_s": round(generated - started, 2),
            "write_s": round(time.perf_counter() - generated, 2), "figures": data.figures}
