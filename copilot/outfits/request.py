"""What a styling question asks for, and the item to build around.

`parse_request` reads the shopper's occasion ("去海边度假" -> 海边; a date is 约会, never
休闲), the budget for the added items ("500以内" -> 500), the slots they want
("配双鞋和包" -> shoes, bag; "里面穿什么" -> the base layer) and the language to answer
in, from the message first and then from earlier customer turns. `find_anchor` picks
the item: one the shopper names ("那条黑色半身裙"), else the SKU in view, else one
named earlier. Words for slots are the shopper's language, not the merchant's
categories; a merchant's own category name said literally counts too.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np

from copilot.language import Language, language_of
from copilot.outfits.wardrobe import COLOUR_WORDS, SEASONS, Wardrobe, seasons_in
from copilot.turns import Turn
from knowledge.records import Product

HISTORY_TURNS = 6            # how far back an occasion, a budget or an anchor is looked for
MIN_NAME_SCORE = 1           # descriptive matches needed to pick one of several same-slot items
PREFER_MARGIN = 1            # the SKU in view stays the anchor unless another item matches this much better

# Where a styling question's subject ends ("那条黑色半身裙|怎么搭"): what comes before names the anchor.
_CUE = re.compile(
    r"怎么|咋|(搭|配|穿)|求|帮我|给我|有没有|推荐|里面|内搭|外搭|"
    r"\b(how|what|which|outfit|style|match|pair|go(es)? with|wear)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Occasion:
    """A shopper's occasion: the words that name it, the tags that suit it, its seasons."""

    name: str
    en: str
    pattern: re.Pattern
    tags: frozenset[str]
    seasons: frozenset[str] = SEASONS
    formality: int = 0               # +1 dressed up (a wedding), -1 dressed down (sport), 0 either


def _occasion(name: str, en: str, words: str, tags: str, seasons: str = "春夏秋冬", formality: int = 0) -> Occasion:
    return Occasion(name, en, re.compile(words, re.IGNORECASE), frozenset(tags.split()), frozenset(seasons),
                    formality)


# Most specific first: the first that a text names is its occasion (约会 before 周末's 休闲).
OCCASIONS: tuple[Occasion, ...] = (
    _occasion("婚礼", "a wedding", r"结婚|婚礼|婚宴|喜宴|新郎|伴郎|伴娘|花童|wedding", "婚礼 正装 派对 礼服", formality=1),
    _occasion("面试", "an interview", r"面试|比赛|演出|典礼|毕业|interview", "面试 正装 商务", formality=1),
    _occasion("约会", "a date", r"约会|见家长|相亲|\bdate\b", "约会 甜美 浪漫"),
    _occasion("派对", "a party", r"派对|聚会|晚宴|年会|酒会|生日会|party|dinner", "派对 礼服", formality=1),
    _occasion("海边", "the beach", r"海边|沙滩|海岛|三亚|beach", "度假 休闲 海边", "夏", -1),
    _occasion("商务", "business", r"商务|开会|见客户|谈判|出差|business|meeting", "商务 正装 出差", formality=1),
    _occasion("通勤", "work", r"上班|通勤|办公|职场|office|\bwork\b", "通勤 商务 办公", formality=1),
    _occasion("汉服活动", "a hanfu outing", r"汉服|古风|国风|漫展|拍照|写真|cosplay|photo", "汉服 古风 国风 拍照"),
    _occasion("运动", "sport", r"运动|健身|跑步|瑜伽|篮球|打球|球场|网球|羽毛球|骑行|马拉松|普拉提|\bgym\b|sport|running|yoga|marathon", "运动 健身 跑步 瑜伽", formality=-1),
    _occasion("户外", "the outdoors", r"户外|爬山|露营|徒步|登山|hiking|camping", "户外 运动 徒步", formality=-1),
    _occasion("上学", "school", r"上学|开学|校园|上课|幼儿园|学校|school", "学生 校园 上学", formality=-1),
    _occasion("度假", "a trip", r"度假|旅游|旅行|出游|出去玩|vacation|holiday|trip|travel", "度假 旅行 休闲", formality=-1),
    _occasion("节日", "the holidays", r"过年|春节|新年|拜年|中秋|圣诞|christmas|new year", "节日 新年 喜庆"),
    _occasion("休闲", "every day", r"周末|逛街|日常|休闲|weekend|casual|everyday", "休闲 日常", formality=-1),
)

# Words for a slot in the shopper's language -> the slots they name; "base" is whatever
# garments dress the body ("里面穿什么", "配什么衣服"), "accessory" one of the accessories.
SLOT_WORDS: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = tuple(
    (re.compile(p, re.IGNORECASE), slots)
    for p, slots in (
        (r"里面|内搭|打底|衣服|穿什么|穿啥|inside|underneath|clothes|what to wear", ("base",)),
        (r"外搭|外面|罩|外套|大衣|开衫|夹克|\bcoat|jacket|cardigan", ("outer",)),
        (r"上衣|上装|上身|上面|衬衫|衬衣|T恤|毛衣|卫衣|\btops?\b|\bshirts?\b|sweater|hoodie", ("top",)),
        (r"裤|(?<!连衣)裙子?(?!装)|下装|下身|下面|pants|jeans|trousers|skirt|shorts", ("bottom",)),
        (r"连衣裙|dress", ("one_piece",)),
        (r"鞋|靴|shoes?\b|sneakers?|boots?", ("shoes",)),
        (r"包包|(?<![红钱面书邮])包(?![邮装括含退换])|\bbags?\b|handbag|backpack", ("bag",)),
        (r"帽|发饰|发簪|发夹|\bhats?\b|\bcaps?\b|hair", ("headwear",)),
        (r"领带|领结|围巾|丝巾|项链|披肩|\bties?\b|scarf|necklace", ("neckwear",)),
        (r"手表|腕表|手链|手套|手镯|watch|bracelet|gloves", ("handwear",)),
        (r"腰带|皮带|\bbelts?\b", ("belt",)),
        (r"袜|丝袜|打底裤|socks|tights", ("legwear",)),
        (r"水杯|水壶|雨伞|扇子|bottle|umbrella|\bfan\b", ("gear",)),
        (r"配饰|饰品|首饰|小物|accessor(y|ies)|jewel", ("accessory",)),
    )
)

# A whole outfit asked for: what it holds is the builder's to choose, whatever else is named.
WHOLE = re.compile(r"一身|一整套|整套|全套|全身|从头到脚|里里外外|full (look|outfit)|head to toe|whole (look|outfit)",
                   re.IGNORECASE)
# Seasons the shopper says ("夏天穿", "冬天去爬山") narrow the pieces to those worn then.
SEASON_SAID = re.compile(r"([春夏秋冬])(?:天|季|日)|(spring|summer|autumn|fall|winter|暑假|寒假)", re.IGNORECASE)
# How dressed-up the shopper wants it, said outright ("要正式点的", "休闲一点", "smart casual").
DRESSY = re.compile(r"正式|正装|得体|体面|庄重|隆重|商务|formal|smart|dressy|elegant", re.IGNORECASE)
CASUAL = re.compile(r"休闲|随意|随性|日常|舒服|轻松|运动风|casual|relaxed|laid[- ]back", re.IGNORECASE)
# Asking for warmth or for cool clothes says the season as well as a month would.
WARM_WISH = re.compile(r"保暖|暖和|怕冷|防寒|抗冻|warm(?:er|th)?\b|keep me warm", re.IGNORECASE)
COOL_WISH = re.compile(r"清爽|凉快|怕热|透气|防晒|\bcool(?:er)?\b|breathable", re.IGNORECASE)
# What the shopper does not want ("不要背心了", "不太喜欢粉色的", "no hoodies"): the words after it.
AVOID = re.compile(r"(?:(?:不|别)(?:要|选|用|穿|给|来|拿)|除了|不想要|不想穿|不喜欢|不太喜欢|讨厌|\bno\b|\bwithout\b|\bnot\b)\s*"
                   r"([\u4e00-\u9fffA-Za-z]{1,6}?)(?:了|的|色的|色|[，。,.!！?？\s]|$)", re.IGNORECASE)
# What the shopper would like ("想穿短袖", "要宽松一点的裤子"): its words.
WISH = re.compile(r"(?:想穿|想要|想来|换成|换个|希望|最好是?|(?<![不别])要(?!不要))\s*([\u4e00-\u9fff]{2,8})")
_FILLER = re.compile(r"[的了点一个些吗呢吧啊呀么]")
# Who will wear it, when the shopper says so ("给儿子", "for my girlfriend").
WEARER: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"儿子|男孩|男宝|男生|男童|男的|我是男|老公|男朋友|男友|爸爸|老爸|老公公|\b(son|boy|husband|boyfriend|him|men)\b",
                re.IGNORECASE), "男"),
    (re.compile(r"女儿|闺女|女孩|女宝|女生|女童|女的|我是女|老婆|女朋友|女友|妈妈|老妈|\b(daughter|girl|wife|girlfriend|her|women)\b",
                re.IGNORECASE), "女"),
)

_NUM = r"\d+(?:\.\d+)?\s*[kKwW千万]?|[零一二两三四五六七八九十百千万]{1,8}"
_UNIT = r"(?:元|块钱|块|rmb|RMB)?"
_BUDGET = (
    re.compile(rf"(?:预算|budget)\s*(?:是|在|大概|差不多|只有|[:：])?\s*[¥$]?\s*({_NUM})", re.IGNORECASE),
    re.compile(rf"(?:不超过?|不要超过?|别超过?|低于|少于|控制在|under|below|within|less than|<)\s*[¥$]?\s*({_NUM})",
               re.IGNORECASE),
    re.compile(rf"[¥$]?({_NUM})\s*{_UNIT}\s*(?:以内|以下|之内|内)"),
    re.compile(rf"[¥$]?({_NUM})\s*(?:元|块钱|块|rmb|RMB)\s*(?:左右|上下)"),
)
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_SUFFIX = {"k": 1000, "千": 1000, "w": 10000, "万": 10000}


@dataclass(frozen=True, eq=False)
class StylingRequest:
    occasion: Occasion | None = None
    budget: Decimal | None = None               # cap on the added items' total, CNY
    wanted_slots: tuple[str, ...] = ()          # slots the shopper asked for ("配双鞋和包")
    wanted_categories: tuple[str, ...] = ()     # the merchant's categories the shopper named literally
    tags: frozenset[str] = frozenset()          # the merchant's own tags the shopper said ("网球", "通勤")
    wearer: str | None = None                   # '男' or '女' when the shopper says who wears it
    avoid: tuple[str, ...] = ()                 # words of what the shopper does not want
    wishes: tuple[str, ...] = ()                # two-character words of what the shopper would like
    seasons: frozenset[str] = SEASONS           # the seasons the shopper says it is worn in
    dress: int = 0                              # +1 dressed up, -1 dressed down, as the message says
    meaning: np.ndarray | None = None           # the e5 vector of what the shopper said (message and turns before)
    language: Language = "zh"


def parse_request(message: str, history: Sequence[Turn] = (), *, categories: Sequence[str] = (),
                  slot_of: dict[str, str] | None = None, tags: Iterable[str] = ()) -> StylingRequest:
    """What the shopper asked for; the message wins over earlier customer turns.

    `categories` are the merchant's own category names (`slot_of` gives their slots):
    one said literally in the message is wanted, with its slot; a slot word that is part of
    some of them ("裙" of 半身裙) picks those.
    `tags` are the merchant's own tags: those the shopper says count like an occasion's.
    """
    texts = [message] + [t.text for t in recent_customer_turns(history)]
    occasion = next((o for o in map(find_occasion, texts) if o), None)
    budget = next((b for b in map(_find_budget, texts) if b is not None), None)
    wearer = next((w for w in map(_find_wearer, texts) if w), None)
    said = frozenset(t for t in tags if len(t) > 1 and any(t in text for text in texts))
    language = language_of(message)
    avoid = tuple(dict.fromkeys(m.group(1).lower() for text in texts for m in AVOID.finditer(text)))
    seasons = next((found for text in texts if (found := seasons_in(text, SEASON_SAID, WARM_WISH, COOL_WISH))),
                   SEASONS)
    wishes = tuple(dict.fromkeys(w for m in WISH.finditer(message) for w in _bigram_list(m.group(1))))
    dress = int(bool(DRESSY.search(message))) - int(bool(CASUAL.search(message)))
    # Anywhere in the message ("衣服裤子也帮我配一下"); what is not wanted is not asked for, and
    # words naming the anchor fall away with its slot (building.py drops the slots it covers).
    asking = AVOID.sub(" ", message)
    named = [c for c in sorted(categories, key=len, reverse=True) if c in asking]
    for category in named:
        asking = asking.replace(category, " ")
    wanted = [s for c in named for s in ([slot_of[c]] if slot_of and c in slot_of else [])]
    mentions = [(m.group(0), slots) for pattern, slots in SLOT_WORDS if (m := pattern.search(asking))]
    wanted += [s for _, slots in mentions for s in slots]
    # a slot word that is part of some of the merchant's category names ("裤" in 新中式裤装) picks those
    named += [c for word, slots in mentions for c in categories
              if len(slots) == 1 and word.rstrip("子") in c and slot_of and slot_of.get(c) == slots[0]]
    if wanted == ["base"] and WHOLE.search(message):
        wanted = []                 # "一身衣服": a whole outfit, shoes and all
    return StylingRequest(occasion=occasion, budget=budget, wanted_slots=tuple(dict.fromkeys(wanted)),
                          wanted_categories=tuple(dict.fromkeys(named)), tags=said, wearer=wearer, avoid=avoid,
                          seasons=seasons, wishes=wishes, dress=dress, language=language)


def find_occasion(text: str) -> Occasion | None:
    return next((o for o in OCCASIONS if o.pattern.search(text)), None)


def occasion_named(name: str) -> Occasion:
    """The known occasion of that name, or one that asks for the tag `name` itself."""
    known = next((o for o in OCCASIONS if o.name == name), None)
    return known or Occasion(name, name, re.compile(re.escape(name)), frozenset({name}))


def find_anchor(message: str, history: Sequence[Turn], *, sku_in_view: str | None,
                wardrobe: Wardrobe) -> Product | None:
    """The item to style: named in the message, else the SKU in view, else named earlier.

    A name is the part of the message before the styling cue ("那条黑色半身裙" in
    "那条黑色半身裙怎么搭"): the categories or slot words it says select candidates, its
    colour and title words choose among them. Sold-out items can be anchors.
    """
    in_view = wardrobe.piece(sku_in_view) if sku_in_view else None
    prefer = in_view.product if in_view else None
    subject = _subject(message)
    if prefer is not None and _fits(subject, prefer):
        return prefer               # "这条碎花裙" with the 碎花连衣裙 in view: that one
    named = _named_product(subject, wardrobe, prefer=prefer)
    if named or prefer:
        return named or prefer
    for turn in recent_customer_turns(history):
        named = _named_product(turn.text, wardrobe, prefer=None)
        if named:
            return named
    return None


def _fits(subject: str, product: Product) -> bool:
    """The item words of the subject ("碎花裙") are all in the product's category or title."""
    words = [m.group(0).rstrip("子") for pattern, _ in SLOT_WORDS[2:] for m in [pattern.search(subject)] if m]
    text = product.category + product.title
    return bool(words) and all(w.lower() in text.lower() for w in words)


def recent_customer_turns(history: Sequence[Turn]) -> list[Turn]:
    return [t for t in reversed(history[-HISTORY_TURNS:]) if t.role == "customer"]


def _find_wearer(text: str) -> str | None:
    found = {gender for pattern, gender in WEARER if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


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
    found = [(m.start(), slots) for pattern, slots in table if (m := pattern.search(text))]
    return sorted(found)


def _subject(text: str) -> str:
    """The part of a message that names the item asked about (before the styling cue)."""
    cue = _CUE.search(text)
    subject = text[: cue.start()] if cue else text
    for occasion in OCCASIONS:
        subject = occasion.pattern.sub(" ", subject)
    return subject


def _bigram_list(text: str) -> list[str]:
    """The two-character words of a wish, without the filler (的, 一点...)."""
    return [w for chunk in _FILLER.split(text) for w in (chunk[i : i + 2] for i in range(len(chunk) - 1))]


def _bigrams(text: str) -> set[str]:
    chars = re.sub(r"[^\w]", "", text.lower())
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def _named_product(subject: str, wardrobe: Wardrobe, *, prefer: Product | None) -> Product | None:
    """The one product the text names, or None; `prefer` wins ties it is part of."""
    categories = [c for c in wardrobe.categories if c in subject]
    if not categories:
        slots = [s for _, found in _mentions(subject, SLOT_WORDS[2:]) for s in found]
        categories = [c for s in dict.fromkeys(slots) for c in wardrobe.categories_of(s)]
    candidates = [p for c in dict.fromkeys(categories) for p in wardrobe.products_in(c)]
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
