import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser, ctxFor, type TestUser } from '../helpers/factories.js';

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const definition = {
  sections: [
    {
      id: 's_visit',
      key: 'visit',
      label: 'Visit',
      fields: [
        { id: 'f_village', key: 'village', label: 'Village name', type: 'text' },
        { id: 'f_people', key: 'people', label: 'People met', type: 'integer' },
      ],
      tables: [
        {
          id: 't_items',
          key: 'items',
          label: 'Items',
          columns: [{ id: 'f_item', key: 'item', label: 'Item', type: 'text' }],
        },
      ],
    },
  ],
};

describe('published tables in the admin panel', () => {
  let node1: TestApp;
  let node2: TestApp;
  let builder: TestUser;
  let submitter: TestUser;
  let gridId: string;
  beforeAll(async () => {
    node1 = await setupApp();
    node2 = await setupApp({ sharing: node1 });
    builder = await createUser(node1.rt.pool, { role: 'builder' });
    submitter = await createUser(node1.rt.pool, { role: 'submitter' });
    gridId = (await createGrid(node1.rt, builder, [{ user: submitter, role: 'submitter' }], { title: 'Field work' }))
      .id;
  });
  afterAll(async () => {
    await node2?.close();
    await node1?.close();
  });

  it('appear at once on every node, read-only, labelled from the fields, scoped to the grid', async () => {
    const api = await new ApiClient(node1.baseUrl).login(builder.email, builder.password);
    const created = await api.post(`/grids/${gridId}/templates`, { slug: 'visits', title: 'Visits', definition });
    const id = created.body.data.id;
    expect((await api.post(`/templates/${id}/publish`)).status).toBe(201);
    const table = `f${id}_visit`;

    // Rows to show: a submission of the submitter and one of the builder.
    const mine = await node1.rt.pool.query<{ id: string }>(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status) VALUES ($1, 1, $2, $3, '{}', 1) RETURNING id`,
      [id, gridId, submitter.id],
    );
    const theirs = await node1.rt.pool.query<{ id: string }>(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status) VALUES ($1, 1, $2, $3, '{}', 1) RETURNING id`,
      [id, gridId, builder.id],
    );
    await node1.rt.pool.query(
      `INSERT INTO forms."${table}" (submission_id, village, people) VALUES ($1, 'Mine', 3), ($2, 'Theirs', 5)`,
      [mine.rows[0]!.id, theirs.rows[0]!.id],
    );
    await node1.rt.pool.query(
      `INSERT INTO forms."${table}__items" (submission_id, row_index, item) VALUES ($1, 0, 'Pump'), ($1, 1, 'Hose')`,
      [mine.rows[0]!.id],
    );

    for (const node of [node1, node2]) {
      const client = new AdminClient(node.baseUrl);
      await client.login(builder.email, builder.password);
      const list = await eventually(
        () => client.getJson(`/admin/api/resources/${table}/actions/list`),
        (r) => r.status === 200 && Array.isArray(r.body?.records),
      );
      expect(list.body.records.map((r: { params: { village: string } }) => r.params.village).sort()).toEqual([
        'Mine',
        'Theirs',
      ]);
      const page = await (await client.get(`/admin/resources/${table}`)).text();
      expect(page).toContain('Village name');
      expect(page).toContain('Visits: Visit');
      expect(page).toContain('Field work: data');
      const child = await client.getJson(`/admin/api/resources/${table}__items/actions/list`);
      expect(child.status).toBe(200);
      // A table's rows are counted from 1, in the list and in its filter: row 1 is the first.
      const itemsOf = async (query: string) =>
        (await client.getJson(`/admin/api/resources/${table}__items/actions/list?${query}`)).body.records.map(
          (r: { params: { item: string } }) => r.params.item,
        );
      expect(await itemsOf('filters.row_index=1')).toEqual(['Pump']);
      expect(await itemsOf('filters.row_index=2')).toEqual(['Hose']);
      expect(await itemsOf('filters.row_index=3')).toEqual([]);
      expect(await itemsOf('filters.row_index~~from=2&filters.row_index~~to=2')).toEqual(['Hose']);
      // Read-only: no edit or delete is possible.
      const edit = await client.postJson(`/admin/api/resources/${table}/records/${mine.rows[0]!.id}/edit`, {
        village: 'Changed',
      });
      expect(JSON.stringify(edit.body)).toMatch(/ForbiddenError/);
    }

    // A submitter sees only the rows of their own submissions; an outsider sees none.
    const asSubmitter = new AdminClient(node2.baseUrl);
    await asSubmitter.login(submitter.email, submitter.password);
    const own = await asSubmitter.getJson(`/admin/api/resources/${table}/actions/list`);
    expect(own.body.records.map((r: { params: { village: string } }) => r.params.village)).toEqual(['Mine']);
    const outsider = await createUser(node1.rt.pool, { role: 'builder' });
    const asOutsider = new AdminClient(node1.baseUrl);
    await asOutsider.login(outsider.email, outsider.password);
    expect((await asOutsider.getJson(`/admin/api/resources/${table}/actions/list`)).body.records).toEqual([]);
  });

  it('rebuilds without leaking connections or listeners', async () => {
    const countConnections = async () =>
      Number(
        (await node1.rt.pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()`))
          .rows[0].n,
      );
    await node1.web.adminHost.rebuild();
    await node2.web.adminHost.rebuild();
    const before = await countConnections();
    const listenersBefore = process.listenerCount('warning');
    for (let i = 0; i < 20; i++) {
      await node1.web.adminHost.rebuild();
      await node2.web.adminHost.rebuild();
    }
    expect(await countConnections()).toBeLessThanOrEqual(before + 2);
    expect(process.listenerCount('warning')).toBe(listenersBefore);
    // Bursts of rebuild requests coalesce.
    const started = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => node1.web.adminHost.rebuild()));
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('shows a template published by the service on another node too', async () => {
    const t = await node2.rt.services.templates.create(ctxFor(builder), gridId, {
      slug: 'second',
      title: 'Second',
      definition,
    });
    await node2.rt.services.publisher.publish(ctxFor(builder), t.id, {});
    const client = new AdminClient(node1.baseUrl);
    await client.login(builder.email, builder.password);
    await eventually(
      () => client.getJson(`/admin/api/resources/f${t.id}_visit/actions/list`),
      (r) => r.status === 200 && Array.isArray(r.body?.records),
    );
  });
});
