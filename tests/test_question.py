"""Reading a shopper's question: its parts, the kind of answer each wants, language, small talk,
and the earlier turns asked again. Sentences of our own, across verticals."""
from __future__ import annotations

import pytest

from copilot.drafting.question import answers_kind, kinds_asked, read, split, units_in
from copilot.turns import Turn


@pytest.mark.parametrize("text, kind", [
    ("这个多少钱", "price"), ("how much is this lamp", "price"), ("还有货吗", "stock"),
    ("一罐多少克", "weight"), ("这壶能装多少水", "volume"), ("一盒几片", "count"),
    ("开封后能放多久", "duration"), ("水温要多少度", "temperature"), ("尺寸多大", "dimension"),
    ("功率多少瓦", "power"), ("晚上开着吵不吵", "loudness"), ("几个月的宝宝能用", "age"),
    ("偏远地区运费多少", "fee"), ("几点前下单当天发", "clock"), ("浓度几个点", "percent"),
    ("拆了还能退吗", "returns"), ("钱什么时候到账", "refund"), ("发票怎么开", "invoice"),
    ("用了三天就坏了", "quality"), ("how long does shipping take", "duration"), ("我家猫才3个月 能吃这个不", "fit"),
    ("充满电能用多久", "duration"), ("这个颜色怎么拍不了", "stock"),
])
def test_the_kind_of_answer_a_question_wants(text, kind):
    assert kind in kinds_asked(text)


def test_a_longer_question_word_claims_its_characters():
    assert "price" in kinds_asked("250克礼盒装多少钱") and "volume" not in kinds_asked("250克礼盒装多少钱")
    assert kinds_asked("how many days can I return it")[0] == "duration"
    assert "count" not in kinds_asked("how many days can I return it")


@pytest.mark.parametrize("text", ["焙火重不重", "能吃这个不", "会塌不", "Is this flushable"])
def test_yes_no_questions_without_a_question_word(text):
    assert "yesno" in kinds_asked(text)


def test_a_multi_part_question_is_split_where_each_part_asks():
    parts = split("多少钱？保质期多久？")
    assert [p.kinds for p in parts] == [("price",), ("duration",)]
    one = split("175 70kg 平时穿L 这个拍几码")          # statements before a question are its context
    assert len(one) == 1 and one[0].asking == "这个拍几码" and "175" in one[0].text
    short = split("充电头用了10天就不充电了 咋办")        # "咋办" asks nothing of its own
    assert len(short) == 1 and "quality" in short[0].kinds


def test_a_time_the_shopper_states_is_context_that_asks_for_the_cut_off():
    (part,) = split("昨晚10点拍的 今天能发吗")
    assert part.asking == "今天能发吗" and "clock" in part.kinds and "shipping" in part.kinds
    assert "clock" in kinds_asked("4点半下单今天能发吗")      # a time in the asking words asks a cut-off
    assert kinds_asked("昨晚10点拍的") == ()                 # a time alone asks nothing


def test_a_service_named_before_a_question_is_its_context_not_a_question():
    (refund,) = split("退货已经寄回去了 钱多久能退回来")
    assert refund.asking == "钱多久能退回来" and set(refund.kinds) == {"duration", "refund"}
    (damaged,) = split("快递刚到 盒子压坏了 咋办")            # asks nothing of its own: the service is the topic
    assert "shipping" in damaged.kinds
    assert [p.kinds for p in split("发票")] == [("invoice",)]  # a service alone, last, is asked
    (late,) = split("买了4天还没到 别的东西都是隔天到的")      # ... and so is one nothing asks after
    assert late.kinds == ("shipping",)
    (broken,) = split("用了一周就坏了 咋办")                    # "咋办" asks about the problem named before it
    assert broken.asking == "用了一周就坏了 咋办" and "quality" in broken.kinds


def test_english_is_split_on_punctuation_and_on_and_before_a_question_word():
    assert len(split("How much is it and how many grams?", "en")) == 2
    assert len(split("can it connect to my phone and laptop at the same time?", "en")) == 1


@pytest.mark.parametrize("text, talk", [
    ("你好 在吗", "greeting"), ("在不在呀~", "greeting"), ("hello?", "greeting"), ("亲 有人没", "greeting"),
    ("好的谢谢", "thanks"), ("thanks!", "thanks"), ("你好 这个多少钱", None), ("在吗 能退吗", None),
])
def test_small_talk_only_when_nothing_else_is_asked(text, talk):
    assert read(text).small_talk == talk


def test_language():
    assert read("Is it waterproof?").language == "en"
    assert read("这个防水吗 waterproof").language == "zh"


def test_unanswered_earlier_turns_are_asked_again_and_answered_ones_are_not():
    split_question = read("还有 一盒几袋", [Turn("customer", "这个坚果小孩能吃吗")])
    assert [p.kinds[0] for p in split_question.parts] == ["age", "count"]
    answered = read("还有 一盒几袋", [Turn("customer", "这个坚果小孩能吃吗"), Turn("agent", "亲，3岁以上可以吃哦")])
    assert [p.kinds for p in answered.parts] == [("count",)]


def test_a_bare_follow_up_asks_the_earlier_question_about_what_it_names():
    question = read("那黑色的呢", [Turn("customer", "这件含绒量多少"), Turn("agent", "亲，90%白鸭绒哦")])
    assert question.parts[0].asking == "这件含绒量多少" and "黑色" in question.parts[0].text


@pytest.mark.parametrize("kind, text", [
    ("temperature", "80-85℃（不建议沸水直冲）"), ("weight", "100g（50g×2罐）"), ("count", "2g×50包"),
    ("duration", "1-3个工作日到账"), ("loudness", "约32dB"), ("dimension", "适用面积25-45㎡"),
    ("age", "3岁以上儿童"), ("fee", "每单补运费¥12"), ("clock", "15:00前付款当天发货"),
])
def test_a_fact_holds_a_kind_by_the_unit_after_its_number(kind, text):
    assert answers_kind(kind, "attribute", text)


def test_units_are_read_after_numbers_only():
    assert units_in("建议冷藏保存") == set()
    assert units_in("80-85℃") == {"°c"}
    assert not answers_kind("weight", "attribute", "约35分钟")


def test_a_suitability_question_is_answered_by_the_stores_suitable_for_attribute():
    assert answers_kind("fit", "attribute", "12月龄以上成猫", "适用阶段")
    assert not answers_kind("fit", "attribute", "鸡肉", "口味")


def test_a_choice_between_two_is_a_question_of_its_own():
    question = read("另外这个是大号还是小号的", (Turn("customer", "多久能发货"),))
    assert [p.kinds for p in question.parts] == [("duration", "shipping"), ("what",)]
