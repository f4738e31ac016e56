import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/identifiers.js';
import { CompactionService } from '../../src/templates/compaction.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import {
  householdDefinition,
  householdPayload,
  processed,
  publishedSurvey,
  type Survey,
  waitFor,
} from '../helpers/forms.js';

/** Issue 17, "column budget": a compaction gives back the slots of dropped columns and keeps every value. */

describe('compaction', () => {
  let t: TestApp;
  let s: Survey;
  let section: string;
  let members: string;
  let viewName: string;

  const slots = async (table: string) =>
    (
      await t.rt.pool.query<{ all: number; dropped: number }>(
        `SELECT count(*)::int AS all, count(*) FILTER (WHERE attisdropped)::int AS dropped FROM pg_attribute
          WHERE attrelid = ('forms.' || quote_ident($1))::regclass AND attnum > 0`,
        [table],
      )
    ).rows[0]!;
  const contents = async (table: string, key: string) =>
    (await t.rt.pool.query(`SELECT * FROM forms.${quoteIdent(table)} ORDER BY ${quoteIdent(key)}`)).rows;
  const waitProcessed = (id: string) => processed(t.rt.pool, id, 60_000);
  const submit = async (i: number) => {
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.data.id as string;
  };

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    // Version 1 has an extra column in each table, removed by version 2 and purged: a dropped slot each.
    const v1 = householdDefinition();
    v1.sections[0]!.fields.push({ id: 'f_old', key: 'old', label: 'Old', type: 'text' } as never);
    v1.sections[0]!.tables[0]!.columns.push({ id: 'f_mold', key: 'old', label: 'Old', type: 'text' } as never);
    s = await publishedSurvey(t, v1);
    section = `f${s.templateId}_household`;
    members = `f${s.templateId}_household__members`;
    const ids = [];
    for (let i = 1; i <= 12; i++) ids.push(await submit(i));
    for (const id of ids) await waitProcessed(id);
    expect((await s.builderApi.put(`/templates/${s.templateId}/definition`, householdDefinition())).status).toBe(200);
    expect((await s.builderApi.post(`/templates/${s.templateId}/publish`)).status).toBe(201);
    expect((await s.builderApi.post(`/templates/${s.templateId}/purge-retired`)).status).toBe(200);
    const grid = (await t.rt.pool.query<{ slug: string }>('SELECT slug FROM grids WHERE id = $1', [s.gridId])).rows[0]!
      .slug;
    viewName = `${grid.replace(/-/g, '_')}__household__household`;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the API starts a compaction that the worker runs: the dropped slot is reclaimed and every value kept', async () => {
    expect(await slots(section)).toEqual({ all: 6, dropped: 1 });
    const before = await contents(section, 'submission_id');
    expect(before).toHaveLength(12);

    const started = await s.builderApi.post(`/templates/${s.templateId}/tables/${section}/compact`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.data).toMatchObject({ table: section, status: 'queued', slotsBefore: 6 });
    const done = await waitFor(
      async () => (await s.builderApi.get(`/templates/${s.templateId}/compactions/${started.body.data.id}`)).body.data,
      (c: { status: string }) => c.status === 'done' || c.status === 'failed',
      60_000,
      'compaction finished',
    );
    expect(done).toMatchObject({ status: 'done', slotsBefore: 6, slotsAfter: 5, rowsCopied: 12, error: null });
    expect(await slots(section)).toEqual({ all: 5, dropped: 0 });
    expect(await contents(section, 'submission_id')).toEqual(before);
    // The budget says so, the helper objects are gone, the primary key and foreign key are back.
    const tables = (await s.builderApi.get(`/templates/${s.templateId}/tables`)).body.data.tables as {
      table: string;
      slots: { dropped: number; used: number };
    }[];
    expect(tables.find((b) => b.table === section)!.slots).toMatchObject({ dropped: 0, used: 5 });
    const leftovers = await t.rt.pool.query(`SELECT relname FROM pg_class WHERE relname LIKE $1`, [
      `${section}__compact%`,
    ]);
    expect(leftovers.rows).toEqual([]);
    const constraints = await t.rt.pool.query<{ contype: string; convalidated: boolean }>(
      `SELECT contype, convalidated FROM pg_constraint WHERE conrelid = ('forms.' || quote_ident($1))::regclass ORDER BY contype`,
      [section],
    );
    expect(constraints.rows).toEqual([
      { contype: 'f', convalidated: true },
      { contype: 'p', convalidated: true },
    ]);
    // The views under current names read the new table.
    const view = await t.rt.pool.query(`SELECT count(*)::int AS n FROM forms_current.${quoteIdent(viewName)}`);
    expect(view.rows[0]!.n).toBe(12);
    // Submissions are still projected after it, and again (rebuild) for the old ones.
    const after = await submit(13);
    await waitProcessed(after);
    expect((await contents(section, 'submission_id')).map((r) => r.submission_id)).toContain(after);
    const again = await s.builderApi.get(`/templates/${s.templateId}/compactions`);
    expect(again.body.data[0]).toMatchObject({ id: started.body.data.id, status: 'done' });
    // Audit: who asked, and what it reclaimed.
    const audit = await t.rt.pool.query(
      `SELECT action FROM audit_log WHERE entity_id = $1 AND action LIKE 'template.compact%' ORDER BY id`,
      [s.templateId],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['template.compact', 'template.compacted']);
  }, 120_000);

  it('copies in small batches while submissions keep arriving, and keeps every row of a repeating table', async () => {
    expect(await slots(members)).toMatchObject({ dropped: 1 });
    // A service of its own with tiny batches, so the copy takes many rounds while answers are projected.
    const service = new CompactionService({ pool: t.rt.pool, enqueue: async () => undefined, batchSize: 3 });
    const builderCtx = {
      actor: { id: s.builder.id, email: s.builder.email, role: 'builder' as const },
      requestId: null,
      ip: null,
    };
    const job = await service.start(builderCtx, s.templateId, members);
    const arriving = (async () => {
      const ids: string[] = [];
      for (let i = 100; i < 110; i++) ids.push(await submit(i));
      return ids;
    })();
    const result = await service.run(job.id);
    const ids = await arriving;
    for (const id of ids) await waitProcessed(id);
    expect(result).toMatchObject({ status: 'done', slotsAfter: (await slots(members)).all });
    expect(await slots(members)).toMatchObject({ dropped: 0 });
    // Every submission has its two member rows, once, with their values; ids stay unique and go on.
    const rows = await t.rt.pool.query<{ submission_id: string; n: number }>(
      `SELECT submission_id::text, count(*)::int AS n FROM forms.${quoteIdent(members)} GROUP BY 1 ORDER BY 1`,
    );
    const submissions = await t.rt.pool.query<{ id: string }>(
      'SELECT id::text FROM submissions WHERE template_id = $1 ORDER BY id',
      [s.templateId],
    );
    expect(rows.rows.map((r) => r.submission_id)).toEqual(submissions.rows.map((r) => r.id));
    expect(rows.rows.every((r) => r.n === 2)).toBe(true);
    const names = await t.rt.pool.query(
      `SELECT name FROM forms.${quoteIdent(members)} WHERE submission_id = $1 ORDER BY row_index`,
      [ids[0]],
    );
    expect(names.rows).toEqual([{ name: 'Ann 100' }, { name: 'Bob 100' }]);
    const next = await submit(200);
    await waitProcessed(next);
    const added = await t.rt.pool.query(
      `SELECT count(*)::int AS n FROM forms.${quoteIdent(members)} WHERE submission_id = $1`,
      [next],
    );
    expect(added.rows[0]!.n).toBe(2);
  }, 180_000);

  it('refuses a table that is not one of the template, and a second compaction of a table under way', async () => {
    const res = await s.builderApi.post(`/templates/${s.templateId}/tables/submissions/compact`);
    expect(res.status).toBe(404);
    const forbidden = await s.submitterApi.post(`/templates/${s.templateId}/tables/${section}/compact`);
    expect(forbidden.status).toBe(403);
  });
});
