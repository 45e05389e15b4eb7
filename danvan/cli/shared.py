"""What the commands share: one-line failures and the five store options, declared once.

A command that opens a store takes one ``opts: StoreOptions`` parameter and is decorated
with :func:`store_options`; the decorator gives it ``--store``, ``--data-dir``,
``--neo4j-uri``, ``--neo4j-user`` and ``--neo4j-password`` (after its own options, with
the same help everywhere) and passes their values as that one object::

    @store_options
    def info(opts: StoreOptions) -> None:
        store = opts.open()

>>> StoreOptions(store="embedded", data_dir=Path("/d")).settings().data_dir
PosixPath('/d')
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer

if TYPE_CHECKING:
    from danvan.config import Settings
    from danvan.graph.store import Store

__all__ = ["DATA_DIR_HELP", "StoreOptions", "fail", "store_options"]

DATA_DIR_HELP = "thư mục của kho embedded (mặc định: $DANVAN_DATA_DIR)"
_HELP = {"store": "embedded hoặc neo4j (mặc định: $DANVAN_STORE hoặc embedded)",
         "neo4j_uri": "mặc định: $NEO4J_URI", "neo4j_user": "mặc định: $NEO4J_USER",
         "neo4j_password": "mặc định: $NEO4J_PASSWORD"}
_TYPES: dict[str, Any] = {"store": str | None, "data_dir": Path | None, "neo4j_uri": str | None,
                          "neo4j_user": str | None, "neo4j_password": str | None}

Command = TypeVar("Command", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise: ``raise fail("no such user")``."""
    typer.echo(f"danvan: {message}", err=True)
    return typer.Exit(code)


@dataclass(frozen=True)
class StoreOptions:
    """The store options of one command line; ``None`` leaves the environment's setting."""

    store: str | None = None
    data_dir: Path | None = None
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: str | None = None

    def settings(self) -> Settings:
        """Environment settings with these options applied."""
        from danvan.config import Settings  # imported when a command runs: keeps --help quick

        return Settings.from_env().with_(**{f.name: getattr(self, f.name) for f in fields(self)})

    def open(self) -> Store:
        """Open the store these options and the environment select."""
        from danvan.config import open_store

        return open_store(self.settings())


def _parameters(data_dir_help: str) -> list[inspect.Parameter]:
    helps = {**_HELP, "data_dir": data_dir_help}
    return [inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=None,
        annotation=Annotated[_TYPES[name], typer.Option("--" + name.replace("_", "-"), help=helps[name])])
        for name in _TYPES]


def store_options(command: Command | None = None, *,
                  data_dir_help: str = DATA_DIR_HELP) -> Any:
    """Give a typer command the five store options; it receives them as ``opts: StoreOptions``.

    Use bare (``@store_options``) or with another help for ``--data-dir``
    (``@store_options(data_dir_help="…")``). Typer reads a command's parameters from its
    signature, so the wrapper declares the command's own parameters (less ``opts``) and the
    five options; typer has no option groups of its own, hence this small decorator.
    """

    def decorate(fn: Command) -> Command:
        own = inspect.signature(fn, eval_str=True)
        if "opts" not in own.parameters:
            raise TypeError(f"{fn.__name__} needs an `opts: StoreOptions` parameter")
        kept = [p for p in own.parameters.values() if p.name != "opts"]
        signature = own.replace(parameters=[*kept, *_parameters(data_dir_help)])

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            opts = StoreOptions(**{name: kwargs.pop(name, None) for name in _TYPES})
            return fn(*args, opts=opts, **kwargs)

        cast(Any, wrapper).__signature__ = signature  # what inspect.signature, so typer, reads
        wrapper.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
        return cast(Command, wrapper)

    return decorate(command) if command is not None else decorate
