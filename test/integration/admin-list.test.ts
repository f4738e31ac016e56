import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionConfig } from '../../src/db/pool.js';
import { EXACT_COUNT_LIMIT } from '../../admin/adapter/gridbook-resource.js';
import { AdminClient } from '../helpers/admin-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey } from '../helpers/forms.js';

/**
 * Admin lists of large tables: deep pages read through the key first (a different SQL statement)
 * and must give exactly the rows and order the plain query gives; totals above EXACT_COUNT_LIMIT
 * are the planner's estimate, below it they are exact.
 */
describe('admin lists of large tables', () => {
  let t: TestApp;
  let client: AdminClient;
  const ROWS = EXACT_COUNT_LIMIT + 5_000;
  type ListBody = { records: { id: string }[]; meta: { total: number } };
  const list = async (query: string) => {
    const res = await client.getJson<ListBody>(`/admin/api/resources/users/actions/list?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const sqlIds = async (orderBy: string, offset: number, where = 'true') =>
    (await t.rt.pool.query<{ id: string }>(`SELECT id FROM users WHERE ${where} ORDER BY ${orderBy} LIMIT 20 OFFSET ${offset}`)).rows.map((r) => r.id);

  beforeAll(async () => {
    t = await setupApp();
    const admin = await createUser(t.rt.pool, { role: 'admin' });
    // Names repeat (g % 7), so a sort by name must fall back on the key to be stable.
    await t.rt.pool.query(
      `INSERT INTO users (email, name, password_hash, role, active)
       SELECT 'bulk' || g || '@example.test', 'name ' || (g % 7), 'not-a-hash', 'submitter', g % 3 <> 0 FROM generate_series(1, $1) g`,
      [ROWS],
    );
    // ANALYZE is the owner's (autovacuum's) job: the app's runtime role may not run it.
    const owner = new pg.Client(connectionConfig(t.db.url));
    await owner.connect();
    await owner.query('ANALYZE users');
    await owner.end();
    client = new AdminClient(t.baseUrl);
    expect((await client.login(admin.email, admin.password)).status).toBe(302);
  });
  afterAll(() => t.close());

  it('gives the same rows and order on deep pages as the plain query', async () => {
    for (const page of [1, 50, 51, 300, 1200]) {
      const offset = (page - 1) * 20;
      expect((await list(`page=${page}&perPage=20&sortBy=id&direction=desc`)).records.map((r) => r.id), `page ${page} by id`).toEqual(await sqlIds('id DESC', offset));
      expect((await list(`page=${page}&perPage=20&sortBy=name&direction=asc`)).records.map((r) => r.id), `page ${page} by name`).toEqual(await sqlIds('name ASC, id ASC', offset));
      expect(
        (await list(`page=${page}&perPage=20&sortBy=email&direction=desc&filters.active=false`)).records.map((r) => r.id),
        `page ${page} filtered`,
      ).toEqual(await sqlIds('email DESC, id ASC', offset, 'NOT active'));
    }
  });

  it('shows an estimated total for large lists and an exact one for small', async () => {
    // Rows deleted since the last ANALYZE: the estimate does not see them, a count would.
    await t.rt.pool.query(`DELETE FROM users WHERE email LIKE 'bulk1___@example.test'`);
    const exact = Number((await t.rt.pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n);
    const { meta } = await list('page=1');
    expect(meta.total).not.toBe(exact);
    expect(Math.abs(meta.total - exact) / exact).toBeLessThan(0.1);
    const few = await list('filters.email=bulk123%40');
    const exactFew = Number((await t.rt.pool.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE email ILIKE '%bulk123@%'`)).rows[0]!.n);
    expect(few.meta.total).toBe(exactFew);
    expect(exactFew).toBe(1);
  });

  it('leaves large columns out of lists and populated references, not out of a record', async () => {
    const survey = await publishedSurvey(t);
    const sent = await survey.submitterApi.post(`/templates/${survey.templateId}/submissions`, { data: householdPayload(1) });
    expect(sent.status).toBe(202);
    const id = sent.body.data.id as string;
    const listed = await client.getJson<{ records: { id: string; params: Record<string, unknown>; populated: Record<string, { params: Record<string, unknown> } | null> }[] }>(
      '/admin/api/resources/submissions/actions/list',
    );
    const record = listed.body.records.find((r) => r.id === id)!;
    expect(Object.keys(record.params).some((k) => k.startsWith('payload'))).toBe(false);
    // The populated template: its title, not its definition.
    expect(record.populated.template_id?.params.title).toBe('Household survey');
    expect(Object.keys(record.populated.template_id!.params).some((k) => k.startsWith('definition'))).toBe(false);
    const shown = await client.getJson<{ record: { params: Record<string, unknown> } }>(`/admin/api/resources/submissions/records/${id}/show`);
    expect(Object.keys(shown.body.record.params).some((k) => k.startsWith('payload.'))).toBe(true);
  });
});
