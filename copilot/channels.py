"""The channels approved replies are delivered through (see `copilot.delivery`).

`WebhookChannel` POSTs each reply to a shop's endpoint, signed with a shared
secret; `LocalChannel` keeps the reply in the ledger's `deliveries` table (the demo's
stand-in for a shop's chat window).

A webhook receiver should:
1. check `X-Copilot-Signature` against `sign(secret, raw body)` (constant-time);
2. de-duplicate on `Idempotency-Key` (the same key on every attempt of one reply);
3. answer 2xx once it has the reply; anything else is retried with backoff.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import httpx

from copilot.errors import ConfigError, UpstreamError
from copilot.ledger import Ledger, OutboxItem

SIGNATURE_HEADER = "X-Copilot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_WEBHOOK_TIMEOUT = 10.0
WEBHOOK_FIELDS = ("conversation_id", "suggestion_id", "merchant", "shopper", "text", "idempotency_key")


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    """POSTs `{conversation_id, suggestion_id, merchant, shopper, text, idempotency_key}`
    as JSON; a non-2xx answer or a network error is an `UpstreamError`."""

    def __init__(
        self, *, url: str, secret: str, timeout: float = DEFAULT_WEBHOOK_TIMEOUT, name: str = "webhook"
    ):
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"webhook url {url!r} is not an http(s) URL; set the receiver's full URL")
        if not secret:
            raise ConfigError("the webhook secret is empty; set one and share it with the receiver")
        self.url = url
        self.name = name
        self.timeout = timeout
        self._secret = secret

    async def send(self, item: OutboxItem) -> None:
        body = json.dumps(
            {field: item.payload[field] for field in WEBHOOK_FIELDS},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, body),
            IDEMPOTENCY_HEADER: item.idempotency_key,
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"webhook {self.url} failed ({type(exc).__name__}: {exc}); the reply stays in the "
                "outbox and is retried with the same idempotency key"
            ) from exc
        if not response.is_success:
            raise UpstreamError(
                f"webhook {self.url} answered {response.status_code} ({response.text[:200]!r}); "
                "the reply stays in the outbox and is retried with the same idempotency key"
            )


class LocalChannel:
    """Delivers into the ledger's `deliveries` table: the row and the `delivered`
    status are written in one transaction, so each reply is delivered exactly once."""

    def __init__(self, ledger: Ledger, *, name: str = "local"):
        self.ledger = ledger
        self.name = name

    async def send(self, item: OutboxItem) -> bool:
        """True: the row is delivered (by this call; a second one is a `Conflict`). The ledger is
        written in a worker thread, off the event loop."""
        return await asyncio.to_thread(self.ledger.mark_delivered, item.id, local_text=item.text)
