-- Up Migration

-- Views of the form data tables under the current keys (src/templates/current-views.ts), one per
-- section and repeating table, created by each publish. Owned by the forms role (src/db/roles.ts),
-- as the tables they read are. BI tools get USAGE on this schema and SELECT on its views.
CREATE SCHEMA IF NOT EXISTS forms_current;

-- Down Migration
DROP SCHEMA IF EXISTS forms_current CASCADE;
