"""The offline composer, on a small merchant of our own (a tea-and-tableware shop)."""
from __future__ import annotations

import asyncio
import inspect
import re
from types import SimpleNamespace

from copilot.drafting import DraftRequest, Drafter
from copilot.drafting.composer import DEFAULT_VOICE, Composer, Voice
from copilot.drafting.grounding import check
from copilot.turns import Turn
from knowledge.records import Source


def _sku(sku_id, title, category, attributes, *, stock=10, description="", price="99"):
    record = {"sku_id": sku_id, "title": title, "category": category, "price": price,
              "stock": stock, "attributes": attributes, "description": description}
    return Source(id=sku_id, kind="sku", title=title, text=title, score=0.5, record=record)


def _policy(policy_id, title, body, applies_to=()):
    record = {"policy_id": policy_id, "title": title, "body": body, "applies_to": list(applies_to)}
    return Source(id=policy_id, kind="policy", title=title, text=body, score=0.5, record=record)


def _faq(faq_id, question, answer):
    return Source(id=faq_id, kind="faq", title=question, text=f"{question}\n{answer}", score=0.5,
                  record={"faq_id": faq_id, "question": question, "answer": answer})


MUG = _sku("MUG-7", "手绘陶瓷马克杯 380ml 青花", "杯子",
           {"材质": "高温陶瓷", "容量": "380ml", "清洗方式": "可放洗碗机，不可微波炉加热（有金边）",
            "赠品": "赠送木质杯垫一个"}, description="釉下手绘，每只花纹略有不同。")
KETTLE = _sku("KT-2", "不锈钢电热水壶 1.7L", "水壶",
              {"材质": "304不锈钢", "容量": "1.7L", "清洗方式": "壶身不可浸水，内胆可用白醋除垢"},
              stock=0)
RETURNS = _policy("after-sale", "售后说明", """# 售后说明

## 退货
- 签收后7天内可无理由退货，商品需未使用、包装完好。
- 陶瓷类商品运输破损，请在签收48小时内拍照联系客服，免费补发。

## 退款
退货签收后24小时内审核，审核通过后原路退款，一般1-3个工作日到账。
""")
SHIPPING = _policy("shipping", "发货说明", """# 发货说明
- 现货订单付款后24小时内发货，默认韵达快递。
- 偏远地区每单补运费10元。
""")
FAQ_GIFT = _faq("FAQ-9", "可以写贺卡吗？", "亲，可以的哦~ 下单时备注贺卡内容，我们手写后随包裹寄出。")
FAQ_MICROWAVE = _faq("FAQ-3", "杯子能放微波炉吗？", "亲，带金边、金属装饰的杯子不可放微波炉，纯白无装饰款可以哦~")

ALL = (RETURNS, SHIPPING, FAQ_GIFT, FAQ_MICROWAVE, KETTLE, MUG)


def _request(message, sources=ALL, **kw) -> DraftRequest:
    return DraftRequest(merchant="teashop", message=message, sources=tuple(sources), **kw)


def test_is_a_drafter_named_composer():
    composer: Drafter = Composer()
    assert composer.name == "composer"
    assert inspect.isasyncgenfunction(Composer.draft)


def test_answers_from_the_attribute_of_the_product_in_view_even_when_ranked_last():
    comp = Composer().compose(_request("能放洗碗机洗不", sku_in_view="MUG-7"))
    assert comp.answered
    assert "可放洗碗机" in comp.text
    assert comp.citations[0] == "MUG-7"
    assert "KT-2" not in comp.citations and "浸水" not in comp.text
    assert comp.text.startswith(DEFAULT_VOICE.greeting) and comp.text.endswith(DEFAULT_VOICE.closing)


def test_chooses_the_policy_sentence_that_answers_and_not_its_neighbours():
    comp = Composer().compose(_request("退货寄回去了 钱什么时候到账啊"))
    assert "1-3个工作日到账" in comp.text
    assert "after-sale" in comp.citations
    assert "韵达" not in comp.text and "补发" not in comp.text


def test_a_close_faq_is_quoted_whole():
    comp = Composer().compose(_request("这个杯子可以放微波炉吗", sku_in_view="MUG-7"))
    assert "纯白无装饰款可以" in comp.text
    assert "FAQ-3" in comp.citations


def test_follow_up_question_uses_the_shoppers_words_for_gifts():
    comp = Composer().compose(_request("买杯子送啥", sku_in_view="MUG-7"))
    assert "木质杯垫" in comp.text


def test_says_plainly_when_the_knowledge_base_has_no_answer():
    comp = Composer().compose(_request("你们老板是哪里人呀", sku_in_view="MUG-7"))
    assert not comp.answered
    assert comp.text == DEFAULT_VOICE.no_answer
    assert comp.citations == []


def test_no_sources_is_no_answer():
    comp = Composer().compose(_request("能机洗吗", sources=()))
    assert not comp.answered and comp.citations == []


def test_the_order_of_the_sources_does_not_change_the_answer():
    forward = Composer().compose(_request("偏远地区运费多少", sources=ALL))
    backward = Composer().compose(_request("偏远地区运费多少", sources=ALL[::-1]))
    assert forward.text == backward.text
    assert "10元" in forward.text


def test_every_number_in_a_reply_is_in_a_cited_source():
    composer = Composer()
    by_id = {s.id: s for s in ALL}
    for message, sku in [("签收第5天了 还能退吗", None), ("多久发货", None),
                         ("杯子多大容量", "MUG-7"), ("收到杯子碎了怎么办", "MUG-7")]:
        comp = composer.compose(_request(message, sku_in_view=sku))
        assert comp.answered, message
        assert re.search(r"\d", comp.text), message
        assert check(comp.text, [by_id[c] for c in comp.citations]).ok, comp.text


def test_sold_out_product_says_so_when_asked_about_stock():
    restock = _faq("FAQ-5", "没货了什么时候补货？", "亲，售罄款一般10天左右补货，可以点到货提醒哦~")
    comp = Composer().compose(_request("水壶啥时候有货", sources=ALL + (restock,),
                                       sku_in_view="KT-2"))
    assert DEFAULT_VOICE.sold_out in comp.text
    assert "到货提醒" in comp.text
    assert comp.citations[:2] == ["KT-2", "FAQ-5"]


def test_draft_streams_the_composition_in_several_deltas():
    composer = Composer()
    request = _request("签收第5天了 还能退吗 运费多少")

    async def collect():
        return [delta async for delta in composer.draft(request)]

    deltas = asyncio.run(collect())
    assert len(deltas) > 1
    assert "".join(deltas) == composer.compose(request).text


def test_escalation_apologises_hands_over_and_does_not_argue():
    policy = _policy("quality", "质量问题", "- 轻微色差属正常现象，不属于质量问题。\n"
                     "- 签收30天内出现破损、开裂，可退货或换货，运费由本店承担。")
    escalation = SimpleNamespace(level=3, escalate=True, reasons=["投诉"])
    comp = Composer().compose(_request("杯子裂了！你们什么破质量，我要投诉到平台",
                                       sources=(policy, MUG), sku_in_view="MUG-7",
                                       escalation=escalation))
    assert comp.text.startswith(DEFAULT_VOICE.apology)
    assert DEFAULT_VOICE.handover in comp.text
    assert "正常现象" not in comp.text
    assert "可退货或换货" in comp.text and comp.citations == ["quality"]


def test_low_escalation_level_gets_a_normal_answer():
    calm = SimpleNamespace(level=1, escalate=False, reasons=[])
    comp = Composer().compose(_request("能放洗碗机洗不", sku_in_view="MUG-7", escalation=calm))
    assert "可放洗碗机" in comp.text and DEFAULT_VOICE.apology not in comp.text


def test_outfits_are_presented_in_the_store_voice_and_cite_their_items():
    item = lambda sku, title: SimpleNamespace(sku_id=sku, title=title, price=99, category="杯子")
    outfits = SimpleNamespace(note="", outfits=[
        SimpleNamespace(items=[item("A1", "竹制茶盘 长方形"), item("A2", "玻璃公道杯")],
                        total=300, reason="原木色更衬青花"),
        SimpleNamespace(items=[item("B1", "粗陶茶叶罐")], total=120, reason="")])
    comp = Composer().compose(_request("配什么茶具好看", sku_in_view="MUG-7", outfits=outfits))
    assert "竹制茶盘" in comp.text and "玻璃公道杯" in comp.text and "粗陶茶叶罐" in comp.text
    assert "原木色更衬青花" in comp.text
    assert comp.citations == ["A1", "A2", "B1"]
    assert not re.search(r"\d", comp.text)   # prices stay on the outfit cards


def test_history_carries_the_question_into_a_follow_up():
    comp = Composer().compose(_request(
        "那个不锈钢的呢", sources=ALL, sku_in_view="MUG-7",
        history=(Turn("customer", "这个杯子是什么材质的"), Turn("agent", "亲，是高温陶瓷的哦~"))))
    assert "304不锈钢" in comp.text


def test_store_voice_is_configurable():
    voice = Voice(greeting="您好，", closing="。")
    comp = Composer(store_voice=voice).compose(_request("能放洗碗机洗不", sku_in_view="MUG-7"))
    assert comp.text.startswith("您好，") and comp.text.endswith("。")


def test_an_other_items_clause_is_left_out_when_the_answer_names_the_product_category():
    faq = _faq("FAQ-4", "能包装成礼盒吗？", "亲，杯子默认附赠礼盒；其他商品备注礼盒包装，加收8元哦~")
    comp = Composer().compose(_request("有礼盒吗 要加钱不", sources=(faq, MUG), sku_in_view="MUG-7"))
    assert "杯子默认附赠礼盒" in comp.text
    assert "8元" not in comp.text and "其他商品" not in comp.text
    kettle = Composer().compose(_request("有礼盒吗 要加钱不", sources=(faq, KETTLE),
                                         sku_in_view="KT-2"))
    assert "加收8元" in kettle.text
