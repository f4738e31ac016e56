import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualifiedName } from '../../src/db/identifiers.js';
import {
  insertProjectedRows,
  layoutTables,
  projectableInDatabase,
  projectPayload,
} from '../../src/submissions/projection.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { publishedSurvey, waitFor, type Survey } from '../helpers/forms.js';

/** A key in another script: its column is named by the naming module, the payload is read by the key. */
const LONG_KEY = `région_${'é'.repeat(24)}`;

function visitDefinition() {
  const options = [
    { value: 'a', label: 'A' },
    { value: 'b', label: 'B' },
    { value: 'c', label: 'C' },
  ];
  return {
    sections: [
      {
        id: 's_visit',
        key: 'visit',
        label: 'Visit',
        fields: [
          { id: 'f_name', key: 'name', label: 'Name', type: 'text' },
          { id: 'f_notes', key: 'notes', label: 'Notes', type: 'long_text' },
          { id: 'f_count', key: 'count', label: 'Count', type: 'integer' },
          { id: 'f_weight', key: 'weight', label: 'Weight', type: 'decimal' },
          { id: 'f_ok', key: 'ok', label: 'OK', type: 'boolean' },
          { id: 'f_day', key: 'day', label: 'Day', type: 'date' },
          { id: 'f_at', key: 'at', label: 'At', type: 'datetime' },
          { id: 'f_time', key: 'time', label: 'Time', type: 'time' },
          { id: 'f_mail', key: 'mail', label: 'Mail', type: 'email' },
          { id: 'f_site', key: 'site', label: 'Site', type: 'url' },
          { id: 'f_one', key: 'one', label: 'One', type: 'single_choice', options },
          { id: 'f_many', key: 'many', label: 'Many', type: 'multiple_choice', options },
          { id: 'f_long', key: LONG_KEY, label: 'Long key', type: 'text' },
          { id: 'f_select', key: 'select', label: 'A reserved word', type: 'integer' },
        ],
        tables: [
          {
            id: 't_readings',
            key: 'readings',
            label: 'Readings',
            columns: [
              { id: 'f_rlabel', key: 'label', label: 'Label', type: 'text' },
              { id: 'f_rvalue', key: 'value', label: 'Value', type: 'decimal' },
            ],
          },
        ],
      },
      {
        id: 's_other',
        key: 'other',
        label: 'Other',
        fields: [{ id: 'f_remark', key: 'remark', label: 'Remark', type: 'text' }],
      },
    ],
  };
}

function visitAnswer(i: number): Record<string, unknown> {
  if (i % 7 === 3) return {}; // nothing answered: every column empty, no table rows
  const visit: Record<string, unknown> = {
    name: `Name ${i} "quoted" <b>${"'"}`,
    notes: 'line 1\nline 2 \\ backslash',
    count: i * 1000,
    weight: i % 2 ? 12345678901234.125 : 0.5,
    ok: i % 2 === 0,
    day: '2026-02-28',
    at: '2026-03-01T10:20:30.123Z',
    time: '08:15',
    mail: `u${i}@example.test`,
    site: 'https://example.test/a?b=c',
    one: 'b',
    many: i % 3 ? ['a', 'c'] : [],
    [LONG_KEY]: `long ${i}`,
    select: i,
    readings: Array.from({ length: i % 4 }, (_, r) => ({ label: `r${r}`, value: r + 0.25 })),
  };
  return i % 5 === 1 ? { visit } : { visit, other: { remark: `remark ${i}` } };
}

describe('projection built by PostgreSQL from the stored payloads', () => {
  let t: TestApp;
  let s: Survey;
  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { AUDIT_SEAL_INTERVAL_MS: '60000' } });
    s = await publishedSurvey(t, visitDefinition());
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []) => Number((await t.rt.pool.query(sql, params)).rows[0].n);

  it('writes exactly the rows the Node projection would, for every column type, table rows and long keys', async () => {
    const version = await t.rt.catalog.version(s.templateId, 1);
    expect(projectableInDatabase(version.definition, false)).toBe(true);
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions/batch`, {
      items: Array.from({ length: 40 }, (_, i) => ({ idempotencyKey: `v-${i}`, data: visitAnswer(i) })),
    });
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(res.body.data.created).toBe(40);
    const ids: string[] = res.body.data.items.map((x: { submissionId: string }) => x.submissionId);
    await waitFor(
      () =>
        count('SELECT count(*) AS n FROM submissions WHERE id = ANY ($1::bigint[]) AND processing_status = 1', [ids]),
      (n) => n === 40,
      30_000,
      'processed',
    );

    // The Node projection of the same stored payloads, into empty copies of the tables.
    const layout = await t.rt.catalog.layout(s.templateId);
    const client = await t.rt.pool.connect();
    try {
      for (const table of layoutTables(layout)) {
        await client.query(
          `CREATE TEMP TABLE ${qualifiedName('pg_temp', table.name)} AS SELECT * FROM ${qualifiedName(layout.schema, table.name)} WITH NO DATA`,
        );
      }
      const stored = await client.query<{ id: string; payload: Record<string, unknown> }>(
        'SELECT id, payload FROM submissions WHERE id = ANY ($1::bigint[])',
        [ids],
      );
      const rows = { byTable: new Map() };
      for (const row of stored.rows) projectPayload(String(row.id), row.payload, version.definition, layout, rows);
      await insertProjectedRows(client, { ...layout, schema: 'pg_temp' }, rows);
      let childRows = 0;
      for (const table of layoutTables(layout)) {
        const read = (schema: string) =>
          client.query(
            `SELECT to_jsonb(x) - 'id' AS r FROM ${qualifiedName(schema, table.name)} x ORDER BY x.submission_id, (to_jsonb(x) - 'id')::text`,
          );
        const [sql, node] = [await read(layout.schema), await read('pg_temp')];
        expect(sql.rows.length, table.name).toBe(node.rows.length);
        expect(sql.rows, table.name).toEqual(node.rows);
        if (table.name.endsWith('readings')) childRows = sql.rows.length;
      }
      expect(childRows).toBe(
        Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? 0 : i % 4)).reduce((a, b) => a + b, 0),
      );
    } finally {
      await client.query('DISCARD TEMP').catch(() => {});
      client.release();
    }
    // Values kept exactly (a decimal beyond a double's precision, a long key's column).
    const section = layout.sections.get('s_visit')!;
    const row = (
      await t.rt.pool.query(`SELECT * FROM ${qualifiedName(layout.schema, section.name)} WHERE submission_id = $1`, [
        ids[1],
      ])
    ).rows[0];
    expect(row[section.naming.columns.f_weight!.name]).toBe('12345678901234.125');
    expect(row[section.naming.columns.f_long!.name]).toBe('long 1');
    expect(row[section.naming.columns.f_many!.name]).toEqual(['a', 'c']);
  });

  it('processing twice leaves one set of rows', async () => {
    const layout = await t.rt.catalog.layout(s.templateId);
    const table = qualifiedName(layout.schema, layout.tables.get('t_readings')!.name);
    const before = await count(`SELECT count(*) AS n FROM ${table}`);
    const ids = (
      await t.rt.pool.query<{ id: string }>('SELECT id FROM submissions WHERE template_id = $1', [s.templateId])
    ).rows.map((r) => String(r.id));
    await t.rt.pool.query('UPDATE submissions SET processing_status = 0 WHERE id = ANY ($1::bigint[])', [ids]);
    const outcomes = await t.worker!.processing.processBatch(ids);
    expect([...outcomes.values()].every((o) => o.status === 'processed')).toBe(true);
    expect(await count(`SELECT count(*) AS n FROM ${table}`)).toBe(before);
  });

  it('fails only the submission storage refuses, with a reason naming the field; the others of the batch land', async () => {
    const layout = await t.rt.catalog.layout(s.templateId);
    const section = layout.sections.get('s_visit')!;
    const column = section.naming.columns.f_count!.name;
    await t.rt.pool.query(
      `ALTER TABLE ${qualifiedName(layout.schema, section.name)} ADD CONSTRAINT "${column}_small" CHECK ("${column}" < 1000) NOT VALID`,
    );
    try {
      const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions/batch`, {
        items: [2, 3000, 4].map((n, i) => ({ idempotencyKey: `f-${i}`, data: { visit: { name: `F${i}`, count: n } } })),
      });
      const ids: string[] = res.body.data.items.map((x: { submissionId: string }) => x.submissionId);
      const statuses = await waitFor(
        async () =>
          (
            await t.rt.pool.query(
              'SELECT id, processing_status, processing_error FROM submissions WHERE id = ANY ($1::bigint[]) ORDER BY id',
              [ids],
            )
          ).rows,
        (rows) => rows.every((r) => r.processing_status !== 0),
        30_000,
        'settled',
      );
      expect(statuses.map((r) => r.processing_status)).toEqual([1, 2, 1]);
      expect(statuses[1].processing_error).toContain('Count (visit.count)');
      expect(
        await count(
          `SELECT count(*) AS n FROM ${qualifiedName(layout.schema, section.name)} WHERE submission_id = ANY ($1::bigint[])`,
          [ids],
        ),
      ).toBe(2);
    } finally {
      await t.rt.pool.query(
        `ALTER TABLE ${qualifiedName(layout.schema, section.name)} DROP CONSTRAINT "${column}_small"`,
      );
    }
  });
});
