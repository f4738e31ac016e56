import http from 'node:http';
import { SUBMISSION_COLUMNS } from '../../src/submissions/submissions.repository.js';
import { asOwner, benchDatabase, benchRuntime, envNumber, timed } from '../lib/env.js';
import { accessToken, PASSWORD, seedFixture } from '../lib/fixture.js';
import { send } from '../lib/load.js';
import { stopAll } from '../lib/procs.js';
import { percentile, type Report } from '../lib/report.js';
import { startWeb, type Server } from '../lib/servers.js';
import { wideDefinition } from '../lib/template.js';

const S = 'admin-list';
const PER_PAGE = 20; // admin/admin.ts settings.defaultPerPage

/**
 * BENCH_ADMIN_ROWS (1,000,000) submissions of the 300-field template with small payloads (two
 * answers each); then, as a signed-in admin, the AdminJS list API of submissions (first page, page
 * 20,000 reached by "Next" with its cursor, and by number, filtered by processing status) and the
 * JSON API's keyset page from the middle. Times are
 * client-side wall times of sequential requests on loopback (BENCH_ADMIN_SAMPLES, 30, after 3
 * warm-ups): HTTP and JSON included, not only the server's work. Reference: the SQL @adminjs/sql
 * would run (OFFSET page plus count(*)) run directly. BENCH_EXPLAIN=1 prints the plans.
 */
export async function adminListScenario(report: Report): Promise<void> {
  const rows = envNumber('BENCH_ADMIN_ROWS', 1_000_000);
  const samples = envNumber('BENCH_ADMIN_SAMPLES', 30);
  const page = Math.min(20_000, Math.floor(rows / PER_PAGE / 2));
  const db = await benchDatabase('adminlist');
  const rt = await benchRuntime(db);
  let web: Server | undefined;
  try {
    // The same 300-field template as the other scenarios: list pages populate each row's template.
    // q1 (a text field, 'answer <n>' in every row) is marked searchable: the search box finds it.
    const definition = wideDefinition(300);
    definition.sections[0]!.fields[0]!.searchable = true;
    const fixture = await seedFixture(rt, definition);
    const seeded = await timed(async () => {
      // 80% processed, 10% pending, 10% failed; review statuses mixed; one row a second.
      await rt.pool.query(
        `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status, processed_at,
                                  review_status, submitted_at, created_at, updated_at)
         SELECT $1, 1, $2, $3, jsonb_build_object('part_1', jsonb_build_object('q1', 'answer ' || g, 'q2', g % 1000)),
                CASE g % 10 WHEN 0 THEN 0 WHEN 1 THEN 2 ELSE 1 END, CASE WHEN g % 10 > 1 THEN t END,
                (ARRAY['submitted', 'in_review', 'approved', 'rejected'])[1 + g % 4], t, t, t
           FROM generate_series(1, $4) g, LATERAL (SELECT now() - make_interval(secs => $4 - g) AS t) x`,
        [fixture.templateId, fixture.gridId, fixture.submitter.id, rows],
      );
      // As the owner: statistics as autovacuum would keep them (the list's estimates read them).
      await asOwner(db, 'VACUUM ANALYZE submissions');
    });
    console.log(`[${S}] ${rows.toLocaleString('en-US')} submissions seeded in ${(seeded.ms / 1000).toFixed(1)} s`);

    web = await startWeb(db);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const cookie = await adminCookie(agent, web.base, fixture.admin.email);
    const token = await accessToken(web.base, fixture.admin.email);
    const middle = (
      await rt.pool.query<{ id: string }>('SELECT id FROM submissions ORDER BY id OFFSET $1 LIMIT 1', [
        Math.floor(rows / 2),
      ])
    ).rows[0]!.id;

    const list = '/admin/api/resources/submissions/actions/list';
    // Past the keyset depth the list moves by cursors: page `page` is reached by "Next" from the
    // page before it, whose answer carries the cursor (taken once here, by number).
    const before = await send(agent, `${web.base}${list}?page=${page - 1}`, { headers: { cookie } });
    if (before.status !== 200) throw new Error(`page ${page - 1}: ${before.status} ${before.body.slice(0, 300)}`);
    const cursor = (JSON.parse(before.body) as { meta: { cursors: { next: string } } }).meta.cursors.next;
    const lastId = (JSON.parse(before.body) as { records: { id: string }[] }).records.at(-1)!.id;
    // `adapterSql`: the SQL our adapter runs instead (planner estimate instead of count(*) on large
    // results, deferred join for deep pages), timed alone like the reference: the floor for the API.
    const filter = 'WHERE processing_status = 1';
    const cases = [
      { name: 'first page', path: list, sql: [page0(0), countAll()], adapterSql: [page0(0), estimate()], goal: true },
      {
        name: `page ${page.toLocaleString('en-US')} by "Next" (cursor)`,
        path: `${list}?page=${page}&after=${cursor}`,
        sql: [page0((page - 1) * PER_PAGE), countAll()],
        adapterSql: [keysetPage(lastId), estimate()],
        goal: true,
      },
      {
        name: `page ${page.toLocaleString('en-US')} by number (OFFSET)`,
        path: `${list}?page=${page}`,
        sql: [page0((page - 1) * PER_PAGE), countAll()],
        adapterSql: [deferredPage((page - 1) * PER_PAGE), estimate()],
        goal: false,
      },
      {
        name: 'filtered by processing status',
        path: `${list}?filters.processing_status=1`,
        sql: [page0(0, filter), countAll(filter)],
        adapterSql: [page0(0, filter), estimate(filter)],
        goal: true,
      },
      // The search box. Reference: the page and count on the search index alone (bitmap scans, as
      // the adapter runs a rare text), or for a common word the page PostgreSQL plans on its own.
      // (Left to plan a rare text itself, PostgreSQL walks the key's index: a full scan, seconds.)
      ...[
        { what: 'a rare answer (1 row)', text: `answer ${Math.floor(rows / 2) + 7}`, common: false },
        { what: 'a text no row holds', text: 'ridge', common: false },
        { what: 'a word every row holds', text: 'answer', common: true },
        { what: 'an id', text: middle, common: false },
      ].map((s) => ({
        name: `search, ${s.what}`,
        path: `${list}?filters.%24search=${encodeURIComponent(s.text)}`,
        sql: s.common
          ? [naiveSearch(s.text)]
          : [
              'BEGIN',
              'SET LOCAL enable_indexscan = off',
              'SET LOCAL enable_seqscan = off',
              naiveSearch(s.text),
              countSearch(s.text),
              'COMMIT',
            ],
        adapterSql: [],
        goal: true,
        goalMs: 50,
      })),
      {
        name: 'JSON API, keyset page from the middle',
        path: `/api/v1/templates/${fixture.templateId}/submissions?limit=20&cursor=${middle}`,
        sql: [
          `SELECT ${SUBMISSION_COLUMNS} FROM submissions WHERE template_id = ${fixture.templateId} AND id < ${middle} ORDER BY id DESC LIMIT 21`,
        ],
        adapterSql: [],
        goal: false,
      },
    ];
    const client = await rt.pool.connect();
    try {
      const runSql = (statements: string[]) =>
        sample(
          samples,
          async () =>
            (
              await timed(async () => {
                for (const q of statements) await client.query(q);
              })
            ).ms,
        );
      for (const c of cases) {
        const headers: Record<string, string> = c.path.startsWith('/api/')
          ? { authorization: `Bearer ${token}` }
          : { cookie };
        let bytes = 0;
        const times = await sample(samples, async () => {
          const answer = await send(agent, `${web!.base}${c.path}`, { headers });
          if (answer.status !== 200) throw new Error(`${c.path}: ${answer.status} ${answer.body.slice(0, 300)}`);
          bytes = Buffer.byteLength(answer.body);
          return answer.ms;
        });
        console.log(`[${S}] ${c.name}: response ${(bytes / 1024).toFixed(1)} KB`);
        const refTimes = await runSql(c.sql);
        const ref = (p: number) => ({
          name:
            c.sql.filter((q) => /^SELECT/.test(q)).length > 1
              ? 'the same SQL directly (page + count)'
              : 'the same SQL directly',
          value: percentile(refTimes, p),
        });
        const goalMs = 'goalMs' in c ? c.goalMs : 30;
        const goal = c.goal ? { text: `< ${goalMs} ms`, maxMs: goalMs } : undefined;
        report.time(S, `${c.name}: p50`, percentile(times, 50), ref(50));
        report.time(S, `${c.name}: p95`, percentile(times, 95), ref(95), goal);
        const how =
          c.sql[0] === c.adapterSql[0] ? '' : c.adapterSql[0]?.includes(' JOIN ') ? ', deferred join' : ', keyset';
        if (c.adapterSql.length)
          report.time(
            S,
            `diagnostic: the adapter's SQL alone for ${c.name} (estimate${how}): p95`,
            percentile(await runSql(c.adapterSql), 95),
            ref(95),
          );
        if (process.env.BENCH_EXPLAIN === '1')
          for (const q of [...c.sql, ...c.adapterSql].filter((q) => q.startsWith('SELECT'))) await explain(client, q);
      }
    } finally {
      client.release();
    }
    agent.destroy();
  } finally {
    await stopAll([web?.child]);
    await rt.close();
    await db.drop();
  }
}

// The SQL @adminjs/sql issues through our GridbookResource for an admin (no scope): page and count.
const page0 = (offset: number, where = '') =>
  `SELECT ${SUBMISSION_COLUMNS} FROM submissions ${where} ORDER BY id DESC, id ASC LIMIT ${PER_PAGE} OFFSET ${offset}`;
const countAll = (where = '') => `SELECT count(*) AS n FROM submissions ${where}`;
const searchWhere = (text: string) =>
  `WHERE search_document @@ gridbook_search_query('${text.replace(/'/g, "''")}')` +
  (/^\d+$/.test(text) ? ` OR id = ${text}` : '');
const naiveSearch = (text: string) =>
  `SELECT ${SUBMISSION_COLUMNS} FROM submissions ${searchWhere(text)} ORDER BY id DESC LIMIT ${PER_PAGE}`;
const countSearch = (text: string) => `SELECT count(*) AS n FROM submissions ${searchWhere(text)}`;
// What GridbookResource runs instead: the planner's row estimate (exact count only when it is
// small), and the page's ids found on the primary key alone (index-only) before fetching 20 rows.
const estimate = (where = '') => `EXPLAIN (FORMAT JSON) SELECT 1 FROM submissions ${where}`;
const deferredPage = (offset: number) =>
  `SELECT ${SUBMISSION_COLUMNS} FROM submissions JOIN (SELECT id FROM submissions ORDER BY id DESC LIMIT ` +
  `${PER_PAGE} OFFSET ${offset}) page USING (id) ORDER BY id DESC`;

// A page past the keyset depth, from the cursor of the last row before it (sorted by the key).
const keysetPage = (lastId: string) =>
  `SELECT ${SUBMISSION_COLUMNS} FROM submissions WHERE id < ${lastId} ORDER BY id DESC LIMIT ${PER_PAGE}`;

async function sample(count: number, run: () => Promise<number>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await run());
  return times;
}

/** Signs in through the admin login form, as a browser does; returns the session cookie. */
async function adminCookie(agent: http.Agent, base: string, email: string): Promise<string> {
  const answer = await send(agent, `${base}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ email, password: PASSWORD }).toString(),
  });
  const cookie = [answer.headers['set-cookie'] ?? []].flat()[0]?.split(';')[0];
  if (answer.status !== 302 || !cookie) throw new Error(`admin login: ${answer.status} ${answer.body.slice(0, 300)}`);
  return cookie;
}

async function explain(
  pool: { query(sql: string): Promise<{ rows: Record<string, string>[] }> },
  sql: string,
): Promise<void> {
  const plan = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
  console.log(
    `\n[${S}] EXPLAIN (ANALYZE, BUFFERS) ${sql.slice(0, 140)}\n${plan.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`,
  );
}
