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
  type ListBody = {
    records: { id: string }[];
    meta: {
      total: number;
      totalKind: string;
      page: number;
      cursors: { prev: string | null; next: string | null };
      keysetDepth: number;
    };
  };
  const list = async (query: string) => {
    const res = await client.getJson<ListBody>(`/admin/api/resources/users/actions/list?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const sqlIds = async (orderBy: string, offset: number, where = 'true') =>
    (
      await t.rt.pool.query<{ id: string }>(
        `SELECT id FROM users WHERE ${where} ORDER BY ${orderBy} LIMIT 20 OFFSET ${offset}`,
      )
    ).rows.map((r) => r.id);

  beforeAll(async () => {
    t = await setupApp();
    const admin = await createUser(t.rt.pool, { role: 'admin' });
    // Names repeat (g % 7), so a sort by name must fall back on the key to be stable.
    await t.rt.pool.query(
      `INSERT INTO users (email, name, password_hash, role, active)
       SELECT 'bulk' || g || '@example.test', 'name ' || (g % 7), 'not-a-hash', 'submitter', g % 3 <> 0 FROM generate_series(1, $1) g`,
      [ROWS],
    );
    // A nullable sort column with ties and microseconds: last sign-ins, none for every fourth user.
    await t.rt.pool.query(
      `UPDATE users SET last_login_at = CASE WHEN id % 4 = 0 THEN NULL ELSE timestamptz '2026-01-01' + (id % 500) * interval '1.000001 second' END
        WHERE email LIKE 'bulk%'`,
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
      expect(
        (await list(`page=${page}&perPage=20&sortBy=id&direction=desc`)).records.map((r) => r.id),
        `page ${page} by id`,
      ).toEqual(await sqlIds('id DESC', offset));
      expect(
        (await list(`page=${page}&perPage=20&sortBy=name&direction=asc`)).records.map((r) => r.id),
        `page ${page} by name`,
      ).toEqual(await sqlIds('name ASC, id ASC', offset));
      expect(
        (await list(`page=${page}&perPage=20&sortBy=email&direction=desc&filters.active=false`)).records.map(
          (r) => r.id,
        ),
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
    const exactFew = Number(
      (await t.rt.pool.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE email ILIKE '%bulk123@%'`)).rows[0]!
        .n,
    );
    expect(few.meta.total).toBe(exactFew);
    expect(exactFew).toBe(1);
  });

  it('counts a list the estimate calls small up to the limit only, and says so when it holds more', async () => {
    // Rows added since the last ANALYZE: the planner's estimate for them is "few", the truth is not.
    const added = EXACT_COUNT_LIMIT + 100;
    await t.rt.pool.query(
      `INSERT INTO users (email, name, password_hash, role, active)
       SELECT 'fresh' || g || '@example.test', 'fresh', 'not-a-hash', 'submitter', true FROM generate_series(1, $1) g`,
      [added],
    );
    try {
      const many = await list('filters.email=fresh');
      // An exact count would say `added`: the count stopped at the limit, and the answer says "more than".
      expect(many.meta.total).toBe(EXACT_COUNT_LIMIT + 1);
      expect(many.meta.totalKind).toBe('atLeast');
      expect(many.records.map((r) => r.id)).toEqual(await sqlIds('id', 0, `email ILIKE '%fresh%'`));
      const few = await list('filters.email=fresh12%40');
      expect(few.meta.total).toBe(1);
      expect(few.meta.totalKind).toBe('exact');
      expect((await list('page=1')).meta.totalKind).toBe('estimate');
    } finally {
      await t.rt.pool.query(`DELETE FROM users WHERE email LIKE 'fresh%@example.test'`);
    }
  });

  it('leaves large columns out of lists and populated references, not out of a record', async () => {
    const survey = await publishedSurvey(t);
    const sent = await survey.submitterApi.post(`/templates/${survey.templateId}/submissions`, {
      data: householdPayload(1),
    });
    expect(sent.status).toBe(202);
    const id = sent.body.data.id as string;
    const listed = await client.getJson<{
      records: {
        id: string;
        params: Record<string, unknown>;
        populated: Record<string, { params: Record<string, unknown> } | null>;
      }[];
    }>('/admin/api/resources/submissions/actions/list');
    const record = listed.body.records.find((r) => r.id === id)!;
    expect(Object.keys(record.params).some((k) => k.startsWith('payload'))).toBe(false);
    // The populated template: its title, not its definition.
    expect(record.populated.template_id?.params.title).toBe('Household survey');
    expect(Object.keys(record.populated.template_id!.params).some((k) => k.startsWith('definition'))).toBe(false);
    const shown = await client.getJson<{ record: { params: Record<string, unknown> } }>(
      `/admin/api/resources/submissions/records/${id}/show`,
    );
    expect(Object.keys(shown.body.record.params).some((k) => k.startsWith('payload.'))).toBe(true);
  });

  it('moves past the depth by cursors: next and previous give the rows of the same pages by number', async () => {
    const sorts = [
      { query: 'sortBy=id&direction=desc', orderBy: 'id DESC' },
      { query: 'sortBy=name&direction=asc', orderBy: 'name ASC, id ASC' },
      { query: 'sortBy=last_login_at&direction=desc', orderBy: 'last_login_at DESC, id ASC' },
      { query: 'sortBy=last_login_at&direction=asc', orderBy: 'last_login_at ASC, id ASC' },
      { query: 'sortBy=email&direction=desc&filters.active=false', orderBy: 'email DESC, id ASC', where: 'NOT active' },
    ];
    for (const sort of sorts) {
      // The depth page by number, then next across it and on; then back by previous.
      const depth = (await list(`page=1&perPage=20&${sort.query}`)).meta.keysetDepth;
      expect(depth).toBeGreaterThan(1);
      let current = await list(`page=${depth}&perPage=20&${sort.query}`);
      for (let page = depth + 1; page <= depth + 3; page++) {
        current = await list(`page=${page}&perPage=20&${sort.query}&after=${current.meta.cursors.next}`);
        expect(current.meta.page).toBe(page);
        expect(
          current.records.map((r) => r.id),
          `${sort.query}: next to page ${page}`,
        ).toEqual(await sqlIds(sort.orderBy, (page - 1) * 20, sort.where));
      }
      for (let page = depth + 2; page > depth; page--) {
        current = await list(`page=${page}&perPage=20&${sort.query}&before=${current.meta.cursors.prev}`);
        expect(
          current.records.map((r) => r.id),
          `${sort.query}: previous to page ${page}`,
        ).toEqual(await sqlIds(sort.orderBy, (page - 1) * 20, sort.where));
      }
      // A deep page (1,000 pages in, past every NULL and tie) reached from its neighbour's cursor.
      const deep = await list(`page=1000&perPage=20&${sort.query}`);
      const after = await list(`page=1001&perPage=20&${sort.query}&after=${deep.meta.cursors.next}`);
      expect(
        after.records.map((r) => r.id),
        `${sort.query}: page 1001`,
      ).toEqual(await sqlIds(sort.orderBy, 1000 * 20, sort.where));
      const before = await list(`page=999&perPage=20&${sort.query}&before=${deep.meta.cursors.prev}`);
      expect(
        before.records.map((r) => r.id),
        `${sort.query}: page 999`,
      ).toEqual(await sqlIds(sort.orderBy, 998 * 20, sort.where));
      // The cursor places the page, not the number that travels with it (which is only shown).
      const placed = await list(`page=5000&perPage=20&${sort.query}&after=${deep.meta.cursors.next}`);
      expect(placed.meta.page).toBe(5000);
      expect(
        placed.records.map((r) => r.id),
        `${sort.query}: by cursor`,
      ).toEqual(after.records.map((r) => r.id));
    }
  });

  it('reads a cursor made for another sort, or tampered with, as no cursor: the page number counts', async () => {
    const byId = await list('page=100&perPage=20&sortBy=id&direction=desc');
    const byName = await list(`page=101&perPage=20&sortBy=name&direction=asc&after=${byId.meta.cursors.next}`);
    expect(byName.records.map((r) => r.id)).toEqual(await sqlIds('name ASC, id ASC', 100 * 20));
    const cursor = (key: object) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const forged = [
      {
        sortBy: 'last_login_at',
        orderBy: 'last_login_at DESC, id ASC',
        cursor: cursor({ s: 'last_login_at', d: 'desc', v: 'not a time', id: '5' }),
      },
      { sortBy: 'id', orderBy: 'id DESC', cursor: cursor({ s: 'id', d: 'desc', v: null, id: '1; DROP TABLE users' }) },
      { sortBy: 'id', orderBy: 'id DESC', cursor: 'not-base64-json' },
    ];
    for (const f of forged) {
      const page = await list(
        `page=101&perPage=20&sortBy=${f.sortBy}&direction=desc&after=${encodeURIComponent(f.cursor)}`,
      );
      expect(
        page.records.map((r) => r.id),
        f.cursor,
      ).toEqual(await sqlIds(f.orderBy, 100 * 20));
    }
  });
});
