"""What agents and trainers teach the assessor about one merchant's shoppers.

An agent marks an assessment "should have escalated" or "false alarm" on their screen;
a trainer does the same on a case of an eval set. Each mark is stored in the ledger as
a label of that merchant (`verdict_level`: the least change of level that makes the
decision right) with an audit row. `Teachings` keeps each merchant's labels as vectors
and `Taught.blend` mixes a vote of the labels nearest in meaning into the shipped head's
probabilities, so the next assessment of a message like it changes at once.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from copilot.escalation.model import LEVELS

Verdict = Literal["escalate", "calm"]
VERDICTS: tuple[str, ...] = ("escalate", "calm")
# Cosines of e5 query vectors: unrelated shopper messages reach 0.93 (99.9th percentile of
# 180k pairs of the training examples), paraphrases 0.96-0.99.
NEAR = 0.95         # a label counts from this cosine ...
SAME = 0.98         # ... and decides alone from this one


def verdict_level(verdict: Verdict, assessed_level: int, escalate_level: int) -> int:
    """The level a mark teaches: "escalate" lifts the level to the merchant's escalation level
    (or keeps a higher one); "calm" lowers it to just under that level (or keeps a lower one)."""
    if verdict == "escalate":
        return max(assessed_level, escalate_level)
    return min(assessed_level, escalate_level - 1)


@dataclass(frozen=True)
class Label:
    message: str
    level: int
    source: str          # "agent" or "trainer"


class LabelStore(Protocol):
    def escalation_labels(self, merchant: str) -> Sequence[Label]: ...


@dataclass(frozen=True)
class Lesson:
    """The taught label that weighed most in an assessment, for the agent to see."""
    message: str
    level: int
    source: str


class Taught:
    """One merchant's labels, as unit vectors."""

    def __init__(self, labels: Sequence[Label], vectors: np.ndarray):
        self.labels = list(labels)
        self.vectors = vectors.reshape(len(self.labels), -1) if self.labels else vectors

    def blend(self, vector: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, Lesson | None]:
        """`probs` moved toward the levels of the labels within `NEAR` of `vector`, each with
        strength (cosine - NEAR) / (SAME - NEAR), at most 1: a paraphrase takes its label's level."""
        if not self.labels:
            return probs, None
        sims = self.vectors @ vector
        near = np.flatnonzero(sims >= NEAR)
        if not len(near):
            return probs, None
        strengths = np.clip((sims[near] - NEAR) / (SAME - NEAR), 0.0, 1.0)
        vote = np.zeros(LEVELS)
        for i, s in zip(near, strengths):
            vote[self.labels[i].level] += s
        strength = float(strengths.max())
        mixed = (1 - strength) * probs + strength * vote / (vote.sum() or 1.0)
        top = near[int(np.argmax(strengths))]
        label = self.labels[top]
        return mixed, Lesson(label.message, label.level, label.source)


class Teachings:
    """Each merchant's `Taught`, loaded from the store on first use and again after `changed`."""

    def __init__(self, store: LabelStore, embed: Callable[[Sequence[str]], np.ndarray]):
        self.store, self.embed = store, embed
        self._taught: dict[str, Taught] = {}
        self._vectors: dict[str, np.ndarray] = {}     # message -> vector: each embedded once
        self._changes: dict[str, int] = {}             # merchant -> labels added in this process
        self._lock = threading.Lock()

    def of(self, merchant: str) -> Taught:
        with self._lock:
            taught = self._taught.get(merchant)
            changes = self._changes.get(merchant, 0)
        if taught is None:
            labels = list(self.store.escalation_labels(merchant))
            new = [m for m in dict.fromkeys(label.message for label in labels) if m not in self._vectors]
            if new:
                self._vectors.update(zip(new, self.embed(new)))
            taught = Taught(labels, np.array([self._vectors[label.message] for label in labels]))
            with self._lock:
                if self._changes.get(merchant, 0) == changes:    # no label added while reading
                    self._taught[merchant] = taught
        return taught

    def changed(self, merchant: str) -> None:
        """A label was added: the merchant's next assessment reloads them."""
        with self._lock:
            self._changes[merchant] = self._changes.get(merchant, 0) + 1
            self._taught.pop(merchant, None)
