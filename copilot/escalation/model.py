"""The shipped scorer: two multinomial logistic halves, blended, and the labelled examples
an agent is shown as the nearest to a message.

One half reads `features.row` (meaning, conversation, cues); the other the message's
character n-grams (`copilot.blend`) as tf-idf (1 + log count, times idf, L2-normed), so
the words themselves count where a small encoder blurs them. P(level) is
(1 - text_share) * the first + text_share * the second.

`head.npz` holds the weights, the n-grams' idf and, per level, the vectors of the shipped
examples the head is most sure of; `head.json` the n-grams, those examples' texts and the
provenance (the data files it was fitted on, their counts, the date, the settings).
`python -m copilot.escalation.training` writes both.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from copilot.blend import blended, tfidf
from copilot.errors import ConfigError
from copilot.escalation import features

WEIGHTS_FILE = Path(__file__).with_name("head.npz")
META_FILE = Path(__file__).with_name("head.json")
LEVELS = 4


@dataclass(frozen=True)
class Head:
    weights: np.ndarray            # (LEVELS, features)
    bias: np.ndarray               # (LEVELS,)
    gram_weights: np.ndarray       # (LEVELS, n-grams)
    gram_bias: np.ndarray          # (LEVELS,)
    idf: np.ndarray                # (n-grams,)
    grams: dict[str, int]          # n-gram -> column
    text_share: float
    exemplars: np.ndarray          # (n, dim) unit vectors of labelled examples
    exemplar_levels: np.ndarray    # (n,)
    exemplar_texts: tuple[str, ...]
    meta: dict

    def probabilities(self, row: np.ndarray, text: str) -> np.ndarray:
        """P(level = 0..3) of one feature row and the message's text."""
        columns, values = tfidf(text, self.grams, self.idf)
        return blended(self.weights @ row + self.bias, self.gram_weights[:, columns] @ values + self.gram_bias,
                       self.text_share)

    def nearest(self, vector: np.ndarray, level: int) -> tuple[str, float] | None:
        """The shipped example of `level` closest in meaning to `vector`, with its cosine."""
        mask = self.exemplar_levels == level
        if not mask.any():
            return None
        sims = self.exemplars[mask] @ vector
        i = int(np.argmax(sims))
        return self.exemplar_texts[int(np.flatnonzero(mask)[i])], float(sims[i])

    def save(self, weights_file: Path = WEIGHTS_FILE, meta_file: Path = META_FILE) -> None:
        np.savez_compressed(weights_file, weights=self.weights.astype(np.float32),
                            bias=self.bias.astype(np.float32),
                            gram_weights=self.gram_weights.astype(np.float32),
                            gram_bias=self.gram_bias.astype(np.float32), idf=self.idf.astype(np.float32),
                            exemplars=self.exemplars.astype(np.float16),
                            exemplar_levels=self.exemplar_levels.astype(np.int8))
        meta = dict(self.meta, text_share=self.text_share, exemplar_texts=list(self.exemplar_texts),
                    grams=sorted(self.grams, key=self.grams.__getitem__))
        meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, weights_file: Path = WEIGHTS_FILE, meta_file: Path = META_FILE) -> Head:
        with np.load(weights_file) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        texts = tuple(meta.pop("exemplar_texts"))
        grams = {g: i for i, g in enumerate(meta.pop("grams"))}
        exemplars = arrays["exemplars"].astype(np.float32)
        if meta.get("features") != features.layout(exemplars.shape[1]):
            raise ConfigError(f"{weights_file} was fitted on other features than the code computes; "
                              "refit it with `python -m copilot.escalation.training`")
        return cls(arrays["weights"], arrays["bias"], arrays["gram_weights"], arrays["gram_bias"],
                   arrays["idf"], grams, float(meta.pop("text_share")), exemplars,
                   arrays["exemplar_levels"].astype(int), texts, meta)


@cache
def shipped_head() -> Head:
    return Head.load()
