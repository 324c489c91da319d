// The agent's one live stream: every event of every conversation of the merchant, applied
// exactly once per event id.
//
// The browser's EventSource reconnects by itself and sends Last-Event-ID, so the server
// replays only what was missed. When the EventSource gives up (readyState CLOSED) a new one
// is opened after the last applied id; whatever the server replays, every event whose id was
// already applied is dropped here, so no draft token is lost or shown twice.

import { openSession } from "./api.js";

export const EVENT_TYPES = ["message", "escalation", "routing", "sources", "outfits", "draft.delta",
  "draft.done", "suggestion.status", "delivery", "escalation.label", "note", "handoff",
  "conversation.status", "error"];
const REOPEN_MS = 1500;

export class EventStream {
  // address(after): the stream's URL from an event id on; onEvent({id, type, body}).
  constructor(address, after, onEvent, onState = () => {}) {
    this.address = address;
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastId = after;
    this.applied = 0;
    this.dropped = 0;
    this.opens = 0;
    this.closed = false;
    this.open();
  }

  open(after = this.lastId) {
    if (this.closed) return;
    const source = new EventSource(this.address(after));
    this.source = source;
    for (const type of EVENT_TYPES) source.addEventListener(type, (e) => this.receive(type, e));
    source.onopen = () => { this.opens += 1; this.onState("open"); };
    source.onerror = () => {
      if (source !== this.source) return;
      this.onState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
      if (source.readyState === EventSource.CLOSED) setTimeout(() => this.reopen(source), REOPEN_MS);
    };
  }

  // A stream the server closed for good may be a session that ran out (a shift is long):
  // renew it with the key before opening again.
  async reopen(old) {
    if (old !== this.source || this.closed) return;
    await openSession().catch(() => {});
    if (old === this.source && !this.closed) this.open();
  }

  receive(type, e) {
    const id = Number(e.lastEventId);
    if (!Number.isFinite(id) || id <= this.lastId) {
      this.dropped += 1;
      return;
    }
    this.lastId = id;
    this.applied += 1;
    let body;
    try { body = JSON.parse(e.data); } catch { body = { message: e.data }; }
    this.onEvent({ id, type, body });
  }

  close() {
    this.closed = true;
    if (this.source) this.source.close();
  }
}
