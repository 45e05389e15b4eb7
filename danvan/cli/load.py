"""``danvan load``: the curated knowledge base (and documents) into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from danvan.cli.shared import StoreOptions, store_options

__all__ = ["load"]


@store_options
def load(documents: Annotated[list[Path] | None, typer.Option(
             "--documents", help="trích xuất và nạp thêm các văn bản hoặc thư mục này")] = None,
         kb: Annotated[bool, typer.Option(help="nạp cơ sở tri thức đã biên soạn")] = True,
         maps: Annotated[bool, typer.Option(
             help="cùng cơ sở tri thức, nạp cả hai danh mục hành chính (trước và từ 1/7/2025)")] = True,
         *, opts: StoreOptions) -> None:
    """Nạp cơ sở tri thức (chạy lại lần hai không thay đổi gì)."""
    s = opts.open()
    if kb:
        from danvan.loaders.reference.kb import load_kb

        result = load_kb(s, maps=maps)
        typer.echo(f"knowledge base: {result.nodes_created} nodes created, "
                   f"{result.nodes_updated} updated, {result.nodes_unchanged} unchanged; "
                   f"{result.edges_created} edges created, {result.edges_updated} updated, "
                   f"{result.edges_unchanged} unchanged")
    if documents:
        from danvan.cli.documents import load_documents_and_report

        load_documents_and_report(s, documents)
