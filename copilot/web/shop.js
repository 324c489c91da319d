// The shopper page: a person chats as a shopper with one of the shop's product pages open.
// Messages go in as the shop's chat channel would send them; the shop's replies show once
// delivered (an agent approved, edited or wrote them), read from the merchant's stream.

import { api, streamUrl } from "./api.js";
import { clear, h, yuan } from "./dom.js";
import { EventStream } from "./stream.js";

const CONVERSATION_STORE = "copilot.shopConversation";

export function mount(root, me) {
  const ui = layout(root);
  let merchant = me.merchant;
  let products = [];
  let product = null;
  let stream = null;
  const replies = new Map();       // outbox id -> approved text, shown when delivered
  const conversation = sessionStorage.getItem(CONVERSATION_STORE) || `shop-${crypto.randomUUID().slice(0, 8)}`;
  sessionStorage.setItem(CONVERSATION_STORE, conversation);
  const fullId = () => `${merchant}:${conversation}`;

  async function start() {
    if (!merchant) {
      const merchants = await api("/v1/merchants");
      merchant = merchants[0]?.id || null;
    }
    if (!merchant) { ui.status.textContent = "还没有商家"; return; }
    products = (await api(`/v1/merchants/${encodeURIComponent(merchant)}/catalog?limit=500`)).items;
    clear(ui.pick, products.map((p) => h("option", { value: p.sku_id }, `${p.title}（${yuan(p.price)}）`)));
    showProduct(products[0]);
    const queue = await api(`/v1/queue?merchant=${encodeURIComponent(merchant)}&include_closed=true`);
    let after = queue.last_event_id;
    if (queue.conversations.some((c) => c.id === fullId())) {
      const events = await api(`/v1/conversations/${encodeURIComponent(fullId())}/events`);
      for (const ev of events) apply(ev);
      after = Math.max(after, ...events.map((e) => e.id));
    }
    stream = new EventStream((from) => streamUrl(merchant, from), after, (ev) => {
      if (ev.body.conversation_id === fullId()) apply(ev);
    });
  }

  function showProduct(p) {
    product = p || null;
    if (!p) { clear(ui.product, h("p", { class: "muted" }, "店铺还没有商品")); return; }
    ui.pick.value = p.sku_id;
    clear(ui.product, h("h2", {}, p.title),
      h("p", {}, h("span", { class: "price big" }, yuan(p.price)), " ",
        h("span", { class: p.stock > 0 ? "ok" : "error" }, p.stock > 0 ? `有货（${p.stock} 件）` : "暂时缺货")),
      h("table", { class: "attrs" }, Object.entries(p.attributes || {}).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v)))),
      p.description ? h("p", { class: "small" }, p.description) : null);
  }

  function apply(ev) {
    if (ev.type === "message") bubble("customer", ev.body.text);
    else if (ev.type === "suggestion.status" && ev.body.status === "approved") replies.set(ev.body.outbox_id, ev.body.text);
    else if (ev.type === "delivery" && replies.has(ev.body.outbox_id)) {
      bubble("agent", replies.get(ev.body.outbox_id));
      replies.delete(ev.body.outbox_id);
    }
  }

  function bubble(role, text) {
    ui.chat.append(h("div", { class: `bubble ${role}`, "data-testid": `shop-${role}` },
      h("div", { class: "meta" }, role === "agent" ? "客服" : "我"), h("div", { class: "text" }, text)));
    ui.chat.scrollTop = ui.chat.scrollHeight;
  }

  async function send(e) {
    e.preventDefault();
    const text = ui.input.value.trim();
    if (!text || !merchant) return;
    try {
      await api(`/v1/conversations/${encodeURIComponent(conversation)}/messages`, { method: "POST",
        json: { merchant, text, sku: product?.sku_id || null, shopper: ui.name.value.trim() || "访客" } });
      ui.input.value = "";
      ui.status.textContent = "";
    } catch (err) {
      ui.status.textContent = `发送失败：${err.message}`;
    }
  }

  ui.pick.addEventListener("change", () => showProduct(products.find((p) => p.sku_id === ui.pick.value)));
  ui.form.addEventListener("submit", send);
  ui.fresh.addEventListener("click", () => { sessionStorage.removeItem(CONVERSATION_STORE); location.reload(); });
  start().catch((err) => { ui.status.textContent = `加载失败：${err.message}`; });
  return { unmount() { if (stream) stream.close(); } };
}

function layout(root) {
  const ui = {
    pick: h("select", { "data-testid": "shop-product", "aria-label": "商品" }),
    product: h("div", { class: "product-page", "data-testid": "product-page" }),
    chat: h("div", { class: "history shop-chat", "data-testid": "shop-chat" }),
    name: h("input", { "data-testid": "shop-name", value: "访客", "aria-label": "顾客昵称" }),
    input: h("input", { "data-testid": "shop-input", placeholder: "问问客服…", autocomplete: "off" }),
    fresh: h("button", { type: "button", class: "link small" }, "开始新会话"),
    status: h("p", { class: "status error", role: "status" }),
  };
  ui.form = h("form", { class: "shop-form" }, ui.input, h("button", { class: "primary", type: "submit", "data-testid": "shop-send" }, "发送"));
  root.append(h("div", { class: "shop-page" },
    h("section", { class: "pane" }, h("h2", {}, "商品页"), ui.pick, ui.product),
    h("section", { class: "pane shop-chat-pane" }, h("h2", {}, "联系客服 ", ui.fresh),
      h("label", { class: "small muted" }, "昵称 ", ui.name), ui.chat, ui.form, ui.status)));
  return ui;
}
