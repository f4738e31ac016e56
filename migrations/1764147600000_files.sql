-- Up Migration

-- Blobs: stored content, once per SHA-256, however often it is uploaded. A blob row exists only
-- while its content is in storage; the clean-up job removes both after a grace period once no
-- file references it (row first, content after, under a per-blob lock).
CREATE TABLE blobs (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL CHECK (size >= 0),
  detected_type text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Last time an upload matched this content: a blob is not removed right after it was reused.
  last_used_at timestamptz NOT NULL DEFAULT now()
);

-- Files: one row per upload, with what the client said (its name) and what we found (type, size).
CREATE TABLE files (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sha256 text NOT NULL REFERENCES blobs (sha256),
  original_name text NOT NULL CHECK (length(original_name) <= 255),
  size bigint NOT NULL,
  detected_type text NOT NULL,
  uploaded_by bigint REFERENCES users (id),
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  -- Set when the last reference went away; the clean-up job deletes the row after the grace period.
  unreferenced_at timestamptz
);
CREATE INDEX files_sha256_idx ON files (sha256);
CREATE INDEX files_unreferenced_idx ON files (unreferenced_at) WHERE unreferenced_at IS NOT NULL;

-- Which submission's file field holds (or held: removed_at set) which file. A removed or replaced
-- file stays readable through the submission's history until the clean-up purges it.
CREATE TABLE submission_files (
  submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  field text NOT NULL,
  file_id bigint NOT NULL REFERENCES files (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz,
  PRIMARY KEY (submission_id, field, file_id)
);
CREATE INDEX submission_files_file_idx ON submission_files (file_id);

-- A file losing its last live reference (a field emptied, a file replaced, a draft deleted) is
-- marked, for the clean-up after the grace period.
CREATE FUNCTION files_mark_unreferenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE files SET unreferenced_at = now()
   WHERE id = OLD.file_id AND unreferenced_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM submission_files sf WHERE sf.file_id = OLD.file_id AND sf.removed_at IS NULL);
  RETURN NULL;
END $$;
CREATE TRIGGER submission_files_unreferenced AFTER DELETE OR UPDATE OF removed_at ON submission_files
  FOR EACH ROW EXECUTE FUNCTION files_mark_unreferenced();

-- Down Migration
DROP TABLE IF EXISTS submission_files, files, blobs;
DROP FUNCTION IF EXISTS files_mark_unreferenced();
