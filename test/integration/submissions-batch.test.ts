import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser } from '../helpers/factories.js';
import { householdDefinition, householdPayload, publishedSurvey, waitFor, type Survey } from '../helpers/forms.js';

describe('submissions: the batch endpoint', () => {
  let t: TestApp;
  let s: Survey;
  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { AUDIT_SEAL_INTERVAL_MS: '60000' } });
    s = await publishedSurvey(t);
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []) => Number((await t.rt.pool.query(sql, params)).rows[0].n);
  const batchPath = () => `/templates/${s.templateId}/submissions/batch`;
  const item = (key: string, data: unknown, extra: Record<string, unknown> = {}) => ({
    idempotencyKey: key,
    data,
    ...extra,
  });

  it('stores the valid answers, reports the others by index with their errors, and processes the stored ones', async () => {
    const held = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(1) });
    expect(held.status).toBe(202);
    const before = await count('SELECT count(*) AS n FROM submissions');
    const res = await s.submitterApi.post(batchPath(), {
      items: [
        item('k-0', householdPayload(100)),
        item('k-1', { household: { size: 99, water: 'river' } }), // breaks rules
        item('k-2', householdPayload(102)),
        item('k-3', householdPayload(1)), // village held by a stored submission
        item('k-4', householdPayload(100)), // village held by answer 0 of this batch
        { data: householdPayload(105) }, // no key
        item('k-2', householdPayload(106)), // key used twice in the batch
        item('k-7', householdPayload(107), { draft: true }),
        item('k-8', { household: { village: "<b>Village 108</b>\", 'x'" } }),
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const d = res.body.data;
    expect(d).toMatchObject({ created: 4, replayed: 0, refused: 5 });
    expect(d.items.map((i: { index: number; status: string }) => [i.index, i.status])).toEqual([
      [0, 'created'],
      [1, 'refused'],
      [2, 'created'],
      [3, 'refused'],
      [4, 'refused'],
      [5, 'refused'],
      [6, 'refused'],
      [7, 'created'],
      [8, 'created'],
    ]);
    expect(d.items[1].error.code).toBe('VALIDATION_FAILED');
    expect(d.items[1].error.details.map((x: { path: string }) => x.path)).toEqual(
      expect.arrayContaining(['household.village', 'household.size', 'household.water']),
    );
    expect(d.items[3].error).toMatchObject({
      code: 'DUPLICATE_VALUE',
      details: [{ path: 'household.village', code: 'unique', submissionId: held.body.data.id }],
    });
    expect(d.items[4].error).toMatchObject({
      code: 'DUPLICATE_VALUE',
      details: [{ path: 'household.village', code: 'unique' }],
    });
    expect(d.items[4].error.details[0].message).toContain('answer 0 of this batch');
    expect(d.items[5]).toMatchObject({
      idempotencyKey: null,
      error: { code: 'VALIDATION_FAILED', details: [{ path: 'idempotencyKey' }] },
    });
    expect(d.items[6].error.code).toBe('CONFLICT');
    expect(d.items[7]).toMatchObject({ status: 'created', reviewStatus: 'draft' });

    expect(await count('SELECT count(*) AS n FROM submissions')).toBe(before + 4);
    const ids = [0, 2, 7, 8].map((i) => d.items[i].submissionId as string);
    const stored = await t.rt.pool.query(
      `SELECT id, idempotency_key, review_status, payload FROM submissions WHERE id = ANY ($1::bigint[]) ORDER BY id`,
      [ids],
    );
    expect(stored.rows.map((r) => r.idempotency_key)).toEqual(['k-0', 'k-2', 'k-7', 'k-8']);
    // Users' words are stored as they were sent.
    expect(stored.rows[3].payload.household.village).toBe("<b>Village 108</b>\", 'x'");
    // Reservations for the submitted ones only; one audit entry each, in the same transaction.
    expect(
      await count('SELECT count(*) AS n FROM submission_unique_values WHERE submission_id = ANY ($1::bigint[])', [ids]),
    ).toBe(3);
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_log WHERE entity_id = ANY ($1::text[]) AND action = 'submission.create'`,
        [ids],
      ),
    ).toBe(3);
    expect(
      await count(`SELECT count(*) AS n FROM audit_log WHERE entity_id = $1 AND action = 'submission.save_draft'`, [
        ids[2],
      ]),
    ).toBe(1);

    // The worker projects the three submitted ones (queued together), never the draft.
    await waitFor(
      () =>
        count('SELECT count(*) AS n FROM submissions WHERE id = ANY ($1::bigint[]) AND processing_status = 1', [ids]),
      (n) => n === 3,
      30_000,
      'processed',
    );
    expect(
      await count(`SELECT count(*) AS n FROM ${s.sectionTable} WHERE submission_id = ANY ($1::bigint[])`, [ids]),
    ).toBe(3);
    expect(
      await count(`SELECT count(*) AS n FROM ${s.membersTable} WHERE submission_id = ANY ($1::bigint[])`, [ids]),
    ).toBe(4);
  });

  it('replays a batch sent again: the same ids, nothing stored twice; a reused key with other data is a conflict', async () => {
    const body = {
      items: [item('r-0', householdPayload(200)), item('r-1', { household: {} }), item('r-2', householdPayload(202))],
    };
    const first = await s.submitterApi.post(batchPath(), body);
    expect(first.body.data).toMatchObject({ created: 2, refused: 1 });
    const before = await count('SELECT count(*) AS n FROM submissions');
    const again = await s.submitterApi.post(batchPath(), body);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ created: 0, replayed: 2, refused: 1 });
    expect(again.body.data.items[0]).toMatchObject({
      status: 'replayed',
      submissionId: first.body.data.items[0].submissionId,
    });
    expect(again.body.data.items[2]).toMatchObject({
      status: 'replayed',
      submissionId: first.body.data.items[2].submissionId,
    });
    expect(await count('SELECT count(*) AS n FROM submissions')).toBe(before);

    const changed = await s.submitterApi.post(batchPath(), {
      items: [item('r-0', householdPayload(299)), item('r-3', householdPayload(203))],
    });
    expect(changed.body.data.items[0]).toMatchObject({ status: 'refused', error: { code: 'CONFLICT' } });
    expect(changed.body.data.items[1].status).toBe('created');

    // The same answer under the same key through the single endpoint is the same request.
    const single = await s.submitterApi.post(
      `/templates/${s.templateId}/submissions`,
      { data: householdPayload(202) },
      { 'Idempotency-Key': 'r-2' },
    );
    expect(single.status).toBe(202);
    expect(single.headers.get('idempotent-replayed')).toBe('true');
    expect(single.body.data.id).toBe(first.body.data.items[2].submissionId);
  });

  it('applies its limits: at most 500 answers, a body limit of its own checked before parsing and before authentication', async () => {
    const before = await count('SELECT count(*) AS n FROM submissions');
    const many = await s.submitterApi.post(batchPath(), {
      items: Array.from({ length: 501 }, (_, i) => item(`m-${i}`, householdPayload(10_000 + i))),
    });
    expect(many.status).toBe(422);
    expect(many.body.error.code).toBe('VALIDATION_FAILED');
    const empty = await s.submitterApi.post(batchPath(), { items: [] });
    expect(empty.status).toBe(422);

    // 3 MB: over the single endpoint's limit, within the batch's (its answers are refused one by one).
    const big = {
      items: Array.from({ length: 3 }, (_, i) => item(`big-${i}`, { household: { village: 'x'.repeat(1024 * 1024) } })),
    };
    const bigRes = await s.submitterApi.post(batchPath(), big);
    expect(bigRes.status).toBe(200);
    expect(bigRes.body.data).toMatchObject({ created: 0, refused: 3 });
    expect(bigRes.body.data.items[0].error.details[0]).toMatchObject({ path: 'household.village' });

    const anonymous = new ApiClient(t.baseUrl);
    const huge = { items: [item('h', { household: { village: 'x'.repeat(9 * 1024 * 1024) } })] };
    const hugeRes = await anonymous.post(batchPath(), huge);
    expect(hugeRes.status).toBe(413);
    expect(hugeRes.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await count('SELECT count(*) AS n FROM submissions')).toBe(before);
  });

  it('asks the permission module: signed in, may submit in the grid, template published', async () => {
    const anonymous = await new ApiClient(t.baseUrl).post(batchPath(), { items: [item('p-0', householdPayload(300))] });
    expect(anonymous.status).toBe(401);
    const outsider = await createUser(t.rt.pool, { role: 'submitter' });
    const outsiderApi = await new ApiClient(t.baseUrl).login(outsider.email, outsider.password);
    const hidden = await outsiderApi.post(batchPath(), { items: [item('p-1', householdPayload(301))] });
    expect(hidden.status).toBe(404);
    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.pool.query(`INSERT INTO grid_members (grid_id, user_id, role) VALUES ($1, $2, 'reviewer')`, [
      s.gridId,
      reviewer.id,
    ]);
    const reviewerApi = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);
    const refused = await reviewerApi.post(batchPath(), { items: [item('p-2', householdPayload(302))] });
    expect(refused.status).toBe(403);
    const draft = await s.builderApi.post(`/grids/${s.gridId}/templates`, {
      slug: 'unpublished',
      title: 'Unpublished',
      definition: householdDefinition(),
    });
    expect(draft.status).toBe(201);
    const unpublished = await s.submitterApi.post(`/templates/${draft.body.data.id}/submissions/batch`, {
      items: [item('p-3', {})],
    });
    expect(unpublished.status).toBe(409);
    expect(await count(`SELECT count(*) AS n FROM submissions WHERE idempotency_key LIKE 'p-%'`)).toBe(0);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await fetch(`${t.baseUrl}/api/v1/openapi.json`).then((r) => r.json());
    const op = doc.paths['/templates/{templateId}/submissions/batch'].post;
    expect(op.requestBody.content['application/json'].schema.properties.items.maxItems).toBe(500);
    expect(
      op.responses['200'].content['application/json'].schema.properties.data.properties.items.items.properties.status,
    ).toBeDefined();
    expect(op.responses['413']).toBeDefined();
  });
});
