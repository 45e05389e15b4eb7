"""User management on the web (``/nguoi-dung``), for admins: add, change role or password,
disable, and give API tokens (shown once), as ``danvan user …`` does on the command line.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from danvan.accounts import ROLES, Accounts
from danvan.api.web_auth import FormDenied, check_form, web_user
from danvan.errors import DanvanError
from danvan.graph.audit import Acting, record_change

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    from danvan.api.explorer import _page as explorer_page

    accounts = Accounts(request.app.state.store)
    users = accounts.users()
    for user in users:
        user["tokens"] = [t for t in accounts.tokens(user["name"]) if not t.get("revoked")]
    return explorer_page(request, "users.html", status, title="Người dùng", users=users,
                         roles=ROLES, **context)


def _admin_only(request: Request) -> Response | None:
    """The answer for someone who is not a signed-in admin, or None."""
    found = web_user(request)
    if found is None:
        return RedirectResponse("/dang-nhap?next=/nguoi-dung", status_code=303)
    if not found[0].can("admin"):
        from danvan.api.web_auth import _denied

        return _denied(request, "Chỉ quản trị viên (admin) quản lý người dùng.")
    return None


@router.get("/nguoi-dung", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    """Users, their roles and tokens, and the forms to manage them."""
    return _admin_only(request) or _page(request)


@router.post("/nguoi-dung")
async def manage_user(request: Request) -> Response:
    """One change: ``action`` is add, disable, token or revoke."""
    form = await request.form()
    admin = check_form(request, form, "admin")
    accounts = Accounts(request.app.state.store)
    action, name = str(form.get("action") or ""), str(form.get("name") or "").strip()
    context: dict[str, Any] = {}
    try:
        if action == "add":
            accounts.add_user(name, str(form.get("role") or ""), str(form.get("password") or ""))
            context["message"] = f"Đã lưu người dùng {name}."
        elif action == "disable":
            accounts.disable(name)
            context["message"] = f"Đã khóa {name}: phiên đăng nhập và mã truy cập bị thu hồi."
        elif action == "token":
            context["token"], context["token_user"] = accounts.new_token(name), name
        elif action == "revoke":
            accounts.revoke_token(str(form.get("token") or ""))
            context["message"] = "Đã thu hồi mã truy cập."
        else:
            raise FormDenied(RedirectResponse("/nguoi-dung", status_code=303))
    except DanvanError as exc:
        return _page(request, 422, error=str(exc))
    # Who changed which account is history too (never the password or the token itself).
    record_change(request.app.state.store, Acting(admin.name, "user", "/nguoi-dung"),
                  [], None, {"user": {"name": name, "action": action,
                                      "role": form.get("role") if action == "add" else None}})
    return _page(request, **context)
