import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';

describe('admin sign-in', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await setupApp({
      env: { LOGIN_MAX_FAILURES: '5', LOGIN_LOCK_MINUTES: '15', LOGIN_MAX_FAILURES_PER_IP: '1000' },
    });
    admin = await createUser(t.rt.pool, { role: 'admin' });
  });
  afterAll(() => t.close());

  const sessionRows = async () => Number((await t.rt.pool.query('SELECT count(*) AS n FROM session')).rows[0].n);

  it('signs in, sets an HttpOnly SameSite cookie, and signs out on POST', async () => {
    const client = new AdminClient(t.baseUrl);
    const res = await client.login(admin.email, admin.password);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/admin');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect((await client.get('/admin')).status).toBe(200);

    const replay = client.cookie;
    const out = await client.post('/admin/logout');
    expect(out.status).toBe(302);
    // The old cookie is worth nothing after logout.
    const replayed = new AdminClient(t.baseUrl);
    replayed.cookie = replay;
    const after = await replayed.get('/admin/api/resources/users/actions/list');
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toBe('/admin/login');
  });

  it('gives a new session id at every sign-in (no fixation)', async () => {
    const client = new AdminClient(t.baseUrl);
    await client.login(admin.email, admin.password);
    const first = client.cookie;
    await client.login(admin.email, admin.password);
    expect(client.cookie).not.toBe(first);
    const old = new AdminClient(t.baseUrl);
    old.cookie = first;
    expect((await old.get('/admin')).status).toBe(302);
  });

  it('locks an account after repeated failures and refuses even the right password while locked', async () => {
    const victim = await createUser(t.rt.pool, { role: 'builder' });
    const client = new AdminClient(t.baseUrl);
    const statuses: number[] = [];
    let lastBody = '';
    for (let i = 0; i < 30; i++) {
      const res = await client.login(victim.email, `wrong password ${i}`);
      statuses.push(res.status);
      lastBody = await res.text();
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    // The fifth failure locks; every later attempt is refused without checking the password.
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true);
    expect(lastBody).toMatch(/this account is locked for 15 more minutes/);

    const right = await client.login(victim.email, victim.password);
    expect(right.status).toBe(429);
    expect(await right.text()).toMatch(/Too many failed sign-in attempts: this account is locked/);
    expect(client.cookie).toBeNull();

    const row = await t.rt.pool.query('SELECT failed_login_count, locked_until FROM users WHERE id = $1', [victim.id]);
    expect(row.rows[0].locked_until.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const audit = await t.rt.pool.query(
      `SELECT action, count(*)::int AS n FROM audit_log WHERE entity_type = 'user' AND entity_id = $1 GROUP BY action ORDER BY action`,
      [victim.id],
    );
    expect(audit.rows).toEqual([
      { action: 'auth.account_locked', n: 1 },
      { action: 'auth.login_failed', n: 4 },
      { action: 'auth.login_refused_locked', n: 26 },
    ]);

    // An admin unlocks it; the right password then works.
    await t.rt.services.users.unlock(ctxFor(admin), victim.id);
    expect((await client.login(victim.email, victim.password)).status).toBe(302);
  });

  it('does not truncate long passwords into matches (bcrypt reads 72 bytes)', async () => {
    const long = 'x'.repeat(72) + 'the part bcrypt would ignore';
    const user = await createUser(t.rt.pool, { role: 'reviewer', password: long });
    const client = new AdminClient(t.baseUrl);
    expect((await client.login(user.email, 'x'.repeat(72) + 'something else')).status).toBe(401);
    expect((await client.login(user.email, 'x'.repeat(72))).status).toBe(401);
    expect((await client.login(user.email, long)).status).toBe(302);
  });

  it('ends the sessions of a user who is disabled, at once', async () => {
    const user = await createUser(t.rt.pool, { role: 'builder' });
    const client = new AdminClient(t.baseUrl);
    await client.login(user.email, user.password);
    expect((await client.get('/admin')).status).toBe(200);
    await t.rt.services.users.update(ctxFor(admin), user.id, { active: false });
    const res = await client.get('/admin');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/admin/login');
    const rows = await t.rt.pool.query(`SELECT 1 FROM session WHERE sess -> 'adminUser' ->> 'id' = $1`, [user.id]);
    expect(rows.rowCount).toBe(0);
    // And cannot sign in again: told so, once the password is right.
    const again = await client.login(user.email, user.password);
    expect(again.status).toBe(403);
    expect(await again.text()).toMatch(/This account is disabled/);
  });

  it('creates no session rows for anonymous traffic', async () => {
    const before = await sessionRows();
    const anonymous = new AdminClient(t.baseUrl);
    const paths = [
      '/admin',
      '/admin/login',
      '/admin/api/resources/users/actions/list',
      '/admin/resources/grids',
      '/api/v1/nothing',
    ];
    await Promise.all(Array.from({ length: 200 }, (_, i) => anonymous.get(paths[i % paths.length]!)));
    expect(await sessionRows()).toBe(before);
    expect(anonymous.cookie).toBeNull();
  });

  it('refuses cross-site POSTs that carry the session cookie', async () => {
    const client = new AdminClient(t.baseUrl, 'https://evil.example');
    const good = new AdminClient(t.baseUrl);
    await good.login(admin.email, admin.password);
    client.cookie = good.cookie;
    const res = await client.post('/admin/api/resources/grids/actions/new', { slug: 'evil', title: 'Evil' });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/Cross-site request refused/);
    const crossSiteFetch = await client.post(
      '/admin/api/resources/grids/actions/new',
      { slug: 'evil', title: 'Evil' },
      { origin: t.baseUrl, 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSiteFetch.status).toBe(403);
    const grids = await t.rt.pool.query(`SELECT 1 FROM grids WHERE slug = 'evil'`);
    expect(grids.rowCount).toBe(0);
  });

  it('sends security headers and refuses framing', async () => {
    const res = await fetch(`${t.baseUrl}/admin/login`);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('sign-in throttling per address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp({ env: { LOGIN_MAX_FAILURES_PER_IP: '10', LOGIN_IP_WINDOW_MINUTES: '15' } });
  });
  afterAll(() => t.close());

  it('refuses an address that failed too often, across accounts, before checking passwords', async () => {
    const user = await createUser(t.rt.pool, { role: 'builder' });
    const client = new AdminClient(t.baseUrl);
    for (let i = 0; i < 10; i++) {
      expect((await client.login(`nobody-${i}@example.test`, 'whatever whatever')).status).toBe(401);
    }
    const refused = await client.login(user.email, user.password);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/Too many failed sign-ins from your network address: try again in 15 minutes/);
  });
});

describe('changing my own password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp();
  });
  afterAll(() => t.close());

  it('needs the current password, ends my other sessions and keeps this one', async () => {
    const user = await createUser(t.rt.pool, { role: 'reviewer' });
    const here = new AdminClient(t.baseUrl);
    const elsewhere = new AdminClient(t.baseUrl);
    await here.login(user.email, user.password);
    await elsewhere.login(user.email, user.password);

    const wrong = await here.postJson('/admin/api/pages/account', {
      currentPassword: 'not it at all',
      newPassword: 'a brand new passphrase',
    });
    expect(wrong.body.notice.type).toBe('error');
    expect(wrong.body.errors).toEqual([{ path: 'currentPassword', message: 'is not your current password' }]);

    const short = await here.postJson('/admin/api/pages/account', {
      currentPassword: user.password,
      newPassword: 'short',
    });
    expect(short.body.errors[0].path).toBe('newPassword');

    const ok = await here.postJson('/admin/api/pages/account', {
      currentPassword: user.password,
      newPassword: 'a brand new passphrase',
    });
    expect(ok.body.notice).toMatchObject({ type: 'success' });
    expect((await here.get('/admin')).status).toBe(200);
    expect((await elsewhere.get('/admin')).status).toBe(302);

    const fresh = new AdminClient(t.baseUrl);
    expect((await fresh.login(user.email, user.password)).status).toBe(401);
    expect((await fresh.login(user.email, 'a brand new passphrase')).status).toBe(302);
  });
});
