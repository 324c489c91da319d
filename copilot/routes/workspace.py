"""The agent's workspace: the merchant's queue and its one live stream, replies of the agent's
own, quick replies, notes, hand-offs with a brief, resolve and reopen, the context panel, and
the merchant's waiting-time limits."""
from __future__ import annotations

import time
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field, model_validator
from sse_starlette.sse import EventSourceResponse

from copilot.auth import require
from copilot.deps import Caller, KnownMerchant, Parts, StreamCaller
from copilot.errors import BadRequest
from copilot.events import Event
from copilot.fanout import merchant_topic
from copilot.http_errors import API_ERRORS, responses
from copilot.ledger.workspace import WaitLimits
from copilot.names import AgentId, Name
from copilot.routes.conversations import MAX_MESSAGE_CHARS, conversation_of, event_stream
from copilot.workspace import Workspace
from knowledge.lexical import terms

router = APIRouter(prefix="/v1", tags=["workspace"], responses=API_ERRORS)

QUICK_REPLIES_SHOWN = 20
AGENTS = {"agent"}
STAFF = {"agent", "merchant"}


def workspace(parts: Parts) -> Workspace:
    return Workspace(ledger=parts.ledger, kb=parts.kb, router=parts.router, emit=parts.assist.emit,
                     wake=parts.sender.wake)


Desk = Annotated[Workspace, Depends(workspace)]


class Reply(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class Transfer(BaseModel):
    group: Name = Field(description="the group that takes the conversation over")
    agent: AgentId | None = Field(None, description="one of the group's agents; omit for its least-loaded online one")
    note: str | None = Field(None, max_length=2000, description="for the colleague, never sent to the shopper")


class Limits(BaseModel):
    amber_s: int = Field(gt=0, le=86_400, description="seconds a shopper may wait before the row turns amber")
    red_s: int = Field(gt=0, le=86_400, description="... and red")

    @model_validator(mode="after")
    def _ordered(self) -> Limits:
        if self.red_s <= self.amber_s:
            raise ValueError("red_s must be longer than amber_s")
        return self


def _acting_on(parts, caller, conversation_id: str, roles: set[str]):
    """The conversation a caller names, if it may act on it with one of `roles`."""
    conv = conversation_of(parts, caller, conversation_id)
    require(caller, roles=roles, merchant=conv.merchant)
    return conv


def _merchant(caller, merchant: str | None) -> str:
    merchant = merchant or caller.merchant
    if merchant is None:
        raise BadRequest("name the merchant: ?merchant=…")
    return merchant


@router.get("/queue")
def queue(parts: Parts, caller: Caller, merchant: str | None = None, include_closed: bool = False) -> dict:
    """Every conversation of the merchant as the queue shows it (escalated first, then the latest
    activity), with the id of the last event so that the stream can start right after it."""
    merchant = _merchant(caller, merchant)
    require(caller, roles={"agent", "merchant", "trainer"}, merchant=merchant)
    last = parts.ledger.last_event_id(merchant)
    return {"merchant": merchant, "now": time.time(), "last_event_id": last,
            "wait_limits": asdict(parts.ledger.wait_limits(merchant)),
            "conversations": [asdict(r) for r in parts.ledger.queue(merchant, include_closed=include_closed)]}


@router.get("/stream", response_class=Response, responses={200: {
    "description": "Server-sent events of every conversation of the merchant; each `data` holds "
                   "`conversation_id`",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
async def stream(request: Request, parts: Parts, caller: StreamCaller, merchant: str | None = None,
                 after: Annotated[int, Query(ge=0, description="start after this event id (the queue's "
                                             "`last_event_id`); Last-Event-ID wins on a reconnect")] = 0,
                 last_event_id: Annotated[str | None, Header()] = None) -> EventSourceResponse:
    """The agent's one live stream: every event of every conversation of the merchant."""
    merchant = _merchant(caller, merchant)
    require(caller, roles={"agent", "merchant", "trainer"}, merchant=merchant)
    start = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
    return event_stream(parts.broadcaster, merchant_topic(merchant),
                        lambda last: parts.ledger.events_of_merchant(merchant, last), start, _sse)


def _sse(stored) -> dict:
    return Event(type=stored.type, body=stored.body | {"conversation_id": stored.conversation_id},
                 id=stored.id, ts=stored.created_at).sse()


@router.get("/conversations/{conversation_id}/events")
def conversation_events(conversation_id: str, parts: Parts, caller: Caller) -> list[dict]:
    """The conversation's event log, for a screen that opens it (later events come on the stream)."""
    conv = conversation_of(parts, caller, conversation_id)
    return [{"id": e.id, "type": e.type, "body": e.body, "ts": e.created_at}
            for e in parts.ledger.events_after(conv.id, None)]


@router.post("/conversations/{conversation_id}/replies", status_code=201, responses=responses(409))
def reply(conversation_id: str, body: Reply, parts: Parts, caller: Caller, desk: Desk,
          idempotency_key: Annotated[str, Header(min_length=8, max_length=200)]) -> dict:
    """A reply the agent wrote; delivered exactly once through the outbox (`source: agent`)."""
    conv = _acting_on(parts, caller, conversation_id, AGENTS)
    item = desk.reply(conv.id, agent=caller, text=body.text, idempotency_key=idempotency_key)
    return {"conversation_id": conv.id, "suggestion_id": item.suggestion_id, "outbox_id": item.id,
            "text": item.text, "source": "agent", "delivery": item.status}


@router.post("/conversations/{conversation_id}/notes", status_code=201)
def note(conversation_id: str, body: NoteIn, parts: Parts, caller: Caller, desk: Desk) -> dict:
    """An internal note for colleagues; never sent to the shopper."""
    conv = _acting_on(parts, caller, conversation_id, STAFF)
    return desk.note(conv.id, author=caller, text=body.text)


@router.post("/conversations/{conversation_id}/transfer")
def transfer(conversation_id: str, body: Transfer, parts: Parts, caller: Caller, desk: Desk) -> dict:
    """Hand the conversation to another group or agent, with a brief for whoever takes it."""
    conv = _acting_on(parts, caller, conversation_id, STAFF)
    return desk.transfer(conv.id, by=caller, group=body.group, agent=body.agent, note=body.note)


@router.get("/conversations/{conversation_id}/brief")
def handoff_brief(conversation_id: str, parts: Parts, caller: Caller, desk: Desk) -> dict:
    """What whoever takes the conversation over needs: why, mood, asked, answered, open, products."""
    return desk.brief(conversation_of(parts, caller, conversation_id).id)


@router.post("/conversations/{conversation_id}/resolve", responses=responses(409))
def resolve(conversation_id: str, parts: Parts, caller: Caller, desk: Desk) -> dict:
    conv = _acting_on(parts, caller, conversation_id, STAFF)
    return desk.set_status(conv.id, by=caller, resolved=True)


@router.post("/conversations/{conversation_id}/reopen", responses=responses(409))
def reopen(conversation_id: str, parts: Parts, caller: Caller, desk: Desk) -> dict:
    conv = _acting_on(parts, caller, conversation_id, STAFF)
    return desk.set_status(conv.id, by=caller, resolved=False)


@router.get("/conversations/{conversation_id}/context")
def context(conversation_id: str, parts: Parts, caller: Caller, desk: Desk) -> dict:
    """The shopper's earlier conversations with this merchant, the products viewed in this one
    (price, stock) and the internal notes."""
    return desk.context(conversation_of(parts, caller, conversation_id).id)


@router.get("/merchants/{merchant}/quick-replies", dependencies=[KnownMerchant])
def quick_replies(merchant: str, parts: Parts, caller: Caller, q: str = "") -> list[dict]:
    """The merchant's FAQ answers as quick replies (快捷短语), the ones sharing most words with
    `q` first."""
    require(caller, roles={"agent", "merchant", "trainer"}, merchant=merchant)
    faqs = parts.kb.records(merchant, "faq")
    wanted = set(terms(q))
    if wanted:
        shared = {f.id: len(wanted & set(terms(f"{f.question} {f.answer}"))) for f in faqs}
        faqs = sorted((f for f in faqs if shared[f.id]), key=lambda f: -shared[f.id])
    return [{"id": f.id, "question": f.question, "answer": f.answer} for f in faqs[:QUICK_REPLIES_SHOWN]]


@router.get("/merchants/{merchant}/wait-limits", dependencies=[KnownMerchant])
def get_wait_limits(merchant: str, parts: Parts, caller: Caller) -> dict:
    require(caller, roles={"agent", "merchant", "trainer"}, merchant=merchant)
    return asdict(parts.ledger.wait_limits(merchant))


@router.put("/merchants/{merchant}/wait-limits", dependencies=[KnownMerchant])
def put_wait_limits(merchant: str, body: Limits, parts: Parts, caller: Caller) -> dict:
    """When a waiting shopper turns the queue row amber and red (seconds)."""
    require(caller, roles={"merchant"}, merchant=merchant)
    return asdict(parts.ledger.set_wait_limits(merchant, WaitLimits(body.amber_s, body.red_s), actor=caller.label))
