"""What the shopper asks: the parts of a question, the kind of answer each wants, the language.

A small *general* lexicon of question words and units, the same for every vertical:
"多少钱" wants a price, "多少克" an amount, "多久" a duration, "多少度" a temperature.
A fact answers such a part when it is of that kind (the price, the stock status) or
holds a quantity in a unit of it ("80-85℃", "18个月", "50g"). What the part is
*about* (水温, 保质期) is left to meaning: the message embedding against the facts.

A question is everything the shopper has asked since an agent last answered: earlier
customer turns with no agent turn after them are asked again with the new message
(a question split over two messages, or messages sent while a draft was pending).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from copilot.language import Language, language_of
from copilot.turns import Turn
from knowledge.lexical import terms

SmallTalk = Literal["greeting", "thanks"]
UNANSWERED_TURNS = 2        # earlier unanswered customer turns asked again, at most


@dataclass(frozen=True)
class AnswerKind:
    name: str
    asks: tuple[str, ...]         # question words (lower-case substrings; English words too)
    units: tuple[str, ...] = ()   # units after a number in an answer of this kind (NFKC, lower-case)
    markers: tuple[str, ...] = () # store words in a policy or FAQ that answers a service question
    keys: tuple[str, ...] = ()    # words in the attribute key of an answer ("适用人群" for "能吃吗")


def _k(name: str, asks: str, units: str = "", markers: str = "", keys: str = "") -> AnswerKind:
    return AnswerKind(name, tuple(asks.split("|")), tuple(_norm(u) for u in units.split()),
                      tuple(markers.split("|")) if markers else (), tuple(keys.split("|")) if keys else ())


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


ANSWER_KINDS: tuple[AnswerKind, ...] = (
    _k("price", "多少钱|多钱|价格|价钱|什么价|啥价|块钱|几元|售价|卖多少|现价|how much is|how much does|price|cost"),
    _k("stock", "有货|有没有货|没货|无货|现货|库存|缺货|断货|补货|卖完|售罄|还有吗|还有没有|还有没|到货|拍不了|拍不下|买不了"
                "|in stock|available|sold out|restock|out of stock"),
    _k("weight", "多少克|几克|多重|重量|净含量|克数|几斤|多少斤|几公斤|多少g|重不重|沉不沉|重吗|沉吗"
                 "|how heavy|weigh|weight|grams",
       "g kg mg 克 千克 公斤 斤 毫克"),
    _k("volume", "容量|多少毫升|几毫升|多少ml|几升|多少升|多大容量|能装|多少水|capacity|volume|liters|litres",
       "ml l 毫升 升"),
    _k("count", "几片|多少片|几包|多少包|几粒|多少粒|几支|多少支|几个|多少个|几罐|几袋|多少袋|多少抽|几抽|几盒|几瓶"
                "|几块|几颗|几条|几只|几件|几双|几套|几张|几枚|几贴|几次|多少次|几口|几个人|几人|how many|pieces|count",
       "片 包 袋 粒 支 个 罐 盒 瓶 件 块 颗 条 只 双 套 张 枚 贴 入 听 抽 次 人 份 口"),
    _k("duration", "多久|能用多久|能用几|多长时间|几天|几个月|多少天|保质期|有效期|什么时候|啥时候|几号|时效|多少小时|几小时|几年"
                   "|几分钟|多少分钟|how long|when|shelf life|expire|how soon|how many days|how many hours",
       "天 日 小时 h 分钟 min 秒 个月 月 年 周 星期 工作日 个工作日"),
    _k("temperature", "多少度|几度|水温|温度|多热|多烫|开水|沸水|how hot|temperature|boiling", "℃ 度 °c °"),
    _k("dimension", "多大|尺寸|多长|多宽|多高|多厚|长宽高|几码|尺码|size|dimension|how big|how large|how long is",
       "cm mm m 米 厘米 毫米 码 寸 英寸 ㎡ 平米 平方米 平"),
    _k("power", "功率|多少瓦|几瓦|电压|耗电|费电|火力多大|火力|watt|power|voltage", "w kw 瓦 千瓦 v 伏 mah 毫安 wh"),
    _k("loudness", "吵|噪音|噪声|声音大|声音小|静音|安静|分贝|noise|noisy|loud|quiet", "db 分贝"),
    _k("age", "几岁|多大的宝宝|多大宝宝|多大的孩子|月龄|年龄|适合多大|几个月宝宝|几个月的|几个月大|宝宝能|孩子能|小孩能"
              "|小朋友|儿童|娃"
              "|age|years old|kids|child", "岁 月龄 个月 月"),
    _k("fee", "运费|邮费|包邮|费用|收费|补偿|赔|多少钱|要钱|加钱|抵多少|shipping fee|fee|charge|free shipping", "元 块"),
    # Whether the product suits the shopper, a pet, a skin, a room: the store's 适用/适合 attributes.
    _k("fit", "能吃|能用|能穿|能戴|能涂|可以吃|可以用|适合|适用|合适吗|能不能用|suitable|suit|fit for|ok for",
       "", "", "适用|适合"),
    _k("percent", "几个点|百分之几|浓度|多少%|百分比|percent|percentage|concentration", "%"),
    _k("clock", "几点|什么时间|截单|截止时间|what time|cut-off|cutoff"),
    # Service questions: answered by a policy clause or FAQ holding the store's words for them.
    _k("returns", "退货|退换|能退|可以退|退吗|退不退|无理由|不想要了|return", "", "退|无理由"),
    _k("refund", "退款|退钱|到账|多久到账|几天到账|退回来|能退到|退给我|refund|money back", "", "退款|到账|原路"),
    _k("exchange", "换货|换码|换个|能换|换吗|exchange|swap", "", "换货|更换|换码"),
    _k("shipping", "发货|发出|寄出|能发|发吗|几天到|多久到|没到|还没到|没收到|到哪了|快递|物流|送到|寄到|配送"
                   "|ship|deliver|arrive",
       "", "发货|发出|发往|快递|物流|送达|配送|寄"),
    _k("invoice", "发票|开票|专票|抬头|invoice|receipt", "", "发票"),
    _k("warranty", "保修|质保|维修|修吗|warranty|repair", "", "保修|质保|维修"),
    _k("quality", "坏了|坏掉|弄坏|故障|不能用|用不了|不工作|不充电|不开机|质量问题|破损|碎了|漏液|漏水|裂了|断了|开胶"
                  "|broken|defect|stopped working", "", "质量|故障|维修|保修|换新|补发|破损"),
    _k("procedure", "怎么|如何|怎样|咋|步骤|方法|how to|how do|how should"),
    _k("yesno", "能不能|可不可以|可以吗|能吗|行吗|是不是|会不会|吗|么|can i|can it|is it|does it|do you|will it"
                "|do i"),
    _k("what", "多少|几|什么|啥|哪|怎么样|还是|what|which|where|who|how much|how many"),
)
KINDS_BY_NAME = {k.name: k for k in ANSWER_KINDS}
GENERAL_KINDS = {"yesno", "procedure", "what"}   # they ask, but not for any kind of answer in particular
# Services a policy or FAQ answers; named alone before a question, they are its context
# ("退货寄回去了 钱多久到", "快递到了 漏了咋办"), not a question of their own.
TOPIC_KINDS = frozenset(k.name for k in ANSWER_KINDS if k.markers)
UNIT_KINDS = frozenset(k.name for k in ANSWER_KINDS if k.units)   # answered by a quantity ("48小时", "15元")

# Words that greet or thank and ask nothing; a message of only these is small talk.
GREETINGS = ("你好", "您好", "在吗", "在么", "在不在", "在嘛", "在没", "有人吗", "有人在吗", "有人没", "有人不",
             "人呢", "哈喽", "嗨", "早上好",
             "下午好", "晚上好", "早安", "客服", "亲亲", "亲", "老板", "掌柜", "店家", "小姐姐", "美女", "帅哥",
             "在", "hello", "hi", "hey", "anyone there",
             "good morning", "good evening")
THANKS = ("谢谢", "多谢", "感谢", "谢啦", "好的", "好嘞", "收到", "知道了", "明白了", "嗯嗯", "ok", "okay",
          "thanks", "thank you", "thx", "got it")
_SMALL_TALK = (tuple(sorted(THANKS, key=len, reverse=True)), "thanks"), \
              (tuple(sorted(GREETINGS, key=len, reverse=True)), "greeting")   # longest word first
_PUNCT = re.compile(r"[\s\W_]+")
_SEGMENT = {"zh": re.compile(r"[？?！!。；;\n]+|[，,、\s]+"),
            "en": re.compile(r"[？?！!。；;\n,，]+|\s+(?:and|also)\s+(?=(?:how|what|when|where|which|who|is|are"
                             r"|can|could|do|does|will|would|should)\b)", re.IGNORECASE)}
# 重不重, 有没有, 能吃不, "is it ...": yes/no questions without a question word
_YES_NO = re.compile(r"([\u4e00-\u9fff])[不没]\1|[\u4e00-\u9fff]{2}[不没]$"
                     r"|^(?:is|are|can|could|does|do|will|would|should|did|has|have)\b")
_UNITS = sorted({u for k in ANSWER_KINDS for u in k.units}, key=len, reverse=True)
_QUANTITY = re.compile(r"\d(?:\.\d+)?\s*(" + "|".join(re.escape(u) for u in _UNITS) + r")(?![a-z])")
_MONEY = re.compile(r"[¥￥]\s*\d")
_CLOCK = re.compile(r"\d{1,2}(?::\d{2}|点)")                              # a time in an answer
_CLOCK_ASKED = re.compile(rf"{_CLOCK.pattern}|[一二三四五六七八九十两]{{1,2}}点")  # ... or in a question


@dataclass(frozen=True)
class Part:
    text: str                       # the segment that asks, with the segments before it
    kinds: tuple[str, ...]          # the answer kinds it asks for
    asking: str = ""                # the segment that asks ("" when nothing asks)


@dataclass(frozen=True)
class Question:
    text: str                       # everything asked: unanswered earlier turns, then the message
    turns: tuple[str, ...]          # the texts it is made of, each a message embedded once
    parts: tuple[Part, ...]
    language: Language
    small_talk: SmallTalk | None    # only when nothing else is asked

    @property
    def kinds(self) -> set[str]:
        return {k for p in self.parts for k in p.kinds}


def read(message: str, history: Sequence[Turn] = ()) -> Question:
    """The question a message asks, given the turns before it (oldest first).

    Earlier customer turns that no agent turn answered (at most `UNANSWERED_TURNS`) are
    asked again with it. A message that asks nothing itself and follows an answered
    question ("那黑色的呢") asks that question again, about what the message names."""
    unanswered = _unanswered(history)
    turns = (*unanswered, message)
    text = " ".join(turns).strip()
    parts = split(text, language_of(text))
    talk = small_talk(text)
    previous = next((t.text for t in reversed(history) if t.role == "customer"), "")
    if previous and not unanswered and talk is None and not any(p.kinds for p in parts):
        asked_before = [p for p in split(previous, language_of(previous)) if p.kinds]
        if asked_before:
            turns, text = (previous, message), f"{previous} {message}"
            parts = tuple(Part(f"{message} {p.text}", p.kinds, p.asking) for p in asked_before)
    return Question(text=text, turns=turns, parts=parts, language=language_of(message), small_talk=talk)


def split(text: str, language: Language = "zh") -> tuple[Part, ...]:
    """The parts of a question: each segment that asks for something, with the segments
    before it that do not ("175 70kg 平时穿L 这个拍几码" is one part)."""
    parts: list[Part] = []
    pending: list[tuple[str, tuple[str, ...]]] = []     # context segments, with the services they name
    segments = [s.strip() for s in _SEGMENT[language].split(text) if s.strip()]
    for n, segment in enumerate(segments, start=1):
        kinds = kinds_asked(segment)
        if not kinds or (n < len(segments) and set(kinds) <= TOPIC_KINDS):
            pending.append((segment, kinds))
            continue
        context = [c for c, _ in pending]
        # "坏了 咋办": a segment asking nothing in particular asks about the service named before it
        topics = [c for c, named in pending if named] if set(kinds) <= GENERAL_KINDS else []
        parts.append(Part(" ".join([*context, segment]), _with_context(kinds, pending),
                          " ".join([*topics, segment])))
        pending = []
    if pending:
        context = [c for c, _ in pending]
        if parts:
            last = parts.pop()
            parts.append(Part(f"{last.text} {' '.join(context)}", last.kinds, last.asking))
        else:   # a service named and nothing asked after it ("买了4天还没到 别的都是隔天到的")
            named = [(c, k) for c, k in pending if k]
            parts.append(Part(" ".join(context), _with_context((), named), " ".join(c for c, _ in named)))
    return tuple(_merged(parts))


def _with_context(kinds: tuple[str, ...], context: list[tuple[str, tuple[str, ...]]]) -> tuple[str, ...]:
    """What a segment asks, with the services its context names when it names none itself
    ("快递到了 箱子压扁了 咋办") and, when the context states a time ("下午5点拍的 今天能发吗"),
    the cut-off time it is measured against."""
    named = [] if TOPIC_KINDS & set(kinds) else [k for _, ks in context for k in ks if k in TOPIC_KINDS]
    if any(_CLOCK_ASKED.search(c) for c, _ in context):
        named.append("clock")
    return tuple(dict.fromkeys((*kinds, *named)))


def kinds_asked(text: str) -> tuple[str, ...]:
    """The answer kinds a text asks for, in order; a longer question word claims its
    characters ("how many days" asks a duration, not a count)."""
    lowered = text.lower()
    found = sorted(((m.start(), m.end(), order, name) for order, name, pattern in _ASK_PATTERNS
                    for m in pattern.finditer(lowered)),
                   key=lambda m: (m[0] - m[1], m[2], m[0]))
    claimed: set[int] = set()
    kinds: dict[str, int] = {}
    for start, end, _, name in found:
        span = set(range(start, end))
        if span & claimed:
            continue
        claimed |= span
        kinds.setdefault(name, start)
    if "yesno" not in kinds and (m := _YES_NO.search(lowered.strip(" ?？!！~～。啊呀呢吧哈"))):
        kinds["yesno"] = m.start()
    # "4点半下单今天能发吗" asks a cut-off time; a time alone asks nothing ("下午5点拍的").
    if kinds and "clock" not in kinds and (m := _CLOCK_ASKED.search(lowered)):
        kinds["clock"] = m.start()
    return tuple(sorted(kinds, key=kinds.get))


def without_question_words(text: str) -> str:
    """`text` with the words that ask blanked out ("这瓶多大容量的" -> "这瓶    的"): what is
    left names things."""
    lowered = text.lower()
    for _, _, pattern in _ASK_PATTERNS:
        lowered = pattern.sub(lambda m: " " * len(m.group()), lowered)
    return lowered


def answers_kind(kind: str, part: str, text: str, about: str = "") -> bool:
    """Whether a fact (its part, quoted text and what it is about) holds the kind of answer asked."""
    if kind == "price":
        return part == "price"
    if kind == "stock":
        return part == "stock"
    if kind == "clock":
        return _CLOCK.search(text) is not None
    found = KINDS_BY_NAME[kind]
    if found.keys:
        return part == "attribute" and any(k in about for k in found.keys)
    if found.markers:
        where = f"{about} {text}" if part in ("clause", "faq") else about if part == "attribute" else ""
        return any(m in where for m in found.markers)
    return bool(found.units) and not units_in(text).isdisjoint(found.units)


def says_topic(kind: str, text: str) -> bool:
    """Whether a text uses the store's words for a service (`AnswerKind.markers`)."""
    return any(m in text for m in KINDS_BY_NAME[kind].markers)


def units_in(text: str) -> set[str]:
    """The units that follow a number in a text ("80-85℃" -> ℃, "2g×50包" -> g and 包)."""
    text = _norm(text)
    return {m.group(1) for m in _QUANTITY.finditer(text)} | ({"元"} if _MONEY.search(text) else set())


def small_talk(text: str) -> SmallTalk | None:
    """"greeting" or "thanks" when the text asks nothing else; else None."""
    lowered = text.lower()
    found: SmallTalk | None = None
    for words, kind in _SMALL_TALK:
        for word in words:
            if word in lowered:
                lowered = lowered.replace(word, " ")
                found = found or kind  # type: ignore[assignment]
    rest = _PUNCT.sub("", lowered)
    rest = "".join(ch for ch in rest if ch not in "呀啊哈呢哦吧嘛喔噢哇~")
    return found if found and not rest else None


def weights(text: str) -> dict[str, float]:
    """Matching terms of a text with their weight: longer CJK words weigh more, digits less."""
    out: dict[str, float] = {}
    for term in terms(text):
        if term.isascii():
            weight = 0.5 if term.isdigit() else 1.0
        else:
            weight = {1: 0.4, 2: 1.0}.get(len(term), 1.3)
        out[term] = max(out.get(term, 0.0), weight)
    return out


def _unanswered(history: Sequence[Turn]) -> list[str]:
    trailing: list[str] = []
    for turn in reversed(history):
        if turn.role != "customer":
            break
        trailing.insert(0, turn.text)
    return trailing[-UNANSWERED_TURNS:]


def _merged(parts: list[Part]) -> list[Part]:
    """A short part that asks nothing in particular ("可以吗", "咋办") joins the part before it."""
    out: list[Part] = []
    for part in parts:
        if out and set(part.kinds) <= GENERAL_KINDS and len(part.text) <= 4:
            last = out.pop()
            out.append(Part(f"{last.text} {part.text}", last.kinds, f"{last.asking} {part.text}"))
        else:
            out.append(part)
    return out


def _ask_pattern(word: str) -> re.Pattern:
    """A question word as a pattern: English words match whole, Chinese ones anywhere."""
    return re.compile(rf"(?<![a-z]){re.escape(word)}(?![a-z])" if word.isascii() else re.escape(word))


_ASK_PATTERNS = [(order, kind.name, _ask_pattern(word)) for order, kind in enumerate(ANSWER_KINDS)
                 for word in kind.asks]


