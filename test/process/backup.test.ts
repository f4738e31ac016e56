import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAll, verifyAuditChain } from '../../src/audit/audit-chain.js';
import { auditKeys } from '../../src/audit/audit-key.js';
import { recordAudit } from '../../src/audit/audit.service.js';
import { latestCheckpoint, writeCheckpoint } from '../../src/audit/checkpoints.js';
import { withTransaction } from '../../src/db/transaction.js';
import { ctxFor } from '../helpers/factories.js';
import { connectionConfig } from '../../src/db/pool.js';
import { quoteIdent } from '../../src/db/identifiers.js';
import { databaseName } from '../../src/config/config.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import {
  publishedSurvey,
  householdDefinition,
  householdPayload,
  waitFor,
  statusCounts,
  type Survey,
} from '../helpers/forms.js';
import { spawnCli } from '../helpers/process.js';
import { TEST_SERVER_URL } from '../helpers/test-env.js';
import { multipart, png, rawRequest } from '../helpers/upload.js';

/** The household survey with a photo field. */
const definition = (() => {
  const d = householdDefinition();
  d.sections[0]!.fields.push({ id: 'f_photo', key: 'photo', label: 'Photo', type: 'file' } as never);
  return d;
})();

async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client(connectionConfig(TEST_SERVER_URL));
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await client.end();
}

describe('backup and restore', () => {
  let t: TestApp;
  let s: Survey;
  const backupDirs: string[] = [];
  let env: Record<string, string>;
  const snapshot = async (pool: pg.Pool) => ({
    submissions: (await pool.query('SELECT id, processing_status, review_status, payload FROM submissions ORDER BY id'))
      .rows,
    typed: (await pool.query(`SELECT submission_id, village, size FROM ${s.sectionTable} ORDER BY submission_id`)).rows,
    members: (
      await pool.query(`SELECT submission_id, row_index, name FROM ${s.membersTable} ORDER BY submission_id, row_index`)
    ).rows,
    audit: Number((await pool.query('SELECT count(*) AS n FROM audit_log')).rows[0].n),
    files: (await pool.query('SELECT id, sha256, original_name FROM files ORDER BY id')).rows,
  });
  /** The stored photo's row. */
  let stored: { id: string; sha256: string };
  let photo: Buffer;

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t, definition);
    for (let i = 0; i < 5; i++) {
      expect(
        (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i) })).status,
      ).toBe(202);
    }
    // A draft with a photo, then submitted.
    const draft = (
      await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { draft: true, data: householdPayload(9) })
    ).body.data.id as string;
    photo = png(randomBytes(8).toString('hex'));
    const { body, contentType } = multipart([
      { name: 'field', value: 'household.photo' },
      { name: 'file', filename: 'house.png', contentType: 'image/png', data: photo },
    ]);
    const up = await rawRequest(`${t.baseUrl}/api/v1/submissions/${draft}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${s.submitterApi.token}` },
      body,
    });
    expect(up.status).toBe(201);
    expect((await s.submitterApi.post(`/submissions/${draft}/submit`)).status).toBe(200);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 6,
      30_000,
      'processing',
    );
    await sealAll(t.rt.pool, t.config.audit.key!);
    stored = (await snapshot(t.rt.pool)).files[0] as typeof stored;
    env = {
      DATABASE_URL: t.db.url,
      STORAGE_DIR: t.config.storageDir,
      REDIS_URL: t.config.redisUrl,
      LOG_LEVEL: 'warn',
      AUDIT_KEY: t.config.audit.key!,
    };
  });
  afterAll(async () => {
    for (const dir of backupDirs) await rm(dir, { recursive: true, force: true });
    await t?.close();
  });

  /** A backup of the test's database into a folder of its own, as a user runs it: each test makes its own. */
  const backup = async () => {
    const dir = path.join(os.tmpdir(), `gridbook-backup-test-${randomBytes(4).toString('hex')}`);
    backupDirs.push(dir);
    const made = spawnCli('src/cli/db-backup.ts', env, [dir]);
    expect(await made.exited, made.output()).toBe(0);
    expect(made.output()).toMatch(/Backup done in .* 1 files/);
    return dir;
  };

  it('backs up, survives losing the database and the files, restores, and the data and the audit chain verify', async () => {
    const before = await snapshot(t.rt.pool);
    const backupDir = await backup();
    const manifest = JSON.parse(await readFile(path.join(backupDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'gridbook-backup/1',
      counts: { submissions: 6, files: 1 },
      blobs: { count: 1, missing: [] },
    });

    // Work goes on after the backup: an entry sealed and checkpointed, which the restore cannot bring back.
    await t.worker?.close();
    t.worker = null;
    await withTransaction(t.rt.pool, (tx) =>
      recordAudit(tx, ctxFor(null), { action: 'test.after_backup', entityType: 'thing' }),
    );
    await sealAll(t.rt.pool, t.config.audit.key!);
    const keys = auditKeys(t.config.audit.key!);
    await writeCheckpoint(t.rt.pool, t.rt.store, keys);
    const newer = (await latestCheckpoint(t.rt.store, keys))!;

    // Disaster: the database and the stored files are gone.
    await dropDatabase(databaseName(t.db.url));
    await rm(path.join(t.config.storageDir, 'blobs'), { recursive: true, force: true });

    const restored = spawnCli('src/cli/db-restore.ts', env, [backupDir]);
    expect(await restored.exited, restored.output()).toBe(0);
    expect(restored.output()).toMatch(/Restored the backup of .* \(1 files\)/);
    expect(restored.output()).toMatch(/ok +audit-chain: the audit hash chain verifies/);
    // The newer checkpoint is kept aside, saying what the restore lost; one of the restored chain replaces it.
    expect(restored.output()).toContain(
      `The newest audit checkpoint (link ${newer.seq}, written ${newer.at}) covers entries written after this backup`,
    );
    expect((await latestCheckpoint(t.rt.store, keys))!.seq).toBe(String(Number(newer.seq) - 1));
    expect(restored.output()).toMatch(/Integrity OK/);

    const pool = new pg.Pool(connectionConfig(t.db.url));
    try {
      expect(await snapshot(pool)).toEqual(before);
      const chain = await verifyAuditChain(pool, t.config.audit.key!);
      expect(chain.ok).toBe(true);
      expect(chain.checked).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
    // The file is back, byte for byte, through the API of a fresh app on the restored database.
    const fresh = await setupApp({ sharing: t });
    try {
      const file = stored;
      const download = await rawRequest(`${fresh.baseUrl}/api/v1/files/${file.id}`, {
        headers: { authorization: `Bearer ${s.submitterApi.token}` },
      });
      expect(download.status).toBe(200);
      expect(download.body.equals(photo)).toBe(true);
    } finally {
      await fresh.close();
    }
    const verify = spawnCli('src/cli/audit-verify.ts', env, []);
    expect(await verify.exited, verify.output()).toBe(0);
  });

  it('refuses to restore over a database that has data (unless --force), and a corrupt backup, changing nothing', async () => {
    const backupDir = await backup();
    const count = async () => {
      const pool = new pg.Pool(connectionConfig(t.db.url));
      try {
        return Number((await pool.query('SELECT count(*) AS n FROM submissions')).rows[0].n);
      } finally {
        await pool.end();
      }
    };
    const refused = spawnCli('src/cli/db-restore.ts', env, [backupDir]);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/is not empty: restore into a new database, or pass --force/);
    expect(await count()).toBe(6);

    const blob = path.join(backupDir, 'blobs', stored.sha256);
    await writeFile(blob, Buffer.from('tampered'));
    const corrupt = spawnCli('src/cli/db-restore.ts', env, [backupDir, '--force']);
    expect(await corrupt.exited).toBe(1);
    expect(corrupt.output()).toMatch(/corrupt .* nothing was restored/);
    expect(await count()).toBe(6);

    const missing = spawnCli('src/cli/db-restore.ts', env, [path.join(backupDir, 'nope')]);
    expect(await missing.exited).toBe(1);
    expect(missing.output()).toMatch(/not a Gridbook backup/);
  });
});
