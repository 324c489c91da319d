"""In-process fan-out of a conversation's events to its live SSE subscribers."""
from __future__ import annotations

import asyncio
from collections import defaultdict

from copilot.ledger import Event

QUEUE_SIZE = 10_000


class Broadcaster:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    def subscribe(self, conversation_id: str) -> asyncio.Queue[Event]:
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
        for queue in list(self._subscribers.get(event.conversation_id, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self.unsubscribe(event.conversation_id, queue)
