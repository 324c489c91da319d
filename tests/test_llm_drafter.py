"""The LLM drafter against a real HTTP server speaking the OpenAI chat-completions protocol."""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass

import pytest
from langchain_openai import ChatOpenAI

from copilot.drafting import DraftRequest, Drafter
from copilot.drafting.llm import LLMDrafter
from copilot.errors import ConfigError, UpstreamError
from copilot.prompts import PROMPTS_DIR, PromptLibrary
from copilot.turns import Turn
from knowledge.records import Source
from tests.fake_llm import Behaviour, fake_llm  # noqa: F401

REPLY = "亲，这款羽绒服可以机洗哦[1]，水温不要超过30度[1]，7天内可以无理由退换[2]～"
SOURCES = (
    Source(id="FS-2001", kind="sku", title="轻薄白鸭绒羽绒服", text="洗涤方式：可机洗，水温不超过30℃", score=0.9),
    Source(id="returns-7day", kind="policy", title="7天无理由退换货", text="签收后7天内可无理由退换", score=0.7),
)
REQUEST = DraftRequest(
    merchant="fashion",
    message="这款羽绒服可以机洗吗？",
    history=(Turn("customer", "在吗"), Turn("agent", "亲，在的")),
    sources=SOURCES,
    extra={"store_name": "小鹿女装"},
)


@dataclass(frozen=True)
class Assessment:
    level: int
    escalate: bool
    reasons: tuple[str, ...] = ()


def drafter(base_url: str, *, timeout: float = 5.0, **kwargs) -> LLMDrafter:
    return LLMDrafter(
        base_url=base_url, api_key="test-key", model="fake-model", timeout=timeout,
        prompts=PromptLibrary.load(), **kwargs,
    )


async def collect(d: LLMDrafter, request: DraftRequest = REQUEST) -> list[str]:
    return [delta async for delta in d.draft(request)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_streams_the_whole_reply_in_several_deltas(fake_llm):
    fake_llm.behaviour = Behaviour(reply=REPLY, piece=4)
    d: Drafter = drafter(fake_llm.base_url)
    assert d.name == "llm:fake-model"
    deltas = await collect(d)
    assert len(deltas) >= len(REPLY) // 4
    assert "".join(deltas) == REPLY


async def test_the_prompt_sent_holds_the_numbered_facts_history_and_message(fake_llm):
    fake_llm.behaviour = Behaviour(reply=REPLY)
    d = drafter(fake_llm.base_url)
    await collect(d)
    [body] = fake_llm.requests
    assert body["model"] == "fake-model" and body["stream"] is True
    reply = PromptLibrary.load().get("reply")
    assert body["temperature"] == reply.params.temperature
    assert reply.params.max_tokens in (body.get("max_completion_tokens"), body.get("max_tokens"))
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user"]
    prompt = "\n".join(m["content"] for m in body["messages"])
    assert "<资料 1>\n[1] 轻薄白鸭绒羽绒服\n洗涤方式：可机洗，水温不超过30℃\n</资料 1>" in prompt
    assert "<资料 2>\n[2] 7天无理由退换货\n签收后7天内可无理由退换\n</资料 2>" in prompt
    assert "<对话记录>\n顾客：在吗\n客服：亲，在的\n</对话记录>" in prompt
    assert "<顾客消息>\n这款羽绒服可以机洗吗？\n</顾客消息>" in prompt and "小鹿女装" in prompt
    assert d.prompt_for(REQUEST).id == "reply@2"


async def test_no_facts_and_no_history_are_said_plainly(fake_llm):
    await collect(drafter(fake_llm.base_url), DraftRequest(merchant="fashion", message="在吗"))
    prompt = "\n".join(m["content"] for m in fake_llm.requests[0]["messages"])
    assert "（没有找到相关事实）" in prompt and "（无）" in prompt and "fashion" in prompt


async def test_a_critical_escalation_uses_the_escalation_prompt(fake_llm):
    request = DraftRequest(
        merchant="fashion", message="再不退款我就投诉你们！", sources=SOURCES,
        escalation=Assessment(level=3, escalate=True, reasons=("威胁投诉",)),
    )
    d = drafter(fake_llm.base_url)
    assert d.prompt_for(request).id == "escalation_reply@2"
    assert d.prompt_for(DraftRequest(merchant="fashion", message="在吗", escalation=Assessment(1, False))).id == "reply@2"
    await collect(d, request)
    prompt = "\n".join(m["content"] for m in fake_llm.requests[0]["messages"])
    assert "资深同事" in prompt and "威胁投诉" in prompt and "情绪等级 3/3" in prompt


async def test_pinned_prompt_versions_must_exist():
    with pytest.raises(ConfigError, match="known versions: 1, 2"):
        drafter("http://127.0.0.1:9/v1", versions={"reply": 7})


async def test_a_prompt_with_a_variable_the_drafter_cannot_fill_fails_at_start(tmp_path):
    for path in PROMPTS_DIR.glob("*.md"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    reply = (tmp_path / "reply@2.md").read_text(encoding="utf-8")
    (tmp_path / "reply@3.md").write_text(
        reply.replace("reply@2", "reply@3").replace("version: 2", "version: 3")
        .replace("escalation_note]", "escalation_note, order_id]").replace("{message}", "{message}{order_id}"),
        encoding="utf-8",
    )
    prompts = PromptLibrary.load(tmp_path)
    with pytest.raises(ConfigError, match="order_id of prompt reply@3"):
        LLMDrafter(base_url="http://127.0.0.1:9/v1", api_key="k", model="m", prompts=prompts)
    pinned = LLMDrafter(base_url="http://127.0.0.1:9/v1", api_key="k", model="m", prompts=prompts, versions={"reply": 1})
    assert pinned.prompt_for(REQUEST).id == "reply@1"


async def test_a_slow_server_still_streams_within_the_timeout(fake_llm):
    fake_llm.behaviour = Behaviour(reply=REPLY, piece=8, first_delay=0.3, delay=0.05)
    started = time.perf_counter()
    deltas = await collect(drafter(fake_llm.base_url, timeout=2.0))
    assert "".join(deltas) == REPLY and len(deltas) > 3
    assert time.perf_counter() - started >= 0.3


async def test_a_server_slower_than_the_timeout_is_an_upstream_timeout(fake_llm):
    fake_llm.behaviour = Behaviour(reply=REPLY, first_delay=1.5)
    started = time.perf_counter()
    with pytest.raises(UpstreamError, match=r"timed out after 0.3s at http://127\.0\.0\.1"):
        await collect(drafter(fake_llm.base_url, timeout=0.3))
    assert time.perf_counter() - started < 1.4


async def test_http_500_is_an_upstream_error_naming_the_status(fake_llm):
    fake_llm.behaviour = Behaviour(status=500)
    with pytest.raises(UpstreamError, match="HTTP 500") as err:
        await collect(drafter(fake_llm.base_url))
    assert fake_llm.base_url in str(err.value)
    assert len(fake_llm.requests) == 1  # retries are off by default


async def test_429_is_a_rate_limit_error_with_the_retry_delay(fake_llm):
    fake_llm.behaviour = Behaviour(status=429, retry_after=7)
    with pytest.raises(UpstreamError, match=r"rate-limited \(429\).*retry after 7s"):
        await collect(drafter(fake_llm.base_url))


async def test_retries_are_used_when_asked(fake_llm):
    fake_llm.behaviour = Behaviour(status=500)
    with pytest.raises(UpstreamError, match="HTTP 500"):
        await collect(drafter(fake_llm.base_url, max_retries=1))
    assert len(fake_llm.requests) == 2


async def test_a_connection_cut_mid_stream_is_an_upstream_error(fake_llm):
    fake_llm.behaviour = Behaviour(reply=REPLY, piece=2, cut_after=3)
    deltas: list[str] = []
    with pytest.raises(UpstreamError, match="stream cut off"):
        async for delta in drafter(fake_llm.base_url).draft(REQUEST):
            deltas.append(delta)
    assert "".join(deltas) == REPLY[:6]


async def test_a_stream_that_ends_before_the_model_finished_is_an_upstream_error(fake_llm):
    fake_llm.behaviour = Behaviour(reply=REPLY, finish=False)
    with pytest.raises(UpstreamError, match="stream cut off.*before the model finished"):
        await collect(drafter(fake_llm.base_url))


async def test_a_refused_connection_is_an_upstream_error():
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(UpstreamError, match=f"cannot reach the LLM at {url}"):
        await collect(drafter(url))


async def test_the_fake_server_also_answers_without_streaming(fake_llm):
    fake_llm.behaviour = Behaviour(reply="亲，可以的")
    llm = ChatOpenAI(base_url=fake_llm.base_url, api_key="test-key", model="fake-model", max_retries=0)
    answer = await llm.ainvoke([("user", "能机洗吗")])
    assert answer.content == "亲，可以的"
    assert fake_llm.requests[0]["messages"] == [{"role": "user", "content": "能机洗吗"}]
    assert not fake_llm.requests[0].get("stream")
