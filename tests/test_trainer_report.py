"""`copilot eval` end to end on the gadgets sample: the JSON and the HTML report, opened in a
real Chromium whose figures must match the JSON; and `--compare`."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from copilot.cli import app
from tests.conftest import sample

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def run_eval(tmp_path: Path, name: str, *extra: str) -> dict:
    out = tmp_path / f"{name}.json"
    result = CliRunner().invoke(app, ["eval", str(sample("gadgets", "eval.jsonl")), "-m", "gadgets",
                                      "--knowledge", str(sample("gadgets")), "--json", str(out), *extra],
                                env={"COPILOT_DATA_DIR": str(tmp_path / "unused")})
    assert result.exit_code == 0, result.output
    assert out.with_suffix(".html").exists()
    return json.loads(out.read_text(encoding="utf-8"))


def test_eval_writes_json_and_a_report_whose_numbers_match_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists() or shutil.which("chromium"), (
        f"Chromium is missing at {CHROMIUM}: install it with `apt-get install -y chromium`")
    results = run_eval(tmp_path, "gadgets", "--drafter", "composer", "--prompt", "reply@1")
    assert len(results["cases"]) == 20 and results["config"]["prompts"]["reply"] == "reply@1"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto((tmp_path / "gadgets.html").as_uri())
        headings = page.locator("h1, h2").all_inner_texts()
        assert headings[0] == f"评测报告：{results['eval_set']}" and {"汇总", "按用例类型", "图表", "问题最多的用例"} <= set(headings)
        names = dict(zip(page.locator("#summary [data-metric]").evaluate_all("cells => cells.map(c => c.dataset.metric)"),
                         page.locator("#summary tr td:first-child").all_inner_texts()))
        assert names["replies.fact_coverage"] == "事实覆盖率" and names["retrieval.recall_at_5"] == "检索召回率（前 5 条）"
        assert page.locator("#summary th").all_inner_texts() == ["指标", "数值"]
        assert page.locator("figcaption").first.inner_text().startswith("草稿完成耗时（毫秒）")
        for cell in page.locator("#summary [data-metric]").all():
            section, key = cell.get_attribute("data-metric").split(".")
            want = (results["summary"][section] or {}).get(key)
            text = cell.inner_text().strip()
            assert (text == "—") if want is None else float(text) == round(want, 4), (section, key, text)
        reply_row = page.locator('#per-kind tr[data-kind="reply"]')
        assert reply_row.locator("td").first.inner_text() == "回复"
        assert int(reply_row.locator('[data-field="cases"]').inner_text()) == 20
        assert float(reply_row.locator('[data-field="fact_coverage"]').inner_text()) == \
            results["summary"]["replies"]["fact_coverage"]
        bars = page.locator("figure svg").first.locator("rect.bar")
        counted = sum(float(b.get_attribute("data-value")) for b in bars.all())
        assert counted == len([c for c in results["cases"] if c["draft_done_ms"] is not None])
        worst = page.locator("#worst tr[data-case]").all_inner_texts()
        flawed = [c for c in results["cases"] if c["facts_hit"] < c["facts_total"] or c["violations"]]
        assert len(worst) == min(10, len(flawed))
        for case in flawed[:10]:
            assert page.locator(f'#worst tr[data-case="{case["id"]}"]').count() == 1
        if any(c["facts_hit"] < c["facts_total"] for c in flawed[:10]):
            assert "命中事实" in page.locator("#worst").inner_text()
        body = page.locator("body").inner_text()
        for english in ("Summary", "Per kind", "Charts", "Worst cases", "metric", "cases", "fact coverage"):
            assert english not in body, english
        browser.close()


def test_compare_prints_both_runs_and_writes_a_compare_page(tmp_path):
    a = run_eval(tmp_path, "a", "--drafter", "composer")
    b = json.loads(json.dumps(a))
    b["cases"][0]["facts_hit"] = 0
    b["cases"][0]["draft"] = "亲，我帮您确认一下"
    b["summary"]["replies"]["fact_coverage"] = 0.5
    (tmp_path / "b.json").write_text(json.dumps(b, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"),
                                      "--json", str(tmp_path / "cmp" / "x.json")])
    assert result.exit_code == 0, result.output
    assert "fact_coverage" in result.output and a["cases"][0]["id"] in result.output
    page = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    assert f'data-case="{a["cases"][0]["id"]}"' in page and page.count('<tr data-case=') == 1
    assert "<h1>评测对比</h1>" in page and "结果不同的用例（1 个）" in page
    assert '<tr data-metric="fact_coverage"><td>事实覆盖率</td>' in page and "变差：事实覆盖率" in page
    assert '<b data-field="draft">草稿</b>' in page and "Eval compare" not in page
