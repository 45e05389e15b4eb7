"""``danvan query NAME`` (a question of the catalogue) and ``danvan info`` (what the store holds)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from danvan.cli.shared import StoreOptions, store_options

__all__ = ["QueryCommand", "info", "query"]


@store_options
def info(*, opts: StoreOptions) -> None:
    """Cho biết kho đang dùng và số nút, số quan hệ mỗi loại."""
    s = opts.open()
    typer.echo(json.dumps({"store": s.kind, **s.counts()}, ensure_ascii=False, indent=2))


class QueryCommand(TyperCommand):
    """``danvan query --help`` ends with the catalogue: every query and its parameters."""

    def format_epilog(self, ctx: typer.Context, formatter: Any) -> None:  # click's HelpFormatter
        from danvan.queries.catalogue import CATALOGUE

        with formatter.section("Các câu hỏi (NAME) và tham số"):
            for spec in sorted(CATALOGUE.values(), key=lambda s: s.name):
                formatter.write_text(f"{spec.name} — {spec.title}")
                with formatter.indentation():
                    formatter.write_dl([(f"--{p.name.replace('_', '-')} {p.type.upper()}",
                                         _param_help(p)) for p in spec.params] or
                                       [("(không có tham số)", "")])


def _param_help(p: Any) -> str:
    extra = [f"mặc định {p.default}" if p.default not in (None, "", [], ()) else "",
             "bắt buộc" if p.required else "",
             f"{p.minimum}–{p.maximum}" if p.minimum is not None and p.maximum is not None else "",
             f"một trong: {', '.join(p.choices)}" if p.choices else ""]
    return "; ".join(x for x in (p.help, *extra) if x)


@store_options
def query(ctx: typer.Context,
          name: Annotated[str, typer.Argument(help="tên câu hỏi trong danh mục, ví dụ assignments "
                                              "(danh sách ở cuối)")],
          as_json: Annotated[bool, typer.Option("--json", help="in JSON")] = True,
          *, opts: StoreOptions) -> None:
    """Chạy một câu hỏi trong danh mục: ``danvan query assignments --plan 133-KH/TU``."""
    from danvan.queries.catalogue import parse_cli_params, run

    params = parse_cli_params(name, ctx.args)
    s = opts.open()
    result = run(s, name, **params)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2 if as_json else None,
                          default=str))
