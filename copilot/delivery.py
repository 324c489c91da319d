"""Delivering approved replies: the channel protocol and the outbox sender.

The exactly-once contract
-------------------------
- `Ledger.approve` writes the outbox row in the same transaction as the approval, so
  an approved reply is never lost: a crash between approval and delivery leaves a
  `pending` row, which the next sender (after a restart) sends.
- The sender sends a due row, then marks it delivered. A crash (or a lost ack) after
  the receiver got the request but before `mark_delivered` leaves the row `pending`,
  and it is sent again with the SAME `Idempotency-Key` (the row's `idempotency_key`,
  fixed at approval and also in the JSON body). Receivers MUST de-duplicate on that
  key: the transport is at-least-once, the effect is exactly once.
- The local channel delivers by writing the `deliveries` row and the `delivered`
  status in one transaction; its UNIQUE `outbox_id` makes a second delivery
  impossible, so it is exactly once without help from anyone.
- Two senders on one ledger (two processes) may both send a row; the key makes that
  harmless too, and `mark_delivered` is idempotent.
- Nothing that matters is kept in memory: every attempt, error and next-attempt time
  is in the ledger, so any number of restarts pick up where the last one stopped.
- Failed attempts are retried with exponential backoff (with jitter) up to
  `max_attempts`; then the row is `failed` and waits for a person.
- At most one row per conversation is in flight (its oldest pending one), so
  replies reach a shopper in the order they were approved.
- The attempt that delivers a row (its channel recorded the delivery, or its
  `mark_delivered` made the row delivered) announces it: a `delivery` event on the
  conversation's event log, then to live subscribers (`emit`, the assist service's).
  A failed attempt, a re-send of a delivered row and another sender's late
  attempt announce nothing, so each delivered reply has one `delivery` event
  (none when the process stops between marking the row and logging the event).
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from copilot.errors import ConfigError, Conflict, CopilotError
from copilot.ledger import Ledger, OutboxItem

DEFAULT_POLL_INTERVAL = 0.2
DEFAULT_BACKOFF_BASE = 0.5
DEFAULT_BACKOFF_MAX = 30.0
DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_BATCH_SIZE = 20

log = logging.getLogger(__name__)


class Channel(Protocol):
    """Where approved replies go. `send` returns once the receiver has the reply and
    raises (`UpstreamError`) otherwise; it may be called again for the same item. It
    returns True when it marked the row delivered in the ledger itself (the local
    channel, in the transaction of its `deliveries` row), else None."""

    name: str

    async def send(self, item: OutboxItem) -> bool | None: ...


def backoff_delay(attempts: int, *, base: float, cap: float) -> float:
    """Seconds to wait after the `attempts`-th failure: base·2^(attempts-1), at most
    `cap`, scaled by a random factor in [0.5, 1] so senders do not retry in step."""
    return min(cap, base * 2 ** (attempts - 1)) * random.uniform(0.5, 1.0)


class OutboxSender:
    """Sends due outbox rows through their channels; all state lives in the ledger.
    `emit(conversation_id, type, body)` announces each delivery (`AssistService.emit`:
    the event log first, then live subscribers); without it nothing is announced."""

    def __init__(
        self,
        *,
        ledger: Ledger,
        channels: Mapping[str, Channel],
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        clock: Callable[[], float] = time.time,
        emit: Callable[[str, str, dict[str, Any]], Any] | None = None,
    ):
        self.ledger = ledger
        self.emit = emit
        self.channels = dict(channels)
        self.poll_interval = poll_interval
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.clock = clock
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Look for due rows now rather than at the next poll (call it after an approval).
        Safe from any thread; before `run_forever` has started it does nothing."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run_forever(self) -> None:
        """Poll and send until cancelled; a failed pass is logged and retried."""
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                delivered = await self.run_once()
            except Exception:
                log.exception("outbox pass failed; retrying in %.1fs", self.poll_interval)
                delivered = 0
            if not delivered:
                await self._idle()

    async def _idle(self) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), self.poll_interval)
        except TimeoutError:
            pass
        self._wake.clear()

    async def run_once(self) -> int:
        """Try every due row once (concurrently, one per conversation); returns how
        many were delivered."""
        items = await asyncio.to_thread(self.ledger.due_outbox, self.batch_size, self.clock())
        results = await asyncio.gather(*(self._deliver(item) for item in items))
        return sum(results)

    async def _deliver(self, item: OutboxItem) -> bool:
        try:
            recorded = await self._channel(item).send(item)
        except Exception as exc:
            await asyncio.to_thread(self._record_failure, item, exc)
            return False
        try:
            # False: another sender marked it meanwhile, and announces it
            delivered_now = recorded is True or await asyncio.to_thread(self.ledger.mark_delivered, item.id)
        except Exception:
            # The receiver has it; the row stays pending and is re-sent with the same key.
            log.exception("outbox %s sent but not marked delivered; it will be re-sent", item.id)
            return False
        if delivered_now:
            await asyncio.to_thread(self._announce, item)
        return True

    def _announce(self, item: OutboxItem) -> None:
        """The `delivery` event of a reply this sender just delivered."""
        if self.emit is None:
            return
        try:
            row = self.ledger.get_outbox(item.id)
            self.emit(item.conversation_id, "delivery", {
                "suggestion_id": item.suggestion_id, "outbox_id": item.id, "channel": item.channel,
                "delivered_at": row.delivered_at, "attempts": row.attempts})
        except Exception:
            log.exception("outbox %s delivered, but its delivery event could not be logged", item.id)

    def _channel(self, item: OutboxItem) -> Channel:
        channel = self.channels.get(item.channel)
        if channel is None:
            known = ", ".join(sorted(self.channels)) or "none"
            raise ConfigError(
                f"no channel named {item.channel!r} is configured (known: {known}); "
                "configure it and the reply is sent on the next attempt"
            )
        return channel

    def _record_failure(self, item: OutboxItem, exc: Exception) -> None:
        attempts = item.attempts + 1
        error = str(exc) or type(exc).__name__
        if not isinstance(exc, CopilotError):
            log.error("outbox %s: unexpected %s", item.id, type(exc).__name__, exc_info=exc)
        if attempts >= self.max_attempts:
            next_attempt_at = None
            log.error("outbox %s failed %d times, giving up: %s", item.id, attempts, error)
        else:
            next_attempt_at = self.clock() + backoff_delay(
                attempts, base=self.backoff_base, cap=self.backoff_max
            )
        try:
            self.ledger.mark_failed_attempt(item.id, error=error, next_attempt_at=next_attempt_at)
        except Conflict:
            log.info("outbox %s was delivered by another sender meanwhile", item.id)
