"""What the learned scorer reads of a message: its meaning, its conversation, its cues, its words.

One row per message: the message's e5 vector (the one retrieval computes, once per
message), the mean vector of the customer's recent earlier turns (zeros and a flag
when there are none), and one indicator per lexicon cue that fired (`cues.KEYS`).
Beside it, the message's character n-grams (`grams`): the words themselves, which the
head's second half weighs (`model.Head`), catch what a small sentence encoder blurs
("妈的", "无语", "12315").
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from copilot.blend import GRAM_SIZES
from copilot.escalation.cues import KEYS, Cue

CONTEXT_TURNS = 3         # the customer's earlier turns whose meaning is context


def layout(dim: int) -> dict:
    """What a row holds, stored with a fitted head so that a head and the code agree."""
    return {"message": dim, "context": dim, "context_turns": CONTEXT_TURNS, "has_context": 1,
            "cues": list(KEYS), "gram_sizes": list(GRAM_SIZES)}


def row(vector: np.ndarray, context: Sequence[np.ndarray], cues: Sequence[Cue]) -> np.ndarray:
    """The feature row of one message; `context` holds the vectors of the customer's earlier
    turns, oldest first (the last `CONTEXT_TURNS` count)."""
    recent = list(context)[-CONTEXT_TURNS:]
    mean = np.mean(recent, axis=0) if recent else np.zeros_like(vector)
    fired = {c.key for c in cues}
    flags = np.array([float(bool(recent))] + [float(k in fired) for k in KEYS], dtype=np.float32)
    return np.concatenate([vector.astype(np.float32), mean.astype(np.float32), flags])
