import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAll } from '../../src/audit/audit-chain.js';
import { AdminClient } from '../helpers/admin-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser, type TestUser } from '../helpers/factories.js';

/**
 * No response of /admin ever carries a password hash: not lists, shows, searches, populated
 * references (a grid's owner, a member's user, an audit entry's actor), filters or sorts that name
 * the hidden column, nor the pages' embedded state. Checked for every role.
 */
describe('password hashes never leave the server', () => {
  let t: TestApp;
  let users: Record<string, TestUser>;
  let hashes: string[];
  beforeAll(async () => {
    t = await setupApp();
    const admin = await createUser(t.rt.pool, { role: 'admin' });
    const builder = await createUser(t.rt.pool, { role: 'builder' });
    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    const submitter = await createUser(t.rt.pool, { role: 'submitter' });
    users = { admin, builder, reviewer, submitter };
    await createGrid(t.rt, builder, [
      { user: reviewer, role: 'reviewer' },
      { user: submitter, role: 'submitter' },
    ]);
    await createGrid(t.rt, admin, [{ user: builder, role: 'builder' }]);
    await sealAll(t.rt.pool, t.config.audit.key!);
    hashes = (await t.rt.pool.query<{ password_hash: string }>('SELECT password_hash FROM users')).rows.map(
      (r) => r.password_hash,
    );
  });
  afterAll(() => t.close());

  function assertNoSecret(where: string, text: string) {
    expect(text, where).not.toContain('$2b$');
    expect(text, where).not.toContain('password_hash');
    for (const hash of hashes) expect(text, where).not.toContain(hash.slice(7));
  }

  it.each(['admin', 'builder', 'reviewer', 'submitter'])(
    'holds for every admin response a %s can get',
    async (role) => {
      const user = users[role]!;
      const client = new AdminClient(t.baseUrl);
      expect((await client.login(user.email, user.password)).status).toBe(302);
      const resources = ['users', 'grids', 'grid_members', 'audit_log', 'login_throttle'];
      let checked = 0;
      const check = async (path: string) => {
        const res = await client.getJson(path);
        assertNoSecret(`${role} GET ${path}`, res.text);
        checked++;
        return res.body;
      };

      await check('/admin');
      await check('/admin/api/dashboard');
      await check('/admin/api/pages/account');
      for (const resource of resources) {
        await check(`/admin/resources/${resource}`);
        const list = await check(`/admin/api/resources/${resource}/actions/list?perPage=500`);
        await check(`/admin/api/resources/${resource}/actions/list?sortBy=password_hash&direction=desc`);
        await check(`/admin/api/resources/${resource}/actions/list?filters.password_hash=%242b`);
        await check(`/admin/api/resources/${resource}/actions/search/a`);
        for (const record of list?.records ?? []) {
          await check(`/admin/api/resources/${resource}/records/${record.id}/show`);
          await check(`/admin/api/resources/${resource}/records/${record.id}/edit`);
          await check(`/admin/api/resources/${resource}/records/${record.id}/history`);
        }
      }
      expect(checked).toBeGreaterThan(20);
    },
  );

  it('ignores filters and sorts naming the hidden column (no oracle)', async () => {
    const client = new AdminClient(t.baseUrl);
    await client.login(users.admin!.email, users.admin!.password);
    const all = await client.getJson('/admin/api/resources/users/actions/list');
    const filtered = await client.getJson(
      '/admin/api/resources/users/actions/list?filters.password_hash=zzzz-no-such-prefix',
    );
    expect(filtered.status).toBe(200);
    expect(filtered.body.meta.total).toBe(all.body.meta.total);
    const sorted = await client.getJson('/admin/api/resources/users/actions/list?sortBy=password_hash');
    expect(sorted.status).toBe(200);
    expect(sorted.body.records.map((r: { id: string }) => r.id)).toEqual(
      all.body.records.map((r: { id: string }) => r.id),
    );
  });

  it('populates references without the hash', async () => {
    const client = new AdminClient(t.baseUrl);
    await client.login(users.admin!.email, users.admin!.password);
    const grids = await client.getJson('/admin/api/resources/grids/actions/list');
    const owner = grids.body.records[0].populated.owner;
    expect(owner.params.email).toBeDefined();
    expect(Object.keys(owner.params)).not.toContain('password_hash');
  });
});
