"""The ledger's workspace half: what an agent works from beside the conversation itself.

- `queue(merchant)`: every conversation of a merchant with what its queue row shows (the last
  message, when the shopper's oldest unanswered message came, how many are unanswered).
- `events_of_merchant(merchant, after)`: the event log of all its conversations, for the one
  live stream an agent's screen opens.
- `agent_reply`: a reply the agent wrote, delivered like an approved draft (same outbox).
- internal notes, and the merchant's waiting-time limits (amber, red).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

DEFAULT_AMBER_S = 60
DEFAULT_RED_S = 180


@dataclass(frozen=True)
class QueueRow:
    id: str
    merchant: str
    shopper: str
    status: str
    assigned_agent: str | None
    assigned_group: str | None
    created_at: float
    last_message: str | None
    last_role: str | None
    last_at: float | None            # the last message, shopper's or agent's
    unanswered: int                  # shopper messages since the agent last replied
    waiting_since: float | None      # the oldest of them; None when nothing waits


@dataclass(frozen=True)
class Note:
    id: int
    conversation_id: str
    author: str
    text: str
    created_at: float


@dataclass(frozen=True)
class WaitLimits:
    """Seconds a shopper may wait for a reply before the queue row turns amber, then red."""

    amber_s: int = DEFAULT_AMBER_S
    red_s: int = DEFAULT_RED_S


class WorkspaceStore(Protocol):
    def queue(self, merchant: str, *, include_closed: bool = False) -> list[QueueRow]: ...

    def last_event_id(self, merchant: str) -> int: ...

    def events_of_merchant(self, merchant: str, after_id: int, *, limit: int = ...) -> list: ...

    def agent_reply(self, conversation_id: str, *, agent: str, text: str, idempotency_key: str): ...

    def add_note(self, conversation_id: str, *, author: str, text: str) -> Note: ...

    def notes(self, conversation_id: str) -> list[Note]: ...

    def shopper_conversations(self, merchant: str, shopper: str) -> list[QueueRow]: ...

    def wait_limits(self, merchant: str) -> WaitLimits: ...

    def set_wait_limits(self, merchant: str, limits: WaitLimits, *, actor: str) -> WaitLimits: ...
