"""Recognising styling questions, reading occasion / budget / wanted categories, finding the anchor."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from copilot.styling import find_anchor, is_styling_question, parse_request
from copilot.turns import Turn
from copilot.wardrobe import Wardrobe
from knowledge.records import Product

SAMPLES = Path("/work/shared/samples")


def _eval_cases(merchant: str) -> list[dict]:
    return [json.loads(line) for line in (SAMPLES / merchant / "eval.jsonl").read_text(encoding="utf-8").splitlines()]


def _sample_wardrobe(merchant: str) -> Wardrobe:
    lines = (SAMPLES / merchant / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    return Wardrobe.from_products(Product(**json.loads(line)) for line in lines)


def _product(sku: str, title: str, category: str, colour: str = "", stock: int = 5) -> Product:
    return Product(sku_id=sku, title=title, category=category, price=100, stock=stock,
                   attributes={"颜色": colour} if colour else {})


@pytest.mark.parametrize("message", [
    "这条裤子怎么搭好看", "外套配什么鞋", "求穿搭", "给我搭配一套", "帮我配一下", "这件里面穿啥",
    "咋搭啊", "裙子配点啥", "How to style this jacket?", "what goes with these boots", "any outfit ideas",
])
def test_styling_cues_are_recognised(message):
    assert is_styling_question(message)


@pytest.mark.parametrize("message", [
    "穿什么码合适", "包邮吗", "配送要几天", "这个手机配置怎么样", "能机洗吗", "百搭吗", "how long is shipping",
])
def test_other_questions_are_not_styling(message):
    assert not is_styling_question(message)


@pytest.mark.parametrize("merchant", ["fashion", "gadgets"])
def test_sample_eval_styling_split(merchant):
    for case in _eval_cases(merchant):
        history = [Turn(**t) for t in case.get("history", [])]
        expected = case["expect"]["kind"] == "outfit"
        assert is_styling_question(case["message"], history) == expected, case["message"]


def test_follow_up_counts_only_after_a_styling_question():
    asked = [Turn("customer", "这件大衣怎么搭"), Turn("agent", "亲，推荐这三套~")]
    assert is_styling_question("换一套便宜点的", asked)
    assert not is_styling_question("换一套便宜点的", [Turn("customer", "能开发票吗")])


@pytest.mark.parametrize("message, budget", [
    ("500以内 怎么搭", "500"), ("预算一千二 帮我配一套", "1200"), ("不超过2k", "2000"),
    ("under 300 please, what goes with it", "300"), ("1500块左右", "1500"), ("三百块以内的搭配", "300"),
    ("预算 两千五百", "2500"), ("控制在1.5k内", "1500"),
])
def test_budget_forms(message, budget):
    assert parse_request(message).budget == Decimal(budget)


@pytest.mark.parametrize("message", ["175 70kg 怎么搭", "3天内能到吗 怎么搭", "67W充电器配什么", "平时穿42码 配什么鞋"])
def test_numbers_that_are_not_budgets(message):
    assert parse_request(message).budget is None


@pytest.mark.parametrize("message, occasion", [
    ("下周去海边 怎么搭", "海边"), ("婚宴穿 配什么", "婚礼"), ("上班穿的 求搭配", "通勤"),
    ("周末逛街穿", "休闲"), ("job interview next week, how to style", "面试"), ("随便搭搭", None),
])
def test_occasion(message, occasion):
    assert parse_request(message).occasion == occasion


def test_occasion_and_budget_fall_back_to_earlier_customer_turns():
    history = [Turn("customer", "月底去三亚度假 预算800以内"), Turn("agent", "亲，好的呢")]
    request = parse_request("这条裙子配什么", history)
    assert request.occasion == "海边" and request.budget == Decimal("800")
    assert parse_request("上班穿 这条裙子配什么", history).occasion == "通勤"


def test_wanted_categories_from_item_and_place_words():
    wanted = parse_request("这套西装里面穿啥 再配双鞋和领带").wanted_categories
    assert {"衬衫", "皮鞋", "领带"} <= set(wanted)
    assert "包" not in wanted
    assert "包" not in parse_request("包邮吗 这件怎么搭").wanted_categories
    own = parse_request("配个保温杯套", known_categories=["保温杯套", "茶叶"]).wanted_categories
    assert "保温杯套" in own and "茶叶" not in own


def test_anchor_is_the_sku_in_view_when_nothing_else_is_named():
    wardrobe = _sample_wardrobe("fashion")
    anchor = find_anchor("下周面试 这套帮我配一下", [], sku_in_view="FS-1002", catalog=wardrobe)
    assert anchor.sku_id == "FS-1002"


def test_anchor_named_by_colour_and_category():
    wardrobe = Wardrobe.from_products([
        _product("S1", "女士高腰百褶半身裙", "半身裙", "黑色"),
        _product("S2", "女士A字半身裙", "半身裙", "卡其色"),
        _product("B1", "女士托特包", "包", "黑色"),
    ])
    assert find_anchor("那条黑色半身裙怎么搭", [], sku_in_view=None, catalog=wardrobe).sku_id == "S1"
    # named explicitly while another product is in view: the named one wins
    assert find_anchor("那条卡其色半身裙怎么搭", [], sku_in_view="B1", catalog=wardrobe).sku_id == "S2"
    # ambiguous and nothing in view: no guess
    assert find_anchor("半身裙怎么搭", [], sku_in_view=None, catalog=wardrobe) is None


def test_anchor_named_in_history_and_sold_out_anchor_is_found():
    wardrobe = Wardrobe.from_products([
        _product("C1", "男士双排扣大衣", "大衣", "藏青色", stock=0),
        _product("C2", "男士单排扣大衣", "大衣", "驼色"),
    ])
    history = [Turn("customer", "藏青色那件大衣还有吗"), Turn("agent", "亲，这款暂时售罄了")]
    anchor = find_anchor("那怎么搭呢", history, sku_in_view=None, catalog=wardrobe)
    assert anchor.sku_id == "C1" and not anchor.in_stock


def test_sample_anchor_by_name_prefers_the_matching_title():
    wardrobe = _sample_wardrobe("fashion")
    assert find_anchor("小白鞋配什么衣服", [], sku_in_view=None, catalog=wardrobe).title.count("小白鞋") == 1
    assert find_anchor("真丝裙子去海边度假 配什么", [], sku_in_view="FS-2001", catalog=wardrobe).sku_id == "FS-2001"
