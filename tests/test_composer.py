"""The offline composer through the real pipeline (real Chroma, the e5 embedder, fact vectors),
on a coffee shop of our own: a vertical none of the eval sets covers. One test per class of
failure the composer used to have on shops it was not written against."""
from __future__ import annotations

import inspect
from types import SimpleNamespace

import numpy as np
import pytest

from copilot.drafting import DraftRequest, Drafter, features
from copilot.drafting.composer import Composer
from copilot.drafting.question import Part, read
from copilot.drafting.selection import ScoredFact, Scorer, _answers, focus_of, on_topic
from copilot.drafting.voice import DEFAULT_VOICE, ENGLISH_VOICE, Voice
from copilot.pipeline import AssistRequest, Pipeline
from copilot.turns import Turn
from knowledge.facts import Fact
from knowledge.records import Faq, Policy, Product, Source

MERCHANT = "beanhouse"
BEANS = Product(
    sku_id="CF-11", title="山谷烘焙 耶加雪菲 浅烘咖啡豆 454g 手冲单品", category="咖啡豆", price="88.00", stock=35,
    attributes={"产地": "埃塞俄比亚 耶加雪菲产区", "烘焙程度": "浅烘（City）", "风味": "柑橘、茉莉花香，明亮酸质",
                "冲煮水温": "90-94℃", "赏味期": "烘焙后90天", "储存方法": "单向排气阀袋装，开封后密封避光"},
    description="每周烘焙，现烘现发。")
DARK = Product(
    sku_id="CF-12", title="山谷烘焙 曼特宁 深烘咖啡豆 227g", category="咖啡豆", price="66", stock=0,
    attributes={"产地": "印度尼西亚 苏门答腊", "烘焙程度": "深烘（French）", "风味": "草本、黑巧克力，醇厚低酸",
                "冲煮水温": "86-88℃", "赏味期": "烘焙后120天"})
GRINDER = Product(
    sku_id="GR-3", title="手摇磨豆机 不锈钢磨芯 便携款", category="磨豆机", price="199", stock=8,
    attributes={"磨芯": "420不锈钢锥形磨芯", "粉仓容量": "25g", "清洁": "磨芯不可水洗，用附带毛刷清理"})
AFTER_SALES = Policy(policy_id="after-sales", title="售后与退换", body="""# 售后与退换

## 退货
- 咖啡豆属于食品，一经拆封不支持无理由退货；未拆封的签收后7天内可无理由退货。
- 器具类商品签收后7天内可无理由退货，需保持包装完好。

## 换货
- 收到磨豆机有质量问题的，签收后15天内可换新。

## 退款
- 仓库收到退货后48小时内审核，审核通过后原路退款，1-3个工作日到账。
""")
SHIPPING = Policy(policy_id="shipping", title="发货说明", body="""# 发货说明
- 每天15:00前付款的订单当天烘焙当天发货，15:00后次日发货。
- 默认顺丰快递，新疆、西藏每单补运费12元。
""")
FAQ_GRIND = Faq(faq_id="FAQ-C1", question="可以帮忙磨成粉吗？",
                answer="亲，可以的哦~ 下单时备注冲煮方式（手冲、法压、意式），我们按对应粗细免费研磨。")
FAQ_DECAF = Faq(faq_id="FAQ-C2", question="有低因咖啡吗？", answer="亲，目前店里暂时没有低因款哦~")


def scored(source: Source, part: str, text: str, score: float, about: str = "") -> ScoredFact:
    """A candidate fact of `source` as the scorer would rank it."""
    return ScoredFact(Fact(source.id, source.kind, part, text, about=about), source, score)


@pytest.fixture
def beanhouse(kb, retriever):
    kb.create_merchant(MERCHANT)
    for records in ([BEANS, DARK, GRINDER], [AFTER_SALES, SHIPPING], [FAQ_GRIND, FAQ_DECAF]):
        kb.put(MERCHANT, records)
    composer = Composer()
    return Pipeline(retriever=retriever, drafter=composer, composer=composer,
                    context_tokens=1500, history_tokens=500)


async def draft(pipeline: Pipeline, message: str, sku: str | None = "CF-11", history=()) -> dict:
    events = [e async for e in pipeline.run(AssistRequest(merchant=MERCHANT, message=message, sku=sku,
                                                         history=tuple(history)))]
    assert events[-1].type == "draft.done"
    return events[-1].body


def test_is_a_drafter_named_composer():
    composer: Drafter = Composer()
    assert composer.name == "composer"
    assert inspect.isasyncgenfunction(Composer.draft)


async def test_the_attribute_whose_key_answers_a_question_asked_in_other_words(beanhouse):
    done = await draft(beanhouse, "用刚烧开的水冲行不行 水要多热")
    assert "90-94℃" in done["text"] and done["citations"] == ["CF-11"]
    assert "86-88℃" not in done["text"]          # the other roast's value
    assert done["grounded"] and done["unanswered"] == []


async def test_price_is_a_fact(beanhouse):
    done = await draft(beanhouse, "这个现在卖多少钱")
    assert "88元" in done["text"] and done["grounded"]


async def test_stock_is_a_fact_in_stock_and_sold_out(beanhouse):
    in_stock = await draft(beanhouse, "还有货吗")
    assert "有现货" in in_stock["text"]
    sold_out = await draft(beanhouse, "还有货吗", sku="CF-12")
    assert "缺货" in sold_out["text"] and "有现货" not in sold_out["text"]


async def test_a_spec_in_the_title_is_a_fact(beanhouse):
    done = await draft(beanhouse, "一袋多少克")
    assert "454g" in done["text"] and "227g" not in done["text"]


async def test_a_multi_part_question_gets_each_part_answered(beanhouse):
    done = await draft(beanhouse, "多少钱？能放多久？")
    assert "88元" in done["text"] and "烘焙后90天" in done["text"]


async def test_an_english_question_gets_an_english_frame_around_the_facts(beanhouse):
    done = await draft(beanhouse, "How much is it? And how many grams in a bag?")
    assert done["text"].startswith(ENGLISH_VOICE.greeting) and done["text"].endswith(ENGLISH_VOICE.closing)
    assert "88元" in done["text"] and "454g" in done["text"]
    assert "亲，" not in done["text"]


@pytest.mark.parametrize("message, reply", [
    ("你好 在吗", DEFAULT_VOICE.hello), ("在不在呀~", DEFAULT_VOICE.hello),
    ("hello?", ENGLISH_VOICE.hello), ("好的 谢谢", DEFAULT_VOICE.thanks)])
async def test_small_talk_gets_small_talk_not_no_answer(beanhouse, message, reply):
    done = await draft(beanhouse, message)
    assert done["text"] == reply and done["unanswered"] == [] and done["citations"] == []


async def test_a_returns_question_quotes_the_returns_clause_not_the_exchange_one(beanhouse):
    done = await draft(beanhouse, "拆开喝了两次不太喜欢 能退吗")
    assert "一经拆封不支持无理由退货" in done["text"] and "after-sales" in done["citations"]
    assert "换新" not in done["text"]


async def test_the_refund_time_comes_from_the_refund_clause(beanhouse):
    done = await draft(beanhouse, "退货寄回去了 钱多久能到账", sku=None)
    assert "1-3个工作日" in done["text"]


async def test_a_service_question_is_answered_by_the_stores_terms_not_a_close_product_fact(beanhouse):
    done = await draft(beanhouse, "闻着花香挺淡的 我不太喜欢这个风味 没拆能退吗")
    assert "未拆封的签收后7天内可无理由退货" in done["text"] and "茉莉" not in done["text"]
    done = await draft(beanhouse, "退货已经寄回去了 钱几天能退到", sku=None)   # the refund clause, not the returns window
    assert "48小时" in done["text"] and "签收后7天内" not in done["text"]


async def test_a_time_the_shopper_states_gets_the_cut_off_time(beanhouse):
    done = await draft(beanhouse, "下午四点多拍的 今天能发吗")
    assert "15:00" in done["text"] and "shipping" in done["citations"]


async def test_no_answer_says_the_agent_will_check_and_names_the_gap(beanhouse):
    done = await draft(beanhouse, "能开增值税专用发票吗")
    assert done["text"] == DEFAULT_VOICE.no_answer and "核实" in done["text"]
    assert done["unanswered"] == ["能开增值税专用发票吗"] and done["citations"] == []
    assert done["unkept_promises"] == []


async def test_a_question_split_over_two_messages_is_answered_whole(beanhouse):
    history = [Turn(role="customer", text="这个豆子是哪里产的")]
    done = await draft(beanhouse, "还有 烘焙程度是深还是浅", history=history)
    assert "埃塞俄比亚" in done["text"] and "浅烘" in done["text"]


async def test_an_answered_earlier_question_is_not_asked_again(beanhouse):
    history = [Turn(role="customer", text="这个豆子是哪里产的"),
               Turn(role="agent", text="亲，是埃塞俄比亚耶加雪菲产区的哦~")]
    done = await draft(beanhouse, "一袋多少克", history=history)
    assert "454g" in done["text"] and "埃塞俄比亚" not in done["text"]


async def test_another_product_named_by_the_shopper_is_the_one_answered(beanhouse):
    done = await draft(beanhouse, "那个曼特宁深烘的冲煮水温多少")
    assert "86-88℃" in done["text"] and "CF-12" in done["citations"]


def titled(sku_id: str, title: str) -> Source:
    """A retrieved product known by its title alone."""
    return Source(id=sku_id, kind="sku", title=title, text=title, score=1.0,
                  record={"sku_id": sku_id, "title": title, "attributes": {}})


def test_a_size_named_in_two_letters_names_that_variant():
    small, large = titled("PT-L", "云朵拉拉裤 L码 54片"), titled("PT-XL", "云朵拉拉裤 XL码 44片")
    assert focus_of(read("云朵拉拉裤XL码的一包多少片"), [small, large], "PT-L") == large
    assert focus_of(read("云朵拉拉裤一包多少片"), [small, large], "PT-L") == small


def test_the_words_of_a_question_name_no_product():
    viewed, big = titled("SH-1", "清润洗发水 400ml"), titled("SH-2", "清润洗发水 大容量家庭装 1L")
    assert focus_of(read("这瓶多大容量的"), [viewed, big], "SH-1") == viewed
    assert focus_of(read("大容量家庭装多少钱"), [viewed, big], "SH-1") == big


async def test_a_bare_follow_up_carries_the_earlier_question(beanhouse):
    history = [Turn(role="customer", text="这款的冲煮水温多少"), Turn(role="agent", text="亲，90-94℃哦~")]
    done = await draft(beanhouse, "那曼特宁的呢", history=history)
    assert "86-88℃" in done["text"]


async def test_the_order_of_the_sources_does_not_change_the_answer(beanhouse):
    found = await draft(beanhouse, "新疆运费多少", sku=None)
    question = AssistRequest(merchant=MERCHANT, message="新疆运费多少")
    retrieved = beanhouse.retrieve(question)
    vector, sources = retrieved.vector, retrieved.sources
    fact_vectors = beanhouse.retriever.fact_vectors(MERCHANT)
    backward = Composer().compose(DraftRequest(merchant=MERCHANT, message=question.message,
                                               sources=sources[::-1], query_vector=vector,
                                               fact_vectors=fact_vectors))
    assert backward.text == found["text"] and "12元" in found["text"]


async def test_every_number_is_grounded_and_the_draft_streams_in_pieces(beanhouse):
    for message, sku in [("未拆封的能退吗", None), ("几点前下单当天发", None), ("粉仓能装多少克", "GR-3")]:
        done = await draft(beanhouse, message, sku=sku)
        assert done["grounded"] and not done["unanswered"], (message, done["text"])
    question = AssistRequest(merchant=MERCHANT, message="多少钱？能放多久？", sku="CF-11")
    found = beanhouse.retrieve(question)
    request = DraftRequest(merchant=MERCHANT, message=question.message, sources=found.sources,
                           sku_in_view="CF-11", query_vector=found.vector, part_vectors=found.part_vectors,
                           fact_vectors=beanhouse.retriever.fact_vectors(MERCHANT))
    deltas = [d async for d in Composer().draft(request)]
    assert len(deltas) > 2 and "".join(deltas) == Composer().compose(request).text


def test_escalation_apologises_hands_over_and_does_not_argue():
    policy = Policy(policy_id="quality", title="质量问题", body="- 轻微磨痕属正常现象，不属于质量问题。\n"
                    "- 签收15天内出现磨芯断裂，可换新，运费由本店承担。")
    source = SimpleNamespace(id="quality", kind="policy", title="质量问题",
                             record=policy.model_dump(mode="json"))
    request = DraftRequest(merchant=MERCHANT, message="磨豆机用了三天磨芯就断了 你们什么破质量 我要投诉",
                           sources=(source,), escalation=SimpleNamespace(escalate=True, level=3))
    comp = Composer().compose(request)
    assert comp.text.startswith(DEFAULT_VOICE.apology) and DEFAULT_VOICE.handover in comp.text
    assert "正常现象" not in comp.text and "已经" not in comp.text


def test_outfits_are_presented_in_the_store_voice_and_cite_their_items():
    item = lambda sku, title: SimpleNamespace(sku_id=sku, title=title, price=99, category="杯子")
    outfits = SimpleNamespace(note="", outfits=[
        SimpleNamespace(items=[item("A1", "玻璃分享壶"), item("A2", "滤杯")], total=300, reason="透明器具更显豆色"),
        SimpleNamespace(items=[item("B1", "陶瓷杯")], total=120, reason="")])
    comp = Composer().compose(DraftRequest(merchant=MERCHANT, message="配什么器具好看", outfits=outfits))
    assert "玻璃分享壶" in comp.text and "滤杯" in comp.text and "陶瓷杯" in comp.text
    assert "透明器具更显豆色" in comp.text and comp.citations == ["A1", "A2", "B1"]
    assert "方案一" in comp.text and "方案二" in comp.text


def test_outfits_for_an_english_shopper_are_framed_in_english_and_a_note_alone_is_said():
    item = SimpleNamespace(sku_id="A1", title="玻璃分享壶", price=99, category="杯子")
    outfits = SimpleNamespace(note="within the 300 yuan budget, the pieces make 1 outfit(s), not 3",
                              outfits=[SimpleNamespace(items=[item], total=300, reason="glass shows the colour")])
    comp = Composer().compose(DraftRequest(merchant=MERCHANT, message="what goes with this kettle?", outfits=outfits))
    assert "Outfit 1: 玻璃分享壶 (glass shows the colour)" in comp.text
    assert "Within the 300 yuan budget" in comp.text and "方案" not in comp.text and "有喜欢" not in comp.text
    declined = SimpleNamespace(note="「明前龙井」不是穿搭类商品，暂时没有搭配方案，有其他问题可以随时问我", outfits=[])
    comp = Composer().compose(DraftRequest(merchant=MERCHANT, message="这个茶怎么搭配穿", outfits=declined))
    assert "不是穿搭类商品" in comp.text and comp.text.startswith("亲，")


def test_the_store_voice_frames_the_quoted_facts():
    voice = Voice(hello="您好，欢迎光临山谷烘焙，请问想了解哪款豆子？")
    comp = Composer(store_voice=voice).compose(DraftRequest(merchant=MERCHANT, message="你好"))
    assert comp.text == voice.hello


async def test_each_part_of_a_question_is_matched_by_its_own_meaning(beanhouse):
    # Neither part names an attribute key or a unit: each is found by what it means, with
    # its own vector (the whole question's alone pulls both parts to one fact).
    for message, wanted in [("豆子从哪来的 喝起来酸不酸", ("埃塞俄比亚", "明亮酸质")),
                            ("哪个国家的豆子 开了袋怎么存", ("埃塞俄比亚", "开封后密封避光"))]:
        done = await draft(beanhouse, message)
        assert all(w in done["text"] for w in wanted), (message, done["text"])


async def test_a_service_question_nothing_answers_surely_gets_the_clause_with_the_stores_words(beanhouse):
    # A scorer unsure of every fact (each 5% likely) leaves a product question unanswered, but
    # a returns question is answered by the clause that speaks of returns (退货), not "I'll check".
    unsure = Scorer(np.zeros(len(features.NAMES), dtype=np.float32), float(np.log(0.05 / 0.95)), {})
    for message, wanted in [("我在家拆开闻了闻不太喜欢 能退吗", "无理由退货"), ("磨豆机多重", None)]:
        question = AssistRequest(merchant=MERCHANT, message=message, sku="GR-3")
        retrieved = beanhouse.retrieve(question)
        composition = Composer(scorer=unsure).compose(DraftRequest(
            merchant=MERCHANT, message=message, sources=retrieved.sources, sku_in_view="GR-3",
            query_vector=retrieved.vector, fact_vectors=beanhouse.retriever.fact_vectors(MERCHANT)))
        if wanted:
            assert wanted in composition.text and "after-sales" in composition.citations, composition.text
        else:
            assert not composition.answered and composition.unanswered, composition.text


async def test_a_clause_about_other_categories_does_not_ride_along(beanhouse):
    # The grinder's shopper gets the returns clause for equipment, not the coffee beans' one,
    # which names another category of the shop (咖啡豆) and not the grinder's (磨豆机).
    done = await draft(beanhouse, "能退吗", sku="GR-3")
    assert "器具类商品签收后7天内可无理由退货" in done["text"], done["text"]
    assert "咖啡豆" not in done["text"], done["text"]


def test_a_runner_up_with_another_value_of_the_answered_kind_is_left_out_unless_about_as_likely():
    policy = Source(id="refunds", kind="policy", title="退款说明", text="", score=1.0, record={})

    def clause(text: str, score: float) -> ScoredFact:
        return scored(policy, "clause", text, score, about="退款说明")

    best = clause("仓库签收退货后48小时内原路退款。", 0.9)
    other_case = clause("未发货订单申请退款，2小时内处理。", 0.2)       # another duration, far less likely
    how = clause("退款原路退回到支付账户。", 0.2)                        # no duration: it adds, not contradicts
    part = Part("钱多久退回来", ("duration", "refund"), "钱多久退回来")
    assert _answers(part, [best, other_case, how], features.Scope()) == [best, how]
    close = clause("已发货订单拒收的，退回仓库后72小时内退款。", 0.6)   # as likely: both are quoted
    assert _answers(part, [best, close], features.Scope()) == [best, close]


def test_a_rival_as_likely_is_left_out_when_the_shoppers_words_set_the_best_apart():
    policy = Source(id="delivery", kind="policy", title="配送说明", text="", score=1.0, record={})
    express = scored(policy, "clause", "加急配送：选择次日达需另付运费18元。", 0.8, about="配送说明")
    islands = scored(policy, "clause", "海岛地区每单加收运费30元。", 0.6, about="配送说明")
    asked = Part("想要次日达 运费多少", ("fee",), "运费多少")
    assert _answers(asked, [express, islands], features.Scope()) == [express]
    # the shopper's words name the rival's case too: no telling which applies, both are quoted
    both = Part("我在海岛 想要次日达 运费多少", ("fee",), "运费多少")
    assert _answers(both, [express, islands], features.Scope()) == [express, islands]


def test_a_sold_out_answer_says_when_it_is_back():
    tent = Source(id="TENT-2", kind="sku", title="双人帐篷", text="", score=1.0, record={})
    sold_out = scored(tent, "stock", "暂时缺货（已售罄）", 0.99)
    colour = scored(tent, "attribute", "军绿色", 0.3)
    back = scored(tent, "description", "这批卖完了，下月初到货后补库存。", 0.01)
    asked = Part("绿色的还有吗", ("stock",), "绿色的还有吗")
    assert back in _answers(asked, [sold_out, colour, back], features.Scope())
    in_stock = scored(tent, "stock", "有现货", 0.99)
    assert back not in _answers(asked, [in_stock, colour, back], features.Scope())


def test_a_service_answer_that_also_holds_the_time_asked_comes_first():
    shipping = Source(id="shipping", kind="policy", title="发货说明", text="", score=1.0, record={})

    def clause(text: str, score: float) -> ScoredFact:
        return scored(shipping, "clause", text, score, about="发货说明")

    merged = clause("同一地址的多个订单会合并发货。", 0.3)
    cut_off = clause("每天16:00前付款的订单当天发货。", 0.1)
    look = ScoredFact(Fact("CF-11", "sku", "attribute", "柑橘、茉莉花香", about="风味"), shipping, 0.5)
    part = Part("下午三点拍的 今天能发吗", ("shipping", "yesno", "clock"), "今天能发吗")
    assert on_topic(part, [look, merged, cut_off]) == [cut_off, merged]


def test_returns_and_exchanges_under_one_title_are_one_service():
    policy = Source(id="returns", kind="policy", title="7天无理由退换货", text="", score=1.0, record={})
    terms = ScoredFact(Fact("returns", "policy", "clause", "吊牌完好、未洗涤的，签收后7天内可申请。",
                            about="7天无理由退换货 退换条件"), policy, 0.1)
    look = ScoredFact(Fact("TS-1", "sku", "attribute", "纯棉", about="面料"), policy, 0.4)
    part = Part("穿了一次 还能退吗", ("returns", "yesno"), "还能退吗")
    assert on_topic(part, [look, terms]) == [terms]


def test_the_merchants_attribute_values_are_known_as_alternatives(beanhouse, retriever):
    """Narrowing (`tests/test_narrowing.py`) tells another product's value by these."""
    alternatives = retriever.alternatives(MERCHANT)
    assert alternatives["冲煮水温"] == {"90-94℃", "86-88℃"}
    assert alternatives["磨芯"] == {"420不锈钢锥形磨芯"}


async def test_a_variant_named_by_a_spec_is_the_one_answered(beanhouse, kb):
    big = Product.model_validate({**BEANS.model_dump(mode="json"), "sku_id": "CF-11K", "price": "178.00",
                                  "title": "山谷烘焙 耶加雪菲 浅烘咖啡豆 1kg 手冲单品"})
    kb.put(MERCHANT, [big])
    body = await draft(beanhouse, "有1kg的吗 多少钱")
    assert "178元" in body["text"] and "88元" not in body["text"]
    assert "CF-11K" in body["citations"]


async def test_an_english_service_question_finds_the_stores_chinese_terms(beanhouse):
    body = await draft(beanhouse, "Do you ship to Tibet? Is there an extra fee?", sku=None)
    assert "12元" in body["text"] and "shipping" in body["citations"]
    assert body["text"].startswith("Hi")
