"""Check outfits alone on merchant folders: validity, styling recognition, slot reading.

    python -m evals.outfit_check [--split eval.jsonl] [-q] DIR ...

Per merchant folder (catalog, eval set, optional `slots_truth.json`: category -> slot as
a person judged it) it reads every category's slot, then runs each case of the split
through `suggest_outfits`. An `outfit` case is valid when it is recognised and its
outfits pass `check_outfits` (the eval set's rules; with the truth file also no two
pieces on one body region; with `expect.budget` also the budget). A `reply` case raises
a false alarm when it is taken for a styling question. Slot reading is scored against
the truth file. Every failure is listed with why (`-q`: not).
"""
from __future__ import annotations

import argparse
import json
from functools import lru_cache
from pathlib import Path

from copilot.outfits.checking import check_outfits
from copilot.outfits.intent import StylingIntent
from copilot.outfits.stylist import build_wardrobe, suggest_outfits
from evals.cases import load_cases
from knowledge.embedders import E5Embedder
from knowledge.loaders import parse


def check(folder: Path, split: str, embed, intent: StylingIntent, *, quiet: bool) -> dict:
    name = next(n for n in ("catalog.jsonl", "catalog.csv") if (folder / n).exists())
    products = parse("sku", name, (folder / name).read_bytes())
    catalog = {p.sku_id: p for p in products}
    truth_file = folder / "slots_truth.json"
    truth = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else None
    wardrobe = build_wardrobe(products, embed)
    slots = wardrobe.slots
    failures, valid, outfit_cases, alarms, replies = [], 0, 0, 0, 0
    for case in load_cases(folder / split):
        result = suggest_outfits(case.message, case.turns, sku_in_view=case.sku, wardrobe=wardrobe, intent=intent)
        if case.expect.kind == "reply":
            replies += 1
            if result is not None:
                alarms += 1
                failures.append(f"{case.id}: reply case taken for styling: {case.message}")
            continue
        if case.expect.kind != "outfit":
            continue
        outfit_cases += 1
        problems = ["not recognised as a styling question"] if result is None else check_outfits(
            result, anchor=catalog[case.sku], catalog=catalog, count=case.expect.outfits or 3,
            allowed_categories=case.expect.allowed_categories, slots=truth,
            budget=case.expect.budget)
        valid += not problems
        if problems:
            failures.append(f"{case.id}: {case.message}\n    " + "\n    ".join(problems)
                            + (f"\n    note: {result.note}" if result is not None and result.note else ""))
    slot_right = sum(slots[c].slot == s for c, s in truth.items() if c in slots) if truth else None
    print(f"== {folder.name} ({split}): outfit cases valid {valid}/{outfit_cases}"
          f"  styling false alarms {alarms}/{replies}"
          + (f"  slots read right {slot_right}/{len(truth)}" if truth else ""))
    if not quiet:
        for line in failures:
            print("  " + line)
        if truth:
            for category, slot in truth.items():
                if category in slots and slots[category].slot != slot:
                    print(f"  slot of {category}: read {slots[category].slot} "
                          f"({slots[category].confidence:.2f}), judged {slot}")
    return {"valid": valid, "cases": outfit_cases, "alarms": alarms, "replies": replies,
            "slots_right": slot_right, "slots": len(truth) if truth else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--split", default="eval.jsonl", help="the eval file in each folder (eval_final.jsonl...)")
    parser.add_argument("-q", "--quiet", action="store_true", help="figures only, no failures")
    args = parser.parse_args()
    embed = lru_cache(maxsize=None)(E5Embedder().embed_query)
    intent = StylingIntent(embed)
    totals = [check(folder, args.split, embed, intent, quiet=args.quiet) for folder in args.folders]
    valid, cases = sum(t["valid"] for t in totals), sum(t["cases"] for t in totals)
    print(f"== all: outfit cases valid {valid}/{cases} ({valid / max(cases, 1):.3f}); styling false alarms "
          f"{sum(t['alarms'] for t in totals)}/{sum(t['replies'] for t in totals)}")


if __name__ == "__main__":
    main()
