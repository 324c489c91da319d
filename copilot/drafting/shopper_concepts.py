"""What a shopper asks about, as concepts: shopper words -> the attribute keys and store words that answer.

A concept fires when one of its `triggers` is in the (lower-cased) message. A SKU
attribute answers it when its key is one of `keys`; any sentence answers it when it
contains one of `markers`. General e-commerce Chinese (and a little English), not any
one merchant's wording; the composer uses them to pick the sentence that answers.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    name: str
    triggers: tuple[str, ...]
    keys: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()


def _c(name: str, triggers: str, keys: str = "", markers: str = "") -> Concept:
    return Concept(name, tuple(triggers.split()), tuple(keys.split()), tuple(markers.split()))


CONCEPTS: tuple[Concept, ...] = (
    _c("wash", "洗 机洗 水洗 洗衣机 干洗 手洗 清洗 wash laundry",
       "洗涤方式 清洗方式", "机洗 水洗 干洗 手洗 洗涤"),
    _c("shrink", "缩水 会缩 shrink", "", "缩水 预缩 防缩"),
    _c("fade", "掉色 褪色 染色 染到 串色 fade", "", "掉色 固色 单独"),
    _c("size", "码 尺码 多大 大小 身高 体重 kg 斤 偏大 偏小 合身 胸围 腰围 size",
       "尺码建议 尺码表 尺码", "尺码 大一码 小一码 半码"),
    _c("material", "材质 面料 什么料 纯棉 真皮 羊毛 羊绒 真丝 牛皮 material fabric cotton leather",
       "材质 面料 鞋面材质 内里材质", "材质 棉 皮"),
    _c("warmth", "保暖 暖 冬天 冷 扛得住 零下 东北 北方 warm", "适用温度 适用季节", "保暖 ℃"),
    _c("down_content", "含绒量 含绒 鹅绒 鸭绒 什么绒 down", "含绒量 填充物", "绒"),
    _c("down_fill", "充绒 几克 多少克 蓬松", "充绒量 蓬松度", "充绒"),
    _c("down_leak", "钻绒 钻毛 跑绒 掉毛 往外钻 钻出", "", "钻绒 跑绒 掉毛 钻出"),
    _c("pilling", "起球 毛球 球", "起球说明", "起球 毛球"),
    _c("shedding", "掉毛 掉絮", "掉毛说明", "掉毛"),
    _c("sheer", "透 透肉 透肤 打底 走光 see-through", "是否透 厚薄", "透 肤色"),
    _c("lining", "内里 里布 内衬 里子 衬里 lining", "里料", "里布 内衬 里料"),
    _c("stretch", "弹力 弹性 有弹 弹不弹 紧 胯 stretch", "弹力", "弹力 无弹 微弹"),
    _c("gift", "送 赠品 赠 gift free", "赠品", "赠"),
    _c("giftbox", "礼盒 包装 盒子 gift box", "包装", "礼盒"),
    _c("contents", "盒子里 配件 包含 哪几 几件 哪三件 三件套 附带 带充电 含不含 in the box",
       "包装清单 套装组成", "清单 ×1"),
    _c("length", "够长 太长 有点长 多长 长度 长了 剪短 短点 太短 有点短 裁 long short",
       "长度 衣长 裙长 裤长", "裁剪 长度"),
    _c("capacity", "塞得下 装得下 放得下 能放 能装 塞 容量 电脑 尺寸 多大的包 fit",
       "容量 尺寸", "可放 容量"),
    _c("height", "增高 跟高 多高 几厘米 几公分 鞋跟 heel", "增高 跟高", "增高 跟"),
    _c("usage", "咋戴 怎么戴 怎么用 咋用 使用 会打 不会 how to", "特点 使用方法", "设计 即可"),
    _c("craft", "缝 胶粘 工艺 做工 换底 made", "工艺", "缝制 工艺"),
    _c("care", "保养 鞋油 护理 擦 care", "保养 清洗方式", "鞋油 护理 保养"),
    _c("color_diff", "色差 图片 实物 差很多 一样吗 颜色正 color", "", "色差 实物 显示"),
    _c("restock", "有货 补货 没货 缺货 到货 断货 售罄 卖完 restock", "", "补货 到货 售罄 返单"),
    _c("returns", "退 退货 退换 无理由 return", "", "退货 退换 无理由"),
    _c("refund", "退款 到账 退钱 钱 refund", "", "退款 到账"),
    _c("exchange", "换 换货 换码 换大 换小 exchange", "", "换货 换码 更换"),
    _c("shipping_fee", "运费 包邮 邮费 谁出 咋算 怎么算 差价 extra", "", "运费 包邮"),
    _c("courier", "快递 顺丰 中通 圆通 韵达 物流 sf express courier", "", "快递 顺丰"),
    _c("ship_time", "发货 发走 能发 发吗 几点发 什么时候发 发出 寄出 ship", "", "发货 发出"),
    _c("arrival", "没到 几天到 多久到 到了吗 什么时候到 送达 时效 隔天到 还没到 arrive",
       "", "时效 次日达 陆运 到"),
    _c("today", "今天 当天 马上 today", "", "当天 当日"),
    _c("order", "拍 下单 付款 买 order", "", "付款 下单"),
    _c("invoice", "发票 开票 专票 抬头 报销 invoice", "", "发票 开具 税号"),
    _c("price_protect", "差价 降价 便宜 价保 补差 price", "", "价保 降价 差价 价格保护"),
    _c("points", "积分 抵钱 抵扣 points", "", "积分 抵"),
    _c("coupon", "优惠券 券 满减 叠加 coupon", "", "优惠券 满减"),
    _c("insurance", "运费险 赔 理赔 insurance", "", "运费险 理赔"),
    _c("quality", "质量 开胶 开线 破洞 坏 断底 故障 不充电 不能用 碎 裂 破损 defect broken",
       "", "质量问题 维修 故障 破损"),
    _c("warranty", "保修 保不保 维修 修 保多久 warranty repair", "内屏说明", "保修 维修"),
    _c("normal", "正常吗 正常 normal", "说明", "正常现象 属正常"),
    _c("genuine", "正品 假货 真假 真的吗 genuine fake", "", "正品"),
    _c("address", "地址 改地址 address", "", "地址"),
    _c("alteration", "改短 改裤长 改长 裤长 alter", "裤长", "改裤长"),
    _c("custom", "绣 刺绣 定制 名字 缩写 字母 custom", "", "刺绣 定制"),
    _c("heat", "烫 发热 发烫 热 温度 hot", "", "发热 温度"),
    _c("flight", "飞机 登机 航空 托运 坐飞机 plane flight", "额定能量", "登机 托运"),
    _c("waterproof", "游泳 洗澡 防水 下雨 出汗 汗 泡水 淋雨 进水 water swim rain",
       "防水", "防水 浸水"),
    _c("battery_life", "续航 能用多久 用多久 待机 battery", "续航 电池容量", "续航 小时"),
    _c("battery_health", "电池健康 电池不耐用 掉电 电池 掉到", "", "电池健康度 电池"),
    _c("charging", "快充 充电 满速 瓦 功率 charge charging", "快充 输出功率 多口功率分配 功率 兼容设备",
       "快充 功率"),
    _c("compatibility", "能用吗 适用 兼容 iphone 苹果 安卓 能连 能给 compatible",
       "兼容设备 兼容系统 适用型号 协议", "适用 兼容 支持"),
    _c("multi_device", "同时 两台 双设备 两个设备 at the same time both", "双设备连接 多口功率分配",
       "同时"),
    _c("connect", "连接 连 配对 蓝牙 connect pair bluetooth", "双设备连接 蓝牙版本", "连接 配对"),
    _c("sim", "插卡 打电话 电话 sim 通话 手机卡", "网络 sim卡", "sim"),
    _c("screen", "屏幕 屏 内屏 碎 screen", "内屏说明", "屏"),
    _c("amount", "多少钱 赔多少 多少元 收费 加钱 要钱 how much", "", "元 金额 费"),
    _c("duration", "多久 多长时间 几天 啥时候 什么时候 how long", "", "天 小时 周期 时效 年 个月 期"),
    # The shopper says how long ago ("签收10天了"): the answer is a time window ("15天内").
    _c("time_window", "天了 签收 个月了 周了 年了 用了 穿了 半年", "", "天内 日内 个月内 年内 天后"),
    _c("redeem", "抵钱 抵现 抵扣 兑换 redeem", "", "抵现 抵扣"),
    # Product nouns: they name the product and must not fire the concepts inside them
    # ("充电头" is not a question about charging).
    _c("product_noun", "充电头 充电器 充电宝 充电线 数据线 充电盒"),
)


def concepts_in(text: str) -> list[Concept]:
    """The concepts a shopper message asks about, in order of first appearance.

    Triggers match lower-cased substrings; a longer trigger claims its characters, so a
    shorter one inside it does not fire ("不充电" is a fault, not a charging question).
    """
    lowered = text.lower()
    matches = sorted(((start, trigger, concept) for concept in CONCEPTS for trigger in concept.triggers
                      for start in _starts(lowered, trigger)),
                     key=lambda m: (-len(m[1]), m[0]))
    claimed: dict[int, int] = {}   # position -> length of the trigger that claimed it
    fired: dict[str, tuple[int, Concept]] = {}
    for start, trigger, concept in matches:
        span = range(start, start + len(trigger))
        if any(claimed.get(i, 0) > len(trigger) for i in span):
            continue
        claimed.update((i, max(claimed.get(i, 0), len(trigger))) for i in span)
        if concept.name not in fired or start < fired[concept.name][0]:
            fired[concept.name] = (start, concept)
    return [c for _, c in sorted(fired.values(), key=lambda f: f[0]) if c.keys or c.markers]


def trigger_words(text: str) -> set[str]:
    """Every concept trigger found in a message: words that ask, rather than name a product."""
    lowered = text.lower()
    return {t for c in CONCEPTS for t in c.triggers if t in lowered}


def _starts(text: str, word: str) -> list[int]:
    out, at = [], text.find(word)
    while at >= 0:
        out.append(at)
        at = text.find(word, at + 1)
    return out
