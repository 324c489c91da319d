"""Agents and trainers teach the escalation assessor, one merchant at a time.

An agent marks the assessment of a suggestion's shopper message "应该升级" (`escalate`) or
"误报" (`calm`); a trainer does the same on a message of an eval set. The message (with the
turns before it) is assessed again with the merchant's thresholds, the mark becomes the
least change of level that makes the decision right (`feedback.verdict_level`), the label
and its audit row are written in one transaction, and the merchant's taught labels are
reloaded, so the next assessment of a message like it, this one included, changes at once.
Other merchants' assessments do not change.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from copilot.errors import BadRequest, ConfigError
from copilot.escalation import LEVEL_NAMES_ZH, Assessment, Thresholds
from copilot.escalation.feedback import VERDICTS, verdict_level
from copilot.ledger import EscalationLabel, Ledger
from copilot.pipeline import AssistRequest, Pipeline
from copilot.routing import Router
from copilot.turns import Turn

LABEL_EVENT = "escalation.label"     # on the conversation's stream when an agent marks a suggestion


@dataclass(frozen=True)
class Marked:
    label: EscalationLabel
    assessment: Assessment     # the message assessed again, with the new label


class Teacher:
    """`emit(conversation_id, type, body)` puts an agent's mark on the conversation's event
    stream (`AssistService.emit`), so every screen showing it sees the mark."""

    def __init__(self, *, ledger: Ledger, pipeline: Pipeline, router: Router,
                 emit: Callable[[str, str, dict[str, Any]], Any] | None = None) -> None:
        self.ledger = ledger
        self.pipeline = pipeline
        self.router = router
        self._emit = emit

    def assess(self, merchant: str, message: str, history: Sequence[Turn] = (),
               thresholds: Thresholds | None = None) -> Assessment:
        """The assessment a shopper message of `merchant` gets now, with its thresholds and labels."""
        return self.pipeline.assess(AssistRequest(
            merchant=merchant, message=message, history=tuple(history),
            thresholds=thresholds or self.router.thresholds(merchant)))

    def teach(self, merchant: str, *, message: str, history: Sequence[Turn] = (), verdict: str,
              source: str, actor: str, suggestion_id: str | None = None) -> Marked:
        """Store the mark `verdict` on `message` as a label of `merchant`; the message assessed again."""
        if verdict not in VERDICTS:
            raise BadRequest(f"verdict: unknown verdict {verdict!r}; use one of {', '.join(VERDICTS)}")
        if not message.strip():
            raise BadRequest("message: the message to label is empty; send the shopper's message")
        if self.pipeline.teachings is None:
            raise ConfigError("this pipeline was built without a label store, so it cannot be taught; "
                              "build it with `labels=ledger` (copilot.components.build does)")
        thresholds = self.router.thresholds(merchant)
        before = self.assess(merchant, message, history, thresholds)
        label = self.ledger.add_escalation_label(
            merchant, message=message, level=verdict_level(verdict, before.level, thresholds.escalate_level),
            verdict=verdict, source=source, actor=actor, suggestion_id=suggestion_id)
        self.pipeline.teachings.changed(merchant)
        return Marked(label=label, assessment=self.assess(merchant, message, history, thresholds))

    def teach_suggestion(self, suggestion_id: str, *, verdict: str, actor: str) -> Marked:
        """An agent's mark on the assessment of a suggestion's shopper message (and the turns before it)."""
        suggestion = self.ledger.get_suggestion(suggestion_id)
        conversation = self.ledger.get_conversation(suggestion.conversation_id)
        messages = self.ledger.messages(conversation.id)
        at = next(i for i, m in enumerate(messages) if m.id == suggestion.message_id)
        taught = self.teach(conversation.merchant, message=messages[at].text,
                            history=[Turn(role=m.role, text=m.text) for m in messages[:at]],
                            verdict=verdict, source="agent", actor=actor, suggestion_id=suggestion_id)
        if self._emit is not None:
            self._emit(conversation.id, LABEL_EVENT, {"suggestion_id": suggestion_id, **view(taught)})
        return taught

    def labels(self, merchant: str) -> list[EscalationLabel]:
        """The merchant's labels, newest first."""
        return self.ledger.escalation_labels(merchant)[::-1]


def label_view(label: EscalationLabel) -> dict[str, Any]:
    return {"id": label.id, "merchant": label.merchant, "message": label.message, "level": label.level,
            "level_zh": LEVEL_NAMES_ZH[label.level], "verdict": label.verdict, "source": label.source,
            "actor": label.actor, "suggestion_id": label.suggestion_id, "created_at": label.created_at}


def view(taught: Marked) -> dict[str, Any]:
    """The label and the new assessment, as the API answers and the event carries them."""
    return {"label": label_view(taught.label), "assessment": taught.assessment.to_dict()}
