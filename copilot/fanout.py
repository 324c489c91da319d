"""In-process fan-out of a conversation's events to its live SSE subscribers.

Events are published from the event loop and from worker threads (where the ledger is
written); a subscriber's queue is only ever touched on the loop that subscribed it.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict

from copilot.ledger import Event

QUEUE_SIZE = 10_000


class Broadcaster:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self, conversation_id: str) -> asyncio.Queue[Event]:
        """A queue of the conversation's events (call it on the event loop)."""
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[conversation_id].add(queue)
        return queue

    def unsubscribe(self, conversation_id: str, queue: asyncio.Queue[Event]) -> None:
        subs = self._subscribers.get(conversation_id)
        if subs is not None:
            subs.discard(queue)
            if not subs:
                del self._subscribers[conversation_id]

    def publish(self, event: Event) -> None:
        """Hand an event (already in the event log) to every live subscriber.

        A subscriber too slow to keep `QUEUE_SIZE` events is dropped; its client
        reconnects with Last-Event-ID and replays the rest from the event log.
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            return                       # nobody has ever subscribed
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self._hand_over(event)
        else:
            loop.call_soon_threadsafe(self._hand_over, event)

    def _hand_over(self, event: Event) -> None:
        for queue in list(self._subscribers.get(event.conversation_id, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self.unsubscribe(event.conversation_id, queue)
