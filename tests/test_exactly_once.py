"""Exactly-once delivery across a crash: the server process is killed while the webhook
delivery of an approved reply is in flight, started again, and the shopper gets it once."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.conftest import DEMO
from tests.live_server_proc import ServerProcess

SECRET = "test-secret"


class Receiver:
    """A shop's chat gateway: verifies the signature, de-duplicates on Idempotency-Key.
    The first delivery hangs (the copilot is killed meanwhile) and is never acknowledged."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.inbox: dict[str, str] = {}          # idempotency key -> text shown to the shopper
        self.first_arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                payload = json.loads(body)
                key = self.headers["Idempotency-Key"]
                receiver.posts.append({"key": key, "signed": self.headers.get("X-Copilot-Signature") == signature})
                receiver.inbox.setdefault(key, payload["text"])
                if len(receiver.posts) == 1:
                    receiver.first_arrived.set()
                    time.sleep(5)                 # the copilot dies before it hears back
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def prepared(settings):
    """A data dir with the demo merchant loaded and an agent key."""
    from copilot.auth import new_key
    from copilot.cli import ingest_paths
    from copilot.components import build

    parts = build(settings)
    parts.kb.create_merchant("qinghe")
    ingest_paths(parts.kb, "qinghe", [DEMO])
    keys = {role: new_key(parts.ledger, role=role, merchant="qinghe", label=f"e2e-{role}")
            for role in ("agent", "merchant")}
    parts.close()
    return settings.data_dir, keys


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_crash_during_delivery_neither_loses_nor_duplicates_the_reply(prepared):
    data_dir, keys = prepared
    receiver = Receiver()
    env = {"COPILOT_WEBHOOK_URL": receiver.url, "COPILOT_WEBHOOK_SECRET": SECRET}
    server = ServerProcess(data_dir=data_dir, env=env).start()
    try:
        agent = {"Authorization": f"Bearer {keys['agent']}"}
        posted = httpx.post(f"{server.url}/v1/conversations/wx-1/messages",
                            headers={"Authorization": f"Bearer {keys['merchant']}"},
                            json={"merchant": "qinghe", "text": "退货运费谁出", "channel": "webhook"}).json()
        sid = posted["suggestion_id"]

        def drafted():
            got = httpx.get(f"{server.url}/v1/conversations/wx-1", headers=agent).json()
            return got["suggestions"][0]["draft_text"]

        wait_for(drafted)
        approved = httpx.post(f"{server.url}/v1/suggestions/{sid}/approve", headers={
            **agent, "Idempotency-Key": uuid.uuid4().hex}, json={"text": "亲，七天无理由退货运费由买家承担哦~"})
        assert approved.status_code == 200
        assert receiver.first_arrived.wait(20)
        server.kill()                                  # mid-delivery: the POST is unanswered
    finally:
        server.stop()

    restarted = ServerProcess(data_dir=data_dir, env=env).start()
    try:
        wait_for(lambda: len(receiver.posts) >= 2)
        time.sleep(1.0)                                # room for a (wrong) third attempt
        agent = {"Authorization": f"Bearer {keys['agent']}"}
        conv = httpx.get(f"{restarted.url}/v1/conversations/wx-1", headers=agent).json()
    finally:
        restarted.stop()
    assert all(p["signed"] for p in receiver.posts)
    assert len({p["key"] for p in receiver.posts}) == 1          # every attempt: the same key
    assert list(receiver.inbox.values()) == ["亲，七天无理由退货运费由买家承担哦~"]
    assert len(receiver.posts) == 2                               # re-sent once, then acknowledged
    assert conv["suggestions"][0]["status"] == "approved"


def test_crash_between_approval_and_delivery_delivers_after_restart(prepared):
    data_dir, keys = prepared
    down = {"COPILOT_WEBHOOK_URL": f"http://127.0.0.1:{ServerProcess(data_dir=data_dir).port}/hook",
            "COPILOT_WEBHOOK_SECRET": SECRET}        # nothing listens there yet: delivery cannot happen
    server = ServerProcess(data_dir=data_dir, env=down).start()
    agent = {"Authorization": f"Bearer {keys['agent']}"}
    try:
        sid = httpx.post(f"{server.url}/v1/conversations/wx-2/messages",
                         headers={"Authorization": f"Bearer {keys['merchant']}"},
                         json={"merchant": "qinghe", "text": "几天发货", "channel": "webhook"}).json()["suggestion_id"]
        wait_for(lambda: httpx.get(f"{server.url}/v1/conversations/wx-2", headers=agent).json()
                 ["suggestions"][0]["draft_text"])
        assert httpx.post(f"{server.url}/v1/suggestions/{sid}/approve", json={},
                          headers={**agent, "Idempotency-Key": uuid.uuid4().hex}).status_code == 200
        server.kill()
    finally:
        server.stop()
    receiver = Receiver()
    receiver.first_arrived.set()
    receiver.posts.append({"key": "warm-up", "signed": True})    # so no delivery below hangs
    restarted = ServerProcess(data_dir=data_dir, env={"COPILOT_WEBHOOK_URL": receiver.url,
                                                      "COPILOT_WEBHOOK_SECRET": SECRET}).start()
    try:
        wait_for(lambda: len(receiver.posts) >= 2, timeout=60)
        time.sleep(1.0)
    finally:
        restarted.stop()
    deliveries = receiver.posts[1:]
    assert len(deliveries) == 1 and deliveries[0]["signed"]
    assert len(receiver.inbox) == 1
