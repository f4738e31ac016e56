import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';

describe('submissions: API in, JSONB stored, projected by the worker', () => {
  let t: TestApp;
  let s: Survey;
  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { AUDIT_SEAL_INTERVAL_MS: '60000' } });
    s = await publishedSurvey(t);
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []) => Number((await t.rt.pool.query(sql, params)).rows[0].n);

  // 1,000 requests and their processing: on a busy two-core machine this takes a minute.
  it(
    'processes 1,000 submissions into exactly 1,000 section rows and their table rows',
    { timeout: 150_000 },
    async () => {
      const ids: string[] = [];
      for (let i = 0; i < 1000; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i + j) }),
          ),
        );
        for (const res of batch) {
          expect(res.status, JSON.stringify(res.body)).toBe(202);
          expect(res.body.data).toMatchObject({
            processingStatus: 0,
            reviewStatus: 'submitted',
            submittedBy: s.submitter.id,
          });
          ids.push(res.body.data.id);
        }
      }
      await waitFor(
        () => statusCounts(t.rt.pool, s.templateId),
        (c) => c['1'] === 1000,
        60_000,
        '1,000 processed',
      );
      expect(await count(`SELECT count(*) AS n FROM ${s.sectionTable}`)).toBe(1000);
      expect(await count(`SELECT count(DISTINCT submission_id) AS n FROM ${s.sectionTable}`)).toBe(1000);
      expect(await count(`SELECT count(*) AS n FROM ${s.membersTable}`)).toBe(2000);
      const row = (
        await t.rt.pool.query(
          `SELECT village, size, water, members_count FROM ${s.sectionTable} WHERE submission_id = $1`,
          [ids[7]],
        )
      ).rows[0];
      // members_count comes from the row-count processing step.
      expect(row).toEqual({ village: 'Village 7', size: '8', water: 'well', members_count: '2' });
      expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'submission.processed'`)).toBe(1000);
      expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'submission.create'`)).toBe(1000);
    },
  );

  it('refuses a duplicate of a unique value at the door (409), so nothing fails in the worker for it', async () => {
    const before = await count('SELECT count(*) AS n FROM submissions');
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(3) });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'DUPLICATE_VALUE',
      details: [{ path: 'household.village', label: 'Village', code: 'unique' }],
    });
    // The holder is the submitter's own earlier answer: its id is named.
    const holder = await t.rt.pool.query(
      `SELECT id FROM submissions WHERE payload #>> '{household,village}' = 'Village 3'`,
    );
    expect(res.body.error.details[0].submissionId).toBe(String(holder.rows[0].id));
    expect(await count('SELECT count(*) AS n FROM submissions')).toBe(before);
    expect((await statusCounts(t.rt.pool, s.templateId))['2']).toBeUndefined();
  });

  it('validates against the version schema with errors per field path, and changes nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM submissions');
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { size: 99, water: 'river', members: [{ age: 'old' }], stray: true } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'household.village',
        'household.size',
        'household.water',
        'household.members[0].name',
        'household.members[0].age',
        'household.stray',
      ]),
    );
    expect(await count('SELECT count(*) AS n FROM submissions')).toBe(before);
  });

  it('ignores client-supplied status, owner and reviewer fields', async () => {
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: householdPayload(5001),
      processingStatus: 1,
      reviewStatus: 'approved',
      submittedBy: s.builder.id,
      reviewerId: s.builder.id,
    });
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({
      processingStatus: 0,
      reviewStatus: 'submitted',
      submittedBy: s.submitter.id,
      reviewerId: null,
    });
  });

  it('honours Idempotency-Key: a replay returns the first result and creates nothing', async () => {
    const key = 'retry-me-123';
    const first = await s.submitterApi.post(
      `/templates/${s.templateId}/submissions`,
      { data: householdPayload(6001) },
      { 'Idempotency-Key': key },
    );
    const before = await count('SELECT count(*) AS n FROM submissions');
    const replays = await Promise.all(
      [1, 2, 3].map(() =>
        s.submitterApi.post(
          `/templates/${s.templateId}/submissions`,
          { data: householdPayload(6001) },
          { 'Idempotency-Key': key },
        ),
      ),
    );
    for (const r of replays) {
      expect(r.status).toBe(202);
      expect(r.body.data.id).toBe(first.body.data.id);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(await count('SELECT count(*) AS n FROM submissions')).toBe(before);
    const different = await s.submitterApi.post(
      `/templates/${s.templateId}/submissions`,
      { data: householdPayload(6002) },
      { 'Idempotency-Key': key },
    );
    expect(different.status).toBe(409);
    expect(different.body.error.message).toBe('This Idempotency-Key was already used for a different request');

    // Concurrent first requests with one new key: one submission.
    const race = await Promise.all(
      [1, 2, 3, 4].map(() =>
        s.submitterApi.post(
          `/templates/${s.templateId}/submissions`,
          { data: householdPayload(6100) },
          { 'Idempotency-Key': 'race-key' },
        ),
      ),
    );
    expect(new Set(race.map((r) => r.body.data.id)).size).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM submissions WHERE idempotency_key = 'race-key'`)).toBe(1);
  });

  it('saves incomplete drafts, never processes them, edits and deletes them', async () => {
    const draft = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { household: { size: 2 } },
    });
    expect(draft.status).toBe(201);
    expect(draft.body.data).toMatchObject({ reviewStatus: 'draft', processingStatus: 0 });
    const id = draft.body.data.id;
    const typed = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { household: { size: 'two' } },
    });
    expect(typed.status).toBe(422);
    const edited = await s.submitterApi.patch(`/submissions/${id}`, {
      data: { household: { size: 3, village: 'Draftville' } },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.data.data.household.size).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await count(`SELECT count(*) AS n FROM ${s.sectionTable} WHERE submission_id = $1`, [id])).toBe(0);
    // Someone else cannot touch it; a submitted one cannot be deleted.
    const other = await createUser(t.rt.pool, { role: 'submitter' });
    const otherApi = await new ApiClient(t.baseUrl).login(other.email, other.password);
    expect((await otherApi.get(`/submissions/${id}`)).status).toBe(404);
    expect((await s.submitterApi.delete(`/submissions/${id}`)).status).toBe(200);
    expect((await s.submitterApi.get(`/submissions/${id}`)).status).toBe(404);
  });

  it('lists with filters and keyset pagination; submitters see only their own', async () => {
    const page1 = await s.builderApi.get(`/templates/${s.templateId}/submissions?processingStatus=1&limit=100`);
    expect(page1.status).toBe(200);
    expect(page1.body.data.items).toHaveLength(100);
    const ids1 = page1.body.data.items.map((i: { id: string }) => Number(i.id));
    expect([...ids1].sort((a, b) => b - a)).toEqual(ids1);
    const page2 = await s.builderApi.get(
      `/templates/${s.templateId}/submissions?processingStatus=1&limit=100&cursor=${page1.body.data.nextCursor}`,
    );
    expect(Math.max(...page2.body.data.items.map((i: { id: string }) => Number(i.id)))).toBeLessThan(Math.min(...ids1));
    const failedOnly = await s.builderApi.get(`/templates/${s.templateId}/submissions?processingStatus=2`);
    expect(failedOnly.body.data.items.every((i: { processingStatus: number }) => i.processingStatus === 2)).toBe(true);
    const future = await s.builderApi.get(`/templates/${s.templateId}/submissions?createdAfter=2999-01-01T00:00:00Z`);
    expect(future.body.data.items).toEqual([]);
    const bad = await s.builderApi.get(`/templates/${s.templateId}/submissions?processingStatus=7`);
    expect(bad.status).toBe(422);

    const another = await createUser(t.rt.pool, { role: 'submitter' });
    await t.rt.services.grids.addMember(
      { actor: { id: s.builder.id, email: s.builder.email, role: 'builder' }, requestId: null, ip: null },
      s.gridId,
      { userId: another.id, role: 'submitter' },
    );
    const anotherApi = await new ApiClient(t.baseUrl).login(another.email, another.password);
    await anotherApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(7001) });
    const own = await anotherApi.get(`/templates/${s.templateId}/submissions`);
    expect(own.body.data.items.map((i: { submittedBy: string }) => i.submittedBy)).toEqual([another.id]);
  });

  it('reprojects after a publish with "rebuild", and processing twice gives the same rows', async () => {
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => !c['0'],
      30_000,
      'earlier submissions processed',
    );
    const before = (await t.rt.pool.query(`SELECT * FROM ${s.sectionTable} ORDER BY submission_id`)).rows;
    const rebuilt = await s.builderApi.post(`/templates/${s.templateId}/rebuild`);
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.data.queued).toBeGreaterThan(1000);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => !c['0'],
      60_000,
      'rebuild done',
    );
    const after = (await t.rt.pool.query(`SELECT * FROM ${s.sectionTable} ORDER BY submission_id`)).rows;
    expect(after).toEqual(before);
    expect(
      await count(`SELECT count(*) - count(DISTINCT (submission_id, row_index)) AS n FROM ${s.membersTable}`),
    ).toBe(0);
  });

  it('answers 413 for a body over the limit and 415 for a body that is not JSON', async () => {
    const huge = { data: { household: { village: 'x'.repeat(3 * 1024 * 1024) } } };
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const form = await s.submitterApi.request('POST', `/templates/${s.templateId}/submissions`, 'village=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
  });
});
