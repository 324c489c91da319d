-- 0005_escalation_labels: what agents and trainers teach the escalation assessor about one
-- merchant's shoppers. An agent marks an assessment on their screen ("should have escalated",
-- "false alarm"), a trainer marks a case of an eval set; each mark is one row, written in the
-- same transaction as its audit row. `level` is the level the mark teaches
-- (`copilot.escalation.feedback.verdict_level`); `suggestion_id` names the agent's suggestion.

CREATE TABLE escalation_labels (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  merchant       TEXT NOT NULL,
  message        TEXT NOT NULL CHECK (length(message) > 0),
  level          INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
  verdict        TEXT NOT NULL CHECK (verdict IN ('escalate', 'calm')),
  source         TEXT NOT NULL CHECK (source IN ('agent', 'trainer')),
  actor          TEXT NOT NULL,
  suggestion_id  TEXT REFERENCES suggestions (id),
  created_at     DOUBLE PRECISION NOT NULL
);
CREATE INDEX escalation_labels_by_merchant ON escalation_labels (merchant, created_at);
