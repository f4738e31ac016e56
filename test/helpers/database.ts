import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from '../../src/db/identifiers.js';
import { connectionConfig } from '../../src/db/pool.js';
import { databaseUrlFor, TEST_SERVER_URL, templateDatabaseName } from './test-env.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(connectionConfig(TEST_SERVER_URL));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database for one test file (a clone of the template). */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `gridbook_test_${randomBytes(5).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : await templateDatabaseName();
  await withAdminClient(async (client) => {
    // Cloning fails while another session is connected to the template; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  return {
    name,
    url: databaseUrlFor(name),
    drop: () => withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).then(() => undefined)),
  };
}
