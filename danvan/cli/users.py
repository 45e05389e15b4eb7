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
from typing import TYPE_CHECKING, Annotated

import typer

from danvan.cli.shared import StoreOptions, fail, store_options

if TYPE_CHECKING:
    from danvan.accounts import Accounts

__all__ = ["users"]

users = typer.Typer(help="tài khoản của Ban: thêm (add), mã API (token), danh sách (list), "
                         "khóa (disable), thu hồi mã (revoke)", no_args_is_help=True)


def _accounts(opts: StoreOptions) -> Accounts:
    from danvan.accounts import Accounts

    return Accounts(opts.open())


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Mật khẩu", hide_input=True)
    if typer.prompt("Nhập lại mật khẩu", hide_input=True) != first:
        raise fail("the two passwords differ; nothing changed")
    return str(first)


@users.command("add")
@store_options
def add(name: Annotated[str, typer.Argument(help="tên đăng nhập (không có dấu cách)")],
        role: Annotated[str, typer.Option(
            help="quyền: viewer (xem), editor (sửa) hoặc admin (quản trị)")] = "viewer",
        password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                     help="đọc mật khẩu từ đầu vào chuẩn (stdin)")] = False,
        *, opts: StoreOptions) -> None:
    """Thêm tài khoản (hoặc đặt lại quyền và mật khẩu của tài khoản đã có)."""
    from danvan.accounts import ROLES  # here, not above: argon2 is slow to import, --help needs none

    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    password = _read_password(password_stdin)
    user = _accounts(opts).add_user(
        name, role, password)
    typer.echo(f"user {user['name']} ({user['role']}) saved")


@users.command("token")
@store_options
def token(name: Annotated[str, typer.Argument(help="tên đăng nhập")],
          *, opts: StoreOptions) -> None:
    """In một mã API mới cho tài khoản (hãy giữ lại: kho chỉ lưu bản băm của mã)."""
    typer.echo(_accounts(opts).new_token(name))


@users.command("list")
@store_options
def list_users(as_json: Annotated[bool, typer.Option("--json", help="in JSON")] = False,
               tokens: Annotated[bool, typer.Option("--tokens", help="kèm mã số các mã API")] = False,
               *, opts: StoreOptions) -> None:
    """Danh sách tài khoản: tên, quyền, đã khóa hay chưa."""
    accounts = _accounts(opts)
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
@store_options
def disable(name: Annotated[str, typer.Argument(help="tên đăng nhập")],
            *, opts: StoreOptions) -> None:
    """Khóa tài khoản: không đăng nhập được, các phiên bị đóng, các mã API bị thu hồi."""
    _accounts(opts).disable(name)
    typer.echo(f"user {name} disabled")


@users.command("revoke")
@store_options
def revoke(token_id: Annotated[str, typer.Argument(help="mã số của mã API (xem `user list --tokens`)")],
           *, opts: StoreOptions) -> None:
    """Thu hồi một mã API."""
    count = _accounts(opts).revoke_token(token_id)
    if not count:
        raise fail(f"no active token with id {token_id!r}")
    typer.echo(f"{count} token revoked")
