"""The ``danvan`` command: a thin layer over the same objects the API uses.

    danvan serve [--host 127.0.0.1] [--port 8000] [--store embedded|neo4j]
    danvan load [--documents PATH…]      curated knowledge base (and documents)
    danvan query NAME [--param value…] [--json]
    danvan info

Expected failures print one line and exit non-zero (1: the command failed, 2: usage or
settings); no tracebacks.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from danvan.config import Settings, open_store
from danvan.errors import DanvanError
from danvan.graph.store import Store

__all__ = ["app", "main", "register", "store_from_options"]

# Plain help and errors (no rich panels): the same text in a terminal, a log or a test.
app = typer.Typer(help="danvan: đơn vị nào giúp thôn nào, theo kế hoạch nào, với mô hình nào.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None)

StoreOpt = Annotated[str | None, typer.Option("--store", help="embedded hoặc neo4j "
                                              "(mặc định: $DANVAN_STORE hoặc embedded)")]
DataDirOpt = Annotated[Path | None, typer.Option("--data-dir", help="thư mục của kho embedded "
                                                 "(mặc định: $DANVAN_DATA_DIR)")]
UriOpt = Annotated[str | None, typer.Option("--neo4j-uri", help="mặc định: $NEO4J_URI")]
UserOpt = Annotated[str | None, typer.Option("--neo4j-user", help="mặc định: $NEO4J_USER")]
PasswordOpt = Annotated[str | None, typer.Option("--neo4j-password",
                                                 help="mặc định: $NEO4J_PASSWORD")]
PORT_MAX = 65535


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    typer.echo(f"danvan: {message}", err=True)
    return typer.Exit(code)


def settings_from_options(store: str | None = None, data_dir: Path | None = None,
                          neo4j_uri: str | None = None, neo4j_user: str | None = None,
                          neo4j_password: str | None = None) -> Settings:
    """Environment settings with command-line overrides applied."""
    return Settings.from_env().with_(store=store, data_dir=data_dir, neo4j_uri=neo4j_uri,
                                     neo4j_user=neo4j_user, neo4j_password=neo4j_password)


def store_from_options(**options: Any) -> Store:
    """Open the store the options and environment select."""
    return open_store(settings_from_options(**options))


def register(command: Callable[..., Any], name: str | None = None) -> None:
    """Add a command defined in another module (extract, import, viz, demo…)."""
    app.command(name=name)(command)


@app.command()
def serve(host: Annotated[str, typer.Option(help="địa chỉ lắng nghe")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=PORT_MAX, help="cổng (1-65535)")] = 8000,
          store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
          neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None,
          load_kb: Annotated[bool, typer.Option(help="nạp cơ sở tri thức kèm theo vào kho "
                                                "còn trống trước khi chạy")] = True) -> None:
    """Chạy trang tra cứu (HTML) và API (JSON dưới /api/v1)."""
    settings = settings_from_options(store, data_dir, neo4j_uri, neo4j_user, neo4j_password)
    s = open_store(settings)  # first: a store that cannot be reached fails fast

    import uvicorn

    from danvan.api.app import create_app

    if load_kb and s.counts()["nodes"] == 0:
        from danvan.loaders.reference.kb import load_kb as load

        result = load(s, maps=True)
        typer.echo("loaded the bundled knowledge base and both administrative maps: "
                   f"{result.nodes_created} nodes, "
                   f"{result.edges_created} edges", err=True)
    typer.echo(f"danvan serving the {s.kind} store on http://{host}:{port}/", err=True)
    served = create_app(s, settings)
    # What is loaded by now (modules, the store's graph) lives as long as the server: out of
    # the collector's reach, a full collection walks only what requests made since, so it
    # no longer adds tens of ms (a province) to seconds (national) to the request it hits.
    gc.freeze()
    uvicorn.run(served, host=host, port=port, log_level="warning")


@app.command()
def load(documents: Annotated[list[Path] | None, typer.Option(
             "--documents", help="trích xuất và nạp thêm các văn bản hoặc thư mục này")] = None,
         kb: Annotated[bool, typer.Option(help="nạp cơ sở tri thức đã biên soạn")] = True,
         maps: Annotated[bool, typer.Option(
             help="cùng cơ sở tri thức, nạp cả hai danh mục hành chính (trước và từ 1/7/2025)")] = True,
         store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
         neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None) -> None:
    """Nạp cơ sở tri thức (chạy lại lần hai không thay đổi gì)."""
    s = store_from_options(store=store, data_dir=data_dir, neo4j_uri=neo4j_uri,
                           neo4j_user=neo4j_user, neo4j_password=neo4j_password)
    if kb:
        from danvan.loaders.reference.kb import load_kb

        result = load_kb(s, maps=maps)
        typer.echo(f"knowledge base: {result.nodes_created} nodes created, "
                   f"{result.nodes_updated} updated, {result.nodes_unchanged} unchanged; "
                   f"{result.edges_created} edges created, {result.edges_updated} updated, "
                   f"{result.edges_unchanged} unchanged")
    if documents:
        from danvan.loaders.documents.load import load_documents_command

        load_documents_command(s, documents)


@app.command()
def info(store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
         neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None) -> None:
    """Cho biết kho đang dùng và số nút, số quan hệ mỗi loại."""
    s = store_from_options(store=store, data_dir=data_dir, neo4j_uri=neo4j_uri,
                           neo4j_user=neo4j_user, neo4j_password=neo4j_password)
    typer.echo(json.dumps({"store": s.kind, **s.counts()}, ensure_ascii=False, indent=2))


class _QueryCommand(TyperCommand):
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


@app.command(cls=_QueryCommand,
             context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def query(ctx: typer.Context,
          name: Annotated[str, typer.Argument(help="tên câu hỏi trong danh mục, ví dụ assignments "
                                              "(danh sách ở cuối)")],
          as_json: Annotated[bool, typer.Option("--json", help="in JSON")] = True,
          store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
          neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None) -> None:
    """Chạy một câu hỏi trong danh mục: ``danvan query assignments --plan 133-KH/TU``."""
    from danvan.queries.catalogue import parse_cli_params, run

    params = parse_cli_params(name, ctx.args)
    s = store_from_options(store=store, data_dir=data_dir, neo4j_uri=neo4j_uri,
                           neo4j_user=neo4j_user, neo4j_password=neo4j_password)
    result = run(s, name, **params)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2 if as_json else None,
                          default=str))


def _register_plugins() -> None:
    """Commands that live beside their feature (documents, imports, views, demo)."""
    import importlib

    for module in ("danvan.loaders.documents.load", "danvan.loaders.spreadsheets.load",
                   "danvan.visualisations.cli", "danvan.loaders.synthetic.demo", "danvan.users_cli"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # the feature is there but broken: say so, keep the rest
                typer.echo(f"danvan: commands of {module} unavailable ({exc})", err=True)
            continue
        hook = getattr(mod, "register_cli", None)
        if hook is not None:
            hook(register)
        group = getattr(mod, "cli_group", None)  # a command with subcommands: (name, Typer)
        if group is not None:
            app.add_typer(group[1], name=group[0])


def _record_as_cli() -> None:
    """Writes of this run go into the history as ``cli:<login>`` doing ``<command>``."""
    import getpass

    from danvan.graph.audit import act_as

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        login = "?"
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), "danvan")
    if command == "serve":  # the server records each request's user instead
        return
    act_as(f"cli:{login}", command, source="danvan " + " ".join(sys.argv[1:3]))


def main() -> None:
    """Entry point of the ``danvan`` command: exits 0 on success, 1 when a command reports a
    failure (rejected rows, a file that could not be read), 2 on a usage or danvan error."""
    core = {"serve", "load", "info", "query"}
    if not (len(sys.argv) > 1 and sys.argv[1] in core):  # spare core commands the heavy imports
        _register_plugins()
    _record_as_cli()
    try:
        # Standalone mode: the click typer runs on (typer ≥ 0.29 bundles its own copy, whose
        # exceptions are not ``click``'s) shows its usage errors itself and turns
        # ``typer.Exit(n)`` into the exit status. Only danvan's own errors are left here.
        app(standalone_mode=True)
    except DanvanError as exc:
        typer.echo(f"danvan: {' '.join(str(exc).split())}", err=True)
        sys.exit(2)
    except OSError as exc:  # a file the command reads or writes: a full disk, no permission
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"danvan: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
