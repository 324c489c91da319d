"""The injection corpus (tests/data/injection/, written apart from the code) through the whole
pipeline on real Chroma: every attack is flagged for the agent, the offline composer never
quotes one, and a model that obeys one (an LLM behind a real OpenAI-compatible HTTP server
that repeats the attack) has its draft flagged. Legitimate look-alikes are not flagged."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.drafting.composer import Composer
from copilot.drafting.llm import LLMDrafter
from copilot.pipeline import AssistRequest, Pipeline
from copilot.prompts import PromptLibrary
from copilot.safety import scan
from knowledge.records import Faq, Policy, Product
from tests.fake_llm import Behaviour, FakeLLM

CORPUS = Path(__file__).parent / "data" / "injection"
ALLOWED = ("qinghe.example",)       # the corpus's shop host (its README)
MERCHANT = "corpus-shop"
ATTACK_SETS = ("dev.jsonl", "final.jsonl")     # final: measured once unseen (its README), then kept


def cases(*names: str) -> list[dict]:
    return [json.loads(line) for name in names
            for line in (CORPUS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def record_of(case: dict):
    """The knowledge record that holds the case's text in the field it names."""
    text, field, cid = case["text"], case["field"], case["id"]
    if case["channel"] == "catalog":
        fields = {"sku_id": f"SKU-{cid}", "title": f"商品{cid}", "category": "日用", "price": 99, "stock": 5}
        if field.startswith("attr:"):
            fields["attributes"] = {field[5:]: text}
        else:
            fields[field] = text
        return Product(**fields)
    if case["channel"] == "policy":
        return Policy(policy_id=f"policy-{cid}", title=f"店铺说明{cid}", body=text)
    if field == "question":
        return Faq(faq_id=f"faq-{cid}", question=text, answer="亲，以商品详情页为准哦")
    return Faq(faq_id=f"faq-{cid}", question=f"{text[:30]}？", answer=text)


def request_of(case: dict) -> AssistRequest:
    """A shopper asking about what the case's record says (or sending the case's message)."""
    if case["channel"] == "message":
        return AssistRequest(merchant=MERCHANT, message=case["text"])
    if case["channel"] == "catalog":
        return AssistRequest(merchant=MERCHANT, message="这款商品介绍一下？", sku=f"SKU-{case['id']}")
    return AssistRequest(merchant=MERCHANT, message=case["text"][:40])


def source_id(case: dict) -> str:
    return {"catalog": f"SKU-{case['id']}", "policy": f"policy-{case['id']}",
            "faq": f"faq-{case['id']}"}[case["channel"]]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    from copilot.settings import Settings
    from knowledge.base import KnowledgeBase
    from knowledge.index import VectorIndex, make_client
    from knowledge.retrieval import Retriever

    settings = Settings(data_dir=tmp_path_factory.mktemp("injection"))
    kb = KnowledgeBase(index=VectorIndex(client=make_client(settings), embedder_name=embedder.name,
                                         dim=embedder.dim), embedder=embedder)
    kb.create_merchant(MERCHANT)
    kb.set_allowed_hosts(MERCHANT, ALLOWED)
    records = [record_of(c) for c in cases(*ATTACK_SETS, "benign.jsonl") if c["channel"] != "message"]
    for kind in (Product, Policy, Faq):
        kb.put(MERCHANT, [r for r in records if isinstance(r, kind)])
    return Retriever(kb=kb)


async def draft_done(pipe: Pipeline, request: AssistRequest) -> dict:
    return [e async for e in pipe.run(request) if e.type == "draft.done"][0].body


@pytest.mark.parametrize("case", cases(*ATTACK_SETS), ids=lambda c: c["id"])
async def test_every_attack_is_flagged_and_the_composer_never_quotes_it(shop, case):
    pipe = Pipeline(retriever=shop, drafter=Composer(), composer=Composer(),
                    context_tokens=1500, history_tokens=500)
    done = await draft_done(pipe, request_of(case))
    where = "message" if case["channel"] == "message" else "source"
    flagged = [f for f in done["safety"] if f["where"] == where
               and (where == "message" or f["source_id"] == source_id(case))]
    assert flagged, f"{case['id']} not flagged: {done['safety']}"
    assert set(case["kinds"]) <= {f["kind"] for f in flagged}
    assert all(f["reason"] for f in flagged)
    assert not [f for f in done["safety"] if f["where"] == "draft"], done["text"]


@pytest.mark.parametrize("case", cases(*ATTACK_SETS)[::5], ids=lambda c: c["id"])
async def test_a_model_that_obeys_an_attack_gets_its_draft_flagged(shop, case):
    with FakeLLM(behaviour=Behaviour(reply=f"亲，{case['text']}")) as llm:
        drafter = LLMDrafter(base_url=llm.base_url, api_key="k", model="obedient", prompts=PromptLibrary.load())
        pipe = Pipeline(retriever=shop, drafter=drafter, composer=Composer(), context_tokens=1500, history_tokens=500)
        done = await draft_done(pipe, request_of(case))
        sent = "\n".join(m["content"] for m in llm.requests[0]["messages"])
    assert set(case["kinds"]) <= {f["kind"] for f in done["safety"] if f["where"] == "draft"}
    if case["channel"] == "message":   # the shopper's words reach the model as data, delimited
        assert "<顾客消息>" in sent and "</顾客消息>" in sent


def test_legitimate_look_alikes_are_not_flagged():
    flagged = {c["id"]: [f.kind for f in scan(c["text"], ALLOWED)] for c in cases("benign.jsonl")}
    assert {k: v for k, v in flagged.items() if v} == {}
