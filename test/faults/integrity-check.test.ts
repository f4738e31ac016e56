import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAll } from '../../src/audit/audit-chain.js';
import { connectionConfig } from '../../src/db/pool.js';
import { LocalBlobStore } from '../../src/files/storage.local.js';
import { createLogger } from '../../src/observability/logger.js';
import { checkIntegrity, formatIntegrityReport } from '../../src/ops/integrity.js';
import { ProcessingService } from '../../src/submissions/processing.service.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { householdPayload, publishedSurvey, type Survey } from '../helpers/forms.js';
import { spawnCli } from '../helpers/process.js';
import { Tally } from '../security/tally.js';

/**
 * The integrity check (src/ops/integrity.ts, `npm run check:integrity`) is not vacuous: on a sound
 * database it passes, and each kind of damage it promises to see makes its check fail, naming the
 * rows, in the function's report and in the CLI's exit code.
 */
describe('check:integrity finds each kind of damage', () => {
  let t: TestApp;
  let s: Survey;
  let ids: string[];
  const tally = new Tally('faults: integrity check');
  /** The owner's login (the app's runtime role cannot switch triggers off). */
  let owner: pg.Pool;

  /** Runs SQL around the triggers and foreign keys, as damage from outside the application would. */
  const tamper = async (sql: string, params: unknown[] = []) => {
    const client = await owner.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query(sql, params);
    } finally {
      await client.query('RESET session_replication_role').catch(() => {});
      client.release();
    }
  };
  const failing = async () => {
    const report = await checkIntegrity(t.rt.pool, t.rt.store, { graceHours: 1, auditKeys: t.config.audit.key! });
    return { report, failed: report.checks.filter((c) => !c.ok).map((c) => c.name) };
  };

  beforeAll(async () => {
    t = await setupApp();
    owner = new pg.Pool(connectionConfig(t.db.url));
    s = await publishedSurvey(t);
    ids = [];
    for (let i = 0; i < 8; i++) {
      const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i) });
      ids.push(res.body.data.id);
    }
    await new ProcessingService({
      pool: t.rt.pool,
      catalog: t.rt.catalog,
      logger: createLogger('silent'),
    }).processBatch(ids);
    await sealAll(t.rt.pool, t.config.audit.key!);
  });
  afterAll(async () => {
    tally.publish();
    await owner?.end();
    await t?.close();
  });

  it('passes on a sound database, and the CLI says so with exit code 0', async () => {
    const { report, failed } = await failing();
    expect(failed, formatIntegrityReport(report)).toEqual([]);
    expect(report.checks.find((c) => c.name === 'processed-submissions-projected')!.checked).toBe(8);
    const cli = spawnCli('src/cli/check-integrity.ts', {
      DATABASE_URL: t.db.url,
      STORAGE_DIR: t.config.storageDir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      AUDIT_KEY: t.config.audit.key!,
    });
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/Integrity OK/);
  });

  it('names each kind of damage, and the CLI exits 1', async () => {
    const store = t.rt.store as LocalBlobStore;
    // 1. A processed submission lost its section row.
    await tamper(`DELETE FROM ${s.sectionTable} WHERE submission_id = $1`, [ids[0]]);
    // 2. A typed row whose submission is gone (foreign keys bypassed).
    await tamper(`DELETE FROM submissions WHERE id = $1`, [ids[1]]);
    // 3. A repeating-table row stored twice (its unique constraint dropped first).
    const unique = await t.rt.pool.query<{ conname: string }>(
      `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'u'`,
      [s.membersTable],
    );
    for (const { conname } of unique.rows) await tamper(`ALTER TABLE ${s.membersTable} DROP CONSTRAINT "${conname}"`);
    await tamper(
      `INSERT INTO ${s.membersTable} (submission_id, row_index, name) SELECT submission_id, row_index, ` +
        `name FROM ${s.membersTable} WHERE submission_id = $1 AND row_index = 0`,
      [ids[2]],
    );
    // 4. A submission without its creation audit entry (written around the service).
    const grid = await t.rt.pool.query<{ id: string }>(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, review_status, submitted_at)
       VALUES ($1, 1, $2, $3, '{}', 'submitted', now()) RETURNING id`,
      [s.templateId, s.gridId, s.submitter.id],
    );
    // 5. A file whose blob row is there but whose content is not in the store.
    const missing = createHash('sha256').update('content that was lost').digest('hex');
    await t.rt.pool.query(`INSERT INTO blobs (sha256, size, detected_type) VALUES ($1, 21, 'text/plain')`, [missing]);
    const file = await t.rt.pool.query<{ id: string }>(
      `INSERT INTO files (sha256, original_name, size, detected_type) VALUES ($1, 'lost.txt', 21, 'text/plain') RETURNING id`,
      [missing],
    );
    // 6. Stored content without a blob row, older than the grace period (and a young one, left alone).
    const stray = createHash('sha256').update('an orphan').digest('hex');
    const young = createHash('sha256').update('an upload in progress').digest('hex');
    for (const sha of [stray, young]) {
      await mkdir(path.dirname(store.pathOf(sha)), { recursive: true });
      await writeFile(store.pathOf(sha), sha);
    }
    const old = new Date(Date.now() - 3 * 3_600_000);
    await utimes(store.pathOf(stray), old, old);
    // 7. An audit entry altered after it was sealed.
    const sealed = await t.rt.pool.query<{ entry_id: string }>(
      'SELECT entry_id FROM audit_chain ORDER BY seq LIMIT 1 OFFSET 3',
    );
    await tamper(`UPDATE audit_log SET after = '{"forged": true}' WHERE id = $1`, [sealed.rows[0]!.entry_id]);

    const { report, failed } = await failing();
    const text = formatIntegrityReport(report);
    tally.set('kinds of damage injected', 7);
    tally.set('checks that caught them', failed.length);
    expect(failed.sort(), text).toEqual(
      [
        'audit-chain',
        'blob-rows-have-content',
        'files-have-blobs',
        'processed-submissions-projected',
        'stored-blobs-have-rows',
        'submission-creation-audited',
        'typed-rows-have-submission',
        'typed-rows-once',
      ].sort(),
    );
    const examples = (name: string) => report.checks.find((c) => c.name === name)!.examples.join(' | ');
    expect(examples('processed-submissions-projected')).toContain(ids[0]);
    expect(examples('typed-rows-have-submission')).toContain(`submission ${ids[1]}`);
    expect(examples('typed-rows-once')).toContain(`submission ${ids[2]}`);
    expect(examples('submission-creation-audited')).toContain(grid.rows[0]!.id);
    expect(examples('files-have-blobs')).toContain(missing);
    expect(examples('stored-blobs-have-rows')).toContain(stray);
    expect(examples('stored-blobs-have-rows')).not.toContain(young);
    expect(examples('audit-chain')).toContain(`audit entry ${sealed.rows[0]!.entry_id}`);
    expect(file.rows[0]!.id).toBeTruthy();

    const cli = spawnCli('src/cli/check-integrity.ts', {
      DATABASE_URL: t.db.url,
      STORAGE_DIR: t.config.storageDir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      FILE_GRACE_HOURS: '1',
      AUDIT_KEY: t.config.audit.key!,
    });
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/Integrity check FAILED: 8 checks found problems/);
  });
});
