"""Security headers on every response: a Content-Security-Policy, no sniffing, no framing.

HTML pages may load scripts, styles, images and fonts from danvan itself only
(``'self'``); nothing from another origin, no plugins, no ``<base>`` or form
target elsewhere, and no page may be framed (clickjacking). Inline scripts run
only on the pages whose own code is inline (:data:`INLINE_SCRIPT_PATHS`: the
graph page, whose script is in its template); everywhere else — /docs too, which
starts Swagger UI from a file (api/docs.py) — an injected ``<script>`` or
``onerror=`` does not run even if some text escaped escaping. Inline ``style=`` attributes are allowed
(the pages colour legends and indent lineages with them; a style cannot run
code). JSON and other non-HTML answers get ``default-src 'none'``: rendered as a
page by mistake, they can load nothing.

Headers a route sets itself are kept. Written as a pure ASGI middleware (not
Starlette's ``BaseHTTPMiddleware``) so streamed responses stay streamed.

>>> "script-src 'self';" in policy_for("/phan-cong", "text/html; charset=utf-8")
True
>>> "'unsafe-inline'" in policy_for("/graph", "text/html").split("script-src")[1].split(";")[0]
True
>>> policy_for("/api/v1/health", "application/json")
"default-src 'none'; frame-ancestors 'none'"
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["INLINE_SCRIPT_PATHS", "SecurityHeaders", "policy_for"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Pages whose own script is inline in their HTML (paths and their sub-paths). Moving the
# graph page's script to a file under /static would let this be empty.
INLINE_SCRIPT_PATHS = ("/graph",)

_PAGE = ("default-src 'self'; script-src 'self'{inline}; style-src 'self' 'unsafe-inline'; "
         "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
         "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
         "frame-ancestors 'none'")
_OTHER = "default-src 'none'; frame-ancestors 'none'"
_ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"same-origin"), (b"cross-origin-opener-policy", b"same-origin"))


def _inline(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") or path.startswith(p + ".")
               for p in INLINE_SCRIPT_PATHS)


def policy_for(path: str, content_type: str) -> str:
    """The Content-Security-Policy of a response to ``path`` with this content type."""
    if not content_type.lower().startswith("text/html"):
        return _OTHER
    return _PAGE.format(inline=" 'unsafe-inline'" if _inline(path) else "")


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next((v.decode("latin-1") for n, v in headers
                                     if n.lower() == b"content-type"), "")
                extra = [*_ALWAYS, (b"content-security-policy",
                                    policy_for(path, content_type).encode("latin-1"))]
                headers += [(n, v) for n, v in extra if n not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
