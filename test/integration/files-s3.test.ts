import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAll } from '../../src/audit/audit-chain.js';
import { auditKeys } from '../../src/audit/audit-key.js';
import { recordAudit } from '../../src/audit/audit.service.js';
import {
  CHECKPOINT_LATEST,
  latestCheckpoint,
  verifyAgainstStore,
  writeCheckpoint,
} from '../../src/audit/checkpoints.js';
import { withTransaction } from '../../src/db/transaction.js';
import { S3BlobStore } from '../../src/files/storage.s3.js';
import { ctxFor } from '../helpers/factories.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { publishedSurvey } from '../helpers/forms.js';
import { multipart, png, rawRequest } from '../helpers/upload.js';

/**
 * The S3-compatible adapter against a real S3 protocol server (s3rver, on loopback): the same
 * upload, download and clean-up as with local files.
 */
describe('files in an S3-compatible bucket', () => {
  let server: S3rver;
  let dir: string;
  let endpoint: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gridbook-s3-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'gridbook-test', configs: [] }],
    });
    const address = (await server.run()) as { port: number };
    endpoint = `http://127.0.0.1:${address.port}`;
    t = await setupApp({
      env: {
        STORAGE_DRIVER: 's3',
        S3_ENDPOINT: endpoint,
        S3_BUCKET: 'gridbook-test',
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_PREFIX: 'test/',
        FILE_GRACE_HOURS: '0',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores, lists, reads and deletes blobs by hash', async () => {
    const store = new S3BlobStore({
      endpoint,
      region: 'us-east-1',
      bucket: 'gridbook-test',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
      prefix: 'unit/',
    });
    const sha = 'a'.repeat(64);
    const staged = path.join(dir, 'staged.bin');
    await writeFile(staged, 'hello');
    expect(await store.putFile(sha, staged, 5, 'text/plain')).toEqual({ created: true });
    await writeFile(staged, 'hello');
    expect(await store.putFile(sha, staged, 5, 'text/plain')).toEqual({ created: false });
    expect(await store.has(sha)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const c of await store.open(sha)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    const listed: string[] = [];
    for await (const b of store.list()) listed.push(b.sha256);
    expect(listed).toEqual([sha]);
    await store.delete(sha);
    expect(await store.has(sha)).toBe(false);
    store.destroy();
  });

  it('runs the upload, download and clean-up through the API', async () => {
    expect(t.rt.store.kind).toBe('s3');
    const s = await publishedSurvey(t, {
      sections: [
        {
          id: 's_v',
          key: 'visit',
          label: 'Visit',
          fields: [{ id: 'f_p', key: 'photo', label: 'Photo', type: 'file', rules: { accept: ['image/*'] } }],
        },
      ],
    });
    const id = (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { draft: true, data: {} })).body
      .data.id;
    const { body, contentType } = multipart([
      { name: 'field', value: 'visit.photo' },
      { name: 'file', filename: 'p.png', data: png('s3') },
    ]);
    const up = await rawRequest(`${t.baseUrl}/api/v1/submissions/${id}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${s.submitterApi.token}` },
      body,
    });
    expect(up.status, up.body.toString()).toBe(201);
    const file = up.json().data.files[0];
    expect(await t.rt.store.has(file.sha256)).toBe(true);
    const down = await rawRequest(`${t.baseUrl}/api/v1/files/${file.id}`, {
      headers: { authorization: `Bearer ${s.submitterApi.token}` },
    });
    expect(down.body.equals(png('s3'))).toBe(true);

    await s.submitterApi.delete(`/submissions/${id}`);
    const report = await t.rt.services.files.cleanup();
    expect(report.blobs).toEqual([file.sha256]);
    expect(await t.rt.store.has(file.sha256)).toBe(false);
  });

  it('keeps the audit chain checkpoints in the bucket, under the prefix, beside the blobs', async () => {
    await withTransaction(t.rt.pool, (tx) => recordAudit(tx, ctxFor(null), { action: 'test.s3', entityType: 'thing' }));
    await sealAll(t.rt.pool, t.config.audit.key!);
    const keys = auditKeys(t.config.audit.key!);
    const { written } = await writeCheckpoint(t.rt.pool, t.rt.store, keys);
    expect(written).not.toBeNull();
    expect(await latestCheckpoint(t.rt.store, keys)).toEqual(written);
    expect(await t.rt.store.getObject!(CHECKPOINT_LATEST)).toContain(`"seq": "${written!.seq}"`);
    expect((await verifyAgainstStore(t.rt.pool, t.rt.store, keys)).ok).toBe(true);
    // A checkpoint is not a blob: the clean-up's listing never sees it.
    for await (const b of t.rt.store.list()) expect(b.sha256).toMatch(/^[0-9a-f]{64}$/);
    await t.rt.store.putObject!(CHECKPOINT_LATEST, JSON.stringify({ ...written, seq: '0' }));
    expect((await verifyAgainstStore(t.rt.pool, t.rt.store, keys)).problem?.kind).toBe('bad_checkpoint');
  });
});
