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

/** Issue 17, "current names": views under the current keys for SQL users, and answers under them in the API. */

type Definition = ReturnType<typeof householdDefinition>;

describe('current names: forms_current views and answers under the current keys', () => {
  let t: TestApp;
  let s: Survey;
  let owner: pg.Client;
  let gridSlug: string;
  let firstId: string;

  const viewsOf = async (templateId: string) =>
    (
      await owner.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'forms_current' AND c.relkind = 'v' AND obj_description(c.oid, 'pg_class') = $1 ORDER BY 1`,
        [`gridbook template ${templateId}`],
      )
    ).rows.map((r) => r.name);
  const columnsOf = async (view: string) =>
    (
      await owner.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'forms_current' AND table_name = $1
          ORDER BY ordinal_position`,
        [view],
      )
    ).rows.map((r) => r.column_name);
  const publish = (definition: Definition) => publishDefinition(s, definition);
  const waitProcessed = (id: string) => processed(t.rt.pool, id);

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t);
    owner = new pg.Client(connectionConfig(t.db.url));
    await owner.connect();
    gridSlug = (await t.rt.pool.query<{ slug: string }>('SELECT slug FROM grids WHERE id = $1', [s.gridId])).rows[0]!
      .slug;
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(1) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    firstId = res.body.data.id;
    await waitProcessed(firstId);
  });
  afterAll(async () => {
    await owner?.end();
    await t?.close();
  });

  it('publishing makes one view per section and repeating table, named after grid, template and section', async () => {
    const section = `${gridSlug.replace(/-/g, '_')}__household__household`;
    expect(await viewsOf(s.templateId)).toEqual([section, `${section}__members`]);
    expect(await columnsOf(section)).toEqual(['submission_id', 'village', 'size', 'water', 'members_count']);
    expect(await columnsOf(`${section}__members`)).toEqual(['id', 'submission_id', 'row_index', 'name', 'age']);
    const rows = await owner.query(
      `SELECT village, size::int AS size, water FROM forms_current.${quoteIdent(section)}`,
    );
    expect(rows.rows).toEqual([{ village: 'Village 1', size: 2, water: 'well' }]);
    const members = await owner.query(
      `SELECT name, age::int AS age FROM forms_current.${quoteIdent(`${section}__members`)} ORDER BY row_index`,
    );
    expect(members.rows).toEqual([
      { name: 'Ann 1', age: 30 },
      { name: 'Bob 1', age: 7 },
    ]);
  });

  it('the views follow a rename, a type change and a removal; the tables keep their columns and every value', async () => {
    const next = householdDefinition();
    const fields = next.sections[0]!.fields as { id: string; key: string; type: string; label: string }[];
    fields.find((f) => f.id === 'f_village')!.key = 'settlement';
    fields.find((f) => f.id === 'f_size')!.type = 'decimal';
    next.sections[0]!.fields = fields.filter((f) => f.id !== 'f_mcount') as (typeof next.sections)[0]['fields'];
    next.sections[0]!.tables[0]!.columns[0]!.key = 'full_name';
    await publish(next);

    const section = `${gridSlug.replace(/-/g, '_')}__household__household`;
    expect(await columnsOf(section)).toEqual(['submission_id', 'settlement', 'size', 'water']);
    expect(await columnsOf(`${section}__members`)).toEqual(['id', 'submission_id', 'row_index', 'full_name', 'age']);
    const rows = await owner.query(`SELECT settlement, size::text AS size FROM forms_current.${quoteIdent(section)}`);
    expect(rows.rows).toEqual([{ settlement: 'Village 1', size: '2' }]);
    // The table itself kept the column names the fields first had.
    const table = await owner.query(
      `SELECT village, members_count FROM forms.${quoteIdent(`f${s.templateId}_household`)}`,
    );
    expect(table.rows).toHaveLength(1);
  });

  it('a role granted the views reads them without any right on the tables', async () => {
    const reader = `bi_${t.db.name}`.slice(0, 60);
    const section = `${gridSlug.replace(/-/g, '_')}__household__household`;
    await owner.query(`CREATE ROLE ${quoteIdent(reader)} NOLOGIN`);
    try {
      await owner.query(`GRANT USAGE ON SCHEMA forms_current TO ${quoteIdent(reader)}`);
      await owner.query(`GRANT SELECT ON ALL TABLES IN SCHEMA forms_current TO ${quoteIdent(reader)}`);
      await owner.query('BEGIN');
      await owner.query(`SET LOCAL ROLE ${quoteIdent(reader)}`);
      const rows = await owner.query(`SELECT settlement FROM forms_current.${quoteIdent(section)}`);
      expect(rows.rows).toEqual([{ settlement: 'Village 1' }]);
      await expect(owner.query(`SELECT * FROM forms.${quoteIdent(`f${s.templateId}_household`)}`)).rejects.toThrow(
        /permission denied/,
      );
      await owner.query('ROLLBACK');
    } finally {
      await owner.query('ROLLBACK').catch(() => {});
      await owner.query(`DROP OWNED BY ${quoteIdent(reader)}`);
      await owner.query(`DROP ROLE ${quoteIdent(reader)}`);
    }
  });

  it('the API returns an older answer under the current keys, and as it was sent with ?as=submitted', async () => {
    const current = await s.submitterApi.get(`/submissions/${firstId}`);
    expect(current.status, JSON.stringify(current.body)).toBe(200);
    expect(current.body.data.templateVersion).toBe(1);
    expect(current.body.data.data).toEqual({
      household: {
        settlement: 'Village 1',
        size: 2,
        water: 'well',
        members: [
          { full_name: 'Ann 1', age: 30 },
          { full_name: 'Bob 1', age: 7 },
        ],
      },
    });
    const submitted = await s.submitterApi.get(`/submissions/${firstId}?as=submitted`);
    expect(submitted.body.data.data).toEqual(householdPayload(1));

    const list = await s.builderApi.get(`/templates/${s.templateId}/submissions`);
    expect(list.body.data.items[0].data.household.settlement).toBe('Village 1');
    const listSubmitted = await s.builderApi.get(`/templates/${s.templateId}/submissions?as=submitted`);
    expect(listSubmitted.body.data.items[0].data.household.village).toBe('Village 1');

    const wrong = await s.builderApi.get(`/submissions/${firstId}?as=original`);
    expect(wrong.status).toBe(422);
  });

  it('a new answer lands in the views under the new keys', async () => {
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { settlement: 'Village 2', size: 2.5, water: 'tap', members: [{ full_name: 'Cy', age: 3 }] } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitProcessed(res.body.data.id);
    const section = `${gridSlug.replace(/-/g, '_')}__household__household`;
    const rows = await owner.query(
      `SELECT settlement, size::text AS size FROM forms_current.${quoteIdent(section)} ORDER BY submission_id`,
    );
    expect(rows.rows).toEqual([
      { settlement: 'Village 1', size: '2' },
      { settlement: 'Village 2', size: '2.5' },
    ]);
  });
});
