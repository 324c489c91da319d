"""What an agent does to a conversation besides approving a draft: write a reply of one's own,
leave an internal note, hand the conversation to another group or agent with a brief, resolve
it and reopen it. Each change is written to the ledger first, then announced on the
conversation's event log (so the merchant's one live stream carries it to every screen).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from copilot.auth import Principal
from copilot.errors import BadRequest, Conflict
from copilot.handoff import brief, products
from copilot.ledger import Ledger, OutboxItem
from copilot.routing import Router
from knowledge.base import KnowledgeBase

Emit = Callable[[str, str, dict], object]


@dataclass
class Workspace:
    ledger: Ledger
    kb: KnowledgeBase
    router: Router
    emit: Emit
    wake: Callable[[], None]

    def reply(self, conversation_id: str, *, agent: Principal, text: str, idempotency_key: str) -> OutboxItem:
        """The agent's own reply, delivered exactly once through the outbox like an approved draft."""
        if not text.strip():
            raise BadRequest("a reply needs some text")
        item = self.ledger.agent_reply(conversation_id, agent=agent.label, text=text.strip(),
                                       idempotency_key=idempotency_key)
        self.emit(conversation_id, "suggestion.status", {
            "suggestion_id": item.suggestion_id, "status": "approved", "source": "agent",
            "outbox_id": item.id, "text": item.text, "agent": agent.label})
        self.wake()
        return item

    def note(self, conversation_id: str, *, author: Principal, text: str) -> dict:
        """An internal note: colleagues see it, the shopper never does."""
        note = asdict(self.ledger.add_note(conversation_id, author=author.label, text=text.strip()))
        self.emit(conversation_id, "note", note)
        return note

    def transfer(self, conversation_id: str, *, by: Principal, group: str, agent: str | None,
                 note: str | None) -> dict:
        """Give the conversation to another group (its least-loaded online agent, or the agent
        named), with a hand-off brief the receiving agent sees first."""
        reasons = [f"{by.label} 转交" + (f"：{note}" if note else "")]
        move = self.router.transfer(conversation_id, group=group, agent=agent, reasons=reasons, actor=by.label)
        handed = brief(self.ledger, self.kb, conversation_id, note=note, by=by.label,
                       writer=self.router.brief_writer).to_dict()
        self.emit(conversation_id, "handoff", {"brief": handed, "move": move.to_dict(), "by": by.label})
        return {"move": move.to_dict(), "brief": handed}

    def brief(self, conversation_id: str) -> dict:
        return brief(self.ledger, self.kb, conversation_id).to_dict()

    def set_status(self, conversation_id: str, *, by: Principal, resolved: bool) -> dict:
        """Resolve (status `closed`) or reopen (`open`) a conversation."""
        conv = self.ledger.get_conversation(conversation_id)
        if resolved == (conv.status == "closed"):
            raise Conflict(f"conversation {conversation_id!r} is already {'resolved' if resolved else 'open'}")
        updated = self.ledger.update_conversation(conversation_id, status="closed" if resolved else "open")
        self.ledger.audit(by.label, "conversation.resolve" if resolved else "conversation.reopen",
                          conversation_id, {})
        body = {"status": updated.status, "by": by.label}
        self.emit(conversation_id, "conversation.status", body)
        return {"conversation_id": conversation_id, **body}

    def context(self, conversation_id: str) -> dict:
        """The context panel: the shopper's earlier conversations with this merchant, and the
        products viewed in this one with price and stock."""
        conv = self.ledger.get_conversation(conversation_id)
        earlier = [asdict(r) for r in self.ledger.shopper_conversations(conv.merchant, conv.shopper)
                   if r.id != conversation_id]
        return {"conversation_id": conversation_id, "shopper": conv.shopper, "earlier": earlier,
                "products": products(self.ledger, self.kb, conversation_id),
                "notes": [asdict(n) for n in self.ledger.notes(conversation_id)]}
