"""Self-contained HTML pages for eval results: one run, or two runs compared.

Everything is inline (CSS and SVG charts), so a page opens from disk or an
attachment with no network. Figures carry `data-metric` attributes naming where
they come from in the results JSON (e.g. `replies.fact_coverage`). Trainers read the pages
inside the trainer page, so every word shown is Chinese (`METRIC_NAMES` and the other names
below); machine keys stay in the `data-*` attributes.
"""
from __future__ import annotations

import re
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

# what a reader sees for each machine key; the keys stay in the `data-*` attributes
METRIC_NAMES = {
    "retrieval.recall_at_5": "检索召回率（前 5 条）", "retrieval.mrr": "平均倒数排名",
    "replies.fact_coverage": "事实覆盖率", "replies.must_not_violations": "禁用语违规次数",
    "replies.ungrounded_numbers": "未核实数字",
    "escalation.precision": "升级精确率", "escalation.recall": "升级召回率", "escalation.f1": "升级 F1 值",
    "outfits.valid_rate": "搭配有效率",
    "latency_ms.first_event_p50": "首个事件耗时中位数（毫秒）",
    "latency_ms.first_event_p95": "首个事件耗时 95 分位（毫秒）",
    "latency_ms.draft_done_p50": "草稿完成耗时中位数（毫秒）",
    "latency_ms.draft_done_p95": "草稿完成耗时 95 分位（毫秒）",
    # the gate's metrics (`evals.compare.METRICS`) and the compare page's latency rows
    "fact_coverage": "事实覆盖率", "recall_at_5": "检索召回率（前 5 条）", "escalation_f1": "升级 F1 值",
    "outfit_valid_rate": "搭配有效率", "must_not_violations": "禁用语违规次数",
    "latency.first_event_p50": "首个事件耗时中位数（毫秒）",
    "latency.draft_done_p50": "草稿完成耗时中位数（毫秒）",
    "latency.draft_done_p95": "草稿完成耗时 95 分位（毫秒）",
}
CASE_KINDS = {"reply": "回复", "outfit": "搭配", "escalation": "升级"}
SOURCE_KINDS = {"sku": "商品", "policy": "政策", "faq": "常见问题", "unknown": "未知"}
CONFIG_NAMES = {"embedder": "向量模型", "drafter": "草稿生成", "llm": "大模型", "prompts": "提示词版本"}
CASE_FIELDS = {"draft": "草稿", "retrieved": "检索到的来源", "escalate": "是否升级", "outfits": "搭配",
               "facts_hit": "命中事实数", "violations": "禁用语违规", "retrieval_hit": "期望来源在前 5 条",
               "escalation_correct": "升级判断正确", "outfit_valid": "搭配有效"}


def shown(value) -> str:
    """A value of the results JSON for a reader: yes/no, lists joined, nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "、".join(shown(v) for v in value.values() if v is not None) or "—"
    if isinstance(value, (list, tuple)):
        return "；".join(shown(v) for v in value) if any(isinstance(v, (list, tuple)) for v in value) \
            else "、".join(shown(v) for v in value) or "—"
    return str(value)


_env.filters["shown"] = shown
_env.filters["metric"] = lambda key: METRIC_NAMES.get(key, key)
_env.filters["case_kind"] = lambda kind: CASE_KINDS.get(kind, kind)
_env.filters["config_name"] = lambda key: CONFIG_NAMES.get(key, key)
_env.filters["case_field"] = lambda key: CASE_FIELDS.get(key, key)

RUN_PAGE = _env.from_string("""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>评测报告 {{ r.eval_set }}</title><style>{{ style|safe }}</style></head><body>
<h1>评测报告：<span id="eval-set">{{ r.eval_set }}</span></h1>
<p>商家 <b>{{ r.merchant }}</b> · 共 {{ r.cases|length }} 个用例 ·
{% for k, v in r.config.items() %}<span data-config="{{ k }}">{{ k|config_name }}：<code>{{ v|shown }}</code></span>
{% endfor %}</p>
<h2>汇总</h2>
<table id="summary"><tr><th>指标</th><th class="num">数值</th></tr>
{% for section, key in rows %}<tr><td>{{ (section ~ "." ~ key)|metric }}</td>
<td class="num" data-metric="{{ section }}.{{ key }}">{{ (r.summary[section] or {}).get(key)|fmt }}</td></tr>
{% endfor %}</table>
<h2>按用例类型</h2>
<table id="per-kind"><tr><th>类型</th><th class="num">用例数</th><th class="num">事实覆盖率</th>
<th class="num">检索召回率（前 5 条）</th><th class="num">禁用语违规次数</th><th class="num">升级判断准确率</th>
<th class="num">搭配有效率</th><th class="num">草稿完成耗时中位数（毫秒）</th></tr>
{% for kind, m in per_kind.items() %}<tr data-kind="{{ kind }}"><td>{{ kind|case_kind }}</td>
{% for key in ("cases", "fact_coverage", "recall_at_5", "violations", "escalation_accuracy", "outfit_valid_rate",
 "draft_done_p50") %}<td class="num" data-field="{{ key }}">{{ m[key]|fmt }}</td>{% endfor %}</tr>{% endfor %}
</table>
{% set esc = r.summary.escalation or {} %}{% if esc.by_level or esc.by_cutoff %}
<h2>升级：各级别、各阈值下的精确率与召回率</h2>
{% if esc.by_level %}<table id="escalation-levels"><tr><th>达到的级别</th><th class="num">用例数</th>
<th class="num">精确率</th><th class="num">召回率</th><th class="num">F1 值</th></tr>
{% for row in esc.by_level %}<tr data-level="{{ row.level }}"><td>&ge; {{ row.level }} 级</td>
<td class="num">{{ row.cases }}</td><td class="num">{{ row.precision|fmt }}</td>
<td class="num">{{ row.recall|fmt }}</td><td class="num">{{ row.f1|fmt }}</td></tr>{% endfor %}</table>{% endif %}
{% if esc.by_cutoff %}<table id="escalation-cutoffs"><tr><th>分数 &ge; 阈值时升级</th>
<th class="num">精确率</th><th class="num">召回率</th><th class="num">误报</th><th class="num">漏报</th></tr>
{% for row in esc.by_cutoff %}<tr data-cutoff="{{ row.cutoff }}"><td>{{ row.cutoff }}</td>
<td class="num">{{ row.precision|fmt }}</td><td class="num">{{ row.recall|fmt }}</td>
<td class="num">{{ row.false_alarms }}</td><td class="num">{{ row.misses }}</td></tr>{% endfor %}</table>{% endif %}
{% endif %}
<h2>图表</h2><div class="charts">
<figure><figcaption>草稿完成耗时（毫秒），共 {{ latency_count }} 个用例</figcaption>{{ latency_svg|safe }}</figure>
<figure><figcaption>各商品类目的事实覆盖率</figcaption>{{ category_svg|safe }}</figure>
<figure><figcaption>各期望来源类型的事实覆盖率</figcaption>{{ kind_svg|safe }}</figure>
</div>
<h2>问题最多的用例</h2>
<table id="worst"><tr><th>用例</th><th>问题</th><th>草稿</th><th>检索到的来源（期望的来源）</th></tr>
{% for c in worst %}<tr data-case="{{ c.id }}"><td>{{ c.id }}<br><span class="muted">{{ c.kind|case_kind }}</span></td>
<td class="bad">{{ c.problems|join("；") }}</td><td><pre>{{ c.draft or "—" }}</pre></td>
<td>{{ (c.retrieved or [])[:5]|join("、") }}<br><span class="muted">{{ c.expected_sources|join("、") }}</span></td>
</tr>{% endfor %}</table>
</body></html>""")

COMPARE_PAGE = _env.from_string("""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>评测对比</title><style>{{ style|safe }}</style></head><body>
<h1>评测对比</h1>
<p>A：<code>{{ c.a.eval_set }}</code>{% if c.a.config.prompts %} 提示词版本 {{ c.a.config.prompts|shown }}{% endif %}
· B：<code>{{ c.b.eval_set }}</code>{% if c.b.config.prompts %} 提示词版本 {{ c.b.config.prompts|shown }}{% endif %}</p>
<h2>指标</h2><table id="metrics"><tr><th>指标</th><th class="num">A</th><th class="num">B</th>
<th class="num">B − A</th></tr>
{% for m in c.metrics %}<tr data-metric="{{ m.metric }}"><td>{{ m.metric|metric }}</td><td class="num">{{ m.a|fmt }}</td>
<td class="num">{{ m.b|fmt }}</td><td class="num {{ tone(m) }}">{{ m.delta|fmt }}</td></tr>{% endfor %}</table>
<h2>结果不同的用例（{{ c.cases|length }} 个）</h2>
<table id="cases"><tr><th>用例</th><th>变差 / 变好</th><th>变化（A → B）</th></tr>
{% for d in c.cases %}<tr data-case="{{ d.id }}"><td>{{ d.id }}<br><span class="muted">{{ d.kind|case_kind }}</span></td>
<td>{% if d.worse %}<span class="bad">变差：{{ d.worse|map("metric")|join("、") }}</span>{% endif %}
{% if d.better %}<span class="good">变好：{{ d.better|map("metric")|join("、") }}</span>{% endif %}</td>
<td>{% for f, v in d.changed.items() %}<b data-field="{{ f }}">{{ f|case_field }}</b>：<pre>{{ v.a|shown }}</pre>
→<pre>{{ v.b|shown }}</pre>{% endfor %}</td>
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


# the outfit violations `copilot.outfits.checking` and `evals.harness` write (in English) -> Chinese
_OUTFIT_VIOLATIONS = [(re.compile(pattern), zh) for pattern, zh in (
    (r"expected (\d+) outfits, got (\d+)", r"应给出 \1 套搭配，实际给出 \2 套"),
    (r"outfits (\d+) and (\d+) are the same or differ in one non-main item only",
     r"第 \1 套和第 \2 套相同，或只差一件非主件"),
    (r"no items", "没有单品"),
    (r"(.+) appears twice", r"\1 出现了两次"),
    (r"(.+) is not in the catalog", r"\1 不在商品目录里"),
    (r"(.+) is the anchor itself", r"\1 就是顾客正在看的商品本身"),
    (r"(.+) is sold out", r"\1 已售罄"),
    (r"(.+) repeats the anchor's category (.+)", r"\1 与顾客正在看的商品同属「\2」类目"),
    (r"(.+) has category (.+), not one of (.+)", r"\1 的类目是「\2」，不在允许的类目 \3 中"),
    (r"mixes genders (.+)", r"混搭了不同性别：\1"),
    (r"(.+) \((.+)\) and (.+) \((.+)\) cover the same part of the body", r"\1（\2）和 \3（\4）穿在身体同一部位"),
    (r"the added items cost (.+), over the budget of (.+)", r"搭配的单品共 \1 元，超出预算 \2 元"),
    (r"no outfits: the message was not taken for a styling question", "没有给出搭配：这条消息没有被当作穿搭问题"),
    (r"the case names no anchor SKU in this catalog", "用例没有指定本店商品目录里的商品"),
)]
_OUTFIT_NUMBER = re.compile(r"outfit (\d+): (.+)")


def outfit_violation_zh(violation: str) -> str:
    """One outfit violation in Chinese (as written when it is not one the checker writes)."""
    if numbered := _OUTFIT_NUMBER.fullmatch(violation):
        return f"第 {numbered.group(1)} 套：{outfit_violation_zh(numbered.group(2))}"
    for pattern, zh in _OUTFIT_VIOLATIONS:
        if pattern.fullmatch(violation):
            return pattern.sub(zh, violation)
    return violation


def problems(case: dict) -> list[str]:
    found = []
    if case.get("facts_total") and case["facts_hit"] < case["facts_total"]:
        found.append(f"命中事实 {case['facts_hit']}/{case['facts_total']}")
    if case.get("violations"):
        found.append("出现禁用语：" + "、".join(case["violations"]))
    if case.get("retrieval_hit") is False:
        found.append("期望的来源不在检索结果前 5 条")
    if case.get("escalation_correct") is False:
        found.append("升级判断错误：" + ("判为升级，应不升级" if case.get("escalate") else "未升级，应升级"))
    if case.get("outfit_valid") is False:
        found.append("搭配无效：" + "；".join(map(outfit_violation_zh, case.get("outfit_violations") or [])))
    found += [f"运行出错：{error}" for error in case.get("errors") or []]
    return found


def worst_cases(cases: list[dict], limit: int = WORST_CASES) -> list[dict]:
    """Cases with problems, most problems first, then the lowest fact share."""
    def badness(case: dict) -> tuple:
        share = case["facts_hit"] / case["facts_total"] if case.get("facts_total") else 1.0
        return (-len(case["problems"]), share, case["id"])
    flagged = [{**c, "problems": problems(c)} for c in cases]
    return sorted((c for c in flagged if c["problems"]), key=badness)[:limit]


def bar_chart(bars: list[tuple[str, float | None]], *, top: float | None = None, unit: str = "",
              names: dict[str, str] | None = None) -> str:
    """An inline SVG bar chart; each bar has a <title> and `data-label`/`data-value` attributes
    (`data-label` the label as in the results, the text its name in `names` when it has one)."""
    if not bars:
        return '<svg width="240" height="40"><text x="0" y="20">暂无数据</text></svg>'
    top = top or max((v or 0) for _, v in bars) or 1
    inner = CHART_HEIGHT - 40
    width = max(8, (CHART_WIDTH - 40) // len(bars) - BAR_GAP)
    parts = [f'<svg width="{CHART_WIDTH}" height="{CHART_HEIGHT}" role="img">']
    for n, (label, value) in enumerate(bars):
        h = round(inner * (value or 0) / top, 1)
        name = (names or {}).get(label, label)
        x = 30 + n * (width + BAR_GAP)
        y = 10 + inner - h
        parts.append(
            f'<rect class="bar" x="{x}" y="{y}" width="{width}" height="{h}" data-label="{escape(label)}" '
            f'data-value="{value}"><title>{escape(name)}：{value}{unit}</title></rect>'
            f'<text x="{x}" y="{CHART_HEIGHT - 18}">{escape(name[:8])}</text>'
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
        kind_svg=bar_chart(coverage_by(cases, "source_kinds"), top=1.0, names=SOURCE_KINDS))


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

