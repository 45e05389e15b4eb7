"""``danvan export``: assignments to .xlsx/.csv (importable again), the graph to GraphML/GEXF/JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from danvan.cli.shared import StoreOptions, store_options

__all__ = ["export"]


@store_options
def export(
        file: Annotated[Path, typer.Argument(
            help=".xlsx/.csv (phân công) hoặc .graphml/.gexf/.json (đồ thị)")],
        plan: Annotated[str | None, typer.Option(help="chỉ phân công của kế hoạch này (bảng tính)")] = None,
        ids: Annotated[str | None, typer.Option(help="đồ thị: id các nút, cách nhau dấu phẩy")] = None,
        depth: Annotated[int, typer.Option(min=0, max=3, help="đồ thị: số bước lân cận của --ids")] = 0,
        *, opts: StoreOptions) -> None:
    """Xuất phân công ra .xlsx/.csv (nhập lại được) hoặc đồ thị ra GraphML/GEXF/JSON."""
    from danvan.export import export_assignments, export_graph

    s = opts.open()
    try:
        if file.suffix.lower() in (".xlsx", ".csv"):
            typer.echo(f"{export_assignments(s, file, plan)} dòng → {file}")
        else:
            wanted = [i.strip() for i in ids.split(",") if i.strip()] if ids else None
            counts = export_graph(s, file, wanted, depth)
            typer.echo(f"{counts['nodes']} nút, {counts['edges']} quan hệ → {file}")
    finally:
        s.close()
