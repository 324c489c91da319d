-- 0001_init: the ledger's first schema.
-- Portable SQL: times are seconds since the epoch as DOUBLE PRECISION, JSON is TEXT,
-- booleans are BOOLEAN. Only the integer identity columns are written the SQLite way
-- (INTEGER PRIMARY KEY AUTOINCREMENT; BIGINT GENERATED ALWAYS AS IDENTITY in PostgreSQL).

CREATE TABLE conversations (
  id              TEXT PRIMARY KEY,
  merchant        TEXT NOT NULL,
  channel         TEXT NOT NULL,
  shopper         TEXT NOT NULL,
  assigned_agent  TEXT,
  assigned_group  TEXT,
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'escalated', 'closed')),
  created_at      DOUBLE PRECISION NOT NULL,
  updated_at      DOUBLE PRECISION NOT NULL
);
CREATE INDEX conversations_by_merchant ON conversations (merchant, status, updated_at);

CREATE TABLE messages (
  id               TEXT PRIMARY KEY,
  conversation_id  TEXT NOT NULL REFERENCES conversations (id),
  seq              INTEGER NOT NULL,
  role             TEXT NOT NULL CHECK (role IN ('customer', 'agent')),
  text             TEXT NOT NULL,
  sku_in_view      TEXT,
  created_at       DOUBLE PRECISION NOT NULL,
  UNIQUE (conversation_id, seq)
);

CREATE TABLE suggestions (
  id               TEXT PRIMARY KEY,
  conversation_id  TEXT NOT NULL REFERENCES conversations (id),
  message_id       TEXT NOT NULL REFERENCES messages (id),
  status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'stale')),
  draft_text       TEXT,
  citations        TEXT NOT NULL DEFAULT '[]',
  flags            TEXT NOT NULL DEFAULT '{}',
  prompt_id        TEXT,
  prompt_version   TEXT,
  model            TEXT,
  timings          TEXT NOT NULL DEFAULT '{}',
  created_at       DOUBLE PRECISION NOT NULL,
  finished_at      DOUBLE PRECISION
);
CREATE INDEX suggestions_by_conversation ON suggestions (conversation_id, status);

CREATE TABLE approvals (
  suggestion_id    TEXT PRIMARY KEY REFERENCES suggestions (id),
  agent            TEXT NOT NULL,
  final_text       TEXT NOT NULL,
  edited           BOOLEAN NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  created_at       DOUBLE PRECISION NOT NULL
);

CREATE TABLE rejections (
  suggestion_id    TEXT PRIMARY KEY REFERENCES suggestions (id),
  agent            TEXT NOT NULL,
  reason           TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  created_at       DOUBLE PRECISION NOT NULL
);

CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  suggestion_id    TEXT NOT NULL UNIQUE REFERENCES suggestions (id),
  conversation_id  TEXT NOT NULL REFERENCES conversations (id),
  channel          TEXT NOT NULL,
  payload          TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  DOUBLE PRECISION,
  last_error       TEXT,
  created_at       DOUBLE PRECISION NOT NULL,
  delivered_at     DOUBLE PRECISION
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_conversation ON outbox (conversation_id, status);

-- The local channel's deliveries: the UNIQUE outbox_id makes a second delivery impossible.
CREATE TABLE deliveries (
  outbox_id        INTEGER NOT NULL UNIQUE REFERENCES outbox (id),
  conversation_id  TEXT NOT NULL REFERENCES conversations (id),
  text             TEXT NOT NULL,
  delivered_at     DOUBLE PRECISION NOT NULL
);

-- Append-only. `id` is global (the SSE event id); `seq` counts per conversation.
CREATE TABLE events (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id  TEXT NOT NULL REFERENCES conversations (id),
  seq              INTEGER NOT NULL,
  type             TEXT NOT NULL,
  body             TEXT NOT NULL,
  created_at       DOUBLE PRECISION NOT NULL,
  UNIQUE (conversation_id, seq)
);

CREATE TABLE audit (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT '{}',
  created_at  DOUBLE PRECISION NOT NULL
);
CREATE INDEX audit_by_target ON audit (target, id);

CREATE TABLE api_keys (
  key_hash    TEXT PRIMARY KEY,
  role        TEXT NOT NULL CHECK (role IN ('agent', 'merchant', 'trainer', 'admin')),
  merchant    TEXT,
  label       TEXT NOT NULL,
  created_at  DOUBLE PRECISION NOT NULL,
  revoked     BOOLEAN NOT NULL DEFAULT FALSE
);
