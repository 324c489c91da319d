"""The ledger's routing half: escalation thresholds per merchant, agent groups, agents,
each agent's queue, and the log of conversation moves.

A group's `skills` are product categories (口红, 西装, 手机, ...) and language codes
(`zh`, `en`); a `senior` group takes escalated conversations; the `default` group
takes what matches no group. An agent belongs to one group of its merchant. An
agent's load is the number of its conversations that are not closed. Agent ids are
unique within a merchant; an agent API key's label is the agent id.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from copilot.escalation import Thresholds


@dataclass(frozen=True)
class AgentGroup:
    merchant: str
    id: str
    name: str
    skills: list[str]
    senior: bool
    default: bool
    created_at: float


@dataclass(frozen=True)
class Agent:
    merchant: str
    id: str
    name: str
    group: str
    online: bool
    load: int                       # conversations assigned to the agent and not closed
    last_assigned_at: float | None  # None: never assigned one
    created_at: float


@dataclass(frozen=True)
class Move:
    """A conversation given to an agent (`to_agent`), or queued on a group (`to_agent` None)."""

    id: int
    merchant: str
    conversation_id: str
    from_agent: str | None
    to_agent: str | None
    group: str
    escalated: bool                 # this move took the conversation to a senior group
    reasons: list[str]
    created_at: float

    @property
    def queued(self) -> bool:
        return self.to_agent is None

    def to_dict(self) -> dict:
        return {"move_id": self.id, "conversation_id": self.conversation_id,
                "from_agent": self.from_agent, "to_agent": self.to_agent, "group": self.group,
                "escalated": self.escalated, "queued": self.queued, "reasons": list(self.reasons),
                "at": self.created_at}


@dataclass(frozen=True)
class QueueItem:
    """One conversation on an agent's screen."""

    conversation_id: str
    shopper: str
    channel: str
    status: str
    group: str | None
    unread: int                     # customer messages after the agent side's last reply
    last_message: str | None
    created_at: float
    updated_at: float

    @property
    def escalated(self) -> bool:
        return self.status == "escalated"


class RoutingStore(Protocol):
    # escalation thresholds
    def get_thresholds(self, merchant: str) -> Thresholds | None: ...
    def set_thresholds(self, merchant: str, thresholds: Thresholds, *, actor: str) -> Thresholds: ...

    # groups and agents
    def put_group(
        self, merchant: str, *, id: str, name: str, skills: list[str], senior: bool, default: bool
    ) -> AgentGroup: ...
    def groups(self, merchant: str) -> list[AgentGroup]: ...
    def put_agent(self, merchant: str, *, id: str, name: str, group: str, online: bool) -> Agent: ...
    def get_agent(self, merchant: str, id: str) -> Agent: ...
    def agents(self, merchant: str, *, group: str | None = None) -> list[Agent]: ...
    def set_agent_online(self, merchant: str, id: str, online: bool) -> Agent: ...

    # assignment
    def assign(
        self, conversation_id: str, *, group: str, reasons: list[str], escalate: bool, actor: str,
        agent: str | None = None,
    ) -> Move: ...
    def queued(self, merchant: str, group: str) -> list[str]: ...
    def moves(self, merchant: str, *, agent: str, limit: int) -> list[Move]: ...
    def agent_queue(self, merchant: str, agent: str) -> list[QueueItem]: ...
