"""Outfits from any catalog: slots read by meaning, the layering and coordination rules over
slots, honesty, styling intent, on products and sentences of our own."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from itertools import combinations

import pytest

from copilot.errors import UploadRejected
from copilot.outfits import suggest_outfits
from copilot.outfits.building import build_outfits
from copilot.outfits.checking import check_outfits
from copilot.outfits.intent import StylingIntent
from copilot.outfits.request import StylingRequest, find_anchor, occasion_named, parse_request
from copilot.outfits.result import outfits_differ
from copilot.outfits.slot_reader import SlotChoice, read_slots
from copilot.outfits.slot_settings import parse_slot_settings
from copilot.outfits.slots import conflicts
from copilot.outfits.wardrobe import Wardrobe, gender_of, is_child, seasons_of
from copilot.turns import Turn
from knowledge.embedders import E5Embedder
from knowledge.records import Product


@pytest.fixture(scope="module")
def embed():
    return lru_cache(maxsize=None)(E5Embedder().embed_query)


@pytest.fixture(scope="module")
def intent(embed):
    return StylingIntent(embed)


def _p(sku, title, category, price=100, stock=5, tags=(), **attributes) -> Product:
    return Product(sku_id=sku, title=title, category=category, price=price, stock=stock,
                   tags=list(tags), attributes=attributes)


# A shop of our own, with category names none of the samples use, and our own slot settings.
SHOP = [
    _p("T1", "女款纯棉短袖上衣 白色", "上身单品", 89, tags=["休闲", "女装"], 颜色="白色", 适用季节="春夏"),
    _p("T2", "女款雪纺衬衣 浅蓝", "上身单品", 129, tags=["通勤", "约会", "女装"], 颜色="浅蓝色", 适用季节="春夏"),
    _p("T3", "女款针织套头衫 燕麦色", "上身单品", 159, tags=["通勤", "女装"], 颜色="燕麦色", 适用季节="春秋"),
    _p("T4", "男款牛津纺衬衣 白", "上身单品", 139, tags=["通勤", "男装"], 颜色="白色", 适用季节="四季"),
    _p("B1", "女款高腰阔腿裤 黑色", "下身单品", 159, tags=["通勤", "女装"], 颜色="黑色", 适用季节="四季"),
    _p("B2", "女款百褶半裙 卡其", "下身单品", 139, tags=["约会", "休闲", "女装"], 颜色="卡其色", 适用季节="春夏秋"),
    _p("B3", "女款牛仔直筒裤 浅蓝", "下身单品", 119, tags=["休闲", "女装"], 颜色="浅蓝色", 适用季节="四季"),
    _p("B4", "男款西裤 藏青", "下身单品", 199, tags=["通勤", "男装"], 颜色="藏青色", 适用季节="四季"),
    _p("D1", "女款碎花连衣裙 夏", "整身款", 259, tags=["约会", "度假", "女装"], 颜色="粉色", 适用季节="夏"),
    _p("D2", "女款针织连衣裙 秋冬", "整身款", 299, tags=["通勤", "约会", "女装"], 颜色="灰色", 适用季节="秋冬"),
    _p("D3", "女款衬衫裙 条纹", "整身款", 229, tags=["通勤", "女装"], 颜色="蓝白条纹", 适用季节="春夏秋"),
    _p("O1", "女款短款牛仔外套", "罩衫外层", 239, tags=["休闲", "女装"], 颜色="蓝色", 适用季节="春秋"),
    _p("O2", "女款羊毛开衫 米白", "罩衫外层", 329, tags=["通勤", "约会", "女装"], 颜色="米白色", 适用季节="春秋冬"),
    _p("O3", "女款风衣 卡其", "罩衫外层", 499, tags=["通勤", "女装"], 颜色="卡其色", 适用季节="春秋"),
    _p("S1", "女款小白鞋", "足下", 199, tags=["休闲", "约会", "女装"], 颜色="白色", 适用季节="四季"),
    _p("S2", "女款尖头单鞋 黑", "足下", 259, tags=["通勤", "女装"], 颜色="黑色", 适用季节="四季"),
    _p("S3", "女款玛丽珍鞋", "足下", 229, tags=["约会", "女装"], 颜色="酒红色", 适用季节="四季"),
    _p("S4", "男款德比鞋", "足下", 399, tags=["通勤", "男装"], 颜色="黑色", 适用季节="四季"),
    _p("S5", "女款凉鞋 已售罄", "足下", 159, stock=0, tags=["度假", "女装"], 颜色="米色", 适用季节="夏"),
    _p("G1", "女款腋下包", "随身包袋", 199, tags=["约会", "女装"], 颜色="黑色", 适用季节="四季"),
    _p("G2", "女款帆布托特包", "随身包袋", 99, tags=["休闲", "通勤", "女装"], 颜色="米色", 适用季节="四季"),
    _p("H1", "女款草编遮阳帽", "头顶", 79, tags=["度假", "女装"], 颜色="米色", 适用季节="夏"),
    _p("N1", "真丝小方巾", "颈间", 129, tags=["约会", "通勤"], 颜色="酒红色", 适用季节="四季"),
]
SHOP_SLOTS = {"上身单品": "top", "下身单品": "bottom", "整身款": "one_piece", "罩衫外层": "outer",
              "足下": "shoes", "随身包袋": "bag", "头顶": "headwear", "颈间": "neckwear"}


def _shop(products=SHOP, slots=SHOP_SLOTS) -> Wardrobe:
    return Wardrobe.of(products, {c: SlotChoice(c, s, 1.0, "merchant") for c, s in slots.items()})


def _build(sku, wardrobe=None, **request):
    wardrobe = wardrobe or _shop()
    return build_outfits(wardrobe.piece(sku), wardrobe, StylingRequest(**request))


def _worn(result, anchor_sku, wardrobe=None):
    wardrobe = wardrobe or _shop()
    return [[wardrobe.piece(anchor_sku)] + [wardrobe.piece(s) for s in o.sku_ids] for o in result.outfits]


def test_the_slot_reader_reads_categories_it_was_not_shown():
    products = [_p(f"X{n}", title, category) for n, (title, category) in enumerate([
        ("男童加绒卫衣 恐龙印花", "小男生上衣"), ("女童打底裤 加厚", "女宝裤子"), ("儿童防水雪地靴", "宝宝冬靴"),
        ("复古宽檐礼帽", "帽饰"), ("商务真皮公文包", "男士包袋"), ("碧螺春 明前 250g", "绿茶"),
        ("Waterproof hiking jacket", "Shell Jackets"), ("法式碎花茶歇裙", "仙女裙"),
    ])]
    read = read_slots(products, lru_cache(maxsize=None)(E5Embedder().embed_query))
    got = {c: choice.slot for c, choice in read.items()}
    want = {"小男生上衣": "top", "女宝裤子": "bottom", "宝宝冬靴": "shoes", "帽饰": "headwear",
            "男士包袋": "bag", "绿茶": "none", "Shell Jackets": "outer", "仙女裙": "one_piece"}
    right = sum(got[c] == s for c, s in want.items())
    assert right >= 7, got
    assert all(choice.source == "read" and 0 < choice.confidence <= 1 for choice in read.values())


def test_merchant_settings_win_over_the_reading(embed):
    products = [_p("A", "女款碎花连衣裙", "连衣裙"), _p("B", "保温杯", "杯子")]
    read = read_slots(products, embed, settings={"杯子": "gear"})
    assert read["杯子"] == SlotChoice("杯子", "gear", 1.0, "merchant")
    assert read["连衣裙"].source == "read"


def test_slot_settings_file_names_line_and_field():
    assert parse_slot_settings("slots.csv", "category,slot\n足下,shoes\n头顶,HEADWEAR\n".encode()) == {
        "足下": "shoes", "头顶": "headwear"}
    with pytest.raises(UploadRejected) as err:
        parse_slot_settings("slots.csv", "category,slot\n足下,shoes\n,top\n颈间,scarf\n足下,bag\n".encode())
    text = str(err.value)
    assert "slots.csv:3 [category]" in text and "slots.csv:4 [slot]" in text and "'scarf'" in text
    assert "slots.csv:5 [category]" in text and "set twice" in text
    with pytest.raises(UploadRejected, match="slot"):
        parse_slot_settings("slots.csv", "category\n足下\n".encode())


def test_slots_that_cover_one_region_conflict():
    assert conflicts("top", "one_piece") and conflicts("outer", "outer") and conflicts("suit", "bottom")
    assert not conflicts("top", "outer") and not conflicts("one_piece", "shoes") and not conflicts("bag", "belt")


def test_every_outfit_dresses_the_body_once_with_shoes_when_the_store_sells_them():
    for anchor in ("T1", "B1", "D1", "O2", "S1", "G1", "N1"):
        result = _build(anchor)
        assert len(result.outfits) == 3, (anchor, result.note)
        for worn in _worn(result, anchor):
            covered = [r for piece in worn for r in piece.covers]
            assert len(covered) == len(set(covered)), (anchor, [p.sku_id for p in worn])   # no region twice
            assert {"torso", "legs"} <= set(covered), (anchor, [p.sku_id for p in worn])
            assert sum(p.slot == "outer" for p in worn) <= 1
            assert any(p.slot == "shoes" for p in worn), (anchor, [p.sku_id for p in worn])
        assert all(outfits_differ(a.sku_ids, b.sku_ids) for a, b in combinations(result.outfits, 2))


def test_no_top_over_a_one_piece_and_no_shoes_where_the_store_has_none():
    no_shoes = [p for p in SHOP if p.category != "足下"]
    wardrobe = _shop(no_shoes)
    result = build_outfits(wardrobe.piece("D2"), wardrobe, StylingRequest())
    assert result.outfits
    for outfit in result.outfits:
        slots = [wardrobe.piece(s).slot for s in outfit.sku_ids]
        assert "top" not in slots and "bottom" not in slots and "shoes" not in slots


def test_gender_age_group_season_and_stock_are_hard_rules():
    result = _build("T2")
    for worn in _worn(result, "T2"):
        assert {p.gender for p in worn} <= {"女", None}
        assert all(p.product.in_stock for p in worn[1:])
        assert all(p.seasons & worn[0].seasons for p in worn[1:])
    men = _build("T4")
    assert all(p.gender in ("男", None) for worn in _worn(men, "T4") for p in worn)
    assert gender_of(_p("K", "男童卫衣", "上衣")) == "男" and gender_of(_p("K", "儿童中性款外套", "外套")) is None
    assert is_child(_p("K", "女童连衣裙", "连衣裙")) and not is_child(_p("K", "女款连衣裙", "连衣裙"))
    assert seasons_of(_p("K", "轻薄羽绒服", "羽绒服")) == frozenset("秋冬")
    assert seasons_of(_p("K", "夏季度假长裙", "连衣裙")) == frozenset("夏")
    assert seasons_of(_p("K", "衬衫", "衬衫", 适用季节="四季")) == frozenset("春夏秋冬")


def test_a_kids_piece_never_goes_with_an_adults():
    shop = SHOP + [_p("K1", "女童公主鞋", "足下", 129, tags=["女童"], 适用季节="四季")]
    wardrobe = _shop(shop)
    result = build_outfits(wardrobe.piece("D1"), wardrobe, StylingRequest())
    assert all("K1" not in o.sku_ids for o in result.outfits)


def test_the_stated_occasion_picks_pieces_made_for_it_and_the_reason_says_so():
    result = _build("B2", occasion=occasion_named("约会"))
    assert len(result.outfits) == 3
    for outfit in result.outfits:
        assert "约会" in outfit.reason and "休闲" not in outfit.reason
    for outfit in _build("D1").outfits:     # who wears it is not a style the pieces share
        assert "女装" not in outfit.reason and "风格" in outfit.reason
    assert parse_request("周末约会穿 这条裙子怎么搭").occasion.name == "约会"


def test_budget_caps_the_added_items_and_a_shortfall_is_said_not_padded():
    result = _build("B1", budget=Decimal(400))
    assert result.outfits and all(o.added_total <= 400 for o in result.outfits)
    tight = _build("B1", budget=Decimal(120))
    assert len(tight.outfits) < 3 and "120" in tight.note and "未用不合适的商品凑数" in tight.note
    for outfit in tight.outfits:
        assert outfit.total == sum(i.price for i in outfit.items) + Decimal(159)   # the anchor counts


def test_what_the_shopper_names_is_what_the_outfit_holds():
    request = parse_request("这条裤子配什么鞋和包", categories=list(SHOP_SLOTS), slot_of=SHOP_SLOTS)
    assert {"shoes", "bag"} <= set(request.wanted_slots)     # (and the anchor's own 裤, which falls away)
    wardrobe = _shop()
    result = build_outfits(wardrobe.piece("B1"), wardrobe, request)
    assert len(result.outfits) == 3
    assert all({wardrobe.piece(s).slot for s in o.sku_ids} <= {"shoes", "bag"} for o in result.outfits)
    inside = parse_request("这件开衫里面穿什么")
    assert inside.wanted_slots[0] == "base"                  # (开衫, the anchor, falls away in building)
    result = build_outfits(wardrobe.piece("O2"), wardrobe, inside)
    assert all({wardrobe.piece(s).slot for s in o.sku_ids} <= {"top", "bottom", "one_piece"} for o in result.outfits)
    assert "bag" not in parse_request("包邮吗 这件怎么搭").wanted_slots


def test_dislikes_and_the_wearer_the_shopper_names_are_kept():
    request = parse_request("再来一套 不要连衣裙了 不喜欢粉色的")
    assert "连衣裙" in request.avoid and "粉" in request.avoid and "one_piece" not in request.wanted_slots
    unisex = SHOP + [_p("U1", "情侣款帆布鞋", "足下", 159, 适用季节="四季"),
                     _p("U2", "男款卫衣", "上身单品", 199, tags=["男装"], 适用季节="四季"),
                     _p("U3", "男款工装裤", "下身单品", 199, tags=["男装"], 适用季节="四季")]
    wardrobe = _shop(unisex)
    for_him = parse_request("给男朋友买的 这双鞋怎么搭")
    assert for_him.wearer == "男"
    result = build_outfits(wardrobe.piece("U1"), wardrobe, for_him)
    assert result.outfits and all(wardrobe.piece(s).gender in ("男", None) for o in result.outfits for s in o.sku_ids)


def test_a_sold_out_anchor_still_gets_outfits_with_a_note():
    result = _build("S5")
    assert result.outfits and "售罄" in result.note


def test_english_questions_get_english_reasons_and_notes():
    result = _build("B2", occasion=occasion_named("约会"), language="en")
    assert all("with" in o.reason and "a date" in o.reason for o in result.outfits)
    short = _build("B1", budget=Decimal(120), language="en")
    assert "120" in short.note and "none were padded" in short.note


def test_something_not_worn_gets_a_polite_note_and_no_outfits():
    shop = SHOP + [_p("C1", "明前龙井 100g", "茶叶", 199)]
    wardrobe = _shop(shop, SHOP_SLOTS | {"茶叶": "none"})
    result = build_outfits(wardrobe.piece("C1"), wardrobe, StylingRequest())
    assert result.outfits == () and "不是穿搭类商品" in result.note


def test_check_outfits_names_each_violation_including_the_slot_rules():
    catalog = {p.sku_id: p for p in SHOP}
    problems = check_outfits([["T1", "D1"], ["T1", "D1"], ["S5", "O1", "O2"]], anchor=catalog["B1"], catalog=catalog,
                             count=3, allowed_categories=None, slots=SHOP_SLOTS, budget=Decimal(300))
    text = "\n".join(problems)
    assert "T1 (top) and D1 (one_piece) cover the same part of the body" in text
    assert "B1 (bottom) and D1 (one_piece)" in text
    assert "O1 (outer) and O2 (outer)" in text
    assert "S5 is sold out" in text and "over the budget of 300" in text
    assert "outfits 1 and 2 are the same" in text


STYLING = ["这条裤子怎么搭好看", "外套配什么鞋", "求穿搭", "给我配一身", "这件里面穿啥", "穿这个去见客户还要配点什么",
           "感觉这件太素了 怎么穿能出彩一点", "这个包适合配什么衣服", "How would you style these trousers?",
           "what goes with this coat for a dinner date", "有没有整套推荐"]
OTHER = ["这件外套是什么面料", "平时穿L码 这个选什么码", "能机洗吗", "什么时候发货", "这个手机配什么充电器",
         "婚礼穿这件会不会太随意", "搭配的腰带可以单独买吗", "What size should I get, I'm 170cm", "还有货吗"]


def test_styling_questions_are_recognised_by_meaning(intent):
    """A classifier, not a rule: on these sentences it never saw it misses at most one each way
    (as shipped: 有没有整套推荐 is missed and a fabric question about a coat is taken for styling)."""
    missed = [m for m in STYLING if not intent.asks(m)]
    alarms = [m for m in OTHER if intent.asks(m)]
    assert len(missed) <= 1, missed
    assert len(alarms) <= 1, alarms


def test_a_follow_up_is_styling_only_after_a_styling_question(intent):
    asked = [Turn("customer", "这件大衣怎么搭"), Turn("agent", "亲，推荐这三套~")]
    assert intent.asks("再来一套便宜点的", asked)
    assert not intent.asks("再来一套便宜点的", [Turn("customer", "能开发票吗")])


def test_suggest_outfits_finds_the_anchor_and_asks_when_there_is_none(intent):
    wardrobe = _shop()
    result = suggest_outfits("那条卡其色半裙怎么搭", [], sku_in_view="T1", wardrobe=wardrobe, intent=intent)
    assert result.anchor.sku_id == "B2" and len(result.outfits) == 3
    assert suggest_outfits("这件能机洗吗", [], sku_in_view="T1", wardrobe=wardrobe, intent=intent) is None
    unknown = suggest_outfits("怎么搭配好看", [], sku_in_view=None, wardrobe=wardrobe, intent=intent)
    assert unknown.anchor is None and "哪一款" in unknown.note
    assert find_anchor("怎么搭", [Turn("customer", "黑色阔腿裤还有吗")], sku_in_view=None,
                       wardrobe=wardrobe).sku_id == "B1"
    # "这条碎花裙" with the floral dress in view is that dress, though 裙 also names skirts
    shop = SHOP + [_p("B9", "女款碎花半裙", "下身单品", 139, tags=["女装"], 适用季节="夏")]
    assert find_anchor("这条碎花裙还要配点啥", [], sku_in_view="D1", wardrobe=_shop(shop)).sku_id == "D1"


@pytest.mark.parametrize("message, budget", [
    ("500以内 怎么搭", "500"), ("再配条裤子 加起来别超250哈", "250"), ("预算一千二 帮我配一套", "1200"), ("不超过2k", "2000"),
    ("under 300 please, what goes with it", "300"), ("三百块以内的搭配", "300"),
])
def test_budget_forms(message, budget):
    assert parse_request(message).budget == Decimal(budget)


@pytest.mark.parametrize("message", ["175 70kg 怎么搭", "3天内能到吗 怎么搭", "平时穿42码 配什么鞋"])
def test_numbers_that_are_not_budgets(message):
    assert parse_request(message).budget is None


def _meaningful(products, slots, embed) -> Wardrobe:
    """A wardrobe with its categories' meanings and the formal direction, as the stylist builds
    it, the slots set as this shop's merchant would."""
    from copilot.outfits.stylist import build_wardrobe
    return build_wardrobe(products, embed, slots)


DRESSY = [
    _p("M1", "男士白色商务衬衫 免烫", "衬衣类", 199, tags=["男装"], 适用季节="四季"),
    _p("M2", "男士浅蓝牛津纺衬衫", "衬衣类", 179, tags=["男装"], 适用季节="四季"),
    _p("P1", "男士修身西裤 黑色", "裤装", 259, tags=["男装"], 适用季节="四季"),
    _p("F1", "男士德比正装皮鞋 黑色 牛皮", "正装皮鞋", 499, tags=["男装"], 适用季节="四季"),
    _p("F2", "男士牛津布洛克皮鞋 棕色", "正装皮鞋", 459, tags=["男装"], 适用季节="四季"),
    _p("F3", "男士商务乐福皮鞋", "正装皮鞋", 429, tags=["男装"], 适用季节="四季"),
    _p("R1", "男士缓震跑步鞋 网面透气", "跑鞋", 399, tags=["男装"], 适用季节="四季"),
    _p("R2", "男士轻量慢跑鞋", "跑鞋", 359, tags=["男装"], 适用季节="四季"),
    _p("R3", "男士运动休闲鞋 白色", "跑鞋", 329, tags=["男装"], 适用季节="四季"),
]
DRESSY_SLOTS = {"衬衣类": "top", "裤装": "bottom", "正装皮鞋": "shoes", "跑鞋": "shoes"}


def test_the_occasion_dress_picks_the_category_by_meaning(embed, intent):
    """Two shoe categories named by this shop alone: a wedding gets the dress shoes, a run the
    running shoes, with no word of either category in the message."""
    wardrobe = _meaningful(DRESSY, DRESSY_SLOTS, embed)
    wedding = suggest_outfits("下周参加婚礼 这条西裤怎么搭", [], sku_in_view="P1", wardrobe=wardrobe, intent=intent)
    shoes = [wardrobe.piece(s).product.category for o in wedding.outfits for s in o.sku_ids
             if wardrobe.piece(s).slot == "shoes"]
    assert shoes and set(shoes) == {"正装皮鞋"}, shoes
    run = suggest_outfits("周末去公园跑步 这件衬衫怎么搭", [], sku_in_view="M2", wardrobe=wardrobe, intent=intent)
    shoes = [wardrobe.piece(s).product.category for o in run.outfits for s in o.sku_ids
             if wardrobe.piece(s).slot == "shoes"]
    assert shoes.count("跑鞋") > shoes.count("正装皮鞋"), shoes
    # said outright, with no occasion: 要正式点的 dresses up, 休闲一点 down
    assert parse_request("要正式点的").dress == 1 and parse_request("想要休闲一点").dress == -1
    smart = suggest_outfits("这件衬衫怎么搭 要正式点的", [], sku_in_view="M2", wardrobe=wardrobe, intent=intent)
    shoes = [wardrobe.piece(s).product.category for o in smart.outfits for s in o.sku_ids
             if wardrobe.piece(s).slot == "shoes"]
    assert shoes and shoes.count("正装皮鞋") > shoes.count("跑鞋"), shoes


def test_a_wish_in_the_shoppers_words_and_the_season_they_say_are_kept():
    wish = parse_request("再来一套 想穿雪纺的")
    assert wish.wishes == ("雪纺",)
    result = build_outfits(_shop().piece("B1"), _shop(), wish)
    assert _shop().piece(result.outfits[0].sku_ids[0]).product.title.count("雪纺") == 1
    winter = parse_request("冬天穿 这条裤子怎么搭")
    assert winter.seasons == frozenset("冬")
    for outfit in build_outfits(_shop().piece("B1"), _shop(), winter).outfits:
        assert all("冬" in _shop().piece(s).seasons for s in outfit.sku_ids)
    assert parse_request("暑假带娃出去玩").seasons == frozenset("夏")
    assert parse_request("帮我配一套 要保暖点").seasons == frozenset("秋冬")
    assert parse_request("想要清爽点的").seasons == frozenset("春夏")


def test_what_was_asked_for_but_nothing_goes_with_is_said_and_the_rest_is_built():
    summer_only = [p for p in SHOP if p.category != "罩衫外层"] + [
        _p("O9", "女款羊毛大衣", "罩衫外层", 599, tags=["通勤", "女装"], 适用季节="冬")]
    wardrobe = _shop(summer_only)
    request = parse_request("这条裙子夏天穿 配什么外套和包", categories=list(SHOP_SLOTS), slot_of=SHOP_SLOTS)
    result = build_outfits(wardrobe.piece("D1"), wardrobe, request)
    assert result.outfits and all(wardrobe.piece(s).slot == "bag" for o in result.outfits for s in o.sku_ids)
    assert "店内暂无与之相配的外搭" in result.note


def test_a_budget_keeps_cheaper_pieces_in_reach_when_the_occasion_has_dear_ones():
    """Under a budget the pieces made for the occasion rank first but do not push out the
    cheaper ones that fit the budget."""
    shop = SHOP + [_p(f"Y{n}", f"女款约会真丝上衣{n}", "上身单品", 300 + n, tags=["约会", "女装"], 适用季节="四季")
                   for n in range(4)]
    wardrobe = _shop(shop)
    result = build_outfits(wardrobe.piece("B2"), wardrobe,
                           StylingRequest(occasion=occasion_named("约会"), budget=Decimal(400)))
    assert len(result.outfits) == 3 and all(o.added_total <= 400 for o in result.outfits)


def test_shoes_the_budget_cannot_hold_are_left_out_and_said():
    result = _build("B1", budget=Decimal(250))
    assert result.outfits and all(o.added_total <= 250 for o in result.outfits)
    assert "放不下鞋子" in result.note
    assert any(_shop().piece(s).slot == "top" for o in result.outfits for s in o.sku_ids)


def test_asking_for_accessories_gets_one_accessory_per_outfit():
    request = parse_request("这条裙子太素了 想加点配饰")
    assert "accessory" in request.wanted_slots
    wardrobe = _shop()
    result = build_outfits(wardrobe.piece("D1"), wardrobe, request)
    assert result.outfits
    for outfit in result.outfits:
        assert len(outfit.sku_ids) == 1 and wardrobe.piece(outfit.sku_ids[0]).slot in ("bag", "neckwear", "headwear")
    assert parse_request("这包配什么衣服 我男的").wearer == "男" and parse_request("我是女生 怎么搭").wearer == "女"


def test_english_words_name_the_wearer_as_words_not_inside_others():
    assert parse_request("what goes with this? it's for my husband").wearer == "男"
    assert parse_request("a gift for my wife, how to style it").wearer == "女"
    assert parse_request("which season and reason, how to style it").wearer is None
