"""The workspace half of the SQLite ledger (`copilot.ledger.workspace`): mixed into
`SqliteLedger`, sharing its connection, lock and `BEGIN IMMEDIATE` writes."""
from __future__ import annotations

import time

from copilot.ledger import Event, OutboxItem
from copilot.ledger import writes
from copilot.ledger.rows import to_event
from copilot.ledger.workspace import Note, QueueRow, WaitLimits

_ANSWERED_SEQ = ("COALESCE((SELECT MAX(r.seq) FROM messages r WHERE r.conversation_id = c.id"
                 " AND r.role = 'agent'), 0)")
_QUEUE = (
    "SELECT c.id, c.merchant, c.shopper, c.status, c.assigned_agent, c.assigned_group, c.created_at,"
    " l.text AS last_message, l.role AS last_role, l.created_at AS last_at,"
    f" (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.role = 'customer'"
    f"  AND m.seq > {_ANSWERED_SEQ}) AS unanswered,"
    f" (SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.role = 'customer'"
    f"  AND m.seq > {_ANSWERED_SEQ}) AS waiting_since"
    " FROM conversations c LEFT JOIN messages l ON l.conversation_id = c.id"
    "  AND l.seq = (SELECT MAX(seq) FROM messages WHERE conversation_id = c.id)"
    " WHERE c.merchant = ?"
)
EVENTS_PER_READ = 500


class SqliteWorkspace:
    def queue(self, merchant: str, *, include_closed: bool = False) -> list[QueueRow]:
        """The merchant's conversations, escalated first, then the latest activity first."""
        sql = _QUEUE + ("" if include_closed else " AND c.status <> 'closed'")
        rows = [QueueRow(**dict(r)) for r in self._rows(sql, (merchant,))]
        return sorted(rows, key=lambda r: (r.status != "escalated", -(r.last_at or r.created_at), r.id))

    def last_event_id(self, merchant: str) -> int:
        row = self._rows("SELECT COALESCE(MAX(e.id), 0) AS id FROM events e JOIN conversations c"
                         " ON c.id = e.conversation_id WHERE c.merchant = ?", (merchant,))
        return int(row[0]["id"])

    def events_of_merchant(self, merchant: str, after_id: int, *, limit: int = EVENTS_PER_READ) -> list[Event]:
        """Up to `limit` events of the merchant's conversations with an id above `after_id`, in order."""
        rows = self._rows(
            "SELECT e.* FROM events e JOIN conversations c ON c.id = e.conversation_id"
            " WHERE c.merchant = ? AND e.id > ? ORDER BY e.id LIMIT ?", (merchant, after_id, limit))
        return [to_event(r) for r in rows]

    def agent_reply(self, conversation_id: str, *, agent: str, text: str, idempotency_key: str) -> OutboxItem:
        """A reply the agent wrote, in one transaction; see `writes.agent_reply`."""
        with self._write() as db:
            return writes.agent_reply(db, conversation_id, agent=agent, text=text,
                                      idempotency_key=idempotency_key)

    def add_note(self, conversation_id: str, *, author: str, text: str) -> Note:
        with self._write() as db:
            writes.fetch_one(db, "SELECT id FROM conversations WHERE id = ?", (conversation_id,),
                             writes.NO_CONVERSATION.format(conversation_id))
            row = db.execute("INSERT INTO notes (conversation_id, author, text, created_at)"
                             " VALUES (?, ?, ?, ?) RETURNING *",
                             (conversation_id, author, text, time.time())).fetchone()
            writes.insert_audit(db, author, "conversation.note", conversation_id, {"note_id": row["id"]})
            return Note(**dict(row))

    def notes(self, conversation_id: str) -> list[Note]:
        return [Note(**dict(r)) for r in self._rows(
            "SELECT * FROM notes WHERE conversation_id = ? ORDER BY id", (conversation_id,))]

    def shopper_conversations(self, merchant: str, shopper: str) -> list[QueueRow]:
        """Every conversation of one shopper with the merchant, the latest first."""
        rows = [QueueRow(**dict(r)) for r in self._rows(_QUEUE + " AND c.shopper = ?", (merchant, shopper))]
        return sorted(rows, key=lambda r: -(r.last_at or r.created_at))

    def wait_limits(self, merchant: str) -> WaitLimits:
        row = self._rows("SELECT amber_s, red_s FROM wait_limits WHERE merchant = ?", (merchant,))
        return WaitLimits(**dict(row[0])) if row else WaitLimits()

    def set_wait_limits(self, merchant: str, limits: WaitLimits, *, actor: str) -> WaitLimits:
        with self._write() as db:
            db.execute(
                "INSERT INTO wait_limits (merchant, amber_s, red_s, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (merchant) DO UPDATE SET amber_s = excluded.amber_s, red_s = excluded.red_s,"
                " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (merchant, limits.amber_s, limits.red_s, actor, time.time()))
            writes.insert_audit(db, actor, "wait_limits.set", merchant,
                                {"amber_s": limits.amber_s, "red_s": limits.red_s})
        return limits
