-- Up Migration

-- Form templates: a working definition being edited, and published versions.
CREATE TABLE templates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grid_id bigint NOT NULL REFERENCES grids (id),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  definition jsonb NOT NULL,
  current_version integer,
  created_by bigint REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT templates_grid_slug_key UNIQUE (grid_id, slug)
);

-- Immutable published versions: the definition, its JSON Schema, the physical names of its
-- tables and columns (derived once, reused by id), and the exact DDL its publish ran.
CREATE TABLE template_versions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template_id bigint NOT NULL REFERENCES templates (id),
  version integer NOT NULL CHECK (version > 0),
  definition jsonb NOT NULL,
  json_schema jsonb NOT NULL,
  naming jsonb NOT NULL,
  ddl text[] NOT NULL,
  checks jsonb NOT NULL DEFAULT '[]',
  published_by bigint REFERENCES users (id),
  published_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT template_versions_template_version_key UNIQUE (template_id, version)
);
CREATE TRIGGER template_versions_immutable BEFORE UPDATE OR DELETE ON template_versions
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

-- Retired columns dropped on purpose ("purge"), kept as a record: the DDL and who ran it.
CREATE TABLE template_purges (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template_id bigint NOT NULL REFERENCES templates (id),
  ddl text[] NOT NULL,
  columns jsonb NOT NULL,
  purged_by bigint REFERENCES users (id),
  purged_at timestamptz NOT NULL DEFAULT now()
);

-- Submissions: the complete answer as sent (payload), its processing and review states.
CREATE TABLE submissions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template_id bigint NOT NULL REFERENCES templates (id),
  template_version integer NOT NULL,
  grid_id bigint NOT NULL REFERENCES grids (id),
  submitted_by bigint NOT NULL REFERENCES users (id),
  payload jsonb NOT NULL,
  processing_status smallint NOT NULL DEFAULT 0 CHECK (processing_status IN (0, 1, 2)),
  processing_error text,
  processing_attempts integer NOT NULL DEFAULT 0,
  processed_at timestamptz,
  review_status text NOT NULL DEFAULT 'submitted'
    CHECK (review_status IN ('draft', 'submitted', 'in_review', 'approved', 'rejected')),
  reviewer_id bigint REFERENCES users (id),
  review_reason text,
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  submitted_at timestamptz,
  CONSTRAINT submissions_version_fkey FOREIGN KEY (template_id, template_version)
    REFERENCES template_versions (template_id, version),
  CONSTRAINT submissions_idempotency_key UNIQUE (submitted_by, idempotency_key)
);
CREATE INDEX submissions_template_idx ON submissions (template_id, id);
CREATE INDEX submissions_grid_idx ON submissions (grid_id, id);
CREATE INDEX submissions_pending_idx ON submissions (id) WHERE processing_status = 0;

-- The typed projection of submissions lives in its own schema; tables are created by publishing.
CREATE SCHEMA IF NOT EXISTS forms;

-- Whether a text value converts to a type, for the dry run of a type change (PostgreSQL 15 has no
-- pg_input_is_valid). `target` is a regtype, so only a real type name can reach the cast.
CREATE FUNCTION gridbook_can_cast(value text, target regtype) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF value IS NULL THEN
    RETURN true;
  END IF;
  EXECUTE format('SELECT %L::%s', value, target);
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;

-- Down Migration
DROP FUNCTION IF EXISTS gridbook_can_cast(text, regtype);
DROP SCHEMA IF EXISTS forms CASCADE;
DROP TABLE IF EXISTS submissions, template_purges, template_versions, templates CASCADE;
