"""The browser pages: `/` (one page for agents, merchants and trainers), its static
files under `/web/`, and `GET /v1/whoami` (who a key belongs to and which pages it opens).

Everything the pages need is served by the app itself: no build step, no CDN.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from copilot.deps import Caller
from copilot.errors import NotFound
from copilot.http_errors import API_ERRORS

router = APIRouter(tags=["web"], responses=API_ERRORS)

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
PAGES = ("agent", "merchant", "trainer", "shop")
# `shop`: a person plays the shopper (demos, training), so the keys that may post shopper messages open it.
PAGES_OF_ROLE = {"agent": ("agent", "shop"), "merchant": ("merchant", "shop"), "trainer": ("trainer",),
                 "admin": PAGES}
NO_CACHE = {"Cache-Control": "no-cache"}


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type=MEDIA_TYPES[".html"], headers=NO_CACHE)


@router.get("/web/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    """One file of `copilot/web/` (flat: no sub-folders, no dot-files)."""
    path = WEB_DIR / name
    if name.startswith(".") or "/" in name or path.suffix not in MEDIA_TYPES or not path.is_file():
        raise NotFound(f"no web file {name!r}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=NO_CACHE)


@router.get("/v1/whoami", tags=["auth"])
def whoami(caller: Caller) -> dict:
    """The caller's role, merchant and label, and the pages of the web UI it may open."""
    return {"role": caller.role, "merchant": caller.merchant, "label": caller.label,
            "pages": list(PAGES_OF_ROLE.get(caller.role, ()))}
