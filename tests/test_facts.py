"""Facts as first-class knowledge: every record split into atomic facts at ingest, fact texts
embedded once per merchant (keys shared by SKUs embed once; unchanged re-uploads embed nothing)."""
from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.facts import IN_STOCK, SOLD_OUT, facts_of, ingest_texts, price_text, specs_in, vector_id
from knowledge.index import VectorIndex, make_client
from knowledge.records import Faq, Policy, Product, Source
from knowledge.retrieval import Retriever

LAMP = Product(sku_id="LP-1", title="北欧木艺 护眼台灯 12W 三档调光 USB充电 2000mAh", category="台灯",
               price="129.90", stock=0, attributes={"色温": "3000K-5000K", "续航": "约6小时"},
               description="木质底座。适合床头阅读。")
SHADE = Product(sku_id="LP-2", title="北欧木艺 落地灯 1.6m", category="落地灯", price="299", stock=4,
                attributes={"色温": "3000K", "灯罩材质": "亚麻布"})
POLICY = Policy(policy_id="returns", title="退换说明", body="""# 退换说明
## 退货
- 签收7天内可无理由退货。
- 灯具类需保留原包装。

| 情形 | 运费 |
|---|---|
| 质量问题 | 本店承担 |
""")
FAQ = Faq(faq_id="F1", question="灯泡能换吗？", answer="亲，灯珠为LED一体式，不可单独更换哦~")


def test_a_sku_gives_price_stock_title_specs_attributes_and_description_sentences():
    facts = facts_of("sku", "LP-1", LAMP.model_dump(mode="json"))
    by_part = {}
    for fact in facts:
        by_part.setdefault(fact.part, []).append(fact)
    assert [f.text for f in by_part["price"]] == ["129.9元"]
    assert [f.text for f in by_part["stock"]] == [SOLD_OUT]
    assert {f.text for f in by_part["spec"]} == {"12W", "2000mAh"}
    assert {(f.about, f.text) for f in by_part["attribute"]} == {("色温", "3000K-5000K"), ("续航", "约6小时")}
    assert [f.text for f in by_part["description"]] == ["木质底座。", "适合床头阅读。"]
    # Its key (shared by every SKU that has it) is embedded at ingest, the statement when needed.
    assert {f.key for f in by_part["attribute"]} == {"色温", "续航"}
    assert {f.embed for f in by_part["attribute"]} == {"色温：3000K-5000K", "续航：约6小时"}
    assert [f.embed for f in by_part["description"]] == ["木质底座。", "适合床头阅读。"]
    assert [ingest_texts(f) for f in by_part["attribute"]] == [["色温"], ["续航"]]
    assert all(ingest_texts(f) == [] for f in by_part["description"])


def test_stock_price_and_specs_read_the_way_a_shopper_asks_them():
    assert price_text("100.00") == "100元" and price_text(89.9) == "89.9元"
    assert facts_of("sku", "LP-2", SHADE.model_dump(mode="json"))[1].text == IN_STOCK
    assert [s for s, _ in specs_in("坚果礼盒 25g×30袋 750g")] == ["25g×30袋", "750g"]
    assert not [s for s, _ in specs_in("12GB+256GB 256GB存储") if "GB" in s]   # GB is no gram


def test_a_policy_gives_each_clause_with_its_heading_and_an_faq_its_answer_under_its_question():
    clauses = facts_of("policy", "returns", POLICY.model_dump(mode="json"))
    assert [c.text for c in clauses] == ["签收7天内可无理由退货。", "灯具类需保留原包装。", "质量问题：运费本店承担"]
    assert clauses[0].about == "退换说明 退货" and clauses[0].embed.endswith("签收7天内可无理由退货。")
    (faq,) = facts_of("faq", "F1", FAQ.model_dump(mode="json"))
    assert faq.text == FAQ.answer and faq.about == FAQ.question and faq.embed == FAQ.question


class CountingEmbedder:
    """The real embedder, counting the texts it is given (same protocol)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, []

    def embed_documents(self, texts):
        self.texts += list(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def counted(settings, embedder):
    counting = CountingEmbedder(embedder)
    index = VectorIndex(client=make_client(settings), embedder_name=embedder.name, dim=embedder.dim)
    kb = KnowledgeBase(index=index, embedder=counting)
    kb.create_merchant("lamps")
    return kb, counting


def test_ingest_embeds_each_fact_text_once_and_a_re_upload_embeds_nothing(counted):
    kb, counting = counted
    first = kb.put("lamps", [LAMP, SHADE])
    fact_texts = {t for p in (LAMP, SHADE) for f in facts_of("sku", p.sku_id, p.model_dump(mode="json"))
                  for t in ingest_texts(f)}
    assert first.facts_embedded == len(fact_texts)        # "色温" once for both lamps
    assert "色温：3000K" not in counting.texts             # statements wait for a question
    assert counting.texts.count("色温") == 1
    stored = kb.index.fact_vectors("lamps")
    assert {vector_id(t) for t in fact_texts} <= set(stored)

    counting.texts.clear()
    again = kb.put("lamps", [LAMP, SHADE])
    assert again.embedded == 0 and again.facts_embedded == 0 and counting.texts == []

    renamed = SHADE.model_copy(update={"attributes": {"色温": "2700K", "灯罩材质": "亚麻布"}})
    changed = kb.put("lamps", [renamed])
    assert changed.facts_embedded == 0                     # a new value of a known key: nothing to embed


def test_policies_and_faqs_embed_their_clauses_and_questions(counted):
    kb, counting = counted
    kb.put("lamps", [POLICY])
    kb.put("lamps", [FAQ])
    assert FAQ.question in counting.texts
    assert any(t.endswith("签收7天内可无理由退货。") for t in counting.texts)


def test_a_products_statements_are_embedded_by_the_first_question_that_needs_them(counted):
    kb, counting = counted
    kb.put("lamps", [LAMP, SHADE])
    retriever = Retriever(kb=kb)
    counting.texts.clear()
    shade = Source(id="LP-2", kind="sku", title=SHADE.title, text="", score=1.0, record=SHADE.model_dump(mode="json"))
    vectors = retriever.statement_vectors("lamps", [shade])
    assert sorted(counting.texts) == ["灯罩材质：亚麻布", "色温：3000K"]
    assert {vector_id(t) for t in counting.texts} <= set(vectors)
    assert {vector_id(t) for t in counting.texts} <= set(kb.index.fact_vectors("lamps"))   # stored
    counting.texts.clear()
    retriever.statement_vectors("lamps", [shade])
    assert counting.texts == []                            # the second question embeds nothing
    assert Retriever(kb=kb).statement_vectors("lamps", [shade]) and counting.texts == []


def test_the_warm_up_embeds_every_products_statements_once_in_the_background(counted):
    kb, counting = counted
    kb.put("lamps", [LAMP, SHADE])
    counting.texts.clear()
    retriever = Retriever(kb=kb)
    embedded = retriever.warm("lamps").result(timeout=60)
    statements = {f.embed for p in (LAMP, SHADE) for f in facts_of("sku", p.sku_id, p.model_dump(mode="json"))
                  if f.embed}
    assert embedded == len(statements) and sorted(counting.texts) == sorted(statements)
    assert {vector_id(t) for t in statements} <= set(retriever.fact_vectors("lamps"))
    counting.texts.clear()
    assert Retriever(kb=kb).warm("lamps").result(timeout=60) == 0 and counting.texts == []
