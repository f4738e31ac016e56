import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from '../../src/db/identifiers.js';
import { connectionConfig } from '../../src/db/pool.js';
import { defaultRuntimeRole, formsRoleFor, prepareRoles } from '../../src/db/roles.js';
import { databaseUrlFor, TEST_SERVER_URL, templateDatabaseName } from './test-env.js';

export interface TestDatabase {
  name: string;
  /** The owner's connection (the test server's login): migrations, tampering, fixtures. */
  url: string;
  /** The runtime login, `<name>_app`, which owns nothing: what the app connects as (src/db/roles.ts). */
  runtimeUrl: string;
  drop(): Promise<void>;
}

/** A URL of the test server for `database`, logged in as `role`. */
export function urlAs(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

/** Creates this database's runtime and forms roles (derived from its name) and grants them, as setup does. */
export async function prepareTestRoles(databaseUrl: string): Promise<string> {
  const client = new pg.Client(connectionConfig(databaseUrl));
  await client.connect();
  try {
    const name = new URL(databaseUrl).pathname.slice(1);
    await prepareRoles(client, { runtimeRole: defaultRuntimeRole(name) });
    return urlAs(databaseUrl, defaultRuntimeRole(name));
  } finally {
    await client.end();
  }
}

/**
 * Drops the roles derived from a database's name, once the database is gone (roles are
 * cluster-wide: each test file's are its own, so parallel runs never share one).
 */
export async function dropTestRoles(name: string): Promise<void> {
  await withAdminClient(async (client) => {
    for (const role of [defaultRuntimeRole(name), formsRoleFor(name)]) {
      await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => {});
    }
  });
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
  const url = databaseUrlFor(name);
  return {
    name,
    url,
    runtimeUrl: await prepareTestRoles(url),
    drop: async () => {
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
      await dropTestRoles(name);
    },
  };
}
