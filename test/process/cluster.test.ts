import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionConfig } from '../../src/db/pool.js';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { clearRedisPrefix } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { householdDefinition, householdPayload, waitFor } from '../helpers/forms.js';
import { freePort, spawnCli, type Spawned } from '../helpers/process.js';
import { startReceiver } from '../helpers/receiver.js';
import { TEST_REDIS_URL } from '../helpers/test-env.js';

/**
 * Several nodes: two web processes and two worker processes, real ones, on one PostgreSQL and one
 * Redis, as a load-balanced deployment runs them.
 */
describe('two web nodes and two workers', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const prefix = `gbtest:${randomBytes(4).toString('hex')}`;
  const storage = path.join(os.tmpdir(), `gridbook-cluster-${randomBytes(4).toString('hex')}`);
  const procs: Spawned[] = [];
  let nodes: string[] = [];
  let builder: TestUser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool(connectionConfig(db.url));
    receiver = await startReceiver();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      STORAGE_DIR: storage,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      BCRYPT_ROUNDS: '4',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      WEBHOOK_ALLOW_PRIVATE: 'true',
      // Small batches, so both workers get a share of the work.
      PROCESSING_BATCH_SIZE: '10',
      WORKER_CONCURRENCY: '8',
    };
    const ports = [await freePort(), await freePort()];
    nodes = ports.map((p) => `http://127.0.0.1:${p}`);
    for (const port of ports) procs.push(spawnCli('src/cli/web.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' }));
    for (let i = 0; i < 2; i++) procs.push(spawnCli('src/cli/worker.ts', env));
    for (const node of nodes) {
      await waitFor(
        () =>
          fetch(`${node}/readyz`)
            .then((r) => r.status)
            .catch(() => 0),
        (status) => status === 200,
        90_000,
        `${node} ready`,
      );
    }
    builder = await createUser(pool, { role: 'builder' });
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGTERM')));
    await receiver?.close();
    await pool?.end();
    await db?.drop();
    await clearRedisPrefix(TEST_REDIS_URL, prefix);
    await rm(storage, { recursive: true, force: true });
  });

  it('shares sessions, shows a template published on one node in the other node’s admin panel, and processes each job once', async () => {
    // A session opened on node A works on node B (sessions live in PostgreSQL).
    const onA = new AdminClient(nodes[0]!);
    expect((await onA.login(builder.email, builder.password)).status).toBe(302);
    const onB = new AdminClient(nodes[1]!);
    onB.cookie = onA.cookie;
    expect((await onB.getJson('/admin/api/resources/grids/actions/list')).status).toBe(200);

    // Publish through node A's API.
    const api = await new ApiClient(nodes[0]!).login(builder.email, builder.password);
    const grid = await api.post('/grids', { slug: 'cluster', title: 'Cluster' });
    const template = await api.post(`/grids/${grid.body.data.id}/templates`, {
      slug: 'household',
      title: 'Household',
      definition: householdDefinition(),
    });
    const templateId = template.body.data.id as string;
    // Node B's admin panel has no resource for the table yet...
    const resource = `/admin/api/resources/f${templateId}_household/actions/list`;
    expect((await onB.get(resource)).status).toBe(404);
    expect((await api.post(`/templates/${templateId}/publish`)).status).toBe(201);
    // ...and gets one once the publish is announced (LISTEN/NOTIFY), without a restart.
    await waitFor(
      () => onB.get(resource).then((r) => r.status),
      (s) => s === 200,
      20_000,
      "the table's resource on node B",
    );

    // A webhook, to count deliveries too.
    const hook = await api.post(`/grids/${grid.body.data.id}/webhooks`, {
      url: receiver.url('/cluster'),
      events: ['submission.processed'],
    });
    expect(hook.status).toBe(201);

    // Both workers are on the queue.
    const queue = new Queue('submissions', { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      await waitFor(
        () => queue.getWorkersCount(),
        (n) => n === 2,
        10_000,
        'two workers on the submissions queue',
      );
    } finally {
      await queue.close();
    }

    // Submissions through both nodes, processed by both workers: each exactly once.
    const apiB = await new ApiClient(nodes[1]!).login(builder.email, builder.password);
    const total = 200;
    const ids: string[] = [];
    for (let i = 0; i < total; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          (k % 2 ? api : apiB).post(`/templates/${templateId}/submissions`, { data: householdPayload(i + k) }),
        ),
      );
      for (const res of batch) {
        expect(res.status).toBe(202);
        ids.push(res.body.data.id);
      }
    }
    await waitFor(
      () =>
        pool.query(`SELECT count(*)::int AS n FROM submissions WHERE processing_status = 1`).then((r) => r.rows[0].n),
      (n) => n === total,
      60_000,
      'every submission processed',
    );
    const once = await pool.query(
      `SELECT s.processing_attempts AS attempts,
              (SELECT count(*)::int FROM audit_log a WHERE a.action = 'submission.processed' AND a.entity_id = s.id::text) AS audited,
              (SELECT count(*)::int FROM forms.${`"f${templateId}_household"`} t WHERE t.submission_id = s.id) AS rows
         FROM submissions s`,
    );
    for (const row of once.rows) expect(row).toEqual({ attempts: 1, audited: 1, rows: 1 });

    await waitFor(
      () => Promise.resolve(receiver.received.length),
      (n) => n >= total,
      30_000,
      'every delivery',
    );
    await new Promise((r) => setTimeout(r, 500));
    const delivered = receiver.received.map((r) => r.json.data.submission.id as string);
    expect(delivered).toHaveLength(total);
    expect(new Set(delivered)).toEqual(new Set(ids));
  });

  it('drains on SIGTERM: a request in flight on a web node completes, then the node exits; the other node serves on', async () => {
    const api = await new ApiClient(nodes[1]!).login(builder.email, builder.password);
    const template = (await pool.query(`SELECT id FROM templates WHERE slug = 'household'`)).rows[0].id as string;
    const body = Buffer.from(JSON.stringify({ data: householdPayload(9_999) }));
    const { port } = new URL(nodes[1]!);
    // Half of the body now, the rest after SIGTERM: the request is in flight when the signal lands.
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/api/v1/templates/${template}/submissions`,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            authorization: `Bearer ${api.token}`,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      setTimeout(() => {
        procs[1]!.child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(10)), 700);
      }, 300);
    });
    const result = await response;
    expect(result.status, result.text).toBe(202);
    expect(await procs[1]!.exited).toBe(0);
    // New connections to the stopped node are refused; node A still serves.
    await expect(fetch(`${nodes[1]}/healthz`)).rejects.toThrow();
    expect((await fetch(`${nodes[0]}/readyz`)).status).toBe(200);
  });
});
