"""The assist pipeline: one shopper message in, an async stream of typed events out.

    escalation -> sources -> (outfits) -> draft.delta ... -> draft.done

Every draft passes the safety check (`copilot.safety`) beside grounding: what the draft,
the shopper's message and each source hold that must not reach a shopper silently (links
to hosts the merchant has not allowed, requests for passwords or card numbers, moves off
the platform, instructions to an assistant) is in `draft.done`'s `safety`, for the agent.

Retrieval and drafting stand on the merchant's knowledge only. When the configured
drafter (an LLM) fails, an `error` event says why and the offline composer drafts
instead, so the agent always gets a draft. HTTP routes and the eval harness both
consume this same generator.
"""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from copilot import safety, tokens
from copilot.safety.fields import quotable
from copilot.escalation import DEFAULT_THRESHOLDS, Assessment, Assessor, Thresholds
from copilot.escalation.model import shipped_head
from copilot.escalation.feedback import LabelStore, Teachings
from copilot.drafting import DraftRequest, Drafter
from copilot.drafting.composer import Composer
from copilot.drafting.grounding import check as grounding_check
from copilot.drafting.promises import check as promise_check
from copilot.drafting.question import read
from copilot.drafting.selection import focus_of
from copilot.errors import UpstreamError
from copilot.events import Event
from copilot.outfits import Stylist
from copilot.prompts import PromptTemplate
from copilot.turns import Turn
from knowledge.records import Source
from knowledge.embedders import make_embedder
from knowledge.retrieval import EMBEDDED_MESSAGES, Retriever

CITATION = re.compile(r"\[(\d{1,2})\]")
ESCALATED = ("escalate",)    # what the system did when the assessor escalates: the router hands it over


@dataclass(frozen=True)
class AssistRequest:
    merchant: str
    message: str
    sku: str | None = None
    history: tuple[Turn, ...] = ()
    conversation_id: str | None = None
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    # task -> PromptTemplate to draft with; None: the merchant's active ones (A/B arm by conversation)
    prompts: Mapping[str, PromptTemplate] | None = None
    # the escalation assessment that stands (a draft resumed after a restart keeps the logged
    # one); None: assess the message
    assessment: Assessment | None = None


class Pipeline:
    def __init__(self, *, retriever: Retriever, drafter: Drafter, composer: Composer,
                 context_tokens: int, history_tokens: int,
                 clock: Callable[[], float] = time.perf_counter, prompt_registry=None,
                 labels: LabelStore | None = None) -> None:
        """`prompt_registry` (a `copilot.prompt_registry.PromptRegistry`) picks each merchant's
        active prompt versions; without it the drafter uses its own. `labels` holds what
        agents and trainers taught the assessor about each merchant."""
        self.retriever = retriever
        # The head reads e5 query vectors: retrieval's own when retrieval embeds with e5.
        head = shipped_head()
        embed = retriever.embed if retriever.kb.embedder.name == head.meta["embedder"] else \
            lru_cache(maxsize=EMBEDDED_MESSAGES)(make_embedder(head.meta["embedder"]).embed_query)
        self.assessor = Assessor(embed, head)
        self.teachings = Teachings(labels, lambda texts: np.array([embed(t) for t in texts])) \
            if labels is not None else None
        self.drafter = drafter
        self.composer = composer
        self.context_tokens = context_tokens
        self.history_tokens = history_tokens
        self.stylist = Stylist(retriever.kb, embed)
        self._clock = clock
        self.prompt_registry = prompt_registry

    async def run(self, req: AssistRequest) -> AsyncIterator[Event]:
        start = self._clock()
        timings: dict[str, float] = {}

        def mark(name: str) -> None:
            timings[name] = round((self._clock() - start) * 1000, 2)

        assessment = req.assessment
        if assessment is None:
            assessment = await asyncio.to_thread(self.assess, req)
        mark("escalation_ms")
        yield Event("escalation", assessment.to_dict())

        retrieved = await asyncio.to_thread(self.retrieve, req)
        vector, sources = retrieved.vector, retrieved.sources
        allowed = await asyncio.to_thread(self.retriever.kb.allowed_hosts, req.merchant)
        history = _fit_history(req.history, self.history_tokens)
        mark("retrieval_ms")
        unsafe = {s.id: safety.scan(_source_text(s), allowed) for s in sources}
        yield Event("sources", {"sources": [_source_view(s, unsafe[s.id]) for s in sources]})

        # Recognising a styling question is a dot product on the loop (the message's vector is
        # cached from the assessment); the outfits go to a worker thread, since the first one
        # after a knowledge change rebuilds the merchant's wardrobe (evals/bench_outfits.py).
        outfits = None
        if self.stylist.asks(req.message, req.history):
            outfits = await asyncio.to_thread(self.stylist.outfits, req.merchant, req.message, req.history,
                                              sku_in_view=req.sku)
        if outfits is not None:
            mark("outfits_ms")
            yield Event("outfits", outfits.to_dict())

        request = DraftRequest(merchant=req.merchant, message=req.message, history=history,
                               sources=sources, sku_in_view=req.sku, escalation=assessment,
                               outfits=outfits, query_vector=vector, part_vectors=retrieved.part_vectors,
                               fact_vectors=retrieved.fact_vectors, categories=retrieved.categories,
                               alternatives=retrieved.alternatives,
                               prompts=self._prompts(req), allowed_hosts=allowed)
        drafter, text, citations, unanswered = self.drafter, [], None, ()
        if drafter is not self.composer:
            llm_start = self._clock()   # from the request to the model's last token
            try:
                async for delta in drafter.draft(request):
                    text.append(delta)
                    yield Event("draft.delta", {"text": delta})
                citations = _cited_numbers(request.sources, "".join(text))
            except UpstreamError as err:
                yield Event("error", {"code": err.code, "message": str(err),
                                      "fallback": self.composer.name, "discarded": "".join(text)})
                drafter, text = self.composer, []
            timings["llm_ms"] = round((self._clock() - llm_start) * 1000, 2)
        if citations is None:
            composition = self.composer.compose(request)
            citations, unanswered = composition.citations, composition.unanswered
            for n, piece in enumerate(composition.pieces):
                text.append(piece.text)
                yield Event("draft.delta", {"text": piece.text, "restart": n == 0 and drafter is not self.drafter})
        draft = "".join(text)
        cited = [s for s in sources if s.id in citations] or list(sources)
        report = grounding_check(draft, cited + _outfit_sources(outfits))
        promises = promise_check(draft, done=ESCALATED if assessment.escalate else ())
        findings = [{"where": "draft"} | f.to_dict() for f in safety.scan(draft, allowed)]
        findings += [{"where": "message"} | f.to_dict() for f in safety.scan(req.message, allowed)]
        findings += [{"where": "source", "source_id": sid} | f.to_dict()
                     for sid, found in unsafe.items() for f in found]
        mark("draft_done_ms")
        yield Event("draft.done", {
            "text": draft, "citations": citations, "ungrounded": report.ungrounded,
            "grounded": report.ok, "unkept_promises": promises.unkept, "safety": findings,
            "unanswered": list(unanswered), "drafter": drafter.name,
            "prompt": _prompt_ref(drafter, request), "escalation": assessment.to_dict(),
            "timings": timings,
        })

    def assess(self, req: AssistRequest) -> Assessment:
        """The escalation assessment of the message, with what the merchant's agents and
        trainers taught; the message's vector is computed here once and kept for retrieval."""
        return self.assessor.assess(req.message, req.history, thresholds=req.thresholds,
                                    taught=self.teachings.of(req.merchant) if self.teachings else None)

    def retrieve(self, req: AssistRequest) -> Retrieved:
        """The query vector (once per message, shared with drafting) and the sources that fit
        the context budget, for everything the shopper asks (`question.read`: unanswered
        earlier turns and the message); for a question of several parts, each part's vector
        too; and what drafting matches facts with, read here, off the event loop: the
        merchant's fact vectors (the statements of the product in focus embedded now if the
        warm-up has not reached it), its categories and its products' attribute values."""
        question = read(req.message, req.history)
        vector = self.retriever.embed_turns(question.turns)
        found = self.retriever.search(req.merchant, question.text, sku=req.sku, vector=vector)
        sources = tuple(found[: tokens.fit([s.text for s in found], self.context_tokens)])
        focus = focus_of(question, sources, req.sku)
        fact_vectors = self.retriever.statement_vectors(req.merchant, [focus] if focus else [])
        parts = {p.text: self.retriever.embed(p.text) for p in question.parts} \
            if len(question.parts) > 1 else {}
        return Retrieved(vector, sources, parts, fact_vectors, self.retriever.categories(req.merchant),
                         self.retriever.alternatives(req.merchant))

    def _prompts(self, req: AssistRequest) -> Mapping[str, PromptTemplate]:
        if req.prompts is not None:
            return req.prompts
        if self.prompt_registry is None:
            return {}
        return self.prompt_registry.choices(req.merchant, req.conversation_id)


@dataclass(frozen=True)
class Retrieved:
    vector: np.ndarray                       # the question's embedding
    sources: tuple[Source, ...]
    part_vectors: dict[str, np.ndarray]      # part text -> its embedding, for questions of several parts
    fact_vectors: dict[str, np.ndarray]      # the merchant's fact vectors by id
    categories: frozenset[str]               # the merchant's product categories
    alternatives: dict[str, frozenset[str]]  # attribute key -> every value its products give it


def _cited_numbers(sources: tuple[Source, ...], draft: str) -> list[str]:
    """The sources an LLM draft cites as [n]; all of them when it cites none."""
    numbered = {str(i): s.id for i, s in enumerate(sources, start=1)}
    cited = [numbered[n] for n in dict.fromkeys(CITATION.findall(draft)) if n in numbered]
    return cited or [s.id for s in sources]


def _outfit_sources(outfits) -> list[Source]:
    """Outfit items as grounding material: their titles and prices come from the catalog."""
    if outfits is None:
        return []
    return [Source(id=i["sku_id"], kind="sku", title=i["title"], score=0.0,
                   text=f"{i['title']} {i['price']}元 合计{o['total']}元 {o['added_total']}元")
            for o in outfits.to_dict()["outfits"] for i in o["items"]]


def _prompt_ref(drafter: Drafter, request: DraftRequest) -> dict | None:
    prompt_for = getattr(drafter, "prompt_for", None)
    if prompt_for is None:
        return None
    template = prompt_for(request)
    return {"id": template.id, "version": template.version}


def _fit_history(history: tuple[Turn, ...], budget: int) -> tuple[Turn, ...]:
    """The most recent turns that fit the history budget, oldest first."""
    newest_first = list(reversed(history))
    keep = tokens.fit([t.text for t in newest_first], budget)
    return tuple(reversed(newest_first[:keep]))


def _source_view(s: Source, findings: list[safety.Finding]) -> dict:
    return {"id": s.id, "kind": s.kind, "title": s.title, "score": s.score, "text": s.text,
            "safety": [f.to_dict() for f in findings]}


def _source_text(s: Source) -> str:
    """Everything of a source a draft could quote: its passage and its record's strings."""
    return "\n".join([s.title, s.text, *(text for _, text in quotable(s.record))])
