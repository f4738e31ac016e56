import pg from 'pg';
import { applyMigrations } from '../../src/db/migrations.js';
import { connectionConfig } from '../../src/db/pool.js';
import { quoteIdent } from '../../src/db/identifiers.js';
import { databaseUrlFor, TEST_SERVER_URL, templateDatabaseName } from './test-env.js';

/**
 * Creates the migrated template database once per migration set; each test file clones it
 * (CREATE DATABASE ... TEMPLATE), which takes a fraction of a second instead of a full migration.
 */
export default async function setup(): Promise<void> {
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
      // Old templates of earlier migration sets are dropped.
      const old = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'gridbook\\_test\\_tpl\\_%' AND datname <> $1 AND datname NOT LIKE '%\\_building'`,
        [name],
      );
      for (const row of old.rows) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(row.datname)} WITH (FORCE)`);
    }
    await admin.query('SELECT pg_advisory_unlock(7114201099)');
  } finally {
    await admin.end();
  }
}
