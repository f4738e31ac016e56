import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from '../../src/auth/tokens.service.js';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';

describe('API authentication', () => {
  let t: TestApp;
  let user: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    t = await setupApp();
    user = await createUser(t.rt.pool, { role: 'reviewer' });
    admin = await createUser(t.rt.pool, { role: 'admin' });
  });
  afterAll(() => t.close());

  const sign = (
    claims: { sub?: string; aud?: string; iss?: string; exp?: number },
    secret = t.rt.secrets.jwtSecret,
    alg = 'HS256',
  ) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg })
      .setSubject(claims.sub ?? user.id)
      .setAudience(claims.aud ?? ACCESS_TOKEN_AUDIENCE)
      .setIssuer(claims.iss ?? ACCESS_TOKEN_ISSUER)
      .setIssuedAt(now - 10)
      .setExpirationTime(claims.exp ?? now + 600);
    return jwt.sign(new TextEncoder().encode(secret));
  };
  const me = (token: string) =>
    new ApiClient(t.baseUrl).request('GET', '/me', undefined, { authorization: `Bearer ${token}` });

  it('issues a token pair for the right password only, in the envelope, with no secrets in responses', async () => {
    const wrong = await new ApiClient(t.baseUrl).post('/auth/token', {
      email: user.email,
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      success: false,
      error: { code: 'INVALID_CREDENTIALS', message: 'Wrong email or password', details: [] },
    });
    const api = await new ApiClient(t.baseUrl).login(user.email, user.password);
    expect(api.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const res = await api.get('/me');
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ id: user.id, email: user.email, role: 'reviewer' });
    expect(JSON.stringify(res.body)).not.toMatch(/\$2b\$|password|refresh/i);
    const stored = await t.rt.pool.query('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [user.id]);
    expect(stored.rows.map((r) => r.token_hash)).not.toContain(api.refreshToken);
  });

  it('refuses expired, unsigned (alg none), foreign-key, wrong-audience and wrong-issuer tokens', async () => {
    expect((await me(await sign({}))).status).toBe(200);
    const expired = await me(await sign({ exp: Math.floor(Date.now() / 1000) - 5 }));
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toBe('Access token expired; refresh it');
    const none = new UnsecuredJWT({ sub: user.id })
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setExpirationTime('10m')
      .encode();
    expect((await me(none)).status).toBe(401);
    expect(await me(await sign({}, 'another secret of at least thirty-two characters'))).toMatchObject({ status: 401 });
    expect((await me(await sign({ aud: 'someone-else' }))).status).toBe(401);
    expect((await me(await sign({ iss: 'someone-else' }))).status).toBe(401);
    expect((await me(await sign({}, t.rt.secrets.jwtSecret, 'HS512'))).status).toBe(401);
    expect((await me('not.a.token')).status).toBe(401);
    const basic = await new ApiClient(t.baseUrl).request('GET', '/me', undefined, {
      authorization: 'Basic dXNlcjpwYXNz',
    });
    expect(basic.status).toBe(401);
    expect((await new ApiClient(t.baseUrl).get('/me')).status).toBe(401);
  });

  it('rotates refresh tokens, and reuse of an old one revokes the whole family', async () => {
    const api = await new ApiClient(t.baseUrl).login(user.email, user.password);
    const first = api.refreshToken!;
    const rotated = await api.post('/auth/refresh', { refreshToken: first });
    expect(rotated.status).toBe(200);
    const second = rotated.body.data.refreshToken;
    expect(second).not.toBe(first);
    expect((await me(rotated.body.data.accessToken)).status).toBe(200);

    // The old token presented again: refused, and the family (the newer token too) is revoked.
    const reused = await api.post('/auth/refresh', { refreshToken: first });
    expect(reused.status).toBe(401);
    expect(reused.body.error.message).toMatch(/already used; the session is revoked/);
    const afterReuse = await api.post('/auth/refresh', { refreshToken: second });
    expect(afterReuse.status).toBe(401);
    expect(afterReuse.body.error.message).toMatch(/signed out/);
    const audit = await t.rt.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refresh_token_reused' AND entity_id = $1`,
      [user.id],
    );
    expect(audit.rows[0].n).toBe(1);
  });

  it('logs out by revoking the refresh token family', async () => {
    const api = await new ApiClient(t.baseUrl).login(user.email, user.password);
    expect((await api.post('/auth/logout', { refreshToken: api.refreshToken })).status).toBe(200);
    expect((await api.post('/auth/refresh', { refreshToken: api.refreshToken })).status).toBe(401);
  });

  it("stops a disabled user's tokens at once, and applies role changes on the next request", async () => {
    const victim = await createUser(t.rt.pool, { role: 'builder' });
    const api = await new ApiClient(t.baseUrl).login(victim.email, victim.password);
    expect((await api.get('/me')).body.data.user.role).toBe('builder');
    await t.rt.services.users.update(ctxFor(admin), victim.id, { role: 'reviewer' });
    expect((await api.get('/me')).body.data.user.role).toBe('reviewer');
    await t.rt.services.users.update(ctxFor(admin), victim.id, { active: false });
    const refused = await api.get('/me');
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe('This account is disabled or no longer exists');
    expect((await api.post('/auth/refresh', { refreshToken: api.refreshToken })).status).toBe(401);
  });

  it('accepts the admin session from the same origin, and refuses cross-site writes with it', async () => {
    const panel = new AdminClient(t.baseUrl);
    await panel.login(admin.email, admin.password);
    const res = await fetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: panel.cookie! } });
    expect(res.status).toBe(200);
    expect((await res.json()).data.user.email).toBe(admin.email);
    const crossSite = await fetch(`${t.baseUrl}/api/v1/grids`, {
      method: 'POST',
      headers: { cookie: panel.cookie!, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'evil', title: 'Evil' }),
    });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.code).toBe('FORBIDDEN');
  });

  it('throttles the token endpoint like the sign-in form', async () => {
    const victim = await createUser(t.rt.pool, { role: 'submitter' });
    const api = new ApiClient(t.baseUrl);
    for (let i = 0; i < 5; i++) await api.post('/auth/token', { email: victim.email, password: `wrong ${i}` });
    const locked = await api.post('/auth/token', { email: victim.email, password: victim.password });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
  });

  it('serves the OpenAPI document generated from the routes, and a readable page', async () => {
    const doc = await (await fetch(`${t.baseUrl}/api/v1/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/auth/token', '/templates/{templateId}/submissions', '/templates/{templateId}/publish']),
    );
    expect(
      doc.paths['/templates/{templateId}/submissions'].post.requestBody.content['application/json'].schema.properties
        .data,
    ).toBeDefined();
    expect(doc.servers[0].url).toBe('/api/v1');
  });

  it('serves the interactive docs (Swagger UI) from this host, under a CSP that runs no inline script', async () => {
    const page = await fetch(`${t.baseUrl}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline'[^;]*;?.*script|unsafe-eval/);
    expect(csp).toContain("default-src 'self'");
    // Every script is a file of this host; no inline script, no other origin anywhere on the page.
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/api\/docs\/assets\/[\w.-]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('href="/admin"');
    const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(
      expect.arrayContaining([
        '/api/docs/assets/swagger-ui-bundle.js',
        '/api/docs/assets/swagger-ui.css',
        '/api/docs/assets/api-docs.js',
      ]),
    );
    for (const asset of assets.filter((a) => a !== '/admin')) {
      const res = await fetch(`${t.baseUrl}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-security-policy'), asset).toBeTruthy();
      expect(res.headers.get('x-content-type-options'), asset).toBe('nosniff');
      const type = res.headers.get('content-type') ?? '';
      if (asset.endsWith('.js')) expect(type, asset).toMatch(/^(application|text)\/javascript/);
      if (asset.endsWith('.css')) expect(type, asset).toMatch(/^text\/css/);
      await res.arrayBuffer();
    }
    // The start-up script turns off Swagger's online validator (it would send the document away).
    expect(await (await fetch(`${t.baseUrl}/api/docs/assets/api-docs.js`)).text()).toContain('validatorUrl: null');
    // Only the files the page needs: the rest of the package is not served.
    expect((await fetch(`${t.baseUrl}/api/docs/assets/index.html`)).status).toBe(404);
  });
});
