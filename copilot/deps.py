"""FastAPI dependencies: the parts built in lifespan, and the authenticated caller.

The caller's key comes only in `Authorization: Bearer KEY`; the event streams also accept
the page's session cookie (`copilot.sessions`). Failed authentications are throttled per
client (`copilot.throttle`). These are plain functions: FastAPI runs them in its thread
pool, so a slow ledger never blocks the event loop.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Cookie, Depends, Header, Request

from copilot.auth import Principal, authenticate, principal_of
from copilot.components import Components
from copilot.errors import Unauthorized
from copilot.sessions import COOKIE
from copilot.teaching import Teacher
from knowledge.base import KnowledgeBase

MISSING_KEY = "missing API key: send `Authorization: Bearer <key>` (`copilot keys add` makes one)"


async def components(request: Request) -> Components:
    return request.app.state.components


async def knowledge_base(parts: Annotated[Components, Depends(components)]) -> KnowledgeBase:
    return parts.kb


async def teacher(parts: Annotated[Components, Depends(components)]) -> Teacher:
    """What agents and trainers teach the escalation assessor goes through this."""
    return Teacher(ledger=parts.ledger, pipeline=parts.pipeline, router=parts.router, emit=parts.assist.emit)


def caller(request: Request, parts: Annotated[Components, Depends(components)],
           authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The caller behind `Authorization: Bearer KEY`."""
    return _checked(request, parts, lambda: authenticate(parts.ledger, _bearer(authorization)),
                    presented=bool(authorization))


def stream_caller(request: Request, parts: Annotated[Components, Depends(components)],
                  authorization: Annotated[str | None, Header()] = None,
                  session: Annotated[str | None, Cookie(alias=COOKIE, include_in_schema=False)] = None) -> Principal:
    """The caller of an event stream: the Authorization header, or the page's session cookie."""
    def find() -> Principal:
        if authorization or not session:
            return authenticate(parts.ledger, _bearer(authorization))
        hashed = parts.sessions.key_hash(session)
        if hashed is None:
            raise Unauthorized("the session has ended or is not valid; log in again with your key")
        return principal_of(parts.ledger, hashed)

    return _checked(request, parts, find, presented=bool(authorization or session))


def _checked(request: Request, parts: Components, find, *, presented: bool) -> Principal:
    """`find()`'s principal; a client whose presented keys fail too often is refused (429)."""
    client = request.client.host if request.client else "unknown"
    parts.throttle.check(client)
    try:
        return find()
    except Unauthorized:
        if presented:
            parts.throttle.failed(client)
        raise


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
        raise Unauthorized(MISSING_KEY)
    return authorization[7:].strip()


Parts = Annotated[Components, Depends(components)]
KB = Annotated[KnowledgeBase, Depends(knowledge_base)]
Caller = Annotated[Principal, Depends(caller)]


def known_merchant(request: Request, parts: Parts, caller: Caller) -> None:
    """For the routers of `/v1/merchants/{merchant}/…`: a merchant that does not exist is a 404,
    told only to a caller who may see that merchant (an admin, its own keys), and only after
    authentication: to anyone else the route's own role check answers alike for every id."""
    merchant = request.path_params.get("merchant")
    if merchant is not None and (caller.role == "admin" or caller.merchant == merchant):
        parts.kb.require_merchant(merchant)


KnownMerchant = Depends(known_merchant)
StreamCaller = Annotated[Principal, Depends(stream_caller)]
Teach = Annotated[Teacher, Depends(teacher)]
