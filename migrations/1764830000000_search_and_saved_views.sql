-- Up Migration

-- List search (docs/search.md). One normalisation for what is indexed and for what is asked: lower
-- case, ASCII punctuation read as spaces (so "WP-123" and "a.b@c.org" are words), and the 'simple'
-- configuration: no stemming and no stop words, so the words of any language are kept as typed.
-- A tsvector with a GIN index needs no extension (pg_trgm would, and CREATE EXTENSION is not
-- something every deployment lets the owner role do).
CREATE FUNCTION gridbook_search_vector(document text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('simple'::regconfig, regexp_replace(lower(document), '[[:punct:]]+', ' ', 'g'));

-- What a search box's text becomes: every word of it, each as a prefix ('vill' finds 'village').
-- Immutable, so a constant argument is folded when the statement is planned and the GIN index is
-- used. The words carry no punctuation left (gridbook_search_vector), so quote_literal yields 'w'.
CREATE FUNCTION gridbook_search_query(term text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (SELECT to_tsquery('simple'::regconfig, coalesce(string_agg(quote_literal(w) || ':*', ' & '), ''))
            FROM unnest(tsvector_to_array(gridbook_search_vector(term))) w);

-- The answers a version marks searchable (`searchable: true` on a section's text field), as
-- [section key, field key] pairs: worked out once, when the version is inserted (versions are
-- immutable), so indexing a submission reads a short list instead of its version's definition.
ALTER TABLE template_versions ADD COLUMN search_paths jsonb NOT NULL DEFAULT '[]';

CREATE FUNCTION template_versions_search_paths() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_paths := coalesce((
    SELECT jsonb_agg(jsonb_build_array(s.value ->> 'key', f.value ->> 'key') ORDER BY s.ordinality, f.ordinality)
      FROM jsonb_array_elements(NEW.definition -> 'sections') WITH ORDINALITY s
     CROSS JOIN LATERAL jsonb_array_elements(s.value -> 'fields') WITH ORDINALITY f
     WHERE f.value -> 'searchable' = 'true'::jsonb), '[]'::jsonb);
  RETURN NEW;
END $$;
CREATE TRIGGER template_versions_search_paths BEFORE INSERT ON template_versions
  FOR EACH ROW EXECUTE FUNCTION template_versions_search_paths();

-- A submission's searchable answers as one tsvector, kept by the database on every write of its
-- payload (intake, draft edits, answer edits, restores alike), under a GIN index.
ALTER TABLE submissions ADD COLUMN search_document tsvector;

CREATE FUNCTION submissions_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  paths jsonb;
BEGIN
  SELECT v.search_paths INTO paths FROM public.template_versions v
   WHERE v.template_id = NEW.template_id AND v.version = NEW.template_version;
  IF paths IS NULL OR paths = '[]'::jsonb THEN
    NEW.search_document := NULL;
  ELSE
    NEW.search_document := public.gridbook_search_vector((
      SELECT string_agg(NEW.payload #>> ARRAY[p ->> 0, p ->> 1], ' ') FROM jsonb_array_elements(paths) p));
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER submissions_search_document BEFORE INSERT OR UPDATE OF payload, template_version ON submissions
  FOR EACH ROW EXECUTE FUNCTION submissions_search_document();
CREATE INDEX submissions_search_idx ON submissions USING gin (search_document);

-- Saved views: a user's named filters, sort and columns of one admin list; at most one default
-- per list, applied when the list is opened without a query.
CREATE TABLE saved_views (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  resource text NOT NULL CHECK (length(resource) BETWEEN 1 AND 200),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  query jsonb NOT NULL CHECK (jsonb_typeof(query) = 'object'),
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX saved_views_name_key ON saved_views (user_id, resource, lower(name));
CREATE UNIQUE INDEX saved_views_default_key ON saved_views (user_id, resource) WHERE is_default;

-- Down Migration
DROP TABLE IF EXISTS saved_views;
DROP TRIGGER IF EXISTS submissions_search_document ON submissions;
DROP FUNCTION IF EXISTS submissions_search_document();
DROP INDEX IF EXISTS submissions_search_idx;
ALTER TABLE submissions DROP COLUMN IF EXISTS search_document;
DROP TRIGGER IF EXISTS template_versions_search_paths ON template_versions;
DROP FUNCTION IF EXISTS template_versions_search_paths();
ALTER TABLE template_versions DROP COLUMN IF EXISTS search_paths;
DROP FUNCTION IF EXISTS gridbook_search_query(text);
DROP FUNCTION IF EXISTS gridbook_search_vector(text);
