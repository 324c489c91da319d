"""Escalation labels: agents mark a suggestion's assessment "应该升级" or "误报", trainers mark
messages of their eval sets; each label changes the merchant's next assessments at once
(`copilot.teaching`)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, field_validator

from copilot.auth import require, require_owner
from copilot.deps import Caller, KnownMerchant, Parts, Teach
from copilot.escalation.feedback import Verdict
from copilot.http_errors import API_ERRORS
from copilot.routes.conversations import MAX_MESSAGE_CHARS
from copilot.teaching import label_view, view
from copilot.turns import Turn

router = APIRouter(prefix="/v1", tags=["escalation labels"], responses=API_ERRORS,
                   dependencies=[KnownMerchant])

TRAINERS = {"trainer"}                 # who may label; an admin passes every check
READERS = TRAINERS | {"merchant"}      # who may list a merchant's labels
MAX_HISTORY_TURNS = 50
LABELS_SHOWN = 200

VERDICT_HELP = "escalate: it should have escalated (应该升级); calm: a false alarm (误报)"


class HistoryTurn(BaseModel):
    role: Literal["customer", "agent"]
    text: str = Field(max_length=MAX_MESSAGE_CHARS)


class Feedback(BaseModel):
    verdict: Verdict = Field(description=VERDICT_HELP)


class NewLabel(BaseModel):
    message: str = Field(max_length=MAX_MESSAGE_CHARS, description="the shopper's message")
    history: list[HistoryTurn] = Field([], max_length=MAX_HISTORY_TURNS, description="the turns before it")
    verdict: Verdict = Field(description=VERDICT_HELP)

    @field_validator("message")
    @classmethod
    def _not_blank(cls, message: str) -> str:
        if not message.strip():
            raise ValueError("the message to label is empty; send the shopper's message")
        return message


@router.post("/suggestions/{suggestion_id}/escalation-feedback", status_code=201)
def suggestion_feedback(suggestion_id: str, body: Feedback, parts: Parts, caller: Caller,
                        teacher: Teach) -> dict:
    """An agent's mark on the escalation assessment of a suggestion's message; answers the label
    and the message's new assessment (the merchant's next similar messages are judged alike)."""
    suggestion = parts.ledger.get_suggestion(suggestion_id)
    conversation = parts.ledger.get_conversation(suggestion.conversation_id)
    require_owner(caller, roles={"agent"}, merchant=conversation.merchant, what=f"suggestion {suggestion_id!r}")
    return view(teacher.teach_suggestion(suggestion_id, verdict=body.verdict, actor=caller.label))


@router.post("/merchants/{merchant}/escalation-labels", status_code=201)
def add_label(merchant: str, body: NewLabel, parts: Parts, caller: Caller, teacher: Teach) -> dict:
    """A trainer's mark on a message (e.g. a case of an eval set); answers the label and the
    message's new assessment."""
    require(caller, roles=TRAINERS, merchant=merchant)
    return view(teacher.teach(merchant, message=body.message, verdict=body.verdict, source="trainer",
                              history=[Turn(role=t.role, text=t.text) for t in body.history],
                              actor=caller.label))


@router.get("/merchants/{merchant}/escalation-labels")
def list_labels(merchant: str, parts: Parts, caller: Caller, teacher: Teach,
                limit: Annotated[int, Query(ge=1, le=10_000)] = LABELS_SHOWN) -> dict:
    """The merchant's escalation labels, newest first."""
    require(caller, roles=READERS, merchant=merchant)
    return {"items": [label_view(label) for label in teacher.labels(merchant)[:limit]]}
