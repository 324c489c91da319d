"""The arithmetic shared by the small classifiers that read a text two ways (escalation's
head, the outfit code's slot reader and styling intent): a logistic half on a vector of
the text, a logistic half on its character n-grams as tf-idf, blended.

The n-grams' tf-idf is what scikit-learn's `TfidfVectorizer(analyzer=grams,
sublinear_tf=True)` fits: 1 + log count, times idf, L2-normed.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

GRAM_SIZES = (1, 2, 3)    # character n-grams of a text


def grams(text: str) -> list[str]:
    """The lower-cased character n-grams of a text, each as often as it occurs."""
    text = text.lower()
    return [text[i:i + n] for n in GRAM_SIZES for i in range(len(text) - n + 1)]


def tfidf(text: str, columns_of: Mapping[str, int], idf: np.ndarray) -> tuple[list[int], np.ndarray]:
    """The text's known n-grams (columns) and their tf-idf weights, L2-normed."""
    counts: dict[int, int] = {}
    for gram in grams(text):
        column = columns_of.get(gram)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    columns = sorted(counts)
    values = np.array([(1 + np.log(counts[c])) * idf[c] for c in columns], dtype=np.float32)
    return columns, values / (np.linalg.norm(values) or 1.0)


def blended(row_logits: np.ndarray, gram_logits: np.ndarray, text_share: float) -> np.ndarray:
    """P(class): (1 - text_share) * the row half's softmax + text_share * the n-gram half's."""
    return (1 - text_share) * _softmax(row_logits) + text_share * _softmax(gram_logits)


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max())
    return e / e.sum()
