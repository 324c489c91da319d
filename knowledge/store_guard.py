"""The vector store's failures as `StoreUnavailable` (503 with Retry-After), and a breaker
that keeps writes out of a store that just failed.

A write is refused before it reaches Chroma when the disk holding the embedded store has
less than `min_free_bytes` free, or while the breaker is open: after the store failed (a
write, or a read: a store that fails to read is failing), no write enters Chroma for
`rest_s` (default `COOL_DOWN_S`; a store that failed mid-write may fail or stall again); the
first write after that probes it, and a success closes the breaker. Reads always go
through. The requests that do not need the store (`/healthz`, the ledger's) never wait on it.
"""
from __future__ import annotations

import functools
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from chromadb.errors import ChromaError

from copilot.errors import StoreUnavailable

COOL_DOWN_S = 30.0
READ_RETRY_S = 5
STORE_ERRORS = (ChromaError, OSError, sqlite3.Error)
F = TypeVar("F", bound=Callable[..., Any])


class StoreGuard:
    def __init__(self, *, path: Path | None, min_free_bytes: int, rest_s: float = COOL_DOWN_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`path`: where the embedded store writes (None: a Chroma server, whose disk is its own);
        `rest_s`: how long writes stay out after a failed one."""
        self.path = path
        self.min_free_bytes = min_free_bytes
        self.rest_s = rest_s
        self._clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    def before_write(self) -> None:
        with self._lock:
            wait = self._open_until - self._clock()
        if wait > 0:
            raise StoreUnavailable("the knowledge store failed a moment ago and is resting; "
                                   "nothing was changed, try again", retry_after=int(wait) + 1)
        if self.path is not None:
            free = shutil.disk_usage(self.path).free
            if free < self.min_free_bytes:
                raise StoreUnavailable(
                    f"the disk holding the knowledge store is full ({free // 2**20} MB free, "
                    f"{self.min_free_bytes // 2**20} MB needed); nothing was changed, free some space",
                    retry_after=int(COOL_DOWN_S))

    def failed(self) -> None:
        with self._lock:
            self._open_until = self._clock() + self.rest_s

    def wrote(self) -> None:
        with self._lock:
            self._open_until = 0.0


def guarded_write(method: F) -> F:
    """A `VectorIndex` write: refused while the guard says so; a store error opens the breaker."""
    @functools.wraps(method)
    def write(self, *args, **kwargs):
        self.guard.before_write()
        try:
            result = method(self, *args, **kwargs)
        except STORE_ERRORS as err:
            self.guard.failed()
            raise StoreUnavailable(f"the knowledge store failed to write ({err}); try again",
                                   retry_after=int(self.guard.rest_s) + 1) from err
        self.guard.wrote()
        return result
    return write  # type: ignore[return-value]


def guarded_read(method: F) -> F:
    """A `VectorIndex` read: a store error is `StoreUnavailable` (and rests the writes)."""
    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except STORE_ERRORS as err:
            self.guard.failed()
            raise read_failure(err) from err
    return read  # type: ignore[return-value]


def read_failure(err: Exception) -> StoreUnavailable:
    """What a failed read of the store answers."""
    return StoreUnavailable(f"the knowledge store failed to read ({err}); try again", retry_after=READ_RETRY_S)
