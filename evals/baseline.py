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
from evals.cases import load_cases
from evals.langchain_plain import add_entries, plain_store
from evals.metrics import RECALL_AT, reciprocal_rank, retrieval_hit

FETCH = 40  # chunks fetched, so that 5 distinct sources remain after de-duplication


def distinct_sources(docs) -> list[str]:
    return list(dict.fromkeys(d.metadata["source_id"] for d in docs))


def run(folder: Path) -> dict:
    entries = [e for kind, path in loaders.files_in([folder])
               for record in loaders.parse(kind, path.name, path.read_bytes())
               for e in entries_for(record)]
    with tempfile.TemporaryDirectory() as tmp:
        store = plain_store(Path(tmp))
        add_entries(store, entries)
        cases = [c for c in load_cases(folder / "eval.jsonl") if c.expect.kind == "reply" and c.expect.sources]
        ranked = [distinct_sources(store.similarity_search(c.message, k=FETCH)) for c in cases]
    return {"cases": len(cases),
            f"recall_at_{RECALL_AT}": round(sum(retrieval_hit(c.expect.sources, r)
                                                for c, r in zip(cases, ranked)) / len(cases), 4),
            "mrr": round(sum(reciprocal_rank(c.expect.sources, r) for c, r in zip(cases, ranked)) / len(cases), 4)}


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(Path(arg).name, "plain dense-only LangChain + Chroma:", run(Path(arg)))
