"""Narrowing a quoted store text to the product in view: sentences of our own, across verticals."""
from __future__ import annotations

from copilot.drafting.narrowing import Own, kept, narrowed, quantities
from knowledge.records import Source


def product(category: str, title: str, **attributes: str) -> Source:
    record = {"sku_id": "P-1", "title": title, "category": category, "attributes": attributes}
    return Source(id="P-1", kind="sku", title=title, text=title, score=1.0, record=record)


def test_quantities_are_read_with_their_units_and_ranges():
    assert quantities("适合10-15㎡，约36W，冷藏7天") == {("10-15", "㎡"), ("36", "w"), ("7", "天")}
    assert quantities("外箱20×40×55cm，重2.9kg") == {("20×40×55", "cm"), ("2.9", "kg")}
    assert quantities("15～20平米") == {("15-20", "㎡")}


def test_an_enumeration_keeps_the_alternative_of_the_product_in_view():
    heater = Own.of(product("取暖器", "暖风机 2000W 小太阳", 功率="2000W", 适用面积="15-20㎡"))
    faq = "10㎡以内的小房间选1000W就够；15-20㎡选2000W；25㎡以上建议选两台。开机前请远离窗帘。"
    got = narrowed(faq, heater)
    assert "15-20㎡选2000W" in got and "开机前请远离窗帘" in got
    assert "1000W" not in got and "25㎡" not in got


def test_an_aside_about_another_kind_is_left_out():
    drops = Own.of(product("滴眼液", "人工泪液 10ml", 开封后使用期限="开封后28天"))
    got = narrowed("开封后请在28天内用完（单支装1天），用后盖紧瓶盖。", drops)
    assert got == "开封后请在28天内用完，用后盖紧瓶盖。"


def test_clauses_naming_other_categories_or_the_others_are_left_out():
    tie = Own.of(product("领带", "真丝领带 8cm"), ["领带", "衬衫", "腰带"])
    got = narrowed("领带默认附赠礼盒；衬衫需要加购15元礼盒；其他商品暂不提供包装。", tie)
    assert "领带默认附赠礼盒" in got and "15元" not in got and "其他" not in got


def test_a_text_with_nothing_of_the_product_is_quoted_whole():
    kettle = Own.of(product("电水壶", "不锈钢电水壶 1.7L", 容量="1.7L"))
    policy = "签收后7天内可无理由退货；商品有质量问题30天内包换。"
    assert narrowed(policy, kettle) == policy
    assert narrowed(policy, Own.of(None)) == policy


def test_a_sentence_left_short_ends_as_it_did():
    tent = Own.of(product("帐篷", "双人帐篷 2.1kg", 重量="2.1kg"))
    got = narrowed("这款帐篷重2.1kg，三人款重3.4kg。", tent)
    assert got == "这款帐篷重2.1kg。"


def test_alternatives_the_shopper_named_are_all_kept():
    guitar = Own.of(product("吉他", "民谣吉他 41寸", 尺寸="41寸"), question="38寸和41寸有什么区别")
    got = narrowed("38寸适合身高150cm以下的学生；41寸适合成人，音色更饱满；36寸适合儿童。", guitar)
    assert "38寸" in got and "41寸" in got and "36寸" not in got


def test_a_piece_saying_another_value_does_not_fit_stays():
    pen = Own.of(product("钢笔", "钢笔 F尖", 墨囊口径="3.4mm"))
    got = narrowed("本款使用3.4mm墨囊，和2.6mm小口径墨囊不通用，也可以用吸墨器。", pen)
    assert "2.6mm小口径墨囊不通用" in got


def test_an_aside_holding_a_comma_is_one_piece():
    rice = Own.of(product("大米", "东北大米 5kg", 保质期="12个月"))
    text = "新米发货时剩余保质期不少于2/3（例如保质期18个月的，发货时剩余不少于12个月）。"
    assert narrowed(text, rice) == text


def test_another_products_value_of_the_same_attribute_is_another_alternative():
    sauce = Own.of(product("辣酱", "牛肉辣酱 200g", 辣度="微辣"), ["辣酱"], "辣不辣",
                   {"辣度": {"微辣", "中辣", "特辣"}})
    got = narrowed("微辣款小朋友也能吃；特辣款是加辣版，慎选。拌面拌饭都好吃。", sauce)
    assert "微辣款小朋友也能吃" in got and "特辣" not in got and "拌面拌饭都好吃" in got


def test_clauses_of_one_policy_are_alternatives_to_each_other():
    camera = Own.of(product("运动相机", "运动相机 4K", 保修="主机2年"), ["运动相机", "云台"])
    clauses = ["云台：主机保修1年；", "运动相机：主机保修2年；", "保修凭订单号即可，无需发票。"]
    assert kept(clauses, camera) == [False, True, True]
