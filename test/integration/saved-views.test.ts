import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, signedInClient } from '../helpers/admin-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/factories.js';

interface View {
  id: string;
  name: string;
  query: Record<string, string>;
  isDefault: boolean;
}
type Answer = { views?: View[]; notice?: { message: string; type: string } };

/**
 * Saved views through the admin panel's hidden `savedViews` action: each user's own, per list,
 * one default at most, every change audited; another user's views neither listed nor changeable.
 */
describe('saved views', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let reviewer: TestUser;
  const clients = new Map<string, AdminClient>();
  const clientOf = (user: TestUser) => signedInClient(clients, t.baseUrl, user);
  const path = (resource: string) => `/admin/api/resources/${resource}/actions/savedViews`;
  const list = async (user: TestUser, resource = 'users') => {
    const res = await (await clientOf(user)).getJson<Answer>(path(resource));
    expect(res.status).toBe(200);
    return res.body;
  };
  const change = async (user: TestUser, fields: Record<string, string>, resource = 'users') => {
    const res = await (await clientOf(user)).postJson<Answer>(path(resource), fields);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    return res.body;
  };
  const audits = async (id: string) =>
    (
      await t.rt.pool.query<{ action: string; actor_id: string }>(
        `SELECT action, actor_id FROM audit_log WHERE entity_type = 'saved_view' AND entity_id = $1 ORDER BY id`,
        [id],
      )
    ).rows;

  beforeAll(async () => {
    t = await setupApp();
    alice = await createUser(t.rt.pool, { role: 'admin' });
    bob = await createUser(t.rt.pool, { role: 'admin' });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
  });
  afterAll(() => t.close());

  it('creates, lists, renames, makes default and deletes a view, each change audited', async () => {
    const query = {
      'filters.$search': 'example',
      'filters.role': 'admin',
      'filters.$columns': 'id,email',
      sortBy: 'email',
      direction: 'asc',
    };
    const created = await change(alice, { op: 'create', name: '  Admins by email ', query: JSON.stringify(query) });
    expect(created.notice).toEqual({ message: 'View "Admins by email" saved', type: 'success' });
    const view = created.views!.find((v) => v.name === 'Admins by email')!;
    expect(view.query).toEqual(query);
    expect(view.isDefault).toBe(false);

    await change(alice, {
      op: 'create',
      name: 'Locked',
      query: JSON.stringify({ 'filters.active': 'false' }),
      isDefault: 'true',
    });
    let views = (await list(alice)).views!;
    expect(views.map((v) => [v.name, v.isDefault])).toEqual([
      ['Admins by email', false],
      ['Locked', true],
    ]);

    // One default per list: making another the default unsets the first.
    await change(alice, { op: 'default', id: view.id, isDefault: 'true' });
    views = (await list(alice)).views!;
    expect(views.filter((v) => v.isDefault).map((v) => v.name)).toEqual(['Admins by email']);
    await change(alice, { op: 'default', id: view.id, isDefault: 'false' });
    expect((await list(alice)).views!.some((v) => v.isDefault)).toBe(false);

    const renamed = await change(alice, { op: 'rename', id: view.id, name: 'Administrators' });
    expect(renamed.views!.map((v) => v.name)).toEqual(['Administrators', 'Locked']);

    // Views belong to one list: another list of the same user has none.
    expect((await list(alice, 'grids')).views).toEqual([]);

    await change(alice, { op: 'delete', id: view.id });
    expect((await list(alice)).views!.map((v) => v.name)).toEqual(['Locked']);
    expect(await audits(view.id)).toEqual(
      [
        'saved_view.create',
        'saved_view.set_default',
        'saved_view.set_default',
        'saved_view.rename',
        'saved_view.delete',
      ].map((action) => ({ action, actor_id: alice.id })),
    );
  });

  it('keeps each user to their own views', async () => {
    const made = await change(alice, { op: 'create', name: 'Mine only', query: JSON.stringify({ sortBy: 'name' }) });
    const mine = made.views!.find((v) => v.name === 'Mine only')!;
    expect((await list(bob)).views).toEqual([]);
    // Bob cannot rename, make default or delete Alice's view: it is not found for him.
    const attempts: Record<string, string>[] = [
      { op: 'rename', id: mine.id, name: 'Taken' },
      { op: 'default', id: mine.id, isDefault: 'true' },
      { op: 'delete', id: mine.id },
    ];
    for (const fields of attempts) {
      const answer = await change(bob, fields);
      expect(answer.notice).toEqual({ message: 'Saved view not found', type: 'error' });
    }
    expect((await list(alice)).views!.find((v) => v.id === mine.id)).toMatchObject({
      name: 'Mine only',
      isDefault: false,
    });
    // The same name is free for another user.
    expect((await change(bob, { op: 'create', name: 'Mine only', query: '{}' })).notice?.type).toBe('success');
  });

  it('refuses bad input with a clear notice and changes nothing', async () => {
    const before = (await list(alice)).views!;
    const cases: [Record<string, string>, RegExp][] = [
      [{ op: 'create', name: 'Locked', query: '{}' }, /you already have a view with this name on this list/],
      [{ op: 'create', name: 'LOCKED', query: '{}' }, /you already have a view with this name/],
      [{ op: 'create', name: '   ', query: '{}' }, /name: must not be empty/],
      [{ op: 'create', name: 'x'.repeat(101), query: '{}' }, /name/],
      [{ op: 'create', name: 'Paged', query: JSON.stringify({ page: '3' }) }, /filters, sort and columns only/],
      [{ op: 'create', name: 'Broken', query: '{not json' }, /query: not JSON/],
      [{ op: 'create', name: 'Big', query: JSON.stringify({ 'filters.a': 'x'.repeat(2001) }) }, /query/],
      [{ op: 'rename', id: '999999999', name: 'Nope' }, /Saved view not found/],
      [{ op: 'explode' }, /op: one of create, rename, default, delete/],
    ];
    for (const [fields, message] of cases) {
      const answer = await change(alice, fields);
      expect(answer.notice?.type, JSON.stringify(fields).slice(0, 80)).toBe('error');
      expect(answer.notice?.message).toMatch(message);
    }
    expect((await list(alice)).views).toEqual(before);
  });

  it('is offered on the lists a user may open, and refused on the others', async () => {
    expect((await list(reviewer, 'submissions')).views).toEqual([]);
    // Reviewers may not open the audit log, so they may not keep views of it either.
    const refused = await (await clientOf(reviewer)).getJson<Answer & { views?: unknown }>(path('audit_log'));
    expect(refused.body.views).toBeUndefined();
    expect(refused.body.notice?.type).toBe('error');
  });

  it('changes views only on POST from the panel’s own origin', async () => {
    const foreign = new AdminClient(t.baseUrl, 'https://evil.example');
    foreign.cookie = (await clientOf(alice)).cookie;
    const res = await foreign.post(path('users'), { op: 'create', name: 'Forged', query: '{}' });
    expect(res.status).toBe(403);
    expect((await list(alice)).views!.some((v) => v.name === 'Forged')).toBe(false);
  });
});
