"""The shipped scorer: a multinomial logistic head over `features.row`, and the labelled
examples an agent is shown as the nearest to a message.

`head.npz` holds the weights and, per level, the shipped examples the head is most sure
of (their vectors; their texts are in `head.json` with the provenance: the data files
it was fitted on, their counts, the date). `python -m copilot.escalation.training`
writes both.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from copilot.errors import ConfigError
from copilot.escalation import features

WEIGHTS_FILE = Path(__file__).with_name("head.npz")
META_FILE = Path(__file__).with_name("head.json")
LEVELS = 4


@dataclass(frozen=True)
class Head:
    weights: np.ndarray            # (LEVELS, features)
    bias: np.ndarray               # (LEVELS,)
    exemplars: np.ndarray          # (n, dim) unit vectors of labelled examples
    exemplar_levels: np.ndarray    # (n,)
    exemplar_texts: tuple[str, ...]
    meta: dict

    @property
    def dim(self) -> int:
        return self.exemplars.shape[1]

    def probabilities(self, row: np.ndarray) -> np.ndarray:
        """P(level = 0..3) of one feature row."""
        logits = self.weights @ row + self.bias
        e = np.exp(logits - logits.max())
        return e / e.sum()

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
                            exemplars=self.exemplars.astype(np.float16),
                            exemplar_levels=self.exemplar_levels.astype(np.int8))
        meta = dict(self.meta, exemplar_texts=list(self.exemplar_texts))
        meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, weights_file: Path = WEIGHTS_FILE, meta_file: Path = META_FILE) -> Head:
        with np.load(weights_file) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        texts = tuple(meta.pop("exemplar_texts"))
        exemplars = arrays["exemplars"].astype(np.float32)
        if meta.get("features") != features.layout(exemplars.shape[1]):
            raise ConfigError(f"{weights_file} was fitted on other features than the code computes; "
                              "refit it with `python -m copilot.escalation.training`")
        return cls(arrays["weights"], arrays["bias"], exemplars, arrays["exemplar_levels"].astype(int),
                   texts, meta)


@cache
def shipped_head() -> Head:
    return Head.load()
