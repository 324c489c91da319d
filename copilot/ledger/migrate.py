"""Schema migrations for the SQLite ledger.

Migrations are the files `migrations/NNNN_name.sql`, applied in number order. The
`schema_version` table records each applied number. `apply_migrations` runs every
pending file and its `schema_version` row in one `BEGIN IMMEDIATE` transaction, so
a failed migration leaves the schema as it was, two processes opening the same fresh
file do not both migrate it, and reopening a migrated file changes nothing.
"""
from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from importlib import resources

from copilot.errors import ConfigError

MIGRATIONS_PACKAGE = "copilot.ledger"
MIGRATIONS_DIR = "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The shipped migrations, in order; numbers must be unique."""
    found: dict[int, Migration] = {}
    for entry in (resources.files(MIGRATIONS_PACKAGE) / MIGRATIONS_DIR).iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        version = int(match.group(1))
        if version in found:
            raise ConfigError(
                f"two ledger migrations are numbered {version:04d}: {found[version].name} and "
                f"{match.group(2)}; renumber one of them"
            )
        found[version] = Migration(version, match.group(2), entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def _statements(sql: str) -> list[str]:
    """Split a script into complete statements (trigger bodies stay whole)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not _only_comments(buffer):
        raise ConfigError(f"a ledger migration ends with an incomplete statement: {buffer.strip()!r}")
    return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def apply_migrations(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations on an autocommit connection; returns the versions applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
    )
    conn.execute("BEGIN IMMEDIATE")
    try:
        applied = {row[0] for row in conn.execute("SELECT version FROM schema_version")}
        newly = []
        for migration in load_migrations():
            if migration.version in applied:
                continue
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, time.time()),
            )
            newly.append(migration.version)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return newly
