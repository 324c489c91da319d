"""The ledger: everything the copilot must never lose, behind one small protocol.

Conversations, messages, suggestions, approvals and rejections, the delivery outbox,
the append-only event log, the audit log and API keys. The embedded implementation is
`copilot.ledger.sqlite.SqliteLedger` (one SQLite file in WAL mode); the SQL is kept
portable so a PostgreSQL implementation can follow.

Conventions of every implementation:

- The API is synchronous; calls are short, so asyncio code calls them directly.
- Rows come back as the frozen dataclasses below.
- Times are floats, seconds since the epoch (UTC), as `time.time()` returns them.
- JSON columns (citations, flags, timings, payload, body, detail) come back decoded.
- Ids: conversations are named by the caller; messages (`m_…`) and suggestions
  (`s_…`) get random text ids; outbox rows, events and audit entries get increasing
  integers (an event's id is the SSE event id: ordered across all conversations).
- `finish_suggestion(..., gaps=[...])` records the draft's unanswered questions as knowledge
  gaps in the same transaction (once per draft and question, so a resumed draft adds none).
- `add_escalation_label` writes the label and its audit row (`escalation.label`) in one
  transaction; `escalation_labels(merchant)` is a `copilot.escalation.feedback.LabelStore`.
- Errors come from `copilot.errors`: `NotFound`, `Conflict`, `Forbidden`, `BadRequest`.
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from copilot.escalation.feedback import Verdict
from copilot.ledger.routing import RoutingStore
from copilot.ledger.workspace import WorkspaceStore

ConversationStatus = Literal["open", "escalated", "closed"]
MessageRole = Literal["customer", "agent"]
SuggestionStatus = Literal["pending", "approved", "rejected", "stale"]
OutboxStatus = Literal["pending", "delivered", "failed"]
Role = Literal["agent", "merchant", "trainer", "admin"]
LabelSource = Literal["agent", "trainer"]
ApprovalSource = Literal["draft", "edit", "agent"]

CONVERSATION_STATUSES: tuple[str, ...] = ("open", "escalated", "closed")
MESSAGE_ROLES: tuple[str, ...] = ("customer", "agent")
ROLES: tuple[str, ...] = ("agent", "merchant", "trainer", "admin")
KEY_ID_CHARS = 16
LABEL_SOURCES: tuple[str, ...] = ("agent", "trainer")


@dataclass(frozen=True)
class Conversation:
    id: str
    merchant: str
    channel: str
    shopper: str
    assigned_agent: str | None
    assigned_group: str | None
    status: ConversationStatus
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    seq: int
    role: MessageRole
    text: str
    sku_in_view: str | None
    created_at: float


@dataclass(frozen=True)
class Suggestion:
    id: str
    conversation_id: str
    message_id: str
    status: SuggestionStatus
    draft_text: str | None
    citations: list[Any]
    flags: dict[str, Any]
    prompt_id: str | None
    prompt_version: str | None
    model: str | None
    timings: dict[str, Any]
    created_at: float
    finished_at: float | None


@dataclass(frozen=True)
class Approval:
    suggestion_id: str
    agent: str
    final_text: str
    edited: bool
    idempotency_key: str
    created_at: float
    source: ApprovalSource = "draft"     # the draft as it was, edited, or the agent's own reply


@dataclass(frozen=True)
class Rejection:
    suggestion_id: str
    agent: str
    reason: str
    idempotency_key: str
    created_at: float


@dataclass(frozen=True)
class OutboxItem:
    """One reply to deliver. `payload` is the exact JSON body a webhook receives;
    `idempotency_key` is the same on every attempt, so receivers de-duplicate on it."""

    id: int
    suggestion_id: str
    conversation_id: str
    channel: str
    payload: dict[str, Any]
    idempotency_key: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: float | None
    last_error: str | None
    created_at: float
    delivered_at: float | None

    @property
    def text(self) -> str:
        return self.payload["text"]


@dataclass(frozen=True)
class Delivery:
    """A reply delivered by the local channel (the demo's stand-in for a shop's chat)."""

    outbox_id: int
    conversation_id: str
    text: str
    delivered_at: float


@dataclass(frozen=True)
class Event:
    id: int
    conversation_id: str
    seq: int
    type: str
    body: dict[str, Any]
    created_at: float


@dataclass(frozen=True)
class KnowledgeGap:
    """A shopper question a draft found no answer to in the merchant's knowledge."""

    id: int
    merchant: str
    conversation_id: str
    suggestion_id: str
    question: str
    sku: str | None
    created_at: float


@dataclass(frozen=True)
class EscalationLabel:
    """An agent's or a trainer's mark on an escalation assessment of one merchant's message:
    `verdict` is what they said, `level` what it teaches (`feedback.verdict_level`)."""

    id: int
    merchant: str
    message: str
    level: int
    verdict: Verdict
    source: LabelSource
    actor: str
    suggestion_id: str | None
    created_at: float


@dataclass(frozen=True)
class AuditEntry:
    id: int
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    created_at: float


@dataclass(frozen=True)
class ApiKey:
    key_hash: str
    role: Role
    merchant: str | None
    label: str
    created_at: float
    revoked: bool
    expires_at: float | None = None
    revoked_at: float | None = None

    @property
    def id(self) -> str:
        """The key's public id: the first characters of its hash (safe to show and log)."""
        return self.key_hash[:KEY_ID_CHARS]

    def usable(self, now: float) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at)


class Ledger(RoutingStore, WorkspaceStore, Protocol):
    """Also a `RoutingStore`: thresholds, agent groups, agents, queues (`copilot.ledger.routing`);
    and a `WorkspaceStore`: the merchant's queue and event log, agent replies, notes, waiting
    limits (`copilot.ledger.workspace`)."""

    # conversations and messages
    def ensure_conversation(
        self, id: str, *, merchant: str, channel: str, shopper: str
    ) -> Conversation: ...
    def get_conversation(self, id: str) -> Conversation: ...
    def list_conversations(
        self, *, merchant: str, status: str | None = None, agent: str | None = None
    ) -> list[Conversation]: ...
    def update_conversation(
        self,
        id: str,
        *,
        status: str | None = None,
        assigned_agent: str | None = None,
        assigned_group: str | None = None,
    ) -> Conversation: ...
    def add_message(
        self, conversation_id: str, *, role: str, text: str, sku_in_view: str | None = None
    ) -> Message: ...
    def messages(self, conversation_id: str) -> list[Message]: ...

    # suggestions, approvals, rejections
    def create_suggestion(self, conversation_id: str, *, message_id: str) -> Suggestion: ...
    def finish_suggestion(
        self,
        id: str,
        *,
        text: str,
        citations: list[Any],
        flags: dict[str, Any],
        prompt_id: str,
        prompt_version: str,
        model: str,
        timings: dict[str, Any],
        gaps: Sequence[str] = (),
    ) -> Suggestion: ...
    def get_suggestion(self, id: str) -> Suggestion: ...
    def suggestions(self, conversation_id: str) -> list[Suggestion]: ...
    def undrafted_suggestions(self) -> list[Suggestion]: ...
    def approve(
        self, suggestion_id: str, *, agent: str, final_text: str | None = None, idempotency_key: str
    ) -> OutboxItem: ...
    def reject(
        self, suggestion_id: str, *, agent: str, reason: str, idempotency_key: str
    ) -> Rejection: ...
    def get_approval(self, suggestion_id: str) -> Approval: ...

    # knowledge gaps
    def knowledge_gaps(self, merchant: str, *, limit: int = 200,
                       conversation_id: str | None = None) -> list[KnowledgeGap]: ...

    # escalation labels
    def add_escalation_label(
        self,
        merchant: str,
        *,
        message: str,
        level: int,
        verdict: str,
        source: str,
        actor: str,
        suggestion_id: str | None = None,
    ) -> EscalationLabel: ...
    def escalation_labels(self, merchant: str) -> list[EscalationLabel]: ...

    # events
    def append_event(self, conversation_id: str, type: str, body: dict[str, Any]) -> Event: ...
    def events_after(self, conversation_id: str, after_id: int | None) -> list[Event]: ...

    # outbox
    def due_outbox(self, limit: int, now: float) -> list[OutboxItem]: ...
    def get_outbox(self, outbox_id: int) -> OutboxItem: ...
    def mark_delivered(self, outbox_id: int, *, local_text: str | None = None) -> bool: ...
    def mark_failed_attempt(
        self, outbox_id: int, *, error: str, next_attempt_at: float | None
    ) -> OutboxItem: ...
    def local_deliveries(self, conversation_id: str) -> list[Delivery]: ...

    # audit
    def audit(self, actor: str, action: str, target: str, detail: dict[str, Any]) -> AuditEntry: ...
    def audit_log(self, target: str | None = None) -> list[AuditEntry]: ...

    # API keys
    def add_api_key(
        self, key_hash: str, *, role: str, merchant: str | None, label: str,
        expires_at: float | None = None, actor: str = "system",
    ) -> ApiKey: ...
    def find_api_key(self, key_hash: str) -> ApiKey | None: ...
    def api_keys(self) -> list[ApiKey]: ...
    def revoke_api_key(self, key_id: str, *, actor: str) -> ApiKey: ...

    def close(self) -> None: ...
