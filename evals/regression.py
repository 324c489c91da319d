"""Reply quality on many merchants at once, end to end (ingest, retrieval, drafting).

Each merchant folder (catalog, policies/, faqs.csv and an eval set beside them) is
loaded into one fresh data dir and its eval set run through the assist pipeline, the
same way `copilot eval --knowledge` does; one table row per merchant.

    python -m evals.regression evals/heldout/* ../shared/samples/fashion ../shared/samples/gadgets
    python -m evals.regression evals/heldout/tea --eval-file eval_final.jsonl -v
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

from copilot.cli import ingest_paths
from copilot.components import build
from copilot.settings import Settings
from evals.cases import load_cases
from evals.harness import run_eval

HELDOUT = Path(__file__).resolve().parent / "heldout"


def merchant_id(folder: Path) -> str:
    return "m-" + "".join(c if c.isalnum() else "-" for c in folder.name.lower())[:40] + "-x"


async def evaluate_folders(folders: list[Path], *, eval_file: str = "eval.jsonl",
                           data_dir: Path) -> list[dict]:
    """The results (FORMATS.md section 5) of each folder's eval set, in order."""
    parts = build(Settings(data_dir=data_dir, _env_file=None))
    try:
        runs = []
        for folder in folders:
            merchant = merchant_id(folder)
            parts.kb.create_merchant(merchant, name=folder.name)
            # Drafting reads the statements of the product in focus only, and embeds them on
            # the first question about it: the same figures as after a warm-up, in less time.
            ingest_paths(parts.kb, merchant, [folder], statements=False)
            eval_set = folder / eval_file
            runs.append(await run_eval(pipeline=parts.pipeline, kb=parts.kb, merchant=merchant,
                                       cases=load_cases(eval_set), eval_set=str(eval_set),
                                       config=parts.describe()))
        return runs
    finally:
        parts.close()


def row(folder: Path, run: dict) -> dict:
    replies = [c for c in run["cases"] if c["kind"] == "reply"]
    summary = run["summary"]
    return {"merchant": folder.name, "reply_cases": len(replies),
            "recall_at_5": summary["retrieval"]["recall_at_5"],
            "fact_coverage": summary["replies"]["fact_coverage"],
            "must_not_violations": summary["replies"]["must_not_violations"],
            "ungrounded_numbers": summary["replies"]["ungrounded_numbers"]}


def failures(run: dict) -> list[str]:
    out = []
    for case in run["cases"]:
        if case["kind"] != "reply":
            continue
        if case["facts_hit"] == case["facts_total"] and not case["violations"] and not case.get("ungrounded"):
            continue
        out.append(f"  {case['id']}: hit {case['facts_hit']}/{case['facts_total']} "
                   f"violations {case['violations']} ungrounded {case.get('ungrounded')}\n"
                   f"    retrieved {case['retrieved'][:5]}\n    draft {case['draft']}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path,
                        help=f"merchant folders (default: every folder under {HELDOUT})")
    parser.add_argument("--eval-file", default="eval.jsonl", help="the eval set's file name in each folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the failing reply cases")
    parser.add_argument("--json", type=Path, help="write the rows here")
    args = parser.parse_args()
    folders = args.folders or sorted(p for p in HELDOUT.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="copilot-regression-") as tmp:
        runs = asyncio.run(evaluate_folders(folders, eval_file=args.eval_file, data_dir=Path(tmp)))
    rows = [row(f, r) for f, r in zip(folders, runs)]
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for folder, r, run in zip(folders, rows, runs):
        print("| " + " | ".join(str(v) for v in r.values()) + " |")
    if args.verbose:
        for folder, run in zip(folders, runs):
            print(f"\n{folder.name}:")
            print("\n".join(failures(run)))
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
