"""Self-contained HTML pages for eval results: one run, or two runs compared.

Everything is inline (CSS and SVG charts), so a page opens from disk or an
attachment with no network. Figures carry `data-metric` attributes naming where
they come from in the results JSON (e.g. `replies.fact_coverage`).
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import escape

WORST_CASES = 10
HISTOGRAM_BINS = 10
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 560, 180, 4
SUMMARY_ROWS = (
    ("retrieval", "recall_at_5"), ("retrieval", "mrr"),
    ("replies", "fact_coverage"), ("replies", "must_not_violations"), ("replies", "ungrounded_numbers"),
    ("escalation", "precision"), ("escalation", "recall"), ("escalation", "f1"),
    ("outfits", "valid_rate"),
    ("latency_ms", "first_event_p50"), ("latency_ms", "first_event_p95"),
    ("latency_ms", "draft_done_p50"), ("latency_ms", "draft_done_p95"),
)

STYLE = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;
color:#222;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border:1px solid #e3e3e3;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f6f6}.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b00020}.good{color:#0a7a2f}.muted{color:#777}pre{white-space:pre-wrap;margin:0;font-family:inherit}
svg text{font-size:11px;fill:#333}.bar{fill:#4a78c2}.charts{display:flex;flex-wrap:wrap;gap:2rem}
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_env.filters["fmt"] = lambda v: "—" if v is None else (str(round(v, 4)) if isinstance(v, float) else str(v))

RUN_PAGE = _env.from_string("""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>Eval {{ r.eval_set }}</title><style>{{ style|safe }}</style></head><body>
<h1>Eval report: <span id="eval-set">{{ r.eval_set }}</span></h1>
<p>merchant <b>{{ r.merchant }}</b> · {{ r.cases|length }} cases ·
{% for k, v in r.config.items() %}{{ k }}: <code>{{ v }}</code> {% endfor %}</p>
<h2>Summary</h2>
<table id="summary"><tr><th>metric</th><th class="num">value</th></tr>
{% for section, key in rows %}<tr><td>{{ section }}.{{ key }}</td>
<td class="num" data-metric="{{ section }}.{{ key }}">{{ (r.summary[section] or {}).get(key)|fmt }}</td></tr>
{% endfor %}</table>
<h2>Per kind</h2>
<table id="per-kind"><tr><th>kind</th><th class="num">cases</th><th class="num">fact coverage</th>
<th class="num">recall@5</th><th class="num">must_not violations</th><th class="num">escalation accuracy</th>
<th class="num">outfit valid rate</th><th class="num">draft p50 ms</th></tr>
{% for kind, m in per_kind.items() %}<tr data-kind="{{ kind }}"><td>{{ kind }}</td>
{% for key in ("cases", "fact_coverage", "recall_at_5", "violations", "escalation_accuracy", "outfit_valid_rate",
 "draft_done_p50") %}<td class="num" data-field="{{ key }}">{{ m[key]|fmt }}</td>{% endfor %}</tr>{% endfor %}
</table>
{% set esc = r.summary.escalation or {} %}{% if esc.by_level or esc.by_cutoff %}
<h2>Escalation: precision and recall at each level and cutoff</h2>
{% if esc.by_level %}<table id="escalation-levels"><tr><th>level reached</th><th class="num">cases</th>
<th class="num">precision</th><th class="num">recall</th><th class="num">F1</th></tr>
{% for row in esc.by_level %}<tr data-level="{{ row.level }}"><td>&ge; {{ row.level }}</td>
<td class="num">{{ row.cases }}</td><td class="num">{{ row.precision|fmt }}</td>
<td class="num">{{ row.recall|fmt }}</td><td class="num">{{ row.f1|fmt }}</td></tr>{% endfor %}</table>{% endif %}
{% if esc.by_cutoff %}<table id="escalation-cutoffs"><tr><th>escalate when score &ge;</th>
<th class="num">precision</th><th class="num">recall</th><th class="num">false alarms</th><th class="num">misses</th></tr>
{% for row in esc.by_cutoff %}<tr data-cutoff="{{ row.cutoff }}"><td>{{ row.cutoff }}</td>
<td class="num">{{ row.precision|fmt }}</td><td class="num">{{ row.recall|fmt }}</td>
<td class="num">{{ row.false_alarms }}</td><td class="num">{{ row.misses }}</td></tr>{% endfor %}</table>{% endif %}
{% endif %}
<h2>Charts</h2><div class="charts">
<figure><figcaption>Time to draft.done (ms), {{ latency_count }} cases</figcaption>{{ latency_svg|safe }}</figure>
<figure><figcaption>Fact coverage per product category</figcaption>{{ category_svg|safe }}</figure>
<figure><figcaption>Fact coverage per expected source kind</figcaption>{{ kind_svg|safe }}</figure>
</div>
<h2>Worst cases</h2>
<table id="worst"><tr><th>case</th><th>problem</th><th>draft</th><th>retrieved (expected)</th></tr>
{% for c in worst %}<tr data-case="{{ c.id }}"><td>{{ c.id }}<br><span class="muted">{{ c.kind }}</span></td>
<td class="bad">{{ c.problems|join("; ") }}</td><td><pre>{{ c.draft or "—" }}</pre></td>
<td>{{ (c.retrieved or [])[:5]|join(", ") }}<br><span class="muted">{{ c.expected_sources|join(", ") }}</span></td>
</tr>{% endfor %}</table>
</body></html>""")

COMPARE_PAGE = _env.from_string("""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>Eval compare</title><style>{{ style|safe }}</style></head><body>
<h1>Eval compare</h1>
<p>A: <code>{{ c.a.eval_set }}</code> {{ c.a.config.prompts }} · B: <code>{{ c.b.eval_set }}</code>
{{ c.b.config.prompts }}</p>
<h2>Metrics</h2><table id="metrics"><tr><th>metric</th><th class="num">A</th><th class="num">B</th>
<th class="num">B − A</th></tr>
{% for m in c.metrics %}<tr data-metric="{{ m.metric }}"><td>{{ m.metric }}</td><td class="num">{{ m.a|fmt }}</td>
<td class="num">{{ m.b|fmt }}</td><td class="num {{ tone(m) }}">{{ m.delta|fmt }}</td></tr>{% endfor %}</table>
<h2>Cases that differ ({{ c.cases|length }})</h2>
<table id="cases"><tr><th>case</th><th>worse / better</th><th>what changed (A → B)</th></tr>
{% for d in c.cases %}<tr data-case="{{ d.id }}"><td>{{ d.id }}<br><span class="muted">{{ d.kind }}</span></td>
<td><span class="bad">{{ d.worse|join(", ") }}</span> <span class="good">{{ d.better|join(", ") }}</span></td>
<td>{% for f, v in d.changed.items() %}<b>{{ f }}</b>: <pre>{{ v.a }}</pre>→<pre>{{ v.b }}</pre>{% endfor %}</td>
</tr>{% endfor %}</table></body></html>""")


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _coverage(cases: list[dict]) -> float | None:
    scored = [c for c in cases if c.get("facts_total")]
    return _ratio(sum(c["facts_hit"] for c in scored), sum(c["facts_total"] for c in scored))


def _median(values: list[float]) -> float | None:
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    mid = len(vals) // 2
    return round(vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2, 1)


def per_kind(cases: list[dict]) -> dict[str, dict]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for case in cases:
        grouped[case["kind"]].append(case)
    table = {}
    for kind, group in sorted(grouped.items()):
        hits = [c["retrieval_hit"] for c in group if c.get("retrieval_hit") is not None]
        esc = [c["escalation_correct"] for c in group if c.get("escalation_correct") is not None]
        outfits = [c["outfit_valid"] for c in group if c.get("outfit_valid") is not None]
        violations = [len(c["violations"]) for c in group if c.get("violations") is not None]
        table[kind] = {"cases": len(group), "fact_coverage": _coverage(group),
                       "recall_at_5": _ratio(sum(hits), len(hits)),
                       "violations": sum(violations) if violations else None,
                       "escalation_accuracy": _ratio(sum(esc), len(esc)),
                       "outfit_valid_rate": _ratio(sum(outfits), len(outfits)),
                       "draft_done_p50": _median([c.get("draft_done_ms") for c in group])}
    return table


def problems(case: dict) -> list[str]:
    found = []
    if case.get("facts_total") and case["facts_hit"] < case["facts_total"]:
        found.append(f"facts {case['facts_hit']}/{case['facts_total']}")
    if case.get("violations"):
        found.append("must_not: " + "、".join(case["violations"]))
    if case.get("retrieval_hit") is False:
        found.append("expected sources not in top 5")
    if case.get("escalation_correct") is False:
        found.append(f"escalate={case.get('escalate')} is wrong")
    if case.get("outfit_valid") is False:
        found.append("invalid outfits: " + "; ".join(case.get("outfit_violations") or []))
    found += case.get("errors") or []
    return found


def worst_cases(cases: list[dict], limit: int = WORST_CASES) -> list[dict]:
    """Cases with problems, most problems first, then the lowest fact share."""
    def badness(case: dict) -> tuple:
        share = case["facts_hit"] / case["facts_total"] if case.get("facts_total") else 1.0
        return (-len(case["problems"]), share, case["id"])
    flagged = [{**c, "problems": problems(c)} for c in cases]
    return sorted((c for c in flagged if c["problems"]), key=badness)[:limit]


def bar_chart(bars: list[tuple[str, float | None]], *, top: float | None = None, unit: str = "") -> str:
    """An inline SVG bar chart; each bar has a <title> and `data-label`/`data-value` attributes."""
    if not bars:
        return '<svg width="240" height="40"><text x="0" y="20">no data</text></svg>'
    top = top or max((v or 0) for _, v in bars) or 1
    inner = CHART_HEIGHT - 40
    width = max(8, (CHART_WIDTH - 40) // len(bars) - BAR_GAP)
    parts = [f'<svg width="{CHART_WIDTH}" height="{CHART_HEIGHT}" role="img">']
    for n, (label, value) in enumerate(bars):
        h = round(inner * (value or 0) / top, 1)
        x = 30 + n * (width + BAR_GAP)
        y = 10 + inner - h
        parts.append(
            f'<rect class="bar" x="{x}" y="{y}" width="{width}" height="{h}" data-label="{escape(label)}" '
            f'data-value="{value}"><title>{escape(label)}: {value}{unit}</title></rect>'
            f'<text x="{x}" y="{CHART_HEIGHT - 18}">{escape(label)[:8]}</text>'
            f'<text x="{x}" y="{max(y - 2, 10)}">{"—" if value is None else f"{value:g}"}</text>')
    parts.append(f'<line x1="28" y1="{10 + inner}" x2="{CHART_WIDTH}" y2="{10 + inner}" stroke="#999"/></svg>')
    return "".join(parts)


def histogram(values: list[float], bins: int = HISTOGRAM_BINS) -> list[tuple[str, float]]:
    vals = [v for v in values if v is not None]
    if not vals:
        return []
    low, high = min(vals), max(vals)
    step = (high - low) / bins or 1.0
    counts = [0] * bins
    for v in vals:
        counts[min(int((v - low) / step), bins - 1)] += 1
    return [(f"{low + i * step:.0f}–{low + (i + 1) * step:.0f}", float(c)) for i, c in enumerate(counts)]


def coverage_by(cases: list[dict], key: str) -> list[tuple[str, float | None]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for case in cases:
        labels = case.get(key)
        for label in labels if isinstance(labels, list) else [labels]:
            if label is not None and case.get("facts_total"):
                grouped[label].append(case)
    return [(label, _coverage(group)) for label, group in sorted(grouped.items())]


def render_run(results: dict) -> str:
    cases = results["cases"]
    latencies = [c.get("draft_done_ms") for c in cases if c.get("draft_done_ms") is not None]
    return RUN_PAGE.render(
        r=results, style=STYLE, rows=SUMMARY_ROWS, per_kind=per_kind(cases), worst=worst_cases(cases),
        latency_count=len(latencies), latency_svg=bar_chart(histogram(latencies)),
        category_svg=bar_chart(coverage_by(cases, "category"), top=1.0),
        kind_svg=bar_chart(coverage_by(cases, "source_kinds"), top=1.0))


def render_compare(compared: dict) -> str:
    def tone(m: dict) -> str:
        if not m["delta"]:
            return ""
        return "good" if (m["delta"] > 0) == m["higher_is_better"] else "bad"
    return COMPARE_PAGE.render(c=compared, style=STYLE, tone=tone)


def write_page(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path

