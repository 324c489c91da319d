"""The conversation's event log: a draft resumed after a restart repeats nothing the stopped
process logged, and every delivered reply is announced once by a `delivery` event.

Real components on a real SQLite file; a process "stops" by a ledger that dies at a chosen
write (a `BaseException`, which nothing in the service catches, as a kill would)."""
from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from copilot.assist import AssistService
from copilot.auth import Principal
from copilot.channels import LocalChannel, WebhookChannel
from copilot.delivery import OutboxSender
from copilot.fanout import Broadcaster
from copilot.ledger.sqlite import SqliteLedger
from copilot.routing import Router
from copilot.teaching import Teacher
from tests.conftest import DEMO
from tests.test_delivery import SECRET, Clock, receiver  # noqa: F401 - the webhook receiver fixture

MERCHANT = "qinghe"
THREAT = "这件羽绒服钻毛钻得满身都是，必须退一赔三，不然我找媒体曝光"   # escalates (and is routed to seniors)
STYLING = "这件衬衫配什么裤子和鞋子好看？"                          # outfits
QUESTION = "退货运费谁出"                                            # a plain question, several deltas
AGENT = Principal(role="agent", merchant=MERCHANT, label="ann")


class Killed(BaseException):
    """The process is killed here."""


class DiesAt(SqliteLedger):
    """A ledger whose process is killed when it is about to append the `nth` event of `type`
    (that event is not written), or to record a finished draft (`type="finish"`)."""

    def __init__(self, *, path, type: str, nth: int = 1):
        super().__init__(path=path)
        self.type, self.left = type, nth

    def append_event(self, conversation_id, type, body):
        if type == self.type:
            self.left -= 1
            if self.left == 0:
                raise Killed(type)
        return super().append_event(conversation_id, type, body)

    def finish_suggestion(self, id, **fields):
        if self.type == "finish":
            raise Killed("finish")
        return super().finish_suggestion(id, **fields)


@pytest.fixture
def shop(parts):
    """The demo merchant's knowledge, a default group and a senior group."""
    from copilot.cli import ingest_paths

    parts.kb.create_merchant(MERCHANT)
    ingest_paths(parts.kb, MERCHANT, [DEMO])
    parts.ledger.put_group(MERCHANT, id="general", name="综合组", skills=[], senior=False, default=True)
    parts.ledger.put_group(MERCHANT, id="seniors", name="资深组", skills=["zh"], senior=True, default=False)
    return parts


def ledger_path(parts):
    return parts.settings.data_dir / "ledger.sqlite3"


async def stopped_mid_assist(parts, conversation: str, text: str, **dies) -> str:
    """Receive `text` in a process on the same ledger file that is killed mid-assist; returns
    the suggestion id whose draft it never finished."""
    dying = DiesAt(path=ledger_path(parts), **dies)
    broadcaster = Broadcaster()
    process = AssistService(ledger=dying, pipeline=parts.pipeline, broadcaster=broadcaster,
                            router=Router(ledger=dying, kb=parts.kb, broadcaster=broadcaster))
    try:
        got = await process.receive(conversation, merchant=MERCHANT, channel="local", shopper="买家", text=text, sku=None)
        await process.drain()
    finally:
        dying.close()
    assert parts.ledger.get_suggestion(got.suggestion.id).finished_at is None
    return got.suggestion.id


def of(ledger, conversation: str, suggestion_id: str):
    return [e for e in ledger.events_after(conversation, None) if e.body.get("suggestion_id") == suggestion_id]


def counts(ledger, conversation: str, suggestion_id: str) -> Counter:
    return Counter(e.type for e in of(ledger, conversation, suggestion_id))


def escalating_moves(ledger, conversation: str) -> int:
    return sum(1 for e in ledger.events_after(conversation, None) if e.type == "routing" and e.body["escalated"])


def screen_text(events) -> str:
    """The draft as the agent screen shows it (`conversation.js`): deltas appended, a
    `restart` delta discards what came before."""
    text = ""
    for e in events:
        if e.type == "draft.delta":
            text = ("" if e.body.get("restart") else text) + e.body["text"]
    return text


async def resumed(parts) -> None:
    assert parts.assist.resume() == 1
    await parts.assist.drain()


# 1. a resumed draft repeats nothing already in the log --------------------------------------

@pytest.mark.parametrize("conversation, text, dies, logged", [
    ("c-threat", THREAT, {"type": "draft.delta", "nth": 2}, {"escalation", "sources", "draft.delta"}),
    ("c-style", STYLING, {"type": "draft.delta"}, {"escalation", "sources", "outfits"}),
    ("c-return", QUESTION, {"type": "draft.delta", "nth": 3}, {"escalation", "sources", "draft.delta"}),
])
async def test_a_resumed_draft_repeats_no_event_the_stopped_process_logged(shop, conversation, text, dies, logged):
    sid = await stopped_mid_assist(shop, conversation, text, **dies)
    before = counts(shop.ledger, conversation, sid)
    assert logged <= set(before) and "draft.done" not in before
    moves = escalating_moves(shop.ledger, conversation)

    await resumed(shop)

    after = counts(shop.ledger, conversation, sid)
    for kind in ("escalation", "sources", "outfits"):
        assert after[kind] == before[kind], (kind, before, after)
    assert after["draft.done"] == 1 and after["error"] == 0
    assert escalating_moves(shop.ledger, conversation) == moves
    events = of(shop.ledger, conversation, sid)
    done = events[-1]
    assert done.type == "draft.done"
    assert screen_text(events) == done.body["text"] == shop.ledger.get_suggestion(sid).draft_text
    # the logged partial draft is the start of this one: it is continued, not sent again
    deltas = [e.body for e in events if e.type == "draft.delta"]
    assert "".join(d["text"] for d in deltas) == done.body["text"] and not any(d.get("restart") for d in deltas)


async def test_the_first_logged_escalation_stands_when_the_resumed_assessment_differs(shop):
    sid = await stopped_mid_assist(shop, "c-taught", THREAT, type="draft.delta")
    [first] = [e.body for e in of(shop.ledger, "c-taught", sid) if e.type == "escalation"]
    assert first["escalate"] and escalating_moves(shop.ledger, "c-taught") == 1
    # meanwhile a trainer teaches that this message is calm: assessed again, it would not escalate
    marked = Teacher(ledger=shop.ledger, pipeline=shop.pipeline, router=shop.router).teach(
        MERCHANT, message=THREAT, verdict="calm", source="trainer", actor="tom")
    assert not marked.assessment.escalate

    await resumed(shop)

    events = of(shop.ledger, "c-taught", sid)
    assert [e.body for e in events if e.type == "escalation"] == [first]
    assert escalating_moves(shop.ledger, "c-taught") == 1
    done = events[-1].body
    assert done["escalation"]["escalate"] is True                   # the draft was made on it
    assert shop.ledger.get_suggestion(sid).flags["escalation"]["escalate"] is True


async def test_a_draft_stopped_at_its_record_is_announced_once_after_restart(shop):
    """A draft is recorded before its draft.done is logged (an agent may approve it at once): a
    process that stops at the record has logged no draft.done, and the restart logs one."""
    sid = await stopped_mid_assist(shop, "c-done", QUESTION, type="finish")
    logged = of(shop.ledger, "c-done", sid)
    assert "draft.done" not in [e.type for e in logged] and "draft.delta" in [e.type for e in logged]

    await resumed(shop)

    after = of(shop.ledger, "c-done", sid)
    assert after[:len(logged)] == logged
    assert [e.type for e in after].count("draft.done") == 1
    assert [e.type for e in after[len(logged):]] == ["draft.done"]    # the deltas were not repeated
    assert shop.ledger.get_suggestion(sid).draft_text == after[-1].body["text"]
    assert shop.ledger.undrafted_suggestions() == []


async def test_a_partial_draft_the_resumed_one_departs_from_is_restarted_on_screen(shop):
    """An LLM had streamed part of a draft when the process stopped; the resumed draft (the
    composer here) says something else, so its first delta tells the screen to start over."""
    ledger = shop.ledger
    conv = ledger.ensure_conversation("c-llm", merchant=MERCHANT, channel="local", shopper="买家")
    message = ledger.add_message(conv.id, role="customer", text=QUESTION)
    sid = ledger.create_suggestion(conv.id, message_id=message.id).id
    ledger.append_event(conv.id, "message", {"message_id": message.id, "role": "customer", "text": QUESTION,
                                             "sku": None, "suggestion_id": sid})
    ledger.append_event(conv.id, "draft.delta", {"text": "亲，稍等我查一下", "suggestion_id": sid})

    await resumed(shop)

    events = of(ledger, "c-llm", sid)
    new = [e for e in events if e.type == "draft.delta"][1:]
    assert new and new[0].body.get("restart") is True
    assert screen_text(events) == events[-1].body["text"] == ledger.get_suggestion(sid).draft_text
    assert counts(ledger, "c-llm", sid)["draft.done"] == 1


# 2. the delivery event -----------------------------------------------------------------------

async def approved_reply(parts, conversation: str, *, channel: str, text: str = "亲，退货运费由买家承担哦~"):
    got = await parts.assist.receive(conversation, merchant=MERCHANT, channel=channel, shopper="买家",
                               text=QUESTION, sku=None)
    await parts.assist.drain()
    item = parts.assist.approve(got.suggestion.id, agent=AGENT, final_text=text,
                                idempotency_key=f"k-{got.suggestion.id}")
    return got.suggestion.id, item


def deliveries(ledger, conversation: str):
    return [e for e in ledger.events_after(conversation, None) if e.type == "delivery"]


def drained(queue: asyncio.Queue) -> list:
    found = []
    while not queue.empty():
        found.append(queue.get_nowait())
    return found


async def test_a_locally_delivered_reply_is_logged_and_published_once(shop):
    sid, item = await approved_reply(shop, "c-local", channel="local")
    live = shop.broadcaster.subscribe("c-local")
    assert deliveries(shop.ledger, "c-local") == []

    assert await shop.sender.run_once() == 1
    assert await shop.sender.run_once() == 0

    [event] = deliveries(shop.ledger, "c-local")
    row = shop.ledger.get_outbox(item.id)
    assert event.body == {"suggestion_id": sid, "outbox_id": item.id, "channel": "local",
                          "delivered_at": row.delivered_at, "attempts": 1}
    assert [d.delivered_at for d in shop.ledger.local_deliveries("c-local")] == [row.delivered_at]
    assert [(e.id, e.type) for e in drained(live)] == [(event.id, "delivery")]   # log first, then live


def webhook_sender(parts, receiver, clock, ledger=None):
    ledger = ledger or parts.ledger
    return OutboxSender(ledger=ledger, clock=clock, backoff_base=0.5, emit=parts.assist.emit,
                        channels={"webhook": WebhookChannel(url=receiver.url, secret=SECRET, timeout=5),
                                  "local": LocalChannel(ledger)})


async def test_a_webhook_reply_retried_after_a_failure_is_announced_once_when_delivered(shop, receiver):
    sid, item = await approved_reply(shop, "c-hook", channel="webhook")
    live = shop.broadcaster.subscribe("c-hook")
    clock = Clock()
    send = webhook_sender(shop, receiver, clock)
    receiver.plan = ["fail", "drop"]

    assert await send.run_once() == 0                                 # 500: retried later
    clock.advance(60)
    assert await send.run_once() == 0                                 # the ack is lost
    assert deliveries(shop.ledger, "c-hook") == [] and drained(live) == []
    clock.advance(60)
    assert await send.run_once() == 1
    clock.advance(60)
    assert await send.run_once() == 0

    [event] = deliveries(shop.ledger, "c-hook")
    assert event.body["suggestion_id"] == sid and event.body["outbox_id"] == item.id
    assert event.body["channel"] == "webhook" and event.body["attempts"] == 3
    assert event.body["delivered_at"] == shop.ledger.get_outbox(item.id).delivered_at
    assert [e.id for e in drained(live)] == [event.id]
    assert receiver.accepted == [item.text]


async def test_two_senders_on_one_ledger_announce_a_reply_once(shop, receiver):
    _, item = await approved_reply(shop, "c-two", channel="webhook")
    other = SqliteLedger(path=ledger_path(shop))                       # another process's sender
    try:
        results = await asyncio.gather(webhook_sender(shop, receiver, time.time).run_once(),
                                       webhook_sender(shop, receiver, time.time, ledger=other).run_once())
    finally:
        other.close()
    assert sum(results) >= 1 and shop.ledger.get_outbox(item.id).status == "delivered"
    assert len(deliveries(shop.ledger, "c-two")) == 1
