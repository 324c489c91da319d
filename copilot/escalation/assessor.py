"""The assessor: how upset is the shopper, and must a senior agent take over?

`Assessor.assess` reads the latest customer message (its e5 vector, computed once per
message and shared with retrieval), the vectors of the customer's earlier turns and the
lexicon's cues (`cues`), and the shipped head (`model`) gives P(level = 0..3). What the
merchant's agents and trainers taught (`feedback`) is blended in. The score is the
expected level / 3 and the merchant's `Thresholds` turn it into a level and the decision.
The lexicon is a second opinion where it is precise: a safety incident that its guards
let stand (an injury, a burn, an allergic reaction, fire or smoke, a child choking; not a
worry or a question), a threat of public exposure or of an organised complaint lifts the
score to the merchant's critical cutoff, unless the merchant taught otherwise about a
message like it.

Reasons come in the message's language: the cues that fired (hard ones first: threats of
outside action, safety incidents, abuse), the merchant's label that weighed most, and for
the learned part the shipped example of the level closest in meaning (always when no cue
fired, otherwise when it is close).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from copilot.escalation import cues as cue_finder
from copilot.escalation import features
from copilot.escalation.feedback import Taught
from copilot.escalation.levels import DEFAULT_THRESHOLDS, LEVEL_NAMES, LEVEL_NAMES_ZH, Assessment, Thresholds
from copilot.escalation.model import Head, shipped_head
from copilot.language import language_of
from copilot.turns import Turn

LEVEL_VALUES = np.arange(4, dtype=np.float64)
EXAMPLE_SIMILARITY = 0.93     # beside cues, a shipped example this close in meaning is shown too
                              # (unrelated messages: under 0.93 for 999 pairs in 1000, `feedback.NEAR`)
EXAMPLE_CHARS = 40            # an example longer than this is cut
# Cue families that make a message critical on their own, chosen on the held-out dev splits
# and the public samples: safety lifted recall (set G 0.89 -> 0.91, anger set 0.94 -> 0.96)
# for one false alarm on the calm questions of nine merchants (a rash reported with a
# returns question); exposure and organised cost nothing there. Threats of outside action
# cost 3-5 points of precision, so they stay features of the head.
CRITICAL_FAMILIES = ("safety", "exposure", "organised")


class Assessor:
    """`embed` gives a text's e5 query vector; pass one that keeps the vectors it computed
    (retrieval's) so that a message is embedded once, and earlier turns not again."""

    def __init__(self, embed: Callable[[str], np.ndarray], head: Head | None = None):
        self.embed = embed
        self.head = head or shipped_head()

    def assess(self, message: str, history: Sequence[Turn] = (), *,
               thresholds: Thresholds = DEFAULT_THRESHOLDS, taught: Taught | None = None) -> Assessment:
        """Judge the latest customer message, given the earlier turns (oldest first)."""
        vector = self.embed(message)
        earlier = [t.text for t in history if t.role == "customer"][-features.CONTEXT_TURNS:]
        found = cue_finder.find(message, history)
        probs = self.head.probabilities(features.row(vector, [self.embed(t) for t in earlier], found), message)
        lesson = None
        if taught is not None:
            probs, lesson = taught.blend(vector, probs)
        score = round(float(probs @ LEVEL_VALUES) / 3, 3)
        if lesson is None and any(c.key in CRITICAL_FAMILIES for c in found):   # taught outranks it
            score = max(score, thresholds.level_cutoffs[2])
        level = thresholds.level(score)
        zh = language_of(message) == "zh"
        reasons = [c.zh if zh else c.en for c in sorted(found, key=lambda c: not c.hard)]
        if lesson is not None:
            name = (LEVEL_NAMES_ZH if zh else LEVEL_NAMES)[lesson.level]
            reasons.insert(0, f"本店已将相似消息「{_cut(lesson.message)}」标为{name}" if zh
                           else f"this shop marked a similar message “{_cut(lesson.message)}” as {name}")
        elif level > 0:
            example = self.head.nearest(vector, level)
            if example is not None and (example[1] >= EXAMPLE_SIMILARITY or not found):
                name = (LEVEL_NAMES_ZH if zh else LEVEL_NAMES)[level]
                reasons.append(f"与标注为{name}的「{_cut(example[0])}」意思相近" if zh
                               else f"close in meaning to “{_cut(example[0])}”, labelled {name}")
        return Assessment(level=level, score=score, escalate=level >= thresholds.escalate_level,
                          reasons=list(dict.fromkeys(reasons)))


def _cut(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS] + "…"
