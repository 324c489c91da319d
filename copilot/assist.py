"""The assist service: a shopper message is stored, then assisted in the background;
every pipeline event goes to the conversation's event log, then to live subscribers.
Approval hands the final text to the outbox, which delivers it exactly once.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from copilot.auth import Principal
from copilot.delivery import backoff_delay
from copilot.errors import StoreUnavailable
from copilot.escalation import Assessment
from copilot.events import Event
from copilot.fanout import Broadcaster
from copilot.ledger import Conversation, Ledger, Message, Suggestion
from copilot.ledger import Event as Logged
from copilot.pipeline import AssistRequest, Pipeline
from copilot.routing import Router
from copilot.turns import Turn

log = logging.getLogger(__name__)
MAX_CONCURRENT_ASSISTS = 64
STORE_ATTEMPTS = 12          # a draft waits out a failing store about five minutes, then says so
STORE_BACKOFF_S = 0.5
STORE_BACKOFF_CAP_S = 30.0
SUPERSEDED = "顾客又发来了消息，新的草稿会把之前未回复的问题一并回答"
RESENT_WHEN_CHANGED = ("sources", "outfits")


class Resumption:
    """What a stopped process already logged of one suggestion's assist, so that the draft
    made again at start-up repeats none of it:

    - the first logged `escalation` stands: it is not sent again, the draft is made on it
      (`AssistRequest.assessment`), and the conversation is escalated on it (the router
      moves a conversation once, so a move the stopped process made is not made again);
    - `sources` and `outfits` are sent again only when they changed since (the screen shows
      the latest, and the draft stands on the new ones);
    - the draft's deltas are held back while the new draft retraces the partial one the
      screen shows; the first delta that departs from it carries the whole new text so far
      with `restart` (the screen discards what it shows, as for the composer fallback);
    - `draft.done` is never in the log of an unfinished draft: a draft is recorded before its
      `draft.done` is logged (an agent who sees it may approve it at once).

    `Resumption(())` lets every event through: a fresh assist.
    """

    def __init__(self, logged: Sequence[Logged]) -> None:
        self.escalation = next((e.body for e in logged if e.type == "escalation"), None)
        self._latest = {e.type: _bare(e.body) for e in logged if e.type in RESENT_WHEN_CHANGED}
        deltas = [e.body for e in logged if e.type == "draft.delta"]
        self._shown = _applied("", deltas)       # the partial draft on the agent's screen
        self._held = bool(deltas)                # the screen still shows it, not the new draft
        self._drafted = ""                       # the new draft so far

    @property
    def assessment(self) -> Assessment | None:
        """The logged escalation assessment, which stands."""
        if self.escalation is None:
            return None
        b = self.escalation
        return Assessment(level=b["level"], score=b["score"], escalate=b["escalate"],
                          reasons=list(b["reasons"]))

    def admit(self, event: Event) -> list[Event]:
        """The events to log and publish for one event of the resumed pipeline."""
        if event.type == "escalation" and self.escalation is not None:
            return []
        if event.type in self._latest and _bare(event.body) == self._latest[event.type]:
            return []
        if event.type == "draft.delta":
            return self._delta(event)
        if event.type == "draft.done" and self._held and self._drafted != self._shown:
            self._held = False               # the new draft is a shorter start of the one shown
            return [Event("draft.delta", {"text": self._drafted, "restart": True}), event]
        return [event]

    def _delta(self, event: Event) -> list[Event]:
        self._drafted = _applied(self._drafted, [event.body])
        if not self._held:
            return [event]
        if self._shown.startswith(self._drafted):
            self._held = self._drafted != self._shown     # caught up: later deltas append to it
            return []
        self._held = False
        return [Event("draft.delta", {"text": self._drafted, "restart": True})]


def _applied(text: str, deltas: Sequence[dict]) -> str:
    """The draft the agent's screen shows after `deltas` (`web/conversation.js`)."""
    for d in deltas:
        text = ("" if d.get("restart") else text) + d["text"]
    return text


def _bare(body: dict) -> dict:
    """An event's body as the event log gives it back, without the suggestion id."""
    return {k: v for k, v in json.loads(json.dumps(body, default=str)).items() if k != "suggestion_id"}


@dataclass(frozen=True)
class Received:
    conversation: Conversation
    message: Message
    suggestion: Suggestion


class AssistService:
    def __init__(self, *, ledger: Ledger, pipeline: Pipeline, broadcaster: Broadcaster, router: Router,
                 on_approved=None, max_concurrent: int = MAX_CONCURRENT_ASSISTS) -> None:
        self.ledger = ledger
        self.router = router
        self.pipeline = pipeline
        self.broadcaster = broadcaster
        self._on_approved = on_approved or (lambda: None)
        self._slots = asyncio.Semaphore(max_concurrent)
        self._tasks: set[asyncio.Task] = set()

    def emit(self, conversation_id: str, type: str, body: dict):
        event = self.ledger.append_event(conversation_id, type, body)
        self.broadcaster.publish(event)
        return event

    async def receive(self, conversation_id: str, *, merchant: str, channel: str, shopper: str,
                      text: str, sku: str | None) -> Received:
        """Store the shopper message (before anything else, in a worker thread: the ledger never
        blocks the event loop), route a new conversation to a group and agent, then assist in
        the background with the merchant's thresholds."""
        got, request = await asyncio.to_thread(self._store, conversation_id, merchant=merchant,
                                               channel=channel, shopper=shopper, text=text, sku=sku)
        self._start(request, got.suggestion)
        return got

    def _store(self, conversation_id: str, *, merchant: str, channel: str, shopper: str,
               text: str, sku: str | None) -> tuple[Received, AssistRequest]:
        conv = self.ledger.ensure_conversation(conversation_id, merchant=merchant,
                                               channel=channel, shopper=shopper)
        history = tuple(Turn(role=m.role, text=m.text) for m in self.ledger.messages(conv.id))
        pending = [s.id for s in self.ledger.suggestions(conv.id) if s.status == "pending"]
        message = self.ledger.add_message(conv.id, role="customer", text=text, sku_in_view=sku)
        suggestion = self.ledger.create_suggestion(conv.id, message_id=message.id)
        self.emit(conv.id, "message", {"message_id": message.id, "role": "customer", "text": text,
                                       "sku": sku, "shopper": shopper, "suggestion_id": suggestion.id})
        for old in pending:   # the new draft answers the earlier messages too (`question.read`)
            self.emit(conv.id, "suggestion.status", {"suggestion_id": old, "status": "stale",
                                                     "replaced_by": suggestion.id, "reason": SUPERSEDED})
        self.router.place(conv, text=text, sku=sku)
        request = AssistRequest(merchant=merchant, message=text, sku=sku, history=history,
                                conversation_id=conv.id, thresholds=self.router.thresholds(merchant))
        return Received(conversation=conv, message=message, suggestion=suggestion), request

    def resume(self) -> int:
        """Draft again for stored messages whose assist a stopped process never finished,
        repeating none of the events it logged (`Resumption`)."""
        unfinished = self.ledger.undrafted_suggestions()
        for suggestion in unfinished:
            conv = self.ledger.get_conversation(suggestion.conversation_id)
            logged = self._logged(suggestion)
            messages = self.ledger.messages(conv.id)
            upto = next(i for i, m in enumerate(messages) if m.id == suggestion.message_id)
            message = messages[upto]
            self._start(AssistRequest(
                merchant=conv.merchant, message=message.text, sku=message.sku_in_view,
                history=tuple(Turn(role=m.role, text=m.text) for m in messages[:upto]),
                conversation_id=conv.id, thresholds=self.router.thresholds(conv.merchant),
                assessment=logged.assessment), suggestion, logged)
        return len(unfinished)

    def _logged(self, suggestion: Suggestion) -> Resumption:
        """What the event log holds of the suggestion's assist so far."""
        return Resumption([e for e in self.ledger.events_after(suggestion.conversation_id, None)
                           if e.body.get("suggestion_id") == suggestion.id])

    def _start(self, request: AssistRequest, suggestion: Suggestion,
               logged: Resumption | None = None) -> None:
        task = asyncio.get_running_loop().create_task(
            self._assist(request, suggestion, logged or Resumption(())))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _assist(self, request: AssistRequest, suggestion: Suggestion, logged: Resumption) -> None:
        """Run the pipeline for a suggestion. A store that fails (a held ledger, a full disk) is
        waited out with backoff: the draft starts again from what reached the event log, so
        nothing is repeated (`Resumption`). Any other failure ends in an `error` event."""
        conv_id = suggestion.conversation_id
        async with self._slots:
            for attempt in range(STORE_ATTEMPTS):
                try:
                    await self._run(request, suggestion, logged)
                    return
                except StoreUnavailable as err:
                    if attempt == STORE_ATTEMPTS - 1:
                        await self._failed(conv_id, suggestion, err)
                        return
                    delay = backoff_delay(attempt + 1, base=STORE_BACKOFF_S, cap=STORE_BACKOFF_CAP_S)
                    log.warning("assist of %s waits %.1fs for the store: %s", suggestion.id, delay, err)
                    await asyncio.sleep(delay)
                    try:
                        logged = await asyncio.to_thread(self._logged, suggestion)
                    except StoreUnavailable:
                        continue
                    request = replace(request, assessment=logged.assessment)
                except Exception as err:  # noqa: BLE001 - a started stream ends in an error event
                    log.exception("assist failed for conversation %s", conv_id)
                    await self._failed(conv_id, suggestion, err)
                    return

    async def _run(self, request: AssistRequest, suggestion: Suggestion, logged: Resumption) -> None:
        conv_id = suggestion.conversation_id
        async for event in self.pipeline.run(request):
            if event.type == "draft.done":      # recorded before it is announced: an agent who sees
                await asyncio.to_thread(self._finish, suggestion, event.body)   # it may act on it
            for new in logged.admit(event):
                await asyncio.to_thread(self.emit, conv_id, new.type, new.body | {"suggestion_id": suggestion.id})
            if event.type == "escalation" and event.body["escalate"]:
                await asyncio.to_thread(self.router.escalate, conv_id, text=request.message, sku=request.sku,
                                        reasons=event.body["reasons"])

    async def _failed(self, conv_id: str, suggestion: Suggestion, err: Exception) -> None:
        try:
            await asyncio.to_thread(self.emit, conv_id, "error", {
                "code": "assist_failed", "suggestion_id": suggestion.id,
                "message": f"the copilot could not draft a reply: {err}"})
        except StoreUnavailable:   # the draft is made again at the next start (`resume`)
            log.error("assist of %s failed and could not be logged: %s", suggestion.id, err)

    def _finish(self, suggestion: Suggestion, body: dict) -> None:
        prompt = body.get("prompt") or {}
        self.ledger.finish_suggestion(
            suggestion.id, text=body["text"], citations=body["citations"],
            flags={"ungrounded": body["ungrounded"], "grounded": body["grounded"],
                   "unkept_promises": body["unkept_promises"], "escalation": body["escalation"],
                   "safety": body["safety"]},
            prompt_id=prompt.get("id", body["drafter"]), prompt_version=str(prompt.get("version", "")),
            model=body["drafter"], timings=body["timings"], gaps=body["unanswered"])

    def approve(self, suggestion_id: str, *, agent: Principal, final_text: str | None,
                idempotency_key: str):
        item = self.ledger.approve(suggestion_id, agent=agent.label, final_text=final_text,
                                   idempotency_key=idempotency_key)
        self.emit(item.conversation_id, "suggestion.status",
                  {"suggestion_id": suggestion_id, "status": "approved", "outbox_id": item.id,
                   "text": item.text, "agent": agent.label})
        self._on_approved()
        return item

    def reject(self, suggestion_id: str, *, agent: Principal, reason: str, idempotency_key: str):
        rejection = self.ledger.reject(suggestion_id, agent=agent.label, reason=reason,
                                       idempotency_key=idempotency_key)
        conv_id = self.ledger.get_suggestion(suggestion_id).conversation_id
        self.emit(conv_id, "suggestion.status", {"suggestion_id": suggestion_id,
                                                 "status": "rejected", "reason": reason})
        return rejection

    async def drain(self) -> None:
        """Wait for the assists under way (shutdown, tests)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
