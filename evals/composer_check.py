"""Dev check of the offline composer on an eval set's reply cases, without retrieval.

For each reply case the composer gets a realistic ranked source list: the SKU in view,
the expected sources and `DISTRACTORS` other sources that share the most words with the
message, shuffled with a fixed seed (so the answer is not always first). Prints fact
coverage, must_not violations and ungrounded numbers (grounding.check against the
sources the composer cited).

    HF_HUB_OFFLINE=1 .venv/bin/python -m evals.composer_check /work/shared/samples/fashion/eval.jsonl -v
"""
from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

import frontmatter

from copilot.drafting import DraftRequest
from copilot.drafting.composer import Composer
from copilot.drafting.grounding import check
from evals.cases import EvalCase, load_cases
from evals.metrics import fact_hits, violations
from knowledge.lexical import terms
from knowledge.records import Faq, Policy, Product, Source

DISTRACTORS = 4
SEED = 20240601
RANKED_SHOWN = 6


def load_sources(merchant_dir: Path) -> dict[str, Source]:
    """Every SKU, policy and FAQ of a merchant directory, as retrieval would return them."""
    sources: dict[str, Source] = {}
    for line in (merchant_dir / "catalog.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            p = Product.model_validate(json.loads(line))
            sheet = "\n".join(f"{k}：{v}" for k, v in p.attributes.items())
            sources[p.sku_id] = Source(id=p.sku_id, kind="sku", title=p.title,
                                       text=f"{p.title}\n{sheet}\n{p.description}", score=0.0,
                                       record=p.model_dump(mode="json"))
    for path in sorted((merchant_dir / "policies").glob("*.md")):
        post = frontmatter.loads(path.read_text(encoding="utf-8-sig"))
        heading = next((ln.lstrip("#").strip() for ln in post.content.splitlines()
                        if ln.startswith("# ")), path.stem)
        policy = Policy(policy_id=post.get("policy_id") or path.stem,
                        title=post.get("title") or heading, body=post.content,
                        applies_to=post.get("applies_to") or [])
        sources[policy.id] = Source(id=policy.id, kind="policy", title=policy.title,
                                    text=policy.body, score=0.0, record=policy.model_dump())
    with (merchant_dir / "faqs.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            faq = Faq(faq_id=row["faq_id"], question=row["question"], answer=row["answer"],
                      tags=[t for t in (row.get("tags") or "").split("|") if t])
            sources[faq.id] = Source(id=faq.id, kind="faq", title=faq.question,
                                     text=f"{faq.question}\n{faq.answer}", score=0.0,
                                     record=faq.model_dump())
    return sources


def ranked_sources(case: EvalCase, sources: dict[str, Source], rng: random.Random) -> list[Source]:
    wanted = [s for s in [case.sku, *case.expect.sources] if s in sources]
    words = set(terms(case.message))
    others = sorted((s for s in sources.values() if s.id not in wanted),
                    key=lambda s: (-len(words & set(terms(s.title + s.text))), s.id))
    picked = list(dict.fromkeys(wanted + [s.id for s in others[:DISTRACTORS]]))
    rng.shuffle(picked)
    return [sources[sid].model_copy(update={"score": round(1.0 - i * 0.1, 2)})
            for i, sid in enumerate(picked)]


def run(eval_path: Path, *, verbose: bool = False) -> dict:
    sources = load_sources(eval_path.parent)
    composer = Composer()
    rng = random.Random(SEED)
    hits: list[bool] = []
    bad_words = ungrounded = cases = 0
    for case in load_cases(eval_path):
        if case.expect.kind != "reply":
            continue
        cases += 1
        ranked = ranked_sources(case, sources, rng)
        request = DraftRequest(merchant=eval_path.parent.name, message=case.message,
                               history=case.turns, sources=tuple(ranked), sku_in_view=case.sku)
        composition = composer.compose(request)
        case_hits = fact_hits(case.expect.facts, composition.text)
        case_bad = violations(case.expect.must_not, composition.text)
        report = check(composition.text, [sources[c] for c in composition.citations])
        hits += case_hits
        bad_words += len(case_bad)
        ungrounded += len(report.ungrounded)
        if verbose and (not all(case_hits) or case_bad or not report.ok):
            print(f"{case.id} {case.message}\n  given: {[s.id for s in ranked]}"
                  f"\n  cited: {composition.citations}\n  draft: {composition.text}"
                  f"\n  missed: {[f for f, h in zip(case.expect.facts, case_hits) if not h]}"
                  f" must_not: {case_bad} ungrounded: {report.ungrounded}")
            for scored in composer.finder.rank(case.message, ranked, sku_in_view=case.sku,
                                               history=case.turns)[:RANKED_SHOWN]:
                print(f"    {scored.score:5.2f} {scored.fact.source_id} {scored.fact.text[:50]}")
    return {"eval_set": str(eval_path), "reply_cases": cases,
            "fact_coverage": round(sum(hits) / len(hits), 4) if hits else None,
            "must_not_violations": bad_words, "ungrounded_numbers": ungrounded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_sets", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="print failing cases")
    args = parser.parse_args()
    for path in args.eval_sets:
        print(json.dumps(run(path, verbose=args.verbose), ensure_ascii=False))


if __name__ == "__main__":
    main()
