"""Check the escalation assessor alone on eval sets: precision, recall, F1 and the misses.

    python -m evals.escalation_check [--samples DIR] [--angry] [-q] [FILE ...]

Without FILEs it reads `anger.jsonl` and every `*/eval.jsonl` under the samples
directory. Per file it scores the `escalation` cases (with `--angry`, level >= 2 against
`expect.escalate`, as for posts labelled angry or not), gives precision and recall at
each level for cases labelled with a `level`, counts false alarms on the `reply` and
`outfit` cases whose `expect.escalate` is false and lists every miss with its level,
score and reasons (`-q`: not). The exit status is 1 when any file is under TARGET
precision or recall, or raises a false alarm.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from copilot.escalation import Assessor
from evals.cases import EvalCase, load_cases
from evals.metrics import decision
from knowledge.embedders import E5Embedder

DEFAULT_SAMPLES_DIR = Path(__file__).resolve().parents[2] / "shared" / "samples"  # shared/ beside the repo
TARGET = 0.9


def check(path: Path, assessor: Assessor, *, angry: bool = False, quiet: bool = False) -> bool:
    """Print the report of one eval set; True when it meets TARGET with no false alarm."""
    cases = load_cases(path)
    judged = [(case, assessor.assess(case.message, case.turns)) for case in cases
              if case.expect.escalate is not None]
    decided = (lambda a: a.level >= 2) if angry else (lambda a: a.escalate)
    escalation = [(c, a) for c, a in judged if c.expect.kind == "escalation"]
    quiet_cases = [(c, a) for c, a in judged if c.expect.kind != "escalation" and not c.expect.escalate]
    print(f"== {path}" + (" (level >= 2 against the label)" if angry else ""))
    ok = True
    if escalation:
        got = decision([(bool(c.expect.escalate), decided(a)) for c, a in escalation])
        print(f"escalation cases: {len(escalation)}  precision {got['precision']:.3f}  "
              f"recall {got['recall']:.3f}  F1 {got['f1']:.3f}")
        ok = got["precision"] >= TARGET and got["recall"] >= TARGET
    levelled = [(c.level, a.level) for c, a in judged if c.level is not None]
    for k in (1, 2, 3) if levelled else ():
        at = decision([(want >= k, got >= k) for want, got in levelled])
        print(f"  level >= {k}: precision {at['precision']:.3f}  recall {at['recall']:.3f}  F1 {at['f1']:.3f}")
    alarms = [(c, a) for c, a in quiet_cases if a.escalate]
    if quiet_cases:
        print(f"reply/outfit cases expected calm: {len(quiet_cases)}  false alarms: {len(alarms)}")
    if not quiet:
        for case, assessment in judged:
            if decided(assessment) != bool(case.expect.escalate):
                _print_miss(case, assessment)
    return ok and not alarms


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
    parser.add_argument("--angry", action="store_true", help="score level >= 2, not the decision")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not list the misses")
    args = parser.parse_args(argv)
    files = args.files or [args.samples / "anger.jsonl", *sorted(args.samples.glob("*/eval.jsonl"))]
    embedder = E5Embedder()
    assessor = Assessor(embedder.embed_query)
    results = [check(path, assessor, angry=args.angry, quiet=args.quiet) for path in files]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
