"""`copilot eval`: run an eval set through the assist pipeline and write the results format.

Every case goes through `Pipeline.run`, the generator the server streams; the
harness only watches the events, times them and scores the outcome
(FORMATS.md section 5).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from copilot.outfits.checking import check_outfits
from copilot.pipeline import AssistRequest, Pipeline
from copilot.prompts import PromptTemplate
from evals.cases import EvalCase
from evals.metrics import score_case, summarise
from knowledge.base import KnowledgeBase
from knowledge.records import Product


async def run_case(pipeline: Pipeline, merchant: str, case: EvalCase,
                   prompts: Mapping[str, PromptTemplate] | None = None) -> dict:
    """One case through the pipeline; `prompts` (task -> template) overrides the merchant's active ones."""
    start = time.perf_counter()
    result: dict = {"id": case.id, "kind": case.expect.kind, "retrieved": None, "draft": None,
                    "escalate": None, "escalation_level": None, "outfits": None,
                    "first_event_ms": None, "draft_done_ms": None}
    request = AssistRequest(merchant=merchant, message=case.message, sku=case.sku,
                            history=case.turns, prompts=prompts)
    async for event in pipeline.run(request):
        elapsed = round((time.perf_counter() - start) * 1000, 2)
        if result["first_event_ms"] is None:
            result["first_event_ms"] = elapsed
        if event.type == "escalation":
            result["escalate"] = event.body["escalate"]
            result["escalation_level"] = event.body["level"]
            result["escalation_score"] = event.body["score"]
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
            result["prompt"] = (event.body.get("prompt") or {}).get("id")
    return result


def outfit_violations(catalog: dict[str, Product], case: EvalCase, result: dict) -> list[str] | None:
    """None for other kinds; an outfit case the pipeline did not answer with outfits fails."""
    if case.expect.kind != "outfit":
        return None
    if result["outfits"] is None:
        return ["no outfits: the message was not taken for a styling question"]
    anchor = catalog.get(case.sku or "")
    if anchor is None:
        return ["the case names no anchor SKU in this catalog"]
    return check_outfits(result["outfits"], anchor=anchor, catalog=catalog,
                         count=case.expect.outfits or 3,
                         allowed_categories=case.expect.allowed_categories, budget=case.expect.budget)


def case_labels(kb: KnowledgeBase, merchant: str, catalog: dict[str, Product]) -> Callable[[EvalCase], dict]:
    """What the report groups a case by: the category of its SKU, the kinds of its expected sources."""
    categories = {sku: p.category for sku, p in catalog.items()}
    kinds = {r.id: kind for kind in ("sku", "policy", "faq") for r in kb.records(merchant, kind)}

    def labels(case: EvalCase) -> dict:
        return {"category": categories.get(case.sku or ""),
                "expected_sources": list(case.expect.sources),
                "source_kinds": sorted({kinds.get(s, "unknown") for s in case.expect.sources})}
    return labels


async def run_eval(*, pipeline: Pipeline, kb: KnowledgeBase, merchant: str, cases: list[EvalCase],
                   eval_set: str, config: dict,
                   progress: Callable[[int], None] | None = None,
                   prompts: Mapping[str, PromptTemplate] | None = None) -> dict:
    """Every case, scored; `prompts` (task -> template) drafts instead of the merchant's active ones."""
    results = []
    catalog = {p.sku_id: p for p in kb.products(merchant)}     # read once per run
    labels = case_labels(kb, merchant, catalog)
    for case in cases:
        result = await run_case(pipeline, merchant, case, prompts)
        result["outfit_violations"] = outfit_violations(catalog, case, result)
        result |= labels(case) | score_case(case, result)
        results.append(result)
        if progress:
            progress(1)
    return {"eval_set": eval_set, "merchant": merchant, "config": config,
            "summary": summarise(cases, results), "cases": results}


async def evaluate(parts, *, merchant: str, cases: list[EvalCase], eval_set: str,
                   prompts: Mapping[str, PromptTemplate] | None = None,
                   progress: Callable[[int], None] | None = None) -> dict:
    """`run_eval` with built components (`copilot.components.Components`); the config records
    the prompt version of every task the run drafted with (overrides, else the merchant's active)."""
    overrides = dict(prompts or {})
    used = {task: (overrides.get(task) or parts.prompt_registry.active(merchant, task)).id
            for task in sorted(set(parts.prompt_registry.library.tasks()) | set(overrides))}
    return await run_eval(pipeline=parts.pipeline, kb=parts.kb, merchant=merchant, cases=cases,
                          eval_set=eval_set, config=parts.describe() | {"prompts": used},
                          progress=progress, prompts=overrides or None)


def write_results(path: Path, results: dict) -> Path:
    """Write the results JSON and, next to it, its HTML report; returns the report's path."""
    from evals.report import render_run, write_page

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return write_page(path.with_suffix(".html"), render_run(results))
