"""Who may write through the API: ``Authorization: Bearer <token>`` of an editor or admin.

A token is a user's API token (``danvan user token NAME``; stored hashed, see
danvan/accounts.py) or ``DANVAN_API_TOKEN``, which only bootstraps: it acts as an
admin. A viewer's token gets 403; a missing, wrong, revoked or disabled user's
token 401 with ``WWW-Authenticate: Bearer``. With neither DANVAN_API_TOKEN nor any
user token, writes are disabled (403). The bootstrap token is compared in constant time.

>>> token_matches("s3cret", "Bearer s3cret"), token_matches("s3cret", "Bearer nope")
(True, False)
>>> token_matches("s3cret", None)
False
"""

from __future__ import annotations

import hmac

from fastapi import Request
from fastapi.security import HTTPBearer

from danvan.accounts import Accounts, User
from danvan.api.problems import ApiProblem

__all__ = ["BOOTSTRAP_USER", "bearer", "require_writer", "token_matches"]

BOOTSTRAP_USER = "DANVAN_API_TOKEN"  # the name history records for the bootstrap token

# Declares the scheme in OpenAPI (/docs shows an "Authorize" button); checking is ours.
bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="a user's API token (danvan user token NAME) or DANVAN_API_TOKEN; "
                    "required for write endpoints only")


def token_matches(expected: str, header: str | None) -> bool:
    """Whether an Authorization header carries exactly the expected bearer token."""
    if not header:
        return False
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))


def _bearer_secret(header: str | None) -> str:
    scheme, _, given = (header or "").strip().partition(" ")
    return given.strip() if scheme.lower() == "bearer" else ""


def require_writer(request: Request) -> User:
    """Dependency of every write endpoint: the editor or admin writing; raises 401/403 problems.

    The user is also left in ``request.state.user`` for the history of the change.
    """
    settings = request.app.state.settings
    expected = getattr(settings, "api_token", None)
    header = request.headers.get("authorization")
    user: User | None = None
    if expected and token_matches(expected, header):
        user = User(BOOTSTRAP_USER, "admin", "bootstrap")
    else:
        accounts = Accounts(request.app.state.store)
        user = accounts.user_of_token(_bearer_secret(header))
        if user is None and not expected and not accounts.records.find("ApiToken", limit=1):
            raise ApiProblem(403, "Không được phép ghi",
                             "writes are disabled: set DANVAN_API_TOKEN or give a user a token "
                             "(danvan user token NAME) (chức năng ghi đang tắt)", "writes-disabled")
    if user is None:
        raise ApiProblem(401, "Cần xác thực",
                         "Thiếu hoặc sai mã truy cập: gửi 'Authorization: Bearer <mã truy cập>'",
                         "unauthorised", headers={"WWW-Authenticate": 'Bearer realm="danvan"'})
    if not user.can("editor"):
        raise ApiProblem(403, "Không đủ quyền",
                         f"người dùng '{user.name}' chỉ có quyền xem (viewer); ghi cần quyền "
                         "biên tập (editor)", "forbidden")
    request.state.user = user
    return user
