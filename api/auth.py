"""Who may write: reads are open, writes need ``Authorization: Bearer <DANVAN_API_TOKEN>``.

With no token configured, writes are disabled (403). A missing or wrong token
is a 401 with ``WWW-Authenticate: Bearer``. Tokens are compared in constant time.

>>> token_matches("s3cret", "Bearer s3cret"), token_matches("s3cret", "Bearer nope")
(True, False)
>>> token_matches("s3cret", None)
False
"""

from __future__ import annotations

import hmac

from fastapi import Request
from fastapi.security import HTTPBearer

from danvan.api.problems import ApiProblem

__all__ = ["bearer", "require_writer", "token_matches"]

# Declares the scheme in OpenAPI (/docs shows an "Authorize" button); checking is ours.
bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="DANVAN_API_TOKEN; required for write endpoints only")


def token_matches(expected: str, header: str | None) -> bool:
    """Whether an Authorization header carries exactly the expected bearer token."""
    if not header:
        return False
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))


def require_writer(request: Request) -> None:
    """Dependency of every write endpoint; raises a 403 or 401 problem."""
    settings = request.app.state.settings
    expected = getattr(settings, "api_token", None)
    if not expected:
        raise ApiProblem(403, "Không được phép ghi",
                         "writes are disabled: set DANVAN_API_TOKEN (chức năng ghi đang tắt)",
                         "writes-disabled")
    if not token_matches(expected, request.headers.get("authorization")):
        raise ApiProblem(401, "Cần xác thực",
                         "Thiếu hoặc sai mã truy cập: gửi 'Authorization: Bearer <DANVAN_API_TOKEN>'",
                         "unauthorised", headers={"WWW-Authenticate": 'Bearer realm="danvan"'})
