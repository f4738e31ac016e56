import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';

describe('users in the admin panel', () => {
  let t: TestApp;
  let admin: TestUser;
  let asAdmin: AdminClient;
  beforeAll(async () => {
    t = await setupApp({ env: { LOGIN_MAX_FAILURES: '3' } });
    admin = await createUser(t.rt.pool, { role: 'admin' });
    asAdmin = new AdminClient(t.baseUrl);
    await asAdmin.login(admin.email, admin.password);
  });
  afterAll(() => t.close());

  it('creates a user with a hashed password, enforcing the password policy', async () => {
    const weak = await asAdmin.postJson('/admin/api/resources/users/actions/new', {
      email: 'weak@example.test',
      name: 'Weak',
      role: 'reviewer',
      password: 'short',
      active: 'true',
    });
    expect(weak.body.record.errors.password.message).toBe('At least 10 characters');
    expect((await t.rt.pool.query(`SELECT 1 FROM users WHERE email = 'weak@example.test'`)).rowCount).toBe(0);

    const ok = await asAdmin.postJson('/admin/api/resources/users/actions/new', {
      email: 'New.Person@Example.test',
      name: 'New Person',
      role: 'reviewer',
      password: 'a long enough passphrase',
      active: 'true',
    });
    expect(ok.body.notice.type).toBe('success');
    expect(JSON.stringify(ok.body)).not.toMatch(/\$2b\$|passphrase/);
    const row = (
      await t.rt.pool.query(`SELECT id, email, password_hash FROM users WHERE email = 'new.person@example.test'`)
    ).rows[0];
    expect(row.password_hash).toMatch(/^\$2b\$/);
    const audit = await t.rt.pool.query(
      `SELECT after::text AS after FROM audit_log WHERE action = 'user.create' AND entity_id = $1`,
      [row.id],
    );
    expect(audit.rows[0].after).not.toMatch(/passphrase|\$2b\$/);

    const signIn = new AdminClient(t.baseUrl);
    expect((await signIn.login('new.person@example.test', 'a long enough passphrase')).status).toBe(302);
  });

  it('keeps the password when the edit form leaves it empty, and audits only what changed', async () => {
    const user = await createUser(t.rt.pool, { role: 'submitter' });
    const res = await asAdmin.postJson(`/admin/api/resources/users/records/${user.id}/edit`, {
      email: user.email,
      name: 'Renamed',
      role: 'reviewer',
      active: 'true',
      password: '',
    });
    expect(res.body.notice.type).toBe('success');
    const signIn = new AdminClient(t.baseUrl);
    expect((await signIn.login(user.email, user.password)).status).toBe(302);
    const audit = await t.rt.pool.query(
      `SELECT before, after FROM audit_log WHERE action = 'user.update' AND entity_id = $1`,
      [user.id],
    );
    expect(audit.rows).toEqual([
      { before: { name: user.name, role: 'submitter' }, after: { name: 'Renamed', role: 'reviewer' } },
    ]);
    // A role change applies to a signed-in user on their next request.
    await t.rt.services.users.update(ctxFor(admin), user.id, { role: 'builder' });
    const me = await signIn.getJson('/admin/api/pages/account');
    expect(me.body.me.role).toBe('builder');
  });

  it('is for admins only', async () => {
    const builder = await createUser(t.rt.pool, { role: 'builder' });
    const client = new AdminClient(t.baseUrl);
    await client.login(builder.email, builder.password);
    const list = await client.getJson('/admin/api/resources/users/actions/list');
    expect(JSON.stringify(list.body)).toMatch(/ForbiddenError/);
    const create = await client.postJson('/admin/api/resources/users/actions/new', {
      email: 'sneaky@example.test',
      role: 'admin',
      password: 'a long enough passphrase',
    });
    expect(JSON.stringify(create.body)).toMatch(/ForbiddenError/);
    expect((await t.rt.pool.query(`SELECT 1 FROM users WHERE email = 'sneaky@example.test'`)).rowCount).toBe(0);
  });

  it('never lets the last active admin be demoted or disabled', async () => {
    await expect(t.rt.services.users.update(ctxFor(admin), admin.id, { role: 'builder' })).rejects.toThrow(
      /cannot disable yourself/,
    );
    const other = await createUser(t.rt.pool, { role: 'admin' });
    await t.rt.services.users.update(ctxFor(other), admin.id, { active: false });
    await expect(t.rt.services.users.update(ctxFor(admin), other.id, { active: false })).rejects.toThrow();
    await t.rt.pool.query('UPDATE users SET active = true WHERE id = $1', [admin.id]);
  });

  it('unlocks a locked account with a POST-only action', async () => {
    const user = await createUser(t.rt.pool, { role: 'reviewer' });
    const attacker = new AdminClient(t.baseUrl);
    for (let i = 0; i < 3; i++) await attacker.login(user.email, 'wrong wrong wrong');
    const client = new AdminClient(t.baseUrl);
    await client.login(admin.email, admin.password);
    const page = await client.getJson(`/admin/api/resources/users/records/${user.id}/unlock`);
    expect(page.body.record.params.locked_until).toBeTruthy();
    const done = await client.postJson(`/admin/api/resources/users/records/${user.id}/unlock`);
    expect(done.body.notice).toMatchObject({ type: 'success', message: 'The account is unlocked' });
    expect((await attacker.login(user.email, user.password)).status).toBe(302);
  });
});

describe('the worked extension example: sign-in throttling resource and its Clear action', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp({ env: { LOGIN_MAX_FAILURES_PER_IP: '3' } });
  });
  afterAll(() => t.close());

  it('lists throttled addresses for admins and clears one, audited', async () => {
    const admin = await createUser(t.rt.pool, { role: 'admin' });
    const client = new AdminClient(t.baseUrl);
    await client.login(admin.email, admin.password);
    for (let i = 0; i < 3; i++) await new AdminClient(t.baseUrl).login('ghost@example.test', 'not a password');
    expect((await new AdminClient(t.baseUrl).login(admin.email, admin.password)).status).toBe(429);

    const list = await client.getJson('/admin/api/resources/login_throttle/actions/list');
    expect(list.body.records).toHaveLength(1);
    const ip = list.body.records[0].id;
    expect(list.body.records[0].params.failures).toBe(3);
    expect(list.body.records[0].recordActions.map((a: { name: string }) => a.name)).toContain('clearThrottle');

    const cleared = await client.postJson(
      `/admin/api/resources/login_throttle/records/${encodeURIComponent(ip)}/clearThrottle`,
    );
    expect(cleared.body.notice).toMatchObject({ type: 'success' });
    expect((await new AdminClient(t.baseUrl).login(admin.email, admin.password)).status).toBe(302);
    const audit = await t.rt.pool.query(
      `SELECT actor_id FROM audit_log WHERE action = 'auth.clear_ip_throttle' AND entity_id = $1`,
      [ip],
    );
    expect(audit.rows).toEqual([{ actor_id: admin.id }]);

    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    const asReviewer = new AdminClient(t.baseUrl);
    await asReviewer.login(reviewer.email, reviewer.password);
    expect(JSON.stringify((await asReviewer.getJson('/admin/api/resources/login_throttle/actions/list')).body)).toMatch(
      /ForbiddenError/,
    );
  });
});
