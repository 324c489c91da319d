"""The offline grounded composer: the default drafter, no model.

It reads the question (`question`), chooses the facts that answer each part of it by
meaning, words and the kind of answer wanted (`selection`), and quotes them in the
store's voice, in the shopper's language (`voice`). Small talk gets a greeting; a part
nothing answers gets a plain "I'll check" (the service records it as a knowledge gap);
an upset shopper who must be escalated gets an apology and the hand-over; outfits are
presented. `compose` returns the whole `Composition`; `draft` streams it piece by piece.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator

from copilot.drafting import DraftRequest
from copilot.drafting.composition import Composition, Piece
from copilot.drafting.narrowing import Own, kept, narrowed
from copilot.drafting.outfit_text import outfit_pieces
from copilot.drafting.question import Question, read
from copilot.drafting.selection import ScoredFact, Scorer, Selection, select
from copilot.drafting.voice import DEFAULT_VOICE, Voice, voice_for
from knowledge.records import Source

ESCALATION_LEVEL = 3
# Policy sentences that would argue with an upset shopper; never quoted when escalating.
DISMISSIVE = ("正常现象", "属正常", "不属于", "不支持", "不予", "不在", "拒收", "无法")
NAME_CHARS = 6                      # another product is named by the first words of its title, this long

_GREETING = re.compile(r"^(?:亲[，,~～！!]*|您好[，,！!]*)\s*")
_ENDING = re.compile(r"[哦呢呀啦]?[~～。！!，,；;\s]*$")


class Composer:
    name = "composer"

    def __init__(self, *, store_voice: Voice = DEFAULT_VOICE, scorer: Scorer | None = None) -> None:
        """`scorer`: the fact scorer's weights (default: the shipped `selection_model.json`)."""
        self.voice = store_voice
        self.scorer = scorer

    async def draft(self, request: DraftRequest) -> AsyncIterator[str]:
        for piece in self.compose(request).pieces:
            yield piece.text

    def compose(self, request: DraftRequest) -> Composition:
        question = read(request.message, request.history)
        voice = voice_for(question.language, self.voice)
        if _must_escalate(request.escalation):
            return self._escalation(request, question, voice)
        if request.outfits is not None and (getattr(request.outfits, "outfits", None)
                                            or getattr(request.outfits, "note", None)):
            return Composition.of(outfit_pieces(request.outfits, voice=voice), answered=True)
        if question.small_talk:
            text = voice.thanks if question.small_talk == "thanks" else voice.hello
            return Composition.of([Piece(text)], answered=True)
        found = self.select(request, question)
        if not found.answered:
            return Composition.of([Piece(voice.no_answer)], answered=False,
                                  unanswered=found.unanswered or (question.text,))
        own = Own.of(found.focus, request.categories, question.text, request.alternatives)
        clauses = self._clauses(Selection(_applicable(found.facts, own), found.focus, found.unanswered),
                                request.sku_in_view, voice, own)
        clauses += [Piece(voice.partly.format(part=part)) for part in found.unanswered]
        return Composition.of(self._framed(clauses, voice), answered=True,
                              unanswered=found.unanswered)

    def select(self, request: DraftRequest, question: Question,
               sources: tuple[Source, ...] | None = None) -> Selection:
        return select(question, request.sources if sources is None else sources,
                      sku_in_view=request.sku_in_view, query_vector=request.query_vector,
                      part_vectors=request.part_vectors, categories=request.categories,
                      fact_vectors=request.fact_vectors,
                      scorer=self.scorer, allowed_hosts=request.allowed_hosts)

    def _escalation(self, request: DraftRequest, question: Question, voice: Voice) -> Composition:
        policies = tuple(s for s in request.sources if s.kind == "policy")
        ranked = self.select(request, question, policies).facts
        calm = [f for f in ranked if not any(w in f.fact.text for w in DISMISSIVE)][:1]
        calm_found = Selection(calm, None, ())
        clauses = [Piece(voice.apology + voice.separator)]
        clauses += [Piece(c.text + voice.separator, c.sources)
                    for c in self._clauses(calm_found, None, voice, Own.of(None))]
        clauses.append(Piece(voice.handover))
        return Composition.of(clauses, answered=bool(calm))

    def _clauses(self, found: Selection, sku_in_view: str | None, voice: Voice, own: Own) -> list[Piece]:
        """One clause per chosen fact; a store text narrowed to what applies to the product
        in focus (`narrowing`)."""
        pieces: list[Piece] = []
        introduced: set[str] = set()
        for scored in found.facts:
            pieces.append(Piece(self._clause(scored, own, sku_in_view, voice, introduced),
                                (scored.fact.source_id,)))
            introduced.add(scored.fact.source_id)
        return pieces

    def _clause(self, scored: ScoredFact, own: Own, sku_in_view: str | None, voice: Voice,
                introduced: set[str]) -> str:
        fact, source = scored.fact, scored.source
        if fact.kind == "policy":
            template = voice.policy_again if fact.source_id in introduced else voice.policy
            return template.format(title=source.record.get("title") or source.title,
                                   value=_bare(narrowed(fact.text, own)))
        if fact.kind == "faq":
            return voice.faq.format(value=_bare(narrowed(fact.text, own)))
        subject = voice.this_product if fact.source_id == sku_in_view else \
            voice.other_product.format(title=short_title(source.title))
        value = dict(voice.stock_words).get(fact.text, fact.text) if fact.part == "stock" else fact.text
        template = {"price": voice.price, "stock": voice.stock, "spec": voice.spec,
                    "attribute": voice.attribute}.get(fact.part, voice.description)
        return template.format(subject=subject, key=fact.about, value=_bare(value))

    def _framed(self, clauses: list[Piece], voice: Voice) -> list[Piece]:
        """Greeting, the clauses joined by the separator, closing: one streamed delta each."""
        out = [Piece(voice.greeting)]
        out += [Piece(c.text + (voice.separator if i < len(clauses) - 1 else ""), c.sources)
                for i, c in enumerate(clauses)]
        return out + [Piece(voice.closing)]


def short_title(title: str) -> str:
    """The first words of a title, at least `NAME_CHARS` long ("山谷烘焙 曼特宁 深烘咖啡豆 227g" ->
    "山谷烘焙 曼特宁")."""
    words: list[str] = []
    for word in title.split():
        words.append(word)
        if len("".join(words)) >= NAME_CHARS:
            break
    return " ".join(words)


def _applicable(facts: list[ScoredFact], own: Own) -> list[ScoredFact]:
    """The chosen facts without the clauses of a policy or FAQ that are another alternative
    than the product in focus's beside one that is its own (`narrowing.kept`)."""
    dropped: set[int] = set()
    for source_id in dict.fromkeys(f.fact.source_id for f in facts if f.fact.kind != "sku"):
        group = [f for f in facts if f.fact.source_id == source_id]
        if len(group) > 1:
            texts = [f.fact.text for f in group]
            dropped |= {id(f) for f, keep in zip(group, kept(texts, own)) if not keep}
    return [f for f in facts if id(f) not in dropped]


def _must_escalate(escalation: object) -> bool:
    if escalation is None:
        return False
    return bool(getattr(escalation, "escalate", False)) or \
        (getattr(escalation, "level", 0) or 0) >= ESCALATION_LEVEL


def _bare(text: str) -> str:
    """A quoted text without its own greeting and final particle, to sit inside the frame."""
    return _ENDING.sub("", _GREETING.sub("", text.strip()))
