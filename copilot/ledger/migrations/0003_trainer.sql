-- 0003_trainer: prompt versions made by AI trainers, each merchant's active prompt
-- (with an optional A/B split), eval sets uploaded over HTTP and their runs.

-- Versions made through the API; the files in prompts/ are the shipped ones.
CREATE TABLE prompt_versions (
  task        TEXT NOT NULL,
  version     INTEGER NOT NULL,
  body        TEXT NOT NULL,
  author      TEXT NOT NULL,
  created_at  DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (task, version)
);

-- One row per merchant and task: the active version, the one before it (what a
-- rollback returns to) and, during an A/B test, the B version and its share of traffic.
CREATE TABLE active_prompts (
  merchant          TEXT NOT NULL,
  task              TEXT NOT NULL,
  version           INTEGER NOT NULL,
  previous_version  INTEGER,
  ab_version        INTEGER,
  ab_ratio          DOUBLE PRECISION,
  updated_by        TEXT NOT NULL,
  updated_at        DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (merchant, task)
);

CREATE TABLE eval_sets (
  merchant    TEXT NOT NULL,
  name        TEXT NOT NULL,
  body        TEXT NOT NULL,
  cases       INTEGER NOT NULL,
  author      TEXT NOT NULL,
  created_at  DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (merchant, name)
);

CREATE TABLE eval_runs (
  id           TEXT PRIMARY KEY,
  merchant     TEXT NOT NULL,
  eval_set     TEXT NOT NULL,
  prompts      TEXT NOT NULL DEFAULT '{}',
  status       TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
  done         INTEGER NOT NULL DEFAULT 0,
  total        INTEGER NOT NULL,
  summary      TEXT,
  error        TEXT,
  author       TEXT NOT NULL,
  created_at   DOUBLE PRECISION NOT NULL,
  finished_at  DOUBLE PRECISION
);
CREATE INDEX eval_runs_by_merchant ON eval_runs (merchant, created_at);
