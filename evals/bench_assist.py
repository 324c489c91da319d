"""Assist benchmark: from POST of a shopper message to the first SSE event and to `draft.done`,
over a real server process, with 1, 50 and 500 conversations streaming at once.

Each conversation keeps its SSE stream open and sends `--messages` messages (more when
there are few conversations, so that every row has at least `--min-samples`) with
exponential think time (mean `--think` seconds), as shoppers do; half the
conversations are on a product page (a demo SKU in view), the rest ask from the shop's front page. Drafter: the offline
composer, and an OpenAI-compatible server that answers after a fixed delay, to show
the copilot's own overhead (draft.done minus the model's own time, from the copilot's request to its last token).
    python -m evals.bench_assist [--conversations 1,50,500] [--drafters composer,llm]
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
import numpy as np

from evals.synthetic import QUERIES

DEMO = Path(__file__).resolve().parents[1] / "demo" / "merchant"
PRODUCT_PAGE_SHARE = 0.5
DEMO_SKUS = [json.loads(line)["sku_id"] for line in (DEMO / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
LLM_FIRST_DELAY = 0.3
LLM_PIECE_DELAY = 0.01
LLM_REPLY = "亲，这款支持七天无理由退换，签收后七天内申请即可，寄回运费由买家承担哦[1]~"
LLM_PIECE = 2


def prepare(data_dir: Path) -> dict[str, str]:
    from copilot.auth import new_key
    from copilot.cli import ingest_paths
    from copilot.components import build
    from copilot.settings import Settings

    parts = build(Settings(data_dir=data_dir, _env_file=None))
    parts.kb.create_merchant("bench-shop")
    ingest_paths(parts.kb, "bench-shop", [DEMO])
    keys = {role: new_key(parts.ledger, role=role, merchant="bench-shop", label=role)
            for role in ("agent", "merchant")}
    parts.close()
    return keys


async def conversation(client: httpx.AsyncClient, cid: str, keys: dict, *, messages: int,
                       think: float, rng: random.Random, out: list[dict]) -> None:
    """One shopper's conversation; a connection the overloaded server drops counts as a failure."""
    try:
        await _conversation(client, cid, keys, messages=messages, think=think, rng=rng, out=out)
    except httpx.HTTPError as err:
        out.append({"failed": type(err).__name__})


async def _conversation(client: httpx.AsyncClient, cid: str, keys: dict, *, messages: int,
                        think: float, rng: random.Random, out: list[dict]) -> None:
    agent = {"Authorization": f"Bearer {keys['agent']}"}
    merchant = {"Authorization": f"Bearer {keys['merchant']}"}
    # The conversation must exist before its stream opens: its first message creates it.
    sent_at: dict[str, float] = {}
    sku = rng.choice(DEMO_SKUS) if rng.random() < PRODUCT_PAGE_SHARE else None
    await asyncio.sleep(rng.uniform(0, think))          # shoppers do not all type at once
    posted = time.perf_counter()
    first = await client.post(f"/v1/conversations/{cid}/messages", headers=merchant,
                              json={"merchant": "bench-shop", "text": rng.choice(QUERIES), "sku": sku})
    sent_at[first.json()["suggestion_id"]] = posted
    pending = {first.json()["suggestion_id"]}
    seen_first: set[str] = set()
    remaining = messages - 1
    async with client.stream("GET", f"/v1/conversations/{cid}/stream", headers=agent) as stream:
        event = {}
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                event["type"] = line[6:].strip()
            elif line.startswith("data:"):
                event["body"] = json.loads(line[5:])
            elif not line and "type" in event:
                sid = event["body"].get("suggestion_id")
                now = time.perf_counter()
                if sid in pending and sid not in seen_first:
                    seen_first.add(sid)
                    out.append({"sid": sid, "first_ms": (now - sent_at[sid]) * 1000})
                if event["type"] == "draft.done" and sid in pending:
                    pending.discard(sid)
                    done_ms = (now - sent_at[sid]) * 1000
                    timings = event["body"]["timings"]
                    llm_ms = timings.get("llm_ms")
                    out.append({"sid": sid, "done_ms": done_ms, "retrieval_ms": timings["retrieval_ms"],
                                "overhead_ms": None if llm_ms is None else done_ms - llm_ms})
                    if remaining == 0 and not pending:
                        return
                    if remaining:
                        remaining -= 1
                        await asyncio.sleep(rng.expovariate(1 / think))
                        got = await client.post(f"/v1/conversations/{cid}/messages", headers=merchant,
                                                json={"merchant": "bench-shop", "text": rng.choice(QUERIES),
                                                      "sku": sku})
                        sid = got.json()["suggestion_id"]
                        sent_at[sid] = time.perf_counter() - got.elapsed.total_seconds()
                        pending.add(sid)
                event = {}


async def load(url: str, keys: dict, *, conversations: int, messages: int, think: float) -> dict:
    limits = httpx.Limits(max_connections=2 * conversations + 10, max_keepalive_connections=2 * conversations)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        out: list[dict] = []
        rng = random.Random(conversations)
        await asyncio.gather(*(conversation(client, f"bench-{conversations}-{i}", keys, messages=messages,
                                            think=think, rng=random.Random(rng.random()), out=out)
                               for i in range(conversations)))
    first = [r["first_ms"] for r in out if "first_ms" in r]
    done = [r["done_ms"] for r in out if "done_ms" in r]
    overhead = [r["overhead_ms"] for r in out if r.get("overhead_ms") is not None]
    retrieval = [r["retrieval_ms"] for r in out if "retrieval_ms" in r]
    return {"messages": len(done), "failed_conversations": sum("failed" in r for r in out),
            **pct("first", first), **pct("done", done), **pct("retrieval", retrieval),
            **(pct("overhead", overhead) if overhead else {})}


def pct(name: str, values: list[float]) -> dict:
    return {f"{name}_p{q}": round(float(np.percentile(values, q)), 1) for q in (50, 95, 99)}


def main() -> None:
    from tests.live_server_proc import ServerProcess

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", default="1,50,500")
    parser.add_argument("--drafters", default="composer,llm")
    parser.add_argument("--messages", type=int, default=4, help="messages per conversation")
    parser.add_argument("--min-samples", type=int, default=40, help="messages per row, at least")
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds between a shopper's messages")
    args = parser.parse_args()
    sizes = [int(n) for n in args.conversations.split(",")]
    # Two sockets a conversation here and in the server (which inherits the limit).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    rows = []
    llm = fake_llm_process()
    with tempfile.TemporaryDirectory(prefix="copilot-bench-") as tmp:
        keys = prepare(Path(tmp))
        envs = {"composer": {}, "llm": {"COPILOT_DRAFTER": "llm", "COPILOT_LLM_BASE_URL": llm.base_url}}
        for drafter in args.drafters.split(","):
            env = envs[drafter]
            server = ServerProcess(data_dir=Path(tmp), env=env).start()
            try:
                for n in sizes:
                    row = {"drafter": drafter, "conversations": n,
                           **asyncio.run(load(server.url, keys, conversations=n,
                                              messages=max(args.messages, -(-args.min_samples // n)),
                                              think=args.think))}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
            finally:
                server.stop()
    llm.proc.kill()
    print(f"\nLLM: an OpenAI-compatible server in its own process, {LLM_FIRST_DELAY * 1000:.0f} ms to the "
          f"first token, then {LLM_PIECE_DELAY * 1000:.0f} ms a piece. overhead = draft.done latency "
          "minus the model's own time (from the copilot's request to its last token)")
    print("retrieval = from the pipeline's start to its sources (server side), part of the overhead")
    print(f"{'drafter':<9}{'convs':>6}{'msgs':>6}{'failed':>7}{'first p50':>10}{'p95':>9}{'p99':>9}"
          f"{'done p50':>10}{'p95':>9}{'p99':>9}{'overhead p50':>13}{'p95':>9}{'p99':>9}"
          f"{'retrieval p50':>14}{'p95':>9}")
    for r in rows:
        print(f"{r['drafter']:<9}{r['conversations']:>6}{r['messages']:>6}{r['failed_conversations']:>7}"
              f"{r['first_p50']:>10}{r['first_p95']:>9}{r['first_p99']:>9}{r['done_p50']:>10}"
              f"{r['done_p95']:>9}{r['done_p99']:>9}{r.get('overhead_p50', ''):>13}"
              f"{r.get('overhead_p95', ''):>9}{r.get('overhead_p99', ''):>9}"
              f"{r['retrieval_p50']:>14}{r['retrieval_p95']:>9}")


class fake_llm_process:
    """The tests' OpenAI-compatible server, in its own process so it shares no GIL with the load."""

    def __init__(self) -> None:
        import subprocess
        import sys

        code = ("import sys, time; sys.path.insert(0, '.'); from tests.fake_llm import FakeLLM, Behaviour; "
                f"f = FakeLLM(behaviour=Behaviour(reply={LLM_REPLY!r}, piece={LLM_PIECE}, "
                f"first_delay={LLM_FIRST_DELAY}, delay={LLM_PIECE_DELAY})).start(); "
                "print(f.base_url, flush=True); time.sleep(86400)")
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                                     stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1])
        self.base_url = self.proc.stdout.readline().strip()


if __name__ == "__main__":
    main()
