"""Outfits built from stock: the sample eval cases, and the rules on catalogs of our own."""
from __future__ import annotations

import json
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest

from copilot.outfit_check import check_outfits
from copilot.outfits import build_outfits, outfits_differ, suggest_outfits
from copilot.styling import StylingRequest, occasion_named, parse_request
from copilot.turns import Turn
from copilot.wardrobe import Piece, Wardrobe, colour_family_of, gender_of
from knowledge.records import Product

SAMPLES = Path("/work/shared/samples")


def _catalog(merchant: str) -> dict[str, Product]:
    lines = (SAMPLES / merchant / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    return {p.sku_id: p for p in (Product(**json.loads(line)) for line in lines)}


def _p(sku, title, category, price=100, stock=5, tags=(), **attributes) -> Product:
    return Product(sku_id=sku, title=title, category=category, price=price, stock=stock,
                   tags=list(tags), attributes=attributes)


def _valid(result, anchor, products, count=3, allowed=None) -> list[str]:
    return check_outfits(result, anchor=anchor, catalog={p.sku_id: p for p in products},
                         count=count, allowed_categories=allowed)


def test_every_fashion_outfit_case_is_valid():
    catalog = _catalog("fashion")
    wardrobe = Wardrobe.from_products(catalog.values())
    cases = [json.loads(line) for line in (SAMPLES / "fashion/eval.jsonl").read_text(encoding="utf-8").splitlines()]
    cases = [c for c in cases if c["expect"]["kind"] == "outfit"]
    assert cases
    valid, occasion_outfits, honoured = 0, 0, 0
    for case in cases:
        result = suggest_outfits(case["message"], [Turn(**t) for t in case.get("history", [])],
                                 sku_in_view=case["context"]["sku_id"], wardrobe=wardrobe)
        anchor = catalog[result.anchor.sku_id]
        problems = check_outfits(result, anchor=anchor, catalog=catalog, count=case["expect"]["outfits"],
                                 allowed_categories=case["expect"]["allowed_categories"])
        assert problems == [], (case["id"], problems)
        valid += 1
        request_tags = _occasion_tags(case["message"])
        if request_tags:
            occasion_outfits += len(result.outfits)
            honoured += sum(any(set(catalog[s].tags) & request_tags for s in o.sku_ids) for o in result.outfits)
    assert valid / len(cases) == 1.0
    print(f"\nfashion outfit cases valid {valid}/{len(cases)}; outfits honouring the stated occasion "
          f"{honoured}/{occasion_outfits}")
    assert honoured == occasion_outfits


def _occasion_tags(message: str) -> set[str]:
    occasion = parse_request(message).occasion
    return set(occasion_named(occasion).tags) if occasion else set()


# a small menswear + womenswear catalog of our own
SUIT = _p("M-SUIT", "男士羊毛西装 深灰", "西装", 1200, tags=["商务", "男装", "冷色"], 颜色="深灰色", 适用季节="四季")
MEN = [
    SUIT,
    _p("M-SH1", "男士白衬衫", "衬衫", 200, tags=["商务", "男装"], 颜色="白色"),
    _p("M-SH2", "男士蓝衬衫", "衬衫", 180, tags=["商务", "通勤", "男装", "冷色"], 颜色="浅蓝色"),
    _p("M-SH3", "男士礼服衬衫", "衬衫", 300, tags=["婚礼", "男装"], 颜色="白色"),
    _p("M-SH4", "男士真丝衬衫 售罄", "衬衫", 600, stock=0, tags=["商务", "婚礼", "男装"], 颜色="白色"),
    _p("M-TIE1", "男士真丝领带", "领带", 150, tags=["商务"], 颜色="藏青色"),
    _p("M-TIE2", "男士婚礼领带", "领带", 120, tags=["婚礼"], 颜色="酒红色"),
    _p("M-TIE3", "男士领带 售罄", "领带", 90, stock=0, tags=["商务", "婚礼"], 颜色="黑色"),
    _p("M-SHOE1", "男士德比鞋", "皮鞋", 600, tags=["商务", "男装"], 颜色="黑色"),
    _p("M-SHOE2", "男士牛津鞋", "皮鞋", 800, tags=["商务", "婚礼", "男装"], 颜色="棕色"),
    _p("W-SHOE", "女士高跟鞋", "皮鞋", 400, tags=["商务", "女装"], 颜色="黑色"),
    _p("W-SHIRT", "女士商务衬衫", "衬衫", 260, tags=["商务", "女装"], 颜色="白色"),
]


def test_outfits_use_only_in_stock_items_of_the_anchor_gender():
    result = build_outfits(SUIT, Wardrobe.from_products(MEN), StylingRequest())
    assert len(result.outfits) == 3
    assert _valid(result, SUIT, MEN, allowed=["衬衫", "领带", "皮鞋"]) == []
    used = {sku for o in result.outfits for sku in o.sku_ids}
    assert not used & {"M-SH4", "M-TIE3", "W-SHOE", "W-SHIRT"}
    for a, b in combinations(result.sku_lists(), 2):
        assert outfits_differ(a, b)


def test_totals_reason_and_dict():
    result = build_outfits(SUIT, Wardrobe.from_products(MEN), StylingRequest())
    prices = {p.sku_id: p.price for p in MEN}
    for outfit in result.outfits:
        assert outfit.added_total == sum(prices[s] for s in outfit.sku_ids)
        assert outfit.total == SUIT.price + outfit.added_total
        assert outfit.reason.startswith("深灰色西装配")
        assert all(item.category in outfit.reason for item in outfit.items)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["anchor"]["sku_id"] == "M-SUIT" and len(data["outfits"]) == 3
    assert data["outfits"][0]["items"][0]["sku_id"] == result.outfits[0].items[0].sku_id


def test_occasion_ranks_matching_items_first():
    wardrobe = Wardrobe.from_products(MEN)
    wedding = build_outfits(SUIT, wardrobe, StylingRequest(occasion="婚礼"))
    assert {"M-SH3", "M-TIE2"} <= set(wedding.outfits[0].sku_ids)
    assert "婚礼" in wedding.outfits[0].reason
    business = build_outfits(SUIT, wardrobe, StylingRequest(occasion="商务"))
    assert "M-SH3" not in business.outfits[0].sku_ids


def test_budget_caps_the_added_items_and_says_so_when_short():
    wardrobe = Wardrobe.from_products(MEN)
    result = build_outfits(SUIT, wardrobe, StylingRequest(budget=Decimal("800")))
    assert result.outfits and all(o.added_total <= 800 for o in result.outfits)
    assert all(o.total == SUIT.price + o.added_total for o in result.outfits)
    tight = build_outfits(SUIT, wardrobe, StylingRequest(budget=Decimal("130")))
    assert all(o.added_total <= 130 for o in tight.outfits)
    assert len(tight.outfits) < 3 and "130" in tight.note


def test_wanted_categories_narrow_the_outfit():
    result = build_outfits(SUIT, Wardrobe.from_products(MEN), StylingRequest(wanted_categories=("领带",)))
    assert result.outfits and all("领带" in [i.category for i in o.items] for o in result.outfits)
    assert result.outfits[0].items[0].category == "领带"


def test_anchor_sold_out_still_gets_outfits_with_a_note():
    sold_out = SUIT.model_copy(update={"stock": 0})
    products = [sold_out, *MEN[1:]]
    result = build_outfits(sold_out, Wardrobe.from_products(products), StylingRequest())
    assert len(result.outfits) == 3 and "售罄" in result.note
    assert _valid(result, sold_out, products) == []


def test_small_catalog_gives_fewer_outfits_and_never_pads():
    products = [SUIT, MEN[1], MEN[5], MEN[8], MEN[3].model_copy(update={"stock": 0})]
    result = build_outfits(SUIT, Wardrobe.from_products(products), StylingRequest())
    assert 1 <= len(result.outfits) < 3
    assert f"{len(result.outfits)}套" in result.note
    assert _valid(result, SUIT, products, count=len(result.outfits)) == []


def test_category_without_complements_is_declined_politely():
    mug = _p("K-1", "陶瓷马克杯", "杯子", 59)
    result = build_outfits(mug, Wardrobe.from_products([mug, SUIT, *MEN[1:4]]), StylingRequest())
    assert result.outfits == () and "杯子" in result.note and result.anchor.sku_id == "K-1"


def test_merchant_map_replaces_the_default():
    mug = _p("K-1", "陶瓷马克杯", "杯子", 59)
    products = [mug, _p("K-2", "杯盖 木质", "杯盖", 19), _p("K-3", "杯垫 软木", "杯垫", 9), _p("K-4", "茶叶", "茶叶", 99)]
    result = build_outfits(mug, Wardrobe.from_products(products, complements={"杯子": ["杯盖", "杯垫"]}),
                           StylingRequest(), count=1)
    assert set(result.outfits[0].sku_ids) == {"K-2", "K-3"}
    only_ties = Wardrobe.from_products(MEN, complements={"西装": ["领带"]})
    assert {i.category for o in build_outfits(SUIT, only_ties, StylingRequest()).outfits for i in o.items} == {"领带"}


def test_unisex_anchor_never_mixes_genders_and_seasons_match():
    jacket = _p("U-1", "男女同款羽绒服", "羽绒服", 500, 适用季节="秋冬", 颜色="黑色")
    products = [
        jacket,
        _p("U-2", "男士毛衣", "毛衣", 200, tags=["男装"], 适用季节="秋冬"),
        _p("U-3", "女士毛衣", "毛衣", 200, tags=["女装"], 适用季节="秋冬"),
        _p("U-4", "男士牛仔裤", "牛仔裤", 300, tags=["男装"]),
        _p("U-5", "女士牛仔裤", "牛仔裤", 300, tags=["女装"]),
        _p("U-6", "女士运动鞋", "运动鞋", 400, tags=["女装"]),
        _p("U-7", "男士T恤 夏季", "T恤", 99, tags=["男装"], 适用季节="夏季"),
    ]
    result = build_outfits(jacket, Wardrobe.from_products(products), StylingRequest())
    assert result.outfits and _valid(result, jacket, products, count=len(result.outfits)) == []
    for outfit in result.outfits:
        assert len({gender_of(products_by(products)[s]) for s in outfit.sku_ids} - {None}) == 1
        assert "U-7" not in outfit.sku_ids


def products_by(products):
    return {p.sku_id: p for p in products}


def test_summer_dress_gets_no_winter_coat():
    dress = _p("D-1", "女士碎花连衣裙", "连衣裙", 300, tags=["女装", "度假"], 适用季节="夏季")
    products = [
        dress,
        _p("D-2", "女士羊毛大衣", "大衣", 900, tags=["女装"], 适用季节="秋冬"),
        _p("D-3", "女士防晒开衫", "针织衫", 150, tags=["女装", "度假"], 适用季节="春夏"),
        _p("D-4", "女士凉鞋", "凉鞋", 200, tags=["女装", "度假"]),
        _p("D-5", "女士草编包", "包", 180, tags=["女装", "度假"]),
        _p("D-6", "女士帆布包", "包", 80, tags=["女装"]),
    ]
    result = build_outfits(dress, Wardrobe.from_products(products), StylingRequest(occasion="海边"))
    assert result.outfits and all("D-2" not in o.sku_ids for o in result.outfits)


def test_gadgets_phone_accessories_fit_the_device():
    catalog = _catalog("gadgets")
    wardrobe = Wardrobe.from_products(catalog.values())
    for phone in (p for p in catalog.values() if p.category == "手机" and p.in_stock):
        result = build_outfits(phone, wardrobe, StylingRequest())
        assert len(result.outfits) == 3
        assert check_outfits(result, anchor=phone, catalog=catalog, count=3,
                             allowed_categories=wardrobe.complements["手机"]) == []
        for sku in (s for o in result.outfits for s in o.sku_ids):
            item = catalog[sku]
            assert "lightning" not in item.title.lower()          # an Apple cable for an Android phone
            if item.category == "手机壳":                          # a case made for another model
                assert any(tok in phone.title for tok in item.title.split() if any(ch.isdigit() for ch in tok))


def test_gadgets_without_complements_decline():
    catalog = _catalog("gadgets")
    speaker = next(p for p in catalog.values() if p.category == "蓝牙音箱")
    result = build_outfits(speaker, Wardrobe.from_products(catalog.values()), StylingRequest())
    assert result.outfits == () and result.note


def test_check_outfits_names_each_violation():
    wardrobe_products = MEN
    problems = _valid([["M-SH4", "M-TIE1"], ["W-SHOE"], ["M-SUIT"], ["M-SH1", "M-SH1"], ["NOPE"]],
                      SUIT, wardrobe_products, count=3, allowed=["衬衫", "领带"])
    text = "\n".join(problems)
    for expected in ("expected 3 outfits, got 5", "M-SH4 is sold out", "mixes genders", "not one of",
                     "M-SUIT is the anchor itself", "repeats the anchor's category", "M-SH1 appears twice",
                     "NOPE is not in the catalog"):
        assert expected in text
    assert any("differ in one non-main item" in p for p in _valid(
        [["M-SH1", "M-TIE1", "M-SHOE1"], ["M-SH1", "M-TIE2", "M-SHOE1"], ["M-SH2"]], SUIT, MEN))
    assert _valid([["M-SH1", "M-TIE1"], ["M-SH2", "M-TIE1"], ["M-SH3", "M-TIE2"]], SUIT, MEN) == []


@pytest.mark.parametrize("a, b, differ", [
    (["x", "y", "z"], ["x", "y", "z"], False),
    (["x", "y", "z"], ["y", "x", "z"], False),
    (["x", "y", "z"], ["x", "y", "w"], False),
    (["x", "y", "z"], ["x", "v", "w"], True),
    (["x", "y", "z"], ["v", "y", "z"], True),
    (["x", "y", "z"], ["y", "w", "z"], False),
])
def test_outfits_differ(a, b, differ):
    assert outfits_differ(a, b) is differ


def test_suggest_outfits_only_for_styling_questions_and_asks_when_no_anchor():
    wardrobe = Wardrobe.from_products(MEN)
    assert suggest_outfits("能开发票吗", sku_in_view="M-SUIT", wardrobe=wardrobe) is None
    unknown = suggest_outfits("帮我搭配一下", sku_in_view=None, wardrobe=wardrobe)
    assert unknown.anchor is None and unknown.outfits == () and unknown.note
    asked = suggest_outfits("结婚穿 这套西装怎么搭 配件预算500以内", sku_in_view="M-SUIT", wardrobe=wardrobe)
    assert asked.outfits and all(o.added_total <= 500 for o in asked.outfits)


def test_neutral_colour_is_not_unisex():
    """中性色 names a colour: a men's jacket tagged with it stays a men's piece."""
    assert gender_of(_p("J1", "男士工装夹克 多口袋", "外套", tags=("男装", "中性色"))) == "男"
    assert gender_of(_p("J2", "女士短款风衣", "外套", tags=("中性",))) == "女"       # colour-family tag
    assert gender_of(_p("S1", "中性款复古德训鞋", "鞋", tags=("休闲",))) is None
    assert gender_of(_p("S2", "情侣款卫衣 男女同款", "卫衣", tags=("男装",))) is None
    assert gender_of(_p("B1", "Unisex canvas tote", "包")) is None


def test_neutral_colour_tag_is_a_colour_not_a_style():
    """中性色 is the neutral family: a cool or warm tag beside it decides, in any order, and
    it is never offered as a shared style."""
    def family(*tags, **attributes):
        return colour_family_of(_p("X", "针织背心", "针织衫", tags=tags, **attributes))

    assert family("通勤", "中性色") == "中性"
    assert family("冷色", "中性色") == family("中性色", "冷色") == "冷"
    assert family("中性色", "暖色") == "暖"
    assert family("冷色", "暖色") is None
    assert family("中性色", 颜色="酒红") == "中性"          # a family tag outranks the colour words
    assert family(颜色="黑色/酒红") == "暖"
    assert "中性色" not in Piece.of(_p("X", "女士直筒西裤", "裤装", tags=("女装", "通勤", "中性色"))).style

    skirt = _p("W-SKIRT", "女士羊毛半身裙", "半身裙", 320, tags=("女装", "通勤", "中性色"), 颜色="米白", 适用季节="春秋")
    rest = [_p(f"W-{n}{i}", f"女士{c}{i}号", c, 150 + 10 * i, tags=("女装", "中性色") + (("通勤",) if i else ()),
               颜色="黑色", 适用季节="春秋")
            for n, c in enumerate(("针织衫", "皮鞋", "包")) for i in range(3)]
    result = build_outfits(skirt, Wardrobe.from_products([skirt, *rest]), StylingRequest())
    assert result.outfits
    assert all("中性色" not in o.reason for o in result.outfits)
