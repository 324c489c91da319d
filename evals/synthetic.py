"""A synthetic apparel catalog of any size, for benchmarks (deterministic for a seed)."""
from __future__ import annotations

import random

from knowledge.records import Policy, Product

CATEGORIES = {
    "西装": ("羊毛", "修身", "商务"), "衬衫": ("纯棉", "免烫", "通勤"), "连衣裙": ("雪纺", "收腰", "约会"),
    "牛仔裤": ("弹力牛仔", "直筒", "休闲"), "羽绒服": ("白鸭绒", "连帽", "保暖"), "皮鞋": ("头层牛皮", "德比", "正装"),
    "运动鞋": ("网面", "缓震", "运动"), "针织衫": ("羊绒", "圆领", "通勤"), "半身裙": ("醋酸", "A字", "优雅"),
    "风衣": ("棉混纺", "双排扣", "春秋"),
}
COLOURS = ["黑色", "白色", "藏青色", "米色", "灰色", "卡其色", "酒红色", "浅蓝色", "燕麦色", "墨绿色"]
BRANDS = ["云锦", "素年", "木槿", "青柚", "远山", "南风", "栖木", "白鹭"]
WASH = ["30℃以下轻柔机洗", "仅限专业干洗", "冷水手洗 平铺晾干", "不可水洗 用专用清洁剂"]
QUERIES = ["能机洗吗", "这件是纯棉的吗", "退货运费谁出", "多久发货", "175 70kg穿什么码",
           "有没有黑色的修身西装", "冬天穿冷不冷", "可以开发票吗", "会起球吗", "鞋子偏大吗",
           "羽绒服含绒量多少", "雪纺连衣裙透不透", "七天无理由吗", "买了降价能退差价吗"]


def products(n: int, *, seed: int = 7) -> list[Product]:
    rng = random.Random(seed)
    cats = list(CATEGORIES)
    out = []
    for i in range(n):
        cat = cats[i % len(cats)]
        material, cut, style = CATEGORIES[cat]
        colour = rng.choice(COLOURS)
        gender = rng.choice(["男装", "女装"])
        title = f"{rng.choice(BRANDS)} {gender[0]}士{material}{cut}{cat} {colour} {style}款 {2020 + i % 6}新款"
        out.append(Product(
            sku_id=f"SYN-{i:06d}", title=title, category=cat, price=rng.randint(59, 2999),
            stock=rng.choice([0, 3, 12, 40]),
            attributes={"材质": material, "版型": cut, "颜色": colour, "洗涤方式": rng.choice(WASH),
                        "尺码": "S/M/L/XL", "适用季节": rng.choice(["春秋", "夏季", "冬季"])},
            tags=[style, gender], description=f"{colour}{material}{cat}，{cut}设计，适合{style}场合。"))
    return out


def policies() -> list[Policy]:
    return [
        Policy(policy_id="returns", title="7天无理由退换货",
               body="签收后7天内支持无理由退换货，商品需保持吊牌完好。质量问题来回运费由本店承担。"),
        Policy(policy_id="shipping", title="发货时效",
               body="现货付款后48小时内发货，默认中通快递，可补差价发顺丰。"),
        Policy(policy_id="invoice", title="发票", body="所有订单可开具电子普通发票，确认收货后申请。"),
        Policy(policy_id="price-protect", title="价格保护", body="付款后15天内降价可申请退差价。"),
    ]
