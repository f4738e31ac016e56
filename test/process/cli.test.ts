import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationFiles } from '../../src/db/migrations.js';
import { connectionConfig } from '../../src/db/pool.js';
import { quoteIdent } from '../../src/db/identifiers.js';
import { buildServer, SERVER_BUILD_DIR } from '../../src/ops/server-build.js';
import { AdminClient } from '../helpers/admin-client.js';
import { clearRedisPrefix } from '../helpers/app.js';
import { createTestDatabase, dropTestRoles } from '../helpers/database.js';
import { freePort, spawnCli } from '../helpers/process.js';
import { databaseUrlFor, TEST_REDIS_URL, TEST_SERVER_URL } from '../helpers/test-env.js';

const dropDatabase = async (name: string) => {
  const client = new pg.Client(connectionConfig(TEST_SERVER_URL));
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await client.end();
  // The runtime and forms roles `npm start` created for it.
  await dropTestRoles(name);
};

describe('the one-command start', () => {
  const name = `gridbook_test_start_${randomBytes(4).toString('hex')}`;
  const prefix = `gbtest:${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await dropDatabase(name);
    await clearRedisPrefix(TEST_REDIS_URL, prefix);
  });

  it(
    'creates the database, migrates, creates an admin, prints how to sign in, serves, and stops on SIGTERM',
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      const env = {
        DATABASE_URL: databaseUrlFor(name),
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'development',
        BCRYPT_ROUNDS: '4',
        LOG_LEVEL: 'warn',
      };
      const app = spawnCli('src/cli/start.ts', env);
      try {
        await app.waitFor(/Press Ctrl\+C to stop/, 90_000);
        const out = app.output();
        expect(out).toMatch(/Created database/);
        expect(out).toContain(
          `Applied ${(await migrationFiles()).length} migration(s): ${(await migrationFiles()).join(', ')}`,
        );
        expect(out).toContain(`Gridbook is running: http://localhost:${port}/admin`);
        // It set up the runtime role itself, and serves logged in as it, not as the owner.
        expect(out).toContain(`Created database role ${name}_app`);
        const admin = new pg.Client(connectionConfig(TEST_SERVER_URL));
        await admin.connect();
        const logins = await admin.query<{ usename: string }>(
          `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'gridbook%'`,
          [name],
        );
        await admin.end();
        expect(logins.rows.map((r) => r.usename)).toEqual([`${name}_app`]);
        const [, email, password] = out.match(/email:\s+(\S+)\n\s+password: (\S+)/)!;
        expect(email).toBe('admin@example.com');
        expect(password!.length).toBeGreaterThanOrEqual(16);

        const base = `http://127.0.0.1:${port}`;
        expect((await fetch(`${base}/readyz`)).status).toBe(200);
        const client = new AdminClient(base);
        expect((await client.login(email!, password!)).status).toBe(302);
        expect((await client.get('/admin/api/resources/users/actions/list')).status).toBe(200);

        expect(await app.stop('SIGTERM')).toBe(0);
      } finally {
        await app.stop('SIGKILL');
      }

      // A second start finds everything in place: no new admin, no password printed.
      const again = spawnCli('src/cli/start.ts', { ...env, PORT: String(await freePort()) });
      try {
        await again.waitFor(/Press Ctrl\+C to stop/, 60_000);
        expect(again.output()).toMatch(/Database schema is up to date/);
        expect(again.output()).toMatch(/Sign in as an existing admin \(for example admin@example.com\)/);
        expect(again.output()).not.toMatch(/password:/);
      } finally {
        await again.stop('SIGKILL');
      }
    },
  );
});

describe('the separate web process', { timeout: 90_000 }, () => {
  it('runs from the JavaScript build, and it and the one-shot commands refuse a build older than their sources', async () => {
    const db = await createTestDatabase();
    const fingerprint = path.join(SERVER_BUILD_DIR, 'build.fingerprint');
    try {
      await buildServer();
      const port = await freePort();
      const env = {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        PORT: String(port),
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
      };
      const web = spawnCli('dist/src/cli/web.js', env);
      try {
        await web.waitFor(/web process listening/, 60_000);
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
        // The admin panel (paths to migrations, components and the bundle resolved from dist/).
        expect((await fetch(`http://127.0.0.1:${port}/admin/login`)).status).toBe(200);
      } finally {
        expect(await web.stop()).toBe(0);
      }
      await writeFile(fingerprint, 'sources changed since\n');
      const stale = spawnCli('dist/src/cli/web.js', env);
      expect(await stale.exited).toBe(1);
      expect(stale.output()).toContain('The server build in dist/ does not match the sources: run `npm run build`');
      // One-shot commands refuse it too, before touching the database.
      for (const command of ['migrate', 'audit-verify']) {
        const oneShot = spawnCli(`dist/src/cli/${command}.js`, env);
        expect(await oneShot.exited).toBe(1);
        expect(oneShot.output()).toContain('The server build in dist/ does not match the sources');
      }
    } finally {
      await buildServer();
      await db.drop();
    }
  });

  it('refuses to start while migrations are pending, and says which', async () => {
    const db = await createTestDatabase({ migrated: false });
    try {
      // instance_secrets alone, so that the refusal is about migrations and nothing else.
      const client = new pg.Client(connectionConfig(db.url));
      await client.connect();
      await client.query(
        'CREATE TABLE instance_secrets (name text PRIMARY KEY, value text NOT NULL, created_at timestamptz DEFAULT now())',
      );
      await client.end();
      const web = spawnCli('src/cli/web.ts', {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        PORT: String(await freePort()),
        NODE_ENV: 'development',
        LOG_LEVEL: 'silent',
      });
      expect(await web.exited).toBe(1);
      expect(web.output()).toContain(
        `pending migrations: ${(await migrationFiles()).join(', ')}. Run \`npm run migrate\` first`,
      );
    } finally {
      await db.drop();
    }
  });

  it('fails fast with a clear message when PostgreSQL or Redis cannot be reached', async () => {
    const web = spawnCli('src/cli/web.ts', {
      DATABASE_URL: 'postgres://127.0.0.1:1/gridbook',
      REDIS_URL: 'redis://127.0.0.1:1',
      NODE_ENV: 'development',
    });
    expect(await web.exited).toBe(1);
    expect(web.output()).toMatch(/Cannot reach PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/gridbook/);
    expect(web.output()).toMatch(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    expect(web.output()).not.toMatch(/\n\s+at /);
  });

  it('refuses to start in production without real secrets', async () => {
    const web = spawnCli('src/cli/web.ts', { NODE_ENV: 'production', SESSION_SECRET: 'short', JWT_SECRET: '' });
    expect(await web.exited).toBe(1);
    expect(web.output()).toMatch(/SESSION_SECRET must be at least 32 characters long/);
    expect(web.output()).toMatch(/JWT_SECRET is required in production/);
  });
});
