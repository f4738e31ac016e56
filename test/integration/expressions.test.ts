import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { FORMS } from '../rules/forms.js';

/**
 * Expressions through the API and the worker, against real PostgreSQL and Redis: calculated
 * values computed once at the door, returned by the API and projected into typed columns; a value
 * sent for a calculated field ignored; defaults filled; a constraint refused with the builder's
 * message at its path; a cycle refused at save and at publish; a calculated field's type change
 * published by the evolution rules.
 */
describe('expressions, through the API and the worker', () => {
  let t: TestApp;
  let s: Survey;
  let house: string;
  let items: string;
  let first: string;

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t, structuredClone(FORMS.expr));
    house = `forms."f${s.templateId}_h"`;
    items = `forms."f${s.templateId}_h__items"`;
  });

  afterAll(async () => {
    await t?.close();
  });

  const post = (data: Record<string, unknown>) =>
    s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data });

  it('computes calculated values at the door, shows them in the answer, and projects them into typed columns; a value sent for one is ignored', async () => {
    const sent = await post({
      h: {
        adults: 2,
        children: 3,
        total: 999,
        big: 'no',
        size: 7,
        phone: '555 0100',
        start: '2024-02-27',
        end: '2024-03-02',
        items: [
          { name: 'rice', price: 2.5, qty: 3, line: 1 },
          { name: 'oil', price: 4 },
        ],
      },
      p: { age: 40, adult: false, idno: 'X-1' },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    first = sent.body.data.id;
    const got = await s.submitterApi.get(`/submissions/${sent.body.data.id}`);
    expect(got.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(got.body.data.data.h).toMatchObject({
      total: 5,
      big: true,
      size: 'large',
      share: 20,
      nights: 4,
      due: '2024-03-05',
      visit: today,
      town: 'Springfield',
    });
    expect(got.body.data.data.h.items).toEqual([
      { name: 'rice', price: 2.5, qty: 3, line: 7.5 },
      { name: 'oil', price: 4, qty: 1, line: 4 },
    ]);
    expect(got.body.data.data.p).toEqual({ age: 40, adult: true, idno: 'X-1' });

    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 1,
      30_000,
      'projected',
    );
    const row = await t.rt.pool.query(
      `SELECT total::text, pg_typeof(total)::text AS total_type, big, pg_typeof(big)::text AS big_type, size, share::text, pg_typeof(share)::text AS share_type,
              nights::text, due::text, pg_typeof(due)::text AS due_type, visit::text, town FROM ${house} WHERE submission_id = $1`,
      [sent.body.data.id],
    );
    expect(row.rows).toEqual([
      {
        total: '5',
        total_type: 'bigint',
        big: true,
        big_type: 'boolean',
        size: 'large',
        share: '20',
        share_type: 'numeric',
        nights: '4',
        due: '2024-03-05',
        due_type: 'date',
        visit: today,
        town: 'Springfield',
      },
    ]);
    const lines = await t.rt.pool.query(
      `SELECT line::text, pg_typeof(line)::text AS type, qty::text FROM ${items} WHERE submission_id = $1 ORDER BY row_index`,
      [sent.body.data.id],
    );
    expect(lines.rows).toEqual([
      { line: '7.5', type: 'numeric', qty: '3' },
      { line: '4', type: 'numeric', qty: '1' },
    ]);
  });

  it('projects a field shown by an expression that reads another section as the API judged it', async () => {
    const sent = await post({ h: { adults: 9, phone: 'x' }, p: { crowd: 'cramped' } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 2,
      30_000,
      'projected',
    );
    const row = await t.rt.pool.query(`SELECT crowd FROM forms."f${s.templateId}_p" WHERE submission_id = $1`, [
      sent.body.data.id,
    ]);
    expect(row.rows).toEqual([{ crowd: 'cramped' }]);
  });

  it("refuses a constraint violation with 422 and the builder's message at its path: a field, a column, a table, a section", async () => {
    const refused = await post({
      h: {
        adults: 10,
        children: 3,
        phone: 'x',
        start: '2024-05-02',
        end: '2024-05-01',
        items: [{ name: 'a', price: 200, qty: 11 }],
      },
      p: { crowd: 'yes' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    expect(refused.body.error.details).toEqual([
      { path: 'h.end', label: 'End', message: 'The end comes on or after the start', code: 'constraint' },
      { path: 'h.items[0].qty', label: 'Quantity', message: 'At most 10 of one item', code: 'constraint' },
      { path: 'h.items', label: 'Items', message: 'The items cost at most 1,000 in all', code: 'constraint' },
      { path: 'h', label: 'Household', message: 'A household has at most 12 people', code: 'constraint' },
    ]);
    expect(refused.body.error.message).toBe('End: The end comes on or after the start (and 3 more problems)');
    // A hidden field's constraints do not run: petCount 0 is hidden while pets is not ticked.
    const hidden = await post({ h: { adults: 1, petCount: 0 } });
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(202);
    const shown = await post({ h: { adults: 1, pets: true, petCount: 0 } });
    expect(shown.body.error.details).toEqual([
      { path: 'h.petCount', label: 'How many pets', message: 'Say how many pets, at least one', code: 'constraint' },
    ]);
  });

  it('refuses an expression cycle at definition save and at publish, with the path and the chain', async () => {
    const definition = structuredClone(FORMS.expr) as unknown as { sections: { fields: Record<string, unknown>[] }[] };
    const fields = definition.sections[0]!.fields;
    fields.find((f) => f.key === 'adults')!.default = '${total} - ${children}';
    const saved = await s.builderApi.put(`/templates/${s.templateId}/definition`, definition);
    expect(saved.status).toBe(422);
    expect(saved.body.error.details).toEqual([
      expect.objectContaining({
        path: expect.stringMatching(/^sections\[0\]\.fields\[[0-2]\]\.(default|expression)$/),
        message: expect.stringMatching(/cycle.*adults/),
      }),
    ]);
    // A definition stored without the check (an older version of the code) is refused at publish too.
    const before = await t.rt.pool.query<{ definition: unknown }>('SELECT definition FROM templates WHERE id = $1', [
      s.templateId,
    ]);
    await t.rt.pool.query('UPDATE templates SET definition = $2 WHERE id = $1', [
      s.templateId,
      JSON.stringify(definition),
    ]);
    const published = await s.builderApi.post(`/templates/${s.templateId}/publish`);
    expect(published.status).toBe(422);
    expect(JSON.stringify(published.body.error.details)).toMatch(/cycle/);
    await t.rt.pool.query('UPDATE templates SET definition = $2 WHERE id = $1', [
      s.templateId,
      JSON.stringify(before.rows[0]!.definition),
    ]);
    // An unknown key and a type mismatch, each on its path.
    fields.find((f) => f.key === 'adults')!.default = "'a' + 1";
    fields.find((f) => f.key === 'total')!.expression = '${adult} + ${children}';
    const mismatched = await s.builderApi.put(`/templates/${s.templateId}/definition`, definition);
    expect(mismatched.status).toBe(422);
    expect(mismatched.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'sections[0].fields[0].default',
      'sections[0].fields[2].expression',
    ]);
  });

  it("publishes a calculated field's type change by the evolution rules: its column converts in place", async () => {
    const definition = structuredClone(FORMS.expr) as unknown as { sections: { fields: Record<string, unknown>[] }[] };
    const total = definition.sections[0]!.fields.find((f) => f.key === 'total')!;
    total.resultType = 'decimal';
    const saved = await s.builderApi.put(`/templates/${s.templateId}/definition`, definition);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const published = await s.builderApi.post(`/templates/${s.templateId}/publish`);
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const type = await t.rt.pool.query(
      `SELECT pg_typeof(total)::text AS type, total::text FROM ${house} WHERE submission_id = $1`,
      [first],
    );
    expect(type.rows[0]).toEqual({ type: 'numeric', total: '5' });
  });
});
