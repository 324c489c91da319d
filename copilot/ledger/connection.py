"""One SQLite connection to the ledger file: WAL, migrations applied at open, a lock, and
`BEGIN IMMEDIATE` write transactions. The ledger and the trainer store both stand on it.

A file another process holds longer than `BUSY_TIMEOUT_S`, a full disk or an I/O error is
`StoreUnavailable` (503 with Retry-After over HTTP), with the transaction rolled back:
nothing is half-written, and the caller may try again.
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from copilot.errors import StoreUnavailable
from copilot.ledger.migrate import apply_migrations

BUSY_TIMEOUT_S = 5.0
RETRY_AFTER_S = 5
# What SQLite says when the file is held, full or failing: the store, not the request, is at fault.
_UNAVAILABLE = ("locked", "busy", "disk is full", "disk i/o", "unable to open", "readonly database")


class SqliteConnection:
    def __init__(self, *, path: Path | str, busy_timeout: float = BUSY_TIMEOUT_S):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        apply_migrations(self._conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _unavailable_on_store_errors():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _unavailable_on_store_errors():
            yield self._conn

    def _rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._read() as db:
            return db.execute(sql, params).fetchall()


@contextmanager
def _unavailable_on_store_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as err:
        if not any(words in str(err).lower() for words in _UNAVAILABLE):
            raise
        raise StoreUnavailable(f"the ledger is unavailable ({err}); nothing was changed, try again",
                               retry_after=RETRY_AFTER_S) from err
