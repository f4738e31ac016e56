-- Up Migration

-- A retried POST with the same Idempotency-Key must be the same request: its hash is kept.
ALTER TABLE submissions ADD COLUMN idempotency_hash text;

-- List views: a template's or a grid's submissions, newest first, filtered by status.
CREATE INDEX submissions_template_status_idx ON submissions (template_id, processing_status, id);
CREATE INDEX submissions_grid_review_idx ON submissions (grid_id, review_status, id);
CREATE INDEX submissions_submitter_idx ON submissions (submitted_by, id);
CREATE INDEX submissions_created_idx ON submissions (created_at);

-- The sweeper looks for submitted work left pending (drafts are never processed).
DROP INDEX submissions_pending_idx;
CREATE INDEX submissions_pending_idx ON submissions (updated_at, id) WHERE processing_status = 0 AND review_status <> 'draft';

-- Down Migration
DROP INDEX IF EXISTS submissions_pending_idx;
CREATE INDEX submissions_pending_idx ON submissions (id) WHERE processing_status = 0;
DROP INDEX IF EXISTS submissions_created_idx, submissions_submitter_idx, submissions_grid_review_idx, submissions_template_status_idx;
ALTER TABLE submissions DROP COLUMN IF EXISTS idempotency_hash;
