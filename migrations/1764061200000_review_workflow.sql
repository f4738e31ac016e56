-- Up Migration

-- Review mode of a template: the whole submission at once, or each section on its own.
ALTER TABLE templates ADD COLUMN review_mode text NOT NULL DEFAULT 'submission'
  CHECK (review_mode IN ('submission', 'section'));

ALTER TABLE submissions
  ADD COLUMN reviewed_at timestamptz,
  -- A rejected submission goes back to review only after its submitter changed it.
  ADD COLUMN edited_since_rejection boolean NOT NULL DEFAULT false,
  -- Set by the overdue job when a submission waits in review longer than the configured time.
  ADD COLUMN review_overdue_at timestamptz;

-- Section-wise review: one row per section of a submission whose template reviews per section.
CREATE TABLE submission_section_reviews (
  submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  section_id text NOT NULL,
  status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'in_review', 'approved', 'rejected')),
  reviewer_id bigint REFERENCES users (id),
  reason text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (submission_id, section_id)
);

-- Comments on a submission.
CREATE TABLE submission_comments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  author_id bigint NOT NULL REFERENCES users (id),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submission_comments_submission_idx ON submission_comments (submission_id, id);

-- Follow-up tasks on a submission ("re-measure reading 4"), with an assignee and a due date.
CREATE TABLE follow_ups (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  grid_id bigint NOT NULL REFERENCES grids (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  details text NOT NULL DEFAULT '' CHECK (length(details) <= 10000),
  assignee_id bigint REFERENCES users (id),
  due_on date,
  created_by bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by bigint REFERENCES users (id),
  resolution text,
  -- Set by the overdue job when the due date passed unresolved.
  overdue_at timestamptz
);
CREATE INDEX follow_ups_submission_idx ON follow_ups (submission_id, id);
CREATE INDEX follow_ups_open_idx ON follow_ups (due_on) WHERE resolved_at IS NULL;
CREATE INDEX follow_ups_assignee_idx ON follow_ups (assignee_id) WHERE resolved_at IS NULL;
CREATE INDEX submissions_in_review_idx ON submissions (updated_at) WHERE review_status IN ('submitted', 'in_review');

-- Down Migration
DROP INDEX IF EXISTS submissions_in_review_idx;
DROP TABLE IF EXISTS follow_ups, submission_comments, submission_section_reviews;
ALTER TABLE submissions DROP COLUMN IF EXISTS review_overdue_at, DROP COLUMN IF EXISTS edited_since_rejection, DROP COLUMN IF EXISTS reviewed_at;
ALTER TABLE templates DROP COLUMN IF EXISTS review_mode;
