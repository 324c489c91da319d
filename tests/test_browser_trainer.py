"""The trainer page in a real Chromium: upload an eval set, run it, watch it finish,
open its HTML report, compare two runs."""
from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from tests.live_server import MERCHANT, browser, demo_server, login, page, screenshot  # noqa: F401

CASES = [
    {"id": "t-wash", "message": "这件开衫可以机洗吗？", "context": {"sku_id": "QH-113"},
     "expect": {"kind": "reply", "sources": ["QH-113"], "facts": ["不可机洗"], "escalate": False}},
    {"id": "t-angry", "message": "五天了还没发货！！再不发我就打12315投诉！",
     "expect": {"kind": "escalation", "escalate": True}},
    {"id": "t-style", "message": "这条裙子怎么搭配？", "context": {"sku_id": "QH-101"},
     "expect": {"kind": "outfit", "outfits": 3}},
]


def test_trainer_runs_an_eval_watches_progress_opens_the_report_and_compares(demo_server, page, tmp_path):
    trainer = demo_server.key("trainer")
    path = tmp_path / "demo-smoke.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES), encoding="utf-8")
    login(page, demo_server, trainer)
    expect(page.locator("#nav a")).to_have_text(["训练师评测"])

    page.set_input_files("[data-testid=evalset-file]", str(path))
    page.click("[data-testid=evalset-upload]")
    expect(page.locator("[data-testid=evalset-upload-result]")).to_contain_text("3 个用例")
    row = page.locator("[data-testid=evalset][data-name='demo-smoke']")
    expect(row).to_contain_text("3")

    row.locator("[data-testid=run]").click()
    run = page.locator("[data-testid=run-row]").first
    expect(run.locator("[data-testid=run-status]")).to_have_text("已完成", timeout=60_000)
    expect(run.locator("[data-testid=run-progress]")).to_have_text(" 3/3 ")
    run_id = run.get_attribute("data-id")
    r = httpx.get(f"{demo_server.url}/v1/merchants/{MERCHANT}/evalruns/{run_id}", headers={"X-API-Key": trainer})
    assert r.json()["status"] == "finished" and r.json()["done"] == 3

    run.locator("[data-testid=open-report]").click()
    report = page.frame_locator("[data-testid=report]")
    expect(report.locator("#eval-set")).to_have_text(f"{MERCHANT}/demo-smoke")
    expect(report.locator("body")).to_contain_text("Summary")
    screenshot(page, "trainer-page.png")

    # a second run pinned to a prompt version, then the two side by side
    row.locator("[data-testid=run-prompt]").select_option(index=1)
    row.locator("[data-testid=run]").click()
    expect(page.locator("[data-testid=run-row][data-status=finished]")).to_have_count(2, timeout=60_000)
    page.locator("[data-testid=compare-a]").select_option(run_id)
    page.click("[data-testid=compare-go]")
    rows = page.locator("[data-testid=compare-row]")
    expect(rows.first).to_contain_text("召回率@5")
    summary = r.json()["summary"] if r.json()["summary"] else None
    assert summary is not None
    shown = rows.first.locator("td").nth(1).inner_text()
    assert float(shown) == pytest.approx(summary["retrieval"]["recall_at_5"], abs=1e-3)
    expect(rows.first.locator("td").nth(3)).not_to_have_text("—")       # both runs have the metric

    expect(page.locator("[data-testid=prompt-task][data-task='reply']")).to_contain_text("生效 reply@")

