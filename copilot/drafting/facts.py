"""The quotable facts inside retrieved sources: one SKU attribute, one policy sentence, one FAQ.

Each `Fact` is something the composer may quote verbatim: a SKU attribute ("洗涤方式" ->
its value), a sentence of a SKU description, a policy list item, table row or prose
sentence (matched together with its section heading and the policy title), or an
approved FAQ answer (matched together with its question).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from knowledge.records import Source

Part = Literal["attribute", "description", "sentence", "faq"]

LONG_ITEM_CHARS = 90          # list items longer than this are split into sentences
LEAD_IN = ("：", ":")          # a sentence ending so introduces a list; it is no fact

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_CLAUSE_END = re.compile(r"(?<=[。！？!?；;~～])")
OTHERS = ("其他", "其它", "其余")   # a clause opening so is about what the others named are not
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.、)）]|[（(]\d+[)）])\s*")
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_EMPHASIS = re.compile(r"\*\*|__|`")


@dataclass(frozen=True)
class Fact:
    source: Source
    part: Part
    text: str                  # quoted as is
    context: str = ""          # matched but not quoted: attribute key, FAQ question, headings
    key: str | None = None     # the attribute key, for SKU attributes

    @property
    def source_id(self) -> str:
        return self.source.id

    @property
    def match_text(self) -> str:
        return f"{self.context} {self.text}"


def facts_of(source: Source) -> list[Fact]:
    """Every quotable fact of one retrieved source."""
    if source.kind == "sku":
        return _sku_facts(source)
    if source.kind == "policy":
        return _policy_facts(source)
    return _faq_facts(source)


def sentences(text: str) -> list[str]:
    """Prose split after 。！？； (the punctuation stays with its sentence)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip(" \t\n。；;")]


def narrowed(text: str, category: str) -> str:
    """`text` without its "其他…" clauses when another clause names `category`.

    "领带默认附赠礼盒；其他商品加收10元" says nothing about 其他 for a 领带 shopper.
    """
    clauses = _CLAUSE_END.split(text)
    if not category or not any(category in c for c in clauses):
        return text
    return "".join(c for c in clauses if not c.strip().startswith(OTHERS)).strip()


def _sku_facts(source: Source) -> list[Fact]:
    record = source.record
    attributes = record.get("attributes") or {}
    if not attributes and not record:
        return [Fact(source, "description", s) for s in sentences(source.text)]
    facts = [Fact(source, "attribute", str(value), str(key), key=str(key))
             for key, value in attributes.items()]
    return facts + [Fact(source, "description", s)
                    for s in sentences(record.get("description") or "")]


def _faq_facts(source: Source) -> list[Fact]:
    question = source.record.get("question") or source.title
    answer = source.record.get("answer") or source.text
    return [Fact(source, "faq", answer.strip(), question)]


def _policy_facts(source: Source) -> list[Fact]:
    title = source.record.get("title") or source.title
    body = source.record.get("body") or source.text
    return [Fact(source, "sentence", text, f"{title} {heading}")
            for heading, text in _policy_units(body) if not text.endswith(LEAD_IN)]


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
