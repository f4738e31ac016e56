-- Up Migration

-- Compactions of form data tables (src/templates/compaction.ts): a table rewritten online to give
-- back the column slots of dropped columns, which PostgreSQL counts against its 1,600 until the
-- table is rewritten. One row per request: its progress, its outcome and the slots before and after.
CREATE TABLE table_compactions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template_id bigint NOT NULL REFERENCES templates (id),
  table_name text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'copying', 'swapping', 'done', 'failed')),
  rows_total bigint,
  rows_copied bigint NOT NULL DEFAULT 0,
  slots_before integer,
  slots_after integer,
  error text,
  requested_by bigint REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
-- One compaction at a time per table.
CREATE UNIQUE INDEX table_compactions_active_key ON table_compactions (table_name) WHERE status IN ('queued', 'copying', 'swapping');
CREATE INDEX table_compactions_template_idx ON table_compactions (template_id, id);

-- Down Migration
DROP TABLE IF EXISTS table_compactions;
