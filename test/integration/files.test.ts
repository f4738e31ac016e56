import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/files/storage.local.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor } from '../helpers/factories.js';
import { publishedSurvey, type Survey, visitDefinition } from '../helpers/forms.js';
import { HTML_PAGE, multipart, PDF, png, rawRequest, SVG_WITH_SCRIPT, type Part } from '../helpers/upload.js';

const definition = visitDefinition([
  { id: 'f_note', key: 'note', label: 'Note', type: 'text' },
  { id: 'f_photo', key: 'photo', label: 'Photo', type: 'file', rules: { accept: ['image/*'], maxSize: 200_000 } },
  {
    id: 'f_docs',
    key: 'docs',
    label: 'Documents',
    type: 'file',
    multiple: true,
    rules: { accept: ['application/pdf', 'image/*'] },
  },
]);

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out;
}

describe('files: the whole lifecycle of attachments', () => {
  let t: TestApp;
  let s: Survey;
  beforeAll(async () => {
    t = await setupApp({ env: { FILE_GRACE_HOURS: '0' } });
    s = await publishedSurvey(t, definition);
  });
  afterAll(() => t.close());

  const newDraft = async (api = s.submitterApi) =>
    (await api.post(`/templates/${s.templateId}/submissions`, { draft: true, data: { visit: { note: 'x' } } })).body
      .data.id as string;
  const upload = (submissionId: string, parts: Part[], api = s.submitterApi) => {
    const { body, contentType } = multipart(parts);
    return rawRequest(`${t.baseUrl}/api/v1/submissions/${submissionId}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${api.token}` },
      body,
    });
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await t.rt.pool.query(sql, params)).rows[0].n);
  const stored = () => walk(path.join(t.config.storageDir, 'blobs'));
  const staged = () => walk(path.join(t.config.storageDir, 'tmp'));

  it('stores an accepted image once, by its hash, under a generated name, and attaches it', async () => {
    const id = await newDraft();
    const res = await upload(id, [
      { name: 'field', value: 'visit.photo' },
      { name: 'file', filename: 'well.png', contentType: 'image/png', data: png('a') },
    ]);
    expect(res.status, res.body.toString()).toBe(201);
    const file = res.json().data.files[0];
    expect(file).toMatchObject({ name: 'well.png', type: 'image/png', field: 'visit.photo' });
    const blobs = await stored();
    expect(blobs).toHaveLength(1);
    expect(path.basename(blobs[0]!)).toBe(file.sha256);
    const sub = (await s.submitterApi.get(`/submissions/${id}`)).body.data;
    expect(sub.data.visit.photo).toEqual([file.id]);
    expect(
      await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'file.upload' AND entity_id = $1`, [id]),
    ).toBe(1);

    const download = await rawRequest(`${t.baseUrl}/api/v1/files/${file.id}`, {
      headers: { authorization: `Bearer ${s.submitterApi.token}` },
    });
    expect(download.status).toBe(200);
    expect(download.body.equals(png('a'))).toBe(true);
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="well.png"/);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    const inline = await rawRequest(`${t.baseUrl}/api/v1/files/${file.id}?inline=1`, {
      headers: { authorization: `Bearer ${s.submitterApi.token}` },
    });
    expect(inline.headers['content-disposition']).toMatch(/^inline/);
    expect(inline.headers['content-type']).toBe('image/png');
    expect(inline.headers['content-security-policy']).toMatch(/sandbox/);
  });

  it('refuses an HTML page named photo.jpg for an image field, storing nothing', async () => {
    const id = await newDraft();
    const before = { files: await count('SELECT count(*) AS n FROM files'), blobs: (await stored()).length };
    const res = await upload(id, [
      { name: 'field', value: 'visit.photo' },
      { name: 'file', filename: 'photo.jpg', contentType: 'image/jpeg', data: HTML_PAGE },
    ]);
    expect(res.status).toBe(415);
    expect(res.json().error.message).toBe(
      'photo.jpg is text/html by its content, which visit.photo does not accept (accepted: image/*)',
    );
    expect(await count('SELECT count(*) AS n FROM files')).toBe(before.files);
    expect((await stored()).length).toBe(before.blobs);
    expect(await staged()).toEqual([]);
  });

  it('never serves an SVG with a script inline', async () => {
    const id = await newDraft();
    const res = await upload(id, [
      { name: 'field', value: 'visit.docs' },
      { name: 'file', filename: 'logo.svg', contentType: 'image/svg+xml', data: SVG_WITH_SCRIPT },
    ]);
    expect(res.status).toBe(201);
    const file = res.json().data.files[0];
    expect(file.type).toBe('image/svg+xml');
    const inline = await rawRequest(`${t.baseUrl}/api/v1/files/${file.id}?inline=1`, {
      headers: { authorization: `Bearer ${s.submitterApi.token}` },
    });
    expect(inline.status).toBe(200);
    expect(inline.headers['content-disposition']).toMatch(/^attachment/);
    expect(inline.headers['content-type']).toBe('application/octet-stream');
    expect(inline.headers['x-content-type-options']).toBe('nosniff');
    expect(inline.headers['content-security-policy']).toMatch(/sandbox; default-src 'none'/);
  });

  it('keeps hostile file names out of the file system: generated names inside the storage root', async () => {
    const id = await newDraft();
    const names = [
      '../../x',
      '..\\x',
      'a\u0000b.png',
      '/etc/passwd',
      'C:\\Windows\\evil.png',
      '../../../../tmp/escape.png',
    ];
    const res = await upload(id, [
      { name: 'field', value: 'visit.docs' },
      ...names.map((filename, i) => ({
        name: 'file',
        filenameStar: filename,
        contentType: 'image/png',
        data: png(`name-${i}`),
      })),
    ]);
    expect(res.status, res.body.toString()).toBe(201);
    const saved = res.json().data.files.map((f: { name: string }) => f.name);
    for (const name of saved) expect(/[/\\]/.test(name) || name.includes('\0')).toBe(false);
    const root = path.resolve(t.config.storageDir);
    for (const file of await stored()) {
      expect(path.resolve(file).startsWith(`${root}${path.sep}blobs${path.sep}`)).toBe(true);
      expect(path.basename(file)).toMatch(/^[0-9a-f]{64}$/);
    }
    await expect(stat(path.resolve(root, '../../x'))).rejects.toThrow();
  });

  it('aborts an upload over the limit early with 413, leaving no temporary file and no row', async () => {
    const id = await newDraft();
    const before = await count('SELECT count(*) AS n FROM files');
    const big = Buffer.concat([png(), Buffer.alloc(5 * 1024 * 1024, 7)]);
    const { body, contentType } = multipart([
      { name: 'field', value: 'visit.photo' },
      { name: 'file', filename: 'big.png', contentType: 'image/png', data: big },
    ]);
    const started = Date.now();
    const res = await rawRequest(`${t.baseUrl}/api/v1/submissions/${id}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${s.submitterApi.token}` },
      body,
      chunkDelayMs: 20,
    });
    expect(res.status).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    // 5 MB at 64 kB per 20 ms would take 1.6 s to send: the answer came long before.
    expect(Date.now() - started).toBeLessThan(1200);
    expect(await staged()).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM files')).toBe(before);
  });

  it('stores the same content once, and says where else it appears', async () => {
    const a = await newDraft();
    const b = await newDraft();
    const blobsBefore = (await stored()).length;
    const first = await upload(a, [
      { name: 'field', value: 'visit.docs' },
      { name: 'file', filename: 'report.pdf', data: PDF },
    ]);
    const second = await upload(b, [
      { name: 'field', value: 'visit.docs' },
      { name: 'file', filename: 'same-report.pdf', data: PDF },
    ]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect((await stored()).length).toBe(blobsBefore + 1);
    expect(await count('SELECT count(*) AS n FROM blobs WHERE sha256 = $1', [second.json().data.files[0].sha256])).toBe(
      1,
    );
    expect(second.json().data.duplicates).toEqual([
      { fileId: first.json().data.files[0].id, submissionId: a, field: 'visit.docs' },
    ]);
  });

  it('replaces a single file keeping the old one in the history, keeps files across edits, refuses foreign ids', async () => {
    const id = await newDraft();
    const one = (
      await upload(id, [
        { name: 'field', value: 'visit.photo' },
        { name: 'file', filename: 'one.png', data: png('one') },
      ])
    ).json().data.files[0];
    const two = await upload(id, [
      { name: 'field', value: 'visit.photo' },
      { name: 'file', filename: 'two.png', data: png('two') },
    ]);
    expect(two.json().data.replaced).toEqual([one.id]);
    const history = (await s.submitterApi.get(`/submissions/${id}/history`)).body.data;
    expect(history.find((e: { action: string }) => e.action === 'file.replace').before).toEqual({
      field: 'visit.photo',
      fileIds: [one.id],
    });
    // The replaced file is still readable through the submission's history.
    expect(
      (
        await rawRequest(`${t.baseUrl}/api/v1/files/${one.id}`, {
          headers: { authorization: `Bearer ${s.submitterApi.token}` },
        })
      ).status,
    ).toBe(200);

    const edited = await s.submitterApi.patch(`/submissions/${id}`, { data: { visit: { note: 'changed' } } });
    expect(edited.status).toBe(200);
    expect(edited.body.data.data.visit.photo).toEqual([two.json().data.files[0].id]);

    const other = await newDraft();
    const foreign = (
      await upload(other, [
        { name: 'field', value: 'visit.photo' },
        { name: 'file', filename: 'f.png', data: png('foreign') },
      ])
    ).json().data.files[0];
    const steal = await s.submitterApi.patch(`/submissions/${id}`, { data: { visit: { photo: [foreign.id] } } });
    expect(steal.status).toBe(422);
    expect(steal.body.error.details[0]).toEqual({
      path: 'visit.photo',
      message: `file ${foreign.id} is not attached to this submission`,
    });
    const create = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { visit: { photo: [foreign.id] } },
    });
    expect(create.status).toBe(422);
  });

  it('hides files from anyone outside the grid and from other submitters (404)', async () => {
    const id = await newDraft();
    const file = (
      await upload(id, [
        { name: 'field', value: 'visit.photo' },
        { name: 'file', filename: 'secret.png', data: png('secret') },
      ])
    ).json().data.files[0];
    const outsider = await createUser(t.rt.pool, { role: 'submitter' });
    const asOutsider = await new ApiClient(t.baseUrl).login(outsider.email, outsider.password);
    expect((await asOutsider.get(`/files/${file.id}`)).status).toBe(404);
    const peer = await createUser(t.rt.pool, { role: 'submitter' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: peer.id, role: 'submitter' });
    const asPeer = await new ApiClient(t.baseUrl).login(peer.email, peer.password);
    expect((await asPeer.get(`/files/${file.id}`)).status).toBe(404);
    // The grid's builder may read the submission, so the file.
    expect(
      (
        await rawRequest(`${t.baseUrl}/api/v1/files/${file.id}`, {
          headers: { authorization: `Bearer ${s.builderApi.token}` },
        })
      ).status,
    ).toBe(200);
  });

  it('cleans up: after the only submission holding a file is deleted, the blob leaves the disk and the table', async () => {
    const id = await newDraft();
    const file = (
      await upload(id, [
        { name: 'field', value: 'visit.photo' },
        { name: 'file', filename: 'gone.png', data: png('only-here') },
      ])
    ).json().data.files[0];
    const blobPath = new LocalBlobStore(t.config.storageDir).pathOf(file.sha256);
    await stat(blobPath);
    expect((await s.submitterApi.delete(`/submissions/${id}`)).status).toBe(200);
    const report = await t.rt.services.files.cleanup();
    expect(report.blobs).toContain(file.sha256);
    await expect(stat(blobPath)).rejects.toThrow();
    expect(await count('SELECT count(*) AS n FROM blobs WHERE sha256 = $1', [file.sha256])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM files WHERE id = $1', [file.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'files.cleanup'`)).toBeGreaterThan(0);
    // No row points to a missing blob, and no blob lacks its row.
    const rows = (await t.rt.pool.query<{ sha256: string }>('SELECT sha256 FROM blobs')).rows
      .map((r) => r.sha256)
      .sort();
    const onDisk = (await stored()).map((f) => path.basename(f)).sort();
    expect(onDisk).toEqual(rows);
  });

  const uploadPending = (parts: Part[], api = s.submitterApi) => {
    const { body, contentType } = multipart(parts);
    return rawRequest(`${t.baseUrl}/api/v1/templates/${s.templateId}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${api.token}` },
      body,
    });
  };
  const download = (fileId: string, api = s.submitterApi) =>
    rawRequest(`${t.baseUrl}/api/v1/files/${fileId}`, { headers: { authorization: `Bearer ${api.token}` } });

  it('takes files before the answer is saved: pending, readable by the uploader, attached by the draft or the submission', async () => {
    const photo = await uploadPending([
      { name: 'field', value: 'visit.photo' },
      { name: 'file', filename: 'before.png', data: png('before-save') },
    ]);
    expect(photo.status, photo.body.toString()).toBe(201);
    const file = photo.json().data.files[0];
    expect(file).toMatchObject({ name: 'before.png', type: 'image/png', field: 'visit.photo' });
    expect((await download(file.id)).body.equals(png('before-save'))).toBe(true);
    expect(
      await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'file.upload_pending' AND entity_id = $1`, [
        s.templateId,
      ]),
    ).toBeGreaterThan(0);

    const draft = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { visit: { note: 'with a photo', photo: [file.id] } },
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const id = draft.body.data.id as string;
    expect(draft.body.data.data.visit.photo).toEqual([file.id]);
    const listed = (await s.submitterApi.get(`/submissions/${id}/files`)).body.data;
    expect(listed).toMatchObject([{ id: file.id, name: 'before.png', field: 'visit.photo' }]);
    expect(await count('SELECT count(*) AS n FROM files WHERE id = $1 AND unreferenced_at IS NULL', [file.id])).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'file.attach' AND entity_id = $1`, [id]),
    ).toBe(1);
    // Attached, it is no longer pending: the clean-up keeps it, and no second answer can take it.
    await t.rt.services.files.cleanup();
    expect(await count('SELECT count(*) AS n FROM files WHERE id = $1', [file.id])).toBe(1);
    const again = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { visit: { photo: [file.id] } },
    });
    expect(again.status).toBe(422);
    expect(again.body.error.details[0].path).toBe('visit.photo');

    // Submitted at once (no draft): two documents into the multiple field.
    const docs = (
      await uploadPending([
        { name: 'field', value: 'visit.docs' },
        { name: 'file', filename: 'a.pdf', data: PDF },
        { name: 'file', filename: 'b.png', data: png('doc-b') },
      ])
    ).json().data.files as { id: string }[];
    const submitted = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { visit: { note: 'sent', docs: docs.map((d) => d.id) } },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    expect(submitted.body.data.reviewStatus).toBe('submitted');
    expect(
      ((await s.submitterApi.get(`/submissions/${submitted.body.data.id}/files`)).body.data as { id: string }[]).map(
        (f) => f.id,
      ),
    ).toEqual(docs.map((d) => d.id));
  });

  it("refuses another user's pending upload (only its uploader attaches or reads it), and a type the field refuses", async () => {
    const file = (
      await uploadPending([
        { name: 'field', value: 'visit.photo' },
        { name: 'file', filename: 'mine.png', data: png('mine-only') },
      ])
    ).json().data.files[0];
    const peer = await createUser(t.rt.pool, { role: 'submitter' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: peer.id, role: 'submitter' });
    const asPeer = await new ApiClient(t.baseUrl).login(peer.email, peer.password);
    expect((await asPeer.get(`/files/${file.id}`)).status).toBe(404);
    const before = await count('SELECT count(*) AS n FROM submissions');
    const taken = await asPeer.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { visit: { photo: [file.id] } },
    });
    expect(taken.status).toBe(422);
    expect(taken.body.error.details[0]).toEqual({
      path: 'visit.photo',
      message: `file ${file.id} is not an upload of yours waiting for a new answer (upload it first: POST /api/v1/templates/:templateId/files)`,
    });
    expect(await count('SELECT count(*) AS n FROM submissions')).toBe(before);
    expect(
      await count('SELECT count(*) AS n FROM files WHERE id = $1 AND unreferenced_at IS NOT NULL', [file.id]),
    ).toBe(1);

    // A PDF is stored for the documents field, but the photo field (images only) refuses it.
    const pdf = (
      await uploadPending([
        { name: 'field', value: 'visit.docs' },
        { name: 'file', filename: 'c.pdf', data: PDF },
      ])
    ).json().data.files[0];
    const wrongField = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { visit: { photo: [pdf.id] } },
    });
    expect(wrongField.status).toBe(422);
    expect(wrongField.body.error.details[0].message).toBe(
      `file ${pdf.id} is application/pdf, which this field does not accept`,
    );
    const html = await uploadPending([
      { name: 'field', value: 'visit.photo' },
      { name: 'file', filename: 'photo.jpg', data: HTML_PAGE },
    ]);
    expect(html.status).toBe(415);
    // Someone outside the grid may not upload for its form.
    const outsider = await createUser(t.rt.pool, { role: 'submitter' });
    const asOutsider = await new ApiClient(t.baseUrl).login(outsider.email, outsider.password);
    const refused = await uploadPending(
      [
        { name: 'field', value: 'visit.photo' },
        { name: 'file', filename: 'x.png', data: png('outsider') },
      ],
      asOutsider,
    );
    expect([403, 404]).toContain(refused.status);
  });

  it('sweeps an abandoned upload (never attached) after the grace period: row, blob and content', async () => {
    const file = (
      await uploadPending([
        { name: 'field', value: 'visit.photo' },
        { name: 'file', filename: 'abandoned.png', data: png('abandoned') },
      ])
    ).json().data.files[0];
    const blobPath = new LocalBlobStore(t.config.storageDir).pathOf(file.sha256);
    await stat(blobPath);
    const report = await t.rt.services.files.cleanup();
    expect(report.blobs).toContain(file.sha256);
    expect(await count('SELECT count(*) AS n FROM files WHERE id = $1', [file.id])).toBe(0);
    await expect(stat(blobPath)).rejects.toThrow();
    // Gone, it can no longer be attached.
    const late = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { visit: { photo: [file.id] } },
    });
    expect(late.status).toBe(422);
  });
});

describe('a full file store', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The store fails as a full disk does (a failing storage stub, for this one case).
    t = await setupApp({
      store: (config) =>
        Object.assign(Object.create(new LocalBlobStore(config.storageDir)) as LocalBlobStore, {
          putFile: async () => {
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          },
        }),
    });
  });
  afterAll(() => t.close());

  it('answers 507 with the envelope, writes no metadata row and leaves no partial file', async () => {
    const s = await publishedSurvey(t, definition);
    const id = (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { draft: true, data: {} })).body
      .data.id;
    const { body, contentType } = multipart([
      { name: 'field', value: 'visit.photo' },
      { name: 'file', filename: 'a.png', data: png('full') },
    ]);
    const res = await rawRequest(`${t.baseUrl}/api/v1/submissions/${id}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${s.submitterApi.token}` },
      body,
    });
    expect(res.status).toBe(507);
    expect(res.json()).toMatchObject({
      success: false,
      error: { message: expect.stringMatching(/file store is full/) },
    });
    expect(Number((await t.rt.pool.query('SELECT count(*) AS n FROM files')).rows[0].n)).toBe(0);
    expect(Number((await t.rt.pool.query('SELECT count(*) AS n FROM blobs')).rows[0].n)).toBe(0);
    expect(await walk(t.config.storageDir)).toEqual([]);
  });
});
