import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { householdDefinition, publishedSurvey, type Survey } from '../helpers/forms.js';

/** Issue 17, "column budget": slots (live, retired, dropped but counted) of 1,600 and the row size, per table. */

interface Budget {
  table: string;
  key: string;
  slots: { live: number; retired: number; dropped: number; other: number; used: number; limit: number };
  added?: number;
  rowBytes: number;
  level: string;
  advice?: string;
}

const wide = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `f_${prefix}${i}`,
    key: `${prefix}_${i}`,
    label: `${prefix} ${i}`,
    type: 'boolean',
  }));

describe('column budget', () => {
  let t: TestApp;
  let s: Survey;
  const put = async (definition: unknown) => {
    const res = await s.builderApi.put(`/templates/${s.templateId}/definition`, definition);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  const tables = async () => {
    const res = await s.builderApi.get(`/templates/${s.templateId}/tables`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.tables as Budget[];
  };
  const attributes = async (table: string) =>
    Number(
      (
        await t.rt.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_attribute WHERE attrelid = ('forms.' || quote_ident($1))::regclass AND attnum > 0`,
          [table],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    t = await setupApp();
    s = await publishedSurvey(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('counts live, retired and dropped slots as PostgreSQL does, and estimates the row size', async () => {
    const section = `f${s.templateId}_household`;
    let budget = await tables();
    const main = budget.find((b) => b.table === section)!;
    expect(main.key).toBe('household');
    // submission_id + 4 fields.
    expect(main.slots).toEqual({ live: 5, retired: 0, dropped: 0, other: 0, used: 5, limit: 1600 });
    // header 24 + submission_id 8 + village (text, 18) + size (bigint 8) + water (text 18) + members_count (bigint 8) + bitmap 1.
    expect(main.rowBytes).toBe(24 + 8 + 18 + 8 + 18 + 8 + 1);
    expect(main.level).toBe('ok');
    expect(budget.find((b) => b.key === 'household.members')!.slots.used).toBe(5);

    // Remove a field: its column is retired; purge it: the slot stays counted, dropped.
    const next = householdDefinition();
    next.sections[0]!.fields = next.sections[0]!.fields.filter((f) => f.id !== 'f_mcount');
    await put(next);
    expect((await s.builderApi.post(`/templates/${s.templateId}/publish`)).status).toBe(201);
    budget = await tables();
    expect(budget.find((b) => b.table === section)!.slots).toMatchObject({ live: 4, retired: 1, dropped: 0, used: 5 });
    const purge = await s.builderApi.post(`/templates/${s.templateId}/purge-retired`);
    expect(purge.status, JSON.stringify(purge.body)).toBe(200);
    budget = await tables();
    expect(budget.find((b) => b.table === section)!.slots).toMatchObject({ live: 4, retired: 0, dropped: 1, used: 5 });
    expect(await attributes(section)).toBe(5);
  });

  it('the plan shows the slots a publish adds, and warns from 80%', async () => {
    const next = householdDefinition();
    // 3 fields + 997 new ones: 1,000 fields, the most a section holds.
    next.sections[0]!.fields = [
      ...next.sections[0]!.fields.slice(0, 3),
      ...(wide('w', 997) as (typeof next.sections)[0]['fields']),
    ];
    await put(next);
    const plan = await s.builderApi.post(`/templates/${s.templateId}/plan`, {});
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    const main = (plan.body.data.budget as Budget[]).find((b) => b.key === 'household')!;
    expect(main.added).toBe(997);
    expect(main.slots).toMatchObject({ live: 4 + 997, dropped: 1, used: 5 + 997 });
    expect(main.level).toBe('ok');
    expect(plan.body.data.ok).toBe(true);
    expect((await s.builderApi.post(`/templates/${s.templateId}/publish`)).status).toBe(201);
    // 1,002 slots used; 300 more fields (in place of 300 removed, which stay retired) reach 1,302: over 80%.
    const more = householdDefinition();
    more.sections[0]!.fields = [
      ...more.sections[0]!.fields.slice(0, 3),
      ...(wide('w', 997).slice(300) as (typeof more.sections)[0]['fields']),
      ...(wide('x', 300) as (typeof more.sections)[0]['fields']),
    ];
    await put(more);
    const warned = await s.builderApi.post(`/templates/${s.templateId}/plan`, {});
    const w = (warned.body.data.budget as Budget[]).find((b) => b.key === 'household')!;
    expect(w.slots).toMatchObject({ retired: 300, dropped: 1, used: 1302 });
    expect(w.level).toBe('warning');
    expect(w.advice).toMatch(/compact the table to reclaim its 1 dropped column slot/);
    expect(warned.body.data.ok).toBe(true);
  }, 120_000);

  it('a publish that would cross 1,600 slots is refused with what to do, and changes nothing', async () => {
    const section = `f${s.templateId}_household`;
    const before = await attributes(section);
    const version = (await s.builderApi.get(`/templates/${s.templateId}`)).body.data.currentVersion as number;
    const over = householdDefinition();
    over.sections[0]!.fields = [
      ...over.sections[0]!.fields.slice(0, 3),
      ...(wide('y', 997) as (typeof over.sections)[0]['fields']),
    ];
    await put(over);
    const plan = await s.builderApi.post(`/templates/${s.templateId}/plan`, {});
    expect(plan.body.data.ok).toBe(false);
    expect((plan.body.data.budget as Budget[]).find((b) => b.key === 'household')!.level).toBe('full');
    const res = await s.builderApi.post(`/templates/${s.templateId}/publish`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      new RegExp(`table ${section} \\(household\\) would need 1999 column slots of PostgreSQL's 1600`),
    );
    expect(res.body.error.message).toMatch(/compact the table.*purge the 997 retired columns/);
    expect(res.body.error.details[0]).toMatchObject({ path: 'household', code: 'column_budget' });
    expect(await attributes(section)).toBe(before);
    expect((await s.builderApi.get(`/templates/${s.templateId}`)).body.data.currentVersion).toBe(version);
  }, 120_000);

  it('only builders of the grid see the budget', async () => {
    const res = await s.submitterApi.get(`/templates/${s.templateId}/tables`);
    expect(res.status).toBe(403);
  });
});
