"""Check the escalation assessor alone on eval sets: precision, recall, F1 and the misses.

    python -m evals.escalation_check [--samples DIR] [FILE ...]

Without FILEs it reads `anger.jsonl` and every `*/eval.jsonl` under the samples
directory. Per file it scores the `escalation` cases, then counts false alarms on
the `reply` and `outfit` cases whose `expect.escalate` is false, lists every miss
with its level, score and reasons, and times `assess` on every message of the file
with a TIMING_TURNS-turn history made of the file's own turns. The exit status is 1
when any file is under TARGET precision or recall, or raises a false alarm.
"""
from __future__ import annotations

import argparse
import sys
import time
from itertools import cycle, islice
from pathlib import Path

import numpy as np

from copilot.escalation import assess
from evals.cases import EvalCase, load_cases
from evals.metrics import summarise

DEFAULT_SAMPLES_DIR = Path(__file__).resolve().parents[2] / "shared" / "samples"  # shared/ beside the repo
TARGET = 0.9
TIMING_TURNS = 10
TIMING_ROUNDS = 3


def check(path: Path) -> bool:
    """Print the report of one eval set; True when it meets TARGET with no false alarm."""
    cases = load_cases(path)
    judged = [(case, assess(case.message, case.turns)) for case in cases
              if case.expect.escalate is not None]
    escalation = [(c, a) for c, a in judged if c.expect.kind == "escalation"]
    quiet = [(c, a) for c, a in judged if c.expect.kind != "escalation" and not c.expect.escalate]
    print(f"== {path}")
    ok = True
    if escalation:
        scores = summarise([c for c, _ in escalation],
                           [{"id": c.id, "escalate": a.escalate} for c, a in escalation])["escalation"]
        print(f"escalation cases: {scores['cases']}  precision {scores['precision']:.3f}  "
              f"recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}")
        ok = scores["precision"] >= TARGET and scores["recall"] >= TARGET
    alarms = [(c, a) for c, a in quiet if a.escalate]
    if quiet:
        print(f"reply/outfit cases expected calm: {len(quiet)}  false alarms: {len(alarms)}")
    misses = [(c, a) for c, a in judged if a.escalate != bool(c.expect.escalate)]
    for case, assessment in misses:
        _print_miss(case, assessment)
    print(f"assess p95 with a {TIMING_TURNS}-turn history: {_p95_ms(cases):.2f} ms")
    return ok and not alarms


def _p95_ms(cases: list[EvalCase]) -> float:
    turns = [t for case in cases for t in case.turns]
    history = tuple(islice(cycle(turns), TIMING_TURNS)) if turns else ()
    times = []
    for _ in range(TIMING_ROUNDS):
        for case in cases:
            start = time.perf_counter()
            assess(case.message, history)
            times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 95))


def _print_miss(case: EvalCase, assessment) -> None:
    want = "escalate" if case.expect.escalate else "calm"
    print(f"  MISS {case.id} (want {want}; level {assessment.level}, score {assessment.score}): "
          f"{case.message}")
    if assessment.reasons:
        print(f"       reasons: {'; '.join(assessment.reasons)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="eval sets (JSONL)")
    parser.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES_DIR,
                        help=f"samples directory used without FILEs (default {DEFAULT_SAMPLES_DIR})")
    args = parser.parse_args(argv)
    files = args.files or [args.samples / "anger.jsonl", *sorted(args.samples.glob("*/eval.jsonl"))]
    results = [check(path) for path in files]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
