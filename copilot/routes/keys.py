"""API keys over HTTP (admins: make, list, revoke; audited) and the pages' session cookie."""
from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from copilot.auth import key_hash, new_key, require
from copilot.deps import Caller, Parts
from copilot.http_errors import API_ERRORS
from copilot.ledger import ApiKey
from copilot.names import LABEL_MAX_CHARS
from copilot.sessions import COOKIE, MAX_AGE_S

router = APIRouter(prefix="/v1", tags=["auth"], responses=API_ERRORS)


class NewKey(BaseModel):
    role: str = Field(description="agent | merchant | trainer | admin")
    merchant: str | None = Field(None, description="the merchant it acts for (all roles but admin)")
    label: str = Field(min_length=1, max_length=LABEL_MAX_CHARS, description="who holds it, in any language (小王)")
    expires_in_days: float | None = Field(None, gt=0, le=3650, description="none: until revoked")


def key_view(key: ApiKey) -> dict:
    """A key as listed: everything but its hash."""
    view = asdict(key)
    del view["key_hash"]
    return {"id": key.id, **view}


@router.post("/keys", status_code=201)
def add_key(body: NewKey, parts: Parts, caller: Caller) -> dict:
    """Make a key (shown once, in `key`); only for a merchant that exists."""
    require(caller, roles={"admin"})
    raw = new_key(parts.ledger, role=body.role, merchant=body.merchant, label=body.label,
                  merchants=parts.kb.merchants(), expires_in_days=body.expires_in_days, actor=caller.label)
    return {"key": raw, **key_view(parts.ledger.find_api_key(key_hash(raw)))}


@router.get("/keys")
def list_keys(parts: Parts, caller: Caller) -> list[dict]:
    require(caller, roles={"admin"})
    return [key_view(k) for k in parts.ledger.api_keys()]


@router.delete("/keys/{key_id}")
def revoke_key(key_id: str, parts: Parts, caller: Caller) -> dict:
    """Revoke a key at once (its sessions end with it); audited."""
    require(caller, roles={"admin"})
    return key_view(parts.ledger.revoke_api_key(key_id, actor=caller.label))


@router.post("/session")
def open_session(request: Request, response: Response, parts: Parts, caller: Caller) -> dict:
    """Trade the key in the Authorization header for an HttpOnly session cookie, which the
    page's event streams use (EventSource cannot send headers; a key in a URL would be logged)."""
    response.set_cookie(COOKIE, parts.sessions.issue(caller.key_hash), max_age=MAX_AGE_S, path="/v1/",
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return {"role": caller.role, "merchant": caller.merchant, "label": caller.label, "expires_in_s": MAX_AGE_S}


@router.delete("/session")
def close_session(response: Response) -> dict:
    response.delete_cookie(COOKIE, path="/v1/", httponly=True, samesite="strict")
    return {"closed": True}
