import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { HOSTILE, hostileGrid, type HostileGrid } from '../helpers/hostile-words.js';
import { multipart, png, rawRequest } from '../helpers/upload.js';

/**
 * The admin panel's edges, found by an attacker's review and fixed: builders' words that reach
 * the page's inline state, grid names on pages of users outside the grid, prototype-named keys,
 * unexpected file parts, and upload names. (The memory of a web process under 300 MB bodies is
 * in admin-bodies.test.ts, on a process of its own.)
 */

/** The page's inline scripts, with their attributes and text. */
function inlineScripts(html: string): { attrs: string; text: string }[] {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter((m) => !/\ssrc=/.test(m[1]!))
    .map((m) => ({ attrs: m[1]!, text: m[2]! }));
}

/** window.REDUX_STATE as the browser would read it. */
function stateOf(html: string): any {
  const script = inlineScripts(html).find((s) => s.text.includes('window.REDUX_STATE'));
  if (!script) throw new Error('no state script in the page');
  const line = script.text.split('\n').find((l) => l.startsWith('window.REDUX_STATE = '))!;
  return JSON.parse(line.slice('window.REDUX_STATE = '.length, -1));
}

describe('admin panel edges', () => {
  let t: TestApp;
  let admin: TestUser;
  let alpha: HostileGrid;
  let bravo: HostileGrid;

  beforeAll(async () => {
    t = await setupApp();
    admin = await createUser(t.rt.pool, { role: 'admin' });
    alpha = await hostileGrid(t, 'alphaq7');
    bravo = await hostileGrid(t, 'bravoz9');
  });
  afterAll(() => t?.close());

  const signedIn = async (user: TestUser) => {
    const client = new AdminClient(t.baseUrl);
    expect((await client.login(user.email, user.password)).status).toBe(302);
    return client;
  };

  it("writes builders' words into the page as data: escaped state, nonce-only scripts, no third-party origin", async () => {
    const client = await signedIn(admin);
    for (const path of [
      '/admin',
      `/admin/resources/f${alpha.templateId}_main`,
      `/admin/resources/templates/records/${alpha.templateId}/show`,
    ]) {
      const res = await client.get(path);
      expect(res.status).toBe(200);
      const html = await res.text();
      const csp = res.headers.get('content-security-policy')!;
      const scriptSrc = csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith('script-src'))!;
      expect(scriptSrc).not.toContain('unsafe-inline');
      const nonce = scriptSrc.match(/'nonce-([^']+)'/)![1]!;
      // Exactly our two inline scripts, both with this response's nonce: no label opened another.
      const inline = inlineScripts(html);
      expect(inline).toHaveLength(2);
      for (const s of inline) expect(s.attrs).toContain(`nonce="${nonce}"`);
      expect(html).not.toContain('<script>window.__pwned');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toMatch(/\u2028|\u2029/);
      expect(html).not.toMatch(/googleapis|gstatic|https?:\/\/(?!localhost|127\.0\.0\.1)/);
      // The words come back intact when the browser reads the state.
      const state = stateOf(html);
      const words = JSON.stringify(state);
      expect(words).toContain(HOSTILE.script);
      expect(words).toContain(HOSTILE.separators);
      expect(words).toContain(alpha.gridTitle);
    }
    // A fresh nonce per response.
    const a = (await client.get('/admin')).headers.get('content-security-policy');
    const b = (await client.get('/admin')).headers.get('content-security-policy');
    expect(a).not.toBe(b);
  });

  it('the anonymous sign-in page carries branding only: no grid, template, section or field name', async () => {
    const res = await fetch(`${t.baseUrl}/admin/login`);
    const html = await res.text();
    expect(res.status).toBe(200);
    for (const marker of [...alpha.markers, ...bravo.markers, `f${alpha.templateId}_main`])
      expect(html).not.toContain(marker);
    const state = stateOf(html);
    expect(state.resources ?? []).toEqual([]);
    expect(JSON.stringify(state.locale)).not.toMatch(/alphaq7|bravoz9|Weight/);
    expect(inlineScripts(html)).toHaveLength(2);
  });

  it("each signed-in user's pages carry only the grids they belong to", async () => {
    const outsider = await createUser(t.rt.pool, { role: 'builder' });
    const cases: { user: TestUser; sees: HostileGrid[]; not: HostileGrid[] }[] = [
      { user: alpha.submitter, sees: [alpha], not: [bravo] },
      { user: bravo.builder, sees: [bravo], not: [alpha] },
      { user: outsider, sees: [], not: [alpha, bravo] },
      { user: admin, sees: [alpha, bravo], not: [] },
    ];
    for (const { user, sees, not } of cases) {
      const client = await signedIn(user);
      for (const path of ['/admin', '/admin/resources/submissions', `/admin/resources/f${bravo.templateId}_main`]) {
        const html = await (await client.get(path)).text();
        const state = stateOf(html);
        const ids: string[] = state.resources.map((r: { id: string }) => r.id);
        for (const g of sees) {
          expect(ids, `${user.email} ${path}`).toContain(`f${g.templateId}_main`);
          expect(html).toContain(`Form ${g.markers[0]}`);
        }
        for (const g of not) {
          expect(
            ids.filter((id) => id.startsWith(`f${g.templateId}_`)),
            `${user.email} ${path}`,
          ).toEqual([]);
          for (const marker of g.markers) expect(html, `${user.email} ${path} holds ${marker}`).not.toContain(marker);
        }
      }
      // And the resource itself refuses them.
      for (const g of not) {
        const list = await client.getJson(`/admin/api/resources/f${g.templateId}_main/actions/list`);
        expect(JSON.stringify(list.body)).toMatch(/ForbiddenError|not allowed|There is no/);
      }
    }
  });

  it('prototype-named keys in filters, sorts and forms get 400 and change nothing', async () => {
    const client = await signedIn(admin);
    const grids = async () => Number((await t.rt.pool.query('SELECT count(*) AS n FROM grids')).rows[0].n);
    const before = await grids();
    for (const query of [
      'filters.__proto__.x=1',
      'filters.constructor.prototype.x=1',
      'sortBy=__proto__',
      'filters.slug.__proto__=1',
      '__proto__.polluted=1',
    ]) {
      const res = await client.getJson(`/admin/api/resources/grids/actions/list?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.notice.type).toBe('error');
    }
    // The same parameters on a page address.
    expect((await client.get('/admin/resources/grids?filters.__proto__.x=1')).status).toBe(400);
    for (const key of ['__proto__.x', 'constructor.prototype.polluted', 'slug.__proto__.y']) {
      const multi = await client.postJson('/admin/api/resources/grids/actions/new', {
        slug: 'polluted-grid',
        title: 'P',
        [key]: '1',
      });
      expect(multi.status, key).toBe(400);
      const form = await fetch(`${t.baseUrl}/admin/api/resources/grids/actions/new`, {
        method: 'POST',
        headers: { cookie: client.cookie!, origin: t.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: `slug=polluted-grid&title=P&${encodeURIComponent(key)}=1`,
      });
      expect(form.status, key).toBe(400);
    }
    const json = await fetch(`${t.baseUrl}/admin/api/resources/grids/actions/new`, {
      method: 'POST',
      headers: { cookie: client.cookie!, origin: t.baseUrl, 'content-type': 'application/json' },
      body: '{"slug":"polluted-grid","title":"P","__proto__":{"polluted":"yes"}}',
    });
    expect(json.status).toBe(400);
    expect(await grids()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('file parts where no upload is expected get 400, signed in or not; 10 MB forms get 413, not an echo', async () => {
    const withFile = multipart([
      { name: 'email', value: admin.email },
      { name: 'password', value: admin.password },
      { name: 'avatar', filename: 'a.png', contentType: 'image/png', data: png('x') },
    ]);
    const anonymous = await rawRequest(`${t.baseUrl}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': withFile.contentType },
      body: withFile.body,
    });
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.toString()).toMatch(/takes no files/);

    const client = await signedIn(admin);
    const action = await rawRequest(`${t.baseUrl}/admin/api/resources/grids/actions/new`, {
      method: 'POST',
      headers: { 'content-type': withFile.contentType, cookie: client.cookie!, origin: t.baseUrl },
      body: withFile.body,
    });
    expect(action.status).toBe(400);
    expect(action.json().notice.message).toMatch(/takes no files/);

    const big = Buffer.from(`slug=big&title=${'x'.repeat(10 * 1024 * 1024)}`);
    for (const chunked of [false, true]) {
      const res = await rawRequest(`${t.baseUrl}/admin/api/resources/grids/actions/new`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: client.cookie!, origin: t.baseUrl },
        body: big,
        ...(chunked ? { chunkDelayMs: 1 } : {}),
      });
      expect(res.status).toBe(413);
      expect(res.body.length).toBeLessThan(1000);
    }
    const bigMultipart = multipart([
      { name: 'slug', value: 'big' },
      { name: 'title', value: 'x'.repeat(3 * 1024 * 1024) },
    ]);
    const res = await rawRequest(`${t.baseUrl}/admin/api/resources/grids/actions/new`, {
      method: 'POST',
      headers: { 'content-type': bigMultipart.contentType, cookie: client.cookie!, origin: t.baseUrl },
      body: bigMultipart.body,
    });
    expect(res.status).toBe(413);
  });

  it('upload names are read as UTF-8, without direction or control characters', async () => {
    const survey = await alpha.builderApi.post(`/grids/${alpha.gridId}/templates`, {
      slug: 'uploads',
      title: 'Uploads',
      definition: {
        sections: [
          {
            id: 's_u',
            key: 'u',
            label: 'U',
            fields: [{ id: 'f_p', key: 'photo', label: 'Photo', type: 'file', multiple: true }],
          },
        ],
      },
    });
    const templateId = survey.body.data.id;
    expect((await alpha.builderApi.post(`/templates/${templateId}/publish`)).status).toBe(201);
    const submitter = await new ApiClient(t.baseUrl).login(alpha.submitter.email, alpha.submitter.password);
    const draft = await submitter.post(`/templates/${templateId}/submissions`, { draft: true, data: {} });
    expect(draft.body.data.id).toBeDefined();
    const utf8AsSent = (name: string) => Buffer.from(name, 'utf8').toString('latin1');
    const { body, contentType } = multipart([
      { name: 'field', value: 'u.photo' },
      { name: 'file', filename: utf8AsSent('Résumé été 東京.png'), contentType: 'image/png', data: png('1') },
      { name: 'file', filename: utf8AsSent('\u202Egnp.exe'), contentType: 'image/png', data: png('2') },
      { name: 'file', filename: utf8AsSent('a\u2066b\u200Fc\u0085d.png'), contentType: 'image/png', data: png('3') },
    ]);
    const res = await rawRequest(`${t.baseUrl}/api/v1/submissions/${draft.body.data.id}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${submitter.token}` },
      body,
    });
    expect(res.status).toBe(201);
    expect(res.json().data.files.map((f: { name: string }) => f.name)).toEqual([
      'Résumé été 東京.png',
      'gnp.exe',
      'abcd.png',
    ]);
  });
});
