"""Escalation: how upset a shopper is and whether a senior agent must take over.

- `assessor`: the `Assessor` (learned head + lexicon cues + what the merchant taught);
- `levels`: levels, per-merchant `Thresholds`, the `Assessment` an agent sees;
- `cues` and `lexicon`: the cue families and their guards, the reasons in Chinese and English;
- `features`: the row the head reads; `model`: the shipped head (`head.npz`, `head.json`);
- `training`: fits the head on `examples/` (`python -m copilot.escalation.training`);
- `feedback`: agents' and trainers' marks, blended in per merchant.
"""
from copilot.escalation.assessor import Assessor
from copilot.escalation.levels import (DEFAULT_LEVEL_CUTOFFS, DEFAULT_THRESHOLDS, LEVEL_NAMES,
                                       LEVEL_NAMES_ZH, Assessment, Thresholds)

__all__ = ["Assessor", "Assessment", "Thresholds", "DEFAULT_THRESHOLDS", "DEFAULT_LEVEL_CUTOFFS",
           "LEVEL_NAMES", "LEVEL_NAMES_ZH"]
