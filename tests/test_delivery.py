"""The outbox sender and its channels: a real ledger file, a real HTTP receiver."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from copilot.channels import LocalChannel, WebhookChannel
from copilot.delivery import OutboxSender, backoff_delay
from copilot.errors import ConfigError, Conflict
from copilot.ledger.sqlite import SqliteLedger

SECRET = "s3cret"


class Receiver:
    """A shop's webhook endpoint on 127.0.0.1 that de-duplicates on Idempotency-Key.

    `plan` scripts the next answers: "fail" (HTTP 500) or "drop" (take the request,
    then close the connection without answering: the ack is lost); then 200s.
    """

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.accepted: list[str] = []  # texts taken once per idempotency key
        self.plan: list[str] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                action = receiver.take(dict(self.headers), body)
                if action == "drop":
                    self.close_connection = True
                    return
                self.send_response(500 if action == "fail" else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def take(self, headers: dict, body: bytes) -> str:
        with self._lock:
            self.requests.append((headers, body))
            key = headers["Idempotency-Key"]
            if key not in self.keys()[:-1]:
                self.accepted.append(json.loads(body)["text"])
            return self.plan.pop(0) if self.plan else "ok"

    def keys(self) -> list[str]:
        return [h["Idempotency-Key"] for h, _ in self.requests]


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def approved(ledger, conversation="c1", *, channel="webhook", text="It ships in 48 hours.", key=None):
    """Approve a fresh draft in `conversation`; returns the outbox row."""
    ledger.ensure_conversation(conversation, merchant="m1", channel=channel, shopper="shopper-1")
    message = ledger.add_message(conversation, role="customer", text="When does it ship?")
    suggestion = ledger.create_suggestion(conversation, message_id=message.id)
    return ledger.approve(suggestion.id, agent="ann", final_text=text,
                          idempotency_key=key or f"approve-{suggestion.id}")


def sender(ledger, receiver, clock, **options):
    channels = {"webhook": WebhookChannel(url=receiver.url, secret=SECRET, timeout=5),
                "local": LocalChannel(ledger=ledger)}
    return OutboxSender(ledger=ledger, channels=channels, backoff_base=0.5, clock=clock, **options)


async def test_webhook_posts_signed_json_with_the_idempotency_key(ledger, receiver):
    item = approved(ledger, text="发货时间为48小时内。")
    assert await sender(ledger, receiver, Clock()).run_once() == 1

    [(headers, body)] = receiver.requests
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Copilot-Signature"] == f"sha256={expected}"
    assert headers["Idempotency-Key"] == item.idempotency_key
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == item.payload
    assert json.loads(body)["text"] == "发货时间为48小时内。"
    delivered = ledger.get_outbox(item.id)
    assert (delivered.status, delivered.attempts) == ("delivered", 1)


async def test_server_errors_are_retried_with_backoff_and_delivered_once(ledger, receiver):
    item = approved(ledger)
    clock = Clock()
    send = sender(ledger, receiver, clock)
    receiver.plan = ["fail", "fail"]

    assert await send.run_once() == 0
    first = ledger.get_outbox(item.id)
    assert (first.status, first.attempts) == ("pending", 1)
    assert "500" in first.last_error
    assert clock.now + 0.25 <= first.next_attempt_at <= clock.now + 0.5
    assert await send.run_once() == 0 and len(receiver.requests) == 1  # not due yet

    clock.advance(0.5)
    assert await send.run_once() == 0
    second = ledger.get_outbox(item.id)
    assert second.attempts == 2
    assert clock.now + 0.5 <= second.next_attempt_at <= clock.now + 1.0

    clock.advance(1.0)
    assert await send.run_once() == 1
    assert await send.run_once() == 0
    assert receiver.keys() == [item.idempotency_key] * 3
    assert receiver.accepted == [item.text]
    assert ledger.get_outbox(item.id).status == "delivered"


async def test_the_sender_gives_up_after_max_attempts(ledger, receiver):
    item = approved(ledger)
    clock = Clock()
    send = sender(ledger, receiver, clock, max_attempts=2)
    receiver.plan = ["fail"] * 5
    await send.run_once()
    clock.advance(60)
    await send.run_once()
    clock.advance(60)
    assert await send.run_once() == 0
    gave_up = ledger.get_outbox(item.id)
    assert (gave_up.status, gave_up.attempts, gave_up.next_attempt_at) == ("failed", 2, None)
    assert len(receiver.requests) == 2


async def test_a_lost_ack_is_resent_with_the_same_key_after_a_restart(ledger, path, receiver):
    item = approved(ledger)
    clock = Clock()
    receiver.plan = ["drop"]
    assert await sender(ledger, receiver, clock).run_once() == 0
    assert len(receiver.requests) == 1 and ledger.get_outbox(item.id).status == "pending"
    ledger.close()  # the process dies

    restarted = SqliteLedger(path=path)
    clock.advance(60)
    assert await sender(restarted, receiver, clock).run_once() == 1
    (h1, b1), (h2, b2) = receiver.requests
    assert b1 == b2 and h1["X-Copilot-Signature"] == h2["X-Copilot-Signature"]
    assert set(receiver.keys()) == {item.idempotency_key}
    assert receiver.accepted == [item.text]
    assert restarted.get_outbox(item.id).status == "delivered"
    restarted.close()


class CrashesBeforeMarking(SqliteLedger):
    def mark_delivered(self, outbox_id, *, local_text=None):
        raise RuntimeError("process killed")


async def test_a_crash_after_the_post_resends_with_the_same_key(path, receiver):
    crashing = CrashesBeforeMarking(path=path)
    item = approved(crashing)
    clock = Clock()
    assert await sender(crashing, receiver, clock).run_once() == 0
    assert crashing.get_outbox(item.id).status == "pending"
    crashing.close()

    restarted = SqliteLedger(path=path)
    assert await sender(restarted, receiver, clock).run_once() == 1
    assert receiver.keys() == [item.idempotency_key] * 2
    assert receiver.accepted == [item.text]
    restarted.close()


async def test_an_approval_made_before_a_crash_is_delivered_at_restart(ledger, path, receiver):
    item = approved(ledger, channel="local")
    ledger.close()  # died before any sender ran

    restarted = SqliteLedger(path=path)
    send = sender(restarted, receiver, Clock())
    assert await send.run_once() == 1
    assert await send.run_once() == 0
    assert [d.text for d in restarted.local_deliveries("c1")] == [item.text]
    restarted.close()


async def test_the_local_channel_delivers_exactly_once(ledger, receiver):
    item = approved(ledger, channel="local")
    assert await sender(ledger, receiver, Clock()).run_once() == 1
    with pytest.raises(Conflict):
        await LocalChannel(ledger=ledger).send(item)
    assert len(ledger.local_deliveries("c1")) == 1
    assert receiver.requests == []


async def test_replies_to_one_shopper_keep_their_order(ledger, receiver):
    first = approved(ledger, text="one")
    second = approved(ledger, text="two")
    clock = Clock()
    send = sender(ledger, receiver, clock)
    receiver.plan = ["fail"]

    await send.run_once()
    assert receiver.keys() == [first.idempotency_key]
    other = approved(ledger, "c2", text="elsewhere")  # another shopper is not held up
    clock.now = other.next_attempt_at  # due, while the first reply still waits for its retry
    assert await send.run_once() == 1
    assert receiver.keys()[-1] == other.idempotency_key
    clock.advance(60)
    assert await send.run_once() == 1  # the first reply, at last
    assert await send.run_once() == 1  # then the second
    order = [k for k in receiver.keys() if k != other.idempotency_key]
    assert order == [first.idempotency_key, first.idempotency_key, second.idempotency_key]
    assert [t for t in receiver.accepted if t != "elsewhere"] == ["one", "two"]


async def test_an_unconfigured_channel_is_a_recorded_failure(ledger, receiver):
    item = approved(ledger, channel="sms")
    assert await sender(ledger, receiver, Clock()).run_once() == 0
    failed = ledger.get_outbox(item.id)
    assert failed.status == "pending" and failed.attempts == 1
    assert "no channel named 'sms'" in failed.last_error


async def test_run_forever_delivers_until_cancelled(ledger, receiver):
    task = asyncio.create_task(sender(ledger, receiver, time.time, poll_interval=0.02).run_forever())
    try:
        item = approved(ledger)
        for _ in range(200):
            if ledger.get_outbox(item.id).status == "delivered":
                break
            await asyncio.sleep(0.02)
        assert ledger.get_outbox(item.id).status == "delivered"
        assert receiver.keys() == [item.idempotency_key]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_wake_sends_before_the_next_poll(ledger, receiver):
    send = sender(ledger, receiver, time.time, poll_interval=30)
    task = asyncio.create_task(send.run_forever())
    try:
        await asyncio.sleep(0.05)  # the first pass found nothing; now it waits 30 s
        item = approved(ledger)
        await asyncio.to_thread(send.wake)  # as a request handler's thread would
        for _ in range(100):
            if ledger.get_outbox(item.id).status == "delivered":
                break
            await asyncio.sleep(0.02)
        assert ledger.get_outbox(item.id).status == "delivered"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_backoff_grows_and_is_capped():
    assert 0.25 <= backoff_delay(1, base=0.5, cap=30) <= 0.5
    assert 2.0 <= backoff_delay(4, base=0.5, cap=30) <= 4.0
    assert 15.0 <= backoff_delay(20, base=0.5, cap=30) <= 30.0


def test_a_webhook_needs_a_url_and_a_secret():
    with pytest.raises(ConfigError, match="secret"):
        WebhookChannel(url="http://127.0.0.1:9/hook", secret="")
    with pytest.raises(ConfigError, match="URL"):
        WebhookChannel(url="ftp://example", secret="x")
