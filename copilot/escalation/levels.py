"""Levels, per-merchant thresholds and the assessment an agent sees.

The assessor's score is the expected level divided by 3 (`model.Head`), so a level's
cutoff has one meaning on every merchant. The default cutoffs are the ones that gave the
best F1 per level on the training examples, out of fold. A merchant may move the cutoffs and the level
that escalates (`Thresholds`), choosing them from the precision and recall that the
eval report gives at each level and cutoff.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from copilot.errors import ConfigError
from copilot.escalation.model import META_FILE

LEVEL_NAMES = ("calm", "dissatisfied", "angry", "critical")
LEVEL_NAMES_ZH = ("平静", "不满", "愤怒", "需升级")
DEFAULT_ESCALATE_LEVEL = 3
# The lowest score of levels 1, 2 and 3, as fitted with the shipped head (`training.level_cutoffs`);
# read alone, so that a head of another layout can still be refitted.
DEFAULT_LEVEL_CUTOFFS: tuple[float, float, float] = tuple(
    json.loads(META_FILE.read_text(encoding="utf-8"))["level_cutoffs"])


@dataclass(frozen=True)
class Thresholds:
    """Per-merchant decision thresholds.

    `escalate_level`: escalate when the level is at least this (1..3); a baby-goods
    shop may escalate angry shoppers (2), the default waits for critical ones (3).
    `level_cutoffs`: the lowest score of levels 1, 2 and 3, strictly increasing.
    """

    escalate_level: int = DEFAULT_ESCALATE_LEVEL
    level_cutoffs: tuple[float, float, float] = DEFAULT_LEVEL_CUTOFFS

    def __post_init__(self) -> None:
        cuts = tuple(self.level_cutoffs)
        if not 1 <= self.escalate_level <= 3:
            raise ConfigError(f"escalate_level must be 1, 2 or 3, not {self.escalate_level!r}")
        if len(cuts) != 3 or not 0 < cuts[0] < cuts[1] < cuts[2] <= 1:
            raise ConfigError(f"level_cutoffs must be three increasing scores in (0, 1], "
                              f"not {self.level_cutoffs!r}")

    def level(self, score: float) -> int:
        return sum(score >= cut for cut in self.level_cutoffs)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Assessment:
    level: int               # 0 calm, 1 dissatisfied, 2 angry, 3 escalation-critical
    score: float             # 0..1: the expected level / 3
    escalate: bool
    reasons: list[str] = field(default_factory=list)   # strongest first, in the message's language

    def to_dict(self) -> dict:
        return {"level": self.level, "label": LEVEL_NAMES[self.level],
                "label_zh": LEVEL_NAMES_ZH[self.level], "score": self.score,
                "escalate": self.escalate, "reasons": list(self.reasons)}
