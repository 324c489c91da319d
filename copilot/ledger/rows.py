"""Turning SQLite rows into the ledger's dataclasses, and the JSON and id helpers."""
from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from copilot.ledger import (
    ApiKey,
    Approval,
    AuditEntry,
    Conversation,
    EscalationLabel,
    Event,
    KnowledgeGap,
    Message,
    OutboxItem,
    Suggestion,
)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def to_conversation(r: sqlite3.Row) -> Conversation:
    return Conversation(**dict(r))


def to_gap(r: sqlite3.Row) -> KnowledgeGap:
    return KnowledgeGap(**dict(r))


def to_escalation_label(r: sqlite3.Row) -> EscalationLabel:
    return EscalationLabel(**dict(r))


def to_message(r: sqlite3.Row) -> Message:
    return Message(**dict(r))


def to_suggestion(r: sqlite3.Row) -> Suggestion:
    d = dict(r)
    for key in ("citations", "flags", "timings"):
        d[key] = json.loads(d[key])
    return Suggestion(**d)


def to_outbox(r: sqlite3.Row) -> OutboxItem:
    d = dict(r)
    d["payload"] = json.loads(d["payload"])
    return OutboxItem(**d)


def to_event(r: sqlite3.Row) -> Event:
    d = dict(r)
    d["body"] = json.loads(d["body"])
    return Event(**d)


def to_audit(r: sqlite3.Row) -> AuditEntry:
    d = dict(r)
    d["detail"] = json.loads(d["detail"])
    return AuditEntry(**d)


def to_approval(r: sqlite3.Row) -> Approval:
    return Approval(**{**dict(r), "edited": bool(r["edited"])})


def to_api_key(r: sqlite3.Row) -> ApiKey:
    return ApiKey(**{**dict(r), "revoked": bool(r["revoked"])})
