"""The draft keeps every token once when the agent's connection drops mid-stream.

The server drafts with an LLM (a real OpenAI-compatible fake server) that streams slowly,
so the connection can be cut while the draft is still being written.
"""
from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.fake_llm import Behaviour, FakeLLM
from tests.live_server import MERCHANT, CuttableProxy, browser, login, page, send_messages, start_server  # noqa: F401

REPLY = ("亲，这款针织开衫是羊毛混纺的，不可机洗哦[1]。建议30℃以下冷水手洗，使用中性洗涤剂，"
         "轻压挤水后平铺阴干，不要悬挂晾晒，这样就不容易变形啦~")


@pytest.fixture(scope="module")
def llm():
    with FakeLLM() as fake:
        fake.behaviour = Behaviour(reply=REPLY, piece=2, first_delay=0.3, delay=0.12)
        yield fake


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory, llm):
    server = start_server(tmp_path_factory.mktemp("live-llm") / "data", drafter="llm",
                          llm_base_url=llm.base_url, llm_timeout=30.0)
    yield server
    server.stop()


@pytest.fixture
def proxy(llm_server):
    proxy = CuttableProxy(llm_server.port)
    yield proxy
    proxy.stop()


def draft_done_text(server, key, conversation_id) -> str:
    r = httpx.get(f"{server.url}/v1/conversations/{conversation_id}", headers={"Authorization": f"Bearer {key}"})
    r.raise_for_status()
    return r.json()["suggestions"][-1]["draft_text"]


def start_and_open(page, server, key, conversation_id, tmp_path, via=None):
    login(page, via or server, key)
    send_messages(server, key, [{"delay_s": 0, "conversation": conversation_id, "sku": "QH-113",
                                 "text": "这件针织开衫可以机洗吗？"}], tmp_path)
    page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:{conversation_id}']").click()
    draft = page.locator("[data-testid=draft-text]")
    expect(draft).to_contain_text("针织开衫")        # a few tokens are in
    expect(page.locator("[data-testid=draft-state]")).to_have_text("生成中…")
    return draft


def test_connection_cut_mid_stream_loses_and_repeats_no_token(llm_server, proxy, page, tmp_path):
    agent = llm_server.key("agent")
    draft = start_and_open(page, llm_server, agent, "r-cut", tmp_path, via=proxy)
    shown_before = draft.inner_text()

    page.context.set_offline(True)                    # no reconnect can get through for a while
    assert proxy.cut() > 0                            # and the open stream drops mid-draft
    expect(page.locator("[data-testid=link-state]")).not_to_have_attribute("data-state", "open")
    time.sleep(1.5)                                   # tokens keep coming while the agent is away
    page.context.set_offline(False)

    expect(page.locator("[data-testid=draft-state]")).to_have_text("待审核", timeout=30_000)
    expect(page.locator("[data-testid=link-state]")).to_have_attribute("data-state", "open")
    done = draft_done_text(llm_server, agent, "r-cut")
    assert done == REPLY
    assert len(shown_before) < len(done)              # the cut really came mid-stream
    assert draft.inner_text() == done                 # the streamed deltas, each once, in order
    assert page.evaluate("window.__copilotStream.opens") >= 2, "the stream reconnected after the cut"


def test_reopened_stream_replays_from_the_start_and_applies_nothing_twice(llm_server, page, tmp_path):
    agent = llm_server.key("agent")
    draft = start_and_open(page, llm_server, agent, "r-reopen", tmp_path)

    # A stream opened from the start: the server replays every event of the merchant; the
    # screen must drop the ones it already applied.
    page.evaluate("() => { const s = window.__copilotStream; s.source.close(); s.open(0); }")

    expect(page.locator("[data-testid=draft-state]")).to_have_text("待审核", timeout=30_000)
    done = draft_done_text(llm_server, agent, "r-reopen")
    assert draft.inner_text() == done == REPLY
    counts = page.evaluate("({dropped: window.__copilotStream.dropped, applied: window.__copilotStream.applied})")
    assert counts["dropped"] > 0, "the replayed events were seen and dropped"
    expect(page.locator("[data-testid=msg-customer]")).to_have_count(1)
