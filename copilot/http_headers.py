"""Security headers on every response: a Content-Security-Policy that fits the pages, no framing,
no content sniffing, no referrer.

The pages (`/`, `/web/*`) are ES modules and a style sheet served by the app itself: no inline
script, no inline style, no CDN; they talk to the same origin only (fetch, EventSource). The one
inline thing is the `<style>` of the eval report (`evals.report.STYLE`), which the trainer page
shows in a sandboxed `srcdoc` frame (that frame inherits the page's policy), so the policy lets
exactly that style in, by its hash. `/docs` and `/redoc` load Swagger UI and ReDoc from this
server (`fastapi-offline` ships them: the docs work offline) with an inline start-up script, so
those paths get a policy of their own.

`SecurityHeaders` is a pure ASGI middleware: it adds headers to `http.response.start` and
passes the body through untouched, so event streams are not buffered. A header the route set
itself is kept.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evals.report import STYLE as REPORT_STYLE


def source_hash(text: str) -> str:
    """The CSP source expression that allows an inline element with exactly this text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(**directives: str) -> str:
    return "; ".join(f"{name.replace('_', '-')} {value}" for name, value in directives.items())


# What every page may do: talk to this origin only, no plugins, no base or form elsewhere, no framing.
SAME_ORIGIN = {"connect_src": "'self'", "object_src": "'none'", "base_uri": "'none'",
               "form_action": "'self'", "frame_ancestors": "'none'"}
PAGE_POLICY = policy(
    default_src="'self'",
    script_src="'self'",
    style_src=f"'self' {source_hash(REPORT_STYLE)}",
    img_src="'self'",
    **SAME_ORIGIN,
)
DOCS_POLICY = policy(     # Swagger UI and ReDoc, served from this origin, started by an inline script
    default_src="'self'",
    script_src="'self' 'unsafe-inline'",
    style_src="'self' 'unsafe-inline'",
    img_src="'self' data:",
    worker_src="'self' blob:",
    **SAME_ORIGIN,
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *,
                 docs_paths: Iterable[str] = DOCS_PATHS) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_POLICY if scope.get("path") in self.docs_paths else PAGE_POLICY
        wanted = {**HEADERS, "content-security-policy": csp}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name.encode("latin-1"), value.encode("latin-1"))
                            for name, value in wanted.items() if name.encode("latin-1") not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
