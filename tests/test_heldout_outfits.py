"""Regression floors on the held-out apparel shops the outfit work was measured and then tuned
on (written apart from the code; see evals/heldout_outfits/README.md) and the fashion sample:
outfit validity, styling false alarms and slot reading may not fall back."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from copilot.outfits.intent import StylingIntent
from evals.outfit_check import check
from knowledge.embedders import E5Embedder

EVALS = Path(__file__).resolve().parents[1] / "evals"
FASHION = Path(__file__).resolve().parents[2] / "shared" / "samples" / "fashion"
# valid outfit cases of 24 over both files of each shop: a case under what the code does now
# (heldout_outfits_final2/ is not here: it is the set kept for the honest figure)
FLOORS = {"heldout_outfits/kidswear": 17, "heldout_outfits/sportswear": 15, "heldout_outfits/menswear": 21,
          "heldout_outfits/hanfu": 17, "heldout_outfits_final/streetwear": 22,
          "heldout_outfits_final/outdoor_apparel": 12, "heldout_outfits_final/womens_commute": 22,
          "heldout_outfits_final/formalwear": 20}


@pytest.fixture(scope="module")
def reader():
    embed = lru_cache(maxsize=None)(E5Embedder().embed_query)
    return embed, StylingIntent(embed)


@pytest.mark.parametrize("shop", sorted(FLOORS))
def test_heldout_shop_outfits_hold(shop, reader):
    embed, intent = reader
    runs = [check(EVALS / shop, split, embed, intent, quiet=True) for split in ("eval.jsonl", "eval_final.jsonl")]
    valid, cases = sum(r["valid"] for r in runs), sum(r["cases"] for r in runs)
    assert cases == 24
    assert valid >= FLOORS[shop], f"{shop}: {valid}/{cases} valid"
    assert sum(r["alarms"] for r in runs) <= 1
    assert runs[0]["slots_right"] >= runs[0]["slots"] - 2


@pytest.mark.skipif(not FASHION.exists(), reason="../shared is not beside the repo")
def test_fashion_sample_outfits_hold(reader):
    embed, intent = reader
    run = check(FASHION, "eval.jsonl", embed, intent, quiet=True)
    assert run["valid"] >= 7 and run["alarms"] <= 1, run
