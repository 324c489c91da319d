"""Quantities in text: a number or range and its unit ("36W", "10-15㎡", "20×40×55cm", "90天").

Catalog values, store texts and shopper messages are compared by the quantities they
hold: a store text's "60天" beside a product's own "90天" is another alternative, and a
shopper asking "有32cm的吗" names the variant that holds "32cm". Units are normalised
(㎡/平米/平 -> ㎡, 克 -> g, 度 -> ℃), values are not converted between units.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A quantity: a number or range ("10-15", "20×40×55", "0.5") and the unit after it.
_UNITS = ("m2", "平方米", "平米", "平", "mah", "ml", "mm", "cm", "kg", "mg", "g", "l", "m", "w", "kw", "v", "k",
          "lm", "db", "℃", "°c", "度", "%", "元", "块", "天", "日", "小时", "h", "分钟", "min", "秒", "个月", "月",
          "年", "周", "个工作日", "工作日", "岁", "斤", "克", "千克", "公斤", "毫升", "升", "厘米", "毫米", "米", "寸",
          "英寸", "码", "瓦", "伏", "片", "包", "袋", "粒", "支", "个", "罐", "盒", "瓶", "件", "颗", "条", "只",
          "双", "套", "张", "枚", "贴", "次", "人", "份", "组", "层", "档", "级")
_QUANTITY = re.compile(
    r"(?<![0-9.])(\d+(?:\.\d+)?(?:\s*[-~～至到×x*]\s*\d+(?:\.\d+)?)*)\s*("
    + "|".join(re.escape(u) for u in sorted(set(_UNITS), key=len, reverse=True)) + r")(?![a-z])")
_SAME_UNIT = {"m2": "㎡", "平方米": "㎡", "平米": "㎡", "平": "㎡", "日": "天", "月": "个月", "工作日": "个工作日",
              "克": "g", "千克": "kg", "公斤": "kg", "毫升": "ml", "升": "l", "厘米": "cm", "毫米": "mm",
              "米": "m", "瓦": "w", "伏": "v", "°c": "℃", "度": "℃", "块": "元", "h": "小时", "min": "分钟"}

Quantity = tuple[str, str]     # (the number or range, its unit), normalised
# Units that tell one variant of a product from another (its size, capacity, weight, power);
# not a duration, a price, a count ("买2盒") or the shopper's own age or body weight.
VARIANT_UNITS = frozenset({"㎡", "mah", "ml", "mm", "cm", "kg", "g", "l", "m", "w", "kw", "v", "k", "lm", "寸",
                           "英寸", "码"})


@lru_cache(maxsize=4096)
def quantities(text: str) -> frozenset[Quantity]:
    """The quantities a text holds: "36W，10-15㎡" -> {("36", "w"), ("10-15", "㎡")}. Kept for
    the texts seen last: narrowing asks again of the same pieces."""
    text = unicodedata.normalize("NFKC", text).lower()
    return frozenset((_value(m.group(1)), _SAME_UNIT.get(m.group(2), m.group(2))) for m in _QUANTITY.finditer(text))


def _value(number: str) -> str:
    """A number or range as one spelling: "15～20" and "15 至 20" -> "15-20"."""
    return re.sub(r"\s+", "", number).replace("~", "-").replace("～", "-").replace("至", "-").replace("到", "-")
