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
        for cell in page.locator("#summary [data-metric]").all():
            section, key = cell.get_attribute("data-metric").split(".")
            want = (results["summary"][section] or {}).get(key)
            text = cell.inner_text().strip()
            assert (text == "—") if want is None else float(text) == round(want, 4), (section, key, text)
        reply_row = page.locator('#per-kind tr[data-kind="reply"]')
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
