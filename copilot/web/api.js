// The HTTP API, with the key the user logged in with (kept in localStorage).

const KEY_STORE = "copilot.apiKey";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export const apiKey = {
  get: () => localStorage.getItem(KEY_STORE),
  set: (key) => localStorage.setItem(KEY_STORE, key),
  clear: () => localStorage.removeItem(KEY_STORE),
};

// api("/v1/x", {method, json, form, headers}) -> parsed JSON; throws ApiError on a non-2xx answer.
export async function api(path, { method = "GET", json, form, headers = {}, key } = {}) {
  const init = { method, headers: { Authorization: `Bearer ${key || apiKey.get()}`, ...headers } };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form;
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { message: text }; }
  if (!response.ok) throw new ApiError(response.status, normalise(body));
  return body;
}

// What went wrong, for a person: an upload's problems in Chinese where the server gave them.
export function problemText(err) {
  const problems = err instanceof ApiError ? err.body.problems : null;
  if (!problems?.length) return err.message;
  return problems.map((p) => `${p.line ? `第 ${p.line} 行` : ""}${p.field ? `「${p.field}」` : ""}${p.message_zh || p.message}`).join("；");
}

// FastAPI validation errors come as {detail: [...]}; ours as {code, message}.
function normalise(body) {
  if (body && Array.isArray(body.detail)) {
    return { code: "invalid", message: body.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ") };
  }
  return body;
}

// The URL of the merchant's event stream (every conversation), starting after an event id.
// EventSource cannot send headers: it is let in by the HttpOnly session cookie that
// openSession() gets for the key (never the key in a URL).
export function streamUrl(merchant, after) {
  return `/v1/stream?merchant=${encodeURIComponent(merchant)}&after=${after}`;
}

export async function openSession(key) {
  return api("/v1/session", { method: "POST", key });
}

export function idempotencyKey() {
  return crypto.randomUUID();
}
