"""Two eval results side by side (FORMATS.md section 5), summary and case by case.

The gate's metrics, each read from a run's summary, with the per-case score that
explains a drop (see `evals.metrics.score_case`):

- fact coverage, recall@5, escalation F1 and outfit valid rate must not fall by
  more than the margin;
- must_not violations are a count that must not rise at all.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    section: str
    key: str
    higher_is_better: bool
    case_worse: Callable[[dict, dict], bool]


def _dropped(field: str) -> Callable[[dict, dict], bool]:
    return lambda base, cand: base.get(field) is True and cand.get(field) is False


def _fewer_facts(base: dict, cand: dict) -> bool:
    return base.get("facts_hit") is not None and cand.get("facts_hit") is not None \
        and cand["facts_hit"] < base["facts_hit"]


def _more_violations(base: dict, cand: dict) -> bool:
    return len(cand.get("violations") or []) > len(base.get("violations") or [])


METRICS = (
    Metric("fact_coverage", "replies", "fact_coverage", True, _fewer_facts),
    Metric("recall_at_5", "retrieval", "recall_at_5", True, _dropped("retrieval_hit")),
    Metric("escalation_f1", "escalation", "f1", True, _dropped("escalation_correct")),
    Metric("outfit_valid_rate", "outfits", "valid_rate", True, _dropped("outfit_valid")),
    Metric("must_not_violations", "replies", "must_not_violations", False, _more_violations),
)


def metric_value(results: dict, metric: Metric) -> float | None:
    return (results["summary"].get(metric.section) or {}).get(metric.key)


def worse_cases(base: dict, cand: dict, metric: Metric) -> list[str]:
    """Ids of the cases whose own score for `metric` got worse from `base` to `cand`."""
    before = {c["id"]: c for c in base["cases"]}
    return [c["id"] for c in cand["cases"] if c["id"] in before and metric.case_worse(before[c["id"]], c)]


def regressions(base: dict, cand: dict, *, margin: float) -> list[dict]:
    """Every gate metric on which `cand` is worse than `base` beyond what is allowed."""
    found = []
    for metric in METRICS:
        was, now = metric_value(base, metric), metric_value(cand, metric)
        if was is None or now is None:
            continue
        worse = now < was - margin if metric.higher_is_better else now > was
        if worse:
            found.append({"metric": metric.name, "active": was, "candidate": now,
                          "cases": worse_cases(base, cand, metric)})
    return found


CASE_FIELDS = ("draft", "retrieved", "escalate", "outfits", "facts_hit", "violations", "retrieval_hit",
               "escalation_correct", "outfit_valid")


def side_by_side(a: dict, b: dict) -> dict:
    """Gate metrics and latency of both runs, and every case whose outcome differs."""
    metrics = [{"metric": m.name, "a": metric_value(a, m), "b": metric_value(b, m),
                "higher_is_better": m.higher_is_better} for m in METRICS]
    for key in ("first_event_p50", "draft_done_p50", "draft_done_p95"):
        metrics.append({"metric": f"latency.{key}", "a": a["summary"]["latency_ms"].get(key),
                        "b": b["summary"]["latency_ms"].get(key), "higher_is_better": False})
    for row in metrics:
        row["delta"] = None if row["a"] is None or row["b"] is None else round(row["b"] - row["a"], 4)
    before = {c["id"]: c for c in a["cases"]}
    cases = []
    for case in b["cases"]:
        old = before.get(case["id"])
        if old is None:
            continue
        changed = {f: {"a": old.get(f), "b": case.get(f)} for f in CASE_FIELDS if old.get(f) != case.get(f)}
        if changed:
            worse = [m.name for m in METRICS if m.case_worse(old, case)]
            better = [m.name for m in METRICS if m.case_worse(case, old)]
            cases.append({"id": case["id"], "kind": case["kind"], "worse": worse, "better": better,
                          "changed": changed})
    return {"a": {"eval_set": a["eval_set"], "config": a["config"]},
            "b": {"eval_set": b["eval_set"], "config": b["config"]},
            "metrics": metrics, "cases": cases,
            "only_in_a": sorted(set(before) - {c["id"] for c in b["cases"]}),
            "only_in_b": sorted({c["id"] for c in b["cases"]} - set(before))}
