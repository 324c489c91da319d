// The agent's workspace: the queue and every conversation live on one stream, the draft to
// approve / edit / reject, a reply box with quick replies, notes, transfer with a brief,
// resolve / reopen, and the shopper's context.
//
// Keys: Ctrl+Enter approve (the edited text when editing; sends the reply box when it has
// focus), E edit, R reject, Esc cancel, J / K next / previous conversation.

import { api, ApiError, idempotencyKey, streamUrl } from "./api.js";
import { applyEvent, currentSuggestion, newConversation, setDeliveries } from "./conversation.js";
import { clear, h } from "./dom.js";
import { Queue } from "./queue.js";
import { EventStream } from "./stream.js";
import { renderBanner, renderDraft, renderDraftMeta, renderHistory, renderOutfits, renderSourceDetail,
  renderSources } from "./agent_view.js";
import { renderBrief, renderContext, statusName } from "./workspace_view.js";

const RECORD_PATHS = { sku: "catalog", policy: "policies", faq: "faqs" };
const SOUND_STORE = "copilot.sound";
const TITLE = document.title;
const TICK_MS = 1000;

export function mount(root, me) {
  const ui = layout(root);
  let merchant = me.merchant;
  let queue = null;
  let stream = null;
  let selected = null;        // {id, conv, state, context, status}
  let mode = "view";          // view | edit | reject
  let scope = "all";          // all | mine | closed
  let wanted = null;          // the conversation last asked for (selected once it has loaded)
  let buffered = [];          // stream events of the conversation being loaded
  let groups = [];
  const sound = { on: localStorage.getItem(SOUND_STORE) === "1" };

  async function start() {
    if (!merchant) {
      const merchants = await api("/v1/merchants");
      clear(ui.merchantPick, merchants.map((m) => h("option", { value: m.id }, `${m.name} (${m.id})`)));
      ui.merchantPick.hidden = false;
      merchant = merchants[0]?.id || null;
    }
    if (!merchant) return;
    const snapshot = await api(`/v1/queue?merchant=${encodeURIComponent(merchant)}&include_closed=true`);
    queue = new Queue(snapshot);
    if (stream) stream.close();
    stream = new EventStream((after) => streamUrl(merchant, after), snapshot.last_event_id, onEvent, (s) => {
      ui.link.dataset.state = s;
      ui.link.textContent = LINK_NAMES[s] || s;
    });
    window.__copilotStream = stream;   // for diagnostics in the browser console
    groups = await api(`/v1/merchants/${encodeURIComponent(merchant)}/groups`).catch(() => []);
    renderQueue();
    await demo(me.role === "agent");
    ui.queue.dataset.ready = "1";      // everything the screen loads at start is in
  }

  // The demo's shopper simulator, when the server offers one: it plays when the first agent
  // logs in, and again on the button.
  async function demo(firstLogin) {
    let status;
    try {
      status = await api("/v1/demo");
    } catch { ui.demo.hidden = true; return; }
    if (status.merchant !== merchant) { ui.demo.hidden = true; return; }
    if (firstLogin && status.runs === 0) status = await api("/v1/demo/play?once=true", { method: "POST" }).catch(() => status);
    ui.demo.hidden = false;
    ui.demoButton.textContent = status.runs ? "↻ 重新播放演示对话" : "▶ 播放演示对话";
    ui.demoState.textContent = status.running ? `演示顾客正在发消息（第 ${status.runs} 轮）` : "";
  }

  async function replayDemo() {
    try {
      await api("/v1/demo/play", { method: "POST" });
    } catch (err) {
      ui.demoState.textContent = describe(err);
      return;
    }
    demo(false);
  }

  // One event of any conversation: the queue row, then the open conversation if it is this one.
  function onEvent(ev) {
    const id = ev.body.conversation_id;
    const { row, fresh } = queue.apply(ev, selected?.id);
    if (row) renderQueue();
    if (fresh && id !== selected?.id) notify();
    if (wanted === id && selected?.id !== id) { buffered.push(ev); return; }
    if (selected?.id === id) show(ev);
  }

  function show(ev) {
    const { state } = selected;
    const part = applyEvent(state, ev);
    const s = currentSuggestion(state);
    if (part === "draft") { renderDraft(ui.draft, s); renderDraftMeta(ui.meta, s); }
    else if (part === "banner") renderBanner(ui.banner, s, state, mark);
    else if (part === "sources") renderSources(ui.sources, s, openSource);
    else if (part === "outfits") renderOutfits(ui.outfits, s);
    else if (part === "history") renderHistory(ui.history, state);
    else if (part === "handoff") renderBrief(ui.brief, state);
    else if (part === "head") renderHead();
    else if (part === "all") renderAll();
    if (ev.type === "delivery" && state.messages.some((m) => m.outboxId === ev.body.outbox_id)) {
      setStatus(selected, "回复已送达顾客");
    }
    if (ev.type === "note" || (ev.type === "message" && ev.body.sku)) loadContext(selected);
  }

  function notify() {
    const n = queue.unreadTotal();
    document.title = n ? `(${n}) ${TITLE}` : TITLE;
    if (sound.on) beep();
  }

  function renderQueue() {
    if (!queue) return;
    for (const b of ui.scope.querySelectorAll("button")) b.classList.toggle("active", b.dataset.scope === scope);
    const rows = queue.list(scope, me.label);
    clear(ui.queue, rows.length ? rows.map((c) => {
      const unread = c.unread > 0 && selected?.id !== c.id;
      const wait = queue.waiting(c);
      return h("li", {},
        h("button", { class: `conv-item ${selected?.id === c.id ? "selected" : ""}`, "data-testid": "queue-item",
          dataset: { id: c.id, status: c.status, unread: unread ? "1" : "0" }, onclick: () => select(c.id) },
          h("div", { class: "row-head" },
            unread ? h("span", { class: "badge", title: "未读", "data-testid": "unread" }, String(c.unread)) : null,
            h("span", { class: "cid" }, c.shopper), h("span", { class: "muted small" }, c.id.split(":").pop()),
            c.status === "escalated" ? h("span", { class: "tag warn" }, "升级") : null,
            wait ? h("span", { class: `wait ${wait.level}`, "data-testid": "waiting", dataset: { level: wait.level } },
              `等待 ${wait.text}`) : null),
          c.last_message ? h("div", { class: "small last", "data-testid": "preview" },
            c.last_role === "agent" ? `我：${c.last_message}` : c.last_message) : null,
          c.assigned_agent ? h("div", { class: "muted small" }, `负责：${c.assigned_agent}`) : null));
    }) : h("li", { class: "muted" }, scope === "closed" ? "没有已解决的会话" : "暂无会话"));
    const n = queue.unreadTotal();
    document.title = n ? `(${n}) ${TITLE}` : TITLE;
  }

  // Only the waiting times change with the clock: no request, no re-render of the rest.
  function tick() {
    if (!queue) return;
    for (const el of ui.queue.querySelectorAll("[data-testid=queue-item]")) {
      const row = queue.rows.get(el.dataset.id);
      const badge = el.querySelector("[data-testid=waiting]");
      const wait = row && queue.waiting(row);
      if (badge && wait) { badge.textContent = `等待 ${wait.text}`; badge.className = `wait ${wait.level}`; badge.dataset.level = wait.level; }
    }
  }

  async function select(id) {
    if (wanted === id) return;
    wanted = id;                // J/K pressed again before this one loads moves on from here
    buffered = [];
    let conv, events;
    try {
      [conv, events] = await Promise.all([api(`/v1/conversations/${encodeURIComponent(id)}`),
        api(`/v1/conversations/${encodeURIComponent(id)}/events`)]);
    } catch (err) {
      if (wanted === id) wanted = selected?.id ?? null;
      ui.status.textContent = `会话加载失败：${err.message}`;
      return;
    }
    if (wanted !== id) return;
    mode = "view";
    const state = newConversation(id);
    state.status = conv.status;
    setDeliveries(state, conv.deliveries);
    for (const ev of events) applyEvent(state, ev);
    for (const ev of buffered) applyEvent(state, ev);
    buffered = [];
    selected = { id, conv, state, context: null, status: "" };
    queue.seen(id);
    clear(ui.sourceDetail);
    clear(ui.quick);
    ui.reply.value = "";
    renderQueue();
    renderAll();
    loadContext(selected);
  }

  async function loadContext(target) {
    try {
      target.context = await api(`/v1/conversations/${encodeURIComponent(target.id)}/context`);
    } catch { return; }
    if (selected === target) renderContext(ui.context, target.context, select);
  }

  function renderHead() {
    if (!selected) return;
    const { conv, state } = selected;
    ui.title.textContent = `会话 ${conv.id.split(":").pop()} · 顾客 ${conv.shopper}`;
    ui.title.dataset.id = conv.id;
    ui.convStatus.textContent = statusName(state.status);
    ui.convStatus.dataset.status = state.status;
    clear(ui.headActions,
      state.status === "closed"
        ? h("button", { "data-testid": "reopen", onclick: () => setResolved(false) }, "重新打开")
        : h("button", { "data-testid": "resolve", onclick: () => setResolved(true) }, "标记已解决"),
      h("button", { "data-testid": "open-transfer", onclick: () => { ui.transfer.hidden = !ui.transfer.hidden; renderTransfer(); } }, "转交"));
  }

  function renderAll() {
    if (!selected) return;
    const { state } = selected;
    const s = currentSuggestion(state);
    renderHead();
    renderBanner(ui.banner, s, state, mark);
    renderBrief(ui.brief, state);
    renderHistory(ui.history, state);
    renderDraft(ui.draft, s);
    renderDraftMeta(ui.meta, s);
    renderSources(ui.sources, s, openSource);
    renderOutfits(ui.outfits, s);
    renderActions();
    ui.status.textContent = selected.status;
    ui.composer.hidden = false;
  }

  function setStatus(target, text) {
    target.status = text;
    if (selected === target) ui.status.textContent = text;
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
    const target = selected;
    const edited = text !== null && text.trim() !== s.draft.trim();
    if (text !== null && !text.trim()) { setStatus(target, "回复不能为空"); return; }
    try {
      const res = await api(`/v1/suggestions/${s.id}/approve`, { method: "POST",
        headers: { "Idempotency-Key": idempotencyKey() }, json: edited ? { text } : {} });
      setStatus(target, `已批准，正在发送（${res.delivery}）`);
      mode = "view";
    } catch (err) {
      setStatus(target, `批准失败：${describe(err)}`);
    }
  }

  async function reject(reason) {
    const s = actionable();
    if (!s) return;
    const target = selected;
    if (!reason.trim()) { setStatus(target, "请填写拒绝原因"); return; }
    try {
      await api(`/v1/suggestions/${s.id}/reject`, { method: "POST",
        headers: { "Idempotency-Key": idempotencyKey() }, json: { reason: reason.trim() } });
      setStatus(target, "已拒绝该草稿");
      mode = "view";
    } catch (err) {
      setStatus(target, `拒绝失败：${describe(err)}`);
    }
  }

  // The reply box: the agent's own words, sent through the same outbox, delivered once.
  async function sendReply() {
    if (!selected) return;
    const target = selected;
    const text = ui.reply.value.trim();
    if (!text) { setStatus(target, "请先输入回复内容"); return; }
    ui.send.disabled = true;
    try {
      await api(`/v1/conversations/${encodeURIComponent(target.id)}/replies`, { method: "POST",
        headers: { "Idempotency-Key": target.replyKey ||= idempotencyKey() }, json: { text } });
      target.replyKey = null;
      if (selected === target) ui.reply.value = "";
      setStatus(target, "回复已提交，正在发送");
    } catch (err) {
      setStatus(target, `发送失败：${describe(err)}`);
    } finally {
      ui.send.disabled = false;
    }
  }

  // The suggestion into the reply box: the part of the draft the agent selected, or all of it.
  function insertSuggestion() {
    const s = selected && currentSuggestion(selected.state);
    if (!s || !s.draft) return;
    const picked = window.getSelection();
    const part = picked && !picked.isCollapsed && ui.draft.contains(picked.anchorNode) ? picked.toString() : s.draft;
    insert(part);
  }

  function insert(text) {
    const box = ui.reply;
    const at = box.selectionStart ?? box.value.length;
    box.value = box.value.slice(0, at) + text + box.value.slice(box.selectionEnd ?? at);
    box.focus();
    box.selectionStart = box.selectionEnd = at + text.length;
  }

  async function searchQuick() {
    const q = ui.quickSearch.value.trim();
    let found = [];
    try {
      found = await api(`/v1/merchants/${encodeURIComponent(merchant)}/quick-replies?q=${encodeURIComponent(q)}`);
    } catch (err) {
      clear(ui.quick, h("li", { class: "error small" }, `快捷短语加载失败：${err.message}`));
      return;
    }
    clear(ui.quick, found.length ? found.map((r) => h("li", {},
      h("button", { class: "quick", "data-testid": "quick-reply", title: r.answer, onclick: () => insert(r.answer) },
        h("strong", {}, r.question), h("span", { class: "small muted" }, ` ${r.answer}`))))
      : h("li", { class: "muted small" }, "没有匹配的快捷短语"));
  }

  async function addNote() {
    if (!selected) return;
    const target = selected;
    const text = ui.note.value.trim();
    if (!text) return;
    try {
      await api(`/v1/conversations/${encodeURIComponent(target.id)}/notes`, { method: "POST", json: { text } });
      ui.note.value = "";
      setStatus(target, "备注已保存（顾客看不到）");
    } catch (err) {
      setStatus(target, `备注保存失败：${describe(err)}`);
    }
  }

  function renderTransfer() {
    clear(ui.transferGroup, groups.length
      ? groups.map((g) => h("option", { value: g.id }, `${g.name || g.id}${g.senior ? "（资深）" : ""}`))
      : h("option", { value: "" }, "尚未设置坐席组"));
  }

  async function transfer() {
    if (!selected || !ui.transferGroup.value) return;
    const target = selected;
    try {
      const res = await api(`/v1/conversations/${encodeURIComponent(target.id)}/transfer`, { method: "POST",
        json: { group: ui.transferGroup.value, agent: ui.transferAgent.value.trim() || null,
          note: ui.transferNote.value.trim() || null } });
      ui.transfer.hidden = true;
      ui.transferNote.value = "";
      const to = res.move.to_agent || "组内排队";
      setStatus(target, `已转交给 ${to}（${res.move.group}组），交接摘要已附上`);
    } catch (err) {
      setStatus(target, `转交失败：${describe(err)}`);
    }
  }

  async function setResolved(resolved) {
    if (!selected) return;
    const target = selected;
    try {
      await api(`/v1/conversations/${encodeURIComponent(target.id)}/${resolved ? "resolve" : "reopen"}`, { method: "POST" });
      setStatus(target, resolved ? "会话已标记为已解决" : "会话已重新打开");
    } catch (err) {
      setStatus(target, `操作失败：${describe(err)}`);
    }
  }

  // The agent's mark on a suggestion's escalation assessment: "应该升级" (escalate) or "误报" (calm).
  async function mark(s, verdict) {
    if (s.feedback && !s.feedback.error) return;
    const target = selected;
    const redraw = () => { if (selected === target) renderBanner(ui.banner, currentSuggestion(target.state), target.state, mark); };
    s.feedback = { sending: verdict };
    redraw();
    try {
      s.feedback = await api(`/v1/suggestions/${encodeURIComponent(s.id)}/escalation-feedback`, { method: "POST", json: { verdict } });
    } catch (err) {
      s.feedback = { error: err.message };
    }
    redraw();
  }

  async function openSource(src) {
    let record = null;
    try {
      record = await api(`/v1/merchants/${encodeURIComponent(selected.conv.merchant)}/${RECORD_PATHS[src.kind]}/${encodeURIComponent(src.id)}`);
    } catch { /* show the retrieved passage instead */ }
    renderSourceDetail(ui.sourceDetail, src, record);
  }

  function move(step) {
    const rows = queue ? queue.list(scope, me.label) : [];
    if (!rows.length) return;
    const at = rows.findIndex((c) => c.id === wanted);
    const next = rows[Math.min(rows.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
    if (next) select(next.id);
  }

  function onKey(e) {
    const typing = e.target.matches?.("input, textarea, select");
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (e.target === ui.reply) sendReply();
      else if (mode === "edit") approve(ui.actions.querySelector("textarea").value);
      else if (mode === "view" && !typing) approve(null);
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
    if (e.target.dataset.scope) { scope = e.target.dataset.scope; renderQueue(); }
  });
  ui.merchantPick.addEventListener("change", () => { merchant = ui.merchantPick.value; selected = null; start(); });
  ui.send.addEventListener("click", sendReply);
  ui.demoButton.addEventListener("click", replayDemo);
  ui.insert.addEventListener("click", insertSuggestion);
  ui.quickSearch.addEventListener("input", searchQuick);
  ui.quickSearch.addEventListener("focus", searchQuick);
  ui.addNote.addEventListener("click", addNote);
  ui.doTransfer.addEventListener("click", transfer);
  ui.sound.checked = sound.on;
  ui.sound.addEventListener("change", () => { sound.on = ui.sound.checked; localStorage.setItem(SOUND_STORE, sound.on ? "1" : "0"); });
  document.addEventListener("keydown", onKey);
  start().catch((err) => { ui.status.textContent = `工作台加载失败：${err.message}`; });
  const ticker = setInterval(tick, TICK_MS);

  return {
    unmount() {
      clearInterval(ticker);
      document.removeEventListener("keydown", onKey);
      document.title = TITLE;
      if (stream) stream.close();
    },
  };
}

const LINK_NAMES = { open: "● 已连接", reconnecting: "○ 重连中…", closed: "○ 已断开，重试中…" };

function describe(err) {
  if (err instanceof ApiError && err.status === 409) return `${err.message}（已被处理或已过期）`;
  return err.message;
}

// A short tone for a new shopper message (the agent turns it on).
function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.12);
  } catch { /* no audio device */ }
}

function layout(root) {
  const ui = {
    merchantPick: h("select", { hidden: true, "aria-label": "商家" }),
    scope: h("div", { class: "tabs", "data-testid": "queue-scope" },
      h("button", { class: "tab", dataset: { scope: "all" } }, "全部"),
      h("button", { class: "tab", dataset: { scope: "mine" } }, "我的"),
      h("button", { class: "tab", dataset: { scope: "closed" } }, "已解决")),
    sound: h("input", { type: "checkbox", "data-testid": "sound" }),
    queue: h("ul", { class: "queue-list", "data-testid": "queue" }),
    demoButton: h("button", { class: "small", "data-testid": "demo-play" }, "▶ 播放演示对话"),
    demoState: h("span", { class: "small muted", "data-testid": "demo-state" }),
    title: h("h2", { class: "conv-title" }, "请从左侧选择会话"),
    convStatus: h("span", { class: "tag", "data-testid": "conv-status" }),
    headActions: h("span", { class: "head-actions" }),
    link: h("span", { class: "link-state", "data-testid": "link-state" }),
    banner: h("div", {}),
    brief: h("div", {}),
    history: h("div", { class: "history", "data-testid": "history" }),
    draft: h("div", { class: "draft-text", "data-testid": "draft-text" }),
    meta: h("div", { class: "draft-meta" }),
    outfits: h("div", { "data-testid": "outfits" }),
    actions: h("div", { class: "actions", "data-testid": "actions" }),
    status: h("p", { class: "status", role: "status", "data-testid": "status" }),
    reply: h("textarea", { "data-testid": "reply-box", rows: 3, placeholder: "输入回复，Ctrl+Enter 发送" }),
    send: h("button", { class: "primary", "data-testid": "send-reply" }, "发送"),
    insert: h("button", { "data-testid": "insert-suggestion", title: "在建议回复里选中一段，只插入这一段" }, "插入建议"),
    quickSearch: h("input", { "data-testid": "quick-search", placeholder: "搜索快捷短语（FAQ 答案）" }),
    quick: h("ul", { class: "quick-list", "data-testid": "quick-replies" }),
    note: h("input", { "data-testid": "note-text", placeholder: "内部备注（顾客看不到）" }),
    addNote: h("button", { "data-testid": "add-note" }, "添加备注"),
    transferGroup: h("select", { "data-testid": "transfer-group", "aria-label": "转交到组" }),
    transferAgent: h("input", { "data-testid": "transfer-agent", placeholder: "指定坐席（可不填）" }),
    transferNote: h("input", { "data-testid": "transfer-note", placeholder: "给同事的交接备注" }),
    doTransfer: h("button", { class: "primary", "data-testid": "confirm-transfer" }, "确认转交"),
    sources: h("ul", { class: "sources", "data-testid": "sources" }),
    sourceDetail: h("div", { class: "source-detail", "data-testid": "source-detail" }),
    context: h("div", { class: "context", "data-testid": "context" }),
  };
  ui.transfer = h("div", { class: "transfer", hidden: true, "data-testid": "transfer" },
    ui.transferGroup, ui.transferAgent, ui.transferNote, ui.doTransfer);
  ui.demo = h("div", { class: "demo-bar", hidden: true }, ui.demoButton, ui.demoState);
  ui.composer = h("div", { class: "composer", hidden: true },
    ui.reply, h("div", { class: "buttons" }, ui.send, ui.insert, ui.quickSearch), ui.quick,
    h("div", { class: "buttons" }, ui.note, ui.addNote));
  root.append(h("div", { class: "agent-screen" },
    h("aside", { class: "pane queue-pane" }, h("h2", {}, "会话队列"), ui.merchantPick, ui.demo, ui.scope, ui.queue,
      h("p", { class: "muted small" }, h("label", {}, ui.sound, " 新消息提示音"), " · J/K 切换会话")),
    h("section", { class: "pane conv-pane" },
      h("div", { class: "conv-head" }, h("div", {}, ui.title, ui.convStatus), h("div", {}, ui.headActions, ui.link)),
      ui.transfer, ui.banner, ui.brief, ui.history,
      h("div", { class: "draft-panel" }, h("h3", {}, "建议回复"), ui.draft, ui.meta, ui.outfits, ui.actions),
      ui.composer, ui.status),
    h("aside", { class: "pane facts-pane" }, h("h2", {}, "引用来源"), ui.sources, ui.sourceDetail,
      h("h2", { class: "ctx-title" }, "顾客信息"), ui.context)));
  return ui;
}
