// Rendering of the workspace around a conversation: the hand-off brief and the context panel.

import { clear, clock, h, yuan } from "./dom.js";

const STATUS_NAMES = { open: "进行中", escalated: "已升级", closed: "已解决" };

export function statusName(status) {
  return STATUS_NAMES[status] || status;
}

// The latest hand-off brief (a transfer or an escalation), for whoever takes over.
export function renderBrief(el, state) {
  const last = state.handoffs[state.handoffs.length - 1];
  clear(el);
  if (!last) return;
  const move = last.move;
  el.append(h("div", { class: "brief", "data-testid": "handoff-brief" },
    h("strong", {}, "交接摘要"),
    h("span", { class: "muted small" }, ` ${last.by === "router" ? "系统升级" : `${last.by} 转交`}`,
      move ? ` → ${move.to_agent || "待分配"}（${move.group}组）` : ""),
    last.brief.summary ? h("p", { class: "brief-summary", "data-testid": "brief-summary" }, last.brief.summary) : null,
    h("ul", {}, (last.brief.lines || []).map((line) => h("li", {}, line)))));
}

// The shopper's earlier conversations, the products viewed here (price, stock), the notes.
export function renderContext(el, ctx, onOpen) {
  clear(el);
  if (!ctx) return;
  el.append(h("h3", {}, "浏览的商品"));
  el.append(ctx.products.length ? h("ul", { class: "ctx-list", "data-testid": "context-products" },
    ctx.products.map((p) => h("li", {}, h("span", {}, p.title), " ",
      h("span", { class: "price" }, yuan(p.price)), " ",
      h("span", { class: p.stock > 0 ? "ok small" : "error small" }, p.stock > 0 ? `有货 ${p.stock}` : "缺货"))))
    : h("p", { class: "muted small" }, "本次会话未浏览商品"));
  el.append(h("h3", {}, `顾客 ${ctx.shopper} 的历史会话`));
  el.append(ctx.earlier.length ? h("ul", { class: "ctx-list", "data-testid": "context-earlier" },
    ctx.earlier.map((c) => h("li", {}, h("button", { class: "link", onclick: () => onOpen(c.id) }, c.id.split(":").pop()),
      h("span", { class: "muted small" }, ` ${statusName(c.status)} · ${clock(c.last_at)}`),
      c.last_message ? h("div", { class: "small last" }, c.last_message) : null)))
    : h("p", { class: "muted small" }, "没有更早的会话"));
}
