-- 0008_workspace: what the agent's workspace keeps beside the conversation.
-- An approval records where its text came from: the draft as it was, the draft edited, or
-- a reply the agent wrote in the reply box. Internal notes and hand-offs are never sent to
-- the shopper. A merchant sets when a waiting shopper turns the queue row amber and red.

ALTER TABLE approvals ADD COLUMN source TEXT NOT NULL DEFAULT 'draft'
  CHECK (source IN ('draft', 'edit', 'agent'));
UPDATE approvals SET source = 'edit' WHERE edited;

CREATE TABLE notes (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id  TEXT NOT NULL REFERENCES conversations (id),
  author           TEXT NOT NULL,
  text             TEXT NOT NULL,
  created_at       DOUBLE PRECISION NOT NULL
);
CREATE INDEX notes_by_conversation ON notes (conversation_id, id);

CREATE TABLE wait_limits (
  merchant    TEXT PRIMARY KEY,
  amber_s     INTEGER NOT NULL CHECK (amber_s > 0),
  red_s       INTEGER NOT NULL CHECK (red_s > amber_s),
  updated_by  TEXT NOT NULL,
  updated_at  DOUBLE PRECISION NOT NULL
);
