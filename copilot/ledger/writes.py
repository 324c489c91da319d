"""The ledger's multi-step writes, each run inside the caller's open transaction.

`SqliteLedger` opens the transaction (`BEGIN IMMEDIATE`) and commits or rolls back;
these functions only issue statements on the connection they are given, so whatever
fails half way leaves nothing behind.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from copilot.errors import BadRequest, Conflict, NotFound
from copilot.escalation.feedback import VERDICTS
from copilot.ledger import (LABEL_SOURCES, AuditEntry, EscalationLabel, Message, OutboxItem,
                            Rejection, Suggestion)
from copilot.ledger.rows import (dumps, new_id, to_audit, to_conversation, to_escalation_label, to_message,
                                 to_outbox, to_suggestion)

_NOT_PENDING = {
    "stale": "is stale: the shopper wrote again after it was drafted; "
    "approve or reject the newer suggestion, or write a fresh reply",
    "rejected": "was rejected; ask for a new draft instead",
    "approved": "is already approved (under another idempotency key); it is delivered once, "
    "nothing more to do",
}
NO_CONVERSATION = "no conversation {!r}; create it by posting its first message"


def fetch_one(db: sqlite3.Connection, sql: str, params: tuple, missing: str) -> sqlite3.Row:
    """The first row of a query, or `NotFound(missing)`."""
    row = db.execute(sql, params).fetchone()
    if row is None:
        raise NotFound(missing)
    return row


def touch(db: sqlite3.Connection, conversation_id: str, now: float) -> None:
    """Bump the conversation's `updated_at`; `NotFound` if there is no such conversation."""
    if not db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)).rowcount:
        raise NotFound(NO_CONVERSATION.format(conversation_id))


def insert_message(
    db: sqlite3.Connection, conversation_id: str, role: str, text: str, sku_in_view: str | None
) -> Message:
    """Append a message; a customer message makes every pending suggestion stale."""
    now = time.time()
    touch(db, conversation_id, now)
    if role == "customer":
        db.execute(
            "UPDATE suggestions SET status = 'stale' WHERE conversation_id = ? AND status = 'pending'",
            (conversation_id,),
        )
    return to_message(db.execute(
        "INSERT INTO messages (id, conversation_id, seq, role, text, sku_in_view, created_at)"
        " VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?),"
        " ?, ?, ?, ?) RETURNING *",
        (new_id("m"), conversation_id, conversation_id, role, text, sku_in_view, now),
    ).fetchone())


def insert_gaps(db: sqlite3.Connection, suggestion: Suggestion, questions: Sequence[str], now: float) -> None:
    """A knowledge gap for each unanswered question of a draft (at most once per question)."""
    if not questions:
        return
    found = db.execute(
        "SELECT c.merchant, m.sku_in_view FROM conversations c JOIN messages m ON m.conversation_id = c.id"
        " WHERE m.id = ?", (suggestion.message_id,)).fetchone()
    db.executemany(
        "INSERT INTO knowledge_gaps (merchant, conversation_id, suggestion_id, question, sku, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (suggestion_id, question) DO NOTHING",
        [(found["merchant"], suggestion.conversation_id, suggestion.id, q, found["sku_in_view"], now)
         for q in dict.fromkeys(questions)])


def insert_escalation_label(
    db: sqlite3.Connection, merchant: str, *, message: str, level: int, verdict: str, source: str,
    actor: str, suggestion_id: str | None,
) -> EscalationLabel:
    """The label and its audit row (`escalation.label`); `BadRequest` names a bad field, a
    suggestion of another merchant is `BadRequest`, an unknown one `NotFound`."""
    if verdict not in VERDICTS:
        raise BadRequest(f"verdict: unknown verdict {verdict!r}; use one of {', '.join(VERDICTS)}")
    if source not in LABEL_SOURCES:
        raise BadRequest(f"source: unknown label source {source!r}; use one of {', '.join(LABEL_SOURCES)}")
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 3:
        raise BadRequest(f"level: {level!r} is not a level; use 0 (calm) to 3 (critical)")
    if not message or not message.strip():
        raise BadRequest("message: the labelled message is empty; send the shopper's message")
    if not actor:
        raise BadRequest("actor: say who labelled the message")
    if suggestion_id is not None:
        owner = fetch_one(
            db, "SELECT c.merchant FROM suggestions s JOIN conversations c ON c.id = s.conversation_id"
            " WHERE s.id = ?", (suggestion_id,), f"no suggestion {suggestion_id!r}")["merchant"]
        if owner != merchant:
            raise BadRequest(f"suggestion_id: suggestion {suggestion_id!r} belongs to another merchant "
                             f"than {merchant!r}; label it under its own merchant")
    label = to_escalation_label(db.execute(
        "INSERT INTO escalation_labels (merchant, message, level, verdict, source, actor, suggestion_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        (merchant, message, level, verdict, source, actor, suggestion_id, time.time()),
    ).fetchone())
    insert_audit(db, actor, "escalation.label", f"{merchant}/escalation-labels/{label.id}",
                 {"verdict": verdict, "level": level, "source": source, "suggestion_id": suggestion_id})
    return label


def insert_audit(db: sqlite3.Connection, actor: str, action: str, target: str, detail: dict) -> AuditEntry:
    return to_audit(db.execute(
        "INSERT INTO audit (actor, action, target, detail, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
        (actor, action, target, dumps(detail), time.time()),
    ).fetchone())


def pending_suggestion(db: sqlite3.Connection, suggestion_id: str, verb: str) -> Suggestion:
    """The suggestion, if it is still pending; otherwise `NotFound` or `Conflict`."""
    suggestion = to_suggestion(fetch_one(
        db, "SELECT * FROM suggestions WHERE id = ?", (suggestion_id,), f"no suggestion {suggestion_id!r}"
    ))
    if suggestion.status != "pending":
        raise Conflict(f"suggestion {suggestion_id!r} cannot be {verb}: it {_NOT_PENDING[suggestion.status]}")
    return suggestion


def agent_reply(
    db: sqlite3.Connection, conversation_id: str, *, agent: str, text: str, idempotency_key: str
) -> OutboxItem:
    """A reply the agent wrote: a suggestion with no draft, approved with the agent's text
    (source `agent`), so that it takes the one road to the shopper (`approve`: the message,
    the outbox row, the audit row). A replay with the same key returns the first outbox row."""
    earlier = db.execute(
        "SELECT a.suggestion_id, s.conversation_id FROM approvals a JOIN suggestions s"
        " ON s.id = a.suggestion_id WHERE a.idempotency_key = ?", (idempotency_key,)
    ).fetchone()
    if earlier is not None:
        if earlier["conversation_id"] != conversation_id:
            raise Conflict(f"idempotency key {idempotency_key!r} was already used in another conversation;"
                           " use a new key for each reply")
        return approve(db, earlier["suggestion_id"], agent=agent, final_text=text,
                       idempotency_key=idempotency_key)
    last = fetch_one(
        db, "SELECT id FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT 1",
        (conversation_id,), NO_CONVERSATION.format(conversation_id))
    now = time.time()
    suggestion_id = new_id("s")
    db.execute(
        "INSERT INTO suggestions (id, conversation_id, message_id, status, created_at, finished_at)"
        " VALUES (?, ?, ?, 'pending', ?, ?)", (suggestion_id, conversation_id, last["id"], now, now))
    return approve(db, suggestion_id, agent=agent, final_text=text, idempotency_key=idempotency_key,
                   source="agent")


def approve(
    db: sqlite3.Connection, suggestion_id: str, *, agent: str, final_text: str | None, idempotency_key: str,
    source: str | None = None,
) -> OutboxItem:
    """Approval, the agent's message, the outbox row, the audit row, status `approved`.
    `source` is `draft` or `edit` as the text says, or `agent` for a reply of the agent's own.

    A replay (same key, same suggestion) returns the original outbox row and writes
    nothing; the key used for another suggestion, or a suggestion that is not
    pending, is a `Conflict`.
    """
    earlier = db.execute(
        "SELECT suggestion_id FROM approvals WHERE idempotency_key = ?", (idempotency_key,)
    ).fetchone()
    if earlier is not None:
        if earlier["suggestion_id"] != suggestion_id:
            raise Conflict(
                f"idempotency key {idempotency_key!r} was already used to approve suggestion "
                f"{earlier['suggestion_id']!r}; use a new key for each approval"
            )
        return to_outbox(db.execute("SELECT * FROM outbox WHERE suggestion_id = ?", (suggestion_id,)).fetchone())
    suggestion = pending_suggestion(db, suggestion_id, "approved")
    text = suggestion.draft_text if final_text is None else final_text
    if not text or not text.strip():
        raise BadRequest(
            f"suggestion {suggestion_id!r} has no draft text yet; pass final_text "
            "or approve after its draft.done event"
        )
    conversation = to_conversation(db.execute(
        "SELECT * FROM conversations WHERE id = ?", (suggestion.conversation_id,)
    ).fetchone())
    now = time.time()
    edited = final_text is not None and final_text != suggestion.draft_text
    source = source or ("edit" if edited else "draft")
    db.execute(
        "INSERT INTO approvals (suggestion_id, agent, final_text, edited, source, idempotency_key,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (suggestion_id, agent, text, edited, source, idempotency_key, now),
    )
    db.execute("UPDATE suggestions SET status = 'approved' WHERE id = ?", (suggestion_id,))
    insert_message(db, conversation.id, "agent", text, None)
    delivery_key = new_id("dlv")
    payload: dict[str, Any] = {
        "conversation_id": conversation.id,
        "suggestion_id": suggestion_id,
        "merchant": conversation.merchant,
        "shopper": conversation.shopper,
        "text": text,
        "idempotency_key": delivery_key,
    }
    outbox = to_outbox(db.execute(
        "INSERT INTO outbox (suggestion_id, conversation_id, channel, payload, idempotency_key,"
        " status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)"
        " RETURNING *",
        (suggestion_id, conversation.id, conversation.channel, dumps(payload), delivery_key, now, now),
    ).fetchone())
    insert_audit(db, agent, "suggestion.approve", suggestion_id,
                 {"outbox_id": outbox.id, "edited": edited, "source": source})
    return outbox


def reject(
    db: sqlite3.Connection, suggestion_id: str, *, agent: str, reason: str, idempotency_key: str
) -> Rejection:
    """Rejection, the audit row, status `rejected`; replays behave as for `approve`."""
    earlier = db.execute("SELECT * FROM rejections WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
    if earlier is not None:
        if earlier["suggestion_id"] != suggestion_id:
            raise Conflict(
                f"idempotency key {idempotency_key!r} was already used to reject suggestion "
                f"{earlier['suggestion_id']!r}; use a new key for each rejection"
            )
        return Rejection(**dict(earlier))
    pending_suggestion(db, suggestion_id, "rejected")
    row = db.execute(
        "INSERT INTO rejections (suggestion_id, agent, reason, idempotency_key, created_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING *",
        (suggestion_id, agent, reason, idempotency_key, time.time()),
    ).fetchone()
    db.execute("UPDATE suggestions SET status = 'rejected' WHERE id = ?", (suggestion_id,))
    insert_audit(db, agent, "suggestion.reject", suggestion_id, {"reason": reason})
    return Rejection(**dict(row))
