-- Up Migration

-- The `unique` rule ("a record for this village already exists") is enforced at the door: the
-- values of a template's unique fields are reserved in the transaction that stores the submission,
-- in this table, whose primary key refuses a second holder of one value. Under READ COMMITTED a
-- second INSERT of the same key waits for the first transaction and then fails (23505) if it
-- committed, so this holds across any number of web nodes. The worker no longer discovers
-- duplicates, and the typed tables no longer carry unique indexes (dropped below).

-- How a unique value is compared, in ONE place (the API, publishing and this migration all call
-- it; docs/forms.md describes it). NULL means "nothing to reserve".
-- - Only strings and numbers reserve; null, an empty or all-blank string, booleans, arrays do not.
-- - integer, decimal: the number, whatever its spelling: 3, "3", 3.0, "3.00", 3e0 are one value.
-- - date: the ISO date as given (YYYY-MM-DD is already canonical).
-- - datetime: the instant, in UTC to the microsecond: 10:00+02:00 and 08:00Z are one value.
-- - single_choice: the option's value exactly (options are a closed list).
-- - text, long_text, email, url (and any value the rules above do not recognise): leading and
--   trailing white space removed, inner runs of white space made one space, Unicode NFC, lower case.
CREATE FUNCTION gridbook_unique_value(field_type text, value jsonb) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  t text;
BEGIN
  IF value IS NULL OR jsonb_typeof(value) NOT IN ('string', 'number') THEN
    RETURN NULL;
  END IF;
  t := regexp_replace(value #>> '{}', '^\s+|\s+$', '', 'g');
  IF field_type IN ('integer', 'decimal') AND t ~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,4})?$' THEN
    RETURN trim_scale(t::numeric)::text;
  ELSIF field_type = 'date' AND t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
    RETURN t;
  ELSIF field_type = 'datetime'
    AND t ~* '^[0-9]{4}-[0-9]{2}-[0-9]{2}[t ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(z|[+-][0-9]{2}(:?[0-9]{2})?)$' THEN
    -- With an explicit offset the cast does not depend on the session's TimeZone.
    BEGIN
      RETURN to_char(t::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    EXCEPTION WHEN data_exception THEN
      NULL; -- not a storable instant: compared as text below
    END;
  ELSIF field_type = 'single_choice' THEN
    RETURN NULLIF(value #>> '{}', '');
  END IF;
  t := lower(normalize(regexp_replace(t, '\s+', ' ', 'g'), NFC));
  RETURN NULLIF(t, '');
END $$;

-- The key of a value: a digest, so a long text (long_text allows 1,000,000 characters) fits a
-- btree entry. The database encoding is fixed for its life, which makes this immutable in fact.
CREATE FUNCTION gridbook_unique_digest(value text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT sha256(convert_to(value, 'UTF8')) $$;

CREATE TABLE submission_unique_values (
  template_id bigint NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
  -- The field's stable id: a renamed key keeps its values, across versions.
  field_id text NOT NULL,
  -- gridbook_unique_value() of the answer: what "the same value" means.
  value text NOT NULL,
  value_digest bytea NOT NULL GENERATED ALWAYS AS (gridbook_unique_digest(value)) STORED,
  -- Deleting a submission frees its values.
  submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT submission_unique_values_pkey PRIMARY KEY (template_id, field_id, value_digest)
);
CREATE INDEX submission_unique_values_submission_idx ON submission_unique_values (submission_id);

-- The unique values of a template's submitted (non-draft) submissions, for the fields given as
-- [{"field_id": ..., "field_type": ...}]: each submission's value is read through its own
-- version's keys (the field's id is the link), and compared as the given type. Used by
-- publishing (a field that becomes unique) and by the backfill below.
CREATE FUNCTION gridbook_unique_candidates(p_template_id bigint, p_fields jsonb)
RETURNS TABLE (field_id text, value text, submission_id bigint)
LANGUAGE sql STABLE AS $$
  WITH wanted AS (
    SELECT w.field_id, w.field_type FROM jsonb_to_recordset(p_fields) AS w(field_id text, field_type text)
  ), located AS (
    SELECT w.field_id, w.field_type, v.version, s->>'key' AS section_key, f->>'key' AS field_key
      FROM wanted w
      JOIN template_versions v ON v.template_id = p_template_id
      CROSS JOIN LATERAL jsonb_array_elements(v.definition->'sections') AS s
      CROSS JOIN LATERAL jsonb_array_elements(s->'fields') AS f
     WHERE f->>'id' = w.field_id
  )
  SELECT c.field_id, c.value, c.submission_id FROM (
    SELECT l.field_id, gridbook_unique_value(l.field_type, sub.payload -> l.section_key -> l.field_key) AS value, sub.id AS submission_id
      FROM located l
      JOIN submissions sub ON sub.template_id = p_template_id AND sub.template_version = l.version
     WHERE sub.review_status <> 'draft'
  ) c
  WHERE c.value IS NOT NULL
$$;

-- Answers that broke a unique rule before reservations existed (the worker refused them, or
-- their values differed only by case or spacing). The earliest submission keeps the value; the
-- later ones are listed here, so someone can decide what to do with them. Nothing is deleted.
CREATE TABLE unique_value_conflicts (
  template_id bigint NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
  field_id text NOT NULL,
  value text NOT NULL,
  submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  kept_by bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  found_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (submission_id, field_id)
);

-- Backfill: the unique fields of every template's current version; the earliest submission of a
-- value reserves it, later holders are recorded as conflicts (and reported by a NOTICE), and the
-- migration does not fail.
DO $$
DECLARE
  tpl record;
  conflicts integer;
  total integer := 0;
BEGIN
  FOR tpl IN
    SELECT t.id AS template_id,
           jsonb_agg(jsonb_build_object('field_id', f->>'id', 'field_type', f->>'type')) AS fields
      FROM templates t
      JOIN template_versions v ON v.template_id = t.id AND v.version = t.current_version
      CROSS JOIN LATERAL jsonb_array_elements(v.definition->'sections') AS s
      CROSS JOIN LATERAL jsonb_array_elements(s->'fields') AS f
     WHERE (f->'rules'->>'unique')::boolean IS TRUE
     GROUP BY t.id
  LOOP
    CREATE TEMP TABLE IF NOT EXISTS unique_backfill (field_id text, value text, submission_id bigint) ON COMMIT DROP;
    TRUNCATE unique_backfill;
    INSERT INTO unique_backfill SELECT * FROM gridbook_unique_candidates(tpl.template_id, tpl.fields);
    INSERT INTO submission_unique_values (template_id, field_id, value, submission_id)
    SELECT DISTINCT ON (field_id, value) tpl.template_id, field_id, value, submission_id
      FROM unique_backfill ORDER BY field_id, value, submission_id;
    INSERT INTO unique_value_conflicts (template_id, field_id, value, submission_id, kept_by)
    SELECT tpl.template_id, b.field_id, b.value, b.submission_id, r.submission_id
      FROM unique_backfill b
      JOIN submission_unique_values r ON r.template_id = tpl.template_id AND r.field_id = b.field_id
       AND r.value_digest = gridbook_unique_digest(b.value)
     WHERE r.submission_id <> b.submission_id;
    GET DIAGNOSTICS conflicts = ROW_COUNT;
    IF conflicts > 0 THEN
      RAISE NOTICE 'template %: % submitted answers repeat a unique value held by an earlier one (see unique_value_conflicts)', tpl.template_id, conflicts;
      total := total + conflicts;
    END IF;
  END LOOP;
  IF total > 0 THEN
    RAISE WARNING '% submitted answers repeat a unique value held by an earlier one: the earliest keeps it; see unique_value_conflicts', total;
  END IF;
END $$;

-- The typed tables' unique indexes (CREATE UNIQUE INDEX by publishing, one per unique field) go:
-- the reservations above are the one enforcement. Kept, such an index could still refuse an
-- accepted answer in the worker: a rejected submission's old value stays in its typed row until
-- it is projected again, while the reservation has already moved to another submission.
-- Constraint-backed indexes (primary keys, a child table's (submission_id, row_index)) stay.
DO $$
DECLARE
  idx record;
BEGIN
  FOR idx IN
    SELECT format('%I.%I', n.nspname, c.relname) AS name
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'forms' AND i.indisunique AND NOT i.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
  LOOP
    EXECUTE 'DROP INDEX ' || idx.name;
  END LOOP;
END $$;

-- Down Migration
-- (The typed tables' unique indexes are not recreated: the values they would cover are not
-- guaranteed free of case or spacing variants.)
DROP TABLE IF EXISTS unique_value_conflicts;
DROP TABLE IF EXISTS submission_unique_values;
DROP FUNCTION IF EXISTS gridbook_unique_candidates(bigint, jsonb);
DROP FUNCTION IF EXISTS gridbook_unique_digest(text);
DROP FUNCTION IF EXISTS gridbook_unique_value(text, jsonb);
