"""How a record becomes index entries: what is embedded, what is matched lexically, what is shown.

A SKU is one entry. Only the head of its title is embedded (`SKU_EMBED_CHARS`
characters: titles lead with what the product is, and e5 costs time per token, so
a short text embeds ~6x faster than a whole sheet); the whole sheet (the rest of
the title, attributes, tags, description) goes to the lexical index and to the drafter.
A policy is one entry per chunk of at most `POLICY_CHUNK_TOKENS` tokens, each
carrying the policy title. An FAQ is one entry: its question and approved answer.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from copilot import tokens
from knowledge.lexical import terms
from knowledge.records import Faq, Kind, Policy, Product, Record, kind_of

SKU_EMBED_CHARS = 16
POLICY_CHUNK_TOKENS = 240
POLICY_CHUNK_OVERLAP = 30


@dataclass(frozen=True)
class Entry:
    id: str               # "<kind>:<source id>#<chunk>"
    kind: Kind
    source_id: str
    chunk: int
    embed_text: str
    text: str             # what the drafter and the agent see
    terms: list[str]
    metadata: dict

    @property
    def embed_hash(self) -> str:
        return hashlib.sha1(self.embed_text.encode("utf-8")).hexdigest()


def entry_id(kind: Kind, source_id: str, chunk: int = 0) -> str:
    return f"{kind}:{source_id}#{chunk}"


def parse_entry_id(entry: str) -> tuple[Kind, str, int]:
    """The (kind, source id, chunk) an entry id names."""
    kind, rest = entry.split(":", 1)
    source_id, chunk = rest.rsplit("#", 1)
    return kind, source_id, int(chunk)  # type: ignore[return-value]


def product_sheet(p: Product) -> str:
    lines = [p.title, f"类目：{p.category}", f"价格：{p.price}元",
             "库存：有货" if p.in_stock else "库存：已售罄"]
    lines += [f"{k}：{v}" for k, v in p.attributes.items()]
    if p.tags:
        lines.append("标签：" + "、".join(p.tags))
    if p.description:
        lines.append(p.description)
    return "\n".join(lines)


def entries_for(record: Record) -> list[Entry]:
    kind = kind_of(record)
    payload = record.model_dump(mode="json")
    base = {"kind": kind, "source_id": record.id, "record": json.dumps(payload, ensure_ascii=False)}
    if isinstance(record, Product):
        sheet = product_sheet(record)
        meta = base | {"category": record.category, "in_stock": record.in_stock}
        return [_entry(kind, record.id, 0, record.title[:SKU_EMBED_CHARS], sheet, meta)]
    if isinstance(record, Faq):
        text = f"问：{record.question}\n答：{record.answer}"
        return [_entry(kind, record.id, 0, text, text, base)]
    assert isinstance(record, Policy)
    meta = base | {"applies_to": json.dumps(record.applies_to, ensure_ascii=False)}
    pieces = tokens.chunk(record.body, POLICY_CHUNK_TOKENS, POLICY_CHUNK_OVERLAP) or [record.body]
    return [_entry(kind, record.id, i, f"{record.title}\n{piece}", f"{record.title}\n{piece}", meta)
            for i, piece in enumerate(pieces)]


def _entry(kind: Kind, source_id: str, chunk: int, embed_text: str, text: str, meta: dict) -> Entry:
    entry_terms = terms(text)
    return Entry(id=entry_id(kind, source_id, chunk), kind=kind, source_id=source_id, chunk=chunk,
                 embed_text=embed_text, text=text, terms=entry_terms,
                 metadata=meta | {"chunk": chunk, "terms": " ".join(entry_terms)})
