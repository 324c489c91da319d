"""FastAPI dependencies: the parts built in lifespan, and the authenticated caller."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from copilot.auth import Principal, authenticate
from copilot.components import Components
from copilot.errors import Unauthorized
from copilot.teaching import Teacher
from knowledge.base import KnowledgeBase


async def components(request: Request) -> Components:
    return request.app.state.components


async def knowledge_base(parts: Annotated[Components, Depends(components)]) -> KnowledgeBase:
    return parts.kb


async def teacher(parts: Annotated[Components, Depends(components)]) -> Teacher:
    """What agents and trainers teach the escalation assessor goes through this."""
    return Teacher(ledger=parts.ledger, pipeline=parts.pipeline, router=parts.router, emit=parts.assist.emit)


async def caller(parts: Annotated[Components, Depends(components)],
           authorization: Annotated[str | None, Header()] = None,
           x_api_key: Annotated[str | None, Header()] = None,
           api_key: str | None = None) -> Principal:
    """The caller's key: `Authorization: Bearer KEY`, `X-API-Key: KEY`, or `?api_key=KEY`
    (browsers cannot set headers on an EventSource)."""
    raw = x_api_key or api_key
    if authorization and authorization.lower().startswith("bearer "):
        raw = authorization[7:].strip()
    if not raw:
        raise Unauthorized("missing API key: send `Authorization: Bearer <key>` "
                           "(`copilot keys add` makes one)")
    return authenticate(parts.ledger, raw)


Parts = Annotated[Components, Depends(components)]
KB = Annotated[KnowledgeBase, Depends(knowledge_base)]
Caller = Annotated[Principal, Depends(caller)]
Teach = Annotated[Teacher, Depends(teacher)]
