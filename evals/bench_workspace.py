"""Workspace benchmark: from POST of a shopper message to its `message` event on the agent's
one stream (`GET /v1/stream`, every conversation of the merchant), over a real server process,
with 30 and 500 conversations sending at once while their drafts are made.

    python -m evals.bench_workspace [--conversations 30,500] [--messages 3]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import tempfile
import time
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

from evals.bench_assist import pct, prepare
from evals.synthetic import QUERIES

MERCHANT = "bench-shop"
THINK_S = 3.0


async def listen(client: httpx.AsyncClient, key: str, after: int, seen: dict[str, float], expected: int,
                 ready: asyncio.Event) -> None:
    """The agent's screen: one stream; the arrival time of each message event."""
    async with aconnect_sse(client, "GET", f"/v1/stream?after={after}",
                            headers={"Authorization": f"Bearer {key}"}) as source:
        ready.set()
        async for sse in source.aiter_sse():
            if sse.event == "message" and sse.data:        # (httpx-sse yields the pings as data-less events)
                seen[sse.json()["message_id"]] = time.perf_counter()
                if len(seen) == expected:
                    return


async def shopper(client: httpx.AsyncClient, key: str, cid: str, messages: int, rng: random.Random,
                  sent: dict[str, float]) -> None:
    """A shopper's messages, with exponential think time (mean `THINK_S`), as in bench_assist."""
    await asyncio.sleep(rng.uniform(0, THINK_S))          # shoppers do not all type at once
    for _ in range(messages):
        await asyncio.sleep(rng.expovariate(1 / THINK_S))
        posted = time.perf_counter()
        got = await client.post(f"/v1/conversations/{cid}/messages", headers={"Authorization": f"Bearer {key}"},
                                json={"merchant": MERCHANT, "text": rng.choice(QUERIES)})
        sent[got.json()["message_id"]] = posted


async def load(url: str, keys: dict, *, conversations: int, messages: int) -> dict:
    limits = httpx.Limits(max_connections=conversations + 10)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        after = (await client.get("/v1/queue", headers={"Authorization": f"Bearer {keys['agent']}"})).json()[
            "last_event_id"]
        sent: dict[str, float] = {}
        seen: dict[str, float] = {}
        ready = asyncio.Event()
        expected = conversations * messages
        agent = asyncio.create_task(listen(client, keys["agent"], after, seen, expected, ready))
        await ready.wait()
        rng = random.Random(conversations)
        await asyncio.gather(*(shopper(client, keys["merchant"], f"ws-{conversations}-{i}", messages,
                                       random.Random(rng.random()), sent) for i in range(conversations)))
        await asyncio.wait_for(agent, timeout=300)
    shown = [(seen[m] - sent[m]) * 1000 for m in sent if m in seen]
    return {"messages": len(shown), "streams": 1, **pct("shown", shown)}


def main() -> None:
    from tests.live_server_proc import ServerProcess

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", default="30,500")
    parser.add_argument("--messages", type=int, default=3, help="messages per conversation")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)     # a socket a conversation, here and in the
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))   # server (inherited)
    rows = []
    with tempfile.TemporaryDirectory(prefix="copilot-bench-") as tmp:
        keys = prepare(Path(tmp))
        server = ServerProcess(data_dir=Path(tmp), env={}).start()
        try:
            for n in (int(x) for x in args.conversations.split(",")):
                rows.append({"conversations": n, **asyncio.run(load(server.url, keys, conversations=n,
                                                                     messages=args.messages))})
                print(json.dumps(rows[-1]), flush=True)
        finally:
            server.stop()
    print("\nshown = from the shopper's POST to the message event on the agent's one stream (ms); "
          "drafts are made meanwhile (offline composer)")
    print(f"{'convs':>6}{'msgs':>6}{'streams':>8}{'shown p50':>10}{'p95':>9}{'p99':>9}")
    for r in rows:
        print(f"{r['conversations']:>6}{r['messages']:>6}{r['streams']:>8}{r['shown_p50']:>10}"
              f"{r['shown_p95']:>9}{r['shown_p99']:>9}")


if __name__ == "__main__":
    main()
