"""``danvan demo``: write a clearly marked synthetic dataset, never silently beside real data.

Where the demo goes:

* embedded store (default): a store of its own, ``<DANVAN_DATA_DIR>/demo``
  (or ``--data-dir``); ``danvan serve --data-dir <DANVAN_DATA_DIR>/demo`` shows it.
* ``--into-current``: the configured store itself (embedded or Neo4j). Real
  nodes already there are never rewritten: they keep no ``synthetic`` mark and
  the demo's nodes only link to them.
* Neo4j: one server holds one graph, so the demo is written there only with
  ``--into-current``; without it the command refuses and says so.

What the demo holds is :mod:`danvan.loaders.synthetic.demo`'s.

>>> from danvan.config import Settings
>>> demo_settings(Settings(data_dir=Path("/d")), None, False).data_dir
PosixPath('/d/demo')
"""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from danvan.cli.shared import StoreOptions, store_options

if TYPE_CHECKING:
    from danvan.config import Settings

__all__ = ["DEMO_FOLDER", "demo", "demo_settings", "open_hint"]

DEMO_FOLDER = "demo"


def demo_settings(settings: Settings, data_dir: Path | None, into_current: bool) -> Settings:
    """The settings of the store the demo goes into (see the module docstring)."""
    from danvan.errors import ConfigError

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


def open_hint(settings: Settings) -> tuple[str, str]:
    """The ``danvan serve`` command that shows the store ``settings`` select, and where it is.

    >>> from danvan.config import Settings
    >>> open_hint(Settings(data_dir=Path("/d/demo")))
    ('danvan serve --data-dir /d/demo', '/d/demo')
    """
    if settings.store == "neo4j":
        return f"danvan serve --store neo4j --neo4j-uri {settings.neo4j_uri}", settings.neo4j_uri
    folder = str(settings.data_dir)
    return f"danvan serve --data-dir {shlex.quote(folder)}", folder


@store_options(data_dir_help="thư mục kho mô phỏng (mặc định <DANVAN_DATA_DIR>/demo)")
def demo(scale: Annotated[str, typer.Option(help="province (Kon Tum) hoặc national (cả nước)")] = "province",
         seed: Annotated[int, typer.Option(help="hạt giống ngẫu nhiên (cùng hạt, cùng dữ liệu)")] = 2024,
         into_current: Annotated[bool, typer.Option(
             "--into-current", help="ghi vào kho đang cấu hình thay vì kho mô phỏng riêng")] = False,
         *, opts: StoreOptions) -> None:
    """Ghi bộ dữ liệu mô phỏng (Kon Tum, 133-KH/TU) vào kho mô phỏng riêng."""
    from danvan.config import open_store
    from danvan.loaders.synthetic.demo import load_demo

    # --data-dir names the demo's own store here, not the configured one: demo_settings applies it.
    target = demo_settings(replace(opts, data_dir=None).settings(), opts.data_dir, into_current)
    s = open_store(target)
    try:
        report = load_demo(s, scale, seed)
    finally:
        s.close()
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    typer.echo(f"dữ liệu mô phỏng ({scale}): {report['nodes']} nút, {report['edges']} quan hệ → "
               f"kho {target.store} {open_hint(target)[1]}", err=True)
    typer.echo(f"xem dữ liệu này: {open_hint(target)[0]}", err=True)
