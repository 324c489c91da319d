"""Escalation benchmark: assessment latency per message with a 10-turn history.

Generates a few hundred messages (Chinese and English, calm and angry, deterministic for a
seed), each with ten earlier turns, and times `Assessor.assess` on every one. The e5
vectors are computed first: at run time retrieval computes a message's vector once and
the assessor reads it from retrieval's cache, as it does the earlier turns', so the
embedding is not counted here (`bench_assist` times the whole message).
    python -m evals.bench_escalation [--messages 400] [--seed 11] [--json out.json]
Exits 1 when p95 is above the target.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from copilot.escalation import Assessor
from copilot.turns import Turn
from knowledge.embedders import E5Embedder

TARGET_P95_MS = 5.0
HISTORY_TURNS = 10
DEFAULT_MESSAGES = 400
WARMUP = 20

ITEMS = {"zh": ["羽绒服", "西装", "口红", "连衣裙", "手机壳", "运动鞋"],
         "en": ["down jacket", "suit", "lipstick", "dress", "phone case", "sneakers"]}
CALM = {
    "zh": ["请问这件{item}可以机洗吗？", "{item}有没有M码呀", "今天下单什么时候发货？", "这个{item}是什么材质的",
           "好的谢谢，我再看看{item}", "{item}能开发票吗", "亲，{item}有现货吗"],
    "en": ["Is the {item} machine washable?", "Do you have the {item} in size M?",
           "When will my {item} ship?", "What is the {item} made of?", "Thanks, I'll think about the {item}."],
}
ANGRY = {
    "zh": ["{item}到现在还没发货，再不处理我就去12315投诉！！", "你们卖假货吧？这{item}明显是假的，骗子！",
           "第三次问了，{item}的退款到底什么时候到账？？", "叫你们主管来，{item}的问题你们根本不管",
           "垃圾客服，{item}质量太差了，我要给差评！！", "{item}穿了之后皮肤过敏起红疹了，你们必须负责"],
    "en": ["This is the THIRD time I ask about my {item} refund!!", "Your {item} is a fake, this is a SCAM",
           "I want to talk to your manager about the {item} right now", "Worst service ever, I'll report you "
           "to the consumer association over this {item}!!", "The {item} gave my kid a rash, you must answer for it"],
}
AGENT = {"zh": ["亲，已经帮您催促仓库了哦", "亲，我们正在为您核实，请稍等", "亲，给您带来不便非常抱歉"],
         "en": ["We have asked the warehouse to hurry.", "We are checking this for you, one moment please.",
                "Sorry for the trouble."]}


def cases(n: int, *, seed: int) -> list[tuple[str, str, str, tuple[Turn, ...]]]:
    """(language, mood, message, ten-turn history) for n messages."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        language, mood = ("zh", "en")[i % 2], ("calm", "angry")[(i // 2) % 2]
        item = rng.choice(ITEMS[language])
        pool = CALM if mood == "calm" else ANGRY
        history = []
        for turn in range(HISTORY_TURNS):
            if turn % 2 == 0:
                text = rng.choice(pool[language] + CALM[language]).format(item=item)
                history.append(Turn(role="customer", text=text))
            else:
                history.append(Turn(role="agent", text=rng.choice(AGENT[language])))
        out.append((language, mood, rng.choice(pool[language]).format(item=item), tuple(history)))
    return out


def _percentiles(ms: list[float]) -> dict:
    return {f"p{q}": round(float(np.percentile(ms, q)), 3) for q in (50, 95, 99)}


def run(n: int, *, seed: int) -> dict:
    generated = cases(n, seed=seed)
    texts = list(dict.fromkeys([m for _, _, m, _ in generated] + [t.text for *_, h in generated for t in h]))
    vectors = dict(zip(texts, E5Embedder().embed_queries(texts)))
    assess = Assessor(vectors.__getitem__).assess
    for _, _, message, history in generated[:WARMUP]:
        assess(message, history)
    timings: dict[tuple[str, str], list[float]] = {}
    escalated = 0
    for language, mood, message, history in generated:
        start = time.perf_counter()
        decision = assess(message, history)
        timings.setdefault((language, mood), []).append((time.perf_counter() - start) * 1000)
        escalated += decision.escalate
    every = [ms for group in timings.values() for ms in group]
    return {"messages": n, "history_turns": HISTORY_TURNS, "escalated": escalated,
            "all_ms": _percentiles(every), "max_ms": round(max(every), 3),
            "by_group_ms": {f"{language}/{mood}": _percentiles(ms) for (language, mood), ms in sorted(timings.items())},
            "target_p95_ms": TARGET_P95_MS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    result = run(args.messages, seed=args.seed)
    print(f"Assessor.assess, {result['messages']} messages, {HISTORY_TURNS}-turn history "
          f"({result['escalated']} escalated)")
    print(f"  all        p50 {result['all_ms']['p50']:.3f} ms  p95 {result['all_ms']['p95']:.3f} ms  "
          f"p99 {result['all_ms']['p99']:.3f} ms  max {result['max_ms']:.3f} ms")
    for group, figures in result["by_group_ms"].items():
        print(f"  {group:<10} p50 {figures['p50']:.3f} ms  p95 {figures['p95']:.3f} ms  p99 {figures['p99']:.3f} ms")
    ok = result["all_ms"]["p95"] <= TARGET_P95_MS
    print(f"  target p95 <= {TARGET_P95_MS} ms: {'met' if ok else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
