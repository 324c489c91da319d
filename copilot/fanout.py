"""In-process fan-out of events to live SSE subscribers: of one conversation, or of every
conversation of a merchant (an agent's one stream, topic `merchant_topic(m)`).

Events are published from the event loop and from worker threads (where the ledger is
written); a subscriber's queue is only ever touched on the loop that subscribed it.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict

from copilot.conversation_ids import merchant_of
from copilot.ledger import Event

QUEUE_SIZE = 10_000


def merchant_topic(merchant: str) -> str:
    """The topic of every event of a merchant's conversations (never a conversation id: those
    hold the separator)."""
    return f"merchant/{merchant}"


class Broadcaster:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self, topic: str) -> asyncio.Queue[Event]:
        """A queue of a topic's events: a conversation id, or a `merchant_topic` (call it on
        the event loop)."""
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[topic].add(queue)
        return queue

    def unsubscribe(self, topic: str, queue: asyncio.Queue[Event]) -> None:
        subs = self._subscribers.get(topic)
        if subs is not None:
            subs.discard(queue)
            if not subs:
                del self._subscribers[topic]

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
        for topic in (event.conversation_id, merchant_topic(merchant_of(event.conversation_id))):
            for queue in list(self._subscribers.get(topic, ())):
                try:
                    queue.put_nowait(event)
                except asyncio.QueueFull:
                    self.unsubscribe(topic, queue)
