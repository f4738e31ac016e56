import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateCatalog } from '../../src/templates/catalog.js';
import type { Pool } from '../../src/db/pool.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser, type TestUser } from '../helpers/factories.js';

const text = (id: string, key: string, rules: Record<string, unknown> = {}) => ({
  id,
  key,
  label: key,
  type: 'text',
  rules,
});

function surveyDefinition() {
  return {
    sections: [
      {
        id: 's_household',
        key: 'household',
        label: 'Household',
        fields: [
          { id: 'f_village', key: 'village', label: 'Village', type: 'text', rules: { required: true } },
          { id: 'f_age', key: 'age', label: 'Age', type: 'integer' },
          { id: 'f_code', key: 'code', label: 'Code', type: 'text' },
          {
            id: 'f_water',
            key: 'water',
            label: 'Water',
            type: 'single_choice',
            options: [
              { value: 'well', label: 'Well' },
              { value: 'tap', label: 'Tap' },
            ],
          },
        ],
        tables: [
          {
            id: 't_members',
            key: 'members',
            label: 'Members',
            columns: [
              { id: 'f_mname', key: 'name', label: 'Name', type: 'text' },
              { id: 'f_mborn', key: 'born', label: 'Born', type: 'date' },
            ],
          },
        ],
      },
    ],
  };
}

/** Inserts processed submissions with their section rows directly (the worker's job, issue 4). */
async function seedRows(
  pool: Pool,
  templateId: string,
  table: string,
  rows: Record<string, unknown>[],
  user: TestUser,
  gridId: string,
) {
  const ids: string[] = [];
  for (const row of rows) {
    const sub = await pool.query<{ id: string }>(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status)
       VALUES ($1, (SELECT current_version FROM templates WHERE id = $1), $2, $3, $4, 1) RETURNING id`,
      [templateId, gridId, user.id, JSON.stringify({ household: row })],
    );
    const id = sub.rows[0]!.id;
    const cols = Object.keys(row);
    await pool.query(
      `INSERT INTO forms."${table}" (submission_id${cols.map((c) => `, "${c}"`).join('')}) VALUES ($1${cols.map((_, i) => `, $${i + 2}`).join('')})`,
      [id, ...Object.values(row)],
    );
    ids.push(id);
  }
  return ids;
}

const columnsOf = async (pool: Pool, table: string) =>
  (
    await pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'forms' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    )
  ).rows.map((r) => `${r.column_name}:${r.data_type}`);

describe('publishing templates into real tables', () => {
  let t: TestApp;
  let builder: TestUser;
  let api: ApiClient;
  let gridId: string;
  beforeAll(async () => {
    t = await setupApp();
    builder = await createUser(t.rt.pool, { role: 'builder' });
    gridId = (await createGrid(t.rt, builder, [], { slug: 'survey-grid' })).id;
    api = await new ApiClient(t.baseUrl).login(builder.email, builder.password);
  });
  afterAll(() => t.close());

  const createTemplate = async (slug: string, definition: unknown) => {
    const res = await api.post(`/grids/${gridId}/templates`, { slug, title: slug, definition });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data.id as string;
  };
  const setDefinition = async (id: string, definition: unknown) => {
    const res = await api.put(`/templates/${id}/definition`, definition);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  it('plans, then publishes a first version: section and child tables, typed columns, one version row', async () => {
    const id = await createTemplate('survey', surveyDefinition());
    const plan = await api.post(`/templates/${id}/plan`);
    expect(plan.status).toBe(200);
    expect(plan.body.data.ok).toBe(true);
    expect(plan.body.data.statements.map((s: { sql: string }) => s.sql.split('\n')[0])).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "forms"',
      `CREATE TABLE "forms"."f${id}_household" (`,
      `CREATE TABLE "forms"."f${id}_household__members" (`,
    ]);
    // The plan changes nothing.
    expect(await columnsOf(t.rt.pool, `f${id}_household`)).toEqual([]);

    const published = await api.post(`/templates/${id}/publish`, { expectedVersion: 0 });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.data.version).toBe(1);
    expect(await columnsOf(t.rt.pool, `f${id}_household`)).toEqual([
      'submission_id:bigint',
      'village:text',
      'age:bigint',
      'code:text',
      'water:text',
    ]);
    expect(await columnsOf(t.rt.pool, `f${id}_household__members`)).toEqual([
      'id:bigint',
      'submission_id:bigint',
      'row_index:integer',
      'name:text',
      'born:date',
    ]);
    const version = await t.rt.pool.query('SELECT ddl, naming FROM template_versions WHERE template_id = $1', [id]);
    expect(version.rows[0].ddl).toHaveLength(3);
    // The version says who published it in words (the builder's versions tab shows this, not a user id).
    const template = await api.get(`/templates/${id}`);
    expect(template.body.data.versions[0]).toMatchObject({
      version: 1,
      publishedBy: builder.id,
      publishedByName: builder.name,
    });
    expect(version.rows[0].naming.sections.s_household.columns.f_village).toEqual({ name: 'village' });
    const schema = await api.get(`/templates/${id}/schema`);
    expect(schema.body.data.properties.household.required).toEqual(['village']);
    const audit = await t.rt.pool.query(
      `SELECT after FROM audit_log WHERE action = 'template.publish' AND entity_id = $1`,
      [id],
    );
    expect(audit.rows[0].after.version).toBe(1);

    // Compiled rules are kept per version (versions never change).
    const v1 = await t.rt.catalog.version(id, 1);
    expect(await t.rt.catalog.version(id, 1)).toBe(v1);
    expect(v1.rules.check({ household: { village: 'x' } })).toEqual([]);
    // A node that learns of the publish (or starts) compiles the current version before any answer.
    const elsewhere = new TemplateCatalog(t.rt.pool);
    expect(await elsewhere.warm(id)).toBe(1);
    expect(await elsewhere.warm(null)).toBeGreaterThanOrEqual(1);

    const again = await api.post(`/templates/${id}/publish`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('Nothing to publish: the working definition is the same as version 1');
  });

  it('evolves on live data: add, rename and remove keep every row; a failing retype is refused and changes nothing', async () => {
    const id = await createTemplate('evolve', surveyDefinition());
    await api.post(`/templates/${id}/publish`);
    const table = `f${id}_household`;
    const subs = await seedRows(
      t.rt.pool,
      id,
      table,
      [
        { village: 'Alpha', age: 30, code: '12', water: 'well' },
        { village: 'Beta', age: 41, code: 'x9', water: 'tap' },
        { village: 'Gamma', age: 52, code: '7', water: 'tap' },
      ],
      builder,
      gridId,
    );

    // v2: rename village -> hamlet, remove water, add notes, retype code text -> integer (fails on "x9").
    const def = surveyDefinition();
    const fields = def.sections[0]!.fields as Record<string, unknown>[];
    fields[0]!.key = 'hamlet';
    fields[0]!.label = 'Hamlet';
    fields.splice(3, 1);
    fields.push(text('f_notes', 'notes'));
    fields[2]!.type = 'integer';
    await setDefinition(id, def);

    const plan = await api.post(`/templates/${id}/plan`);
    expect(plan.body.data.ok).toBe(false);
    const typeCheck = plan.body.data.checks.find((c: { rule: string }) => c.rule === 'type');
    expect(typeCheck).toMatchObject({ field: 'household.code', failing: 1, examples: [subs[1]] });
    expect(plan.body.data.changes).toEqual(
      expect.arrayContaining([
        'rename household.village to household.hamlet (column village kept)',
        `remove household.water (column water kept, retired)`,
        'add field household.notes',
        'change household.code from text to integer',
      ]),
    );

    const before = await columnsOf(t.rt.pool, table);
    const refused = await api.post(`/templates/${id}/publish`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      'Publish refused: 1 existing row of household.code fails "converts from text to integer"',
    );
    expect(refused.body.error.details[0]).toMatchObject({ path: 'household.code', code: 'type' });
    expect(refused.body.error.details[0].message).toContain(`for example submissions ${subs[1]}`);
    // Nothing changed: no column added, no version written.
    expect(await columnsOf(t.rt.pool, table)).toEqual(before);
    expect(
      (await t.rt.pool.query('SELECT count(*)::int AS n FROM template_versions WHERE template_id = $1', [id])).rows[0]
        .n,
    ).toBe(1);

    // Fix the data; the same retype now passes and converts the values.
    await t.rt.pool.query(`UPDATE forms."${table}" SET code = '9' WHERE submission_id = $1`, [subs[1]]);
    const ok = await api.post(`/templates/${id}/publish`, { expectedVersion: 1 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(await columnsOf(t.rt.pool, table)).toEqual([
      'submission_id:bigint',
      'village:text',
      'age:bigint',
      'code:bigint',
      'water:text',
      'notes:text',
    ]);
    const rows = await t.rt.pool.query(
      `SELECT submission_id, village, age, code, water, notes FROM forms."${table}" ORDER BY submission_id`,
    );
    expect(rows.rows).toEqual([
      { submission_id: subs[0], village: 'Alpha', age: '30', code: '12', water: 'well', notes: null },
      { submission_id: subs[1], village: 'Beta', age: '41', code: '9', water: 'tap', notes: null },
      { submission_id: subs[2], village: 'Gamma', age: '52', code: '7', water: 'tap', notes: null },
    ]);
    const naming = (
      await t.rt.pool.query('SELECT naming FROM template_versions WHERE template_id = $1 AND version = 2', [id])
    ).rows[0].naming;
    expect(naming.sections.s_household.columns.f_water).toEqual({ name: 'water', retired: true });
    expect(naming.sections.s_household.columns.f_village).toEqual({ name: 'village' });
  });

  it('reports every failing row of a check with its value, in pages and as CSV', async () => {
    const id = await createTemplate('report', surveyDefinition());
    await api.post(`/templates/${id}/publish`);
    // 45 rows: 30 codes that do not convert to integer (more than the 20 examples), 15 that do.
    const codes = Array.from({ length: 45 }, (_, i) => (i % 3 === 0 ? String(i) : i === 1 ? '=1+1' : `code ${i}`));
    const subs = await seedRows(
      t.rt.pool,
      id,
      `f${id}_household`,
      codes.map((code) => ({ village: 'V', code })),
      builder,
      gridId,
    );
    const failingCodes = codes.map((code, i) => ({ code, id: subs[i]! })).filter((r) => !/^[0-9]+$/.test(r.code));
    expect(failingCodes).toHaveLength(30);
    // Repeating-table rows breaking a pattern (a check of JavaScript semantics): two per submission.
    const members = `f${id}_household__members`;
    for (const sub of subs.slice(0, 12)) {
      await t.rt.pool.query(
        `INSERT INTO forms."${members}" (submission_id, row_index, name) VALUES ($1, 0, 'Ann'), ($1, 1, 'bob'), ($1, 2, 'cy')`,
        [sub],
      );
    }
    const def = surveyDefinition();
    (def.sections[0]!.fields[2] as Record<string, unknown>).type = 'integer';
    (def.sections[0]!.tables[0]!.columns[0] as Record<string, unknown>).rules = { pattern: '^[A-Z]' };
    await setDefinition(id, def);

    const plan = await api.post(`/templates/${id}/plan`);
    const typeCheck = plan.body.data.checks.find((c: { rule: string }) => c.rule === 'type');
    expect(typeCheck).toMatchObject({ field: 'household.code', failing: 30 });
    expect(typeCheck.examples).toHaveLength(20);
    expect(typeCheck.reportUrl).toBe(`/api/v1/templates/${id}/plan/failures?field=household.code&rule=type`);

    // Paged: every failing row exactly once, in order, with its value.
    const seen: { submissionId: string; row: number | null; value: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: any } = await api.get(
        `${typeCheck.reportUrl.replace('/api/v1', '')}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toMatchObject({
        field: 'household.code',
        rule: 'type',
        description: 'converts from text to integer',
      });
      seen.push(...res.body.data.rows);
      cursor = res.body.data.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(failingCodes.map((r) => ({ submissionId: r.id, row: null, value: r.code })));

    // Table rows: the row counts from 1, as in exports; 'bob' and 'cy' fail in each of 12 submissions.
    const pattern = await api.get(
      `/templates/${id}/plan/failures?field=household.members.name&rule=pattern&limit=1000`,
    );
    expect(pattern.status).toBe(200);
    expect(pattern.body.data.rows).toHaveLength(24);
    expect(pattern.body.data.rows.slice(0, 2)).toEqual([
      { submissionId: subs[0], row: 2, value: 'bob' },
      { submissionId: subs[0], row: 3, value: 'cy' },
    ]);
    expect(pattern.body.data.nextCursor).toBeNull();

    // Whole, as CSV: a header, one line per failing row, a formula-like value neutralised.
    const csv = await fetch(
      `${t.baseUrl}/api/v1/templates/${id}/plan/failures?field=household.code&rule=type&format=csv`,
      { headers: { authorization: `Bearer ${api.token}` } },
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain(`template-${id}-household.code-type-failures.csv`);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('submission_id,row,value');
    expect(lines).toHaveLength(31);
    expect(lines[1]).toBe(`${subs[1]},,'=1+1`);
    expect(lines[2]).toBe(`${subs[2]},,code 2`);

    // Asking for a check the plan does not have, or with a made-up cursor: a clear refusal.
    const unknown = await api.get(`/templates/${id}/plan/failures?field=household.age&rule=max`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(
      `The plan of template ${id} has no check "max" on household.age (its checks: household.code:type, household.members.name:pattern)`,
    );
    const badCursor = await api.get(`/templates/${id}/plan/failures?field=household.code&rule=type&cursor=x`);
    expect(badCursor.status).toBe(422);
    expect(badCursor.body.error.details).toEqual([{ path: 'cursor', message: 'is not a cursor this report returned' }]);
  });

  it("converts with the builder's choices: map given values, then refuse, null or quarantine the rest, recorded with counts", async () => {
    const id = await createTemplate('choices', surveyDefinition());
    await api.post(`/templates/${id}/publish`);
    const table = `f${id}_household`;
    const codes = ['12', ' 7 ', 'twelve', 'N/A', 'x', '', null];
    const subs = await seedRows(
      t.rt.pool,
      id,
      table,
      codes.map((code) => ({ village: 'V', code })),
      builder,
      gridId,
    );
    const def = surveyDefinition();
    (def.sections[0]!.fields[2] as Record<string, unknown>).type = 'integer';
    await setDefinition(id, def);
    const map = { twelve: 12, 'N/A': null };

    // The map alone leaves 'x': still refused, and the plan says what the map would do.
    const mapped = await api.post(`/templates/${id}/plan`, { conversions: { 'household.code': { map } } });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    expect(mapped.body.data.ok).toBe(false);
    expect(mapped.body.data.checks.find((c: { rule: string }) => c.rule === 'type')).toMatchObject({
      failing: 1,
      examples: [subs[4]],
    });
    expect(mapped.body.data.conversions).toEqual([
      { field: 'household.code', onFailure: 'refuse', mappedRows: 2, unconvertedRows: 1 },
    ]);

    // A map value that is no integer, or a choice for a field with no type change: refused, nothing changed.
    const badMap = await api.post(`/templates/${id}/publish`, {
      conversions: { 'household.code': { map: { twelve: 'dozen' }, onFailure: 'null' } },
    });
    expect(badMap.status).toBe(409);
    expect(badMap.body.error.details).toEqual([
      {
        path: 'household.code',
        code: 'map',
        message: '1 existing row fail "each value the map gives converts to integer": dozen',
      },
    ]);
    const stray = await api.post(`/templates/${id}/plan`, { conversions: { 'household.age': { onFailure: 'null' } } });
    expect(stray.status).toBe(422);
    expect(stray.body.error.details[0].path).toBe('conversions.household.age');
    expect(await columnsOf(t.rt.pool, table)).toContain('code:text');

    // Quarantine: converted where it converts or is mapped, the rest kept as text beside it.
    const plan = await api.post(`/templates/${id}/plan`, {
      conversions: { 'household.code': { map, onFailure: 'quarantine' } },
    });
    expect(plan.body.data.ok).toBe(true);
    expect(plan.body.data.checks.find((c: { rule: string }) => c.rule === 'type')).toMatchObject({
      failing: 1,
      resolution: 'quarantine',
    });
    const published = await api.post(`/templates/${id}/publish`, {
      expectedVersion: 1,
      conversions: { 'household.code': { map, onFailure: 'quarantine' } },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const summary = {
      field: 'household.code',
      onFailure: 'quarantine',
      quarantineColumn: 'code__unconverted',
      mappedRows: 2,
      unconvertedRows: 1,
    };
    expect(published.body.data.plan.conversions).toEqual([summary]);
    const rows = await t.rt.pool.query(
      `SELECT submission_id, code, code__unconverted FROM forms."${table}" ORDER BY submission_id`,
    );
    expect(rows.rows).toEqual(
      [
        ['12', null],
        ['7', null],
        ['12', null],
        [null, null],
        [null, 'x'],
        [null, null],
        [null, null],
      ].map(([code, kept], i) => ({
        submission_id: subs[i],
        code,
        code__unconverted: kept,
      })),
    );
    // Recorded in the version and the audit entry; shown in exports beside the field.
    const version = await t.rt.pool.query(
      `SELECT checks, naming FROM template_versions WHERE template_id = $1 AND version = 2`,
      [id],
    );
    expect(version.rows[0].checks.find((c: { rule: string }) => c.rule === 'type')).toMatchObject({
      failing: 1,
      resolution: 'quarantine',
    });
    expect(version.rows[0].naming.sections.s_household.quarantine).toEqual({ f_code: 'code__unconverted' });
    // The view under current names shows them too.
    const view = await t.rt.pool.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'forms_current' AND table_name LIKE ` +
        `'%choices__household' ORDER BY ordinal_position`,
    );
    expect(view.rows.map((r) => r.column_name)).toContain('code__unconverted');
    const audit = await t.rt.pool.query(
      `SELECT after FROM audit_log WHERE action = 'template.publish' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
      [id],
    );
    expect(audit.rows[0].after.conversions).toEqual([summary]);
    await t.rt.pool.query(`UPDATE submissions SET processing_status = 1 WHERE template_id = $1`, [id]);
    const csv = await fetch(`${t.baseUrl}/api/v1/templates/${id}/export?format=csv`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toContain(',Code,Code (unconverted),');
    expect(lines[5]).toContain(',,x,');

    // Null: a later change to a date sets what does not convert to null.
    const def3 = structuredClone(def);
    (def3.sections[0]!.fields[2] as Record<string, unknown>).type = 'text';
    await setDefinition(id, def3);
    expect((await api.post(`/templates/${id}/publish`)).status).toBe(201);
    await t.rt.pool.query(
      `UPDATE forms."${table}" SET code = CASE WHEN submission_id = $1 THEN '2024-02-29' ELSE 'soon' END WHERE code IS NOT NULL`,
      [subs[0]],
    );
    (def3.sections[0]!.fields[2] as Record<string, unknown>).type = 'date';
    await setDefinition(id, def3);
    const nulled = await api.post(`/templates/${id}/publish`, {
      conversions: { 'household.code': { onFailure: 'null' } },
    });
    expect(nulled.status, JSON.stringify(nulled.body)).toBe(201);
    expect(nulled.body.data.plan.conversions).toEqual([
      { field: 'household.code', onFailure: 'null', mappedRows: 0, unconvertedRows: 2 },
    ]);
    const dates = await t.rt.pool.query(
      `SELECT to_char(code, 'YYYY-MM-DD') AS code FROM forms."${table}" WHERE code IS NOT NULL`,
    );
    expect(dates.rows).toEqual([{ code: '2024-02-29' }]);
  });

  it('refuses tightened rules that existing rows break, with the count and the ids', async () => {
    const id = await createTemplate('tighten', surveyDefinition());
    await api.post(`/templates/${id}/publish`);
    const subs = await seedRows(
      t.rt.pool,
      id,
      `f${id}_household`,
      [
        { village: 'Same', age: 10 },
        { village: 'Same', age: 130 },
        { village: 'Other', age: null },
      ],
      builder,
      gridId,
    );
    const def = surveyDefinition();
    const fields = def.sections[0]!.fields as { rules?: Record<string, unknown> }[];
    fields[0]!.rules = { required: true, unique: true };
    fields[1]!.rules = { required: true, max: 120 };
    await setDefinition(id, def);
    const plan = await api.post(`/templates/${id}/plan`);
    const byRule = Object.fromEntries(
      plan.body.data.checks.map((c: { field: string; rule: string; failing: number; examples: string[] }) => [
        `${c.field}:${c.rule}`,
        c,
      ]),
    );
    expect(byRule['household.village:unique']).toMatchObject({ failing: 2, examples: [subs[0], subs[1]] });
    expect(byRule['household.age:required']).toMatchObject({ failing: 1, examples: [subs[2]] });
    expect(byRule['household.age:max']).toMatchObject({ failing: 1, examples: [subs[1]] });
    const refused = await api.post(`/templates/${id}/publish`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.map((d: { path: string; code: string }) => `${d.path}:${d.code}`)).toEqual([
      'household.village:unique',
      'household.age:required',
      'household.age:max',
    ]);
    const indexes = await t.rt.pool.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'forms' AND tablename = $1 AND indexname LIKE '%village%'`,
      [`f${id}_household`],
    );
    expect(indexes.rowCount).toBe(0);

    // With the data fixed the unique rule lands: the answers' values are reserved (the unique
    // check reads the answers themselves; the other rules, the typed rows), and a new duplicate is
    // refused at the door. The typed table gets no unique index.
    await t.rt.pool.query(
      `UPDATE submissions SET payload = jsonb_set(payload, '{household,village}', '"Third"') WHERE id = $1`,
      [subs[1]],
    );
    await t.rt.pool.query(`UPDATE forms."f${id}_household" SET village = 'Third', age = 99 WHERE submission_id = $1`, [
      subs[1],
    ]);
    await t.rt.pool.query(`UPDATE forms."f${id}_household" SET age = 5 WHERE submission_id = $1`, [subs[2]]);
    expect((await api.post(`/templates/${id}/publish`)).status).toBe(201);
    const reserved = await t.rt.pool.query(
      `SELECT value, submission_id FROM submission_unique_values WHERE template_id = $1 ORDER BY submission_id`,
      [id],
    );
    expect(reserved.rows).toEqual([
      { value: 'same', submission_id: subs[0] },
      { value: 'third', submission_id: subs[1] },
      { value: 'other', submission_id: subs[2] },
    ]);
    const duplicate = await api.post(`/templates/${id}/submissions`, {
      data: { household: { village: ' SAME', age: 30 } },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({
      code: 'DUPLICATE_VALUE',
      details: [{ path: 'household.village', submissionId: subs[0] }],
    });
    const uniqueIndexes = await t.rt.pool.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'forms' AND tablename = $1 AND indexdef LIKE 'CREATE UNIQUE%' AND indexname <> $2`,
      [`f${id}_household`, `f${id}_household_pkey`],
    );
    expect(uniqueIndexes.rows).toEqual([]);
  });

  it('serializes concurrent publishes of one template: clean versions or a clear conflict, never half a table', async () => {
    const id = await createTemplate('race', surveyDefinition());
    const results = await Promise.all([
      api.post(`/templates/${id}/publish`),
      api.post(`/templates/${id}/publish`),
      api.post(`/templates/${id}/publish`),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.error.message).toMatch(/Nothing to publish/);
    const versions = await t.rt.pool.query('SELECT version FROM template_versions WHERE template_id = $1', [id]);
    expect(versions.rows).toEqual([{ version: 1 }]);

    // Two publishes of two different working definitions, one after the other, racing.
    const def = surveyDefinition();
    (def.sections[0]!.fields as unknown[]).push(text('f_extra', 'extra'));
    await setDefinition(id, def);
    const [a, b] = await Promise.all([
      api.post(`/templates/${id}/publish`, { expectedVersion: 1 }),
      api.post(`/templates/${id}/publish`, { expectedVersion: 1 }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.message).toMatch(/is at version 2, not 1: someone published meanwhile|Nothing to publish/);
    expect(await columnsOf(t.rt.pool, `f${id}_household`)).toContain('extra:text');
  });

  it('rolls everything back when one statement fails: no version, no half-created table', async () => {
    const id = await createTemplate('rollback', surveyDefinition());
    await api.post(`/templates/${id}/publish`);
    const def = surveyDefinition();
    (def.sections[0]!.fields as unknown[]).push(text('f_added', 'added'));
    def.sections.push({
      id: 's_second',
      key: 'second',
      label: 'Second',
      fields: [text('f_s1', 'one')],
      tables: [],
    } as never);
    await setDefinition(id, def);
    // Something else already holds the name the new section's table will take.
    await t.rt.pool.query(`CREATE TABLE forms."f${id}_second" (x int)`);
    const res = await api.post(`/templates/${id}/publish`);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toMatch(/CREATE TABLE|at .*\.ts/);
    expect(await columnsOf(t.rt.pool, `f${id}_household`)).not.toContain('added:text');
    expect(
      (await t.rt.pool.query('SELECT current_version FROM templates WHERE id = $1', [id])).rows[0].current_version,
    ).toBe(1);
    expect(
      (await t.rt.pool.query('SELECT count(*)::int AS n FROM template_versions WHERE template_id = $1', [id])).rows[0]
        .n,
    ).toBe(1);
    await t.rt.pool.query(`DROP TABLE forms."f${id}_second"`);
    expect((await api.post(`/templates/${id}/publish`)).status).toBe(201);
  });

  it('publishes hostile keys safely, and refuses the ones that cannot be keys', async () => {
    const long = 'k'.repeat(70);
    const keys = ['select', 'user', 'id', 'xmin', 'Straße', '名前', `${long}aaaaaaaaaa`, `${long}bbbbbbbbbb`];
    const def = {
      sections: [{ id: 's_hostile', key: 'from', label: 'From', fields: keys.map((k, i) => text(`f_h${i}x`, k)) }],
    };
    const id = await createTemplate('hostile', def);
    const res = await api.post(`/templates/${id}/publish`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const cols = await columnsOf(t.rt.pool, `f${id}_from`);
    expect(cols.slice(0, 7)).toEqual([
      'submission_id:bigint',
      'select:text',
      'user:text',
      'id_:text',
      'xmin_:text',
      'strasse:text',
      'f_h5x:text',
    ]);
    expect(cols[7]).not.toBe(cols[8]);
    expect(cols.every((c) => Buffer.byteLength(c.split(':')[0]!) <= 63)).toBe(true);

    const bad = await api.put(`/templates/${id}/definition`, {
      sections: [{ id: 's_hostile', key: 'from', label: 'From', fields: [text('f_evil', 'a";drop table x;--')] }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0]).toEqual({
      path: 'sections[0].fields[0].key',
      message:
        '"a";drop table x;--" must start with a letter or underscore and hold only letters, digits and underscores',
    });
  });

  it('publishes 1,000 fields over sections, and refuses one section wider than a table can be', async () => {
    const types = ['text', 'integer', 'decimal', 'boolean', 'date'] as const;
    const sections = Array.from({ length: 4 }, (_, s) => ({
      id: `s_w${s}xx`,
      key: `part_${s}`,
      label: `Part ${s}`,
      fields: Array.from({ length: 250 }, (_, i) => ({
        id: `f_w${s}_${i}`,
        key: `q${i}`,
        label: `Question ${i}`,
        type: types[i % 5],
      })),
    }));
    const id = await createTemplate('wide', { sections });
    const res = await api.post(`/templates/${id}/publish`);
    expect(res.status).toBe(201);
    expect(res.body.data.plan.fields).toBe(1000);
    expect((await columnsOf(t.rt.pool, `f${id}_part_3`)).length).toBe(251);

    const tooMany = Array.from({ length: 1200 }, (_, i) => ({
      id: `f_t${i}x`,
      key: `q${i}`,
      label: `Q${i}`,
      type: 'boolean',
    }));
    const refused = await api.post(`/grids/${gridId}/templates`, {
      slug: 'too-wide',
      title: 'Too wide',
      definition: { sections: [{ id: 's_big', key: 'big', label: 'Big', fields: tooMany }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(
      /sections\[0\]\.fields: has 1200 fields; a section holds at most 1000 .* split it into several sections/,
    );
  });

  it('purges retired columns only when asked, audited', async () => {
    const id = await createTemplate('purge', surveyDefinition());
    await api.post(`/templates/${id}/publish`);
    const def = surveyDefinition();
    (def.sections[0]!.fields as unknown[]).splice(2, 1); // remove code
    await setDefinition(id, def);
    await api.post(`/templates/${id}/publish`);
    expect(await columnsOf(t.rt.pool, `f${id}_household`)).toContain('code:text');
    const purged = await api.post(`/templates/${id}/purge-retired`);
    expect(purged.status).toBe(200);
    expect(purged.body.data.dropped).toEqual([{ table: `f${id}_household`, column: 'code' }]);
    expect(await columnsOf(t.rt.pool, `f${id}_household`)).not.toContain('code:text');
    // A new field keyed "code" gets a new column name: names are never reused.
    (def.sections[0]!.fields as unknown[]).push(text('f_code2', 'code'));
    await setDefinition(id, def);
    expect((await api.post(`/templates/${id}/publish`)).status).toBe(201);
    expect(await columnsOf(t.rt.pool, `f${id}_household`)).toContain('code_2:text');
    const again = await api.post(`/templates/${id}/purge-retired`);
    expect(again.status).toBe(409);
  });

  it('lets only the grid builders and managers publish; others do not see the template', async () => {
    const id = await createTemplate('guarded', surveyDefinition());
    const submitter = await createUser(t.rt.pool, { role: 'submitter' });
    await t.rt.services.grids.addMember(
      { actor: { id: builder.id, email: builder.email, role: 'builder' }, requestId: null, ip: null },
      gridId,
      { userId: submitter.id, role: 'submitter' },
    );
    const asSubmitter = await new ApiClient(t.baseUrl).login(submitter.email, submitter.password);
    expect((await asSubmitter.get(`/templates/${id}`)).status).toBe(200);
    const denied = await asSubmitter.post(`/templates/${id}/publish`);
    expect(denied.status).toBe(403);
    const outsider = await createUser(t.rt.pool, { role: 'builder' });
    const asOutsider = await new ApiClient(t.baseUrl).login(outsider.email, outsider.password);
    expect((await asOutsider.post(`/templates/${id}/publish`)).status).toBe(404);
    expect((await asOutsider.get(`/templates/${id}`)).status).toBe(404);
    expect((await new ApiClient(t.baseUrl).post(`/templates/${id}/publish`)).status).toBe(401);
  });
});
