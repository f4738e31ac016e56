import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser, ctxFor, type TestUser } from '../helpers/factories.js';

describe('grids in the admin panel', () => {
  let t: TestApp;
  let builder: TestUser;
  let reviewer: TestUser;
  let outsider: TestUser;
  let asBuilder: AdminClient;
  beforeAll(async () => {
    t = await setupApp();
    builder = await createUser(t.rt.pool, { role: 'builder' });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    outsider = await createUser(t.rt.pool, { role: 'builder' });
    asBuilder = new AdminClient(t.baseUrl);
    await asBuilder.login(builder.email, builder.password);
  });
  afterAll(() => t.close());

  const gridsCount = async () => Number((await t.rt.pool.query('SELECT count(*) AS n FROM grids')).rows[0].n);

  it('creates a grid through the service: owner becomes manager, audited', async () => {
    const res = await asBuilder.postJson('/admin/api/resources/grids/actions/new', {
      slug: 'field-survey',
      title: 'Field survey',
      description: 'Villages, 2026',
    });
    expect(res.body.notice).toMatchObject({ type: 'success' });
    const id = res.body.record.id;
    const member = await t.rt.pool.query('SELECT role FROM grid_members WHERE grid_id = $1 AND user_id = $2', [
      id,
      builder.id,
    ]);
    expect(member.rows[0].role).toBe('manager');
    const audit = await t.rt.pool.query(
      `SELECT actor_id, action, request_id, ip FROM audit_log WHERE entity_type = 'grid' AND entity_id = $1`,
      [id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ actor_id: builder.id, action: 'grid.create' });
    expect(audit.rows[0].request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(audit.rows[0].ip).toBeTruthy();
  });

  it('shows validation errors under the field and creates nothing', async () => {
    const before = await gridsCount();
    const bad = await asBuilder.postJson('/admin/api/resources/grids/actions/new', { slug: 'Not A Slug!', title: 'x' });
    expect(bad.body.notice.type).toBe('error');
    expect(bad.body.record.errors.slug.message).toBe(
      'Use lowercase letters and digits, words joined by single hyphens',
    );
    const dup = await asBuilder.postJson('/admin/api/resources/grids/actions/new', {
      slug: 'field-survey',
      title: 'Again',
    });
    expect(dup.body.notice.message).toMatch(/slug: a grid with this slug already exists/);
    expect(dup.body.record.errors.slug.message).toBe('a grid with this slug already exists');
    expect(await gridsCount()).toBe(before);
  });

  it('soft-deletes only on POST, hides deleted grids by default, filters them, restores', async () => {
    const grid = await createGrid(t.rt, builder, [], { slug: 'to-delete' });
    const base = `/admin/api/resources/grids/records/${grid.id}`;

    // GET renders the confirmation: nothing changes.
    const confirmPage = await asBuilder.getJson(`${base}/softDelete`);
    expect(confirmPage.body.record.params.is_deleted).toBe(false);
    expect((await t.rt.pool.query('SELECT is_deleted FROM grids WHERE id = $1', [grid.id])).rows[0].is_deleted).toBe(
      false,
    );

    const deleted = await asBuilder.postJson(`${base}/softDelete`);
    expect(deleted.body.notice).toMatchObject({ type: 'success' });
    const row = (await t.rt.pool.query('SELECT is_deleted, deleted_on FROM grids WHERE id = $1', [grid.id])).rows[0];
    expect(row.is_deleted).toBe(true);
    expect(row.deleted_on).toBeInstanceOf(Date);

    const list = await asBuilder.getJson('/admin/api/resources/grids/actions/list');
    expect(list.body.records.map((r: { id: string }) => r.id)).not.toContain(grid.id);
    const deletedList = await asBuilder.getJson('/admin/api/resources/grids/actions/list?filters.is_deleted=true');
    expect(deletedList.body.records.map((r: { id: string }) => r.id)).toEqual([grid.id]);

    // Deleting twice is refused (the action is not available on a deleted grid), and the service
    // says why when asked directly.
    const again = await asBuilder.postJson(`${base}/softDelete`);
    expect(again.body.notice).toMatchObject({ type: 'error' });
    await expect(t.rt.services.grids.softDelete(ctxFor(builder), grid.id)).rejects.toThrow(
      'This grid is already deleted',
    );

    const restored = await asBuilder.postJson(`${base}/restore`);
    expect(restored.body.notice).toMatchObject({ type: 'success' });
    expect(
      (await t.rt.pool.query('SELECT is_deleted, deleted_on FROM grids WHERE id = $1', [grid.id])).rows[0],
    ).toEqual({
      is_deleted: false,
      deleted_on: null,
    });

    const history = await asBuilder.getJson(`${base}/history`);
    expect(history.body.entries.map((e: { action: string }) => e.action)).toEqual([
      'grid.restore',
      'grid.soft_delete',
      'grid.create',
    ]);
  });

  it('scopes grids to members and enforces grid roles on every action', async () => {
    const grid = await createGrid(t.rt, builder, [{ user: reviewer, role: 'reviewer' }], { slug: 'scoped' });
    const asReviewer = new AdminClient(t.baseUrl);
    await asReviewer.login(reviewer.email, reviewer.password);
    const asOutsider = new AdminClient(t.baseUrl);
    await asOutsider.login(outsider.email, outsider.password);

    const seen = await asReviewer.getJson('/admin/api/resources/grids/actions/list');
    expect(seen.body.records.map((r: { id: string }) => r.id)).toEqual([grid.id]);
    const outsiderList = await asOutsider.getJson('/admin/api/resources/grids/actions/list');
    expect(outsiderList.body.records).toEqual([]);
    // A grid outside one's membership does not exist for them.
    const outsiderShow = await asOutsider.getJson(`/admin/api/resources/grids/records/${grid.id}/show`);
    expect(JSON.stringify(outsiderShow.body)).not.toContain('scoped');

    // A reviewer may read but not edit or delete; AdminJS answers with an error notice.
    const edit = await asReviewer.postJson(`/admin/api/resources/grids/records/${grid.id}/edit`, { title: 'Hijacked' });
    expect(edit.body.notice?.type ?? edit.body.record?.baseError?.type).toBeTruthy();
    const del = await asReviewer.postJson(`/admin/api/resources/grids/records/${grid.id}/softDelete`);
    expect(JSON.stringify(del.body)).toMatch(/ForbiddenError|not allowed/i);
    const row = (await t.rt.pool.query('SELECT title, is_deleted FROM grids WHERE id = $1', [grid.id])).rows[0];
    expect(row).toEqual({ title: 'Grid scoped', is_deleted: false });

    // A submitter cannot create grids at all.
    const submitter = await createUser(t.rt.pool, { role: 'submitter' });
    const asSubmitter = new AdminClient(t.baseUrl);
    await asSubmitter.login(submitter.email, submitter.password);
    const create = await asSubmitter.postJson('/admin/api/resources/grids/actions/new', {
      slug: 'nope',
      title: 'Nope',
    });
    expect(JSON.stringify(create.body)).toMatch(/ForbiddenError|not allowed/i);
    expect((await t.rt.pool.query(`SELECT 1 FROM grids WHERE slug = 'nope'`)).rowCount).toBe(0);
  });

  it('lets managers manage members, audited, and nobody else', async () => {
    const grid = await createGrid(t.rt, builder, [], { slug: 'members' });
    const newcomer = await createUser(t.rt.pool, { role: 'submitter' });
    const added = await asBuilder.postJson('/admin/api/resources/grid_members/actions/new', {
      grid_id: grid.id,
      user_id: newcomer.id,
      role: 'submitter',
    });
    expect(added.body.notice).toMatchObject({ type: 'success' });
    const memberId = added.body.record.id;

    const dup = await asBuilder.postJson('/admin/api/resources/grid_members/actions/new', {
      grid_id: grid.id,
      user_id: newcomer.id,
      role: 'reviewer',
    });
    expect(dup.body.record.errors.user_id.message).toBe('this user is already a member of this grid');

    const asNewcomer = new AdminClient(t.baseUrl);
    await asNewcomer.login(newcomer.email, newcomer.password);
    const selfPromote = await asNewcomer.postJson(`/admin/api/resources/grid_members/records/${memberId}/edit`, {
      role: 'manager',
    });
    expect(JSON.stringify(selfPromote.body)).toMatch(/ForbiddenError|not allowed/i);
    expect((await t.rt.pool.query('SELECT role FROM grid_members WHERE id = $1', [memberId])).rows[0].role).toBe(
      'submitter',
    );

    const removed = await asBuilder.postJson(`/admin/api/resources/grid_members/records/${memberId}/delete`);
    expect(removed.body.notice).toMatchObject({ type: 'success' });
    const actions = await t.rt.pool.query(
      `SELECT action FROM audit_log WHERE entity_type = 'grid_member' AND entity_id = $1 ORDER BY id`,
      [memberId],
    );
    expect(actions.rows.map((r) => r.action)).toEqual(['grid_member.add', 'grid_member.remove']);
  });
});

describe('the audit log in the admin panel', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp();
  });
  afterAll(() => t.close());

  it('is read-only for everyone, admins included', async () => {
    const admin = await createUser(t.rt.pool, { role: 'admin' });
    const client = new AdminClient(t.baseUrl);
    await client.login(admin.email, admin.password);
    const list = await client.getJson('/admin/api/resources/audit_log/actions/list');
    const entry = list.body.records[0];
    expect(entry.params.action).toBe('auth.login');
    expect(entry.recordActions.map((a: { name: string }) => a.name)).toEqual(['show']);
    expect(list.body.records[0].bulkActions).toEqual([]);

    const edit = await client.postJson(`/admin/api/resources/audit_log/records/${entry.id}/edit`, { action: 'forged' });
    expect(JSON.stringify(edit.body)).toMatch(/ForbiddenError/);
    const del = await client.postJson(`/admin/api/resources/audit_log/records/${entry.id}/delete`);
    expect(JSON.stringify(del.body)).toMatch(/ForbiddenError/);
    const create = await client.postJson('/admin/api/resources/audit_log/actions/new', {
      action: 'forged',
      entity_type: 'x',
    });
    expect(JSON.stringify(create.body)).toMatch(/ForbiddenError/);
    const rows = await t.rt.pool.query(`SELECT action FROM audit_log WHERE action = 'forged'`);
    expect(rows.rowCount).toBe(0);
  });
});
