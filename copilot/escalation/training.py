"""Fitting the shipped head on the labelled examples the project owns (`examples/`).

    python -m copilot.escalation.training [--c 1.0] [--folds] [--cache FILE]

Each `examples/*.jsonl` line is a shopper message with its `level` (0-3) and optional
`history`, or a social-media post with its `emotion` (what anger looks like outside a
shop: angry -> level 2, sad or fear -> 1, the rest -> 0), weighted `POST_WEIGHT` (there
are as many posts as shopper messages; these weigh more).
`examples/README.md` says who wrote them and how. Every message is embedded as a query
(the vector retrieval computes at run time), its row built by `features.row`, and one
multinomial logistic regression fitted on the rows, another on the messages' character
n-grams (tf-idf); the head blends them (`TEXT_SHARE`); `--folds` first reports how a head
fitted without each file does on that file. `head.npz` and `head.json` are written
beside this module.
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

from copilot.blend import grams
from copilot.errors import InputProblem, UploadRejected
from copilot.escalation import cues, features
from copilot.escalation.model import LEVELS, Head
from copilot.turns import Turn
from knowledge.embedders import E5Embedder, Embedder

EXAMPLES = Path(__file__).with_name("examples")
POST_WEIGHT = 0.5
EMOTION_LEVEL = {"angry": 2, "sad": 1, "fear": 1, "neutral": 0, "happy": 0, "surprise": 0}
EXEMPLARS_PER_LEVEL = 120
DEFAULT_C = 10.0
TEXT_SHARE = 0.3          # the n-gram half's share of P(level), chosen on the held-out dev splits
MIN_GRAM_EXAMPLES = 3     # an n-gram in fewer examples than this is not a column
CUTOFF_FOLDS = 5
CUTOFF_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)


@dataclass(frozen=True)
class Example:
    message: str
    history: tuple[Turn, ...]
    level: int
    weight: float
    origin: str          # file name


def load_examples(folder: Path = EXAMPLES) -> list[Example]:
    """Every labelled example of the folder's JSONL files; a bad line raises `UploadRejected`
    naming the file, line and field."""
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                out.append(_example(path, n, line))
    return out


def _example(path: Path, n: int, line: str) -> Example:
    def bad(field: str | None, message: str, message_zh: str) -> UploadRejected:
        return UploadRejected([InputProblem(str(path), n, field, message, message_zh)])

    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise bad(None, f"not JSON ({err.msg})", f"不是有效的 JSON（第 {err.colno} 列附近格式有误）") from err
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        raise bad("message", "must be a non-empty string", "必须是非空的文字")
    if "emotion" in data:
        if data["emotion"] not in EMOTION_LEVEL:
            raise bad("emotion", f"must be one of {sorted(EMOTION_LEVEL)}",
                      f"只能是 {'、'.join(sorted(EMOTION_LEVEL))} 之一")
        return Example(message, (), EMOTION_LEVEL[data["emotion"]], POST_WEIGHT, path.name)
    level = data.get("level")
    if not isinstance(level, int) or not 0 <= level < LEVELS:
        raise bad("level", "must be 0, 1, 2 or 3", "只能是 0、1、2 或 3")
    history = []
    for i, turn in enumerate(data.get("history") or []):
        if not isinstance(turn, dict) or turn.get("role") not in ("customer", "agent") \
                or not isinstance(turn.get("text"), str):
            raise bad(f"history[{i}]", "must be {role: customer|agent, text}",
                      "必须是 {role: customer|agent, text} 形式的对象")
        history.append(Turn(turn["role"], turn["text"]))
    return Example(message, tuple(history), level, 1.0, path.name)


class Vectors:
    """Query vectors of texts, each embedded once (optionally kept in an .npz between runs)."""

    def __init__(self, embedder: Embedder, cache: Path | None = None):
        self.embedder, self.cache = embedder, cache
        self.known: dict[str, np.ndarray] = {}
        if cache is not None and cache.exists():
            with np.load(cache) as data:
                self.known = dict(zip(data["texts"].tolist(), data["vectors"]))

    def of(self, texts: list[str]) -> list[np.ndarray]:
        new = [t for t in dict.fromkeys(texts) if t not in self.known]
        if new:
            self.known.update(zip(new, self.embedder.embed_queries(new)))
            if self.cache is not None:
                np.savez(self.cache, texts=np.array(list(self.known)), vectors=np.array(list(self.known.values())))
        return [self.known[t] for t in texts]


def rows(examples: list[Example], vectors: Vectors) -> np.ndarray:
    texts = [e.message for e in examples] + [t.text for e in examples for t in e.history if t.role == "customer"]
    vectors.of(texts)
    return np.vstack([features.row(vectors.of([e.message])[0],
                                   vectors.of([t.text for t in e.history if t.role == "customer"]),
                                   cues.find(e.message, e.history)) for e in examples])


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray, c: float) -> LogisticRegression:
    """Levels weigh alike however many examples each has (the files are not a shop's mix)."""
    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y, sample_weight=weight)


def grams_of(examples: list[Example]) -> tuple[TfidfVectorizer, csr_matrix]:
    """The n-gram columns (in `MIN_GRAM_EXAMPLES` examples or more) and every example's tf-idf
    row, computed as `model.Head.tfidf` computes them at run time."""
    vectorizer = TfidfVectorizer(analyzer=grams, min_df=MIN_GRAM_EXAMPLES, sublinear_tf=True)
    return vectorizer, vectorizer.fit_transform([e.message for e in examples])


def blended(x: np.ndarray, t: csr_matrix, y: np.ndarray, weight: np.ndarray, c: float,
            fit_idx: np.ndarray, predict_idx: np.ndarray) -> np.ndarray:
    """P(level) of the `predict_idx` examples from both halves fitted on the `fit_idx` ones."""
    row_half = fit(x[fit_idx], y[fit_idx], weight[fit_idx], c).predict_proba(x[predict_idx])
    gram_half = fit(t[fit_idx], y[fit_idx], weight[fit_idx], c).predict_proba(t[predict_idx])
    return (1 - TEXT_SHARE) * row_half + TEXT_SHARE * gram_half


def train(examples: list[Example], vectors: Vectors, *, c: float = DEFAULT_C) -> Head:
    x = rows(examples, vectors)
    vectorizer, t = grams_of(examples)
    y = np.array([e.level for e in examples])
    weight = np.array([e.weight for e in examples])
    row_half, gram_half = fit(x, y, weight, c), fit(t, y, weight, c)
    probs = (1 - TEXT_SHARE) * row_half.predict_proba(x) + TEXT_SHARE * gram_half.predict_proba(t)
    dim = vectors.embedder.dim
    chosen = _exemplars(examples, probs, y)
    meta = {
        "fitted_on": dict(sorted(Counter(e.origin for e in examples).items())),
        "levels": dict(sorted(Counter(int(v) for v in y).items())),
        "C": c, "post_weight": POST_WEIGHT, "embedder": vectors.embedder.name,
        "level_cutoffs": level_cutoffs(x, t, y, weight, c),
        "date": dt.date.today().isoformat(), "features": features.layout(dim),
    }
    exemplar_vectors = np.array(vectors.of([examples[i].message for i in chosen])).reshape(-1, dim)
    return Head(row_half.coef_.astype(np.float32), row_half.intercept_.astype(np.float32),
                gram_half.coef_.astype(np.float32), gram_half.intercept_.astype(np.float32),
                vectorizer.idf_.astype(np.float32), {g: int(i) for g, i in vectorizer.vocabulary_.items()},
                TEXT_SHARE, exemplar_vectors, y[chosen], tuple(examples[i].message for i in chosen), meta)


def level_cutoffs(x: np.ndarray, t: csr_matrix, y: np.ndarray, weight: np.ndarray, c: float) -> list[float]:
    """The default lowest score of levels 1, 2 and 3: for each, the cutoff on the score
    (expected level / 3) of heads fitted without the example (`CUTOFF_FOLDS` folds) that
    gives the best F1 of "level >= k" on the shopper messages (the posts teach what anger
    looks like; they are not what a shop's agents see)."""
    scores = np.zeros(len(y))
    for train_idx, test_idx in StratifiedKFold(CUTOFF_FOLDS, shuffle=True, random_state=0).split(x, y):
        scores[test_idx] = blended(x, t, y, weight, c, train_idx, test_idx) @ np.arange(LEVELS) / 3
    shop = weight == 1.0
    cuts = []
    for k in range(1, LEVELS):
        f1 = [_f1(scores[shop] >= cut, y[shop] >= k) for cut in CUTOFF_GRID]
        cuts.append(float(CUTOFF_GRID[int(np.argmax(f1))]))
    return cuts


def _f1(said: np.ndarray, true: np.ndarray) -> float:
    tp = (said & true).sum()
    return 2 * tp / (said.sum() + true.sum()) if said.sum() + true.sum() else 0.0


def _exemplars(examples: list[Example], probs: np.ndarray, y: np.ndarray) -> list[int]:
    """Per level, the shopper examples without a history that the head is surest of."""
    chosen = []
    for level in range(LEVELS):
        idx = [i for i, e in enumerate(examples) if e.level == level and not e.history and e.weight == 1.0]
        idx.sort(key=lambda i: -probs[i, level])
        chosen += idx[:EXEMPLARS_PER_LEVEL]
    return chosen


def folds(examples: list[Example], vectors: Vectors, c: float) -> None:
    """How a head fitted without each file does on that file."""
    x = rows(examples, vectors)
    _, t = grams_of(examples)
    y = np.array([e.level for e in examples])
    w = np.array([e.weight for e in examples])
    origins = np.array([e.origin for e in examples])
    print("| held out | n | exact | critical P | critical R | angry+ P | angry+ R |\n|---|---|---|---|---|---|---|")
    for origin in sorted(set(origins)):
        test = origins == origin
        pred = blended(x, t, y, w, c, np.flatnonzero(~test), np.flatnonzero(test)).argmax(axis=1)
        truth = y[test]
        print(f"| {origin} | {test.sum()} | {np.mean(pred == truth):.3f} | "
              f"{_precision(pred >= 3, truth >= 3)} | {_precision(truth >= 3, pred >= 3)} | "
              f"{_precision(pred >= 2, truth >= 2)} | {_precision(truth >= 2, pred >= 2)} |")


def _precision(said: np.ndarray, true: np.ndarray) -> str:
    return f"{(said & true).sum() / said.sum():.3f}" if said.sum() else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=DEFAULT_C, help="inverse regularisation strength")
    parser.add_argument("--folds", action="store_true", help="first report leave-one-file-out figures")
    parser.add_argument("--cache", type=Path, help="keep the example vectors in this .npz between runs")
    args = parser.parse_args()
    examples = load_examples()
    vectors = Vectors(E5Embedder(), args.cache)
    if args.folds:
        folds(examples, vectors, args.c)
    head = train(examples, vectors, c=args.c)
    head.save()
    print(f"fitted on {len(examples)} examples: {head.meta['fitted_on']}; levels {head.meta['levels']}")


if __name__ == "__main__":
    main()
