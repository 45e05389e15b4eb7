"""``danvan extract`` (what a document says, nothing written) and the report of
``danvan load --documents``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from danvan.graph.store import Store

__all__ = ["extract", "load_documents_and_report"]


def load_documents_and_report(store: Store, paths: list[Path]) -> None:
    """``danvan load --documents``: load, print one line per file, exit 1 if any failed."""
    from danvan.loaders.documents.load import load_documents

    report = load_documents(store, paths, progress=sys.stderr.isatty())
    for f in report.files:
        if f.error:
            typer.echo(f"danvan: {f.error}", err=True)
        else:
            typer.echo(f"{f.file}: {len(f.new)} new, {len(f.matched)} matched, "
                       f"{len(f.unresolved)} unresolved; {f.changed} rows changed; "
                       f"{f.queued} queued for review (/cho-duyet), {f.decided} decided before; "
                       f"{len(f.assignments)} phân công, {len(f.proposals)} đề xuất chờ duyệt")
            for u in f.unresolved[:20]:
                typer.echo(f"  unresolved {u}")
    if report.failed:
        raise typer.Exit(1)


def extract(
        files: Annotated[list[Path], typer.Argument(help="tệp hoặc thư mục (.txt .docx .pdf "
                                                     ".html)")],
        as_json: Annotated[bool, typer.Option("--json", help="in một đối tượng JSON mỗi tệp")]
        = False,
        kb: Annotated[bool, typer.Option(help="đối chiếu với cơ sở tri thức kèm theo")]
        = True) -> None:
    """Trích xuất các thực thể và quan hệ từ văn bản; không ghi gì vào kho.

    Vị trí là số thứ tự ký tự trong văn bản sau khi chuẩn hóa NFC.
    """
    from danvan.errors import DanvanError, LoadError
    from danvan.loaders.documents.extractor import Extractor
    from danvan.loaders.documents.reading import iter_paths, read_document
    from danvan.loaders.reference.gazetteer import Gazetteer

    store = None
    if kb:
        from danvan.graph.embedded import EmbeddedStore
        from danvan.loaders.reference.kb import load_kb

        store = EmbeddedStore(":memory:")
        try:
            load_kb(store)
        except DanvanError as exc:
            typer.echo(f"danvan: knowledge base not used: {exc}", err=True)
    extractor = Extractor(Gazetteer(store))
    failed = 0
    for path in iter_paths(list(files)):
        try:
            doc = read_document(path)
            result = extractor.extract(doc.text, str(path))
            if not result.mentions:
                raise LoadError(str(path), None, "no recognisable content (no entity found)")
        except DanvanError as exc:
            failed += 1
            typer.echo(f"danvan: {exc}", err=True)
            continue
        data = result.to_json()
        if doc.title and not data["document"]["title"]:
            data["document"]["title"] = doc.title
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False))
        else:
            counts: dict[str, int] = {}
            for m in result.mentions:
                counts[m.type] = counts.get(m.type, 0) + 1
            typer.echo(f"{path}: " + ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
                       + f"; {len(result.relations)} relations")
    if failed:
        raise typer.Exit(1)
