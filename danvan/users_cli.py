"""``danvan user …``: board accounts from the command line (add, token, list, disable, revoke).

    danvan user add NAME --role viewer|editor|admin [--password-stdin]
    danvan user token NAME          prints a new API token (shown once; stored hashed)
    danvan user list
    danvan user disable NAME        no sign-in, sessions ended, tokens revoked
    danvan user revoke TOKEN-ID     revoke one token (the id `user list --tokens` shows)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from danvan.accounts import ROLES, Accounts
from danvan.cli import DataDirOpt, PasswordOpt, StoreOpt, UriOpt, UserOpt, fail, store_from_options

__all__ = ["cli_group", "users"]

users = typer.Typer(help="board accounts: add, token, list, disable, revoke", no_args_is_help=True)
cli_group = ("user", users)


def _accounts(store: str | None, data_dir: Path | None, neo4j_uri: str | None,
              neo4j_user: str | None, neo4j_password: str | None) -> Accounts:
    return Accounts(store_from_options(store=store, data_dir=data_dir, neo4j_uri=neo4j_uri,
                                       neo4j_user=neo4j_user, neo4j_password=neo4j_password))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Mật khẩu", hide_input=True)
    if typer.prompt("Nhập lại mật khẩu", hide_input=True) != first:
        raise fail("the two passwords differ; nothing changed")
    return str(first)


@users.command("add")
def add(name: Annotated[str, typer.Argument(help="user name (no spaces)")],
        role: Annotated[str, typer.Option(help="viewer, editor or admin")] = "viewer",
        password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                     help="read the password from stdin")] = False,
        store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
        neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None) -> None:
    """Add a user (or reset an existing user's role and password)."""
    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    password = _read_password(password_stdin)
    user = _accounts(store, data_dir, neo4j_uri, neo4j_user, neo4j_password).add_user(
        name, role, password)
    typer.echo(f"user {user['name']} ({user['role']}) saved")


@users.command("token")
def token(name: Annotated[str, typer.Argument(help="user name")],
          store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
          neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None) -> None:
    """Print a new API token for the user (keep it: only its hash is stored)."""
    typer.echo(_accounts(store, data_dir, neo4j_uri, neo4j_user, neo4j_password).new_token(name))


@users.command("list")
def list_users(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
               tokens: Annotated[bool, typer.Option("--tokens", help="with token ids")] = False,
               store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
               neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None) -> None:
    """List users: name, role, disabled."""
    accounts = _accounts(store, data_dir, neo4j_uri, neo4j_user, neo4j_password)
    rows = accounts.users()
    if tokens:
        for row in rows:
            row["tokens"] = [{"id": t["key"][:12], "at": t["at"], "revoked": t.get("revoked")}
                             for t in accounts.tokens(row["name"])]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        state = "disabled" if row.get("disabled") else "active"
        line = f"{row['name']}\t{row['role']}\t{state}"
        if tokens:
            line += "\t" + " ".join(t["id"] + ("(revoked)" if t["revoked"] else "")
                                    for t in row["tokens"])
        typer.echo(line)


@users.command("disable")
def disable(name: Annotated[str, typer.Argument(help="user name")],
            store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
            neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None) -> None:
    """Disable a user: sign-in refused, sessions ended, API tokens revoked."""
    _accounts(store, data_dir, neo4j_uri, neo4j_user, neo4j_password).disable(name)
    typer.echo(f"user {name} disabled")


@users.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(help="token id from `user list --tokens`")],
           store: StoreOpt = None, data_dir: DataDirOpt = None, neo4j_uri: UriOpt = None,
           neo4j_user: UserOpt = None, neo4j_password: PasswordOpt = None) -> None:
    """Revoke an API token."""
    count = _accounts(store, data_dir, neo4j_uri, neo4j_user, neo4j_password).revoke_token(token_id)
    if not count:
        raise fail(f"no active token with id {token_id!r}")
    typer.echo(f"{count} token revoked")
