"""`copilot eval`: run an eval set through the assist pipeline and write the results format.

Every case goes through `Pipeline.run`, the generator the server streams; the
harness only watches the events, times them and scores the outcome
(FORMATS.md section 5).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from copilot.outfit_check import check_outfits
from copilot.pipeline import AssistRequest, Pipeline
from evals.cases import EvalCase
from evals.metrics import summarise
from knowledge.base import KnowledgeBase


async def run_case(pipeline: Pipeline, merchant: str, case: EvalCase) -> dict:
    start = time.perf_counter()
    result: dict = {"id": case.id, "kind": case.expect.kind, "retrieved": None, "draft": None,
                    "escalate": None, "escalation_level": None, "outfits": None,
                    "first_event_ms": None, "draft_done_ms": None}
    request = AssistRequest(merchant=merchant, message=case.message, sku=case.sku,
                            history=case.turns)
    async for event in pipeline.run(request):
        elapsed = round((time.perf_counter() - start) * 1000, 2)
        if result["first_event_ms"] is None:
            result["first_event_ms"] = elapsed
        if event.type == "escalation":
            result["escalate"] = event.body["escalate"]
            result["escalation_level"] = event.body["level"]
            result["escalation_reasons"] = event.body["reasons"]
        elif event.type == "sources":
            result["retrieved"] = [s["id"] for s in event.body["sources"]]
        elif event.type == "outfits":
            result["outfits"] = [[i["sku_id"] for i in o["items"]] for o in event.body["outfits"]]
            result["outfit_note"] = event.body.get("note")
        elif event.type == "error":
            result.setdefault("errors", []).append(event.body["message"])
        elif event.type == "draft.done":
            result["draft_done_ms"] = elapsed
            result["draft"] = event.body["text"]
            result["citations"] = event.body["citations"]
            result["ungrounded"] = event.body["ungrounded"]
    return result


def outfit_violations(kb: KnowledgeBase, merchant: str, case: EvalCase, result: dict) -> list[str] | None:
    if case.expect.kind != "outfit" or result["outfits"] is None:
        return None
    catalog = {p.sku_id: p for p in kb.products(merchant)}
    anchor = catalog.get(case.sku or "")
    if anchor is None:
        return ["the case names no anchor SKU in this catalog"]
    return check_outfits(result["outfits"], anchor=anchor, catalog=catalog,
                         count=case.expect.outfits or 3,
                         allowed_categories=case.expect.allowed_categories)


async def run_eval(*, pipeline: Pipeline, kb: KnowledgeBase, merchant: str, cases: list[EvalCase],
                   eval_set: str, config: dict,
                   progress: Callable[[int], None] | None = None) -> dict:
    results = []
    for case in cases:
        result = await run_case(pipeline, merchant, case)
        result["outfit_violations"] = outfit_violations(kb, merchant, case, result)
        results.append(result)
        if progress:
            progress(1)
    return {"eval_set": eval_set, "merchant": merchant, "config": config,
            "summary": summarise(cases, results), "cases": results}


def write_results(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
