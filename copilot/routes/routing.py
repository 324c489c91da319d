"""Routing: escalation thresholds per merchant, agent groups, agents, an agent's queue.

Merchants (and admins) manage groups, agents and thresholds. An agent API key's
`label` is its agent id: an agent reads its own queue and sets itself on- or
offline; a merchant key does both for any of its agents.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints, field_validator

from copilot.auth import Principal, require
from copilot.deps import Caller, KnownMerchant, Parts
from copilot.errors import BadRequest, Forbidden
from copilot.escalation import DEFAULT_LEVEL_CUTOFFS, Thresholds
from copilot.http_errors import API_ERRORS
from copilot.names import AgentId, Label, Name

router = APIRouter(prefix="/v1", tags=["routing"], responses=API_ERRORS,
                   dependencies=[KnownMerchant])

MAX_SKILLS = 50
MOVES_SHOWN = 20
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class EscalationThresholds(BaseModel):
    escalate_level: int = Field(ge=1, le=3, description="escalate at this level or above: "
                                "1 dissatisfied, 2 angry, 3 critical")
    level_cutoffs: tuple[float, float, float] = Field(
        DEFAULT_LEVEL_CUTOFFS, description="lowest score of levels 1, 2, 3; increasing, in (0, 1]")

    @field_validator("level_cutoffs")
    @classmethod
    def _increasing(cls, cuts: tuple[float, float, float]) -> tuple[float, float, float]:
        if not 0 < cuts[0] < cuts[1] < cuts[2] <= 1:
            raise ValueError("must be three strictly increasing scores in (0, 1], e.g. [0.15, 0.45, 0.75]")
        return cuts


class NewGroup(BaseModel):
    id: Name
    name: Label = ""
    skills: list[Skill] = Field(default_factory=list, max_length=MAX_SKILLS,
                                description="product categories (口红, 西装) and languages (zh, en)")
    senior: bool = Field(False, description="takes escalated conversations")
    default: bool = Field(False, description="takes conversations no other group matches")


class NewAgent(BaseModel):
    id: AgentId = Field(description="the label of the agent's API key, any language (小王)")
    name: Label = Field("", description="the display label, any language (小王)")
    group: Name
    online: bool = False


@router.get("/merchants/{merchant}/escalation")
def get_thresholds(merchant: str, parts: Parts, caller: Caller) -> dict:
    require(caller, roles={"merchant", "trainer", "agent"}, merchant=merchant)
    custom = parts.ledger.get_thresholds(merchant)
    return _thresholds_view(custom or parts.router.thresholds(merchant), custom=custom is not None)


@router.put("/merchants/{merchant}/escalation")
def put_thresholds(merchant: str, body: EscalationThresholds, parts: Parts, caller: Caller) -> dict:
    """Per-merchant escalation thresholds; read by every message that arrives afterwards."""
    require(caller, roles={"merchant"}, merchant=merchant)
    saved = parts.ledger.set_thresholds(
        merchant, Thresholds(escalate_level=body.escalate_level, level_cutoffs=body.level_cutoffs),
        actor=caller.label)
    return _thresholds_view(saved, custom=True)


@router.post("/merchants/{merchant}/groups", status_code=201)
def put_group(merchant: str, body: NewGroup, parts: Parts, caller: Caller) -> dict:
    """Create or replace an agent group (same id replaces it)."""
    require(caller, roles={"merchant"}, merchant=merchant)
    group = parts.ledger.put_group(merchant, id=body.id, name=body.name or body.id,
                                   skills=list(dict.fromkeys(body.skills)), senior=body.senior,
                                   default=body.default)
    parts.ledger.audit(caller.label, "group.put", f"{merchant}/{body.id}", asdict(group))
    return asdict(group)


@router.get("/merchants/{merchant}/groups")
def list_groups(merchant: str, parts: Parts, caller: Caller) -> list[dict]:
    require(caller, roles={"merchant", "trainer", "agent"}, merchant=merchant)
    return [asdict(g) for g in parts.ledger.groups(merchant)]


@router.post("/merchants/{merchant}/agents", status_code=201)
def put_agent(merchant: str, body: NewAgent, parts: Parts, caller: Caller) -> dict:
    """Create or replace an agent; one created online takes its group's waiting conversations."""
    require(caller, roles={"merchant"}, merchant=merchant)
    agent = parts.ledger.put_agent(merchant, id=body.id, name=body.name or body.id, group=body.group,
                                   online=body.online)
    parts.ledger.audit(caller.label, "agent.put", f"{merchant}/{body.id}", asdict(agent))
    moves = parts.router.hand_out(merchant, agent.group, reason=f"坐席 {agent.id} 上线",
                                  actor=caller.label) if agent.online else []
    return {**asdict(parts.ledger.get_agent(merchant, agent.id)), "assigned": [m.to_dict() for m in moves]}


@router.get("/merchants/{merchant}/agents")
def list_agents(merchant: str, parts: Parts, caller: Caller, group: str | None = None) -> list[dict]:
    require(caller, roles={"merchant", "trainer", "agent"}, merchant=merchant)
    return [asdict(a) for a in parts.ledger.agents(merchant, group=group)]


@router.post("/merchants/{merchant}/agents/{agent}/online")
def agent_online(merchant: str, agent: str, parts: Parts, caller: Caller) -> dict:
    """Mark the agent online; its group's waiting conversations are assigned (listed in `assigned`)."""
    _require_self_or_merchant(caller, merchant, agent)
    found, moves = parts.router.set_online(merchant, agent, True, actor=caller.label)
    return {**asdict(found), "assigned": [m.to_dict() for m in moves]}


@router.post("/merchants/{merchant}/agents/{agent}/offline")
def agent_offline(merchant: str, agent: str, parts: Parts, caller: Caller) -> dict:
    """Mark the agent offline: it gets no new conversations; the ones it holds stay with it."""
    _require_self_or_merchant(caller, merchant, agent)
    found, _ = parts.router.set_online(merchant, agent, False, actor=caller.label)
    return {**asdict(found), "assigned": []}


@router.get("/agents/{agent}/queue")
def agent_queue(agent: str, parts: Parts, caller: Caller, merchant: str | None = None) -> dict:
    """The agent's conversations that are not closed (escalated first) with their unread
    counts, and the latest routing moves to or away from the agent."""
    merchant = merchant or caller.merchant
    if merchant is None:
        raise BadRequest("merchant: an admin key belongs to no merchant; pass ?merchant=<id>")
    _require_self_or_merchant(caller, merchant, agent)
    found = parts.ledger.get_agent(merchant, agent)
    items = parts.ledger.agent_queue(merchant, agent)
    return {"agent": found.id, "merchant": merchant, "group": found.group, "online": found.online,
            "conversations": [{**asdict(i), "escalated": i.escalated} for i in items],
            "moves": [m.to_dict() for m in parts.ledger.moves(merchant, agent=agent, limit=MOVES_SHOWN)]}


def _require_self_or_merchant(caller: Principal, merchant: str, agent: str) -> None:
    require(caller, roles={"merchant", "agent"}, merchant=merchant)
    if caller.role == "agent" and caller.label != agent:
        raise Forbidden(f"key {caller.label!r} is agent {caller.label!r} and may act only for itself, "
                        f"not for agent {agent!r}; use a merchant key")


def _thresholds_view(t: Thresholds, *, custom: bool) -> dict:
    return {"escalate_level": t.escalate_level, "level_cutoffs": list(t.level_cutoffs), "custom": custom}
