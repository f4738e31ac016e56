import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionConfig } from '../../src/db/pool.js';
import { AdminClient, signedInClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { definitionProblems } from '../helpers/definitions.js';
import { createGrid, createUser, type TestUser } from '../helpers/factories.js';
import {
  householdDefinition,
  householdPayload,
  publishedSurvey,
  statusCounts,
  waitFor,
  type Survey,
} from '../helpers/forms.js';

/** The household survey with its village searchable (and a searchable long text). */
function searchableDefinition() {
  const definition = householdDefinition();
  const fields = definition.sections[0]!.fields as Record<string, unknown>[];
  fields[0]!.searchable = true;
  fields.push({ id: 'f_notes', key: 'notes', label: 'Notes', type: 'long_text', searchable: true });
  return definition;
}

type ListBody = { records: { id: string; params: Record<string, unknown> }[]; meta: { total: number } };

/**
 * The list search box (`filters.$search`): ids, titles, emails and the answers a template marks
 * searchable, always inside what the user may see, on the GIN index of submissions.
 */
describe('admin list search', () => {
  let t: TestApp;
  let admin: TestUser;
  let survey: Survey;
  let other: TestUser;
  let reviewer: TestUser;
  let outsider: Survey;
  const ids: Record<string, string> = {};
  const clients = new Map<string, AdminClient>();

  const clientOf = (user: TestUser) => signedInClient(clients, t.baseUrl, user);
  const search = async (user: TestUser, resource: string, text: string, extra = '') => {
    const res = await (
      await clientOf(user)
    ).getJson<ListBody>(
      `/admin/api/resources/${encodeURIComponent(resource)}/actions/list?filters.%24search=${encodeURIComponent(text)}${extra}`,
    );
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    return res.body;
  };
  const idsOf = (body: ListBody) => body.records.map((r) => r.id).sort();
  const send = async (api: ApiClient, templateId: string, village: string, notes = '') => {
    const base = householdPayload(1);
    const res = await api.post(`/templates/${templateId}/submissions`, {
      data: { household: { ...base.household, village, notes } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.data.id as string;
  };

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    admin = await createUser(t.rt.pool, { role: 'admin', email: `root-${Date.now()}@example.test` });
    survey = await publishedSurvey(t, searchableDefinition());
    // A second submitter and a reviewer in the same grid; another grid with its own submitter.
    other = await createUser(t.rt.pool, { role: 'submitter', email: `kamau-${Date.now()}@example.test` });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.services.grids.addMember(
      { actor: { id: admin.id, email: admin.email, role: 'admin' }, requestId: null, ip: null },
      survey.gridId,
      { userId: other.id, role: 'submitter' },
    );
    await t.rt.services.grids.addMember(
      { actor: { id: admin.id, email: admin.email, role: 'admin' }, requestId: null, ip: null },
      survey.gridId,
      { userId: reviewer.id, role: 'reviewer' },
    );
    outsider = await publishedSurvey(t, searchableDefinition());
    const otherApi = await new ApiClient(t.baseUrl).login(other.email, other.password);

    ids.mine = await send(survey.submitterApi, survey.templateId, 'Kijiji Alpha', 'borehole near the school');
    ids.mine2 = await send(survey.submitterApi, survey.templateId, 'Mto Beta');
    ids.theirs = await send(otherApi, survey.templateId, 'Alpha Ridge', "O'Brien farm, WP-12345");
    ids.outside = await send(outsider.submitterApi, outsider.templateId, 'Alpha Outside');
  });
  afterAll(() => t.close());

  it('finds submissions by the words of their searchable answers, as prefixes, in any case', async () => {
    expect(idsOf(await search(admin, 'submissions', 'alpha'))).toEqual([ids.mine, ids.theirs, ids.outside].sort());
    expect(idsOf(await search(admin, 'submissions', 'ALPH rid'))).toEqual([ids.theirs]);
    // Long text, punctuation read as spaces: "WP-123" finds "WP-12345", "o'brien" finds "O'Brien".
    expect(idsOf(await search(admin, 'submissions', 'wp-123'))).toEqual([ids.theirs]);
    expect(idsOf(await search(admin, 'submissions', "o'brien"))).toEqual([ids.theirs]);
    expect(idsOf(await search(admin, 'submissions', 'borehole'))).toEqual([ids.mine]);
    // A value of a field not marked searchable (the members' names) is not found.
    expect(idsOf(await search(admin, 'submissions', 'Ann'))).toEqual([]);
    // Nothing that matches: an empty list, not an error; words PostgreSQL's parser skips too.
    expect((await search(admin, 'submissions', 'zzzz-nothing')).records).toEqual([]);
    expect((await search(admin, 'submissions', '!!! %_\\')).records).toEqual([]);
  });

  it('finds a submission by its id and by its submitter’s email', async () => {
    expect(idsOf(await search(admin, 'submissions', ids.mine2!))).toEqual([ids.mine2]);
    expect(idsOf(await search(admin, 'submissions', other.email.split('@')[0]!))).toEqual([ids.theirs]);
  });

  it('never shows a row the user may not see', async () => {
    // The submitter sees their own submissions only, in lists and in searches.
    expect(idsOf(await search(survey.submitter, 'submissions', 'alpha'))).toEqual([ids.mine]);
    expect(idsOf(await search(survey.submitter, 'submissions', ids.theirs!))).toEqual([]);
    expect(idsOf(await search(survey.submitter, 'submissions', other.email))).toEqual([]);
    // A reviewer of the grid sees all of its submissions, none of another grid's.
    expect(idsOf(await search(reviewer, 'submissions', 'alpha'))).toEqual([ids.mine, ids.theirs].sort());
    expect(idsOf(await search(reviewer, 'submissions', ids.outside!))).toEqual([]);
    // Counts follow the same scope.
    expect((await search(survey.submitter, 'submissions', 'alpha')).meta.total).toBe(1);
  });

  it('finds users by email and name, grids and templates by title and slug', async () => {
    expect(idsOf(await search(admin, 'users', other.email.slice(0, 10)))).toEqual([other.id]);
    expect(idsOf(await search(admin, 'users', reviewer.name))).toEqual([reviewer.id]);
    const grid = await createGrid(t.rt, admin, [], { title: 'Coastal water points', slug: 'coastal-water' });
    expect(idsOf(await search(admin, 'grids', 'coastal WATER'.slice(0, 7)))).toEqual([grid.id]);
    expect(idsOf(await search(admin, 'grids', 'coastal-wat'))).toEqual([grid.id]);
    expect(idsOf(await search(admin, 'templates', 'household survey'))).toEqual(
      [survey.templateId, outsider.templateId].sort(),
    );
    expect(idsOf(await search(admin, 'templates', survey.templateId))).toEqual([survey.templateId]);
    // A submitter sees the templates of their grids only.
    expect(idsOf(await search(survey.submitter, 'templates', 'household'))).toEqual([survey.templateId]);
  });

  it('finds rows of a template’s data tables through their submissions’ searchable answers', async () => {
    // The typed rows are written by the worker (running in this test app).
    await waitFor(
      () => statusCounts(t.rt.pool, survey.templateId),
      (c) => c['1'] === 3,
      60_000,
      'projection',
    );
    const resource = `f${survey.templateId}_household`;
    const rows = await search(admin, resource, 'alpha');
    expect(rows.records.map((r) => String(r.params.submission_id)).sort()).toEqual([ids.mine, ids.theirs].sort());
    const own = await search(survey.submitter, resource, 'alpha');
    expect(own.records.map((r) => String(r.params.submission_id))).toEqual([ids.mine]);
  });

  it('ANDs the search with the filters, and ignores a search that is only spaces', async () => {
    const filtered = await search(admin, 'submissions', 'alpha', `&filters.template_id=${survey.templateId}`);
    expect(idsOf(filtered)).toEqual([ids.mine, ids.theirs].sort());
    const all = await search(admin, 'submissions', '   ');
    expect(all.records.length).toBe(4);
  });

  it('accepts `searchable` on text fields of sections only', () => {
    const ok = searchableDefinition();
    expect(definitionProblems(ok)).toEqual([]);
    const onInteger = householdDefinition();
    (onInteger.sections[0]!.fields[1] as Record<string, unknown>).searchable = true;
    expect(definitionProblems(onInteger)).toEqual([
      expect.stringMatching(/^sections\[0\]\.fields\[1\]\.searchable: only text, long text, email and URL fields/),
    ]);
    const inTable = householdDefinition();
    (inTable.sections[0]!.tables[0]!.columns[0] as Record<string, unknown>).searchable = true;
    expect(definitionProblems(inTable)).toEqual([
      expect.stringMatching(/^sections\[0\]\.tables\[0\]\.columns\[0\]\.searchable: is not supported on table columns/),
    ]);
  });

  it('reads the index for the rarest word of a text, and counts no more when the first page holds every match', async () => {
    // 3,000 answers share a word; a number narrows them to a few.
    await t.rt.pool.query(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, review_status, processing_status, processed_at)
       SELECT $1, 1, $2, $3, jsonb_build_object('household', jsonb_build_object('village', 'Zebu ' || g, 'notes', '')), 'submitted', 1, now()
         FROM generate_series(1, 3000) g`,
      [survey.templateId, survey.gridId, survey.submitter.id],
    );
    const statements: { sql: string; bindings: unknown[] }[] = [];
    const capture = (q: { sql: string; bindings?: unknown[] }) =>
      statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
    t.rt.knex.on('query', capture);
    let found: ListBody;
    try {
      found = await search(admin, 'submissions', 'zebu 77');
    } finally {
      t.rt.knex.removeListener('query', capture);
    }
    const expected = await t.rt.pool.query<{ id: string }>(
      `SELECT id FROM submissions WHERE search_document @@ gridbook_search_query('zebu 77') ORDER BY id DESC`,
    );
    // 77, 770 to 779: every match, newest first, and the exact total.
    expect(expected.rows.length).toBe(11);
    expect(found.records.map((r) => r.id)).toEqual(expected.rows.map((r) => r.id));
    expect(found.meta.total).toBe(11);
    const sql = statements.map((s) => s.sql).join('\n');
    // The page read the index for '77' alone and checked the whole text on its rows...
    const page = statements.find((s) => /ts_match_vq/.test(s.sql));
    expect(page, sql).toBeDefined();
    expect(page!.bindings).toContain('77');
    // ...and the short first page was the total: no count statement at all.
    expect(
      statements.filter((s) => /count\(\*\)/i.test(s.sql) && !/FILTER/.test(s.sql)),
      sql,
    ).toEqual([]);
    // A word alone, or words no row tells apart, are read as before.
    const alone = await search(admin, 'submissions', 'zebu');
    expect(alone.records.length).toBe(20);
  });

  it('runs the submissions search on the GIN index at a realistic size', async () => {
    // 30,000 more submissions (the trigger indexes each one; marked processed, so the worker leaves
    // them alone), then statistics, as autovacuum would.
    await t.rt.pool.query(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, review_status, processing_status, processed_at)
       SELECT $1, 1, $2, $3, jsonb_build_object('household', jsonb_build_object('village', 'Village ' || g, 'notes', 'note ' || g)), 'submitted', 1, now()
         FROM generate_series(1, 30000) g`,
      [survey.templateId, survey.gridId, survey.submitter.id],
    );
    const owner = new pg.Client(connectionConfig(t.db.url));
    await owner.connect();
    try {
      await owner.query('ANALYZE submissions');
      // The statement the adapter runs for the list, as the admin panel sends it.
      const statements: { sql: string; bindings: unknown[] }[] = [];
      const capture = (q: { sql: string; bindings?: unknown[] }) =>
        statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
      t.rt.knex.on('query', capture);
      let found: ListBody;
      try {
        found = await search(reviewer, 'submissions', 'ridge');
      } finally {
        t.rt.knex.removeListener('query', capture);
      }
      expect(idsOf(found)).toEqual([ids.theirs]);
      // The page: a first statement on the newest rows finds no full page for a rare text, then
      // the statement that goes through the search index (run with plain index scans off).
      const page = statements
        .filter((s) => /search_document/.test(s.sql) && /limit/i.test(s.sql) && !/^explain/i.test(s.sql))
        .at(-1);
      expect(page, statements.map((s) => s.sql).join('\n')).toBeDefined();
      // knex's `?` placeholders to PostgreSQL's `$n`.
      let n = 0;
      const text = page!.sql.replace(/\?/g, () => `$${++n}`);
      await owner.query('BEGIN');
      await owner.query('SET LOCAL enable_indexscan = off');
      await owner.query('SET LOCAL enable_seqscan = off');
      const plan = (await owner.query(`EXPLAIN ${text}`, page!.bindings)).rows
        .map((r: Record<string, string>) => r['QUERY PLAN'])
        .join('\n');
      await owner.query('ROLLBACK');
      expect(plan).toContain('submissions_search_idx');
      expect(plan).not.toMatch(/Seq Scan on submissions/);
      // A common text: a full page among the newest rows, newest first, and an estimated total.
      const common = await search(admin, 'submissions', 'village');
      expect(common.records.length).toBe(20);
      const newest = await t.rt.pool.query<{ id: string }>(
        `SELECT id FROM submissions WHERE search_document @@ gridbook_search_query('village') ORDER BY id DESC LIMIT 20`,
      );
      expect(common.records.map((r) => r.id)).toEqual(newest.rows.map((r) => r.id));
      expect(common.meta.total).toBeGreaterThanOrEqual(10_000);
    } finally {
      await owner.end();
    }
  });
});
