// Rendering of one conversation on the agent screen: banner, history, draft, sources, outfits.

import { clear, clock, h, yuan } from "./dom.js";

const KIND_NAMES = { sku: "商品", policy: "政策", faq: "FAQ" };
const ROLE_NAMES = { customer: "顾客", agent: "坐席", note: "内部备注" };

// The assessment, its reasons and the agent's two marks on it; `onMark(s, verdict)` sends one.
export function renderBanner(el, s, state, onMark) {
  const esc = s?.escalation;
  const routing = state.routing;
  clear(el);
  if (esc && esc.escalate) {
    el.append(h("div", { class: "banner escalate", role: "alert", "data-testid": "escalation-banner" },
      h("strong", {}, `⚠ 需升级处理 · 情绪：${esc.label_zh}（评分 ${Number(esc.score).toFixed(2)}）`),
      h("ul", { class: "reasons" }, (esc.reasons || []).map((r) => h("li", {}, r))),
      marks(s, onMark)));
  } else if (esc && esc.level > 0) {
    el.append(h("div", { class: "banner mood", "data-testid": "mood-banner" }, `情绪：${esc.label_zh}`,
      (esc.reasons || []).length ? `（${esc.reasons.join("；")}）` : "", marks(s, onMark)));
  } else if (esc) {
    el.append(h("div", { class: "banner calm", "data-testid": "calm-banner" }, "情绪：平静", marks(s, onMark)));
  }
  if (routing) {
    el.append(h("div", { class: "banner routing", "data-testid": "routing" },
      routing.to_agent ? `已分配给 ${routing.to_agent}（${routing.group}组）` : `排队中：${routing.group}组`,
      routing.escalated ? " · 已转资深组" : "",
      (routing.reasons || []).length ? `（${routing.reasons.join("；")}）` : ""));
  }
}

// "应该升级" / "误报": once marked, the buttons are disabled and the message's new assessment shown.
function marks(s, onMark) {
  if (!onMark) return null;
  const mark = s.feedback;
  const sent = Boolean(mark && !mark.error);
  const now = mark?.assessment;
  return h("div", { class: "marks", "data-testid": "escalation-marks" },
    h("button", { class: "small", "data-testid": "mark-escalate", disabled: sent,
      title: "这条消息应该升级：本店相似消息今后判为需升级", onclick: () => onMark(s, "escalate") }, "应该升级"),
    h("button", { class: "small", "data-testid": "mark-calm", disabled: sent,
      title: "误报：本店相似消息今后不再升级", onclick: () => onMark(s, "calm") }, "误报"),
    mark?.sending ? h("span", { class: "small muted" }, "正在记录…") : null,
    now ? h("span", { class: "small mark-result", "data-testid": "mark-result" },
      `已记录：本店相似消息今后判为${now.label_zh}，${now.escalate ? "会升级处理" : "不会升级"}`,
      mark.label?.actor ? h("span", { class: "muted" }, `（${mark.label.actor}标注）`) : null) : null,
    mark?.error ? h("span", { class: "small error" }, `标注失败：${mark.error}`) : null);
}

export function renderHistory(el, state) {
  clear(el, state.messages.map((m) => {
    const delivered = m.outboxId !== undefined ? state.deliveries.get(m.outboxId) : null;
    return h("div", { class: `bubble ${m.role}`, "data-testid": `msg-${m.role}` },
      h("div", { class: "meta" }, ROLE_NAMES[m.role] || m.role, m.sku ? ` · 浏览商品 ${m.sku}` : "",
        m.agent ? ` · ${m.agent}` : ""),
      h("div", { class: "text" }, m.text),
      m.role === "agent" ? h("div", { class: `delivery ${delivered ? "delivered" : "sending"}`, "data-testid": "delivery" },
        delivered ? `已送达 ✓ ${clock(delivered.delivered_at)}` : "发送中…") : null);
  }));
  el.scrollTop = el.scrollHeight;
}

// The draft exactly as streamed; the ungrounded quantities of the finished draft highlighted.
export function renderDraft(el, s) {
  if (!s) { clear(el, h("span", { class: "muted" }, "暂无待处理的消息")); return; }
  el.classList.toggle("streaming", s.streaming);
  const flagged = s.done?.ungrounded || [];
  clear(el, flagged.length ? highlight(s.draft, flagged) : s.draft);
}

function highlight(text, needles) {
  const parts = [];
  let rest = text;
  while (rest) {
    let best = null;
    for (const n of needles) {
      const at = n ? rest.indexOf(n) : -1;
      if (at >= 0 && (!best || at < best.at)) best = { at, n };
    }
    if (!best) { parts.push(rest); break; }
    parts.push(rest.slice(0, best.at), h("mark", { class: "ungrounded", title: "来源中找不到这个数字" }, best.n));
    rest = rest.slice(best.at + best.n.length);
  }
  return parts;
}

export function renderDraftMeta(el, s) {
  clear(el);
  if (!s) return;
  const state = s.streaming ? "生成中…" : { pending: "待审核", approved: "已批准", rejected: "已拒绝", stale: "已过期" }[s.status];
  el.append(h("span", { class: `tag state-${s.streaming ? "streaming" : s.status}`, "data-testid": "draft-state" }, state));
  if (s.replaces) el.append(h("span", { class: "tag", "data-testid": "replaces" }, `↻ ${s.replaces.reason}`));
  if (s.done) {
    el.append(s.done.grounded
      ? h("span", { class: "tag ok", "data-testid": "grounding" }, "✓ 数字均有来源")
      : h("span", { class: "tag warn", "data-testid": "grounding" }, `⚠ 未核实：${s.done.ungrounded.join("、")}`));
    const promises = s.done.unkept_promises || [];
    if (promises.length) el.append(h("span", { class: "tag warn", "data-testid": "promises" },
      `⚠ 草稿声称已办理，但系统并未执行：${promises.join("、")}`));
    const WHERE = { draft: "草稿", message: "顾客消息", source: "资料" };
    for (const f of s.done.safety || []) el.append(h("div", { class: "tag danger", "data-testid": "safety" },
      `⛔ 安全提示（${WHERE[f.where] || f.where}${f.source_id ? " " + f.source_id : ""}）：${f.reason}`));
    const gaps = s.done.unanswered || [];
    if (gaps.length) el.append(h("span", { class: "tag", "data-testid": "gaps" },
      `知识库未覆盖，已记为待补充：${gaps.join("、")}`));
    el.append(h("span", { class: "muted small" }, ` 起草：${s.done.drafter}`,
      s.done.prompt ? ` · ${s.done.prompt.id}@${s.done.prompt.version}` : ""));
    if (s.draft !== s.done.text) el.append(h("span", { class: "tag warn" }, "⚠ 流式内容与定稿不一致"));
  }
  for (const message of s.errors) el.append(h("div", { class: "error small" }, message));
}

export function renderSources(el, s, onOpen) {
  clear(el);
  if (!s) return;
  const cited = new Set(s.done?.citations || []);
  for (const src of s.sources) {
    el.append(h("li", {},
      h("button", { class: `source ${cited.has(src.id) ? "cited" : ""}`, "data-testid": "source",
        dataset: { id: src.id, kind: src.kind }, onclick: () => onOpen(src) },
        h("span", { class: `kind ${src.kind}` }, KIND_NAMES[src.kind] || src.kind),
        h("span", { class: "sid" }, src.id), " ", src.title, cited.has(src.id) ? h("span", { class: "cite" }, "已引用") : null,
        (src.safety || []).length ? h("span", { class: "tag danger", title: src.safety.map((f) => f.reason).join("\n") }, "⛔ 可疑内容") : null)));
  }
}

export function renderSourceDetail(el, src, record) {
  if (!record) { clear(el, h("h4", {}, src.title), h("pre", { class: "passage" }, src.text)); return; }
  if (src.kind === "sku") {
    clear(el, h("h4", {}, record.title),
      h("p", {}, `${record.sku_id} · ${record.category} · ${yuan(record.price)} · 库存 ${record.stock}`),
      h("table", { class: "attrs", "data-testid": "sku-attributes" },
        Object.entries(record.attributes || {}).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v)))),
      record.description ? h("p", { class: "small" }, record.description) : null);
  } else if (src.kind === "policy") {
    clear(el, h("h4", {}, record.title), h("p", { class: "small muted" },
      record.applies_to?.length ? `适用：${record.applies_to.join("、")}` : "适用：全店"),
    h("pre", { class: "passage", "data-testid": "policy-text" }, record.body));
  } else {
    clear(el, h("h4", {}, record.question), h("pre", { class: "passage" }, record.answer));
  }
}

export function renderOutfits(el, s) {
  clear(el);
  const outfits = s?.outfits?.outfits || [];
  if (!outfits.length) { if (s?.outfits?.note) el.append(h("p", { class: "muted" }, s.outfits.note)); return; }
  el.append(h("h3", {}, "搭配推荐", s.outfits.anchor ? h("span", { class: "muted small" }, ` 以「${s.outfits.anchor.title}」为主`) : ""));
  el.append(h("div", { class: "outfits" }, outfits.map((o, n) =>
    h("div", { class: "outfit-card", "data-testid": "outfit-card" },
      h("div", { class: "outfit-head" }, `方案${"一二三四五"[n] || n + 1}`, h("span", { class: "price" }, `合计 ${yuan(o.total)}`)),
      h("ul", {}, [
        s.outfits.anchor ? h("li", { class: "anchor-item" }, h("span", { class: "anchor-title" }, `本品 · ${s.outfits.anchor.title}`),
          h("span", { class: "price" }, yuan(s.outfits.anchor.price))) : null,
        ...o.items.map((i) => h("li", {}, h("span", { class: "item-title" }, i.title),
          h("span", { class: "price" }, yuan(i.price))))]),
      h("p", { class: "small muted" }, o.reason)))));
}
