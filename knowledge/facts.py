"""Atomic facts: every source split into statements the drafter may quote, one at a time.

A SKU gives its price, its stock status, each attribute as "key: value", each spec its
title carries ("50g", "2×100抽", "1500W") and each description sentence; a policy gives
each list item, table row and prose sentence (with its title and section heading); an
FAQ gives its approved answer under its question.

Each fact names what it is about (`about`: the attribute key, 价格, a spec's measure, the
FAQ question, the policy title and heading) and, where meaning must be matched, the
texts to embed: the statement (`embed`: "key：value", a description sentence, a policy
clause with its heading, an FAQ question) and a SKU fact's `key` (the attribute key, 价格,
库存, the measure of a spec). Ingest embeds what keeps it as fast as a catalog grows
(`ingest_texts`): keys, shared by every SKU of a kind, so a merchant has a few hundred
distinct ones however many SKUs it sells, and the few policy clauses and FAQ questions.
A SKU's statements are embedded after the upload (`KnowledgeBase.embed_statements`).

The split is a pure function of the stored record: ingest runs it to embed what is
new (vectors are stored by the hash of their text, so unchanged records and keys
shared with other SKUs embed nothing), and drafting runs it on the records retrieval
returns, so both sides agree on every fact and its vector.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from knowledge.records import Kind

Part = Literal["price", "stock", "spec", "attribute", "description", "clause", "faq"]

PRICE_ABOUT = "价格"
STOCK_ABOUT = "库存 有货 现货"
IN_STOCK = "有现货"
SOLD_OUT = "暂时缺货（已售罄）"
LONG_ITEM_CHARS = 90          # list items longer than this are split into sentences
LEAD_IN = ("：", ":")          # a sentence ending so introduces a list; it is no fact

# The measures a number in a title can carry, by unit; `about` is what a spec of that
# measure answers (embedded once per merchant). General units, not one vertical's words.
MEASURES: tuple[tuple[str, str], ...] = (
    ("净含量 重量 克数", r"kg|g|克|千克|公斤|斤"),
    ("容量 净含量 毫升", r"ml|毫升|l|升"),
    ("功率 瓦数", r"kw|w|瓦|千瓦"),
    ("电池容量", r"mah|毫安"),
    ("尺寸 长度", r"cm|mm|厘米|毫米|英寸|寸|米"),
    ("数量 规格 几片几包几个", r"片|包|袋|粒|支|罐|盒|瓶|条|抽|张|只|个|枚|卷|贴|颗|杯|入|听|块|对|双|套"),
)
_SPEC = re.compile(
    r"(?<![a-z0-9.])(\d+(?:\.\d+)?)\s*(" + "|".join(m for _, m in MEASURES) + r")(?![a-z])"
    r"(?:\s*[×x*]\s*\d+\s*(?:" + MEASURES[-1][1] + r")?)?(?:[（(][^（()）]{1,20}[)）])?",
    re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.、)）]|[（(]\d+[)）])\s*")
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_EMPHASIS = re.compile(r"\*\*|__|`")


@dataclass(frozen=True)
class Fact:
    source_id: str
    kind: Kind          # the kind of the source it comes from
    part: Part
    text: str           # what is quoted
    about: str = ""     # what it answers: attribute key, 价格, measure, FAQ question, policy title+heading
    embed: str = ""     # the statement embedded for selection by meaning ("" = none)
    key: str = ""       # a SKU fact's kind (attribute key, 价格, measure), embedded once per merchant

    @property
    def vector_id(self) -> str | None:
        return vector_id(self.embed) if self.embed else None

    @property
    def key_vector_id(self) -> str | None:
        return vector_id(self.key) if self.key else None


def vector_id(text: str) -> str:
    """The id a fact vector is stored under: the hash of its embedded text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def facts_of(kind: Kind, source_id: str, record: dict[str, Any]) -> list[Fact]:
    """Every atomic fact of one stored record (its JSON form)."""
    if kind == "sku":
        return _sku_facts(source_id, record)
    if kind == "policy":
        return _policy_facts(source_id, record)
    return [Fact(source_id, "faq", "faq", str(record.get("answer", "")).strip(),
                 about=str(record.get("question", "")), embed=str(record.get("question", "")))]


def ingest_texts(fact: Fact) -> list[str]:
    """What of a fact is embedded when its record is stored: a SKU fact's key (shared by every
    SKU of a kind), a policy clause or FAQ whole. A SKU's statements are embedded when a
    question first needs them (`KnowledgeBase.statement_vectors`)."""
    if fact.kind == "sku":
        return [fact.key] if fact.key else []
    return [fact.embed] if fact.embed else []


def sentences(text: str) -> list[str]:
    """Prose split after 。！？； (the punctuation stays with its sentence)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip(" \t\n。；;")]


def price_text(price: Any) -> str:
    """A price as a shopper reads it: 89.9 -> "89.9元", 100.00 -> "100元"."""
    try:
        return f"{Decimal(str(price)).normalize():f}元"
    except InvalidOperation:
        return f"{price}元"


def specs_in(title: str) -> list[tuple[str, str]]:
    """(the spec as written, the measure it is of) for each quantity a title carries."""
    out: list[tuple[str, str]] = []
    for match in _SPEC.finditer(title):
        unit = match.group(2).lower()
        measure = next(about for about, units in MEASURES if re.fullmatch(units, unit, re.IGNORECASE))
        out.append((match.group().strip(), measure))
    return out


def _sku_facts(sku: str, record: dict[str, Any]) -> list[Fact]:
    facts = [Fact(sku, "sku", "price", price_text(record.get("price")), PRICE_ABOUT, key=PRICE_ABOUT),
             Fact(sku, "sku", "stock", IN_STOCK if (record.get("stock") or 0) > 0 else SOLD_OUT,
                  STOCK_ABOUT, key=STOCK_ABOUT)]
    facts += [Fact(sku, "sku", "spec", spec, measure, key=measure)
              for spec, measure in dict.fromkeys(specs_in(str(record.get("title", ""))))]
    facts += [Fact(sku, "sku", "attribute", str(value), str(key), f"{key}：{value}", str(key))
              for key, value in (record.get("attributes") or {}).items()]
    return facts + [Fact(sku, "sku", "description", s, embed=s)
                    for s in sentences(str(record.get("description") or ""))]


def _policy_facts(policy: str, record: dict[str, Any]) -> list[Fact]:
    title = str(record.get("title", ""))
    out = []
    for heading, text in _policy_units(str(record.get("body", ""))):
        if text.endswith(LEAD_IN):
            continue
        about = f"{title} {heading}".strip()
        out.append(Fact(policy, "policy", "clause", text, about, f"{about}：{text}"))
    return out


def _policy_units(body: str) -> list[tuple[str, str]]:
    """(section heading, quotable unit) for each list item, table row and prose sentence."""
    units: list[tuple[str, str]] = []
    heading = ""
    header: list[str] | None = None
    for raw in body.splitlines():
        line = _EMPHASIS.sub("", raw).strip()
        if not line:
            header = None
            continue
        if _HEADING.match(line):
            heading, header = _HEADING.sub("", line), None
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if _TABLE_RULE.match(line):
                continue
            if header is None:
                header = cells
                continue
            units.append((heading, _table_row(header, cells)))
            continue
        if _LIST_MARK.match(line):
            item = _LIST_MARK.sub("", line)
            parts = sentences(item) if len(item) > LONG_ITEM_CHARS else [item]
            units += [(heading, p) for p in parts]
            continue
        units += [(heading, s) for s in sentences(line)]
    return units


def _table_row(header: list[str], cells: list[str]) -> str:
    rest = "，".join(f"{h}{c}" if h else c for h, c in zip(header[1:], cells[1:]))
    return f"{cells[0]}：{rest}"
