"""Choosing, among the facts of the retrieved sources, the few that answer the shopper.

Every fact is scored against the message, whatever rank retrieval gave its source:
shared terms (jieba words and CJK bigrams, weighted by length and by how rare they are
among the candidate facts, damped for long texts), plus the shopper concepts the fact
answers (an attribute whose key answers "能机洗吗" is 洗涤方式), plus priors: facts of
the product the shopper is looking at (or names) count, other products' facts do
not (with no product in focus, products' facts count little); a policy that does not apply to that product's category counts half; an FAQ
whose question is close to the message is preferred (it is an approved reply).
Then facts are taken greedily, best first, while they stay close to the best and each
answers a part of the question that the ones taken do not.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from copilot.drafting.facts import Fact, facts_of
from copilot.drafting.shopper_concepts import CONCEPTS, Concept, concepts_in, trigger_words
from copilot.turns import Turn
from knowledge.lexical import terms
from knowledge.records import Source

MAX_FACTS = 3
MIN_SCORE = 2.0            # below this the knowledge base has no answer
RELATIVE_FLOOR = 0.45      # a further fact must score at least this share of the best
MIN_GAIN = 0.9             # ... and cover this much of the question not yet covered
CONCEPT_KEY_SCORE = 3.0    # an attribute whose key answers an asked concept
CONCEPT_MARKER_SCORE = 2.0 # a fact containing a store word of an asked concept
KEY_UNIT_GAIN = 1.0        # each further attribute key of an asked concept is new ground
FOCUS_BONUS = 1.0          # facts of the product in focus, when they match at all
OTHER_SKU_FACTOR = 0.35    # facts of products, when no product is in focus
LENGTH_DAMPING = 0.5       # quoted-text term scores are divided by (length / mean) ** this
CONTEXT_WEIGHT = 0.6       # terms found only in a fact's context (key, question, headings)
OFF_TOPIC_FACTOR = 0.6     # policies and FAQs whose title is about concepts not asked
OFF_CATEGORY_FACTOR = 0.5  # policies whose applies_to excludes the focus category
CATEGORY_BONUS = 0.8       # facts naming, or policies applying to, the focus category
FAQ_CLOSE_SHARE = 0.5      # an FAQ question covering this share of the message is close
FAQ_CLOSE_BONUS = 3.0
IN_VIEW_MENTION = 1.5      # the product in view wins unless another is clearly named
HISTORY_WEIGHT = 0.5       # terms of the previous customer turn, for follow-ups


@dataclass(frozen=True)
class ScoredFact:
    fact: Fact
    score: float
    units: dict[tuple[str, str], float] = field(default_factory=dict)  # what it covers


@dataclass(frozen=True)
class Finding:
    facts: list[ScoredFact]
    focus: Source | None       # the product the answer is about, if any
    concepts: tuple[str, ...]  # names of the shopper concepts the message asks about

    @property
    def answered(self) -> bool:
        return bool(self.facts)


@dataclass(frozen=True)
class _Query:
    terms: dict[str, float]
    concepts: list[Concept]
    asking: set[str]           # the trigger words found: they ask, they do not name a product


class AnswerFinder:
    def __init__(self, *, max_facts: int = MAX_FACTS, min_score: float = MIN_SCORE,
                 relative_floor: float = RELATIVE_FLOOR, min_gain: float = MIN_GAIN) -> None:
        self.max_facts = max_facts
        self.min_score = min_score
        self.relative_floor = relative_floor
        self.min_gain = min_gain

    def find(self, message: str, sources: Sequence[Source], *, sku_in_view: str | None = None,
             history: Sequence[Turn] = ()) -> Finding:
        query = _query(message, history)
        focus = _focus(query, sources, sku_in_view)
        return Finding(self._select(_ranked(query, focus, sources)), focus,
                       tuple(c.name for c in query.concepts))

    def rank(self, message: str, sources: Sequence[Source], *, sku_in_view: str | None = None,
             history: Sequence[Turn] = ()) -> list[ScoredFact]:
        """Every candidate fact with its score, best first (what `find` selects from)."""
        query = _query(message, history)
        return _ranked(query, _focus(query, sources, sku_in_view), sources)

    def _select(self, scored: list[ScoredFact]) -> list[ScoredFact]:
        if not scored or scored[0].score < self.min_score:
            return []
        chosen = [scored[0]]
        covered = set(scored[0].units)
        for cand in scored[1:]:
            if len(chosen) >= self.max_facts or cand.score <= 0:
                break
            new = [unit for unit in cand.units if unit not in covered]
            close = cand.score >= self.relative_floor * scored[0].score
            # An attribute of the product whose key answers the question is always in reach.
            if not close and not any(kind == "k" for kind, _ in new):
                continue
            gain = sum(cand.units[unit] for unit in new)
            if gain >= self.min_gain and cand.fact.text not in {c.fact.text for c in chosen}:
                chosen.append(cand)
                covered |= set(cand.units)
        return chosen


def _ranked(query: _Query, focus: Source | None, sources: Sequence[Source]) -> list[ScoredFact]:
    """Scored facts, best first; with a product in focus, other products' facts are left out
    (they describe something the shopper is not asking about)."""
    facts = [f for s in sorted(sources, key=lambda s: s.id) for f in facts_of(s)
             if not (focus and s.kind == "sku" and s.id != focus.id)]
    if not facts:
        return []
    # Sources in id order and a stable sort: ties never depend on retrieval's ranking.
    return sorted((_score(f, query, focus, facts) for f in facts), key=lambda s: -s.score)


def _weights(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for term in terms(text):
        if term.isascii():
            weight = 0.5 if term.isdigit() else 1.0
        else:
            weight = {1: 0.4, 2: 1.0}.get(len(term), 1.3)
        out[term] = max(out.get(term, 0.0), weight)
    return out


def _query(message: str, history: Sequence[Turn]) -> _Query:
    weights = _weights(message)
    concepts = concepts_in(message)
    previous = next((t.text for t in reversed(history) if t.role == "customer"), "")
    if previous and not concepts:
        concepts = concepts_in(previous)
        for term, w in _weights(previous).items():
            weights.setdefault(term, w * HISTORY_WEIGHT)
    return _Query(weights, concepts, trigger_words(message))


def _focus(query: _Query, sources: Sequence[Source], sku_in_view: str | None) -> Source | None:
    """The product the question is about: the one in view, unless another is clearly named."""
    asking = query.asking
    best, best_score = None, 0.0
    for source in sorted(sources, key=lambda s: s.id):
        if source.kind != "sku":
            continue
        name = f"{source.title} {(source.record.get('attributes') or {}).get('颜色', '')}".lower()
        score = sum(w for t, w in query.terms.items()
                    if len(t) > 1 and t in name and not any(t in a or a in t for a in asking))
        if source.id == sku_in_view:
            score += IN_VIEW_MENTION
        if score > best_score:
            best, best_score = source, score
    return best


def _score(fact: Fact, query: _Query, focus: Source | None, pool: Sequence[Fact]) -> ScoredFact:
    text = fact.match_text.lower()
    # Words of a product's own title name the product; they do not answer about it.
    naming = fact.source.title.lower() if fact.source.kind == "sku" else ""
    units: dict[tuple[str, str], float] = {}
    n = len(pool)
    quoted = fact.text.lower()
    mean_length = sum(len(f.text) for f in pool) / n
    damping = (max(len(quoted), 1) / mean_length) ** LENGTH_DAMPING
    score = 0.0
    for term, weight in query.terms.items():
        if term in text and term not in naming:
            df = sum(1 for f in pool if term in f.match_text.lower())
            units[("t", term)] = weight * math.log(1 + n / df)
            score += units[("t", term)] / damping if term in quoted else \
                units[("t", term)] * CONTEXT_WEIGHT
    key = (fact.key or "").lower()
    for concept in query.concepts:
        if key and key in (k.lower() for k in concept.keys):
            units[("c", concept.name)] = CONCEPT_KEY_SCORE
            units[("k", key)] = KEY_UNIT_GAIN
            score += CONCEPT_KEY_SCORE
        elif any(m.lower() in text for m in concept.markers):
            units[("c", concept.name)] = CONCEPT_MARKER_SCORE
            score += CONCEPT_MARKER_SCORE
    if score <= 0:
        return ScoredFact(fact, 0.0, units)
    return ScoredFact(fact, _prior(fact, query, focus, text, score), units)


def _topic(title: str) -> set[str]:
    """The concepts a policy title or FAQ question is about."""
    lowered = title.lower()
    return {c.name for c in concepts_in(title)} | {
        c.name for c in CONCEPTS if any(m.lower() in lowered for m in c.markers if len(m) > 1)}


def _prior(fact: Fact, query: _Query, focus: Source | None, text: str, score: float) -> float:
    source = fact.source
    category = (focus.record.get("category") or "") if focus else ""
    if source.kind == "sku":
        return score + FOCUS_BONUS if focus and source.id == focus.id else score * OTHER_SKU_FACTOR
    applies_to = source.record.get("applies_to") or []
    if category and applies_to:
        score = score + CATEGORY_BONUS if category in applies_to else score * OFF_CATEGORY_FACTOR
    if category and category in text:
        score += CATEGORY_BONUS
    topic = _topic(source.record.get("question") or source.record.get("title") or source.title)
    if topic and not topic & {c.name for c in query.concepts}:
        score *= OFF_TOPIC_FACTOR
    if source.kind == "faq":
        question = (source.record.get("question") or source.title).lower()
        total = sum(query.terms.values()) or 1.0
        if sum(w for t, w in query.terms.items() if t in question) / total >= FAQ_CLOSE_SHARE:
            score += FAQ_CLOSE_BONUS
    return score
