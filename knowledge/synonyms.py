"""Shopper words -> the words stores write, for the lexical side of retrieval.

Shoppers write "拍了" for 付款, "发走" for 发货, "坏了" for 故障; policies and product
sheets use the store's words. A query's terms are expanded with the store words of
every shopper word it contains, and an English question with the Chinese words the store
writes for its words. General e-commerce words, not any one merchant's.
"""
from __future__ import annotations

import re

# shopper word -> store words
SHOPPER_TO_STORE: dict[str, tuple[str, ...]] = {
    "拍": ("付款", "下单"), "拍下": ("付款", "下单"), "下单": ("付款",), "买的": ("付款", "签收"),
    "发走": ("发货", "发出"), "发出": ("发货",), "寄出": ("发货",), "发货": ("发出",),
    "几天到": ("快递", "发货"), "多久到": ("快递", "发货"), "快递": ("物流", "发货"),
    "顺丰": ("快递", "运费"), "包邮": ("运费",), "邮费": ("运费",),
    "退钱": ("退款",), "退款": ("退货",), "退了": ("退货", "退款"), "退": ("退货",),
    "换码": ("换货", "尺码"), "换大": ("换货", "尺码"), "换小": ("换货", "尺码"),
    "换一": ("换货",), "换个": ("换货",),
    "便宜了": ("降价", "价格保护", "差价"), "降价": ("价格保护", "差价"), "补差价": ("价格保护", "差价"),
    "退差价": ("价格保护", "差价"),
    "开票": ("发票",), "报销": ("发票",), "抬头": ("发票",),
    "坏了": ("故障", "质量问题", "维修", "保修"), "不充电": ("故障", "保修"), "故障": ("保修", "维修"),
    "不能用": ("故障", "质量问题"), "开胶": ("质量问题", "维修"), "开线": ("质量问题",),
    "修": ("维修", "保修"), "保修": ("维修",), "质量": ("质量问题",),
    "洗衣机": ("机洗", "洗涤"), "机洗": ("洗涤",), "水洗": ("洗涤",), "干洗": ("洗涤",),
    "缩水": ("洗涤", "缩率"), "掉色": ("洗涤", "褪色"),
    "多大": ("尺码",), "什么码": ("尺码", "尺码建议"), "几码": ("尺码", "尺码建议"),
    "偏大": ("尺码",), "偏小": ("尺码",), "身高": ("尺码建议",), "体重": ("尺码建议",),
    "积分": ("会员",), "抵钱": ("抵扣", "积分"), "会员": ("积分",),
    "赠品": ("赠送",), "送": ("赠品",), "礼盒": ("包装",),
    "色差": ("颜色", "实物"), "有货": ("补货", "到货", "库存"), "补货": ("到货", "库存"),
    "运费险": ("退货", "理赔"),
}
# An English shopper's words -> the store's Chinese words: general service and product words,
# matched as whole words (plurals too), so that an English question meets the Chinese terms.
ENGLISH_TO_STORE: dict[str, tuple[str, ...]] = {
    "ship": ("发货", "快递"), "shipping": ("发货", "快递", "运费"), "shipped": ("发货", "快递"),
    "deliver": ("配送", "送达"), "delivery": ("配送", "送达"), "express": ("快递",), "sf": ("顺丰",),
    "same-day": ("当天发货",), "same day": ("当天发货",), "pay by": ("付款",), "cut-off": ("付款", "发货"),
    "free shipping": ("包邮",), "extra": ("补运费", "加收"), "fee": ("运费", "费用"), "postage": ("运费",),
    "xinjiang": ("新疆", "偏远地区"), "tibet": ("西藏", "偏远地区"), "remote": ("偏远地区",),
    "hong kong": ("港澳台", "香港"), "macau": ("港澳台",), "taiwan": ("港澳台",), "overseas": ("海外",),
    "abroad": ("海外",),
    "return": ("退货", "无理由"), "returns": ("退货", "无理由"), "refund": ("退款",), "exchange": ("换货",),
    "opened": ("拆封",), "unopened": ("未拆封",), "unused": ("未使用",),
    "invoice": ("发票",), "receipt": ("发票",), "warranty": ("保修", "质保"), "guarantee": ("保修", "质保"),
    "repair": ("维修",), "broken": ("质量问题", "损坏"), "damaged": ("破损", "损坏"), "rotten": ("坏果", "腐烂"),
    "report": ("反馈", "联系客服"), "compensation": ("赔付", "补偿"),
    "price": ("价格",), "discount": ("优惠", "折扣"), "coupon": ("优惠券",), "stock": ("库存", "有货"),
    "size": ("尺寸", "尺码", "规格"), "dimensions": ("尺寸",), "weight": ("重量",), "heavy": ("重量",),
    "capacity": ("容量",), "material": ("材质", "材料"), "made of": ("材质",), "color": ("颜色",),
    "battery": ("电池",), "batteries": ("电池",), "charging": ("充电",),
    "power": ("功率",), "voltage": ("电压",), "waterproof": ("防水",),
    "wash": ("洗涤", "清洗"), "clean": ("清洁", "清洗"), "install": ("安装",), "installation": ("安装",),
    "certificate": ("证书",), "genuine": ("正品",), "real": ("正品",), "origin": ("产地",),
    "shelf life": ("保质期",), "expire": ("保质期", "有效期"), "expiry": ("保质期", "有效期"),
    "storage": ("储存", "保存"), "fridge": ("冷藏", "冰箱"),
    "age": ("适用年龄",), "kids": ("儿童",), "child": ("儿童",), "gift": ("礼盒", "赠品"),
}
_ENGLISH = {word: re.compile(rf"(?<![a-z]){re.escape(word)}(?:s|es)?(?![a-z])") for word in ENGLISH_TO_STORE}


def expand(text: str) -> list[str]:
    """The store words for the shopper words found in `text` (lower-cased match; English
    words whole)."""
    lowered = text.lower()
    return [*(w for shopper, store in SHOPPER_TO_STORE.items() if shopper in lowered for w in store),
            *(w for english, store in ENGLISH_TO_STORE.items() if _ENGLISH[english].search(lowered) for w in store)]
