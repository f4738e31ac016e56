-- Up Migration

-- Exports too large to stream in one request run in the background; their file stays for a while.
CREATE TABLE exports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template_id bigint NOT NULL REFERENCES templates (id),
  grid_id bigint NOT NULL REFERENCES grids (id),
  format text NOT NULL CHECK (format IN ('csv', 'xlsx', 'zip')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  rows_total bigint,
  rows_done bigint NOT NULL DEFAULT 0,
  file_name text,
  file_size bigint,
  error text,
  requested_by bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  expires_at timestamptz
);
CREATE INDEX exports_template_idx ON exports (template_id, id);
CREATE INDEX exports_expires_idx ON exports (expires_at) WHERE status = 'done';

-- Down Migration
DROP TABLE IF EXISTS exports;
