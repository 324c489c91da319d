"""Routing: which group and which agent take a conversation, and escalation to seniors.

A new conversation goes to one of its merchant's groups (never another merchant's),
chosen by, in this order of importance:

1. language: the message's language (`language_of`) is among the group's language
   tags (`zh`, `en`); a group without language tags speaks `zh`;
2. the category of the SKU in view is one of the group's skill tags;
3. a category tag of the group is named in the message text;
4. the group is the merchant's default one.

A full tie goes to the group created first. Senior groups take only escalations
(unless the merchant has no other group). Within the group the conversation goes to
the online agent with the fewest open conversations (ties: idle longest, i.e. the
earliest last assignment, never-assigned first; then the agent id). No agent online:
the conversation waits on the group (assigned_group set, no agent) until one comes
online. An escalation moves it, the same way, to the merchant's best-matching senior
group. Every move is logged, audited with its reasons, and announced as a `routing`
event on the conversation's stream.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from copilot.errors import NotFound
from copilot.escalation import DEFAULT_THRESHOLDS, Thresholds
from copilot.fanout import Broadcaster
from copilot.handoff import BriefWriter, brief
from copilot.language import DEFAULT_LANGUAGE, LANGUAGES, language_of
from copilot.ledger import Conversation, Ledger
from copilot.ledger.routing import Agent, AgentGroup, Move
from knowledge.base import KnowledgeBase

ROUTER_ACTOR = "copilot"          # the audit actor of automatic moves
NO_SENIORS = "the merchant has no senior group; the conversation stays with its agent"
LANGUAGE_NAMES_ZH = {"zh": "中文", "en": "英文"}   # the reasons are read by the agents, in Chinese


def languages_of(group: AgentGroup) -> set[str]:
    spoken = {s.lower() for s in group.skills if s.lower() in LANGUAGES}
    return spoken or {DEFAULT_LANGUAGE}


def categories_of(group: AgentGroup) -> list[str]:
    return [s for s in group.skills if s.lower() not in LANGUAGES]


@dataclass(frozen=True)
class Match:
    group: AgentGroup
    reasons: list[str]


def choose_group(groups: Sequence[AgentGroup], *, text: str, sku_category: str | None) -> Match | None:
    """The best group for a message (see the module's rules), with why; None without groups."""
    if not groups:
        return None
    language, lowered = language_of(text), text.lower()

    def key(group: AgentGroup) -> tuple[bool, bool, bool, bool]:
        named = any(c.lower() in lowered for c in categories_of(group))
        return (language in languages_of(group), sku_category in categories_of(group), named, group.default)

    best = max(groups, key=key)        # max keeps the first of equals: the earliest created
    speaks, by_sku, named, default = key(best)
    reasons = [f"语言：{LANGUAGE_NAMES_ZH.get(language, language)}"] if speaks else []
    if by_sku:
        reasons.append(f"浏览商品的类目：{sku_category}")
    if named:
        reasons.append("消息提到类目：" + "/".join(c for c in categories_of(best) if c.lower() in lowered))
    if default and not (by_sku or named):
        reasons.append("默认组")
    return Match(group=best, reasons=reasons or ["第一个组"])


class Router:
    def __init__(self, *, ledger: Ledger, kb: KnowledgeBase, broadcaster: Broadcaster,
                 actor: str = ROUTER_ACTOR, brief_writer: BriefWriter | None = None) -> None:
        self.ledger = ledger
        self.kb = kb
        self.broadcaster = broadcaster
        self.actor = actor
        self.brief_writer = brief_writer

    def thresholds(self, merchant: str) -> Thresholds:
        """The merchant's escalation thresholds, or the defaults when it set none."""
        return self.ledger.get_thresholds(merchant) or DEFAULT_THRESHOLDS

    def place(self, conversation: Conversation, *, text: str, sku: str | None) -> Move | None:
        """Give a conversation no group holds yet to a group and agent; None when it is
        already placed or its merchant has no groups."""
        if conversation.assigned_group is not None:
            return None
        groups = self.ledger.groups(conversation.merchant)
        match = choose_group([g for g in groups if not g.senior] or groups, text=text,
                             sku_category=self._category(conversation.merchant, sku))
        if match is None:
            return None
        return self._announce(self.ledger.assign(conversation.id, group=match.group.id,
                                                 reasons=match.reasons, escalate=False, actor=self.actor))

    def escalate(self, conversation_id: str, *, text: str, sku: str | None,
                 reasons: list[str]) -> Move | None:
        """Move the conversation to a senior group (status `escalated`), with the
        assessor's reasons; None when it is escalated already or there is no senior
        group (then it is marked escalated where it is, and the audit says why)."""
        conv = self.ledger.get_conversation(conversation_id)
        if conv.status != "open":
            return None
        seniors = [g for g in self.ledger.groups(conv.merchant) if g.senior]
        match = choose_group(seniors, text=text, sku_category=self._category(conv.merchant, sku))
        if match is None:
            self.ledger.update_conversation(conversation_id, status="escalated")
            self.ledger.audit(self.actor, "conversation.escalate", conversation_id,
                              {"reasons": reasons, "group": conv.assigned_group,
                               "to_agent": conv.assigned_agent, "note": NO_SENIORS})
            self._brief(conversation_id, None)
            return None
        move = self._announce(self.ledger.assign(conversation_id, group=match.group.id,
                                                 reasons=list(reasons), escalate=True, actor=self.actor))
        self._brief(conversation_id, move)
        return move

    def _brief(self, conversation_id: str, move: Move | None) -> None:
        """The hand-off brief for whoever takes the escalated conversation over."""
        handed = brief(self.ledger, self.kb, conversation_id, writer=self.brief_writer).to_dict()
        self.broadcaster.publish(self.ledger.append_event(conversation_id, "handoff", {
            "brief": handed, "move": move.to_dict() if move else None, "by": self.actor}))

    def transfer(self, conversation_id: str, *, group: str, agent: str | None, reasons: list[str],
                 actor: str) -> Move:
        """Hand the conversation to a group: to `agent` when named (one of the group's), else its
        least-loaded online agent, else the group's waiting line. A senior group escalates it."""
        merchant = self.ledger.get_conversation(conversation_id).merchant
        senior = any(g.id == group and g.senior for g in self.ledger.groups(merchant))
        return self._announce(self.ledger.assign(conversation_id, group=group, reasons=reasons,
                                                 escalate=senior, actor=actor, agent=agent))

    def set_online(self, merchant: str, agent: str, online: bool, *, actor: str) -> tuple[Agent, list[Move]]:
        """Mark an agent on- or offline; coming online hands it its group's waiting conversations."""
        found = self.ledger.set_agent_online(merchant, agent, online)
        self.ledger.audit(actor, "agent.online" if online else "agent.offline", f"{merchant}/{agent}", {})
        moves = self.hand_out(merchant, found.group, reason=f"坐席 {agent} 上线",
                              actor=actor) if online else []
        return self.ledger.get_agent(merchant, agent), moves

    def hand_out(self, merchant: str, group: str, *, reason: str, actor: str) -> list[Move]:
        """Give the group's waiting conversations, oldest first, to its online agents."""
        if not any(a.online for a in self.ledger.agents(merchant, group=group)):
            return []
        moves = []
        for conversation_id in self.ledger.queued(merchant, group):
            move = self._announce(self.ledger.assign(conversation_id, group=group, reasons=[reason],
                                                     escalate=False, actor=actor))
            moves.append(move)
            if move.queued:            # the last agent went offline meanwhile
                break
        return moves

    def _category(self, merchant: str, sku: str | None) -> str | None:
        if not sku:
            return None
        try:
            return self.kb.get(merchant, "sku", sku).category
        except NotFound:
            return None

    def _announce(self, move: Move) -> Move:
        self.broadcaster.publish(self.ledger.append_event(move.conversation_id, "routing", move.to_dict()))
        return move
