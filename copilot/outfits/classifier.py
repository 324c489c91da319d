"""A small text classifier the outfit code reads meaning with: which slot a category fills,
whether a message asks for styling.

Two multinomial logistic halves, blended: one reads the text's e5 vector (meaning, so a
merchant's own words land near the examples'), the other its character n-grams as tf-idf
(1 + log count, times idf, L2-normed; the morphemes a small encoder blurs: 靴 in 雪地靴).
P(class) = (1 - text_share) * the first + text_share * the second.

`<name>.npz` holds the weights and idf, `<name>.json` the classes, the n-grams and the
provenance. `python -m copilot.outfits.training` writes both for every classifier.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from copilot.blend import blended, tfidf
from copilot.errors import ConfigError

HERE = Path(__file__).parent


@dataclass(frozen=True)
class TextClassifier:
    classes: tuple[str, ...]
    weights: np.ndarray            # (classes, dim)
    bias: np.ndarray               # (classes,)
    gram_weights: np.ndarray       # (classes, n-grams)
    gram_bias: np.ndarray          # (classes,)
    idf: np.ndarray                # (n-grams,)
    grams: dict[str, int]          # n-gram -> column
    text_share: float
    meta: dict

    def probabilities(self, vector: np.ndarray, text: str) -> np.ndarray:
        """P(class) of one text, given its e5 vector."""
        columns, values = tfidf(text, self.grams, self.idf)
        return blended(self.weights @ vector + self.bias, self.gram_weights[:, columns] @ values + self.gram_bias,
                       self.text_share)

    def save(self, name: str, directory: Path = HERE) -> None:
        np.savez_compressed(directory / f"{name}.npz", weights=self.weights.astype(np.float32),
                            bias=self.bias.astype(np.float32),
                            gram_weights=self.gram_weights.astype(np.float32),
                            gram_bias=self.gram_bias.astype(np.float32), idf=self.idf.astype(np.float32))
        meta = dict(self.meta, classes=list(self.classes), text_share=self.text_share,
                    grams=sorted(self.grams, key=self.grams.__getitem__))
        (directory / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                                encoding="utf-8")

    @classmethod
    def load(cls, name: str, directory: Path = HERE) -> TextClassifier:
        weights_file = directory / f"{name}.npz"
        if not weights_file.exists():
            raise ConfigError(f"{weights_file} is missing; fit it with `python -m copilot.outfits.training`")
        with np.load(weights_file) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        classes = tuple(meta.pop("classes"))
        grams_ = {g: i for i, g in enumerate(meta.pop("grams"))}
        return cls(classes, arrays["weights"], arrays["bias"], arrays["gram_weights"], arrays["gram_bias"],
                   arrays["idf"], grams_, float(meta.pop("text_share")), meta)


@cache
def shipped(name: str) -> TextClassifier:
    return TextClassifier.load(name)
