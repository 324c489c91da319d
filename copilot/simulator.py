"""The shopper simulator: plays a JSONL file of shopper messages against a running copilot.

Each line is `{"delay_s": 3, "conversation": "demo-c1", "sku": "QH-113", "text": "..."}`;
the simulator waits `delay_s / speed` seconds (a human pace), then POSTs the message to
`/v1/conversations/{conversation}/messages`, as a shop's chat channel would.

    await simulate(base_url="http://127.0.0.1:8000", api_key=key, merchant="qinghe",
                   messages_path="demo/shopper_messages.jsonl", speed=2.0)
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from copilot.errors import BadRequest

TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ShopperLine:
    delay_s: float
    conversation: str
    text: str
    sku: str | None = None
    shopper: str | None = None


def read_lines(path: Path | str) -> list[ShopperLine]:
    """The file's messages; `BadRequest` naming the line of the first bad one."""
    lines = []
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
            lines.append(ShopperLine(delay_s=float(row.get("delay_s") or 0), conversation=str(row["conversation"]),
                                     text=str(row["text"]), sku=row.get("sku"), shopper=row.get("shopper")))
        except (ValueError, KeyError, TypeError) as err:
            raise BadRequest(f"{path}:{n}: not a shopper message ({err!r}); each line needs "
                             "delay_s, conversation, sku and text") from err
    return lines


async def simulate(*, base_url: str, api_key: str, merchant: str, messages_path: Path | str,
                   speed: float = 1.0, on_sent: Callable[[ShopperLine, dict], None] | None = None,
                   client: httpx.AsyncClient | None = None) -> list[dict]:
    """Send every message at its pace (`speed` 2.0 = twice as fast; 0 or less = no waiting).

    Returns the server's answers (conversation, message and suggestion ids), in order;
    an HTTP error stops the run with `httpx.HTTPStatusError`.
    """
    lines = read_lines(messages_path)
    own = client is None
    client = client or httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S)
    answers = []
    try:
        for line in lines:
            if speed > 0 and line.delay_s > 0:
                await asyncio.sleep(line.delay_s / speed)
            body = {"merchant": merchant, "text": line.text, "sku": line.sku}
            if line.shopper:
                body["shopper"] = line.shopper
            response = await client.post(f"{base_url.rstrip('/')}/v1/conversations/{quote(line.conversation, safe='')}/messages",
                                         json=body, headers={"Authorization": f"Bearer {api_key}"})
            response.raise_for_status()
            answers.append(response.json())
            if on_sent:
                on_sent(line, answers[-1])
    finally:
        if own:
            await client.aclose()
    return answers
