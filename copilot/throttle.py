"""Throttling of failed authentication per client: key guessing gets slow answers of 429.

Each client (its address) may fail `LIMIT` times within `WINDOW_S` seconds; beyond that,
every request it makes with a key is refused with 429 and Retry-After until the oldest
failure leaves the window. In-process: each API node counts its own clients.
"""
from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from copilot.errors import TooManyRequests

LIMIT = 20
WINDOW_S = 60.0
MAX_CLIENTS = 100_000     # beyond this many tracked clients, the quietest are forgotten


class FailedAuthThrottle:
    def __init__(self, *, limit: int = LIMIT, window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise `TooManyRequests` if the client has failed too often lately."""
        with self._lock:
            if client not in self._failures:
                return                    # no failure on record: nothing to keep for it
            failures = self._recent(client)
            if len(failures) >= self.limit:
                wait = math.ceil(failures[0] + self.window_s - self._clock())
                raise TooManyRequests(
                    f"too many failed authentications from this client; retry in {wait}s", retry_after=wait)

    def failed(self, client: str) -> None:
        with self._lock:
            if len(self._failures) >= MAX_CLIENTS and client not in self._failures:
                oldest = min(self._failures, key=lambda c: self._failures[c][-1] if self._failures[c] else 0)
                del self._failures[oldest]
            self._recent(client).append(self._clock())

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures[client]
        cutoff = self._clock() - self.window_s
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures
