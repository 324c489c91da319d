"""Shopper words -> the words stores write, for the lexical side of retrieval.

Shoppers write "拍了" for 付款, "发走" for 发货, "坏了" for 故障; policies and product
sheets use the store's words. A query's terms are expanded with the store words of
every shopper word it contains. General e-commerce Chinese, not any one merchant's.
"""
from __future__ import annotations

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
    "ship": ("发货", "快递"), "shipping": ("发货", "快递"), "express": ("快递",),
    "return": ("退货",), "refund": ("退款",), "invoice": ("发票",), "warranty": ("保修",),
    "size": ("尺码",), "wash": ("洗涤",),
}


def expand(text: str) -> list[str]:
    """The store words for the shopper words found in `text` (lower-cased match)."""
    lowered = text.lower()
    return [w for shopper, store in SHOPPER_TO_STORE.items() if shopper in lowered for w in store]
