-- Up Migration

-- What a background export writes: option labels, file names and status labels (the default, for
-- people) or the stored codes (`values=codes`, for machines).
ALTER TABLE exports ADD COLUMN value_mode text NOT NULL DEFAULT 'labels' CHECK (value_mode IN ('labels', 'codes'));

-- Down Migration
ALTER TABLE exports DROP COLUMN IF EXISTS value_mode;
