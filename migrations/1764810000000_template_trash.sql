-- Up Migration

-- The template trash (src/templates/trash.ts): deleting a template hides it, with its submissions
-- and form data tables, until it is restored; after the retention period (TEMPLATE_TRASH_RETENTION_DAYS)
-- a maintenance job drops its tables and submissions and sets purged_on. The row and its versions
-- stay, as the record of what was (versions are append-only; audit entries name the template).
ALTER TABLE templates
  ADD COLUMN is_deleted boolean NOT NULL DEFAULT false,
  ADD COLUMN deleted_on timestamptz,
  ADD COLUMN deleted_by bigint REFERENCES users (id),
  ADD COLUMN purged_on timestamptz,
  ADD CONSTRAINT templates_deleted_on_check CHECK (is_deleted = (deleted_on IS NOT NULL)),
  ADD CONSTRAINT templates_purged_check CHECK (purged_on IS NULL OR is_deleted);
CREATE INDEX templates_trash_idx ON templates (deleted_on) WHERE is_deleted AND purged_on IS NULL;

-- Down Migration
DROP INDEX IF EXISTS templates_trash_idx;
ALTER TABLE templates
  DROP CONSTRAINT IF EXISTS templates_purged_check,
  DROP CONSTRAINT IF EXISTS templates_deleted_on_check,
  DROP COLUMN IF EXISTS purged_on,
  DROP COLUMN IF EXISTS deleted_by,
  DROP COLUMN IF EXISTS deleted_on,
  DROP COLUMN IF EXISTS is_deleted;
