"""The typed events the assist pipeline streams, and their SSE encoding."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Literal

EventType = Literal["message", "escalation", "escalation.label", "routing", "sources", "outfits",
                    "draft.delta", "draft.done", "suggestion.status", "delivery", "note", "handoff",
                    "conversation.status", "error"]


@dataclass(frozen=True)
class Event:
    type: EventType
    body: dict
    id: int | None = None                 # assigned by the conversation's event log
    ts: float = field(default_factory=time.time)

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "ts": self.ts, "body": self.body}

    def sse(self) -> dict:
        """The keyword arguments of an sse-starlette `ServerSentEvent`."""
        return {"id": str(self.id) if self.id is not None else None, "event": self.type,
                "data": json.dumps(self.body, ensure_ascii=False, default=str)}
