"""Hybrid retrieval for one merchant: dense (Chroma) + lexical (BM25), fused, with context.

1. Dense: the query's e5 vector against the merchant's collection.
2. Lexical: BM25 over jieba words and CJK bigrams, the query expanded from shopper
   words to store words (see `lexical`, `synonyms`).
3. Reciprocal-rank fusion per *source* (a source's rank in a list is the rank of
   its best entry), so chunks of one policy count once.
4. Context: the SKU the shopper is viewing joins the candidates with a bonus and
   is always among the first `VIEWED_SKU_RANK` sources, so a product question is
   answered from its sheet while policies and FAQs keep the other slots; policies
   that name categories in `applies_to` rise when the viewed SKU's category is
   among them and sink when it is not.

Each message is embedded once (`embed`; a question asked over several messages sums
their vectors, `embed_turns`) and the vector is shared: retrieval ranks with it and the
drafter matches facts with it against the merchant's fact vectors (`knowledge.facts`),
which the view holds in memory.

Only ids travel through ranking; documents and records are read for the final
top k in one call. The per-merchant `MerchantView` (BM25, categories,
policy scopes, fact vectors) is rebuilt when the merchant's knowledge version changes: at once
for a small merchant, in the background for a large one (a 100k-SKU view takes
seconds to build), which keeps serving the previous view meanwhile.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Container, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from copilot.errors import StoreUnavailable
from knowledge.base import KnowledgeBase, statement_texts
from knowledge.documents import entry_id, parse_entry_id
from knowledge.lexical import LexicalIndex, terms
from knowledge.quantities import Quantity
from knowledge.records import Product, Source
from knowledge.synonyms import expand
from knowledge.variants import named_variant, spec_quantities

DENSE_K = 40
LEXICAL_K = 40
RRF_K = 10
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
VIEWED_SKU_BONUS = 1.0 / (RRF_K + 1)      # as much as one list ranking it first
VIEWED_SKU_RANK = 2
APPLIES_BONUS = 0.5 / (RRF_K + 1)
NOT_APPLICABLE_PENALTY = 1.0 / (RRF_K + 1)
DEFAULT_K = 8
EMBEDDED_MESSAGES = 4096             # query vectors kept, for messages asked again with the next one
WARM_PRODUCTS = 16                   # products whose statements the warm-up embeds at a time
SYNC_REBUILD_ENTRIES = 10_000        # views of merchants above this rebuild in the background


@dataclass(frozen=True)
class MerchantView:
    """What ranking needs of one merchant, held in memory for one knowledge version."""

    version: int
    entries: int
    lexical: LexicalIndex
    sku_category: dict[str, str]
    categories: frozenset[str]           # every category the merchant's products are in
    alternatives: dict[str, frozenset[str]]   # attribute key -> every value the merchant's products give it
    sku_titles: dict[str, str]
    sku_specs: dict[str, frozenset[Quantity]]  # the quantities each product's title and attributes hold
    policy_scope: dict[str, list[str]]
    fact_vectors: dict[str, np.ndarray]

    @classmethod
    def load(cls, kb: KnowledgeBase, merchant: str, version: int) -> MerchantView:
        ids, metas = kb.index.all_metadata(merchant)
        records = {m["source_id"]: json.loads(m["record"]) for m in metas if m["kind"] == "sku"}
        return cls(version=version, entries=len(ids),
                   lexical=LexicalIndex(ids=ids, term_lists=[m["terms"].split() for m in metas]),
                   sku_category={m["source_id"]: m["category"] for m in metas if m["kind"] == "sku"},
                   categories=frozenset(m["category"] for m in metas if m["kind"] == "sku" and m["category"]),
                   alternatives=_alternatives(records.values()),
                   sku_titles={sku: str(r.get("title") or "") for sku, r in records.items()},
                   sku_specs={sku: spec_quantities(r) for sku, r in records.items()},
                   policy_scope={m["source_id"]: json.loads(m["applies_to"])
                                 for m in metas if m["kind"] == "policy"},
                   fact_vectors=kb.index.fact_vectors(merchant))


def _alternatives(records: Iterable[dict]) -> dict[str, frozenset[str]]:
    """Attribute key -> the values the products give it ("辣度" -> 微辣, 中辣, 特辣)."""
    values: dict[str, set[str]] = {}
    for record in records:
        for key, value in (record.get("attributes") or {}).items():
            values.setdefault(str(key), set()).add(str(value))
    return {key: frozenset(v) for key, v in values.items()}


class Retriever:
    def __init__(self, *, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._views: dict[str, MerchantView] = {}
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()
        self._embedded: dict[str, np.ndarray] = {}   # message -> query vector, oldest first
        self._refresher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="view-refresh")
        self._warmer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="statements")

    def view(self, merchant: str) -> MerchantView:
        version = self.kb.index.version(merchant)
        view = self._views.get(merchant)
        if view is None or (view.version != version and view.entries < SYNC_REBUILD_ENTRIES):
            view = self._views[merchant] = MerchantView.load(self.kb, merchant, version)
        elif view.version != version:
            with self._lock:
                if merchant not in self._refreshing:
                    self._refreshing.add(merchant)
                    self._refresher.submit(self._refresh, merchant, version)
        return view

    def _refresh(self, merchant: str, version: int) -> None:
        try:
            self._views[merchant] = MerchantView.load(self.kb, merchant, version)
        finally:
            with self._lock:
                self._refreshing.discard(merchant)

    def embed(self, message: str) -> np.ndarray:
        """The query vector of a new message, kept (for `EMBEDDED_MESSAGES` messages) so that
        it is not computed again when the message is asked again with the next one, or by
        the escalation assessor and retrieval both."""
        with self._lock:
            vector = self._embedded.get(message)
        if vector is not None:
            return vector
        vector = self.kb.embedder.embed_query(message)
        with self._lock:
            self._embedded[message] = vector
            while len(self._embedded) > EMBEDDED_MESSAGES:
                self._embedded.pop(next(iter(self._embedded)))
        return vector

    def embed_turns(self, turns: Sequence[str]) -> np.ndarray:
        """The query vector of a question: the new message's (the last turn), summed with
        those kept of the earlier messages it asks again, and normalised; each message is
        embedded once. Shared by retrieval and drafting."""
        vectors = [self.embed(t) for t in turns]
        if len(vectors) == 1:
            return vectors[0]
        total = np.sum(vectors, axis=0)
        return total / (np.linalg.norm(total) or 1.0)

    def fact_vectors(self, merchant: str) -> dict[str, np.ndarray]:
        return self.view(merchant).fact_vectors

    def categories(self, merchant: str) -> frozenset[str]:
        return self.view(merchant).categories

    def alternatives(self, merchant: str) -> dict[str, frozenset[str]]:
        return self.view(merchant).alternatives

    def statement_vectors(self, merchant: str, products: Sequence[Source]) -> dict[str, np.ndarray]:
        """The merchant's fact vectors, with the statements of `products` embedded now if this is
        the first question to need them before the background warm-up (`warm`) got to them. A
        store that cannot write keeps them in memory: it does not stop drafting."""
        vectors = self.view(merchant).fact_vectors
        records = [Product.model_validate(s.record) for s in products if s.kind == "sku"]
        if records:
            try:
                vectors.update(self.kb.embed_statements(merchant, records, known=vectors))
            except StoreUnavailable:
                vectors.update(self._embed_unstored(records, vectors))
        return vectors

    def _embed_unstored(self, records: Sequence[Product], known: Container[str]) -> dict[str, np.ndarray]:
        texts = statement_texts(records, known)
        return dict(zip(texts, self.kb.embedder.embed_documents(list(texts.values()))))

    def warm(self, merchant: str) -> Future:
        """Embed, in the background, the statements of every product of the merchant that has
        none yet (after an upload, and for every merchant when a server starts)."""
        return self._warmer.submit(self._warm, merchant)

    def _warm(self, merchant: str) -> int:
        products = self.kb.products(merchant)
        done = 0
        for start in range(0, len(products), WARM_PRODUCTS):
            vectors = self.view(merchant).fact_vectors
            new = self.kb.embed_statements(merchant, products[start:start + WARM_PRODUCTS], known=vectors)
            vectors.update(new)
            done += len(new)
        return done

    def search(self, merchant: str, message: str, *, sku: str | None = None,
               k: int = DEFAULT_K, vector: np.ndarray | None = None) -> list[Source]:
        view = self.view(merchant)
        scores: dict[tuple[str, str], float] = {}
        best_entry: dict[tuple[str, str], str] = {}

        if vector is None:
            vector = self.embed(message)
        lexical = view.lexical.search(terms(message) + expand(message), LEXICAL_K)
        dense = self.kb.index.nearest(merchant, vector, k=DENSE_K)
        _fuse(scores, best_entry, dense, DENSE_WEIGHT)
        _fuse(scores, best_entry, [e for e, _ in lexical], LEXICAL_WEIGHT)

        if sku and sku in view.sku_category:
            _add_context(scores, best_entry, view, sku)
            variant = named_variant(message, sku, view.sku_titles, view.sku_specs)
            if variant:   # "有32cm的吗": the sibling the shopper names comes first
                scores[("sku", variant)] = max(scores.values()) + 1e-6
                best_entry.setdefault(("sku", variant), entry_id("sku", variant))
        top = sorted(scores, key=lambda key: -scores[key])[:k]
        rows = self.kb.index.get(merchant, [best_entry[key] for key in top])
        return [_source(key, best_entry[key], scores[key], rows[best_entry[key]])
                for key in top if best_entry[key] in rows]


def _fuse(scores: dict, best_entry: dict, ranked_entries: list[str], weight: float) -> None:
    seen: set[tuple[str, str]] = set()
    for entry in ranked_entries:
        kind, source_id, _ = parse_entry_id(entry)
        key = (kind, source_id)
        if key in seen:
            continue
        seen.add(key)
        scores[key] = scores.get(key, 0.0) + weight / (RRF_K + len(seen))
        best_entry.setdefault(key, entry)


def _add_context(scores: dict, best_entry: dict, view: MerchantView, sku: str) -> None:
    key = ("sku", sku)
    scores[key] = scores.get(key, 0.0) + VIEWED_SKU_BONUS
    best_entry.setdefault(key, entry_id("sku", sku))
    others = sorted((s for other, s in scores.items() if other != key), reverse=True)
    if len(others) >= VIEWED_SKU_RANK:
        scores[key] = max(scores[key], others[VIEWED_SKU_RANK - 1] + 1e-6)
    category = view.sku_category[sku]
    for (kind, source_id) in list(scores):
        scope = view.policy_scope.get(source_id) if kind == "policy" else None
        if scope:
            scores[(kind, source_id)] += (APPLIES_BONUS if category in scope
                                          else -NOT_APPLICABLE_PENALTY)


def _source(key: tuple[str, str], entry: str, score: float, row: dict) -> Source:
    record = json.loads(row["metadata"]["record"])
    title = record.get("title") or record.get("question") or key[1]
    return Source(id=key[1], kind=key[0], title=title, text=row["document"],
                  score=round(score, 6), record=record)
