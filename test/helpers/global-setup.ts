import pg from 'pg';
import { applyMigrations } from '../../src/db/migrations.js';
import { connectionConfig } from '../../src/db/pool.js';
import { quoteIdent } from '../../src/db/identifiers.js';
import { databaseUrlFor, TEST_SERVER_URL, templateDatabaseName } from './test-env.js';

const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Creates the migrated template database once per migration set; each test file clones it
 * (CREATE DATABASE ... TEMPLATE), which takes a fraction of a second instead of a full migration.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const name = await templateDatabaseName();
  const admin = new pg.Client(connectionConfig(TEST_SERVER_URL));
  await admin.connect();
  try {
    // Two test runs starting at once build the template once.
    await admin.query('SELECT pg_advisory_lock(7114201099)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) {
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)}`);
      await admin.query(`CREATE DATABASE ${quoteIdent(building)}`);
      await applyMigrations(databaseUrlFor(building));
      await admin.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(name)}`);
      await admin.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(new Date().toISOString())}`);
      // Templates of other migration sets are dropped once they are an hour old: a run of another
      // checkout (or of a branch with one more migration) may still be cloning a younger one.
      const old = await admin.query<{ datname: string }>(
        `SELECT d.datname FROM pg_database d
          WHERE d.datname LIKE 'gridbook\\_test\\_tpl\\_%' AND d.datname <> $1 AND d.datname NOT LIKE '%\\_building'
            AND coalesce(shobj_description(d.oid, 'pg_database'), '') < $2`,
        [name, new Date(Date.now() - 3600_000).toISOString()],
      );
      for (const row of old.rows) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(row.datname)} WITH (FORCE)`);
    }
    await admin.query('SELECT pg_advisory_unlock(7114201099)');
  } finally {
    await admin.end();
  }
  return teardown;
}

/**
 * Roles are cluster-wide: each test database has its runtime and forms roles (`<name>_app`,
 * `<name>_forms`, test/helpers/database.ts), dropped with it. Those of databases that no longer
 * exist (a run killed before its clean-up) are dropped here; a parallel run's are left alone.
 */
export async function teardown(): Promise<void> {
  const admin = new pg.Client(connectionConfig(TEST_SERVER_URL));
  await admin.connect();
  try {
    const stale = await admin.query<{ rolname: string }>(
      `SELECT r.rolname FROM pg_roles r
        WHERE r.rolname ~ '^gridbook_test_[a-z0-9_]+_(app|forms)$'
          AND NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = regexp_replace(r.rolname, '_(app|forms)$', ''))`,
    );
    for (const { rolname } of stale.rows)
      await admin.query(`DROP ROLE IF EXISTS ${quoteIdent(rolname)}`).catch(() => {});
  } finally {
    await admin.end();
  }
}
