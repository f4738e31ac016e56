import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp } from '../../src/app.js';
import { migrationFiles } from '../../src/db/migrations.js';
import { connectionConfig } from '../../src/db/pool.js';
import { createLogger } from '../../src/observability/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { setupApp, testConfig, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

describe('health and readiness', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp();
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz when PostgreSQL, Redis and migrations are fine', async () => {
    const live = await fetch(`${t.baseUrl}/healthz`);
    expect(await live.json()).toEqual({ success: true, data: { status: 'ok' } });
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const body = await ready.json();
    expect(body.data.checks).toEqual([
      { name: 'postgres', ok: true },
      { name: 'redis', ok: true },
      { name: 'migrations', ok: true },
    ]);
  });

  it('answers unknown API routes in the envelope, with a request id header', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/nowhere`, { headers: { 'x-request-id': 'trace-me-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('trace-me-123');
    expect(await res.json()).toEqual({
      success: false,
      error: { code: 'NOT_FOUND', message: 'No such route', details: [] },
    });
    const odd = await fetch(`${t.baseUrl}/healthz`, { headers: { 'x-request-id': 'bad id with spaces and $igns' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('readiness says what is wrong', () => {
  it('names pending migrations and an unreachable Redis', async () => {
    const db = await createTestDatabase({ migrated: false });
    // Only the table the dev secrets need, so the runtime starts; the migrations are pending.
    const config = testConfig(db.url, { REDIS_URL: 'redis://127.0.0.1:1' });
    const { Client } = (await import('pg')).default;
    const client = new Client(connectionConfig(db.url));
    await client.connect();
    await client.query(
      'CREATE TABLE instance_secrets (name text PRIMARY KEY, value text NOT NULL, created_at timestamptz DEFAULT now())',
    );
    await client.end();
    const rt = await createRuntime(config, { logger: createLogger('silent') });
    const web = await createWebApp(rt).catch((e) => e as Error);
    // The admin panel cannot be built without its tables (`npm run web` says which migrations are pending first).
    expect(web).toBeInstanceOf(Error);

    const { healthRoutes } = await import('../../src/http/health.routes.js');
    const express = (await import('express')).default;
    const app = express().use(healthRoutes({ pool: rt.pool, redis: rt.redis, isDraining: () => false }));
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.success).toBe(false);
    expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.error.message).toMatch(/redis \(/);
    expect(body.error.message).toContain(`migrations (pending: ${(await migrationFiles()).join(', ')})`);
    server.close();
    await rt.close();
    await db.drop();
  });
});
