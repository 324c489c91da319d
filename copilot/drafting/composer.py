"""The offline grounded composer: the default drafter, no model.

It quotes the approved FAQ reply, SKU attribute or policy sentence that answers the
shopper (chosen by `AnswerFinder`, whatever rank retrieval gave them) in the store's
voice, says plainly when the knowledge base has no answer, apologises and hands over
to a senior colleague when the conversation must be escalated, and presents outfits.
`compose` returns the whole `Composition` (text, the source ids it used, its pieces);
`draft` streams the same text piece by piece.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from copilot.drafting import DraftRequest
from copilot.drafting.answer_finder import AnswerFinder, ScoredFact
from copilot.drafting.composition import Composition, Piece
from copilot.drafting.facts import Fact, narrowed
from copilot.drafting.outfit_text import outfit_pieces
from knowledge.records import Source

ESCALATION_LEVEL = 3
# Policy sentences that would argue with an upset shopper; never quoted when escalating.
DISMISSIVE = ("正常现象", "属正常", "不属于", "不支持", "不予", "不在", "拒收", "无法")


@dataclass(frozen=True)
class Voice:
    """How the store talks: the frame around the quoted facts."""

    greeting: str = "亲，"
    closing: str = "哦~"
    no_answer: str = "亲，这个问题我这边暂时没有查到确切信息，已经帮您记录，稍后由同事为您确认哦~"
    apology: str = "亲，非常抱歉给您带来了不好的体验，您反映的问题我们非常重视"
    handover: str = "我已经请资深同事马上为您跟进处理，会尽快给您明确的处理方案，请您稍等哦~"
    policy_intro: str = "按照本店《{title}》，"
    other_product: str = "「{title}」"
    sold_out: str = "这款目前暂时缺货"
    outfit_intro: str = "亲，给您搭配了以下几套方案，您看看喜欢哪一套"


DEFAULT_VOICE = Voice()


class Composer:
    name = "composer"

    def __init__(self, *, store_voice: Voice = DEFAULT_VOICE,
                 finder: AnswerFinder | None = None) -> None:
        self.voice = store_voice
        self.finder = finder or AnswerFinder()

    async def draft(self, request: DraftRequest) -> AsyncIterator[str]:
        for piece in self.compose(request).pieces:
            yield piece.text

    def compose(self, request: DraftRequest) -> Composition:
        if _must_escalate(request.escalation):
            return self._escalation(request)
        outfits = list(getattr(request.outfits, "outfits", None) or [])
        if outfits:
            return Composition.of(outfit_pieces(request.outfits, intro=self.voice.outfit_intro,
                                               closing=self.voice.closing), answered=True)
        finding = self.finder.find(request.message, request.sources,
                                   sku_in_view=request.sku_in_view, history=request.history)
        if not finding.answered:
            return Composition.of([Piece(self.voice.no_answer)], answered=False)
        clauses = self._clauses(finding.facts, finding.focus, request.sku_in_view)
        focus = finding.focus
        if focus and "restock" in finding.concepts and focus.record.get("stock") == 0:
            clauses.insert(0, Piece(self.voice.sold_out, (focus.id,)))
        return Composition.of(self._framed(clauses), answered=True)

    def _escalation(self, request: DraftRequest) -> Composition:
        ranked = self.finder.find(request.message, [s for s in request.sources
                                                    if s.kind == "policy"]).facts
        calm = [f for f in ranked if not any(w in f.fact.text for w in DISMISSIVE)][:1]
        clauses = [Piece(self.voice.apology + "。")]
        clauses += [Piece(c.text + "。", c.sources) for c in self._clauses(calm, None, None)]
        clauses.append(Piece(self.voice.handover))
        return Composition.of(clauses, answered=bool(calm))

    def _clauses(self, facts: list[ScoredFact], focus: Source | None,
                 sku_in_view: str | None) -> list[Piece]:
        pieces: list[Piece] = []
        introduced: set[str] = set()
        category = (focus.record.get("category") or "") if focus else ""
        for scored in facts:
            fact = scored.fact
            text = _bare(narrowed(fact.text, category) if fact.source.kind != "sku" else fact.text)
            if fact.source.kind == "policy" and fact.source_id not in introduced:
                title = fact.source.record.get("title") or fact.source.title
                text = self.voice.policy_intro.format(title=title) + text
            elif fact.source.kind == "sku":
                text = self._product_clause(fact, text, sku_in_view)
            introduced.add(fact.source_id)
            pieces.append(Piece(text, (fact.source_id,)))
        return pieces

    def _product_clause(self, fact: Fact, text: str, sku_in_view: str | None) -> str:
        if fact.source.id == sku_in_view:
            subject = "这款"
        else:
            title = (fact.source.record.get("title") or fact.source.title).split()[0]
            subject = self.voice.other_product.format(title=title)
        if fact.part == "attribute":
            return f"{subject}的{fact.key}是：{text}"
        return f"{subject}：{text}"

    def _framed(self, clauses: list[Piece]) -> list[Piece]:
        """Greeting, the clauses joined by 。, closing: one streamed delta each."""
        out = [Piece(self.voice.greeting)]
        out += [Piece(c.text + ("。" if i < len(clauses) - 1 else ""), c.sources)
                for i, c in enumerate(clauses)]
        return out + [Piece(self.voice.closing)]


def _must_escalate(escalation: object) -> bool:
    if escalation is None:
        return False
    return bool(getattr(escalation, "escalate", False)) or \
        (getattr(escalation, "level", 0) or 0) >= ESCALATION_LEVEL


_GREETING = re.compile(r"^(?:亲[，,~～！!]*|您好[，,！!]*)\s*")
_ENDING = re.compile(r"[哦呢呀啦]?[~～。！!，,；;\s]*$")


def _bare(text: str) -> str:
    """A quoted text without its own greeting and final particle, to sit inside the frame."""
    return _ENDING.sub("", _GREETING.sub("", text.strip()))
