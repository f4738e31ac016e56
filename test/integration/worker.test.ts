import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-chain.js';
import { ProcessingService } from '../../src/submissions/processing.service.js';
import { createLogger } from '../../src/observability/logger.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey } from '../helpers/forms.js';

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the worker', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { AUDIT_SEAL_INTERVAL_MS: '200' } });
  });
  afterAll(() => t.close());

  it('seals the audit chain in the background, in order, without writers waiting', async () => {
    const builder = await createUser(t.rt.pool, { role: 'builder' });
    await Promise.all(Array.from({ length: 10 }, () => createGrid(t.rt, builder)));
    await waitUntil(
      async () => Number((await t.rt.pool.query('SELECT count(*) AS n FROM audit_unsealed')).rows[0].n) === 0,
    );
    const report = await verifyAuditChain(t.rt.pool, t.config.audit.key!);
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThanOrEqual(10);
    expect(report.pending).toBe(0);
  });

  it('projects what the API accepted without judging it again, and fails only what storage refuses, with a reason to act on', async () => {
    const s = await publishedSurvey(t);
    const processing = new ProcessingService({
      pool: t.rt.pool,
      catalog: t.rt.catalog,
      logger: createLogger('silent'),
    });
    // An answer stored as accepted (by the rules of its day) that this version's rules would now
    // refuse: no village although required, a size over the maximum. A 202 is a promise: it lands.
    // (Stored directly, not queued: the running worker stays out of it.)
    const store = async (payload: unknown) =>
      (
        await t.rt.pool.query<{ id: string }>(
          `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, review_status, submitted_at)
           VALUES ($1, 1, $2, $3, $4, 'submitted', now()) RETURNING id`,
          [s.templateId, s.gridId, s.submitter.id, JSON.stringify(payload)],
        )
      ).rows[0]!.id;
    const id = await store({ household: { size: 99, water: 'well', members: [] } });
    expect((await processing.processBatch([id])).get(id)).toEqual({ status: 'processed' });
    const row = (await t.rt.pool.query(`SELECT village, size FROM ${s.sectionTable} WHERE submission_id = $1`, [id]))
      .rows[0];
    expect(row).toEqual({ village: null, size: '99' });

    // Storage refuses (a constraint someone added to the form table): failed, naming the field,
    // what PostgreSQL said and what to do; the other submissions of the batch land.
    await t.rt.pool.query(
      `ALTER TABLE ${s.sectionTable} ADD CONSTRAINT no_quarantined_villages CHECK (village NOT LIKE 'Quarantined%')`,
    );
    const ids: string[] = [];
    for (const village of ['Quarantined Hill', 'Open Hill'])
      ids.push(await store({ household: { ...householdPayload(1).household, village } }));
    const outcomes = await processing.processBatch(ids);
    expect(outcomes.get(ids[1]!)).toEqual({ status: 'processed' });
    const failed = outcomes.get(ids[0]!) as { status: string; reason: string };
    expect(failed.status).toBe('failed');
    expect(failed.reason).toMatch(
      /^The database refused to store this answer in Village \(household\.village\): .*no_quarantined_villages/,
    );
    expect(failed.reason).toMatch(/accepted and is kept.*retry processing\.$/);
    expect((await s.submitterApi.get(`/submissions/${ids[0]}`)).body.data).toMatchObject({
      processingStatus: 2,
      processingError: failed.reason,
    });
    await t.rt.pool.query(`ALTER TABLE ${s.sectionTable} DROP CONSTRAINT no_quarantined_villages`);
  });
});
