"""What is measured of each (part of a question, candidate fact) pair, for the scorer to weigh.

Every feature is general: meaning (the message embedding against the fact's vector),
shared words and characters (weighted by how rare they are among the candidates),
whether the fact holds the kind of answer asked (`question.ANSWER_KINDS`), what part of
its source the fact is (price, attribute, policy clause, FAQ answer, ...), and priors:
the product in focus, the source's retrieval rank, a policy's scope, an FAQ question
close to the message. No feature names a vertical's words.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from copilot.drafting.question import GENERAL_KINDS, KINDS_BY_NAME, Part, Question, answers_kind, weights
from knowledge.facts import Fact
from knowledge.lexical import FUNCTION_CHARS
from knowledge.records import KINDS, Source
from knowledge.synonyms import expand

FIELD_KINDS = {"price": "price", "stock": "stock"}      # answer kind -> the fact part that holds it
FACT_PARTS = ("price", "stock", "spec", "attribute", "description", "clause", "faq")
CONTEXT_SEGMENT_WEIGHT = 0.5   # terms of the segments before the one that asks ("退货寄回去了 钱多久到")
HEAD_NOUN_CHARS = 2         # a Chinese category's last characters name its kind (民谣吉他 -> 吉他)
LENGTH_DAMPING = 0.5           # word scores are divided by (length / mean length) ** this
GLOSS_WEIGHT = 1.0             # a Chinese store word glossing an English question's word
NAMING_WEIGHT = 0.3            # words of the focus product's title, matched in other sources' facts
# Characters that ask rather than say what is asked about.
ASKING_CHARS = FUNCTION_CHARS | frozenset("吗呢啊吧呀哦嘛么多少几什怎样咋啥哪谁能可以会要请问下一")

NAMES: tuple[str, ...] = (
    "meaning", "meaning_best", "meaning_rank", "has_vector", "key_meaning",
    "words", *(f"words_about_{k}" for k in KINDS), *(f"chars_about_{k}" for k in KINDS), "chars_text",
    "field_asked", "kind_held", "topic_held", "kind_missing",
    *(f"part_{p}" for p in FACT_PARTS),
    "focus", "other_product", "source_rank", "faq_close", "applies", "excluded", "names_category",
    "length", "asks_nothing",
)


@dataclass(frozen=True)
class Scope:
    """The category of the product in focus and the merchant's other categories: a policy
    clause or FAQ answer may be about the one or the others ("调音器、变调夹保修6个月")."""

    own: str = ""
    others: frozenset[str] = frozenset()

    @classmethod
    def of(cls, focus: Source | None, categories: Collection[str]) -> Scope:
        own = (focus.record.get("category") or "") if focus else ""
        return cls(own, frozenset(c for c in categories if own and c not in own and own not in c))

    def names_own(self, text: str) -> bool:
        """The focus's category or its head noun (the last two characters: 民谣吉他 -> 吉他)."""
        return bool(self.own) and (self.own in text or self.own[-HEAD_NOUN_CHARS:] in text)

    def about_others(self, fact: Fact) -> bool:
        """A clause or FAQ answer naming other categories and not the focus's."""
        return fact.kind != "sku" and not self.names_own(fact.text) and any(c in fact.text for c in self.others)


@dataclass(frozen=True)
class Candidates:
    """The facts a question may be answered from, with what every part's features share."""

    facts: list[tuple[Fact, Source]]
    focus: Source | None
    rank: dict[str, int]                  # source id -> retrieval rank (0 = first)
    asked: dict[str, float]               # the whole question's terms (`question.weights`)
    scope: Scope = Scope()

    @cached_property
    def texts(self) -> list[str]:
        return [f"{f.about} {f.text}".lower() for f, _ in self.facts]

    @cached_property
    def mean_length(self) -> float:
        return sum(len(f.text) for f, _ in self.facts) / len(self.facts)

    @cached_property
    def category(self) -> str:
        return (self.focus.record.get("category") or "") if self.focus else ""

    @cached_property
    def focus_name(self) -> str:
        return self.focus.title.lower() if self.focus else ""

    def vectors_sims(self, vector: np.ndarray | None,
                     fact_vectors: Mapping[str, np.ndarray]) -> Sims:
        """The cosine of `vector` with each candidate's statement vector (its key's when it has
        none) and with its key vector, by candidate index, for candidates that have one."""
        if vector is None:
            return Sims({}, {})
        whole, keys = {}, {}
        for i, (f, _) in enumerate(self.facts):
            if f.key_vector_id in fact_vectors:
                keys[i] = float(np.dot(fact_vectors[f.key_vector_id], vector))
            if f.vector_id in fact_vectors:
                whole[i] = float(np.dot(fact_vectors[f.vector_id], vector))
            elif i in keys:
                whole[i] = keys[i]
        return Sims(whole, keys)


@dataclass(frozen=True)
class Sims:
    statement: dict[int, float]      # candidate index -> cosine with its statement (or key)
    key: dict[int, float]            # candidate index -> cosine with its key


def matrix(part: Part, question: Question, cands: Candidates, both: Sims) -> np.ndarray:
    """One row of `NAMES` features per candidate fact, for one part of the question."""
    terms = {t: w * CONTEXT_SEGMENT_WEIGHT for t, w in weights(part.text).items()}
    terms |= weights(part.asking)
    chars = _chars(part.asking or part.text)
    if question.language == "en":    # the store writes Chinese: an English part's words in the store's
        glossed = expand(part.text)
        terms |= {t: GLOSS_WEIGHT for t in glossed}
        chars |= _chars("".join(glossed))
    n, texts, mean_length = len(cands.facts), cands.texts, cands.mean_length
    word_idf = {t: math.log(1 + n / max(1, sum(t in x for x in texts))) for t in terms}
    char_idf = {c: math.log(1 + n / max(1, sum(c in x for x in texts))) for c in chars}
    sims, key_sims = both.statement, both.key
    median = float(np.median(list(sims.values()))) if sims else 0.0
    key_median = float(np.median(list(key_sims.values()))) if key_sims else 0.0
    order = sorted(sims, key=lambda i: -sims[i])
    sim_rank = {i: r for r, i in enumerate(order)}
    asked, category, focus_name = cands.asked, cands.category, cands.focus_name
    asked_total = sum(asked.values()) or 1.0
    unit_kinds = [k for k in part.kinds if k not in FIELD_KINDS and k not in GENERAL_KINDS]
    rows = np.zeros((n, len(NAMES)), dtype=np.float32)
    for i, (fact, source) in enumerate(cands.facts):
        quoted, about = fact.text.lower(), fact.about.lower()
        naming = source.title.lower() if source.kind == "sku" and fact.part != "spec" else ""
        damping = (max(len(quoted), 1) / mean_length) ** LENGTH_DAMPING
        words = words_about = 0.0
        for term, w in terms.items():
            if term in naming:
                continue
            value = w * word_idf[term] * (NAMING_WEIGHT if source.kind != "sku" and term in focus_name else 1.0)
            if term in quoted:
                words += value / damping
            elif term in about:
                words_about += value
        held = [k for k in unit_kinds if holds(k, fact)]
        topics = [k for k in held if KINDS_BY_NAME[k].markers]
        applies_to = (source.record.get("applies_to") or []) if source.kind == "policy" else []
        row = {
            "meaning": (sims[i] - median) if i in sims else 0.0,
            "meaning_best": float(sim_rank.get(i) == 0),
            "meaning_rank": 1.0 / (1 + sim_rank[i]) if i in sim_rank else 0.0,
            "has_vector": float(i in sims),
            "key_meaning": (key_sims[i] - key_median) if i in key_sims else 0.0,
            "words": words, f"words_about_{fact.kind}": words_about,
            f"chars_about_{fact.kind}": sum(char_idf[c] for c in chars if c in about),
            "chars_text": sum(char_idf[c] for c in chars if c in quoted) / damping,
            "field_asked": float(any(FIELD_KINDS.get(k) == fact.part for k in part.kinds)),
            "kind_held": float(len(held) - len(topics)),
            "topic_held": float(len(topics)),
            "kind_missing": float(bool(unit_kinds) and not held),
            f"part_{fact.part}": 1.0,
            "focus": float(cands.focus is not None and source.id == cands.focus.id),
            "other_product": float(source.kind == "sku" and (cands.focus is None or source.id != cands.focus.id)),
            "source_rank": 1.0 / (1 + cands.rank.get(source.id, len(cands.rank))),
            "faq_close": sum(w for t, w in asked.items() if t in about) / asked_total if fact.kind == "faq" else 0.0,
            "applies": float(bool(category) and category in applies_to),
            "excluded": float(bool(category) and bool(applies_to) and category not in applies_to),
            "names_category": float(source.kind != "sku" and cands.scope.names_own(quoted)),
            "length": math.log(1 + len(quoted)),
            "asks_nothing": float(not part.kinds),
        }
        rows[i] = [row.get(name, 0.0) for name in NAMES]
    return rows


def _chars(text: str) -> set[str]:
    return {c for c in text.lower() if "\u3400" <= c <= "\u9fff" and c not in ASKING_CHARS}


def holds(kind: str, fact: Fact) -> bool:
    """Whether a fact holds an answer of `kind` (the price, a duration, a returns clause, ...)."""
    return answers_kind(kind, fact.part, fact.text, fact.about)


def field_ok(part: Part, fact: Fact) -> bool:
    """The price and the stock status answer only when asked for."""
    return fact.part not in FIELD_KINDS.values() or any(FIELD_KINDS.get(k) == fact.part for k in part.kinds)
