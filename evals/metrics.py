"""Scores of an eval run, computed from its cases alone (so any tool can score a run again)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evals.cases import EvalCase

RECALL_AT = 5
SCORE_CUTOFFS = tuple(round(0.1 * i, 1) for i in range(1, 10))   # escalation decisions a trainer may choose


def retrieval_hit(expected: Sequence[str], retrieved: Sequence[str], at: int = RECALL_AT) -> bool:
    return set(expected) <= set(retrieved[:at])


def reciprocal_rank(expected: Sequence[str], retrieved: Sequence[str]) -> float:
    ranks = [retrieved.index(s) + 1 for s in expected if s in retrieved]
    return 1.0 / min(ranks) if ranks else 0.0


def fact_hits(facts: Sequence[str | Sequence[str]], draft: str) -> list[bool]:
    return [any(f in draft for f in ([fact] if isinstance(fact, str) else fact)) for fact in facts]


def violations(must_not: Sequence[str], draft: str) -> list[str]:
    return [s for s in must_not if s in draft]


def score_case(case: EvalCase, result: dict) -> dict:
    """The case's own scores, kept in the results so runs can be compared case by case.

    Fields a case's kind does not produce are None.
    """
    draft = result.get("draft")
    is_reply = case.expect.kind == "reply"
    hits = fact_hits(case.expect.facts, draft) if is_reply and draft is not None else None
    retrieved = result.get("retrieved")
    return {
        "facts_hit": None if hits is None else sum(hits),
        "facts_total": None if hits is None else len(hits),
        "retrieval_hit": retrieval_hit(case.expect.sources, retrieved)
        if is_reply and case.expect.sources and retrieved is not None else None,
        "violations": violations(case.expect.must_not, draft) if is_reply and draft is not None else None,
        "escalation_correct": None if case.expect.escalate is None or result.get("escalate") is None
        else case.expect.escalate == result["escalate"],
        "outfit_valid": None if result.get("outfit_violations") is None else not result["outfit_violations"],
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    vals = [v for v in values if v is not None]
    return round(float(np.percentile(vals, q)), 1) if vals else None


def summarise(cases: Sequence[EvalCase], results: Sequence[dict]) -> dict:
    by_id = {r["id"]: r for r in results}
    pairs = [(c, by_id[c.id]) for c in cases if c.id in by_id]
    return {
        "retrieval": _retrieval(pairs),
        "replies": _replies(pairs),
        "escalation": _escalation(pairs),
        "outfits": _outfits(pairs),
        "latency_ms": {
            "first_event_p50": percentile([r.get("first_event_ms") for _, r in pairs], 50),
            "first_event_p95": percentile([r.get("first_event_ms") for _, r in pairs], 95),
            "draft_done_p50": percentile([r.get("draft_done_ms") for _, r in pairs], 50),
            "draft_done_p95": percentile([r.get("draft_done_ms") for _, r in pairs], 95),
        },
    }


def _retrieval(pairs) -> dict | None:
    scored = [(c, r) for c, r in pairs if c.expect.kind == "reply" and c.expect.sources
              and r.get("retrieved") is not None]
    if not scored:
        return None
    return {
        "cases": len(scored),
        "recall_at_5": round(sum(retrieval_hit(c.expect.sources, r["retrieved"]) for c, r in scored)
                             / len(scored), 4),
        "mrr": round(sum(reciprocal_rank(c.expect.sources, r["retrieved"]) for c, r in scored)
                     / len(scored), 4),
    }


def _replies(pairs) -> dict | None:
    scored = [(c, r) for c, r in pairs if c.expect.kind == "reply" and r.get("draft") is not None]
    if not scored:
        return None
    hits = [h for c, r in scored for h in fact_hits(c.expect.facts, r["draft"])]
    return {
        "cases": len(scored),
        "fact_coverage": round(sum(hits) / len(hits), 4) if hits else None,
        "must_not_violations": sum(len(violations(c.expect.must_not, r["draft"])) for c, r in scored),
        "ungrounded_numbers": sum(len(r.get("ungrounded") or []) for _, r in scored),
    }


def _escalation(pairs) -> dict | None:
    """The decision's precision and recall; then, so that a trainer can choose a merchant's
    thresholds from data, the decision's at each score cutoff (`by_cutoff`) and, for cases
    labelled with a level, whether the level reached each of 1..3 (`by_level`)."""
    judged = [(c, r) for c, r in pairs if c.expect.escalate is not None and r.get("escalate") is not None]
    if not judged:
        return None
    out = {"cases": len(judged), **decision([(c.expect.escalate, r["escalate"]) for c, r in judged])}
    scored = [(c, r) for c, r in judged if r.get("escalation_score") is not None]
    if scored:
        out["by_cutoff"] = [{"cutoff": cut, **decision([(c.expect.escalate, r["escalation_score"] >= cut)
                                                         for c, r in scored])} for cut in SCORE_CUTOFFS]
    levelled = [(c.level, r["escalation_level"]) for c, r in pairs
                if c.level is not None and r.get("escalation_level") is not None]
    if levelled:
        out["by_level"] = [{"level": k, "cases": sum(want >= k for want, _ in levelled),
                            **decision([(want >= k, got >= k) for want, got in levelled])} for k in (1, 2, 3)]
    return out


def decision(pairs: Sequence[tuple[bool, bool]]) -> dict:
    """Precision, recall and F1 of (wanted, given) decisions, with the false alarms and misses."""
    tp = sum(1 for want, got in pairs if want and got)
    fp = sum(1 for want, got in pairs if not want and got)
    fn = sum(1 for want, got in pairs if want and not got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "false_alarms": fp, "misses": fn}


def _outfits(pairs) -> dict | None:
    scored = [r for c, r in pairs if c.expect.kind == "outfit" and r.get("outfit_violations") is not None]
    if not scored:
        return None
    return {"cases": len(scored),
            "valid_rate": round(sum(not r["outfit_violations"] for r in scored) / len(scored), 4)}
