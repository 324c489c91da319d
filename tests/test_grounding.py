"""The grounding check, on sentences and sources of our own."""
from __future__ import annotations

import pytest

from copilot.drafting.grounding import check, quantities
from knowledge.records import Source


def _policy(text: str) -> Source:
    return Source(id="p1", kind="policy", title="售后说明", text=text, score=1.0,
                  record={"policy_id": "p1", "title": "售后说明", "body": text})


SKU = Source(id="TS-01", kind="sku", title="纯棉圆领T恤 白色", text="纯棉圆领T恤", score=1.0,
             record={"sku_id": "TS-01", "title": "纯棉圆领T恤 白色", "price": "89.00",
                     "attributes": {"尺码": "S/M/L/XL", "鞋码": "38/39/40",
                                    "洗涤方式": "可机洗，水温不超过30℃"}})


@pytest.mark.parametrize("draft,source_text", [
    ("亲，支持七天无理由退货哦~", "签收后7天内可无理由退货。"),
    ("亲，十五天内都可以换哦", "签收后15日内可换货一次。"),
    ("亲，一般三到五天到账", "退款一般3-5天到账。"),
    ("亲，大约3至5天哦", "退款一般3～5天到账。"),
    ("含绒量是95%哦", "含绒量百分之九十五。"),
    ("适合零下15度左右", "适用温度-15℃至0℃。"),
    ("补运费１５元", "偏远地区补运费15元。"),
    ("偏远地区补15块", "偏远地区补运费15元。"),
    ("充绒150克", "充绒量：150g（L码）"),
    ("适合腰围2尺4的", "长度125cm（适合腰围2尺4至3尺4）"),
    ("下午四点前付款当天发", "每天16:00前付款当天发出；4点后次日发。"),
    ("防水等级IP68", "防水：IP68"),
])
def test_numbers_said_in_other_words_are_grounded(draft, source_text):
    report = check(draft, [_policy(source_text)])
    assert report.ok, report.ungrounded


@pytest.mark.parametrize("draft,source_text,flagged", [
    ("支持十五天无理由退货", "签收后7天内可无理由退货。", "15天"),
    ("一般3-7天到账", "退款一般3-5天到账。", "3-7天"),
    ("一般三到七天到账", "退款一般3-5天到账。", "3-7天"),
    ("补运费20元", "偏远地区补运费15元。", "20元"),
    ("适合零下20度", "适用温度-15℃至0℃。", "-20℃"),
    ("适合腰围2尺8的", "长度125cm（适合腰围2尺4至3尺4）", "2尺8"),
    ("每天17:00前付款当天发", "每天16:00前付款当天发出。", "17:00"),
    ("防水等级IP67", "防水：IP68", "ip67"),
    ("含绒量90%", "含绒量百分之九十五。", "90%"),
])
def test_numbers_no_source_holds_are_flagged(draft, source_text, flagged):
    report = check(draft, [_policy(source_text)])
    assert not report.ok
    assert report.ungrounded == [flagged]


def test_price_size_and_temperature_of_a_sku():
    assert check("这款¥89，M码和40码都有，30度以下机洗", [SKU]).ok
    assert check("这款¥99", [SKU]).ungrounded == ["99元"]
    assert check("有41码吗", [SKU]).ungrounded == ["41码"]


def test_only_the_given_sources_count():
    other = _policy("签收后30天内质量问题包退。")
    assert check("30天内包退", [other]).ok
    assert check("30天内包退", [SKU]).ungrounded == ["30天"]
    assert check("30天内包退", []).ungrounded == ["30天"]


def test_a_range_grounds_its_ends_but_not_what_lies_between():
    found = quantities("一般15-20天补货")
    assert {"15~20天", "15天", "20天"} <= found
    assert check("大约15天", [_policy("一般15-20天补货")]).ok
    assert check("大约18天", [_policy("一般15-20天补货")]).ungrounded == ["18天"]


def test_text_without_numbers_is_grounded():
    assert check("亲，这款可以机洗哦~", []).ok
