"""`RoutingStore` on the SQLite ledger: mixed into `SqliteLedger`, sharing its connection,
lock and `BEGIN IMMEDIATE` writes.

Choosing an agent happens inside the write that assigns the conversation, so two
assignments cannot both see the same agent as least loaded.
"""
from __future__ import annotations

import json
import sqlite3
import time

from copilot.errors import BadRequest, NotFound
from copilot.escalation import Thresholds
from copilot.ledger import writes
from copilot.ledger.routing import Agent, AgentGroup, Move, QueueItem
from copilot.ledger.rows import dumps, to_conversation

_LOAD = ("(SELECT COUNT(*) FROM conversations c WHERE c.merchant = a.merchant"
         " AND c.assigned_agent = a.id AND c.status <> 'closed')")
# Fewest open conversations; then idle longest (earliest last assignment, never first); then id.
_LEAST_LOADED = (f"SELECT a.id FROM agents a WHERE a.merchant = ? AND a.group_id = ? AND a.online"
                 f" ORDER BY {_LOAD}, COALESCE(a.last_assigned_at, 0), a.id LIMIT 1")
_AGENTS = f"SELECT a.*, {_LOAD} AS load FROM agents a WHERE a.merchant = ?"
_QUEUE = (
    "SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id"
    " AND m.role = 'customer' AND m.seq > COALESCE((SELECT MAX(r.seq) FROM messages r"
    " WHERE r.conversation_id = c.id AND r.role = 'agent'), 0)) AS unread,"
    " (SELECT m.text FROM messages m WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1)"
    " AS last_message FROM conversations c WHERE c.merchant = ? AND c.assigned_agent = ?"
    " AND c.status <> 'closed'"
    " ORDER BY CASE WHEN c.status = 'escalated' THEN 0 ELSE 1 END, c.updated_at DESC, c.id"
)


def _no_group(merchant: str, group: str) -> str:
    return (f"no agent group {group!r} for merchant {merchant!r}; "
            f"create it first with POST /v1/merchants/{merchant}/groups")


def _group(r: sqlite3.Row) -> AgentGroup:
    return AgentGroup(merchant=r["merchant"], id=r["id"], name=r["name"], skills=json.loads(r["skills"]),
                      senior=bool(r["senior"]), default=bool(r["is_default"]), created_at=r["created_at"])


def _agent(r: sqlite3.Row) -> Agent:
    return Agent(merchant=r["merchant"], id=r["id"], name=r["name"], group=r["group_id"],
                 online=bool(r["online"]), load=r["load"], last_assigned_at=r["last_assigned_at"],
                 created_at=r["created_at"])


def _move(r: sqlite3.Row) -> Move:
    return Move(id=r["id"], merchant=r["merchant"], conversation_id=r["conversation_id"],
                from_agent=r["from_agent"], to_agent=r["to_agent"], group=r["group_id"],
                escalated=bool(r["escalated"]), reasons=json.loads(r["reasons"]),
                created_at=r["created_at"])


class SqliteRouting:
    """Needs the host's `_write()` context, `_rows(sql, params)` and `_lock`/`_conn`."""

    # escalation thresholds

    def get_thresholds(self, merchant: str) -> Thresholds | None:
        rows = self._rows("SELECT * FROM escalation_thresholds WHERE merchant = ?", (merchant,))
        if not rows:
            return None
        return Thresholds(escalate_level=rows[0]["escalate_level"],
                          level_cutoffs=tuple(json.loads(rows[0]["level_cutoffs"])))

    def set_thresholds(self, merchant: str, thresholds: Thresholds, *, actor: str) -> Thresholds:
        cutoffs = list(thresholds.level_cutoffs)
        with self._write() as db:
            db.execute(
                "INSERT INTO escalation_thresholds (merchant, escalate_level, level_cutoffs, updated_by,"
                " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (merchant) DO UPDATE SET"
                " escalate_level = excluded.escalate_level, level_cutoffs = excluded.level_cutoffs,"
                " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (merchant, thresholds.escalate_level, dumps(cutoffs), actor, time.time()),
            )
            writes.insert_audit(db, actor, "escalation.thresholds", merchant,
                                {"escalate_level": thresholds.escalate_level, "level_cutoffs": cutoffs})
        return thresholds

    # groups and agents

    def put_group(self, merchant: str, *, id: str, name: str, skills: list[str], senior: bool,
                  default: bool) -> AgentGroup:
        """Create or replace a group; a new default group takes the mark from the old one."""
        with self._write() as db:
            if default:
                db.execute("UPDATE agent_groups SET is_default = FALSE WHERE merchant = ?", (merchant,))
            return _group(db.execute(
                "INSERT INTO agent_groups (merchant, id, name, skills, senior, is_default, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (merchant, id) DO UPDATE SET"
                " name = excluded.name, skills = excluded.skills, senior = excluded.senior,"
                " is_default = excluded.is_default RETURNING *",
                (merchant, id, name, dumps(skills), senior, default, time.time()),
            ).fetchone())

    def groups(self, merchant: str) -> list[AgentGroup]:
        rows = self._rows("SELECT * FROM agent_groups WHERE merchant = ? ORDER BY created_at, id", (merchant,))
        return [_group(r) for r in rows]

    def put_agent(self, merchant: str, *, id: str, name: str, group: str, online: bool) -> Agent:
        """Create or replace an agent (its assignments and idle time stay)."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM agent_groups WHERE merchant = ? AND id = ?",
                          (merchant, group)).fetchone() is None:
                raise BadRequest(f"group: {_no_group(merchant, group)}")
            db.execute(
                "INSERT INTO agents (merchant, id, name, group_id, online, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (merchant, id) DO UPDATE SET"
                " name = excluded.name, group_id = excluded.group_id, online = excluded.online",
                (merchant, id, name, group, online, time.time()),
            )
        return self.get_agent(merchant, id)

    def get_agent(self, merchant: str, id: str) -> Agent:
        rows = self._rows(_AGENTS + " AND a.id = ?", (merchant, id))
        if not rows:
            raise NotFound(f"no agent {id!r} for merchant {merchant!r}; "
                           f"add it with POST /v1/merchants/{merchant}/agents")
        return _agent(rows[0])

    def agents(self, merchant: str, *, group: str | None = None) -> list[Agent]:
        if group is None:
            return [_agent(r) for r in self._rows(_AGENTS + " ORDER BY a.group_id, a.id", (merchant,))]
        return [_agent(r) for r in self._rows(_AGENTS + " AND a.group_id = ? ORDER BY a.id", (merchant, group))]

    def set_agent_online(self, merchant: str, id: str, online: bool) -> Agent:
        with self._write() as db:
            if not db.execute("UPDATE agents SET online = ? WHERE merchant = ? AND id = ?",
                              (online, merchant, id)).rowcount:
                raise NotFound(f"no agent {id!r} for merchant {merchant!r}; "
                               f"add it with POST /v1/merchants/{merchant}/agents")
        return self.get_agent(merchant, id)

    # assignment

    def assign(self, conversation_id: str, *, group: str, reasons: list[str], escalate: bool,
               actor: str, agent: str | None = None) -> Move:
        """Give the conversation to `agent` (one of `group`'s) when named, else to the least-loaded
        online agent of `group` (of the conversation's own merchant), or queue it on the group
        when none is online; `escalate` also sets the status `escalated`. Logged as a move and
        in the audit."""
        now = time.time()
        with self._write() as db:
            conv = to_conversation(writes.fetch_one(
                db, "SELECT * FROM conversations WHERE id = ?", (conversation_id,),
                writes.NO_CONVERSATION.format(conversation_id)))
            writes.fetch_one(db, "SELECT 1 FROM agent_groups WHERE merchant = ? AND id = ?",
                             (conv.merchant, group), _no_group(conv.merchant, group))
            if agent is not None:
                to_agent = writes.fetch_one(
                    db, "SELECT id FROM agents WHERE merchant = ? AND group_id = ? AND id = ?",
                    (conv.merchant, group, agent), f"no agent {agent!r} in group {group!r}")["id"]
            else:
                picked = db.execute(_LEAST_LOADED, (conv.merchant, group)).fetchone()
                to_agent = picked["id"] if picked else None
            db.execute(
                "UPDATE conversations SET assigned_group = ?, assigned_agent = ?,"
                " status = CASE WHEN ? THEN 'escalated' ELSE status END, updated_at = ? WHERE id = ?",
                (group, to_agent, escalate, now, conversation_id))
            if to_agent is not None:
                db.execute("UPDATE agents SET last_assigned_at = ? WHERE merchant = ? AND id = ?",
                           (now, conv.merchant, to_agent))
            move = _move(db.execute(
                "INSERT INTO routing_moves (merchant, conversation_id, from_agent, to_agent, group_id,"
                " escalated, reasons, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (conv.merchant, conversation_id, conv.assigned_agent, to_agent, group, escalate,
                 dumps(reasons), now)).fetchone())
            writes.insert_audit(db, actor, "conversation.escalate" if escalate else "conversation.assign",
                                conversation_id, move.to_dict())
            return move

    def queued(self, merchant: str, group: str) -> list[str]:
        """Conversations waiting on the group for an agent, oldest first."""
        rows = self._rows(
            "SELECT id FROM conversations WHERE merchant = ? AND assigned_group = ?"
            " AND assigned_agent IS NULL AND status <> 'closed' ORDER BY created_at, id", (merchant, group))
        return [r["id"] for r in rows]

    def moves(self, merchant: str, *, agent: str, limit: int) -> list[Move]:
        """The latest moves that took a conversation to or away from the agent, newest first."""
        rows = self._rows(
            "SELECT * FROM routing_moves WHERE merchant = ? AND (from_agent = ? OR to_agent = ?)"
            " ORDER BY id DESC LIMIT ?", (merchant, agent, agent, limit))
        return [_move(r) for r in rows]

    def agent_queue(self, merchant: str, agent: str) -> list[QueueItem]:
        """The agent's conversations that are not closed: escalated first, then latest first."""
        return [QueueItem(conversation_id=r["id"], shopper=r["shopper"], channel=r["channel"],
                          status=r["status"], group=r["assigned_group"], unread=r["unread"],
                          last_message=r["last_message"], created_at=r["created_at"],
                          updated_at=r["updated_at"])
                for r in self._rows(_QUEUE, (merchant, agent))]
