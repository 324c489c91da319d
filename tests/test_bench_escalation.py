"""The escalation benchmark runs, covers every language and mood, and gives ten-turn histories."""
from __future__ import annotations

from evals.bench_escalation import HISTORY_TURNS, cases, main, run


def test_generated_cases_cover_both_languages_and_moods_with_ten_turn_histories():
    generated = cases(40, seed=3)
    assert {(language, mood) for language, mood, _, _ in generated} == {
        ("zh", "calm"), ("zh", "angry"), ("en", "calm"), ("en", "angry")}
    assert all(len(history) == HISTORY_TURNS for _, _, _, history in generated)
    assert cases(40, seed=3) == generated


def test_the_run_reports_percentiles_per_group_and_writes_json(tmp_path):
    result = run(24, seed=5)
    assert set(result["by_group_ms"]) == {"en/angry", "en/calm", "zh/angry", "zh/calm"}
    assert 0 < result["all_ms"]["p50"] <= result["all_ms"]["p95"] <= result["all_ms"]["p99"] <= result["max_ms"]
    out = tmp_path / "bench.json"
    assert main(["--messages", "24", "--json", str(out)]) in (0, 1)
    assert '"history_turns": 10' in out.read_text(encoding="utf-8")
