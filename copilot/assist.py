"""The assist service: a shopper message is stored, then assisted in the background;
every pipeline event goes to the conversation's event log, then to live subscribers.
Approval hands the final text to the outbox, which delivers it exactly once.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from copilot.auth import Principal
from copilot.fanout import Broadcaster
from copilot.ledger import Conversation, Ledger, Message, Suggestion
from copilot.pipeline import AssistRequest, Pipeline
from copilot.routing import Router
from copilot.turns import Turn

log = logging.getLogger(__name__)
MAX_CONCURRENT_ASSISTS = 64
SUPERSEDED = "顾客又发来了消息，新的草稿会把之前未回复的问题一并回答"


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

    def receive(self, conversation_id: str, *, merchant: str, channel: str, shopper: str,
                text: str, sku: str | None) -> Received:
        """Store the shopper message (before anything else), route a new conversation to a
        group and agent, then assist in the background with the merchant's thresholds."""
        conv = self.ledger.ensure_conversation(conversation_id, merchant=merchant,
                                               channel=channel, shopper=shopper)
        history = tuple(Turn(role=m.role, text=m.text) for m in self.ledger.messages(conv.id))
        pending = [s.id for s in self.ledger.suggestions(conv.id) if s.status == "pending"]
        message = self.ledger.add_message(conv.id, role="customer", text=text, sku_in_view=sku)
        suggestion = self.ledger.create_suggestion(conv.id, message_id=message.id)
        self.emit(conv.id, "message", {"message_id": message.id, "role": "customer", "text": text,
                                       "sku": sku, "suggestion_id": suggestion.id})
        for old in pending:   # the new draft answers the earlier messages too (`question.read`)
            self.emit(conv.id, "suggestion.status", {"suggestion_id": old, "status": "stale",
                                                     "replaced_by": suggestion.id, "reason": SUPERSEDED})
        self.router.place(conv, text=text, sku=sku)
        request = AssistRequest(merchant=merchant, message=text, sku=sku, history=history,
                                conversation_id=conv.id, thresholds=self.router.thresholds(merchant))
        self._start(request, suggestion)
        return Received(conversation=conv, message=message, suggestion=suggestion)

    def resume(self) -> int:
        """Draft again for stored messages whose assist a stopped process never finished."""
        unfinished = self.ledger.undrafted_suggestions()
        for suggestion in unfinished:
            conv = self.ledger.get_conversation(suggestion.conversation_id)
            messages = self.ledger.messages(conv.id)
            upto = next(i for i, m in enumerate(messages) if m.id == suggestion.message_id)
            message = messages[upto]
            self._start(AssistRequest(
                merchant=conv.merchant, message=message.text, sku=message.sku_in_view,
                history=tuple(Turn(role=m.role, text=m.text) for m in messages[:upto]),
                conversation_id=conv.id, thresholds=self.router.thresholds(conv.merchant)), suggestion)
        return len(unfinished)

    def _start(self, request: AssistRequest, suggestion: Suggestion) -> None:
        task = asyncio.get_running_loop().create_task(self._assist(request, suggestion))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _assist(self, request: AssistRequest, suggestion: Suggestion) -> None:
        conv_id = suggestion.conversation_id
        async with self._slots:
            try:
                async for event in self.pipeline.run(request):
                    self.emit(conv_id, event.type, event.body | {"suggestion_id": suggestion.id})
                    if event.type == "escalation" and event.body["escalate"]:
                        self.router.escalate(conv_id, text=request.message, sku=request.sku,
                                             reasons=event.body["reasons"])
                    if event.type == "draft.done":
                        self._finish(suggestion, event.body)
            except Exception as err:  # noqa: BLE001 - a started stream ends in an error event
                log.exception("assist failed for conversation %s", conv_id)
                self.emit(conv_id, "error", {"code": "assist_failed", "suggestion_id": suggestion.id,
                                             "message": f"the copilot could not draft a reply: {err}"})

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
