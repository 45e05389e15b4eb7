"""``danvan import``: an assignment sheet (.xlsx/.csv) checked row by row, then written whole or not
at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from danvan.cli.shared import StoreOptions, store_options

__all__ = ["import_sheet"]


@store_options
def import_sheet(
        file: Annotated[Path, typer.Argument(
            help="tệp .xlsx hoặc .csv (hoặc tệp mẫu sẽ tạo với --template)")],
        plan: Annotated[str | None, typer.Option(
            help="kế hoạch cho các dòng không ghi, ví dụ 133-KH/TU")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="chỉ kiểm tra, không ghi")] = False,
        template: Annotated[bool, typer.Option(
            "--template", help="ghi tệp mẫu .xlsx trống vào FILE")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="báo cáo dạng JSON")] = False,
        all_rows: Annotated[bool, typer.Option("--all", help="liệt kê mọi dòng")] = False,
        max_mb: Annotated[float | None, typer.Option(
            "--max-mb", min=0.001, help="dung lượng tệp tối đa, MB (mặc định 20; giải nén: gấp 5)")] = None,
        max_rows: Annotated[int | None, typer.Option(
            "--max-rows", min=1, help="số dòng tối đa (mặc định 100.000)")] = None,
        max_columns: Annotated[int | None, typer.Option(
            "--max-columns", min=1, help="số cột tối đa (mặc định 100)")] = None,
        *, opts: StoreOptions) -> None:
    """Nhập bảng phân công (.xlsx/.csv): kiểm tra mọi dòng rồi ghi tất cả hoặc không ghi gì."""
    from danvan.loaders.spreadsheets.load import import_file, write_template
    from danvan.loaders.spreadsheets.sheet_limits import SheetLimits

    if template:
        typer.echo(f"đã ghi tệp mẫu {write_template(file)}")
        return
    s = opts.open()
    try:
        report = import_file(s, file, plan=plan, dry_run=dry_run,
                             limits=SheetLimits.scaled(max_mb, max_rows, max_columns))
    finally:
        s.close()
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.to_text(all_rows))
    if not report.ok:
        raise typer.Exit(1)
