"""What AI trainers keep in the ledger file: prompt versions, each merchant's active
prompt (and A/B split), eval sets and eval runs (migration 0003).

`SqliteTrainerStore` opens its own connection to the ledger's SQLite file (WAL lets
it sit beside `SqliteLedger`'s); the SQL is portable like the ledger's. Every change
of an active prompt is audited in the same transaction.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from copilot.errors import Conflict, NotFound
from copilot.ledger.connection import SqliteConnection
from copilot.ledger.rows import dumps, new_id
from copilot.ledger.writes import insert_audit



@dataclass(frozen=True)
class PromptVersion:
    task: str
    version: int
    body: str
    author: str
    created_at: float
    merchant: str | None = None      # the merchant it belongs to; None: shared with every merchant


@dataclass(frozen=True)
class ActivePrompt:
    merchant: str
    task: str
    version: int
    previous_version: int | None
    ab_version: int | None
    ab_ratio: float | None
    updated_by: str
    updated_at: float


@dataclass(frozen=True)
class EvalSet:
    merchant: str
    name: str
    body: str
    cases: int
    author: str
    created_at: float


@dataclass(frozen=True)
class EvalRun:
    id: str
    merchant: str
    eval_set: str
    prompts: dict[str, Any]
    status: str
    done: int
    total: int
    summary: dict[str, Any] | None
    error: str | None
    author: str
    created_at: float
    finished_at: float | None


@dataclass(frozen=True)
class Outcome:
    """One finished suggestion drafted with a prompt, and what the agent did with it."""

    prompt_id: str
    draft_text: str
    finished_at: float | None
    approved_text: str | None
    edited: bool | None
    approved_at: float | None
    rejection_reason: str | None
    conversation_escalated: bool


class SqliteTrainerStore(SqliteConnection):
    """Prompt versions, active prompts and A/B splits, eval sets and runs, on the ledger file."""

    # prompt versions

    def add_prompt_version(self, *, task: str, version: int, body: str, author: str,
                           merchant: str | None) -> PromptVersion:
        with self._write() as db:
            if db.execute("SELECT 1 FROM prompt_versions WHERE task = ? AND version = ?",
                          (task, version)).fetchone():
                raise Conflict(f"prompt {task}@{version} already exists; versions are never overwritten, "
                               "post a new version instead")
            row = db.execute(
                "INSERT INTO prompt_versions (task, version, body, author, created_at, merchant)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING *", (task, version, body, author, time.time(), merchant),
            ).fetchone()
            insert_audit(db, author, "prompt.create", f"{task}@{version}", {"merchant": merchant})
            return PromptVersion(**dict(row))

    def share_prompt_version(self, *, task: str, version: int, actor: str) -> PromptVersion:
        """Make a stored version shared with every merchant (audited)."""
        with self._write() as db:
            row = db.execute("UPDATE prompt_versions SET merchant = NULL WHERE task = ? AND version = ?"
                             " RETURNING *", (task, version)).fetchone()
            if row is None:
                raise NotFound(f"no stored version {version} of prompt {task!r}")
            insert_audit(db, actor, "prompt.share", f"{task}@{version}", {})
            return PromptVersion(**dict(row))

    def prompt_versions(self, task: str | None = None) -> list[PromptVersion]:
        if task is None:
            rows = self._rows("SELECT * FROM prompt_versions ORDER BY task, version")
        else:
            rows = self._rows("SELECT * FROM prompt_versions WHERE task = ? ORDER BY version", (task,))
        return [PromptVersion(**dict(r)) for r in rows]

    # active prompts

    def active_prompt(self, merchant: str, task: str) -> ActivePrompt | None:
        rows = self._rows("SELECT * FROM active_prompts WHERE merchant = ? AND task = ?", (merchant, task))
        return ActivePrompt(**dict(rows[0])) if rows else None

    def active_prompts(self, merchant: str) -> list[ActivePrompt]:
        rows = self._rows("SELECT * FROM active_prompts WHERE merchant = ? ORDER BY task", (merchant,))
        return [ActivePrompt(**dict(r)) for r in rows]

    def set_active(self, *, merchant: str, task: str, version: int, previous_version: int | None,
                   ab_version: int | None, ab_ratio: float | None, actor: str, action: str,
                   detail: dict[str, Any]) -> ActivePrompt:
        """Replace the merchant's configuration for `task`; audited as `action` with `detail`."""
        with self._write() as db:
            row = db.execute(
                "INSERT INTO active_prompts (merchant, task, version, previous_version, ab_version,"
                " ab_ratio, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (merchant, task) DO UPDATE SET version = excluded.version,"
                " previous_version = excluded.previous_version, ab_version = excluded.ab_version,"
                " ab_ratio = excluded.ab_ratio, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at RETURNING *",
                (merchant, task, version, previous_version, ab_version, ab_ratio, actor, time.time()),
            ).fetchone()
            insert_audit(db, actor, action, f"{merchant}/{task}", detail)
            return ActivePrompt(**dict(row))

    def outcomes(self, merchant: str, task: str) -> list[Outcome]:
        """Every finished suggestion of `merchant` drafted with a version of `task`."""
        rows = self._rows(
            "SELECT s.prompt_id, s.draft_text, s.finished_at, a.final_text AS approved_text, a.edited,"
            " a.created_at AS approved_at, r.reason AS rejection_reason,"
            " c.status = 'escalated' AS conversation_escalated"
            " FROM suggestions s JOIN conversations c ON c.id = s.conversation_id"
            " LEFT JOIN approvals a ON a.suggestion_id = s.id"
            " LEFT JOIN rejections r ON r.suggestion_id = s.id"
            " WHERE c.merchant = ? AND s.prompt_id LIKE ? AND s.draft_text IS NOT NULL"
            " ORDER BY s.created_at",
            (merchant, f"{task}@%"),
        )
        return [Outcome(**{**dict(r), "edited": None if r["edited"] is None else bool(r["edited"]),
                           "conversation_escalated": bool(r["conversation_escalated"])}) for r in rows]

    # eval sets

    def put_eval_set(self, *, merchant: str, name: str, body: str, cases: int, author: str) -> EvalSet:
        """Store (or replace) an eval set."""
        with self._write() as db:
            row = db.execute(
                "INSERT INTO eval_sets (merchant, name, body, cases, author, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (merchant, name) DO UPDATE SET body = excluded.body,"
                " cases = excluded.cases, author = excluded.author, created_at = excluded.created_at"
                " RETURNING *", (merchant, name, body, cases, author, time.time()),
            ).fetchone()
            insert_audit(db, author, "evalset.upload", f"{merchant}/{name}", {"cases": cases})
            return EvalSet(**dict(row))

    def eval_sets(self, merchant: str) -> list[EvalSet]:
        return [EvalSet(**dict(r)) for r in
                self._rows("SELECT * FROM eval_sets WHERE merchant = ? ORDER BY name", (merchant,))]

    def get_eval_set(self, merchant: str, name: str) -> EvalSet:
        rows = self._rows("SELECT * FROM eval_sets WHERE merchant = ? AND name = ?", (merchant, name))
        if not rows:
            known = ", ".join(s.name for s in self.eval_sets(merchant)) or "none yet"
            raise NotFound(f"merchant {merchant!r} has no eval set {name!r} (known: {known}); upload it first")
        return EvalSet(**dict(rows[0]))

    # eval runs

    def create_run(self, *, merchant: str, eval_set: str, prompts: dict[str, Any], total: int,
                   author: str) -> EvalRun:
        with self._write() as db:
            return _run(db.execute(
                "INSERT INTO eval_runs (id, merchant, eval_set, prompts, status, done, total, author,"
                " created_at) VALUES (?, ?, ?, ?, 'running', 0, ?, ?, ?) RETURNING *",
                (new_id("run"), merchant, eval_set, dumps(prompts), total, author, time.time()),
            ).fetchone())

    def run_progress(self, run_id: str, done: int) -> None:
        with self._write() as db:
            db.execute("UPDATE eval_runs SET done = ? WHERE id = ?", (done, run_id))

    def end_run(self, run_id: str, *, summary: dict[str, Any] | None, error: str | None) -> EvalRun:
        status = "failed" if error else "finished"
        with self._write() as db:
            return _run(db.execute(
                "UPDATE eval_runs SET status = ?, summary = ?, error = ?, finished_at = ?,"
                " done = CASE WHEN ? = 'finished' THEN total ELSE done END WHERE id = ? RETURNING *",
                (status, None if summary is None else dumps(summary), error, time.time(), status, run_id),
            ).fetchone())

    def get_run(self, run_id: str) -> EvalRun:
        rows = self._rows("SELECT * FROM eval_runs WHERE id = ?", (run_id,))
        if not rows:
            raise NotFound(f"no eval run {run_id!r}; start one with POST .../evalsets/{{name}}/runs")
        return _run(rows[0])


def _run(row: sqlite3.Row) -> EvalRun:
    d = dict(row)
    d["prompts"] = json.loads(d["prompts"])
    d["summary"] = None if d["summary"] is None else json.loads(d["summary"])
    return EvalRun(**d)
