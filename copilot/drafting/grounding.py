"""The grounding check: every number a draft states must be in a source it cites.

Numbers, sizes, percentages, prices, durations, temperatures, times of day and model
codes ("30℃", "15天", "95%", "¥1599", "48码", "3-5天", "150g", "2尺8", "16:00", "IP68")
are read from the draft and from the sources after normalising both sides the same way:
full-width -> half-width, Chinese numerals before a unit -> digits (七天 -> 7天),
百分之九十五 -> 95%, 零下15 -> -15, ¥/块/块钱 -> 元, 日 -> 天, 度/°C -> ℃, 克 -> g,
range marks (~ 至 到 —) -> "-". A draft quantity is grounded when a source holds the
same quantity, or holds a range with it as an end; a bare number (or a size, "48码")
when a source holds that number. A SKU's price counts as "<price>元".
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from knowledge.records import Source

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_UNITS = ("个工作日|工作日|个小时|小时|分钟|个月|天|日|月|年|周|星期|次|元|块|码|倍|折|斤|公斤|"
             "厘米|公分|米|件|寸|英寸|层|双|对|克|秒")
_CN_NUMBER = re.compile(rf"(?<![零〇一二两三四五六七八九十百千万])"
                        rf"([零〇一二两三四五六七八九十百千万]+)"
                        rf"(?=(?:{_CN_UNITS})|[到至~～—-][零〇一二两三四五六七八九十百千万\d])")
_PERCENT_CN = re.compile(r"百分之([零〇一二两三四五六七八九十百千万]+|\d+(?:\.\d+)?)")
_BELOW_ZERO = re.compile(r"零下\s*(\d)")
_YUAN_PREFIX = re.compile(r"(?:[¥$]|rmb|cny)\s*(\d+(?:\.\d+)?)")
_RANGE = re.compile(r"(?<=[\d%a-z℃元天])\s*(?:[~～—–]|至|到)\s*(?=-?\d)")
_UNIT_ALIASES = (
    (r"块钱|块|rmb|cny|yuan", "元"), (r"°c|度|摄氏度", "℃"), (r"(?<!工作)日", "天"),
    (r"克", "g"), (r"公斤|千克", "kg"), (r"厘米|公分", "cm"), (r"个小时", "小时"),
    (r"个月", "月"), (r"星期", "周"), (r"毫安时?", "mah"),
)
_UNIT = (r"个工作日|工作日|小时|分钟|mah|wh|gb|tb|mm|cm|kg|ml|mb|hz|db|nm|atm|fp|"
         r"英寸|寸|天|周|月|年|次|元|码|尺|折|倍|斤|件|米|g|w|m|℃|%|秒|点|分|v|a|k")
_NUM = r"\d+(?:[.尺]\d+)?"
_QUANTITY = re.compile(
    rf"(?<![a-z0-9.])(?P<a>-?{_NUM})\s*(?P<ua>{_UNIT})?"
    rf"(?:-(?P<b>-?{_NUM})\s*(?P<ub>{_UNIT})?)?")
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
_CODE = re.compile(r"[a-z]+\d[a-z0-9.]*")
# Units whose numbers sources often list bare ("尺码：46/48/50" grounds "48码").
BARE_NUMBER_UNITS = ("码",)


@dataclass(frozen=True)
class GroundingReport:
    ungrounded: list[str]      # the draft's quantities (normalised) that no source holds

    @property
    def ok(self) -> bool:
        return not self.ungrounded


def check(draft: str, sources: Sequence[Source]) -> GroundingReport:
    """Flag every number of `draft` that none of `sources` (the cited ones) contains."""
    known: set[str] = set()
    for source in sources:
        known |= _source_quantities(source)
    numbers = {_number_of(q) for q in known}
    unitless = {q for q in known if not _unit_of(q)}
    ungrounded = []
    for written, quantity in _quantities_as_written(draft):
        number, unit = _number_of(quantity), _unit_of(quantity)
        if quantity in known or (not unit and number in numbers) or \
                (unit in BARE_NUMBER_UNITS and number in unitless):
            continue
        ungrounded.append(written)
    return GroundingReport(list(dict.fromkeys(ungrounded)))


def quantities(text: str) -> set[str]:
    """The normalised quantities of a text, range ends included."""
    out: set[str] = set()
    for _, quantity in _quantities_as_written(text):
        out.add(quantity)
        a, sep, b = quantity.partition("~")
        if sep:
            unit = _unit_of(b)
            out |= {a if _unit_of(a) else a + unit, b}
    return out


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = _PERCENT_CN.sub(lambda m: f"{_as_digits(m.group(1))}%", text)
    text = _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(1))), text)
    text = _BELOW_ZERO.sub(r"-\1", text)
    text = _YUAN_PREFIX.sub(r"\1元", text)
    for pattern, unit in _UNIT_ALIASES:
        text = re.sub(rf"(?<=\d)\s*(?:{pattern})", unit, text)
    return _RANGE.sub("-", text)


def _quantities_as_written(text: str) -> list[tuple[str, str]]:
    """(the normalised span, its canonical form) for each quantity; ranges as "a~b"."""
    text = normalise(text)
    found: list[tuple[str, str]] = [(m.group(), m.group()) for m in _TIME.finditer(text)]
    text = _TIME.sub(" ", text)
    found += [(m.group(), m.group().rstrip(".")) for m in _CODE.finditer(text)]
    text = _CODE.sub(" ", text)
    for m in _QUANTITY.finditer(text):
        a, ua, b, ub = m.group("a", "ua", "b", "ub")
        if b is None:
            found.append((m.group().strip(), a + (ua or "")))
        else:
            found.append((m.group().strip(), f"{a}{ua or ''}~{b}{ub or ua or ''}"))
    return found


def _source_quantities(source: Source) -> set[str]:
    record = dict(source.record)
    price = record.pop("price", None)
    text = " ".join([source.title, source.text, json.dumps(record, ensure_ascii=False,
                                                           default=str)])
    found = quantities(text)
    if price is not None:
        try:
            found.add(f"{Decimal(str(price)).normalize():f}元")
        except InvalidOperation:
            pass
    return found


def _number_of(quantity: str) -> str:
    match = re.match(rf"-?{_NUM}", quantity)
    return match.group() if match else quantity


def _unit_of(quantity: str) -> str:
    return quantity[len(_number_of(quantity)):]


def _as_digits(number: str) -> str:
    return number if number[0].isdigit() else str(_cn_to_int(number))


def _cn_to_int(numeral: str) -> int:
    total, section, digit = 0, 0, 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            section += (digit or 1) * _CN_SCALES[ch]
            digit = 0
    return total + section + digit
