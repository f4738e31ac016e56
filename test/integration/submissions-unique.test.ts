import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor } from '../helpers/factories.js';
import {
  householdDefinition,
  householdPayload,
  publishedSurvey,
  statusCounts,
  waitFor,
  type Survey,
} from '../helpers/forms.js';

/** The household survey plus unique fields of the other kinds: a code (integer), a visit (datetime), an email. */
function uniqueSurvey() {
  const definition = householdDefinition();
  definition.sections[0]!.fields.push(
    { id: 'f_code', key: 'code', label: 'Household code', type: 'decimal', rules: { unique: true } } as never,
    { id: 'f_visit', key: 'visit', label: 'Visit', type: 'datetime', rules: { unique: true } } as never,
    { id: 'f_email', key: 'email', label: 'Contact email', type: 'email', rules: { unique: true } } as never,
    {
      id: 'f_permit',
      key: 'permit',
      label: 'Well permit',
      type: 'text',
      rules: { unique: true },
      showIf: { field: 'f_water', equals: 'well' },
    } as never,
  );
  return definition;
}

describe('unique values: reserved at the door, 409 for a duplicate', () => {
  let t: TestApp;
  let s: Survey;
  let reviewerApi: ApiClient;
  let otherApi: ApiClient;
  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { AUDIT_SEAL_INTERVAL_MS: '60000' } });
    s = await publishedSurvey(t, uniqueSurvey());
    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    const other = await createUser(t.rt.pool, { role: 'submitter' });
    for (const [user, role] of [
      [reviewer, 'reviewer'],
      [other, 'submitter'],
    ] as const) {
      await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: user.id, role });
    }
    reviewerApi = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);
    otherApi = await new ApiClient(t.baseUrl).login(other.email, other.password);
  });
  afterAll(() => t.close());

  const post = (api: ApiClient, data: unknown, draft = false) =>
    api.post(`/templates/${s.templateId}/submissions`, { data, ...(draft ? { draft: true } : {}) });
  const withVillage = (i: number, village: string, extra: Record<string, unknown> = {}) => {
    const p = householdPayload(i);
    return { household: { ...p.household, village, ...extra } };
  };
  const reservations = async (submissionId: string) =>
    (
      await t.rt.pool.query<{ field_id: string; value: string }>(
        'SELECT field_id, value FROM submission_unique_values WHERE submission_id = $1 ORDER BY field_id COLLATE "C"',
        [submissionId],
      )
    ).rows;

  it('20 concurrent answers with one unique value: exactly one 202, nineteen 409s naming the field, nothing fails in the worker', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(i % 2 ? s.submitterApi : otherApi, withVillage(100 + i, 'Raceville'))),
    );
    const accepted = results.filter((r) => r.status === 202);
    const refused = results.filter((r) => r.status === 409);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const r of refused) {
      expect(r.body.success).toBe(false);
      expect(r.body.error.code).toBe('DUPLICATE_VALUE');
      expect(r.body.error.message).toMatch(/^Village: /);
      expect(r.body.error.details).toEqual([
        expect.objectContaining({
          path: 'household.village',
          label: 'Village',
          code: 'unique',
          message: expect.stringMatching(/already has this value/),
        }),
      ]);
    }
    // The holder's id is named to whoever may read it: its own submitter, never another submitter.
    const winner = accepted[0]!.body.data;
    const winnerApi = winner.submittedBy === s.submitter.id ? s.submitterApi : otherApi;
    const ownRefusal = await post(winnerApi, withVillage(200, ' RACEVILLE '));
    expect(ownRefusal.status).toBe(409);
    expect(ownRefusal.body.error.details[0].submissionId).toBe(winner.id);
    const strangerRefusal = await post(
      winnerApi === otherApi ? s.submitterApi : otherApi,
      withVillage(201, 'raceville'),
    );
    expect(strangerRefusal.status).toBe(409);
    expect(strangerRefusal.body.error.details[0]).not.toHaveProperty('submissionId');

    const stored = await t.rt.pool.query(
      `SELECT id FROM submissions WHERE template_id = $1 AND payload #>> '{household,village}' ILIKE '%raceville%'`,
      [s.templateId],
    );
    expect(stored.rows.map((r) => String(r.id))).toEqual([winner.id]);
    await waitFor(
      () => winnerApi.get(`/submissions/${winner.id}`),
      (r) => r.body.data.processingStatus !== 0,
      20_000,
      'the winner processed',
    );
    expect((await winnerApi.get(`/submissions/${winner.id}`)).body.data.processingStatus).toBe(1);
    expect((await statusCounts(t.rt.pool, s.templateId))['2']).toBeUndefined();
  });

  it('compares values as documented: case, spacing, numbers and instants; blanks reserve nothing', async () => {
    const first = await post(
      s.submitterApi,
      withVillage(300, 'Kibera  Town', { code: 3, visit: '2026-03-01T10:00:00+02:00', email: 'Ann@Example.org' }),
    );
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(await reservations(first.body.data.id)).toEqual([
      { field_id: 'f_code', value: '3' },
      { field_id: 'f_email', value: 'ann@example.org' },
      { field_id: 'f_village', value: 'kibera town' },
      { field_id: 'f_visit', value: '2026-03-01T08:00:00.000000Z' },
    ]);
    const dupes = await Promise.all([
      post(s.submitterApi, withVillage(301, '  kibera town ')),
      post(s.submitterApi, withVillage(302, 'Elsewhere 1', { code: 3.0 })),
      post(s.submitterApi, withVillage(303, 'Elsewhere 2', { visit: '2026-03-01T08:00:00.000Z' })),
      post(s.submitterApi, withVillage(304, 'Elsewhere 3', { email: 'ANN@example.ORG' })),
    ]);
    expect(dupes.map((r) => r.status)).toEqual([409, 409, 409, 409]);
    expect(dupes.map((r) => r.body.error.details[0].path)).toEqual([
      'household.village',
      'household.code',
      'household.visit',
      'household.email',
    ]);
    // Several duplicates at once: every field named.
    const all = await post(s.submitterApi, withVillage(305, 'KIBERA TOWN', { code: 3, email: 'ann@example.org' }));
    expect(all.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'household.village',
      'household.code',
      'household.email',
    ]);
    expect(all.body.error.message).toMatch(/and 2 more fields/);
    // Different values pass; so do answers that leave a unique field empty, any number of times.
    expect(
      (await post(s.submitterApi, withVillage(306, 'Kibera', { code: 3.5, visit: '2026-03-01T10:00:00Z' }))).status,
    ).toBe(202);
    expect((await post(s.submitterApi, withVillage(307, 'Blank 1', { code: null, email: null }))).status).toBe(202);
    expect((await post(s.submitterApi, withVillage(308, 'Blank 2', { code: null, email: null }))).status).toBe(202);
  });

  it('a unique field hidden by its condition reserves nothing (it is projected as empty)', async () => {
    const hidden = await post(s.submitterApi, withVillage(350, 'Tapton', { water: 'tap', permit: 'P-77' }));
    expect(hidden.status).toBe(202);
    expect((await reservations(hidden.body.data.id)).map((r) => r.field_id)).toEqual(['f_village']);
    const shown = await post(s.submitterApi, withVillage(351, 'Wellton', { water: 'well', permit: 'P-77' }));
    expect(shown.status).toBe(202);
    const again = await post(s.submitterApi, withVillage(352, 'Wellton 2', { water: 'well', permit: 'p-77 ' }));
    expect(again.status).toBe(409);
    expect(again.body.error.details[0]).toMatchObject({
      path: 'household.permit',
      label: 'Well permit',
      submissionId: shown.body.data.id,
    });
  });

  it('drafts reserve nothing; submitting a draft reserves, or is refused with 409 and stays a draft', async () => {
    const held = await post(s.submitterApi, withVillage(400, 'Draftford'));
    expect(held.status).toBe(202);
    const draft = await post(s.submitterApi, withVillage(401, 'Draftford'), true);
    expect(draft.status).toBe(201);
    expect(await reservations(draft.body.data.id)).toEqual([]);
    const refused = await s.submitterApi.post(`/submissions/${draft.body.data.id}/submit`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'DUPLICATE_VALUE',
      details: [{ path: 'household.village', label: 'Village', submissionId: held.body.data.id }],
    });
    expect((await s.submitterApi.get(`/submissions/${draft.body.data.id}`)).body.data.reviewStatus).toBe('draft');

    expect(
      (await s.submitterApi.patch(`/submissions/${draft.body.data.id}`, { data: withVillage(401, 'Draftford East') }))
        .status,
    ).toBe(200);
    expect(await reservations(draft.body.data.id)).toEqual([]);
    const submitted = await s.submitterApi.post(`/submissions/${draft.body.data.id}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(await reservations(draft.body.data.id)).toEqual([{ field_id: 'f_village', value: 'draftford east' }]);
  });

  it('editing a rejected submission moves its reservations: kept values stay its own, new ones must be free', async () => {
    const a = (await post(s.submitterApi, withVillage(500, 'Rejectville', { code: 500 }))).body.data.id;
    const b = (await post(s.submitterApi, withVillage(501, 'Takenham'))).body.data.id;
    expect((await reviewerApi.post(`/submissions/${a}/claim`)).status).toBe(200);
    expect((await reviewerApi.post(`/submissions/${a}/reject`, { reason: 'Wrong village' })).status).toBe(200);
    // Rejected, it still holds its values.
    expect((await post(otherApi, withVillage(502, 'Rejectville'))).status).toBe(409);

    // An edit to a value someone else holds: 409, nothing changes.
    const clash = await s.submitterApi.patch(`/submissions/${a}`, {
      data: withVillage(500, 'takenham', { code: 500 }),
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.details).toEqual([expect.objectContaining({ path: 'household.village', submissionId: b })]);
    expect((await s.submitterApi.get(`/submissions/${a}`)).body.data.data.household.village).toBe('Rejectville');

    // A new village and the same code: the old village is free at once, the code stays its own.
    const edited = await s.submitterApi.patch(`/submissions/${a}`, {
      data: withVillage(500, 'Fixedville', { code: 500 }),
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(await reservations(a)).toEqual([
      { field_id: 'f_code', value: '500' },
      { field_id: 'f_village', value: 'fixedville' },
    ]);
    expect((await post(otherApi, withVillage(503, 'Rejectville'))).status).toBe(202);
    expect((await s.submitterApi.post(`/submissions/${a}/submit`)).status).toBe(200);
    await waitFor(
      () => s.submitterApi.get(`/submissions/${a}`),
      (r) => r.body.data.processingStatus === 1,
      20_000,
      'the resubmission processed',
    );
  });

  it('a deleted submission frees its values', async () => {
    const id = (await post(s.submitterApi, withVillage(600, 'Goneburg'))).body.data.id;
    await waitFor(
      () => s.submitterApi.get(`/submissions/${id}`),
      (r) => r.body.data.processingStatus === 1,
      20_000,
      'processed',
    );
    await t.rt.pool.query('DELETE FROM submissions WHERE id = $1', [id]);
    expect((await post(s.submitterApi, withVillage(601, 'Goneburg'))).status).toBe(202);
  });

  it('the admin panel goes through the same reservation: its fill page refuses a duplicate with the same details', async () => {
    const panel = new AdminClient(t.baseUrl);
    expect((await panel.login(s.submitter.email, s.submitter.password)).status).toBe(302);
    const fill = (data: unknown) =>
      panel.postJson(`/admin/api/resources/templates/records/${s.templateId}/fill`, {
        data: JSON.stringify(data),
        submit: 'true',
      });
    const refused = await fill(withVillage(800, 'raceVILLE'));
    expect(refused.body.notice).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/^Village: another submission already has this value/),
    });
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ path: 'household.village', label: 'Village', code: 'unique' }),
    ]);
    const accepted = await fill(withVillage(801, 'Panelton'));
    expect(accepted.body.notice, accepted.text).toMatchObject({ type: 'success' });
    expect((await post(otherApi, withVillage(802, 'PANELTON'))).status).toBe(409);
  });

  it('republishing keeps reservations by field id (a renamed key keeps its values); gaining unique checks and reserves, losing it frees', async () => {
    await post(s.submitterApi, withVillage(700, 'Keepsake'));
    const definition = uniqueSurvey();
    const fields = definition.sections[0]!.fields as { id: string; key: string; rules?: Record<string, unknown> }[];
    fields.find((f) => f.id === 'f_village')!.key = 'place';
    fields.find((f) => f.id === 'f_email')!.rules = {}; // loses unique
    const put = await s.builderApi.put(`/templates/${s.templateId}/definition`, definition);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const published = await s.builderApi.post(`/templates/${s.templateId}/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(201);

    const renamed = (i: number, place: string, extra: Record<string, unknown> = {}) => {
      const { village: _v, ...rest } = householdPayload(i).household;
      return { household: { ...rest, place, ...extra } };
    };
    const dup = await post(s.submitterApi, renamed(701, 'keepsake'));
    expect(dup.status).toBe(409);
    expect(dup.body.error.details[0]).toMatchObject({ path: 'household.place', label: 'Village' });
    // The email lost its rule: its values are free.
    expect(
      Number(
        (
          await t.rt.pool.query(
            `SELECT count(*) AS n FROM submission_unique_values WHERE template_id = $1 AND field_id = 'f_email'`,
            [s.templateId],
          )
        ).rows[0].n,
      ),
    ).toBe(0);
    expect((await post(s.submitterApi, renamed(702, 'Mailtown', { email: 'ann@example.org' }))).status).toBe(202);

    // Gaining unique again with duplicates among the answers: refused with the ids, nothing changes.
    fields.find((f) => f.id === 'f_email')!.rules = { unique: true };
    expect((await s.builderApi.put(`/templates/${s.templateId}/definition`, definition)).status).toBe(200);
    const refused = await s.builderApi.post(`/templates/${s.templateId}/publish`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({
        path: 'household.email',
        code: 'unique',
        message: expect.stringMatching(/^2 existing rows/),
      }),
    ]);

    // Without the duplicate it publishes and reserves the values of the answers already there.
    const mailtown = await t.rt.pool.query(
      `SELECT id FROM submissions WHERE payload #>> '{household,place}' = 'Mailtown'`,
    );
    await t.rt.pool.query(
      `UPDATE submissions SET payload = jsonb_set(payload, '{household,email}', '"someone@example.org"') WHERE id = $1`,
      [mailtown.rows[0].id],
    );
    expect((await s.builderApi.post(`/templates/${s.templateId}/publish`)).status).toBe(201);
    expect((await post(s.submitterApi, renamed(703, 'Mailtown 2', { email: 'Someone@example.org' }))).status).toBe(409);
  });

  it('an answer stored while a publish commits waits for it and is stored against the new version, whose unique fields it reserves', async () => {
    const { current_version: v } = (
      await t.rt.pool.query('SELECT current_version FROM templates WHERE id = $1', [s.templateId])
    ).rows[0];
    const answer = { household: { ...householdPayload(900).household, place: 'Racing Publish' } };
    delete (answer.household as Record<string, unknown>).village;
    // A publish in progress: the template row locked, a new version about to become current.
    const publisher = await t.rt.pool.connect();
    try {
      await publisher.query('BEGIN');
      await publisher.query('SELECT id FROM templates WHERE id = $1 FOR UPDATE', [s.templateId]);
      const pending = post(s.submitterApi, answer);
      await new Promise((r) => setTimeout(r, 300));
      await publisher.query(
        `INSERT INTO template_versions (template_id, version, definition, json_schema, naming, ddl, checks, published_by)
         SELECT template_id, version + 1, definition, json_schema, naming, '{}', '[]', published_by FROM ` +
          `template_versions WHERE template_id = $1 AND version = $2`,
        [s.templateId, v],
      );
      await publisher.query('UPDATE templates SET current_version = $2 WHERE id = $1', [s.templateId, v + 1]);
      await publisher.query('COMMIT');
      const res = await pending;
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.data.templateVersion).toBe(v + 1);
    } finally {
      publisher.release();
    }
  });

  it('the OpenAPI document lists the 409 of a submission', async () => {
    const doc = await s.submitterApi.get('/openapi.json');
    const responses = (
      doc.body as unknown as {
        paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
      }
    ).paths['/templates/{templateId}/submissions']!.post!.responses;
    expect(responses['409']!.description).toMatch(/DUPLICATE_VALUE/);
  });
});
