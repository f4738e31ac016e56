import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/identifiers.js';
import { connectionConfig } from '../../src/db/pool.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import {
  householdDefinition,
  householdPayload,
  processed,
  publishDefinition,
  publishedSurvey,
  type Survey,
} from '../helpers/forms.js';

/** Issue 17, "undo": unpublish restores the previous version's shape and data, or says why it cannot. */

type Definition = ReturnType<typeof householdDefinition>;

describe('unpublish', () => {
  let t: TestApp;
  let s: Survey;
  let owner: pg.Client;
  let viewName: string;

  const columnsOf = async (schema: string, table: string) =>
    (
      await owner.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [schema, table],
      )
    ).rows.map((r) => r.column_name);
  const publish = (definition: Definition) => publishDefinition(s, definition);
  const submit = async (data: unknown) => {
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.data.id as string;
    await processed(t.rt.pool, id);
    return id;
  };

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t);
    owner = new pg.Client(connectionConfig(t.db.url));
    await owner.connect();
    const grid = (await t.rt.pool.query<{ slug: string }>('SELECT slug FROM grids WHERE id = $1', [s.gridId])).rows[0]!
      .slug;
    viewName = `${grid.replace(/-/g, '_')}__household__household`;
  }, 120_000);
  afterAll(async () => {
    await owner?.end();
    await t?.close();
  });

  it('the first version cannot be unpublished', async () => {
    const res = await s.builderApi.post(`/templates/${s.templateId}/unpublish`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/no previous version/);
  });

  it('restores the previous version: removed columns come back with their data, added ones are retired with theirs; the views follow', async () => {
    // members_count is filled by a processing step (steps.ts): the number of member rows.
    const v1Id = await submit(householdPayload(1));
    // Version 2: members_count removed, a new field `notes`, village renamed.
    const v2 = householdDefinition() as Definition & { sections: { fields: unknown[] }[] };
    const fields = v2.sections[0]!.fields as { id: string; key: string }[];
    fields.find((f) => f.id === 'f_village')!.key = 'settlement';
    v2.sections[0]!.fields = [
      ...fields.filter((f) => f.id !== 'f_mcount'),
      { id: 'f_notes', key: 'notes', label: 'Notes', type: 'text' },
    ] as never;
    expect(await publish(v2)).toBe(2);
    const { household: h2 } = householdPayload(2);
    const v2Id = await submit({
      household: { settlement: h2.village, size: h2.size, water: h2.water, members: h2.members, notes: 'kept' },
    });
    expect(await columnsOf('forms_current', viewName)).toEqual([
      'submission_id',
      'settlement',
      'size',
      'water',
      'notes',
    ]);

    const res = await s.builderApi.post(`/templates/${s.templateId}/unpublish`, { expectedVersion: 2 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data).toMatchObject({ version: 3, restores: 1, unpublished: 2 });
    expect(res.body.data.changes).toEqual(
      expect.arrayContaining([
        'restore household.members_count (its column comes back with its data)',
        expect.stringMatching(/^remove household\.notes/),
      ]),
    );
    // No DDL was needed: nothing was dropped, nothing converted.
    expect(res.body.data.statements).toEqual([]);

    // The shape of version 1: its keys in the views, the template's working definition and schema.
    expect(await columnsOf('forms_current', viewName)).toEqual([
      'submission_id',
      'village',
      'size',
      'water',
      'members_count',
    ]);
    const template = await s.builderApi.get(`/templates/${s.templateId}`);
    expect(template.body.data.currentVersion).toBe(3);
    expect(template.body.data.definition).toEqual(householdDefinition());
    // Every value is still there: version 1's members_count, version 2's notes (retired, kept).
    const rows = await owner.query(
      `SELECT submission_id::text AS id, village, members_count::int AS mc, ` +
        `notes FROM forms.${quoteIdent(`f${s.templateId}_household`)} ORDER BY submission_id`,
    );
    expect(rows.rows).toEqual([
      { id: v1Id, village: 'Village 1', mc: 2, notes: null },
      { id: v2Id, village: 'Village 2', mc: null, notes: 'kept' },
    ]);
    const viewRows = await owner.query(
      `SELECT submission_id::text AS id, members_count::int AS mc FROM forms_current.${quoteIdent(viewName)} ORDER BY 1`,
    );
    expect(viewRows.rows).toEqual([
      { id: v1Id, mc: 2 },
      { id: v2Id, mc: null },
    ]);
    // New answers take version 3, which is version 1's form.
    const three = householdPayload(3);
    three.household.members.push({ name: 'Cy 3', age: 1 });
    const v3Id = await submit(three);
    const v3 = await owner.query(
      `SELECT members_count::int AS mc FROM forms.${quoteIdent(`f${s.templateId}_household`)} WHERE submission_id = $1`,
      [v3Id],
    );
    expect(v3.rows).toEqual([{ mc: 3 }]);
    const refused = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { ...householdPayload(4).household, notes: 'x' } },
    });
    expect(refused.status).toBe(422);

    const audit = await t.rt.pool.query(
      `SELECT before, after FROM audit_log WHERE action = 'template.unpublish' AND entity_id = $1`,
      [s.templateId],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ before: { version: 2 }, after: { version: 3, restores: 1 } });
  }, 120_000);

  it('is refused with the reason when the latest version converted a type in place, and changes nothing', async () => {
    const v4 = householdDefinition() as Definition;
    (v4.sections[0]!.fields.find((f) => f.id === 'f_size') as { type: string }).type = 'decimal';
    expect(await publish(v4)).toBe(4);
    const res = await s.builderApi.post(`/templates/${s.templateId}/unpublish`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      /Version 4 cannot be unpublished: version 4 converted household\.size from integer to decimal in place/,
    );
    expect(res.body.error.details[0]).toMatchObject({ path: 'household.size', code: 'type_converted' });
    expect((await s.builderApi.get(`/templates/${s.templateId}`)).body.data.currentVersion).toBe(4);
  }, 60_000);

  it('is refused when a purge dropped a column the previous version needs', async () => {
    const v5 = householdDefinition() as Definition;
    (v5.sections[0]!.fields.find((f) => f.id === 'f_size') as { type: string }).type = 'decimal';
    v5.sections[0]!.fields = v5.sections[0]!.fields.filter((f) => f.id !== 'f_water');
    expect(await publish(v5)).toBe(5);
    expect((await s.builderApi.post(`/templates/${s.templateId}/purge-retired`)).status).toBe(200);
    const res = await s.builderApi.post(`/templates/${s.templateId}/unpublish`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'household.water',
          code: 'purged',
          message: expect.stringMatching(/was dropped by a purge/),
        }),
      ]),
    );
  }, 60_000);

  it('only builders of the grid unpublish', async () => {
    const res = await s.submitterApi.post(`/templates/${s.templateId}/unpublish`, {});
    expect(res.status).toBe(403);
  });
});
