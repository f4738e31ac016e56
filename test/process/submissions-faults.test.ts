import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain, sealAll } from '../../src/audit/audit-chain.js';
import { clearRedisPrefix, setupApp, type TestApp } from '../helpers/app.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { spawnCli, type Spawned } from '../helpers/process.js';

/**
 * Nothing is lost: a worker killed mid-batch and a flush of the queue's Redis keys both end with
 * every submission processed exactly once.
 */
describe('submissions survive worker crashes and Redis loss', () => {
  let t: TestApp;
  let s: Survey;
  const workers: Spawned[] = [];
  const workerEnv = () => ({
    DATABASE_URL: t.db.url,
    REDIS_URL: t.config.redisUrl,
    QUEUE_PREFIX: t.config.queuePrefix,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SESSION_SECRET: t.rt.secrets.sessionSecret,
    JWT_SECRET: t.rt.secrets.jwtSecret,
    AUDIT_KEY: t.config.audit.key!,
    WORKER_CONCURRENCY: '8',
    PROCESSING_BATCH_SIZE: '8',
    WORKER_LOCK_MS: '3000',
    SWEEP_INTERVAL_MS: '500',
    SWEEP_AFTER_SECONDS: '1',
    SCHEDULER_REFRESH_MS: '500',
  });
  const startWorkerProcess = async () => {
    const w = spawnCli('src/cli/worker.ts', workerEnv());
    workers.push(w);
    await w.waitFor(/worker started/, 30_000);
    return w;
  };

  beforeAll(async () => {
    t = await setupApp({ env: { AUDIT_SEAL_INTERVAL_MS: '60000' } });
    s = await publishedSurvey(t);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await t?.close();
  });

  const post = async (from: number, count: number) => {
    for (let i = from; i < from + count; i += 50) {
      const results = await Promise.all(
        Array.from({ length: Math.min(50, from + count - i) }, (_, j) =>
          s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i + j) }),
        ),
      );
      for (const r of results) expect(r.status).toBe(202);
    }
  };

  const assertExactlyOnce = async (expected: number) => {
    const q = (sql: string) => t.rt.pool.query(sql).then((r) => Number(r.rows[0].n));
    expect(await q(`SELECT count(*) AS n FROM ${s.sectionTable}`)).toBe(expected);
    expect(await q(`SELECT count(DISTINCT submission_id) AS n FROM ${s.sectionTable}`)).toBe(expected);
    expect(await q(`SELECT count(*) AS n FROM ${s.membersTable}`)).toBe(expected * 2);
    expect(
      await q(
        `SELECT count(*) AS n FROM submissions s WHERE processing_status = 1 AND NOT EXISTS (SELECT 1 FROM ${s.sectionTable} f WHERE f.submission_id = s.id)`,
      ),
    ).toBe(0);
    expect(
      await q(
        `SELECT count(*) AS n FROM (SELECT entity_id FROM audit_log WHERE action = 'submission.processed' GROUP BY entity_id HAVING count(*) > 1) d`,
      ),
    ).toBe(0);
  };

  it('a worker killed with SIGKILL mid-run: another one finishes, each submission processed once', async () => {
    await post(0, 1500);
    const first = await startWorkerProcess();
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => (c['1'] ?? 0) >= 200,
      60_000,
      'some processed',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const partial = await statusCounts(t.rt.pool, s.templateId);
    expect(partial['1'] ?? 0).toBeLessThan(1500);
    await startWorkerProcess();
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 1500,
      120_000,
      'all 1,500 processed',
    );
    await assertExactlyOnce(1500);
  }, 180_000);

  it("a flush of the queue's Redis keys: the sweeper re-queues from PostgreSQL, nothing lost or doubled", async () => {
    // No worker while the jobs sit in Redis; then Redis loses them (and the job schedulers).
    for (const w of workers) await w.stop('SIGTERM');
    await post(1500, 800);
    expect((await statusCounts(t.rt.pool, s.templateId))['0']).toBe(800);
    const jobs = await t.rt.queues.submissions.getJobCounts('waiting');
    expect(jobs.waiting).toBe(800);
    await clearRedisPrefix(t.config.redisUrl, t.config.queuePrefix);
    expect((await t.rt.queues.submissions.getJobCounts('waiting')).waiting).toBe(0);
    await startWorkerProcess();
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 2300,
      120_000,
      'all 2,300 processed',
    );
    await assertExactlyOnce(2300);
    await sealAll(t.rt.pool, t.config.audit.key!);
    expect((await verifyAuditChain(t.rt.pool, t.config.audit.key!)).ok).toBe(true);
  }, 180_000);
});
