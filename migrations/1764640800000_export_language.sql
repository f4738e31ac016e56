-- Up Migration

-- The language a background export's headers and option labels are written in (the form's
-- default when NULL).
ALTER TABLE exports ADD COLUMN language text;

-- Down Migration
ALTER TABLE exports DROP COLUMN IF EXISTS language;
