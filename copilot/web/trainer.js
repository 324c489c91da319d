// The trainer page: eval sets (upload, run, watch progress, open the report), their cases
// with escalation labelling and the merchant's labels (`trainer_labels.js`), compare two runs
// (e.g. two prompt versions), and each prompt task's active version and A/B outcomes.

import { api, ApiError } from "./api.js";
import { clear, clock, h } from "./dom.js";
import { escalationLabelling } from "./trainer_labels.js";

const POLL_MS = 500;
const RUNS_STORE = "copilot.evalRuns";
const NAME_RULE_ZH = "名称只能用英文字母、数字、- 或 _，首尾为字母或数字，最多 62 个字符（不能有空格、点、斜杠或冒号）";
// [label, path in summary, higher is better]
const METRICS = [
  ["召回率@5", "retrieval.recall_at_5", true], ["MRR", "retrieval.mrr", true],
  ["事实覆盖率", "replies.fact_coverage", true], ["禁用语违规", "replies.must_not_violations", false],
  ["未核实数字", "replies.ungrounded_numbers", false], ["升级精确率", "escalation.precision", true],
  ["升级召回率", "escalation.recall", true], ["升级 F1", "escalation.f1", true],
  ["搭配有效率", "outfits.valid_rate", true], ["首事件 p50 (ms)", "latency_ms.first_event_p50", false],
  ["定稿 p95 (ms)", "latency_ms.draft_done_p95", false],
];
const OUTCOME_FIELDS = [["drafts", "草稿数"], ["approved", "批准"], ["rejected", "拒绝"], ["acceptance_rate", "采纳率"],
  ["edit_rate", "修改率"], ["mean_edit_distance", "平均修改幅度"], ["escalations", "升级会话"], ["mean_seconds_to_approval", "平均审核秒数"]];

const pick = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);
const fmt = (v) => (v === null || v === undefined ? "—" : typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v));

export function mount(root, me) {
  let merchant = me.merchant;
  let prompts = {};
  const timers = new Set();
  const runs = JSON.parse(localStorage.getItem(RUNS_STORE) || "{}");   // run id -> run (this browser's runs)

  const merchantPick = h("select", { hidden: true, "aria-label": "商家" });
  const sets = h("div", { "data-testid": "evalsets" });
  const file = h("input", { type: "file", accept: ".jsonl", "data-testid": "evalset-file" });
  // a name is what copilot/names.py allows: the server refuses any other (and a file name that is not one)
  const setName = h("input", { type: "text", placeholder: "名称（可选，默认取文件名）", "data-testid": "evalset-name",
    pattern: "[A-Za-z0-9]([A-Za-z0-9_\\-]{0,60}[A-Za-z0-9])?", title: NAME_RULE_ZH });
  const uploadResult = h("div", { "data-testid": "evalset-upload-result" });
  const runBox = h("div", { "data-testid": "runs" });
  const report = h("iframe", { class: "report", title: "评测报告", "data-testid": "report", hidden: true, sandbox: "" });
  const compareA = h("select", { "data-testid": "compare-a" });
  const compareB = h("select", { "data-testid": "compare-b" });
  const compareOut = h("div", { "data-testid": "compare" });
  const promptBox = h("div", { "data-testid": "prompts" });
  const labelling = escalationLabelling(() => merchant);

  root.append(h("div", { class: "trainer-page" },
    h("div", { class: "page-head" }, h("h2", {}, "训练师评测"), merchantPick),
    h("section", { class: "card" }, h("h3", {}, "评测集"), sets,
      h("form", { class: "run-form", onsubmit: uploadSet }, file, setName,
        h("button", { type: "submit", "data-testid": "evalset-upload" }, "上传评测集")), uploadResult, labelling.casesBox),
    labelling.labelsCard,
    h("section", { class: "card" }, h("h3", {}, "评测运行"), runBox, report),
    h("section", { class: "card" }, h("h3", {}, "版本对比"),
      h("div", { class: "run-form" }, "A ", compareA, " B ", compareB,
        h("button", { "data-testid": "compare-go", onclick: compare }, "对比")), compareOut),
    h("section", { class: "card" }, h("h3", {}, "提示词版本与 A/B 结果"), promptBox)));

  merchantPick.addEventListener("change", () => { merchant = merchantPick.value; clear(labelling.casesBox); refresh(); });

  async function refresh() {
    prompts = await api("/v1/prompts").catch(() => ({}));
    await Promise.all([loadSets(), loadPrompts(), labelling.loadLabels()]);
    renderRuns();
  }

  function promptChoices() {
    const options = [h("option", { value: "" }, "当前生效版本")];
    for (const [task, versions] of Object.entries(prompts)) {
      for (const v of versions) options.push(h("option", { value: v.id }, v.id + (v.description ? ` · ${v.description}` : "")));
    }
    return options;
  }

  async function loadSets() {
    let list;
    try { list = await api(`/v1/merchants/${encodeURIComponent(merchant)}/evalsets`); }
    catch (err) { clear(sets, h("p", { class: "error" }, `加载失败：${err.message}`)); return; }
    clear(sets, list.length ? h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "名称"), h("th", {}, "用例数"), h("th", {}, "上传者"), h("th", {}, "提示词"), h("th", {}, ""))),
      h("tbody", {}, list.map((s) => {
        const choice = h("select", { "data-testid": "run-prompt" }, promptChoices());
        return h("tr", { "data-testid": "evalset", dataset: { name: s.name } }, h("td", {}, s.name), h("td", { class: "num" }, s.cases),
          h("td", {}, s.author), h("td", {}, choice),
          h("td", {}, h("button", { class: "primary", "data-testid": "run", onclick: () => run(s.name, choice.value) }, "运行"), " ",
            h("button", { "data-testid": "show-cases", onclick: () => labelling.showCases(s.name) }, "查看用例")));
      }))) : h("p", { class: "muted" }, "还没有评测集：上传一个 JSONL 文件（每行一个用例）。"));
  }

  async function uploadSet(e) {
    e.preventDefault();
    if (!file.files.length) return;
    const form = new FormData();
    form.append("file", file.files[0], file.files[0].name);
    if (setName.value.trim()) form.append("name", setName.value.trim());
    try {
      const res = await api(`/v1/merchants/${encodeURIComponent(merchant)}/evalsets`, { method: "POST", form });
      clear(uploadResult, h("p", { class: "ok" }, `已上传「${res.name}」：${res.cases} 个用例`));
      file.value = "";
      setName.value = "";
      loadSets();
    } catch (err) {
      const problems = err instanceof ApiError ? err.body.problems : null;
      const why = err instanceof ApiError && err.body.code === "invalid_name" ? `评测集名称不可用。${NAME_RULE_ZH}`
        : problems ? `未保存任何用例，共 ${problems.length} 个问题` : err.message;
      clear(uploadResult, h("p", { class: "error" }, `上传被拒绝：${why}`), problems ? h("table", { class: "problems" },
        problems.map((p) => h("tr", {}, h("td", {}, p.file), h("td", {}, p.line ?? "—"), h("td", {}, p.field ?? "—"), h("td", {}, p.message_zh || p.message)))) : null);
    }
  }

  async function run(name, prompt) {
    try {
      const started = await api(`/v1/merchants/${encodeURIComponent(merchant)}/evalsets/${encodeURIComponent(name)}/runs`,
        { method: "POST", json: { prompts: prompt ? [prompt] : [] } });
      remember(started);
      watch(started.id);
    } catch (err) {
      clear(runBox, h("p", { class: "error" }, `无法运行：${err.message}`));
    }
  }

  function remember(r) {
    runs[r.id] = r;
    localStorage.setItem(RUNS_STORE, JSON.stringify(runs));
    renderRuns();
  }

  function watch(id) {
    const timer = setInterval(async () => {
      try {
        const r = await api(`/v1/merchants/${encodeURIComponent(merchant)}/evalruns/${encodeURIComponent(id)}`);
        remember(r);
        if (r.status !== "running" && r.status !== "queued") { clearInterval(timer); timers.delete(timer); }
      } catch { clearInterval(timer); timers.delete(timer); }
    }, POLL_MS);
    timers.add(timer);
  }

  function mine() {
    return Object.values(runs).filter((r) => r.merchant === merchant).sort((a, b) => b.created_at - a.created_at);
  }

  function label(r) {
    const p = Object.values(r.prompts || {}).join(",") || "当前版本";
    return `${r.eval_set} · ${p} · ${clock(r.created_at)}`;
  }

  function renderRuns() {
    const list = mine();
    clear(runBox, list.length ? list.map((r) => h("div", { class: "run", "data-testid": "run-row", dataset: { id: r.id, status: r.status } },
      h("strong", {}, label(r)), " ",
      h("progress", { max: r.total || 1, value: r.done || 0 }),
      h("span", { "data-testid": "run-progress" }, ` ${r.done}/${r.total} `),
      h("span", { class: `tag ${r.status === "finished" ? "ok" : r.status === "failed" ? "warn" : ""}`, "data-testid": "run-status" },
        { running: "运行中", queued: "排队中", finished: "已完成", failed: "失败" }[r.status] || r.status),
      r.error ? h("span", { class: "error small" }, r.error) : null,
      r.status === "finished" ? [
        h("button", { "data-testid": "open-report", onclick: () => openReport(r.id) }, "查看报告"),
        h("a", { href: "#", onclick: (e) => { e.preventDefault(); download(r.id); } }, " 结果 JSON")] : null,
      r.summary ? metricsGrid(r.summary) : null)) : h("p", { class: "muted" }, "还没有运行记录。"));
    const finished = list.filter((r) => r.status === "finished");
    for (const select of [compareA, compareB]) {
      const keep = select.value;
      clear(select, finished.map((r) => h("option", { value: r.id }, label(r))));
      if (keep) select.value = keep;
    }
    if (!compareB.value && finished.length > 1) compareB.value = finished[1].id;
  }

  function metricsGrid(summary) {
    return h("div", { class: "metrics" }, METRICS.filter(([, path]) => pick(summary, path) !== undefined).map(([name, path]) =>
      h("div", { class: "metric" }, h("b", {}, fmt(pick(summary, path))), name)));
  }

  async function openReport(id) {
    const response = await fetch(`/v1/merchants/${encodeURIComponent(merchant)}/evalruns/${encodeURIComponent(id)}/report`,
      { headers: { Authorization: `Bearer ${localStorage.getItem("copilot.apiKey")}` } });
    report.srcdoc = await response.text();
    report.hidden = false;
    report.scrollIntoView();
  }

  async function download(id) {
    const results = await api(`/v1/merchants/${encodeURIComponent(merchant)}/evalruns/${encodeURIComponent(id)}/results`);
    const url = URL.createObjectURL(new Blob([JSON.stringify(results, null, 2)], { type: "application/json" }));
    Object.assign(document.createElement("a"), { href: url, download: `${id}.json` }).click();
  }

  function compare() {
    const a = runs[compareA.value];
    const b = runs[compareB.value];
    if (!a || !b) { clear(compareOut, h("p", { class: "muted" }, "请选择两次已完成的运行")); return; }
    clear(compareOut, h("table", { "data-testid": "compare-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "指标"), h("th", {}, `A：${label(a)}`), h("th", {}, `B：${label(b)}`), h("th", {}, "B − A"))),
      h("tbody", {}, METRICS.map(([name, path, higher]) => {
        const va = pick(a.summary, path);
        const vb = pick(b.summary, path);
        const delta = typeof va === "number" && typeof vb === "number" ? vb - va : null;
        const cls = !delta ? "" : (delta > 0) === higher ? "better" : "worse";
        return h("tr", { "data-testid": "compare-row" }, h("td", {}, name), h("td", {}, fmt(va)), h("td", {}, fmt(vb)),
          h("td", { class: cls }, delta === null ? "—" : `${delta > 0 ? "+" : ""}${fmt(delta)}`));
      }))));
  }

  async function loadPrompts() {
    let config;
    try { config = await api(`/v1/merchants/${encodeURIComponent(merchant)}/prompts`); }
    catch (err) { clear(promptBox, h("p", { class: "error" }, `加载失败：${err.message}`)); return; }
    const blocks = await Promise.all(Object.keys(config).map(async (task) => {
      const c = config[task];
      const ab = await api(`/v1/merchants/${encodeURIComponent(merchant)}/prompts/${encodeURIComponent(task)}/ab`).catch(() => null);
      const versions = Object.entries(ab?.versions || {});
      return h("div", { class: "prompt-task", "data-testid": "prompt-task", dataset: { task } },
        h("h4", {}, `${task}：生效 ${c.active}`, c.ab ? `，A/B 测试中（B=${c.ab.b}，占比 ${Math.round(c.ab.ratio * 100)}%）` : "",
          c.previous ? h("span", { class: "muted small" }, `  上一版本 ${c.previous}`) : ""),
        versions.length ? h("table", { "data-testid": "ab-outcomes" },
          h("thead", {}, h("tr", {}, h("th", {}, "版本"), OUTCOME_FIELDS.map(([, t]) => h("th", {}, t)), h("th", {}, "拒绝原因"))),
          h("tbody", {}, versions.map(([id, o]) => h("tr", {}, h("td", {}, id), OUTCOME_FIELDS.map(([k]) => h("td", { class: "num" }, fmt(o[k]))),
            h("td", { class: "small" }, Object.entries(o.rejection_reasons || {}).map(([r, n]) => `${r}×${n}`).join("；") || "—")))))
          : h("p", { class: "muted small" }, "还没有坐席处理过该任务的草稿。"));
    }));
    clear(promptBox, blocks.length ? blocks : h("p", { class: "muted" }, "没有提示词任务"));
  }

  (async () => {
    if (!merchant) {
      const merchants = await api("/v1/merchants");
      clear(merchantPick, merchants.map((m) => h("option", { value: m.id }, `${m.name} (${m.id})`)));
      merchantPick.hidden = false;
      merchant = merchants[0]?.id;
    }
    await refresh();
    for (const r of mine()) if (r.status === "running" || r.status === "queued") watch(r.id);
  })();

  return { unmount() { for (const t of timers) clearInterval(t); } };
}
