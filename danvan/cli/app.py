"""The ``danvan`` application: every command, added here by name, and the entry point.

    danvan serve [--host 127.0.0.1] [--port 8000] [--store embedded|neo4j]
    danvan load [--documents PATH…]      curated knowledge base (and documents)
    danvan query NAME [--param value…] [--json]
    danvan info
    danvan extract | import | export | viz | demo | user …

Each command lives in its group's module (danvan/cli/*.py), which imports only typer
when loaded: what a command needs (the store, the loaders, the API) is imported when it
runs, so ``danvan --help`` stays quick.

Expected failures print one line and exit non-zero (1: the command failed, 2: usage or
settings); no tracebacks.
"""

from __future__ import annotations

import sys

import typer

from danvan.cli import demo, documents, export, load, query, serve, sheets, users, viz
from danvan.errors import DanvanError

__all__ = ["app", "main"]

# Plain help and errors (no rich panels): the same text in a terminal, a log or a test.
app = typer.Typer(help="danvan: đơn vị nào giúp thôn nào, theo kế hoạch nào, với mô hình nào.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None)

app.command()(serve.serve)
app.command()(load.load)
app.command()(query.info)
app.command(cls=query.QueryCommand,
            context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(query.query)
app.command(name="extract")(documents.extract)
app.command(name="import")(sheets.import_sheet)
app.command(name="export")(export.export)
app.command(name="viz")(viz.viz)
app.command(name="demo")(demo.demo)
app.add_typer(users.users, name="user")


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
