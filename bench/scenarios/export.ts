import { spawn } from 'node:child_process';
import http from 'node:http';
import { qualifiedName } from '../../src/db/identifiers.js';
import type { Definition } from '../../src/templates/definition.schema.js';
import { benchDatabase, benchRuntime, envNumber } from '../lib/env.js';
import { accessToken, seedFixture } from '../lib/fixture.js';
import type { Report } from '../lib/report.js';
import { startWeb } from '../lib/servers.js';

const SCENARIO = 'export';

/** A household form: text, integer, choice, date, boolean fields and a repeating table. */
const definition: Definition = {
  sections: [
    {
      id: 's_household',
      key: 'household',
      label: 'Household',
      fields: [
        { id: 'f_village', key: 'village', label: 'Village', type: 'text' },
        { id: 'f_head', key: 'head', label: 'Head of household', type: 'text' },
        { id: 'f_size', key: 'size', label: 'Household size', type: 'integer' },
        { id: 'f_income', key: 'income', label: 'Monthly income', type: 'decimal' },
        {
          id: 'f_water',
          key: 'water',
          label: 'Water source',
          type: 'single_choice',
          options: [
            { value: 'well', label: 'Well' },
            { value: 'tap', label: 'Tap' },
          ],
        },
        { id: 'f_visited', key: 'visited', label: 'Visited on', type: 'date' },
        { id: 'f_latrine', key: 'latrine', label: 'Has a latrine', type: 'boolean' },
        { id: 'f_notes', key: 'notes', label: 'Notes', type: 'long_text' },
      ],
      tables: [
        {
          id: 't_members',
          key: 'members',
          label: 'Members',
          columns: [
            { id: 'f_mname', key: 'name', label: 'Name', type: 'text' },
            { id: 'f_mage', key: 'age', label: 'Age', type: 'integer' },
          ],
        },
      ],
    },
  ],
} as Definition;

/** Streams a GET to the end, counting bytes; returns them and the time taken. */
function download(url: string, token: string): Promise<{ bytes: number; ms: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ bytes, ms: performance.now() - started, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The reference: psql's \copy of the same query to standard output, as CSV (PostgreSQL's own writer). */
function psqlCopy(databaseUrl: string, sql: string): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'psql',
      [
        '--no-psqlrc',
        '-q',
        '-d',
        databaseUrl,
        '-c',
        `\\copy (${sql.replace(/\s+/g, ' ')}) TO STDOUT WITH (FORMAT csv, HEADER)`,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve({ bytes, ms: performance.now() - started }) : reject(new Error(`psql failed: ${stderr}`)),
    );
  });
}

/**
 * Exports of BENCH_EXPORT_ROWS processed submissions (1,000,000 by default) through the real web
 * process: CSV and XLSX, streamed over HTTP, with the process's peak RSS sampled while it runs.
 * The data is written straight into the tables (the export reads what processing wrote; how it
 * got there does not matter here). Reference: psql \copy of the same join to CSV.
 */
export async function exportScenario(report: Report): Promise<void> {
  const rows = envNumber('BENCH_EXPORT_ROWS', 1_000_000);
  // Everything in the foreground: the threshold is above the row count.
  const foreground = { EXPORT_ASYNC_THRESHOLD: String(rows * 10) };
  const db = await benchDatabase('export', foreground);
  const rt = await benchRuntime(db);
  try {
    const fixture = await seedFixture(rt, definition);
    const layout = await rt.catalog.layout(fixture.templateId);
    const section = layout.sections.get('s_household')!;
    const members = layout.tables.get('t_members')!;
    const col = (table: typeof section, fieldId: string) => table.naming.columns[fieldId]!.name;

    console.log(`  seeding ${rows.toLocaleString()} processed submissions (and two member rows each)...`);
    const seedStarted = performance.now();
    await rt.pool.query(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status, processed_at, review_status, submitted_at)
       SELECT $1, 1, $2, $3, '{}'::jsonb, 1, now(), 'submitted', now() - make_interval(mins => g) FROM generate_series(1, $4) AS g`,
      [fixture.templateId, fixture.gridId, fixture.submitter.id, rows],
    );
    await rt.pool.query(
      `INSERT INTO ${qualifiedName(layout.schema, section.name)}
         (submission_id, "${col(section, 'f_village')}", "${col(section, 'f_head')}", "${col(section, 'f_size')}", "${col(section, 'f_income')}",
          "${col(section, 'f_water')}", "${col(section, 'f_visited')}", "${col(section, 'f_latrine')}", "${col(section, 'f_notes')}")
       SELECT id, 'Village ' || (id % 5000), CASE WHEN id % 97 = 0 THEN '=HYPERLINK("x")' ELSE 'Head, "of" household ' || id END,
              (id % 12) + 1, (id % 100000) / 100.0, CASE WHEN id % 2 = 0 THEN 'well' ELSE 'tap' END,
              date '2026-01-01' + (id % 300)::int, id % 3 = 0, 'Line one' || E'\\n' || 'line two'
         FROM submissions`,
    );
    await rt.pool.query(
      `INSERT INTO ${qualifiedName(layout.schema, members.name)} (submission_id, row_index, "${col(members, 'f_mname')}", "${col(members, 'f_mage')}")
       SELECT s.id, r, 'Member ' || r, 20 + r FROM submissions s CROSS JOIN generate_series(0, 1) AS r`,
    );
    await rt.pool.query('VACUUM ANALYZE');
    console.log(`  seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);

    const web = await startWeb(db, 'export-web', foreground);
    try {
      const token = await accessToken(web.base, fixture.admin.email);
      const url = (format: string) => `${web.base}/api/v1/templates/${fixture.templateId}/export?format=${format}`;
      // Warm up (code paths, connections), then the baseline: the process at rest after a small export.
      const small = await download(`${url('csv')}&table=household.members`, token);
      if (small.status !== 200) throw new Error(`export answered ${small.status}`);
      web.child.resetPeak();
      await new Promise((r) => setTimeout(r, 500));
      const baseline = web.child.peakRssMb();

      const sql = (
        await rt.services.exports.target(
          { actor: { ...fixture.admin, role: 'admin' }, requestId: 'bench', ip: null },
          fixture.templateId,
          'csv',
        )
      ).sheets[0]!.sql;
      // The plan's one parameter is the template id (a number).
      const reference = await psqlCopy(db.url, sql.replace(/\$1\b/g, String(Number(fixture.templateId))));

      for (const format of ['csv', 'xlsx'] as const) {
        web.child.resetPeak();
        const result = await download(url(format), token);
        if (result.status !== 200) throw new Error(`${format} export answered ${result.status}`);
        const peak = web.child.peakRssMb();
        const rate = (rows / result.ms) * 1000;
        report.rate(
          SCENARIO,
          `${format.toUpperCase()} export of ${rows.toLocaleString()} rows over HTTP`,
          rate,
          'rows/s',
          format === 'csv'
            ? { name: 'psql \\copy of the same query to CSV', value: (rows / reference.ms) * 1000 }
            : undefined,
        );
        report.add({
          scenario: SCENARIO,
          name: `${format.toUpperCase()} export: peak RSS of the web process`,
          value: Math.round(peak),
          unit: 'MB',
          note:
            `${(result.bytes / 1024 / 1024).toFixed(0)} MB sent in ${(result.ms / 1000).toFixed(1)} s; ` +
            `baseline ${Math.round(baseline)} MB at rest, growth ${Math.round(peak - baseline)} MB`,
        });
        console.log(
          `    ${format}: ${(result.bytes / 1024 / 1024).toFixed(0)} MB in ${(result.ms / 1000).toFixed(1)} s, ` +
            `peak RSS ${Math.round(peak)} MB (baseline ${Math.round(baseline)} MB)`,
        );
      }
      console.log(
        `    reference psql \\copy: ${(reference.bytes / 1024 / 1024).toFixed(0)} MB in ${(reference.ms / 1000).toFixed(1)} s`,
      );
    } finally {
      await web.child.stop();
    }
  } finally {
    await rt.close();
    await db.drop();
  }
}
