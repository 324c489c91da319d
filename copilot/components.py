"""Builds the copilot's parts from settings, once (in FastAPI's lifespan or a CLI command)."""
from __future__ import annotations

from dataclasses import dataclass

from copilot.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embedders import Embedder, make_embedder
from knowledge.index import VectorIndex, make_client
from knowledge.retrieval import Retriever


@dataclass
class Components:
    settings: Settings
    embedder: Embedder
    kb: KnowledgeBase
    retriever: Retriever

    def close(self) -> None:
        """Release what the parts hold open."""


def build(settings: Settings) -> Components:
    embedder = make_embedder(settings.embedder)
    index = VectorIndex(client=make_client(settings), embedder_name=embedder.name, dim=embedder.dim)
    kb = KnowledgeBase(index=index, embedder=embedder)
    return Components(settings=settings, embedder=embedder, kb=kb, retriever=Retriever(kb=kb))
