"""Styling questions: recognising them, what the shopper asked for, and the item to style.

A styling question asks what goes with an item ("怎么搭", "配什么", "穿搭",
"how to style", "what goes with"). `parse_request` reads the shopper's occasion
("去海边度假" -> 海边), budget for the added items ("500以内" -> 500) and the
categories they want ("配衬衫领带"), from the message first and then from earlier
customer turns. `find_anchor` picks the item to build around: one the shopper
names ("那条黑色半身裙"), else the SKU in view, else one named earlier.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from copilot.turns import Turn
from copilot.wardrobe import COLOUR_WORDS, SEASONS, Wardrobe
from knowledge.records import Product

HISTORY_TURNS = 6            # how far back a follow-up or an occasion is looked for
MIN_NAME_SCORE = 1           # descriptive matches needed to pick one of several same-category items
PREFER_MARGIN = 1            # the SKU in view stays the anchor unless another item matches this much better

_STYLING_CUES = re.compile(
    r"怎么(搭|配|穿)|咋(搭|配|穿)|(搭|配)[点些个]?(什么|啥|哪)|穿(什么|啥)(?!码|尺|号|size)|穿搭|搭配|"
    r"(帮我|给我|求|帮忙)(搭|配)|配(一下|一套|几套|个套)|里面穿|内搭|"
    r"(买了|入了|有了).{0,12}(推荐|怎么|配|搭)|"
    r"outfit|how (to|do i|should i) (style|wear)|style (this|it|them)|what (goes|to wear) with|"
    r"(match|pair|go)(es)? with",
    re.IGNORECASE,
)
_FOLLOW_UPS = re.compile(
    r"(换|再来|再给|还有|别的|其他|另外).{0,4}(套|款|搭|组|个)|便宜(点|一点|些)|太贵|预算|"
    r"more (options|ideas)|another|cheaper",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Occasion:
    """A shopper's occasion: the words that name it, the tags that suit it, its seasons."""

    name: str
    pattern: re.Pattern
    tags: frozenset[str]
    seasons: frozenset[str] = SEASONS


def _occasion(name: str, words: str, tags: str, seasons: str = "春夏秋冬") -> Occasion:
    return Occasion(name, re.compile(words, re.IGNORECASE), frozenset(tags.split()), frozenset(seasons))


OCCASIONS: tuple[Occasion, ...] = (
    _occasion("面试", r"面试|interview", "面试 正装 商务"),
    _occasion("婚礼", r"结婚|婚礼|婚宴|喜宴|新郎|伴郎|伴娘|wedding", "婚礼 正装 派对"),
    _occasion("海边", r"海边|沙滩|海岛|三亚|beach", "度假 休闲", "夏"),
    _occasion("度假", r"度假|旅游|旅行|出游|vacation|holiday|trip", "度假 旅行 休闲"),
    _occasion("商务", r"商务|开会|见客户|谈判|出差|business", "商务 正装 出差"),
    _occasion("通勤", r"上班|通勤|办公|职场|office|\bwork\b", "通勤 商务 办公"),
    _occasion("约会", r"约会|见家长|\bdate\b", "约会"),
    _occasion("派对", r"派对|聚会|晚宴|年会|酒会|party", "派对"),
    _occasion("运动", r"运动|健身|跑步|\bgym\b|sport", "运动 户外"),
    _occasion("户外", r"户外|爬山|露营|徒步|滑雪|hiking|camping", "户外 运动"),
    _occasion("休闲", r"周末|逛街|日常|休闲|weekend|casual", "休闲 旅行"),
    _occasion("校园", r"上学|开学|校园|上课|school", "学生 休闲"),
)


def occasion_named(name: str) -> Occasion:
    """The known occasion of that name, or one that asks for the tag `name` itself."""
    known = next((o for o in OCCASIONS if o.name == name), None)
    return known or Occasion(name, re.compile(re.escape(name)), frozenset({name}))


_TOPS = ("衬衫", "T恤", "毛衣", "针织衫", "卫衣", "POLO衫")
_OUTER = ("针织衫", "外套", "大衣", "风衣", "夹克", "羽绒服", "西装", "棉服")
_SHOES = ("皮鞋", "运动鞋", "靴子", "凉鞋", "帆布鞋", "板鞋", "高跟鞋", "单鞋")
_BAGS = ("包", "手提包", "斜挎包", "双肩包")
_PANTS = ("牛仔裤", "西裤", "休闲裤", "短裤", "运动裤")

# Words that name an item (and so may name the anchor) -> the categories they cover.
ITEM_NOUNS: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = tuple(
    (re.compile(p, re.IGNORECASE), cats)
    for p, cats in (
        (r"上衣|\btops?\b", _TOPS),
        (r"外套|\bcoat|jacket", ("外套", "大衣", "风衣", "夹克")),
        (r"开衫|针织衫|cardigan", ("针织衫",)),
        (r"鞋|shoes?\b|sneakers?|boots?", _SHOES),
        (r"包包|(?<![红钱面书])包(?![邮装括含退换])|\bbags?\b|handbag", _BAGS),
        (r"裤|pants|jeans|trousers", _PANTS),
        (r"裙|skirt|dress", ("半身裙", "连衣裙")),
        (r"衬衫|衬衣|\bshirts?\b", ("衬衫",)),
        (r"领带|\bties?\b", ("领带",)),
        (r"腰带|皮带|\bbelts?\b", ("腰带",)),
        (r"毛衣|sweater", ("毛衣",)),
        (r"围巾|scarf", ("围巾",)),
        (r"帽子|\bhats?\b", ("帽子",)),
        (r"手机壳|保护壳|phone case", ("手机壳",)),
        (r"贴膜|钢化膜|保护膜|screen protector", ("贴膜",)),
        (r"充电器|充电头|charger", ("充电器",)),
        (r"数据线|充电线|cable", ("数据线",)),
        (r"耳机|earphones?|earbuds|headphones?", ("耳机",)),
        (r"充电宝|移动电源|power ?bank", ("充电宝",)),
        (r"手表|watch", ("智能手表",)),
    )
)
# Words for a place in the outfit rather than an item ("里面穿什么").
ROLE_WORDS: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = (
    (re.compile(r"里面|内搭|打底|inside|under"), _TOPS + ("连衣裙",)),
    (re.compile(r"外搭|外面|罩"), _OUTER),
)

_NUM = r"\d+(?:\.\d+)?\s*[kKwW千万]?|[零一二两三四五六七八九十百千万]{1,8}"
_UNIT = r"(?:元|块钱|块|rmb|RMB)?"
_BUDGET = (
    re.compile(rf"(?:预算|budget)\s*(?:是|在|大概|差不多|只有|[:：])?\s*[¥$]?\s*({_NUM})", re.IGNORECASE),
    re.compile(rf"(?:不超过|不要超过|别超过|低于|少于|控制在|under|below|within|less than|<)\s*[¥$]?\s*({_NUM})",
               re.IGNORECASE),
    re.compile(rf"[¥$]?({_NUM})\s*{_UNIT}\s*(?:以内|以下|之内|内)"),
    re.compile(rf"[¥$]?({_NUM})\s*(?:元|块钱|块|rmb|RMB)\s*(?:左右|上下)"),
)
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_SUFFIX = {"k": 1000, "千": 1000, "w": 10000, "万": 10000}


@dataclass(frozen=True)
class StylingRequest:
    occasion: str | None = None                 # a name from OCCASIONS (or any tag)
    budget: Decimal | None = None               # cap on the added items' total, CNY
    wanted_categories: tuple[str, ...] = ()     # categories the shopper asked for ("配衬衫领带")


def is_styling_question(message: str, history: Sequence[Turn] = ()) -> bool:
    """A styling question, or a follow-up ("换一套", "便宜点的") to a recent one."""
    if _STYLING_CUES.search(message):
        return True
    if not _FOLLOW_UPS.search(message):
        return False
    return any(_STYLING_CUES.search(t.text) for t in _recent_customer_turns(history))


def parse_request(
    message: str, history: Sequence[Turn] = (), *, known_categories: Iterable[str] = ()
) -> StylingRequest:
    """What the shopper asked for; the message wins over earlier customer turns.

    `known_categories` (the merchant's own category names) are recognised when
    the message names them literally, besides the built-in words.
    """
    texts = [message] + [t.text for t in _recent_customer_turns(history)]
    occasion = next((o for o in map(_find_occasion, texts) if o), None)
    budget = next((b for b in map(_find_budget, texts) if b is not None), None)
    wanted = [c for _, cats in _mentions(message, ITEM_NOUNS + ROLE_WORDS) for c in cats]
    wanted += [c for c in known_categories if c in message]
    return StylingRequest(occasion=occasion, budget=budget, wanted_categories=tuple(dict.fromkeys(wanted)))


def find_anchor(
    message: str, history: Sequence[Turn], *, sku_in_view: str | None, catalog: Wardrobe
) -> Product | None:
    """The item to style: named in the message, else the SKU in view, else named earlier.

    A name is the part of the message before the styling cue ("那条黑色半身裙" in
    "那条黑色半身裙怎么搭"): its categories select candidates, its colour and
    title words choose among them. Sold-out items can be anchors.
    """
    in_view = catalog.piece(sku_in_view) if sku_in_view else None
    prefer = in_view.product if in_view else None
    named = _named_product(_subject(message), catalog, prefer=prefer)
    if named or prefer:
        return named or prefer
    for turn in _recent_customer_turns(history):
        named = _named_product(_subject(turn.text), catalog, prefer=None)
        if named:
            return named
    return None


def _recent_customer_turns(history: Sequence[Turn]) -> list[Turn]:
    return [t for t in reversed(history[-HISTORY_TURNS:]) if t.role == "customer"]


def _find_occasion(text: str) -> str | None:
    found = [(m.start(), o.name) for o in OCCASIONS if (m := o.pattern.search(text))]
    return min(found)[1] if found else None


def _find_budget(text: str) -> Decimal | None:
    for pattern in _BUDGET:
        match = pattern.search(text)
        if match and (value := _number(match.group(1))) is not None and value > 0:
            return value
    return None


def _number(text: str) -> Decimal | None:
    text = text.strip().lower()
    if text[0].isdigit():
        scale = _SUFFIX.get(text[-1], 1)
        try:
            return Decimal(text.rstrip("kw千万").strip()) * scale
        except InvalidOperation:
            return None
    return _chinese_number(text)


def _chinese_number(text: str) -> Decimal | None:
    """Chinese numerals as shoppers write them: 五百, 一千二, 两千五百, 三万."""
    total, section, digit, last_unit = 0, 0, 0, 1
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch == "万":
            total, section, digit, last_unit = (total + section + digit) * 10000, 0, 0, 10000
        else:
            unit = _CN_UNITS[ch]
            section += (digit or 1) * unit
            digit, last_unit = 0, unit
    if digit and last_unit >= 100:   # "一千二" is 1200: a trailing digit counts one unit down
        digit *= last_unit // 10
    value = total + section + digit
    return Decimal(value) if value else None


def _mentions(text: str, table) -> list[tuple[int, tuple[str, ...]]]:
    found = [(m.start(), cats) for pattern, cats in table if (m := pattern.search(text))]
    return sorted(found)


def _subject(text: str) -> str:
    """The part of a message that names the item asked about (before the styling cue)."""
    cue = _STYLING_CUES.search(text)
    subject = text[: cue.start()] if cue else text
    for occasion in OCCASIONS:
        subject = occasion.pattern.sub(" ", subject)
    return subject


def _bigrams(text: str) -> set[str]:
    chars = re.sub(r"[^\w]", "", text.lower())
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def _named_product(subject: str, catalog: Wardrobe, *, prefer: Product | None) -> Product | None:
    """The one product the text names, or None; `prefer` wins ties it is part of."""
    categories = [c for c in catalog.categories if c in subject]
    categories += [c for _, cats in _mentions(subject, ITEM_NOUNS) for c in cats if c in catalog.categories]
    candidates = [p for c in dict.fromkeys(categories) for p in catalog.products_in(c)]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    words = _bigrams(subject) - set().union(*(_bigrams(c) for c in categories))
    colours = {w for w, _ in COLOUR_WORDS if w in subject}
    scored = sorted(
        ((_name_score(p, words, colours), p.in_stock, p) for p in candidates),
        key=lambda s: (s[0], s[1]),
        reverse=True,
    )
    best, runner_up = scored[0], scored[1]
    if prefer is not None and any(p.sku_id == prefer.sku_id and s >= best[0] - PREFER_MARGIN for s, _, p in scored):
        return prefer
    if best[0] < MIN_NAME_SCORE or best[0] == runner_up[0]:
        return None
    return best[2]


def _name_score(product: Product, words: set[str], colours: set[str]) -> int:
    text = (product.title + product.attributes.get("颜色", "")).lower()
    colour = product.attributes.get("颜色", "") or product.title
    return sum(w in text for w in words) + sum(1 if c in colour else -1 for c in colours)
