// The agent screen: the queue, one conversation streaming in, approve / edit / reject.
//
// Keys: Ctrl+Enter approve (the edited text when editing), E edit, R reject, Esc cancel,
// J / K next / previous conversation.

import { api, ApiError, idempotencyKey } from "./api.js";
import { applyEvent, currentSuggestion, newConversation, setDeliveries } from "./conversation.js";
import { clear, h } from "./dom.js";
import { ConversationStream } from "./stream.js";
import { renderBanner, renderDraft, renderDraftMeta, renderHistory, renderOutfits, renderSourceDetail,
  renderSources } from "./agent_view.js";

const QUEUE_POLL_MS = 3000;
const DELIVERY_POLL_MS = 400;
const DELIVERY_POLL_LIMIT = 150;
const SEEN_STORE = "copilot.seen";
const RECORD_PATHS = { sku: "catalog", policy: "policies", faq: "faqs" };

export function mount(root, me) {
  const ui = layout(root);
  let merchant = me.merchant;
  let queue = [];
  let selected = null;        // {conv, state, stream}
  let mode = "view";          // view | edit | reject
  let scope = "mine";         // mine (the routing queue, when the agent is registered) | all
  let routed = null;          // whether routing knows this agent
  let wanted = null;          // the conversation last asked for (selected once it has loaded)
  const seen = JSON.parse(localStorage.getItem(SEEN_STORE) || "{}");
  const timers = new Set();

  async function loadMerchants() {
    if (merchant) return;
    const merchants = await api("/v1/merchants");
    clear(ui.merchantPick, merchants.map((m) => h("option", { value: m.id }, `${m.name} (${m.id})`)));
    ui.merchantPick.hidden = false;
    merchant = merchants[0]?.id || null;
  }

  // An agent registered in routing sees its own queue (GET /v1/agents/{agent}/queue);
  // otherwise, and under "全部会话", every conversation of the merchant.
  async function refreshQueue() {
    if (!merchant) return;
    try {
      queue = scope === "mine" ? await myQueue() : null;
      if (queue === null) {
        const rows = await api(`/v1/conversations?merchant=${encodeURIComponent(merchant)}`);
        queue = rows.map((c) => ({ ...c, unread: null }));
      }
    } catch (err) {
      ui.status.textContent = `队列加载失败：${err.message}`;
      return;
    }
    queue.sort((a, b) => (b.status === "escalated") - (a.status === "escalated") || b.created_at - a.created_at);
    if (selected) markSeen(selected.conv.id);
    renderQueue();
  }

  async function myQueue() {
    if (me.role !== "agent" || routed === false) return null;
    try {
      const mine = await api(`/v1/agents/${encodeURIComponent(me.label)}/queue?merchant=${encodeURIComponent(merchant)}`);
      routed = true;
      ui.scope.hidden = false;
      return mine.conversations.map((c) => ({ id: c.conversation_id, shopper: c.shopper, status: c.status,
        created_at: c.created_at, updated_at: c.updated_at, unread: c.unread, last_message: c.last_message, assigned_agent: null }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) { routed = false; return null; }
      throw err;
    }
  }

  function markSeen(id) {
    const row = queue.find((c) => c.id === id);
    if (row) seen[id] = row.updated_at;
    localStorage.setItem(SEEN_STORE, JSON.stringify(seen));
  }

  function renderQueue() {
    for (const b of ui.scope.querySelectorAll("button")) b.classList.toggle("active", b.dataset.scope === scope);
    clear(ui.queue, queue.length ? queue.map((c) => {
      const unread = c.unread !== null && c.unread !== undefined && selected?.conv.id !== c.id
        ? c.unread > 0 : !(seen[c.id] >= c.updated_at);
      return h("li", {},
        h("button", { class: `conv-item ${selected?.conv.id === c.id ? "selected" : ""}`, "data-testid": "queue-item",
          dataset: { id: c.id, status: c.status, unread: unread ? "1" : "0" }, onclick: () => select(c.id) },
          unread ? h("span", { class: "dot", title: "未读" }) : null,
          h("span", { class: "cid" }, c.id),
          c.status === "escalated" ? h("span", { class: "tag warn" }, "升级") : null,
          c.unread > 0 ? h("span", { class: "tag" }, `${c.unread} 条未回复`) : null,
          c.assigned_agent ? h("span", { class: "muted small" }, ` ${c.assigned_agent}`) : null,
          c.last_message ? h("div", { class: "small last" }, c.last_message) : null,
          h("div", { class: "muted small" }, `${c.shopper} · ${new Date(c.updated_at * 1000).toLocaleTimeString("zh-CN", { hour12: false })}`)));
    }) : h("li", { class: "muted" }, "暂无会话"));
  }

  async function select(id) {
    if (wanted === id) return;
    wanted = id;                // J/K pressed again before this one loads moves on from here
    let conv;
    try {
      conv = await api(`/v1/conversations/${encodeURIComponent(id)}`);
    } catch (err) {
      if (wanted === id) wanted = selected?.conv.id ?? null;
      ui.status.textContent = `会话加载失败：${err.message}`;
      return;
    }
    if (wanted !== id) return;
    if (selected) selected.stream.close();
    mode = "view";
    const state = newConversation(id);
    setDeliveries(state, conv.deliveries);
    const stream = new ConversationStream(id, (ev) => onEvent(state, ev), (s) => { ui.link.dataset.state = s; ui.link.textContent = LINK_NAMES[s] || s; });
    selected = { conv, state, stream };
    window.__copilotStream = stream;   // for diagnostics in the browser console
    ui.title.textContent = `会话 ${id} · 顾客 ${conv.shopper}`;
    clear(ui.sourceDetail);
    markSeen(id);
    renderQueue();
    renderAll();
  }

  function onEvent(state, ev) {
    if (selected?.state !== state) return;
    const part = applyEvent(state, ev);
    const s = currentSuggestion(state);
    if (part === "draft") { renderDraft(ui.draft, s); renderDraftMeta(ui.meta, s); }
    else if (part === "banner") renderBanner(ui.banner, s, state, mark);
    else if (part === "sources") renderSources(ui.sources, s, openSource);
    else if (part === "outfits") renderOutfits(ui.outfits, s);
    else if (part === "history") renderHistory(ui.history, state);
    else if (part === "all") renderAll();
    if (ev.type === "suggestion.status" && ev.body.status === "approved") watchDelivery(ev.body.outbox_id);
    if (ev.type === "message") refreshQueue();
  }

  function renderAll() {
    if (!selected) return;
    const { state } = selected;
    const s = currentSuggestion(state);
    renderBanner(ui.banner, s, state, mark);
    renderHistory(ui.history, state);
    renderDraft(ui.draft, s);
    renderDraftMeta(ui.meta, s);
    renderSources(ui.sources, s, openSource);
    renderOutfits(ui.outfits, s);
    renderActions();
  }

  function actionable() {
    const s = selected && currentSuggestion(selected.state);
    return s && s.done && s.status === "pending" ? s : null;
  }

  function renderActions() {
    const s = actionable();
    if (!s) { mode = "view"; clear(ui.actions); return; }
    if (mode === "edit") {
      const box = h("textarea", { id: "edit-text", "data-testid": "edit-text", rows: 6 });
      box.value = s.draft;
      clear(ui.actions, box, h("div", { class: "buttons" },
        h("button", { class: "primary", "data-testid": "approve", onclick: () => approve(box.value) }, "修改后发送 (Ctrl+Enter)"),
        h("button", { onclick: () => setMode("view") }, "取消 (Esc)")));
      box.focus();
    } else if (mode === "reject") {
      const reason = h("input", { id: "reject-reason", "data-testid": "reject-reason", placeholder: "拒绝原因（必填）" });
      clear(ui.actions, reason, h("div", { class: "buttons" },
        h("button", { class: "danger", "data-testid": "confirm-reject", onclick: () => reject(reason.value) }, "确认拒绝 (Enter)"),
        h("button", { onclick: () => setMode("view") }, "取消 (Esc)")));
      reason.focus();
    } else {
      clear(ui.actions, h("div", { class: "buttons" },
        h("button", { class: "primary", "data-testid": "approve", onclick: () => approve(null) }, "批准发送 (Ctrl+Enter)"),
        h("button", { "data-testid": "edit", onclick: () => setMode("edit") }, "编辑 (E)"),
        h("button", { class: "danger", "data-testid": "reject", onclick: () => setMode("reject") }, "拒绝 (R)")));
    }
  }

  function setMode(next) { mode = next; renderActions(); }

  async function approve(text) {
    const s = actionable();
    if (!s) return;
    const edited = text !== null && text.trim() !== s.draft.trim();
    if (text !== null && !text.trim()) { ui.status.textContent = "回复不能为空"; return; }
    try {
      const res = await api(`/v1/suggestions/${s.id}/approve`, { method: "POST",
        headers: { "Idempotency-Key": idempotencyKey() }, json: edited ? { text } : {} });
      ui.status.textContent = `已批准，正在发送（${res.delivery}）`;
      mode = "view";
      watchDelivery(res.outbox_id);
    } catch (err) {
      ui.status.textContent = `批准失败：${describe(err)}`;
    }
  }

  async function reject(reason) {
    const s = actionable();
    if (!s) return;
    if (!reason.trim()) { ui.status.textContent = "请填写拒绝原因"; return; }
    try {
      await api(`/v1/suggestions/${s.id}/reject`, { method: "POST",
        headers: { "Idempotency-Key": idempotencyKey() }, json: { reason: reason.trim() } });
      ui.status.textContent = "已拒绝该草稿";
      mode = "view";
    } catch (err) {
      ui.status.textContent = `拒绝失败：${describe(err)}`;
    }
  }

  // The agent's mark on a suggestion's escalation assessment: "应该升级" (escalate) or "误报" (calm).
  // The answer (and the `escalation.label` event) carries the message's new assessment.
  async function mark(s, verdict) {
    if (s.feedback && !s.feedback.error) return;
    const target = selected;
    const show = () => { if (selected === target) renderBanner(ui.banner, currentSuggestion(target.state), target.state, mark); };
    s.feedback = { sending: verdict };
    show();
    try {
      const res = await api(`/v1/suggestions/${encodeURIComponent(s.id)}/escalation-feedback`, { method: "POST", json: { verdict } });
      s.feedback = res;
    } catch (err) {
      s.feedback = { error: err.message };
    }
    show();
  }

  // Poll the conversation until the approved reply shows among its deliveries.
  function watchDelivery(outboxId) {
    const target = selected;
    if (!target || outboxId === undefined || target.state.deliveries.has(outboxId)) return;
    let tries = 0;
    const timer = setInterval(async () => {
      tries += 1;
      if (selected !== target || tries > DELIVERY_POLL_LIMIT) { stop(); return; }
      try {
        const conv = await api(`/v1/conversations/${encodeURIComponent(target.conv.id)}`);
        setDeliveries(target.state, conv.deliveries);
        if (target.state.deliveries.has(outboxId)) {
          stop();
          ui.status.textContent = "回复已送达顾客";
          renderHistory(ui.history, target.state);
        }
      } catch { /* keep polling */ }
    }, DELIVERY_POLL_MS);
    const stop = () => { clearInterval(timer); timers.delete(timer); };
    timers.add(timer);
  }

  async function openSource(src) {
    let record = null;
    try {
      record = await api(`/v1/merchants/${encodeURIComponent(selected.conv.merchant)}/${RECORD_PATHS[src.kind]}/${encodeURIComponent(src.id)}`);
    } catch { /* show the retrieved passage instead */ }
    renderSourceDetail(ui.sourceDetail, src, record);
  }

  function move(step) {
    if (!queue.length) return;
    const at = queue.findIndex((c) => c.id === wanted);
    const next = queue[Math.min(queue.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
    if (next) select(next.id);
  }

  function onKey(e) {
    const typing = e.target.matches?.("input, textarea, select");
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (mode === "edit") approve(ui.actions.querySelector("textarea").value);
      else if (mode === "view") approve(null);
      return;
    }
    if (e.key === "Escape" && mode !== "view") { e.preventDefault(); setMode("view"); return; }
    if (e.key === "Enter" && mode === "reject" && e.target.id === "reject-reason") {
      e.preventDefault(); reject(e.target.value); return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.toLowerCase();
    if (key === "e" && actionable()) { e.preventDefault(); setMode("edit"); }
    else if (key === "r" && actionable()) { e.preventDefault(); setMode("reject"); }
    else if (key === "j") move(1);
    else if (key === "k") move(-1);
  }

  ui.scope.addEventListener("click", (e) => {
    if (e.target.dataset.scope) { scope = e.target.dataset.scope; refreshQueue(); }
  });
  ui.merchantPick.addEventListener("change", () => { merchant = ui.merchantPick.value; refreshQueue(); });
  document.addEventListener("keydown", onKey);
  loadMerchants().then(refreshQueue);
  const poll = setInterval(refreshQueue, QUEUE_POLL_MS);

  return {
    unmount() {
      clearInterval(poll);
      for (const t of timers) clearInterval(t);
      document.removeEventListener("keydown", onKey);
      if (selected) selected.stream.close();
    },
  };
}

const LINK_NAMES = { open: "● 已连接", reconnecting: "○ 重连中…", closed: "○ 已断开，重试中…" };

function describe(err) {
  if (err instanceof ApiError && err.status === 409) return `${err.message}（草稿已被处理或已过期）`;
  return err.message;
}

function layout(root) {
  const ui = {
    merchantPick: h("select", { hidden: true, "aria-label": "商家" }),
    scope: h("div", { class: "tabs", hidden: true, "data-testid": "queue-scope" },
      h("button", { class: "tab", dataset: { scope: "mine" } }, "我的队列"),
      h("button", { class: "tab", dataset: { scope: "all" } }, "全部会话")),
    queue: h("ul", { class: "queue-list", "data-testid": "queue" }),
    title: h("h2", { class: "conv-title" }, "请从左侧选择会话"),
    link: h("span", { class: "link-state", "data-testid": "link-state" }),
    banner: h("div", {}),
    history: h("div", { class: "history", "data-testid": "history" }),
    draft: h("div", { class: "draft-text", "data-testid": "draft-text" }),
    meta: h("div", { class: "draft-meta" }),
    outfits: h("div", { "data-testid": "outfits" }),
    actions: h("div", { class: "actions", "data-testid": "actions" }),
    status: h("p", { class: "status", role: "status", "data-testid": "status" }),
    sources: h("ul", { class: "sources", "data-testid": "sources" }),
    sourceDetail: h("div", { class: "source-detail", "data-testid": "source-detail" }),
  };
  root.append(h("div", { class: "agent-screen" },
    h("aside", { class: "pane queue-pane" }, h("h2", {}, "会话队列"), ui.merchantPick, ui.scope, ui.queue,
      h("p", { class: "muted small" }, "J/K 切换会话")),
    h("section", { class: "pane conv-pane" }, h("div", { class: "conv-head" }, ui.title, ui.link), ui.banner, ui.history,
      h("div", { class: "draft-panel" }, h("h3", {}, "建议回复"), ui.draft, ui.meta, ui.outfits, ui.actions, ui.status)),
    h("aside", { class: "pane facts-pane" }, h("h2", {}, "引用来源"), ui.sources, ui.sourceDetail)));
  return ui;
}
