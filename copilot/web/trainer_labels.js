// The trainer page's escalation labelling: an eval set's cases, each case that expects an
// escalation decision with "应该升级" / "误报", and the card "本店的升级标注" (the merchant's labels).

import { api } from "./api.js";
import { clear, h } from "./dom.js";

const VERDICT_NAMES = { escalate: "应该升级", calm: "误报" };
const SOURCE_NAMES = { agent: "坐席", trainer: "训练师" };

const when = (seconds) => new Date(seconds * 1000).toLocaleString("zh-CN", { hour12: false });
const path = (merchant) => `/v1/merchants/${encodeURIComponent(merchant)}`;

// `merchant()` names the merchant shown. Returns the two boxes to place on the page,
// `showCases(name)` (lists an eval set's cases) and `loadLabels()` (reloads the card).
export function escalationLabelling(merchant) {
  const casesBox = h("div", { "data-testid": "evalset-cases" });
  const labelsBox = h("div", { "data-testid": "escalation-labels" });
  const labelsCard = h("section", { class: "card" }, h("h3", {}, "本店的升级标注"),
    h("p", { class: "muted small" }, "坐席在工作台、训练师在评测用例上标注的“应该升级 / 误报”；本店相似的消息今后按标注判定。"),
    labelsBox);

  async function loadLabels() {
    let list;
    try { list = (await api(`${path(merchant())}/escalation-labels`)).items; }
    catch (err) { clear(labelsBox, h("p", { class: "error" }, `加载失败：${err.message}`)); return; }
    clear(labelsBox, list.length ? h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "消息"), h("th", {}, "判定"), h("th", {}, "来源"), h("th", {}, "标注人"), h("th", {}, "时间"))),
      h("tbody", {}, list.map((l) => h("tr", { "data-testid": "escalation-label", dataset: { id: l.id } },
        h("td", {}, l.message),
        h("td", {}, `${VERDICT_NAMES[l.verdict] || l.verdict} · 判为${l.level_zh}`),
        h("td", {}, SOURCE_NAMES[l.source] || l.source),
        h("td", {}, l.actor),
        h("td", { class: "small" }, when(l.created_at))))))
      : h("p", { class: "muted" }, "还没有升级标注。"));
  }

  async function showCases(name) {
    let set;
    try { set = await api(`${path(merchant())}/evalsets/${encodeURIComponent(name)}`); }
    catch (err) { clear(casesBox, h("p", { class: "error" }, `用例加载失败：${err.message}`)); return; }
    clear(casesBox, h("h4", {}, `「${set.name}」的用例`, h("button", { class: "link small", onclick: () => clear(casesBox) }, "收起")),
      h("table", { "data-testid": "case-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "用例"), h("th", {}, "顾客消息"), h("th", {}, "期望"), h("th", {}, "升级标注"))),
        h("tbody", {}, set.cases.map((c) => {
          const expects = c.expect.escalate;
          return h("tr", { "data-testid": "case", dataset: { id: c.id } },
            h("td", {}, c.id),
            h("td", {}, c.history.length ? h("div", { class: "muted small" }, `（此前 ${c.history.length} 轮对话）`) : null, c.message),
            h("td", {}, expects === true ? "升级" : expects === false ? "不升级" : "—"),
            h("td", {}, expects === true || expects === false ? marks(c) : null));
        }))));
  }

  // The two buttons of a case: they POST its message and history as a trainer's label.
  function marks(c) {
    const result = h("span", { class: "small", "data-testid": "mark-result" });
    const buttons = ["escalate", "calm"].map((verdict) => h("button", { class: "small", "data-testid": `mark-${verdict}`,
      title: verdict === "escalate" ? "这条消息应该升级：本店相似消息今后判为需升级" : "误报：本店相似消息今后不再升级",
      onclick: () => mark(verdict) }, VERDICT_NAMES[verdict]));
    async function mark(verdict) {
      for (const b of buttons) b.disabled = true;
      clear(result, h("span", { class: "muted" }, "正在记录…"));
      try {
        const res = await api(`${path(merchant())}/escalation-labels`, { method: "POST",
          json: { message: c.message, history: c.history, verdict } });
        const now = res.assessment;
        clear(result, `已记录：本店相似消息今后判为${now.label_zh}，${now.escalate ? "会升级处理" : "不会升级"}`);
        loadLabels();
      } catch (err) {
        for (const b of buttons) b.disabled = false;
        clear(result, h("span", { class: "error" }, `标注失败：${err.message}`));
      }
    }
    return h("div", { class: "marks" }, buttons, result);
  }

  return { casesBox, labelsCard, loadLabels, showCases };
}
