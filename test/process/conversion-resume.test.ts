import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { householdDefinition, publishedSurvey, waitFor, type Survey } from '../helpers/forms.js';
import { spawnCli, type Spawned } from '../helpers/process.js';

/**
 * An online type change (src/templates/conversions.service.ts) survives its worker: killed with
 * SIGKILL in the middle of the backfill, the conversion is taken up by another worker (BullMQ hands
 * the stalled job over), resumes after the last committed batch and finishes, each row converted
 * by exactly one committed batch.
 */
describe('an online conversion resumes after its worker is killed', () => {
  let t: TestApp;
  let s: Survey;
  const workers: Spawned[] = [];
  const ROWS = 6000;
  const BATCH = 200;
  const workerEnv = () => ({
    DATABASE_URL: t.db.url,
    REDIS_URL: t.config.redisUrl,
    QUEUE_PREFIX: t.config.queuePrefix,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SESSION_SECRET: t.rt.secrets.sessionSecret,
    JWT_SECRET: t.rt.secrets.jwtSecret,
    AUDIT_KEY: t.config.audit.key!,
    WORKER_LOCK_MS: '3000',
    SWEEP_INTERVAL_MS: '500',
    SCHEDULER_REFRESH_MS: '500',
    CONVERSION_BATCH_ROWS: String(BATCH),
    CONVERSION_BATCH_PAUSE_MS: '100',
  });
  const startWorkerProcess = async () => {
    const w = spawnCli('src/cli/worker.ts', workerEnv());
    workers.push(w);
    // A busy machine may take minutes to start a process under tsx.
    await w.waitFor(/worker started/, 240_000);
    return w;
  };
  const conversion = async () =>
    (
      await t.rt.pool.query<{
        state: string;
        rows_done: string;
        total_rows: string;
        batches: number;
        last_key: string | null;
      }>(`SELECT state, rows_done, total_rows, batches, last_key FROM schema_conversions WHERE template_id = $1`, [
        s.templateId,
      ])
    ).rows[0]!;

  beforeAll(async () => {
    t = await setupApp({ env: { CONVERSION_ONLINE_MIN_ROWS: '1000', AUDIT_SEAL_INTERVAL_MS: '60000' } });
    const definition = householdDefinition();
    definition.sections[0]!.fields.push({
      id: 'f_code',
      key: 'code',
      label: 'Code',
      type: 'text',
    } as (typeof definition.sections)[0]['fields'][0]);
    s = await publishedSurvey(t, definition);
    await t.rt.pool.query(
      `WITH s AS (
         INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status)
         SELECT $1, 1, $2, $3, jsonb_build_object('household', jsonb_build_object('village', 'Seed ' || i, 'code', i::text)), 1
           FROM generate_series(1, $4::int) i RETURNING id, payload)
       INSERT INTO forms."f${s.templateId}_household" (submission_id, village, code) SELECT id, ` +
        `payload->'household'->>'village', payload->'household'->>'code' FROM s`,
      [s.templateId, s.gridId, s.submitter.id, ROWS],
    );
    definition.sections[0]!.fields.at(-1)!.type = 'integer';
    expect((await s.builderApi.put(`/templates/${s.templateId}/definition`, definition)).status).toBe(200);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await t?.close();
  });

  it('killed mid-backfill, another worker finishes it: every value converted once', async () => {
    const published = await s.builderApi.post(`/templates/${s.templateId}/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.data.conversions).toHaveLength(1);

    const first = await startWorkerProcess();
    await waitFor(conversion, (c) => Number(c.rows_done) >= 1000, 120_000, 'part of the backfill done');
    first.child.kill('SIGKILL');
    await first.exited;
    const partial = await conversion();
    expect(partial.state).toBe('backfilling');
    expect(Number(partial.rows_done)).toBeLessThan(ROWS);
    expect(Number(partial.rows_done)).toBe(partial.batches * BATCH);

    await startWorkerProcess();
    const done = await waitFor(conversion, (c) => c.state === 'done', 180_000, 'conversion done');
    // Resumed, not restarted: the batches add up to the table exactly once.
    expect(Number(done.rows_done)).toBe(ROWS);
    expect(Number(done.total_rows)).toBe(ROWS);
    expect(done.batches).toBe(ROWS / BATCH);
    const table = `forms."f${s.templateId}_household"`;
    const check = await t.rt.pool.query(
      `SELECT count(*) FILTER (WHERE code IS DISTINCT FROM code__v1::bigint) AS wrong, count(*) AS n, pg_typeof(min(code))::text AS type FROM ${table}`,
    );
    expect(check.rows[0]).toEqual({ wrong: '0', n: String(ROWS), type: 'bigint' });
    const finished = await t.rt.pool.query(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'template.conversion_finish' AND entity_id = $1`,
      [s.templateId],
    );
    expect(finished.rows[0].n).toBe('1');
  }, 900_000);
});
