// A conversation's state, rebuilt from its events (each applied once, in id order).

export function newConversation(id) {
  return { id, messages: [], suggestions: new Map(), order: [], routing: null, deliveries: new Map(),
    handoffs: [], status: null, lastId: 0 };
}

function suggestion(state, id) {
  if (!state.suggestions.has(id)) {
    state.suggestions.set(id, { id, status: "pending", draft: "", streaming: true, escalation: null,
      sources: [], outfits: null, done: null, errors: [], restarts: 0 });
    state.order.push(id);
  }
  return state.suggestions.get(id);
}

// Apply one event; returns the part of the screen it changes.
export function applyEvent(state, { id, type, body }) {
  if (id <= state.lastId) return null;        // the log and the stream may both carry it
  state.lastId = id;
  if (type === "suggestion.status" && body.source === "agent") {     // a reply the agent wrote
    state.messages.push({ eventId: id, role: "agent", text: body.text, outboxId: body.outbox_id, agent: body.agent });
    return "history";
  }
  const s = body.suggestion_id ? suggestion(state, body.suggestion_id) : null;
  switch (type) {
    case "message":
      state.messages.push({ eventId: id, role: body.role, text: body.text, sku: body.sku,
        suggestionId: body.suggestion_id });
      if (s) s.messageText = body.text;
      return "all";
    case "escalation": s.escalation = body; return "banner";
    case "escalation.label": s.feedback = body; return "banner";     // an agent marked the assessment
    case "sources": s.sources = body.sources || []; return "sources";
    case "outfits": s.outfits = body; return "outfits";
    case "draft.delta":
      if (body.restart) { s.draft = ""; s.restarts += 1; }
      s.draft += body.text;
      return "draft";
    case "draft.done":
      s.done = body;
      s.streaming = false;
      s.escalation = s.escalation || body.escalation;
      return "all";
    case "suggestion.status":
      s.status = body.status;
      if (body.status === "approved") {
        s.outboxId = body.outbox_id;
        s.finalText = body.text;
        state.messages.push({ eventId: id, role: "agent", text: body.text, outboxId: body.outbox_id,
          agent: body.agent });
      } else if (body.status === "rejected") {
        s.reason = body.reason;
      } else if (body.status === "stale" && body.replaced_by) {
        suggestion(state, body.replaced_by).replaces = { id: s.id, reason: body.reason };
      }
      return "all";
    case "routing": state.routing = body; return "banner";
    case "note":                   // internal: colleagues see it, the shopper never does
      state.messages.push({ eventId: id, role: "note", text: body.text, agent: body.author });
      return "history";
    case "handoff":
      state.handoffs.push(body);
      return "handoff";
    case "conversation.status": state.status = body.status; return "head";
    case "delivery":               // the approved reply reached the shopper (any channel)
      state.deliveries.set(body.outbox_id, body);
      return "history";
    case "error":
      if (s) s.errors.push(body.fallback ? `${body.message}（已改用 ${body.fallback} 起草）` : body.message);
      return "draft";
    default:
      return null;
  }
}

// The suggestion the agent acts on: the one for the newest shopper message.
export function currentSuggestion(state) {
  const id = state.order[state.order.length - 1];
  return id ? state.suggestions.get(id) : null;
}

export function setDeliveries(state, deliveries) {
  for (const d of deliveries || []) state.deliveries.set(d.outbox_id, d);
}
