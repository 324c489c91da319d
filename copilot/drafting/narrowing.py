"""Narrowing what a draft quotes to what applies to the product in view.

A store's FAQ answers and policy clauses are written for every product at once, and
often enumerate alternatives: "10-15㎡的卧室选36W左右，15-20㎡选48W左右", "开盖后请在90天内用完
（尿酸试纸60天）", "领带默认附赠礼盒；其他商品加收10元". Quoted whole to a shopper looking at
one product, the other alternatives' values read as this product's.

The product in view says which alternative is its own: the quantities its record holds
("36W", "10-15㎡", "90天"), its short attribute values ("微辣", "B类") and its category. A
piece of a quoted text (a sentence, then a clause, then a bracketed aside) that holds one
of them applies; a piece beside it that holds another quantity of the same unit, or a
value the merchant's other products give the same attribute ("特辣" beside its "微辣"), or
opens with another of the merchant's categories or with "the others", is another
alternative and is left out, unless it holds a quantity the shopper named ("23寸跟26寸有啥
区别" wants both) or says the other does not fit ("和2.6mm墨囊不通用"). The shopper's words do not
keep a piece: "白光还是黄光" names the alternatives to learn which one the product is.
Nothing is left out of a text none of whose pieces is the product's own: then there is
no telling which alternative applies, and the agent sees them all.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from copilot.drafting.features import HEAD_NOUN_CHARS
from knowledge.quantities import Quantity, quantities
from knowledge.records import Source

SENTENCE_ENDS = "。！？!?；;"
CLAUSE_ENDS = "，,"
_ASIDE = re.compile(r"[（(][^（()）]*[)）]")
_LEAD = re.compile(r"^[\s，,、：:（(“\"'*\-\d.]+")
# A piece saying another value does not fit ("和2.6mm墨囊不通用") tells what to avoid: it stays.
UNFIT = ("不通用", "不兼容", "不适用", "不适配", "不匹配", "不能用", "不可用", "不能混用")
OTHERS = ("其他", "其它", "其余")   # a piece opening so is about what the others named are not
MIN_WORD_CHARS, MAX_WORD_CHARS = 2, 8   # an attribute value this long names an alternative in a text


@dataclass(frozen=True)
class Own:
    """What marks a piece of store text as the product in view's (the quantities its record
    holds, its short attribute values, its category) or as another alternative's (the values
    the merchant's other products give the same attributes, its other categories); and the
    quantities the shopper named."""

    values: frozenset[Quantity]
    category: str = ""
    others: frozenset[str] = frozenset()
    said: frozenset[Quantity] = frozenset()
    words: frozenset[str] = frozenset()       # the product's short attribute values ("微辣", "B类")
    siblings: frozenset[str] = frozenset()    # other products' values of the same attributes ("特辣")

    @classmethod
    def of(cls, focus: Source | None, categories: Collection[str] = (), question: str = "",
           alternatives: Mapping[str, Collection[str]] | None = None) -> Own:
        if focus is None:
            return cls(frozenset())
        record = focus.record
        attributes = {str(k): str(v) for k, v in (record.get("attributes") or {}).items()}
        texts = [str(record.get("title") or ""), str(record.get("description") or ""),
                 *(f"{k} {v}" for k, v in attributes.items())]
        category = str(record.get("category") or "")
        words = {v for v in attributes.values() if _word(v)}
        siblings = {other for key, value in attributes.items() if _word(value)
                    for other in (alternatives or {}).get(key, ())
                    if _word(other) and other not in value and value not in other}
        return cls(frozenset(q for t in texts for q in quantities(t)), category,
                   frozenset(c for c in categories if category and c not in category and category not in c),
                   quantities(question), frozenset(words), frozenset(siblings - words))

    def mine(self, text: str) -> bool:
        """The piece holds one of the product's own quantities or attribute values."""
        return bool(quantities(text) & self.values) or any(w in text for w in self.words)

    def names_own(self, text: str) -> bool:
        """The piece names the product's category or its head noun."""
        return bool(self.category) and (self.category in text or self.category[-HEAD_NOUN_CHARS:] in text)

    def said_in(self, text: str) -> bool:
        """The piece holds a quantity the shopper named."""
        return bool(quantities(text) & self.said)

    def rival(self, text: str, units: Collection[str]) -> bool:
        """The piece is another alternative: it gives a quantity in one of `units` that is not
        the product's (units, not measures: "3-5个工作日" beside "保修1年" is no alternative
        to it) or another product's value of one of its attributes, or it opens with another
        category or "the others"."""
        if any(unit in units and (value, unit) not in self.values for value, unit in quantities(text)):
            return True
        if any(w in text for w in self.siblings):
            return True
        opening = _LEAD.sub("", text)
        return opening.startswith(OTHERS) or (not self.names_own(text) and opening.startswith(tuple(self.others)))


def _word(value: str) -> bool:
    """A short attribute value that names an alternative where a text mentions it."""
    return MIN_WORD_CHARS <= len(value) <= MAX_WORD_CHARS


def narrowed(text: str, own: Own) -> str:
    """`text` without the pieces about other alternatives than the product's own, sentence by
    sentence, clause by clause, aside by aside; unchanged when no piece is the product's own."""
    if not own.values and not own.words and not own.category:
        return text
    units = {unit for value, unit in quantities(text) if (value, unit) in own.values}
    out = []
    for sentence in _kept(_split(text, SENTENCE_ENDS), own):
        clause = "".join(_kept(_split(sentence, CLAUSE_ENDS), own))
        clause = _ASIDE.sub(lambda m: "" if _other(m.group(), own, units) else m.group(), clause)
        out.append(_ended(clause, sentence))
    return "".join(out).strip()


def kept(texts: Sequence[str], own: Own) -> list[bool]:
    """Which of several texts chosen from one source to keep: its clauses are alternatives to
    each other as a text's sentences are ("应急启动电源：保修1年" beside "行车记录仪：保修2年")."""
    keep = _kept(texts, own)
    return [t in keep for t in texts]


def _split(text: str, ends: str) -> list[str]:
    """`text` cut after each of `ends` outside brackets (an aside stays whole)."""
    pieces, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch in "（(") - (ch in ")）")
        if ch in ends and depth <= 0:
            pieces.append(text[start:i + 1])
            start = i + 1
    return [p for p in [*pieces, text[start:]] if p]


def _kept(pieces: Sequence[str], own: Own) -> list[str]:
    """The pieces that hold the product's own values (or, failing any, name its category) and
    those beside them that are no other alternative."""
    mine = [p for p in pieces if own.mine(p)]
    units = {unit for p in mine for value, unit in quantities(p) if (value, unit) in own.values}
    mine = mine or [p for p in pieces if own.names_own(p)]
    if not mine or len(mine) == len(pieces):
        return list(pieces)
    return [p for p in pieces if p in mine or not _other(p, own, units)]


def _other(piece: str, own: Own, units: Collection[str]) -> bool:
    return not own.mine(piece) and not (own.category and own.category in piece) \
        and not own.said_in(piece) and not any(w in piece for w in UNFIT) and own.rival(piece, units)


def _ended(text: str, sentence: str) -> str:
    """The kept clauses of a sentence; one whose last clauses were left out ends as the
    sentence did, not on a comma."""
    if text != sentence and text.rstrip().endswith(("，", ",")):
        text = text.rstrip()[:-1] + (sentence[-1] if sentence[-1] in "。！？!?；;~～" else "")
    return text
