"""Drafting a reply: the drafter protocol and what a drafter is given.

A drafter turns a `DraftRequest` into a stream of text deltas. Two implementations:
`composer.Composer` (offline, grounded, no model) and `llm.LLMDrafter` (any
OpenAI-compatible endpoint through LangChain `ChatOpenAI`).
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from copilot.turns import Turn
from knowledge.records import Source


@dataclass(frozen=True)
class DraftRequest:
    merchant: str
    message: str
    history: tuple[Turn, ...] = ()
    sources: tuple[Source, ...] = ()          # ranked, already fitted to the token budget
    sku_in_view: str | None = None
    escalation: Any = None                    # copilot.escalation.Assessment, when assessed
    outfits: Any = None                       # copilot.outfits result, for styling questions
    query_vector: Any = None                  # the message's embedding, computed once for retrieval
    part_vectors: Mapping[str, Any] = field(default_factory=dict)  # each part's, when it asks several things
    fact_vectors: Mapping[str, Any] = field(default_factory=dict)  # the merchant's fact vectors by id
    categories: frozenset[str] = frozenset()  # the merchant's product categories
    alternatives: Mapping[str, frozenset[str]] = field(default_factory=dict)  # attribute key -> the values
                                              # the merchant's products give it (a sibling's is another alternative)
    prompts: Mapping[str, Any] = field(default_factory=dict)  # task -> PromptTemplate: this conversation's
                                              # active version or A/B arm (a drafter's default otherwise)
    allowed_hosts: tuple[str, ...] = ()       # hosts the merchant allows links to (`copilot.safety`)
    extra: dict = field(default_factory=dict)


class Drafter(Protocol):
    name: str

    def draft(self, request: DraftRequest) -> AsyncIterator[str]:
        """Yield the reply as text deltas; raise `UpstreamError` when the model fails."""
        ...
