-- 0004_knowledge_gaps: questions the copilot found no answer to in the merchant's knowledge
-- (the draft said the agent will check), for the merchant to list and fill in. Written in
-- the same transaction as the finished draft; one row per unanswered question of a draft.

CREATE TABLE knowledge_gaps (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  merchant         TEXT NOT NULL,
  conversation_id  TEXT NOT NULL REFERENCES conversations (id),
  suggestion_id    TEXT NOT NULL REFERENCES suggestions (id),
  question         TEXT NOT NULL,
  sku              TEXT,
  created_at       DOUBLE PRECISION NOT NULL,
  UNIQUE (suggestion_id, question)
);
CREATE INDEX knowledge_gaps_by_merchant ON knowledge_gaps (merchant, created_at);
