"""Shared by the trainer tests: a fake model whose answer depends on a marker in the system
prompt, the trainer's keys, and prompt versions made from the shipped reply prompt."""
from __future__ import annotations

import re
import time
from pathlib import Path

from copilot.prompts import PROMPTS_DIR

LAZY = "【敷衍模式】"      # the model dodges every question
THOROUGH = "【详尽模式】"  # the model quotes the whole first fact, not only its first half
FACT = re.compile(r"^\[(\d+)\] [^\n]*\n(.*?)(?=^\[\d+\] |\Z)", re.MULTILINE | re.DOTALL)
DODGE = "亲，这个问题我帮您确认一下哦～"


def _system(body: dict) -> str:
    return "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")


def answer(body: dict) -> str:
    """Quotes the first numbered fact of the prompt: its first half, all of it with THOROUGH, none with LAZY."""
    system = _system(body)
    if LAZY in system:
        return DODGE
    facts_block = system.split("编号事实：", 1)[-1].split("顾客情绪提示：", 1)[0]
    facts = FACT.findall(facts_block)
    if not facts:
        return DODGE
    n, text = facts[0]
    text = text.strip() if THOROUGH in system else text.strip()[: len(text.strip()) // 2]
    return f"亲，{text}[{n}]"


def reply_prompt_with(marker: str, description: str) -> str:
    """The shipped reply@1 with a marker line in its system section, front matter without identity."""
    text = (Path(PROMPTS_DIR) / "reply@1.md").read_text(encoding="utf-8")
    text = re.sub(r"^(id|version|task): .*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"^description: .*$", f"description: {description}", text, count=1, flags=re.MULTILINE)
    return text.replace("## system\n", f"## system\n{marker}\n", 1)


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
