"""The trainer page in a real Chromium: upload an eval set, run it, watch it finish,
open its HTML report, compare two runs."""
from __future__ import annotations

import json
import re

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
    r = httpx.get(f"{demo_server.url}/v1/merchants/{MERCHANT}/evalruns/{run_id}", headers={"Authorization": f"Bearer {trainer}"})
    assert r.json()["status"] == "finished" and r.json()["done"] == 3

    run.locator("[data-testid=open-report]").click()
    report = page.frame_locator("[data-testid=report]")
    expect(report.locator("#eval-set")).to_have_text(f"{MERCHANT}/demo-smoke")
    expect(report.locator("body")).to_contain_text("汇总")
    expect(report.locator("#summary [data-metric='replies.fact_coverage']").locator("xpath=..")).to_contain_text("事实覆盖率")
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



LABEL_CASES = [
    {"id": "l-manager", "message": "我要找你们经理", "history": [{"role": "customer", "text": "在吗"}],
     "expect": {"kind": "escalation", "escalate": True}},
    {"id": "l-jacket", "message": "这件羽绒服钻毛钻得满身都是，必须退一赔三，不然我找媒体曝光",
     "expect": {"kind": "escalation", "escalate": False}},
    {"id": "l-wash", "message": "这件开衫可以机洗吗？", "context": {"sku_id": "QH-113"},
     "expect": {"kind": "reply", "facts": ["不可机洗"]}},
]


def test_trainer_marks_the_escalation_of_eval_cases_and_sees_the_shops_labels(demo_server, page, tmp_path):
    trainer = demo_server.key("trainer", label="训练师小王")
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in LABEL_CASES), encoding="utf-8")
    login(page, demo_server, trainer)
    expect(page.locator("[data-testid=escalation-labels]")).to_contain_text("还没有升级标注")
    page.set_input_files("[data-testid=evalset-file]", str(path))
    page.click("[data-testid=evalset-upload]")
    expect(page.locator("[data-testid=evalset-upload-result]")).to_contain_text("3 个用例")
    page.locator("[data-testid=evalset][data-name='labels'] [data-testid=show-cases]").click()

    cases = page.locator("[data-testid=case]")
    expect(cases).to_have_count(3)
    expect(cases.locator("[data-testid=mark-escalate]")).to_have_count(2)      # only cases with expect.escalate
    manager = page.locator("[data-testid=case][data-id='l-manager']")
    jacket = page.locator("[data-testid=case][data-id='l-jacket']")
    expect(manager).to_contain_text("升级")
    expect(page.locator("[data-testid=case][data-id='l-wash'] button")).to_have_count(0)

    manager.locator("[data-testid=mark-escalate]").click()
    expect(manager.locator("[data-testid=mark-result]")).to_have_text("已记录：本店相似消息今后判为需升级，会升级处理")
    expect(manager.locator("[data-testid=mark-escalate]")).to_be_disabled()
    expect(manager.locator("[data-testid=mark-calm]")).to_be_disabled()
    jacket.locator("[data-testid=mark-calm]").click()
    expect(jacket.locator("[data-testid=mark-result]")).to_have_text(re.compile(r"^已记录：本店相似消息今后判为\S+，不会升级$"))
    expect(jacket.locator("[data-testid=mark-escalate]")).to_be_disabled()

    rows = page.locator("[data-testid=escalation-label]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("羽绒服")                      # newest first
    expect(rows.first).to_contain_text("误报 · 判为")
    expect(rows.nth(1)).to_contain_text("我要找你们经理")
    expect(rows.nth(1)).to_contain_text("应该升级 · 判为需升级")
    for row in rows.all():
        expect(row).to_contain_text("训练师")
        expect(row).to_contain_text("训练师小王")
    labels = demo_server.parts.ledger.escalation_labels(MERCHANT)
    assert [(x.message, x.verdict, x.source, x.actor) for x in labels] == [
        ("我要找你们经理", "escalate", "trainer", "训练师小王"),
        (LABEL_CASES[1]["message"], "calm", "trainer", "训练师小王")]
    screenshot(page, "trainer-escalation-labels.png")
