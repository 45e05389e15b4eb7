"""Signing in to the explorer: the /dang-nhap form, session cookies, CSRF and login rate limits.

Rules (each has a test in tests/test_board_security.py):

* the session cookie is HttpOnly, SameSite=Lax, and Secure when the request came
  over HTTPS (or DANVAN_SECURE_COOKIES=1); it carries a random id whose SHA-256 is
  stored, and it expires after DANVAN_SESSION_HOURS;
* every form that changes something carries the session's CSRF token (the sign-in
  form a per-browser one, double-submitted in a cookie); without it: 403;
* a wrong name and a wrong password get the same answer, in the same time;
* after LOGIN_FAILURES failed sign-ins for one name (or LOGIN_FAILURES_IP from one
  address) within LOGIN_WINDOW seconds, sign-in answers 429 until the window passes;
* with DANVAN_OPEN_READING=0 every page and API read needs a session or token.

The failure counts live in the server process (one uvicorn worker is how danvan
serves); several workers would each count their own.

>>> limiter = LoginLimiter(failures=2, per_ip=10, window=60)
>>> limiter.fail("an", "1.2.3.4", now=0); limiter.fail("an", "1.2.3.4", now=1)
>>> limiter.blocked("an", "1.2.3.4", now=2), limiter.blocked("an", "1.2.3.4", now=61.5)
(True, False)
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from danvan.accounts import Accounts, User
from danvan.text import fold, nfc

__all__ = ["COOKIE", "FormDenied", "LoginLimiter", "check_form", "install", "router", "web_user"]

COOKIE = "danvan_session"
LOGIN_CSRF_COOKIE = "danvan_login_csrf"
LOGIN_FAILURES = 5
LOGIN_FAILURES_IP = 30
LOGIN_WINDOW = 15 * 60.0
BAD_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
# Paths served without a session even when reading is closed.
_ALWAYS_OPEN = ("/dang-nhap", "/static/", "/api/v1/health")

router = APIRouter(include_in_schema=False)


class LoginLimiter:
    """Failed sign-ins per name and per address in a sliding window (thread-safe)."""

    def __init__(self, failures: int = LOGIN_FAILURES, per_ip: int = LOGIN_FAILURES_IP,
                 window: float = LOGIN_WINDOW) -> None:
        self.failures, self.per_ip, self.window = failures, per_ip, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _count(self, key: str, now: float) -> int:
        seen = self._seen.get(key)
        if not seen:
            return 0
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        return len(seen)

    def blocked(self, name: str, ip: str, now: float | None = None) -> bool:
        """Whether sign-in for ``name`` from ``ip`` must wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return (self._count("n:" + fold(name), now) >= self.failures
                    or self._count("a:" + ip, now) >= self.per_ip)

    def fail(self, name: str, ip: str, now: float | None = None) -> None:
        """Count one failed sign-in (for names that exist or not alike)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._seen["n:" + fold(name)].append(now)
            self._seen["a:" + ip].append(now)

    def succeed(self, name: str) -> None:
        """A right password clears the name's count (not the address's)."""
        with self._lock:
            self._seen.pop("n:" + fold(name), None)


class FormDenied(Exception):
    """A form post that may not go through; carries the response to send instead."""

    def __init__(self, response: Response) -> None:
        self.response = response


def web_user(request: Request) -> tuple[User, str] | None:
    """(user, CSRF token) of the request's session, looked up once per request."""
    if not hasattr(request.state, "web"):  # templates read request.state.web (None: nobody)
        sid = request.cookies.get(COOKIE, "")
        request.state.web = Accounts(request.app.state.store).session(sid) if sid else None
    return request.state.web  # type: ignore[no-any-return]


def _sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.headers.get("referer", "/") if _local(request.headers.get("referer", "")) \
            else "/"
    return RedirectResponse(f"/dang-nhap?next={quote(target)}", status_code=303)


def _local(url: str) -> bool:
    """Only paths on this site may be redirected to after sign-in (no open redirect)."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def check_form(request: Request, form: Any, role: str = "editor") -> User:
    """The user posting ``form``; raises FormDenied: sign-in (no or expired session), 403
    (CSRF token missing or wrong, or the role too low)."""
    found = web_user(request)
    if found is None:
        raise FormDenied(_sign_in_redirect(request))
    user, csrf = found
    given = str(form.get("csrf") or "")
    if not given or not hmac.compare_digest(given.encode(), csrf.encode()):
        raise FormDenied(_denied(request, "Thiếu hoặc sai mã chống giả mạo (CSRF); hãy tải lại trang."))
    if not user.can(role):
        raise FormDenied(_denied(request, f"Người dùng '{user.name}' không có quyền này "
                                          f"(cần quyền {role})."))
    return user


def _denied(request: Request, message: str) -> HTMLResponse:
    from danvan.api.explorer import _page

    return _page(request, "problem.html", 403, title="Không được phép", message=message,
                 candidates=[])


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.secure_cookies) or request.url.scheme == "https"


def _login_page(request: Request, status: int = 200, message: str = "",
                name: str = "") -> HTMLResponse:
    from danvan.api.explorer import _page

    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    nxt = request.query_params.get("next") or request.headers.get("x-next") or "/"
    response = _page(request, "sign_in.html", status, title="Đăng nhập", message=message,
                     csrf=token, next=nxt if _local(nxt) else "/", name=name)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=_secure(request), path="/dang-nhap")
    return response


@router.get("/dang-nhap", response_class=HTMLResponse)
def sign_in_page(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return _login_page(request)


@router.post("/dang-nhap")
async def sign_in(request: Request) -> Response:
    """Check the name and password; start a session and go back where the user was."""
    form = await request.form()
    given = str(form.get("csrf") or "")
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not given or not cookie or not hmac.compare_digest(given.encode(), cookie.encode()):
        return _denied(request, "Thiếu hoặc sai mã chống giả mạo (CSRF); hãy tải lại trang.")
    name = nfc(str(form.get("name") or "")).strip()[:64]
    password = str(form.get("password") or "")[:1024]
    nxt = str(form.get("next") or "/")
    ip = request.client.host if request.client else "?"
    limiter: LoginLimiter = request.app.state.login_limiter
    if limiter.blocked(name, ip):
        return _login_page(request, 429, "Đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút.",
                           name)
    accounts = Accounts(request.app.state.store)
    user = accounts.check_password(name, password)
    if user is None:
        limiter.fail(name, ip)
        return _login_page(request, 401, BAD_LOGIN, name)
    limiter.succeed(name)
    settings = request.app.state.settings
    sid, _ = accounts.start_session(user["name"], settings.session_hours)
    response = RedirectResponse(nxt if _local(nxt) else "/", status_code=303)
    response.set_cookie(COOKIE, sid, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="lax", secure=_secure(request), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/dang-nhap")
    return response


@router.post("/dang-xuat")
async def sign_out(request: Request) -> Response:
    """End the session (the form carries the CSRF token like every other)."""
    form = await request.form()
    try:
        check_form(request, form, "viewer")
    except FormDenied as denied:
        return denied.response
    Accounts(request.app.state.store).end_session(request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _reader_allowed(request: Request) -> bool:
    if web_user(request) is not None:
        return True
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return False
    expected = request.app.state.settings.api_token
    if expected and hmac.compare_digest(secret.strip().encode(), expected.encode()):
        return True
    return Accounts(request.app.state.store).user_of_token(secret.strip()) is not None


def install(app: FastAPI) -> None:
    """Add the sign-in routes, the login limiter, the FormDenied handler and, when reading
    is closed, the check that every request is signed in."""
    app.state.login_limiter = LoginLimiter()
    app.include_router(router)

    @app.exception_handler(FormDenied)
    async def form_denied(request: Request, exc: FormDenied) -> Response:
        return exc.response

    @app.middleware("http")
    async def sessions(request: Request, call_next: Any) -> Response:
        from starlette.concurrency import run_in_threadpool

        if request.cookies.get(COOKIE) and not request.url.path.startswith("/static/"):
            await run_in_threadpool(web_user, request)  # pages show who is signed in
        else:
            request.state.web = None
        if app.state.settings.open_reading or request.url.path.startswith(_ALWAYS_OPEN):
            return await call_next(request)
        if await run_in_threadpool(_reader_allowed, request):
            return await call_next(request)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"type": "about:blank", "title": "Cần xác thực", "status": 401,
                                 "detail": "Cần đăng nhập hoặc mã truy cập để đọc"},
                                status_code=401, media_type="application/problem+json",
                                headers={"WWW-Authenticate": 'Bearer realm="danvan"'})
        return _sign_in_redirect(request)
