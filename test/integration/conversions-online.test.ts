import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import {
  householdDefinition,
  householdPayload,
  publishedSurvey,
  statusCounts,
  waitFor,
  type Survey,
} from '../helpers/forms.js';

/**
 * Online type changes (src/templates/conversions.service.ts) against real PostgreSQL and Redis,
 * with the worker running: tables of at least 100 rows convert online here, in batches of 50 rows
 * with a pause between them, so that submissions and a cancel can land while the backfill runs.
 */

function withCode(type: 'text' | 'integer') {
  const definition = householdDefinition();
  definition.sections[0]!.fields.push({
    id: 'f_code',
    key: 'code',
    label: 'Code',
    type,
  } as (typeof definition.sections)[0]['fields'][0]);
  return definition;
}

interface ConversionJson {
  id: string;
  state: string;
  field: string;
  rowsDone: number;
  totalRows: number;
  batches: number;
  progress: number;
  mappedRows: number;
  unconvertedRows: number;
  quarantineColumn: string | null;
}

describe('type changes on big tables convert online', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp({
      worker: true,
      env: {
        CONVERSION_ONLINE_MIN_ROWS: '100',
        CONVERSION_BATCH_ROWS: '50',
        CONVERSION_BATCH_PAUSE_MS: '300',
        AUDIT_SEAL_INTERVAL_MS: '60000',
      },
    });
  });
  afterAll(() => t?.close());

  const table = (s: Survey) => `f${s.templateId}_household`;
  /** Processed submissions with their section rows, `codes[i]` as the text code of row i. */
  async function seed(s: Survey, codes: (string | null)[]) {
    await t.rt.pool.query(
      `WITH s AS (
         INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status)
         SELECT $1, 1, $2, $3, jsonb_build_object('household', jsonb_build_object('village', 'Seed ' || i, 'code', c)), 1
           FROM unnest($4::text[]) WITH ORDINALITY AS x(c, i) RETURNING id, payload)
       INSERT INTO forms."${table(s)}" (submission_id, village, code) SELECT id, payload->'household'->>'village', payload->'household'->>'code' FROM s`,
      [s.templateId, s.gridId, s.submitter.id, codes],
    );
  }
  const columns = async (s: Survey) =>
    (
      await t.rt.pool.query<{ c: string }>(
        `SELECT column_name || ':' || data_type AS c FROM information_schema.columns WHERE table_schema = 'forms' AND ` +
          `table_name = $1 ORDER BY ordinal_position`,
        [table(s)],
      )
    ).rows.map((r) => r.c);
  const triggers = async (s: Survey) =>
    Number(
      (
        await t.rt.pool.query(
          `SELECT count(*) AS n FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal`,
          [`forms."${table(s)}"`],
        )
      ).rows[0].n,
    );
  const functions = async (s: Survey) =>
    Number(
      (
        await t.rt.pool.query(
          `SELECT count(*) AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'forms' AND p.proname LIKE $1`,
          [`${table(s)}%`],
        )
      ).rows[0].n,
    );
  const conversions = async (s: Survey) => {
    const res = await s.builderApi.get(`/templates/${s.templateId}/conversions`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data as ConversionJson[];
  };
  const audits = async (s: Survey, action: string) =>
    (
      await t.rt.pool.query(`SELECT after FROM audit_log WHERE action = $1 AND entity_id = $2 ORDER BY id`, [
        action,
        s.templateId,
      ])
    ).rows.map((r) => r.after);
  const publishCodeAsInteger = async (s: Survey, conversionsChoice?: unknown) => {
    expect((await s.builderApi.put(`/templates/${s.templateId}/definition`, withCode('integer'))).status).toBe(200);
    return s.builderApi.post(
      `/templates/${s.templateId}/publish`,
      conversionsChoice ? { conversions: conversionsChoice } : {},
    );
  };

  it('a big table: a shadow column filled in batches while submissions keep arriving, then swapped', async () => {
    const s = await publishedSurvey(t, withCode('text'));
    const codes = Array.from({ length: 400 }, (_, i) => (i === 7 ? ' ' : ` ${i} `));
    await seed(s, codes);

    const published = await publishCodeAsInteger(s);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.data.conversions).toEqual([{ id: expect.any(String), field: 'household.code' }]);
    expect(published.body.data.plan.statements.map((x: { sql: string }) => x.sql).join('\n')).not.toMatch(
      /ALTER COLUMN/,
    );
    // Until the swap the old column is the one read and written; the new one fills beside it.
    expect(await columns(s)).toEqual(expect.arrayContaining(['code:text', 'code__converting:bigint']));
    expect(await triggers(s)).toBe(1);

    // Answers to the new version arrive during the backfill: judged against the new type, accepted.
    const accepted = [];
    for (let i = 0; i < 5; i++) {
      const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
        data: { household: { ...householdPayload(9000 + i).household, code: 1000 + i } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      accepted.push(res.body.data.id as string);
    }
    const during = await conversions(s);
    expect(during[0]!.state).toBe('backfilling');
    const typed = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { ...householdPayload(9999).household, code: 'twelve' } },
    });
    expect(typed.status).toBe(422);

    const done = await waitFor(
      () => conversions(s),
      (c) => c[0]!.state === 'done',
      60_000,
      'conversion done',
    );
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => (c['1'] ?? 0) === 405,
      30_000,
      'answers processed',
    );
    // Every stored value converted once: the backfill went over the 400 rows there were, in 8 batches.
    expect(done[0]).toMatchObject({ field: 'household.code', rowsDone: 400, totalRows: 400, batches: 8, progress: 1 });
    expect(await columns(s)).toEqual(expect.arrayContaining(['code:bigint', 'code__v1:text']));
    expect(await columns(s)).not.toContain('code__converting:bigint');
    expect(await triggers(s)).toBe(0);
    expect(await functions(s)).toBe(0);
    const mismatched = await t.rt.pool.query(
      `SELECT count(*) AS n FROM forms."${table(s)}" WHERE code IS DISTINCT FROM NULLIF(btrim(code__v1), '')::bigint`,
    );
    expect(Number(mismatched.rows[0].n)).toBe(0);
    const late = await t.rt.pool.query(
      `SELECT code FROM forms."${table(s)}" WHERE submission_id = ANY($1::bigint[]) ORDER BY code`,
      [accepted],
    );
    expect(late.rows.map((r) => Number(r.code))).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(
      Number((await t.rt.pool.query(`SELECT count(*) AS n FROM forms."${table(s)}" WHERE code IS NULL`)).rows[0].n),
    ).toBe(1);

    // The view under current names reads the new column.
    const view = await t.rt.pool.query<{ data_type: string }>(
      `SELECT data_type FROM information_schema.columns WHERE table_schema = 'forms_current' AND column_name = 'code' AND table_name LIKE '%household'`,
    );
    expect(view.rows.map((r) => r.data_type)).toEqual(['bigint']);
    expect(await audits(s, 'template.conversion_start')).toEqual([
      expect.objectContaining({ field: 'household.code', to: 'bigint' }),
    ]);
    expect(await audits(s, 'template.conversion_finish')).toEqual([
      expect.objectContaining({ field: 'household.code', rows: 400, state: 'done' }),
    ]);

    // After the swap, answers land in the new column (the processing layout follows the swap).
    const after = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { ...householdPayload(8000).household, code: 77 } },
    });
    expect(after.status).toBe(202);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => (c['1'] ?? 0) === 406,
      30_000,
      'answer after the swap processed',
    );
    const stored = await t.rt.pool.query(`SELECT code FROM forms."${table(s)}" WHERE submission_id = $1`, [
      after.body.data.id,
    ]);
    expect(stored.rows).toEqual([{ code: '77' }]);
  }, 120_000);

  it('a choice online: the map and the quarantine as in one step, with their counts', async () => {
    const s = await publishedSurvey(t, withCode('text'));
    await seed(s, [...Array.from({ length: 200 }, (_, i) => String(i)), 'twelve', 'N/A']);
    const published = await publishCodeAsInteger(s, {
      'household.code': { onFailure: 'quarantine', map: { 'N/A': null } },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const done = await waitFor(
      () => conversions(s),
      (c) => c[0]!.state === 'done',
      60_000,
      'conversion done',
    );
    expect(done[0]).toMatchObject({
      mappedRows: 1,
      unconvertedRows: 1,
      quarantineColumn: 'code__unconverted',
      rowsDone: 202,
    });
    const kept = await t.rt.pool.query(
      `SELECT code, code__unconverted, code__v1 FROM forms."${table(s)}" WHERE code IS NULL ORDER BY code__v1`,
    );
    expect(kept.rows).toEqual([
      { code: null, code__unconverted: null, code__v1: 'N/A' },
      { code: null, code__unconverted: 'twelve', code__v1: 'twelve' },
    ]);
    expect(Number((await t.rt.pool.query(`SELECT sum(code) AS n FROM forms."${table(s)}"`)).rows[0].n)).toBe(
      (199 * 200) / 2,
    );
  }, 120_000);

  it('cancel: the shadow column and trigger are dropped, nothing is left behind, the form keeps working', async () => {
    const s = await publishedSurvey(t, withCode('text'));
    await seed(
      s,
      Array.from({ length: 600 }, (_, i) => String(i)),
    );
    const before = await columns(s);
    const published = await publishCodeAsInteger(s);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const id = published.body.data.conversions[0].id as string;
    const cancelled = await s.builderApi.post(`/templates/${s.templateId}/conversions/${id}/cancel`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.data.state).toBe('cancelled');
    expect(await columns(s)).toEqual(before);
    expect(await triggers(s)).toBe(0);
    expect(await functions(s)).toBe(0);
    expect(await audits(s, 'template.conversion_cancel')).toEqual([
      expect.objectContaining({ field: 'household.code', state: 'cancelled' }),
    ]);
    // A second cancel is a conflict; the job, if it runs, leaves the cancelled conversion alone.
    expect((await s.builderApi.post(`/templates/${s.templateId}/conversions/${id}/cancel`)).status).toBe(409);
    expect((await s.builderApi.post(`/templates/${s.templateId}/conversions/x1/cancel`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await conversions(s))[0]!.state).toBe('cancelled');
    expect(await columns(s)).toEqual(before);

    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { ...householdPayload(5).household, code: 5 } },
    });
    expect(res.status).toBe(202);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => (c['1'] ?? 0) === 601,
      30_000,
      'answer processed',
    );
  }, 120_000);

  it('a small table still converts in one step', async () => {
    const s = await publishedSurvey(t, withCode('text'));
    await seed(
      s,
      Array.from({ length: 20 }, (_, i) => String(i)),
    );
    const published = await publishCodeAsInteger(s);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.data.conversions).toEqual([]);
    expect(published.body.data.plan.statements.map((x: { sql: string }) => x.sql)).toContainEqual(
      expect.stringMatching(/ALTER COLUMN "code" TYPE bigint/),
    );
    expect(await columns(s)).toContain('code:bigint');
    expect(await conversions(s)).toEqual([]);
    // Only the template's builders follow or cancel conversions; the routes are in the OpenAPI document.
    expect([403, 404]).toContain((await s.submitterApi.get(`/templates/${s.templateId}/conversions`)).status);
    const doc = (await (await fetch(`${t.baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/templates/{templateId}/conversions']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/templates/{templateId}/conversions/{conversionId}/cancel']!)).toEqual(['post']);
  }, 60_000);
});
