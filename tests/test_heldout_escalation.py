"""The shipped escalation head on sets written apart from it (regression floors; the figures
and how they were measured are in the closing note of the escalation work and the README)."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES

from evals.cases import load_cases
from evals.metrics import decision

HERE = Path(__file__).resolve().parents[1]
HELDOUT = HERE / "evals" / "heldout_escalation"
MERCHANTS = HERE / "evals" / "heldout"
MAX_CALM_ALARMS = 3
EWECT = SAMPLES.parent / "external" / "ewect_dev.jsonl"
FLOOR = 0.88         # precision and recall of the decision on each held-out dev split (target 0.90)
EWECT_F1_FLOOR = 0.64  # level >= 2 against posts labelled angry (target 0.75; 0.67 today)


@pytest.mark.parametrize("split", sorted(HELDOUT.glob("*/dev.jsonl")), ids=lambda p: p.parent.name)
def test_heldout_dev_splits_meet_precision_and_recall(split, assessor):
    cases = load_cases(split)
    got = decision([(c.expect.escalate, assessor.assess(c.message, c.turns).escalate) for c in cases])
    assert len(cases) >= 150
    assert got["precision"] >= FLOOR and got["recall"] >= FLOOR, got


def test_no_false_escalation_on_the_heldout_merchants_calm_questions(assessor):
    calm = [c for path in sorted(MERCHANTS.glob("*/eval.jsonl")) for c in load_cases(path)
            if c.expect.escalate is False]
    assert len(calm) >= 300
    alarms = [c.message for c in calm if assessor.assess(c.message, c.turns).escalate]
    # Target: none. Today three: two reactions reported after use with a returns question (a
    # rash from a serum, ears swollen from earrings: the jewelry merchant added later), which
    # the assessor reads as a safety incident (as its own label definitions do), and a car
    # question about starting at minus forty degrees (from a merchant added after the assessor
    # was last fitted: issue 14's kind of failure, left for it).
    assert len(alarms) <= MAX_CALM_ALARMS, alarms


@pytest.mark.skipif(not EWECT.exists(), reason="../shared/external is not beside the repo")
def test_real_posts_level_angry_against_the_angry_label(assessor):
    cases = load_cases(EWECT)
    got = decision([(c.expect.escalate, assessor.assess(c.message).level >= 2) for c in cases])
    assert got["f1"] >= EWECT_F1_FLOOR, got
