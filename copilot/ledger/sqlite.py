"""The embedded ledger: one SQLite file in WAL mode.

One connection, guarded by a lock, shared by every thread and the event loop (calls
are short). Writes run in `BEGIN IMMEDIATE` transactions, so a write that fails half
way leaves nothing behind, and every state that matters lives in the file: a process
killed at any point restarts from what the file holds.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from copilot.errors import BadRequest, Conflict, Forbidden, NotFound
from copilot.ledger import (
    CONVERSATION_STATUSES,
    MESSAGE_ROLES,
    KEY_ID_CHARS,
    ROLES,
    ApiKey,
    Approval,
    AuditEntry,
    Conversation,
    Delivery,
    EscalationLabel,
    Event,
    KnowledgeGap,
    Message,
    OutboxItem,
    Rejection,
    Suggestion,
)
from copilot.ledger import writes
from copilot.ledger.connection import SqliteConnection
from copilot.ledger.routing_sqlite import SqliteRouting
from copilot.ledger.workspace_sqlite import SqliteWorkspace
from copilot.ledger.rows import (
    dumps,
    new_id,
    to_api_key,
    to_approval,
    to_audit,
    to_conversation,
    to_escalation_label,
    to_event,
    to_gap,
    to_message,
    to_outbox,
    to_suggestion,
)


class SqliteLedger(SqliteConnection, SqliteRouting, SqliteWorkspace):
    """`Ledger` on a SQLite file; the file and its migrations are created at open."""

    # conversations and messages

    def ensure_conversation(self, id: str, *, merchant: str, channel: str, shopper: str) -> Conversation:
        now = time.time()
        with self._write() as db:
            row = db.execute("SELECT * FROM conversations WHERE id = ?", (id,)).fetchone()
            if row is None:
                row = db.execute(
                    "INSERT INTO conversations (id, merchant, channel, shopper, status, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING *",
                    (id, merchant, channel, shopper, now, now),
                ).fetchone()
            elif row["merchant"] != merchant:
                raise Forbidden(
                    f"conversation {id!r} belongs to another merchant; use a conversation id of your own"
                )
            return to_conversation(row)

    def get_conversation(self, id: str) -> Conversation:
        with self._read() as db:
            return to_conversation(writes.fetch_one(
                db, "SELECT * FROM conversations WHERE id = ?", (id,),
                writes.NO_CONVERSATION.format(id),
            ))

    def list_conversations(
        self, *, merchant: str, status: str | None = None, agent: str | None = None
    ) -> list[Conversation]:
        sql, params = "SELECT * FROM conversations WHERE merchant = ?", [merchant]
        if status is not None:
            sql, params = sql + " AND status = ?", params + [status]
        if agent is not None:
            sql, params = sql + " AND assigned_agent = ?", params + [agent]
        return [to_conversation(r) for r in self._rows(sql + " ORDER BY updated_at DESC, id", tuple(params))]

    def update_conversation(
        self,
        id: str,
        *,
        status: str | None = None,
        assigned_agent: str | None = None,
        assigned_group: str | None = None,
    ) -> Conversation:
        """Change the given fields (None leaves a field as it is)."""
        if status is not None and status not in CONVERSATION_STATUSES:
            raise BadRequest(f"unknown conversation status {status!r}; use one of {CONVERSATION_STATUSES}")
        with self._write() as db:
            row = db.execute(
                "UPDATE conversations SET status = COALESCE(?, status),"
                " assigned_agent = COALESCE(?, assigned_agent),"
                " assigned_group = COALESCE(?, assigned_group), updated_at = ?"
                " WHERE id = ? RETURNING *",
                (status, assigned_agent, assigned_group, time.time(), id),
            ).fetchone()
            if row is None:
                raise NotFound(writes.NO_CONVERSATION.format(id))
            return to_conversation(row)

    def add_message(
        self, conversation_id: str, *, role: str, text: str, sku_in_view: str | None = None
    ) -> Message:
        """Store a message; a customer message makes every pending suggestion stale."""
        if role not in MESSAGE_ROLES:
            raise BadRequest(f"unknown message role {role!r}; use one of {MESSAGE_ROLES}")
        with self._write() as db:
            return writes.insert_message(db, conversation_id, role, text, sku_in_view)

    def messages(self, conversation_id: str) -> list[Message]:
        rows = self._rows("SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq", (conversation_id,))
        return [to_message(r) for r in rows]

    # suggestions

    def create_suggestion(self, conversation_id: str, *, message_id: str) -> Suggestion:
        """A pending suggestion for `message_id`, or a stale one when the shopper wrote since."""
        with self._write() as db:
            message = writes.fetch_one(
                db, "SELECT seq FROM messages WHERE id = ? AND conversation_id = ?",
                (message_id, conversation_id),
                f"no message {message_id!r} in conversation {conversation_id!r}",
            )
            newer = db.execute(
                "SELECT 1 FROM messages WHERE conversation_id = ? AND role = 'customer' AND seq > ?",
                (conversation_id, message["seq"]),
            ).fetchone()
            return to_suggestion(db.execute(
                "INSERT INTO suggestions (id, conversation_id, message_id, status, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING *",
                (new_id("s"), conversation_id, message_id, "stale" if newer else "pending", time.time()),
            ).fetchone())

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
    ) -> Suggestion:
        """Record the finished draft and its unanswered questions (knowledge gaps); the status
        is left alone (a stale draft stays stale)."""
        now = time.time()
        with self._write() as db:
            row = db.execute(
                "UPDATE suggestions SET draft_text = ?, citations = ?, flags = ?, prompt_id = ?,"
                " prompt_version = ?, model = ?, timings = ?, finished_at = ? WHERE id = ? RETURNING *",
                (text, dumps(citations), dumps(flags), prompt_id, prompt_version, model,
                 dumps(timings), now, id),
            ).fetchone()
            if row is None:
                raise NotFound(f"no suggestion {id!r}")
            writes.insert_gaps(db, to_suggestion(row), gaps, now)
            return to_suggestion(row)

    def knowledge_gaps(self, merchant: str, *, limit: int = 200,
                       conversation_id: str | None = None) -> list[KnowledgeGap]:
        """The merchant's knowledge gaps (of one conversation, when named), newest first."""
        where, params = "merchant = ?", [merchant]
        if conversation_id is not None:
            where, params = where + " AND conversation_id = ?", params + [conversation_id]
        rows = self._rows(f"SELECT * FROM knowledge_gaps WHERE {where} ORDER BY created_at DESC, id DESC"
                          " LIMIT ?", (*params, limit))
        return [to_gap(r) for r in rows]

    def get_suggestion(self, id: str) -> Suggestion:
        with self._read() as db:
            return to_suggestion(writes.fetch_one(
                db, "SELECT * FROM suggestions WHERE id = ?", (id,), f"no suggestion {id!r}"
            ))

    def undrafted_suggestions(self) -> list[Suggestion]:
        """Pending suggestions whose draft never finished (the process stopped mid-assist)."""
        rows = self._rows("SELECT * FROM suggestions WHERE status = 'pending' AND finished_at IS NULL"
                          " ORDER BY created_at, id")
        return [to_suggestion(r) for r in rows]

    def suggestions(self, conversation_id: str) -> list[Suggestion]:
        rows = self._rows(
            "SELECT * FROM suggestions WHERE conversation_id = ? ORDER BY created_at, id", (conversation_id,)
        )
        return [to_suggestion(r) for r in rows]

    # approvals and rejections

    def approve(
        self, suggestion_id: str, *, agent: str, final_text: str | None = None, idempotency_key: str
    ) -> OutboxItem:
        """Approve a pending suggestion in one transaction; see `writes.approve`."""
        with self._write() as db:
            return writes.approve(
                db, suggestion_id, agent=agent, final_text=final_text, idempotency_key=idempotency_key
            )

    def reject(self, suggestion_id: str, *, agent: str, reason: str, idempotency_key: str) -> Rejection:
        """Reject a pending suggestion in one transaction; see `writes.reject`."""
        with self._write() as db:
            return writes.reject(db, suggestion_id, agent=agent, reason=reason, idempotency_key=idempotency_key)

    def get_approval(self, suggestion_id: str) -> Approval:
        with self._read() as db:
            return to_approval(writes.fetch_one(
                db, "SELECT * FROM approvals WHERE suggestion_id = ?", (suggestion_id,),
                f"suggestion {suggestion_id!r} has no approval",
            ))

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
    ) -> EscalationLabel:
        """Store what an agent or trainer taught about a message, with its audit row, in one
        transaction; see `writes.insert_escalation_label`."""
        with self._write() as db:
            return writes.insert_escalation_label(db, merchant, message=message, level=level, verdict=verdict,
                                                  source=source, actor=actor, suggestion_id=suggestion_id)

    def escalation_labels(self, merchant: str) -> list[EscalationLabel]:
        """The merchant's escalation labels, oldest first."""
        rows = self._rows("SELECT * FROM escalation_labels WHERE merchant = ? ORDER BY created_at, id", (merchant,))
        return [to_escalation_label(r) for r in rows]

    # events

    def append_event(self, conversation_id: str, type: str, body: dict[str, Any]) -> Event:
        with self._write() as db:
            now = time.time()
            writes.touch(db, conversation_id, now)
            return to_event(db.execute(
                "INSERT INTO events (conversation_id, seq, type, body, created_at) VALUES (?,"
                " (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE conversation_id = ?), ?, ?, ?)"
                " RETURNING *",
                (conversation_id, conversation_id, type, dumps(body), now),
            ).fetchone())

    def events_after(self, conversation_id: str, after_id: int | None) -> list[Event]:
        """The conversation's events with an id above `after_id` (all when None), in order."""
        rows = self._rows(
            "SELECT * FROM events WHERE conversation_id = ? AND id > ? ORDER BY id",
            (conversation_id, after_id or 0),
        )
        return [to_event(r) for r in rows]

    # outbox

    def due_outbox(self, limit: int, now: float) -> list[OutboxItem]:
        """Pending rows whose time has come, at most one per conversation (its oldest),
        so replies reach a shopper in the order they were approved."""
        rows = self._rows(
            "SELECT * FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= ?"
            " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation_id = o.conversation_id"
            " AND p.status = 'pending' AND p.id < o.id)"
            " ORDER BY o.next_attempt_at, o.id LIMIT ?",
            (now, limit),
        )
        return [to_outbox(r) for r in rows]

    def get_outbox(self, outbox_id: int) -> OutboxItem:
        with self._read() as db:
            return to_outbox(writes.fetch_one(
                db, "SELECT * FROM outbox WHERE id = ?", (outbox_id,), f"no outbox row {outbox_id}"
            ))

    def mark_delivered(self, outbox_id: int, *, local_text: str | None = None) -> bool:
        """Mark a row delivered; True if this call did it, False if it already was.

        With `local_text` (the local channel) the `deliveries` row is written in the same
        transaction; a second local delivery of one row is a `Conflict`.
        """
        now = time.time()
        with self._write() as db:
            item = to_outbox(writes.fetch_one(
                db, "SELECT * FROM outbox WHERE id = ?", (outbox_id,), f"no outbox row {outbox_id}"
            ))
            if local_text is not None:
                try:
                    db.execute(
                        "INSERT INTO deliveries (outbox_id, conversation_id, text, delivered_at)"
                        " VALUES (?, ?, ?, ?)",
                        (outbox_id, item.conversation_id, local_text, now),
                    )
                except sqlite3.IntegrityError as exc:
                    raise Conflict(f"outbox row {outbox_id} was already delivered; nothing to do") from exc
            return db.execute(
                "UPDATE outbox SET status = 'delivered', delivered_at = ?, attempts = attempts + 1,"
                " next_attempt_at = NULL, last_error = NULL WHERE id = ? AND status <> 'delivered'",
                (now, outbox_id),
            ).rowcount == 1

    def mark_failed_attempt(self, outbox_id: int, *, error: str, next_attempt_at: float | None) -> OutboxItem:
        """Record a failed attempt; `next_attempt_at=None` gives up (status `failed`)."""
        with self._write() as db:
            row = db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
                " status = CASE WHEN ? IS NULL THEN 'failed' ELSE status END"
                " WHERE id = ? AND status = 'pending' RETURNING *",
                (error, next_attempt_at, next_attempt_at, outbox_id),
            ).fetchone()
            if row is None:
                raise Conflict(f"outbox row {outbox_id} is not pending (or does not exist); nothing to retry")
            return to_outbox(row)

    def local_deliveries(self, conversation_id: str) -> list[Delivery]:
        rows = self._rows(
            "SELECT * FROM deliveries WHERE conversation_id = ? ORDER BY outbox_id", (conversation_id,)
        )
        return [Delivery(**dict(r)) for r in rows]

    # audit

    def audit(self, actor: str, action: str, target: str, detail: dict[str, Any]) -> AuditEntry:
        with self._write() as db:
            return writes.insert_audit(db, actor, action, target, detail)

    def audit_log(self, target: str | None = None) -> list[AuditEntry]:
        if target is None:
            return [to_audit(r) for r in self._rows("SELECT * FROM audit ORDER BY id")]
        return [to_audit(r) for r in self._rows("SELECT * FROM audit WHERE target = ? ORDER BY id", (target,))]

    # API keys

    def add_api_key(self, key_hash: str, *, role: str, merchant: str | None, label: str,
                    expires_at: float | None = None, actor: str = "system") -> ApiKey:
        """Store a key (its hash) and its audit row in one transaction."""
        if role not in ROLES:
            raise BadRequest(f"unknown role {role!r}; use one of {ROLES}")
        now = time.time()
        with self._write() as db:
            key = to_api_key(db.execute(
                "INSERT INTO api_keys (key_hash, role, merchant, label, created_at, revoked, expires_at)"
                " VALUES (?, ?, ?, ?, ?, FALSE, ?) RETURNING *",
                (key_hash, role, merchant, label, now, expires_at),
            ).fetchone())
            writes.insert_audit(db, actor, "api_key.add", f"api_key:{key.id}",
                                {"role": role, "merchant": merchant, "label": label, "expires_at": expires_at})
            return key

    def find_api_key(self, key_hash: str) -> ApiKey | None:
        rows = self._rows("SELECT * FROM api_keys WHERE key_hash = ?", (key_hash,))
        return to_api_key(rows[0]) if rows else None

    def api_keys(self) -> list[ApiKey]:
        return [to_api_key(r) for r in self._rows("SELECT * FROM api_keys ORDER BY created_at")]

    def revoke_api_key(self, key_id: str, *, actor: str) -> ApiKey:
        """Revoke the key whose id (`ApiKey.id`) is `key_id`, with its audit row; revoking a
        revoked key changes nothing."""
        now = time.time()
        with self._write() as db:
            rows = db.execute("SELECT * FROM api_keys WHERE substr(key_hash, 1, ?) = ?",
                              (len(key_id), key_id)).fetchall() if len(key_id) == KEY_ID_CHARS else []
            if not rows:
                raise NotFound(f"no API key with id {key_id!r}; `copilot keys list` shows the ids")
            key = to_api_key(rows[0])
            if key.revoked:
                return key
            revoked = to_api_key(db.execute("UPDATE api_keys SET revoked = TRUE, revoked_at = ? WHERE key_hash = ?"
                                            " RETURNING *", (now, key.key_hash)).fetchone())
            writes.insert_audit(db, actor, "api_key.revoke", f"api_key:{key.id}",
                                {"role": key.role, "merchant": key.merchant, "label": key.label})
            return revoked
