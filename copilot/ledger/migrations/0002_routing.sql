-- 0002_routing: per-merchant escalation thresholds, agent groups, agents, and the log
-- of conversation moves (assignment, escalation to seniors, queue hand-outs).
-- Portable SQL as in 0001: JSON is TEXT, times are seconds since the epoch.

CREATE TABLE escalation_thresholds (
  merchant        TEXT PRIMARY KEY,
  escalate_level  INTEGER NOT NULL CHECK (escalate_level BETWEEN 1 AND 3),
  level_cutoffs   TEXT NOT NULL,
  updated_by      TEXT NOT NULL,
  updated_at      DOUBLE PRECISION NOT NULL
);

CREATE TABLE agent_groups (
  merchant    TEXT NOT NULL,
  id          TEXT NOT NULL,
  name        TEXT NOT NULL,
  skills      TEXT NOT NULL DEFAULT '[]',
  senior      BOOLEAN NOT NULL DEFAULT FALSE,
  is_default  BOOLEAN NOT NULL DEFAULT FALSE,
  created_at  DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (merchant, id)
);

CREATE TABLE agents (
  merchant          TEXT NOT NULL,
  id                TEXT NOT NULL,
  name              TEXT NOT NULL,
  group_id          TEXT NOT NULL,
  online            BOOLEAN NOT NULL DEFAULT FALSE,
  last_assigned_at  DOUBLE PRECISION,
  created_at        DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (merchant, id),
  FOREIGN KEY (merchant, group_id) REFERENCES agent_groups (merchant, id)
);
CREATE INDEX agents_by_group ON agents (merchant, group_id, online);
CREATE INDEX conversations_by_agent ON conversations (merchant, assigned_agent, status);
CREATE INDEX conversations_by_group ON conversations (merchant, assigned_group, status);

CREATE TABLE routing_moves (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  merchant         TEXT NOT NULL,
  conversation_id  TEXT NOT NULL REFERENCES conversations (id),
  from_agent       TEXT,
  to_agent         TEXT,
  group_id         TEXT NOT NULL,
  escalated        BOOLEAN NOT NULL,
  reasons          TEXT NOT NULL DEFAULT '[]',
  created_at       DOUBLE PRECISION NOT NULL
);
CREATE INDEX routing_moves_from ON routing_moves (merchant, from_agent, id);
CREATE INDEX routing_moves_to ON routing_moves (merchant, to_agent, id);
