// The queue an agent works from, kept up to date from the merchant's one stream (no polling):
// each row's last message, unanswered count, waiting time, unread count and status.

export class Queue {
  constructor(snapshot) {
    this.rows = new Map();
    this.limits = snapshot.wait_limits;
    this.skew = snapshot.now - Date.now() / 1000;      // the server's clock minus ours
    for (const r of snapshot.conversations) this.rows.set(r.id, { ...r, unread: r.unanswered });
  }

  now() { return Date.now() / 1000 + this.skew; }

  // Apply one stream event; returns the row it changed (null when it changes none), and
  // whether it is a new shopper message (for the title badge and the sound).
  apply(ev, openId) {
    const id = ev.body.conversation_id;
    let row = this.rows.get(id);
    const b = ev.body;
    if (!row && ev.type !== "message") return { row: null, fresh: false };
    switch (ev.type) {
      case "message": {
        if (!row) {
          row = { id, shopper: b.shopper || "顾客", status: "open", assigned_agent: null, assigned_group: null,
            created_at: this.now(), unanswered: 0, unread: 0, waiting_since: null };
          this.rows.set(id, row);
        }
        row.last_message = b.text;
        row.last_role = "customer";
        row.last_at = this.now();
        row.unanswered += 1;
        if (row.waiting_since === null || row.waiting_since === undefined) row.waiting_since = row.last_at;
        if (id !== openId) row.unread += 1;
        if (row.status === "closed") row.status = "open";
        return { row, fresh: true };
      }
      case "suggestion.status":
        if (b.status !== "approved") return { row: null, fresh: false };
        row.last_message = b.text;
        row.last_role = "agent";
        row.last_at = this.now();
        row.unanswered = 0;
        row.waiting_since = null;
        return { row, fresh: false };
      case "escalation":
        if (b.escalate) row.status = "escalated";
        return { row, fresh: false };
      case "routing":
        row.assigned_agent = b.to_agent;
        row.assigned_group = b.group;
        if (b.escalated) row.status = "escalated";
        return { row, fresh: false };
      case "handoff":
        if (b.move) { row.assigned_agent = b.move.to_agent; row.assigned_group = b.move.group; }
        return { row, fresh: false };
      case "conversation.status":
        row.status = b.status;
        return { row, fresh: false };
      default:
        return { row: null, fresh: false };
    }
  }

  seen(id) {
    const row = this.rows.get(id);
    if (row) row.unread = 0;
  }

  // The rows a tab shows: escalated first, then the latest activity.
  list(scope, me) {
    const rows = [...this.rows.values()].filter((r) =>
      scope === "closed" ? r.status === "closed"
        : r.status !== "closed" && (scope !== "mine" || r.assigned_agent === me));
    return rows.sort((a, b) => (b.status === "escalated") - (a.status === "escalated")
      || (b.last_at || b.created_at) - (a.last_at || a.created_at) || a.id.localeCompare(b.id));
  }

  unreadTotal() {
    let n = 0;
    for (const r of this.rows.values()) if (r.status !== "closed") n += r.unread;
    return n;
  }

  // How long the shopper has waited and the colour the merchant's limits give it.
  waiting(row) {
    if (row.waiting_since === null || row.waiting_since === undefined || row.status === "closed") return null;
    const seconds = Math.max(0, Math.floor(this.now() - row.waiting_since));
    const level = seconds >= this.limits.red_s ? "red" : seconds >= this.limits.amber_s ? "amber" : "ok";
    return { seconds, level, text: duration(seconds) };
  }
}

function duration(seconds) {
  if (seconds < 60) return `${seconds}秒`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}分${seconds % 60 ? `${seconds % 60}秒` : ""}`;
  return `${Math.floor(seconds / 3600)}小时${Math.floor((seconds % 3600) / 60)}分`;
}
