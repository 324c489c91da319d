"""Conversations: shopper messages in, the event stream out (SSE), approval and rejection."""
from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from copilot.auth import require, require_owner
from copilot.conversation_ids import scoped, stored_id
from copilot.deps import Caller, Parts, StreamCaller
from copilot.errors import NotFound
from copilot.events import Event
from copilot.http_errors import API_ERRORS, responses
from copilot.names import Name

router = APIRouter(prefix="/v1", tags=["conversations"], responses=API_ERRORS)

MAX_MESSAGE_CHARS = 2000
HEARTBEAT_SECONDS = 15


class ShopperMessage(BaseModel):
    merchant: str
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    sku: str | None = Field(None, max_length=128, description="the SKU page the shopper is on")
    channel: str = Field("local", pattern="^(local|webhook)$")
    shopper: str = Field("shopper", max_length=128)


class Approval(BaseModel):
    text: str | None = Field(None, min_length=1, max_length=MAX_MESSAGE_CHARS,
                             description="the edited reply; omit to send the draft as it is")


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


@router.post("/conversations/{conversation_id}/messages", status_code=202)
async def post_message(conversation_id: Name, body: ShopperMessage,
                       parts: Parts, caller: Caller) -> dict:
    """Store a shopper message and start assisting; returns at once."""
    require(caller, roles={"agent", "merchant"}, merchant=body.merchant)
    await asyncio.to_thread(parts.kb.require_merchant, body.merchant)
    got = await parts.assist.receive(scoped(body.merchant, conversation_id), merchant=body.merchant,
                                     channel=body.channel, shopper=body.shopper, text=body.text, sku=body.sku)
    return {"conversation_id": got.conversation.id, "message_id": got.message.id,
            "suggestion_id": got.suggestion.id}


@router.get("/conversations")
def list_conversations(parts: Parts, caller: Caller, merchant: str | None = None,
                       status: str | None = None) -> list[dict]:
    merchant = merchant or caller.merchant
    require(caller, roles={"agent", "merchant", "trainer"}, merchant=merchant)
    return [asdict(c) for c in parts.ledger.list_conversations(merchant=merchant, status=status)]


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: str, parts: Parts, caller: Caller) -> dict:
    """A conversation: `c1` is the caller's merchant's, `merchant:c1` names it in full."""
    conv = conversation_of(parts, caller, conversation_id)
    return {**asdict(conv),
            "messages": [asdict(m) for m in parts.ledger.messages(conv.id)],
            "suggestions": [asdict(s) for s in parts.ledger.suggestions(conv.id)],
            "deliveries": [asdict(d) for d in parts.ledger.local_deliveries(conv.id)]}


@router.get("/conversations/{conversation_id}/stream", response_class=Response, responses={200: {
    "description": "Server-sent events: `id`, `event` (the type) and `data` (the JSON body) of each",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
async def stream(conversation_id: str, request: Request, parts: Parts, caller: StreamCaller,
                 last_event_id: Annotated[str | None, Header()] = None) -> EventSourceResponse:
    """SSE of the conversation's events; reconnect with Last-Event-ID to miss nothing."""
    conv = await asyncio.to_thread(conversation_of, parts, caller, conversation_id)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    return event_stream(parts.broadcaster, conv.id, lambda last: parts.ledger.events_after(conv.id, last),
                        after, _sse)


def event_stream(broadcaster, topic: str, stored_after, after: int, encode) -> EventSourceResponse:
    """SSE of a topic's events after event `after`: what the event log holds (`stored_after(id)`,
    read until it returns nothing), then the live ones; subscribed before the replay, so nothing
    falls in between, and an event replayed is not sent again live."""
    async def events():
        queue = broadcaster.subscribe(topic)
        try:
            last = after
            while stored := await asyncio.to_thread(stored_after, last):
                for event in stored:
                    yield encode(event)
                    last = event.id
            while True:
                event = await queue.get()
                if event.id > last:
                    yield encode(event)
                    last = event.id
        finally:
            broadcaster.unsubscribe(topic, queue)

    return EventSourceResponse(events(), ping=HEARTBEAT_SECONDS)


def _sse(stored) -> dict:
    return Event(type=stored.type, body=stored.body, id=stored.id, ts=stored.created_at).sse()


@router.post("/suggestions/{suggestion_id}/approve", responses=responses(409))
def approve(suggestion_id: str, body: Approval, parts: Parts, caller: Caller,
            idempotency_key: Annotated[str, Header(min_length=8, max_length=200)]) -> dict:
    """Approve a pending draft (optionally edited); delivered exactly once via the outbox."""
    _require_agent_of(parts, caller, suggestion_id)
    item = parts.assist.approve(suggestion_id, agent=caller, final_text=body.text,
                                idempotency_key=idempotency_key)
    return {"suggestion_id": suggestion_id, "status": "approved", "outbox_id": item.id,
            "text": item.text, "delivery": item.status}


@router.post("/suggestions/{suggestion_id}/reject", responses=responses(409))
def reject(suggestion_id: str, body: Rejection, parts: Parts, caller: Caller,
           idempotency_key: Annotated[str, Header(min_length=8, max_length=200)]) -> dict:
    _require_agent_of(parts, caller, suggestion_id)
    parts.assist.reject(suggestion_id, agent=caller, reason=body.reason,
                        idempotency_key=idempotency_key)
    return {"suggestion_id": suggestion_id, "status": "rejected"}


def _require_agent_of(parts, caller, suggestion_id: str) -> None:
    suggestion = parts.ledger.get_suggestion(suggestion_id)
    conv = parts.ledger.get_conversation(suggestion.conversation_id)
    require_owner(caller, roles={"agent"}, merchant=conv.merchant, what=f"suggestion {suggestion_id!r}")


def conversation_of(parts, caller, conversation_id: str):
    """The conversation a caller names, if it may read it; another merchant's is `NotFound`."""
    stored = stored_id(conversation_id, caller.merchant)
    try:
        conv = parts.ledger.get_conversation(stored)
    except NotFound:
        raise NotFound(f"no conversation {conversation_id!r}") from None
    require_owner(caller, roles={"agent", "merchant", "trainer"}, merchant=conv.merchant,
                  what=f"conversation {conversation_id!r}")
    return conv
