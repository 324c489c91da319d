"""A variant named by a spec ("有32cm的吗"): products of our own, in several verticals."""
from __future__ import annotations

from knowledge.quantities import quantities
from knowledge.variants import named_variant, spec_quantities

PANS = {
    "PAN-28": {"title": "铸铁平底锅 28cm 燃气电磁炉通用", "attributes": {"口径": "28cm", "重量": "1.9kg"}},
    "PAN-32": {"title": "铸铁平底锅 32cm 燃气电磁炉通用", "attributes": {"口径": "32cm", "重量": "2.4kg"}},
    "LID-32": {"title": "钢化玻璃锅盖 32cm", "attributes": {"适用口径": "32cm"}},
    "KETTLE": {"title": "电水壶 1.7L 304不锈钢", "attributes": {"容量": "1.7L", "功率": "1800W"}},
}
TITLES = {k: v["title"] for k, v in PANS.items()}
SPECS = {k: spec_quantities(v) for k, v in PANS.items()}


def test_quantities_come_from_the_title_and_attributes():
    assert SPECS["PAN-28"] == {("28", "cm"), ("1.9", "kg")}
    assert quantities("有32CM的吗") == {("32", "cm")}


def test_a_spec_the_viewed_product_lacks_names_its_closest_sibling():
    assert named_variant("有32cm的吗 多少钱", "PAN-28", TITLES, SPECS) == "PAN-32"


def test_a_spec_the_viewed_product_has_names_nothing_else():
    assert named_variant("这个28cm的重不重", "PAN-28", TITLES, SPECS) is None


def test_a_product_with_another_title_is_no_variant():
    assert named_variant("有1.7L的吗", "PAN-28", TITLES, SPECS) is None


def test_durations_prices_counts_and_the_shoppers_body_are_no_spec():
    for message in ("我120斤 3岁 能用吗", "买2个有优惠吗 预算200元", "能用5年吗"):
        assert named_variant(message, "PAN-28", TITLES, SPECS) is None
