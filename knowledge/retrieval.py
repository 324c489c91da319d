"""Hybrid retrieval for one merchant: dense (Chroma) + lexical (BM25), fused, with context.

1. Dense: the query's e5 vector against the merchant's collection.
2. Lexical: BM25 over jieba words and CJK bigrams (see `lexical`).
3. Reciprocal-rank fusion per *source* (a source's rank in a list is the rank of
   its best entry), so chunks of one policy count once.
4. Context: the SKU the shopper is viewing joins the candidates with a bonus, so a
   product question is answered from its sheet; policies that name categories in
   `applies_to` rise when the viewed SKU's category is among them and sink when it
   is not. The viewed SKU takes one slot; it never pushes policies and FAQs out.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from copilot.turns import Turn
from knowledge.base import KnowledgeBase, record_from
from knowledge.documents import entry_id
from knowledge.lexical import LexicalIndex, terms
from knowledge.synonyms import expand
from knowledge.records import Source

DENSE_K = 40
LEXICAL_K = 40
RRF_K = 10
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
VIEWED_SKU_BONUS = 1.0 / (RRF_K + 1)      # as much as one list ranking it first
APPLIES_BONUS = 0.5 / (RRF_K + 1)
NOT_APPLICABLE_PENALTY = 1.0 / (RRF_K + 1)
DEFAULT_K = 8
VIEWED_SKU_RANK = 2


@dataclass
class _Candidate:
    source_id: str
    kind: str
    score: float = 0.0
    best_entry: str = ""
    document: str = ""
    metadata: dict = field(default_factory=dict)


class Retriever:
    def __init__(self, *, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._lexical: dict[str, tuple[int, LexicalIndex]] = {}

    def lexical_index(self, merchant: str) -> LexicalIndex:
        version = self.kb.index.version(merchant)
        cached = self._lexical.get(merchant)
        if cached is None or cached[0] != version:
            ids, metas = self.kb.index.all_metadata(merchant)
            cached = (version, LexicalIndex(ids=ids, term_lists=[m["terms"].split() for m in metas]))
            self._lexical[merchant] = cached
        return cached[1]

    def search(self, merchant: str, message: str, *, sku: str | None = None,
               history: Sequence[Turn] = (), k: int = DEFAULT_K) -> list[Source]:
        query = _query_text(message, history)
        query_terms = terms(query) + expand(query)
        candidates: dict[str, _Candidate] = {}

        hits = self.kb.index.query(merchant, self.kb.embedder.embed_query(query), k=DENSE_K)
        ranked = [(h.entry_id, h.metadata, h.document) for h in hits]
        self._fuse(candidates, ranked, DENSE_WEIGHT)

        lexical = self.lexical_index(merchant).search(query_terms, LEXICAL_K)
        rows = self.kb.index.get(merchant, [e for e, _ in lexical])
        self._fuse(candidates, [(e, rows[e]["metadata"], rows[e]["document"])
                                for e, _ in lexical if e in rows], LEXICAL_WEIGHT)

        if sku:
            self._add_viewed_sku(merchant, sku, candidates)
        ranked_sources = sorted(candidates.values(), key=lambda c: -c.score)[:k]
        return [Source(id=c.source_id, kind=c.kind, title=_title(c.metadata),
                       text=c.document, score=round(c.score, 6),
                       record=json.loads(c.metadata["record"]))
                for c in ranked_sources]

    @staticmethod
    def _fuse(candidates: dict[str, _Candidate], ranked: list[tuple[str, dict, str]],
              weight: float) -> None:
        seen: set[str] = set()
        for entry, meta, document in ranked:
            key = f"{meta['kind']}:{meta['source_id']}"
            if key in seen:
                continue
            rank = len(seen) + 1
            seen.add(key)
            cand = candidates.setdefault(key, _Candidate(source_id=meta["source_id"],
                                                         kind=meta["kind"]))
            cand.score += weight / (RRF_K + rank)
            if not cand.best_entry:
                cand.best_entry, cand.document, cand.metadata = entry, document, meta

    def _add_viewed_sku(self, merchant: str, sku: str, candidates: dict[str, _Candidate]) -> None:
        eid = entry_id("sku", sku)
        row = self.kb.index.get(merchant, [eid]).get(eid)
        if row is None:
            return  # a stale page id: retrieval goes on without context
        cand = candidates.setdefault(f"sku:{sku}", _Candidate(
            source_id=sku, kind="sku", best_entry=eid, document=row["document"],
            metadata=row["metadata"]))
        cand.score += VIEWED_SKU_BONUS
        # The page the shopper is on is always among the first VIEWED_SKU_RANK sources.
        others = sorted((c.score for c in candidates.values() if c is not cand), reverse=True)
        if len(others) >= VIEWED_SKU_RANK:
            cand.score = max(cand.score, others[VIEWED_SKU_RANK - 1] + 1e-6)
        category = record_from(row["metadata"]).category
        for c in candidates.values():
            if c.kind != "policy":
                continue
            applies_to = json.loads(c.metadata.get("applies_to", "[]"))
            if applies_to:
                c.score += APPLIES_BONUS if category in applies_to else -NOT_APPLICABLE_PENALTY


def _query_text(message: str, history: Sequence[Turn]) -> str:
    return message


def _title(metadata: dict) -> str:
    record = json.loads(metadata["record"])
    return record.get("title") or record.get("question") or metadata["source_id"]
