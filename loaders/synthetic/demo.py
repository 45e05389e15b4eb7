"""``danvan demo``: write a clearly marked synthetic dataset, never silently beside real data.

Where the demo goes:

* embedded store (default): a store of its own, ``<DANVAN_DATA_DIR>/demo``
  (or ``--data-dir``); ``danvan serve --data-dir <DANVAN_DATA_DIR>/demo`` shows it.
* ``--into-current``: the configured store itself (embedded or Neo4j). Real
  nodes already there are never rewritten: they keep no ``synthetic`` mark and
  the demo's nodes only link to them.
* Neo4j: one server holds one graph, so the demo is written there only with
  ``--into-current``; without it the command refuses and says so.

At province scale the demo holds Kon Tum before the reform (plan 133-KH/TU, 2024)
and a 2026 plan of the merged Quảng Ngãi in today's map (loaders/synthetic/demo_today.py),
so the explorer shows both eras. Every node and edge the demo writes has ``synthetic: true``; its Source is
"Dữ liệu mô phỏng" (``source-du-lieu-mo-phong``). Running it twice changes nothing.

>>> demo_settings(Settings(data_dir=Path("/d")), None, False).data_dir
PosixPath('/d/demo')
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from danvan.config import Settings, open_store
from danvan.errors import ConfigError
from danvan.graph.store import Store
from danvan.loaders.synthetic.demo_today import today_plan
from danvan.loaders.synthetic.generator import Dataset, national_dataset, province_dataset, write_dataset

__all__ = ["DEMO_FOLDER", "demo_settings", "load_demo", "open_hint", "register_cli"]

DEMO_FOLDER = "demo"


def demo_settings(settings: Settings, data_dir: Path | None, into_current: bool) -> Settings:
    """The settings of the store the demo goes into (see the module docstring)."""
    if settings.store == "neo4j" and not into_current:
        raise ConfigError("the demo would mix with the data in Neo4j at "
                          f"{settings.neo4j_uri}; pass --into-current to write it there anyway "
                          "(real nodes are kept, demo rows carry synthetic=true), or use the "
                          "embedded store (default: its own folder <DANVAN_DATA_DIR>/demo)")
    if data_dir is not None:
        return settings.with_(data_dir=data_dir)
    if into_current:
        return settings
    return settings.with_(data_dir=settings.data_dir / DEMO_FOLDER)


def load_demo(store: Store, scale: str = "province", seed: int = 2024,
              into_current: bool = False) -> dict[str, Any]:
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


def demo(scale: Annotated[str, typer.Option(help="province (Kon Tum) hoặc national (cả nước)")] = "province",
         seed: Annotated[int, typer.Option(help="hạt giống ngẫu nhiên (cùng hạt, cùng dữ liệu)")] = 2024,
         into_current: Annotated[bool, typer.Option(
             "--into-current", help="ghi vào kho đang cấu hình thay vì kho mô phỏng riêng")] = False,
         store: Annotated[str | None, typer.Option("--store", help="embedded hoặc neo4j")] = None,
         data_dir: Annotated[Path | None, typer.Option(
             "--data-dir", help="thư mục kho mô phỏng (mặc định <DANVAN_DATA_DIR>/demo)")] = None,
         neo4j_uri: Annotated[str | None, typer.Option("--neo4j-uri")] = None,
         neo4j_user: Annotated[str | None, typer.Option("--neo4j-user")] = None,
         neo4j_password: Annotated[str | None, typer.Option("--neo4j-password")] = None) -> None:
    """Ghi bộ dữ liệu mô phỏng (Kon Tum, 133-KH/TU) vào kho mô phỏng riêng."""
    from danvan.cli import settings_from_options

    settings = settings_from_options(store, None, neo4j_uri, neo4j_user, neo4j_password)
    target = demo_settings(settings, data_dir, into_current)
    s = open_store(target)
    try:
        report = load_demo(s, scale, seed, into_current)
    finally:
        s.close()
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    typer.echo(f"dữ liệu mô phỏng ({scale}): {report['nodes']} nút, {report['edges']} quan hệ → "
               f"kho {target.store} {open_hint(target)[1]}", err=True)
    typer.echo(f"xem dữ liệu này: {open_hint(target)[0]}", err=True)


def open_hint(settings: Settings) -> tuple[str, str]:
    """The ``danvan serve`` command that shows the store ``settings`` select, and where it is.

    >>> open_hint(Settings(data_dir=Path("/d/demo")))
    ('danvan serve --data-dir /d/demo', '/d/demo')
    """
    if settings.store == "neo4j":
        return f"danvan serve --store neo4j --neo4j-uri {settings.neo4j_uri}", settings.neo4j_uri
    folder = str(settings.data_dir)
    return f"danvan serve --data-dir {shlex.quote(folder)}", folder


def register_cli(register: Callable[..., Any]) -> None:
    """Add ``danvan demo``."""
    register(demo, name="demo")
