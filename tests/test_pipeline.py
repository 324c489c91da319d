"""The assist pipeline end to end on real Chroma, with the LLM behind a real OpenAI-compatible
HTTP server (tests/fake_llm.py): streaming, citations, and the composer fallback on failures."""
from __future__ import annotations

import pytest

from copilot.drafting.composer import Composer
from copilot.drafting.llm import LLMDrafter
from copilot.pipeline import AssistRequest, Pipeline
from copilot.prompts import PromptLibrary
from knowledge.records import Faq, Policy, Product
from tests.fake_llm import Behaviour, FakeLLM

MERCHANT = "pottery"
BOWL = Product(sku_id="POT-7", title="手工粗陶饭碗 4.5英寸 哑光白", category="碗", price=39, stock=20,
               attributes={"材质": "粗陶", "尺寸": "口径11.5cm 高6cm", "可用洗碗机": "可以，建议上层摆放",
                           "可进微波炉": "可以"})
RETURNS = Policy(policy_id="breakage", title="破损包赔",
                 body="收到商品如有破损，请在签收后48小时内拍照联系客服，补发或退款。")
FAQ = Faq(faq_id="P-1", question="会不会掉色", answer="亲，釉料为食品级无铅釉，不会掉色哦~")


@pytest.fixture
def pottery(kb, retriever):
    kb.create_merchant(MERCHANT)
    for records in ([BOWL], [RETURNS], [FAQ]):
        kb.put(MERCHANT, records)
    return retriever


def pipeline(retriever, llm: FakeLLM, *, timeout: float = 5.0) -> Pipeline:
    drafter = LLMDrafter(base_url=llm.base_url, api_key="k", model="fake-model", timeout=timeout,
                         prompts=PromptLibrary.load())
    return Pipeline(retriever=retriever, drafter=drafter, composer=Composer(),
                    context_tokens=1500, history_tokens=500)


async def run(pipe: Pipeline, message: str, sku: str | None = "POT-7") -> list:
    return [e async for e in pipe.run(AssistRequest(merchant=MERCHANT, message=message, sku=sku))]


async def test_llm_draft_streams_token_by_token_and_cites_numbered_sources(pottery):
    with FakeLLM(behaviour=Behaviour(reply="亲，这款可以放洗碗机哦，建议放上层[1]~", piece=2)) as llm:
        events = await run(pipeline(pottery, llm), "能用洗碗机洗吗")
    types = [e.type for e in events]
    assert types[:2] == ["escalation", "sources"] and types[-1] == "draft.done"
    deltas = [e.body["text"] for e in events if e.type == "draft.delta"]
    assert len(deltas) > 5 and "".join(deltas) == events[-1].body["text"]
    sources = next(e for e in events if e.type == "sources").body["sources"]
    assert events[-1].body["citations"] == [sources[0]["id"]]
    assert events[-1].body["prompt"] == {"id": "reply@2", "version": 2}
    sent = llm.requests[0]["messages"]
    assert "洗碗机" in str(sent) and "可以，建议上层摆放" in str(sent)


async def test_ungrounded_numbers_in_an_llm_draft_are_flagged_not_hidden(pottery):
    with FakeLLM(behaviour=Behaviour(reply="亲，破损请在72小时内联系我们[1]，另送5元券~")) as llm:
        events = await run(pipeline(pottery, llm), "碗碎了怎么办", sku=None)
    done = events[-1].body
    assert done["text"].startswith("亲，破损请在72小时内") and not done["grounded"]
    assert set(done["ungrounded"]) >= {"72小时", "5元"}


@pytest.mark.parametrize("behaviour, cause", [
    (Behaviour(status=500), "500"),
    (Behaviour(status=429, retry_after=3), "429"),
    (Behaviour(first_delay=2.0), "timed out"),
    (Behaviour(reply="亲，这款可以放洗碗机哦，建议放上层~" * 4, cut_after=2), "cut off"),
])
async def test_llm_failures_give_an_error_event_and_the_composer_draft(pottery, behaviour, cause):
    with FakeLLM(behaviour=behaviour) as llm:
        events = await run(pipeline(pottery, llm, timeout=0.5), "能用洗碗机洗吗")
    errors = [e for e in events if e.type == "error"]
    assert len(errors) == 1 and cause in errors[0].body["message"]
    done = events[-1]
    assert done.type == "draft.done" and done.body["drafter"] == "composer"
    assert "上层" in done.body["text"] and done.body["citations"] == ["POT-7"]
    after_error = [e for e in events[events.index(errors[0]):] if e.type == "draft.delta"]
    assert after_error[0].body["restart"] and "".join(e.body["text"] for e in after_error) == done.body["text"]


async def test_composer_says_plainly_when_the_knowledge_has_no_answer(pottery):
    composer = Composer()
    events = [e async for e in Pipeline(retriever=pottery, drafter=composer, composer=composer,
                                        context_tokens=1500, history_tokens=500).run(
        AssistRequest(merchant=MERCHANT, message="你们老板是哪里人", sku=None))]
    done = events[-1].body
    assert "没有查到" in done["text"] and done["citations"] == [] and done["ungrounded"] == []
