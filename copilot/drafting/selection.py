"""Choosing, among the facts of the retrieved sources, the ones that answer each part of a question.

Every candidate fact is scored for each part of the question (`question.read`) by a
logistic scorer over general features (`features`: meaning, shared words and characters,
the kind of answer, the part of the source, priors). Its weights are data, not code:
`selection_model.json`, fitted by `evals/train_selection.py` on the project's own
labelled merchants, with their names and the date in the file.

Each part gets its best fact when that is likely enough to answer (`ANSWER_P`); a part
without one is left unanswered (the composer says the agent will check). A part asking
about a service (returns, a refund, shipping, an invoice, a warranty) is answered from the
store's terms for it (`on_topic`), not from a product fact that is merely close in meaning.
The best holder of each kind of answer the part asks for (a duration, a weight) joins it,
and so does a likely runner-up that does not contradict it. The price and the stock
status answer only when asked.
"""
from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from copilot import safety
from copilot.drafting import features
from copilot.drafting.question import (GENERAL_KINDS, KINDS_BY_NAME, TOPIC_KINDS, UNIT_KINDS, Part, Question,
                                       says_topic, weights, without_question_words)
from copilot.errors import ConfigError
from knowledge.facts import SOLD_OUT, Fact, facts_of
from knowledge.records import Source
from knowledge.variants import named_variant, spec_quantities

MODEL_FILE = Path(__file__).with_name("selection_model.json")
MAX_FACTS = 4
ANSWER_P = 0.1             # a part's best fact must be at least this likely to answer it
HOLDER_P = 0.15            # the best holder of an asked kind of answer, when the best holds none
RUNNER_UP_P = 0.05         # a further fact of the best's source: at least this likely ...
OTHER_SOURCE_P = 0.3       # ... and this likely when it comes from another source
PART_WEIGHT_WHOLE = 0.5    # the whole question's vector, against 1 for the part's own
RIVAL_SHARE = 0.3          # a runner-up with another value of the kind the best answers: this share of its score
TOPIC_P = 0.02             # a holder of an asked service topic, when no fact reaches ANSWER_P
# Services only the store's terms answer; a quality problem may be answered by the product's
# own facts too (its waterproof rating, its care), so it is not among them.
GATED_TOPICS = TOPIC_KINDS - {"quality"}
# Returns and exchanges are one service in a store's terms ("7天无理由退换货"): a title naming
# both still answers either.
ONE_SERVICE = frozenset({"returns", "exchange"})
NAMED_CHARS = 3            # characters of its title a message must hold to name another product ...
NAMED_MARGIN = 2           # ... and this many more than of the product in view
_WORD = re.compile(r"[a-z0-9]+")
RESTOCK = re.compile(r"补货|到货|上架|返场|补库存|恢复供应|restock|back in stock", re.IGNORECASE)
_HAN = re.compile(r"[\u3400-\u9fff]+")


@dataclass(frozen=True)
class Scorer:
    """Logistic weights over `features.NAMES`."""

    weights: np.ndarray
    bias: float
    meta: dict

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Scorer:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = list(data["weights"])
        if names != list(features.NAMES):
            raise ConfigError(f"{path} was fitted on features {names}, the code computes "
                              f"{list(features.NAMES)}; refit it with `python -m evals.train_selection`")
        return cls(np.array([data["weights"][n] for n in names], dtype=np.float32),
                   float(data["bias"]), {k: v for k, v in data.items() if k not in ("weights", "bias")})

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(rows @ self.weights + self.bias)))


@cache
def default_scorer() -> Scorer:
    return Scorer.load()


@dataclass(frozen=True)
class ScoredFact:
    fact: Fact
    source: Source
    score: float               # the probability that it answers the part


@dataclass(frozen=True)
class Selection:
    facts: list[ScoredFact]
    focus: Source | None               # the product the answer is about, if any
    unanswered: tuple[str, ...]        # the parts of the question nothing answers

    @property
    def answered(self) -> bool:
        return bool(self.facts)


def select(question: Question, sources: Sequence[Source], *, sku_in_view: str | None = None,
           query_vector: np.ndarray | None = None, part_vectors: Mapping[str, np.ndarray] | None = None,
           categories: Collection[str] = (),
           fact_vectors: Mapping[str, np.ndarray] | None = None,
           scorer: Scorer | None = None, allowed_hosts: Sequence[str] = ()) -> Selection:
    """The facts answering each part of `question`; `query_vector` is the question's embedding
    (the one retrieval used: one per message). A fact the safety check flags (a link to a
    host not in `allowed_hosts`, a request for a password, ...) is never chosen."""
    scorer = scorer or default_scorer()
    cands = candidates(question, sources, sku_in_view, allowed_hosts, categories)
    if not cands.facts:
        return Selection([], cands.focus, tuple(p.text for p in question.parts if p.kinds))
    fact_vectors, part_vectors = fact_vectors or {}, part_vectors or {}
    sims = cands.vectors_sims(query_vector, fact_vectors)
    answers: list[list[ScoredFact]] = []
    unanswered: list[str] = []
    for part in question.parts:
        own = part_vectors.get(part.text)
        ranked = on_topic(part, rank(part, question, cands, sims if own is None else
                                     cands.vectors_sims(_blend(query_vector, own), fact_vectors), scorer))
        if ranked and ranked[0].score < ANSWER_P:
            ranked = [c for c in ranked if _holds_topic(part, c)][:1]
        if ranked and (ranked[0].score >= ANSWER_P or _holds_topic(part, ranked[0])):
            answers.append(_answers(part, ranked, cands.scope))
        elif part.kinds:
            unanswered.append(part.text)
    return Selection(_fair_share(answers), cands.focus, tuple(unanswered))


def _blend(whole: np.ndarray | None, part: np.ndarray) -> np.ndarray:
    """A part's vector with the whole question's: the part says what is asked, the whole
    what it is about."""
    if whole is None:
        return part
    total = whole * PART_WEIGHT_WHOLE + part
    return total / (np.linalg.norm(total) or 1.0)


def on_topic(part: Part, ranked: list[ScoredFact]) -> list[ScoredFact]:
    """A part asking about a service (returns, a refund, shipping, ...) is answered by the
    store's words for it: the facts that hold them, when one is likely enough (`TOPIC_P`);
    a product's look or an unrelated FAQ that happens to be close in meaning is not an answer.
    A clause under a title naming several services must say the one asked itself ("退款" in
    "退换货与退款规则" does not make its returns-window clause a refund answer). Those that
    also hold the rest of what is asked (a cut-off time, a duration) come first."""
    topics = {k for k in part.kinds if k in GATED_TOPICS}
    holders = [c for c in ranked if c.score >= TOPIC_P and _on(topics, c.fact)] if topics else []
    measures = [k for k in part.kinds if k not in TOPIC_KINDS and k not in GENERAL_KINDS]
    return sorted(holders, key=lambda c: not any(features.holds(k, c.fact) for k in measures)) or ranked


def _on(topics: set[str], fact: Fact) -> bool:
    """Whether a fact is about one of `topics`: it says so, or what it is under (an attribute
    key, a policy's title and heading) says so and names no other service."""
    if fact.part not in ("clause", "faq", "attribute"):
        return False
    if any(says_topic(k, fact.text) for k in topics if fact.part != "attribute"):
        return True
    others = GATED_TOPICS - topics - (ONE_SERVICE if topics <= ONE_SERVICE else set())
    return any(says_topic(k, fact.about) for k in topics) and not any(says_topic(k, fact.about) for k in others)


def _holds_topic(part: Part, scored: ScoredFact) -> bool:
    """Whether a fact holds the store's words for a service the part asks about (returns,
    shipping, ...) and is likely enough (`TOPIC_P`) to answer it when nothing else is."""
    return scored.score >= TOPIC_P and any(
        KINDS_BY_NAME[k].markers and features.holds(k, scored.fact) for k in part.kinds)


def _fair_share(answers: list[list[ScoredFact]]) -> list[ScoredFact]:
    """At most `MAX_FACTS` distinct facts: each part's best first, then each part's second,
    and so on; quoted in the order of the parts."""
    kept: set[int] = set()
    texts: set[str] = set()
    for depth in range(max((len(a) for a in answers), default=0)):
        for part in answers:
            if depth < len(part) and len(kept) < MAX_FACTS and part[depth].fact.text not in texts:
                kept.add(id(part[depth]))
                texts.add(part[depth].fact.text)
    return [c for part in answers for c in part if id(c) in kept]


def candidates(question: Question, sources: Sequence[Source], sku_in_view: str | None,
               allowed_hosts: Sequence[str] = (), categories: Collection[str] = ()) -> features.Candidates:
    """Facts of the retrieved sources, in source id order, but none the safety check flags;
    with a product in focus, other products' facts are left out (they describe something the
    shopper is not asking about). `categories`: the merchant's product categories."""
    focus = focus_of(question, sources, sku_in_view)
    facts = [(fact, source) for source in sorted(sources, key=lambda s: s.id)
             if source.kind != "sku" or source in quotable_products(focus, sources)
             for fact in facts_of(source.kind, source.id, source.record)
             if fact.text and not safety.flagged(fact.text, allowed_hosts)]
    return features.Candidates(facts, focus, {s.id: i for i, s in enumerate(sources)}, weights(question.text),
                               features.Scope.of(focus, categories))


def rank(part: Part, question: Question, cands: features.Candidates, sims: features.Sims,
         scorer: Scorer) -> list[ScoredFact]:
    """The candidates that may answer one part, most likely first (ties: source id order)."""
    probs = scorer.probabilities(features.matrix(part, question, cands, sims))
    scored = [ScoredFact(fact, source, float(p)) for (fact, source), p in zip(cands.facts, probs)
              if features.field_ok(part, fact)]
    return sorted(scored, key=lambda s: -s.score)


def quotable_products(focus: Source | None, sources: Sequence[Source]) -> list[Source]:
    """The products whose facts may answer: the one in focus, or every retrieved one."""
    return [focus] if focus else [s for s in sources if s.kind == "sku"]


def focus_of(question: Question, sources: Sequence[Source], sku_in_view: str | None) -> Source | None:
    """The product the question is about: the one in view, unless the shopper names another
    by a spec the one in view lacks ("有32cm的吗": `knowledge.variants`) or clearly by its
    title (the message covers `NAMED_CHARS` or more characters of its title, more than of
    any other product's: words shared by several products name a kind, not a product)."""
    products = sorted((s for s in sources if s.kind == "sku"), key=lambda s: s.id)
    in_view = next((s for s in products if s.id == sku_in_view), None)
    if in_view is not None:
        variant = named_variant(question.text, in_view.id, {s.id: s.title for s in products},
                                {s.id: spec_quantities(s.record) for s in products})
        if variant:
            return next(s for s in products if s.id == variant)
    naming = without_question_words(question.text)     # "多大容量" asks; it names no "大容量" product
    named = {s.id: _covered(naming, s.title) for s in products}
    ranked = sorted(products, key=lambda s: -named[s.id])
    if ranked and named[ranked[0].id] >= NAMED_CHARS and \
            (len(ranked) == 1 or named[ranked[0].id] > named[ranked[1].id]) and \
            named[ranked[0].id] >= (named[in_view.id] if in_view else 0) + NAMED_MARGIN:
        return ranked[0]
    return in_view


def _covered(text: str, title: str) -> int:
    """How many characters of `text` the title names: those in Chinese substrings of two or more
    that the title contains, and Latin or digit words of two or more that are words of the
    title ("xl", "010")."""
    text, title = text.lower(), title.lower()
    title_words = set(_WORD.findall(title))
    covered = sum(len(w) for w in _WORD.findall(text) if len(w) >= 2 and w in title_words)
    for run in _HAN.findall(text):
        spans: set[int] = set()
        for i in range(len(run)):
            for j in range(len(run), i + 1, -1):
                if run[i:j] in title:
                    spans.update(range(i, j))
                    break
        covered += len(spans)
    return covered


def _answers(part: Part, ranked: list[ScoredFact], scope: features.Scope) -> list[ScoredFact]:
    """The best fact of a part; the best holder of each kind of answer it asks for that the
    best does not hold; the next two when likely enough (`RUNNER_UP_P`, or `OTHER_SOURCE_P`
    from another source than the best's), but not one that gives another value of a kind
    already answered ("2小时" beside "48小时") unless it has a fair share of the best's
    likelihood (`RIVAL_SHARE`) and the shopper's words do not set the best apart from it.
    A sold-out stock status brings the likeliest fact saying when it is back (`RESTOCK`).
    Besides the best, none is a policy clause or FAQ about other categories than the
    product in focus's (`scope`)."""
    best = ranked[0]
    ranked = [best] + [c for c in ranked[1:] if not scope.about_others(c.fact)]
    out = [best]
    for kind in part.kinds:
        if kind in features.FIELD_KINDS or kind in GENERAL_KINDS or \
                any(features.holds(kind, c.fact) for c in out):
            continue
        holder = next((c for c in ranked if features.holds(kind, c.fact) and c.score >= HOLDER_P), None)
        if holder is not None:
            out.append(holder)
    if "stock" in part.kinds and best.fact.part == "stock" and best.fact.text == SOLD_OUT:
        # sold out: when it is back is the rest of the answer
        out += [c for c in ranked[1:] if c.fact.part != "stock" and RESTOCK.search(c.fact.text)][:1]
    answered = [k for k in part.kinds if k in UNIT_KINDS
                and any(features.holds(k, c.fact) for c in out)]
    out += [c for c in ranked[1:3] if c not in out and c.score >= RUNNER_UP_P
            and (c.fact.source_id == best.fact.source_id or c.score >= OTHER_SOURCE_P)
            and (not any(features.holds(k, c.fact) for k in answered)
                 or (c.score >= RIVAL_SHARE * best.score and not _set_apart(part, best.fact, c.fact)))]
    return out


def _set_apart(part: Part, best: Fact, rival: Fact) -> bool:
    """The shopper's own words tell the best store text from a rival one: a word of the part
    that the best says and the rival does not, and none the other way ("想发顺丰 要加多少钱":
    the 顺丰 clause's 12元, not the remote areas' 20元). The product's own facts are never set
    apart so."""
    if best.kind == "sku" or rival.kind == "sku":
        return False
    said = [t for t in weights(part.text) if len(t) >= 2 and not features.ASKING_CHARS & set(t)]
    first, second = f"{best.about} {best.text}", f"{rival.about} {rival.text}"
    return any(t in first and t not in second for t in said) and not any(t in second and t not in first for t in said)
