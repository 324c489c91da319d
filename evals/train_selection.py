"""Fit the fact scorer (`copilot/drafting/selection_model.json`) on labelled merchants.

Each merchant folder (catalog, policies/, faqs.csv, an eval set) is loaded into a fresh
data dir and its reply cases run through retrieval exactly as the pipeline runs it.
Every candidate fact of every case becomes one row of features
(`copilot.drafting.features`), labelled 1 when it holds one of the case's expected
facts. A logistic regression (scikit-learn, standardised features, folded back into
plain weights) is fitted on all rows and written with what it was fitted on.

`--folds` first reports leave-one-merchant-out fact coverage: fitted on the other
merchants, measured on the one left out, which is how the weights do on a vertical they
have never seen.

    python -m evals.train_selection                  # every folder under evals/heldout, eval.jsonl
    python -m evals.train_selection --folds --dry-run
"""
from __future__ import annotations

import argparse
import datetime
import json
import tempfile
from pathlib import Path

import numpy as np

from copilot.cli import ingest_paths
from copilot.components import build
from copilot.drafting import DraftRequest, features
from copilot.drafting.composer import Composer
from copilot.drafting.question import Part, read
from copilot.drafting.selection import MODEL_FILE, Scorer, candidates
from copilot.pipeline import AssistRequest
from copilot.settings import Settings
from evals.cases import EvalCase, load_cases
from evals.metrics import fact_hits
from evals.regression import HELDOUT, merchant_id

C = 1.0          # inverse L2 strength of the logistic regression

Item = tuple[str, EvalCase, DraftRequest]


def requests(folders: list[Path], *, eval_file: str, data_dir: Path) -> list[Item]:
    """(merchant folder name, case, the draft request the pipeline would build) per reply case."""
    parts = build(Settings(data_dir=data_dir, _env_file=None))
    items: list[Item] = []
    try:
        for folder in folders:
            merchant = merchant_id(folder)
            parts.kb.create_merchant(merchant, name=folder.name)
            ingest_paths(parts.kb, merchant, [folder])
            for case in load_cases(folder / eval_file):
                if case.expect.kind != "reply":
                    continue
                req = AssistRequest(merchant=merchant, message=case.message, sku=case.sku, history=case.turns)
                found = parts.pipeline.retrieve(req)
                items.append((folder.name, case, DraftRequest(
                    merchant=merchant, message=case.message, history=case.turns, sources=found.sources,
                    sku_in_view=case.sku, query_vector=found.vector, part_vectors=found.part_vectors,
                    fact_vectors=found.fact_vectors, categories=found.categories,
                    alternatives=found.alternatives)))
    finally:
        parts.close()
    return items


def rows(items: list[Item]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and the merchant of each row: the whole question against every candidate."""
    xs, ys, groups = [], [], []
    for name, case, request in items:
        question = read(request.message, request.history)
        whole = Part(question.text, tuple(dict.fromkeys(k for p in question.parts for k in p.kinds)),
                     " ".join(p.asking for p in question.parts))
        cands = candidates(question, request.sources, request.sku_in_view, categories=request.categories)
        labels = [any(fact_hits(case.expect.facts, fact.text)) for fact, _ in cands.facts]
        if not any(labels):
            continue
        xs.append(features.matrix(whole, question, cands,
                                  cands.vectors_sims(request.query_vector, request.fact_vectors)))
        ys += labels
        groups += [name] * len(labels)
    return np.vstack(xs), np.array(ys, dtype=int), np.array(groups)


def fit(x: np.ndarray, y: np.ndarray, meta: dict) -> Scorer:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=C, max_iter=2000).fit((x - scaler.mean_) / scale, y)
    weights = model.coef_[0] / scale
    bias = float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scale))
    return Scorer(weights.astype(np.float32), bias, meta)


def coverage(items: list[Item], scorer: Scorer) -> dict[str, float]:
    composer = Composer(scorer=scorer)
    hits: dict[str, list[bool]] = {}
    for name, case, request in items:
        hits.setdefault(name, []).extend(fact_hits(case.expect.facts, composer.compose(request).text))
    return {name: round(sum(h) / len(h), 4) for name, h in hits.items()}


def write(scorer: Scorer, path: Path) -> None:
    data = {**scorer.meta, "bias": round(scorer.bias, 6),
            "weights": {n: round(float(w), 6) for n, w in zip(features.NAMES, scorer.weights)}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path,
                        help=f"labelled merchant folders (default: every folder under {HELDOUT})")
    parser.add_argument("--eval-file", default="eval.jsonl")
    parser.add_argument("--folds", action="store_true", help="report leave-one-merchant-out coverage first")
    parser.add_argument("--dry-run", action="store_true", help=f"do not write {MODEL_FILE.name}")
    args = parser.parse_args()
    folders = args.folders or sorted(p for p in HELDOUT.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="copilot-train-") as tmp:
        items = requests(folders, eval_file=args.eval_file, data_dir=Path(tmp))
    x, y, groups = rows(items)
    if args.folds:
        print("| left out | fact coverage, fitted without it |\n|---|---|")
        for name in sorted(set(groups)):
            scorer = fit(x[groups != name], y[groups != name], {})
            left_out = coverage([i for i in items if i[0] == name], scorer)[name]
            print(f"| {name} | {left_out} |")
    meta = {"fitted_on": [f"{f.name}/{args.eval_file}" for f in folders], "rows": int(len(y)),
            "positives": int(y.sum()), "date": datetime.date.today().isoformat(), "C": C}
    scorer = fit(x, y, meta)
    print("fact coverage on the fitting sets:", coverage(items, scorer))
    if not args.dry_run:
        write(scorer, MODEL_FILE)
        print(f"written {MODEL_FILE}")


if __name__ == "__main__":
    main()
