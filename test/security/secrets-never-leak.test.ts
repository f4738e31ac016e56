import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAll } from '../../src/audit/audit-chain.js';
import { createLogger } from '../../src/observability/logger.js';
import { ProcessingService } from '../../src/submissions/processing.service.js';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, type Survey } from '../helpers/forms.js';
import { diffSnapshots, Findings, snapshot } from './lib.js';
import { Tally } from './tally.js';

/**
 * No response body of any kind carries a password hash, a refresh token (raw or hashed), an
 * idempotency hash, a webhook signing secret or the instance secrets. The API is crawled from its
 * own OpenAPI document (every GET route, with the ids that exist) and the admin panel through every
 * resource AdminJS serves (pages, lists, searches, and each record's show, edit and history), as
 * an admin, a builder, a reviewer and a submitter. The only bodies allowed to hold a secret are the
 * ones whose purpose it is: a sign-in or refresh answer holds the caller's own new refresh token,
 * and a webhook's creation answer its secret (neither is a GET, so the crawl never meets them).
 */
describe('secrets never leave the server', () => {
  let t: TestApp;
  let s: Survey;
  const users: Record<string, TestUser> = {};
  const refreshTokens: string[] = [];
  const webhookSecrets: string[] = [];
  const tally = new Tally('security: secrets never leak (crawl)');

  beforeAll(async () => {
    t = await setupApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
    s = await publishedSurvey(t);
    users.admin = await createUser(t.rt.pool, { role: 'admin' });
    users.builder = s.builder;
    users.submitter = s.submitter;
    users.reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await createUser(t.rt.pool, { role: 'builder', active: false });
    const adminApi = await new ApiClient(t.baseUrl).login(users.admin.email, users.admin.password);
    expect(
      (await s.builderApi.post(`/grids/${s.gridId}/members`, { userId: users.reviewer.id, role: 'reviewer' })).status,
    ).toBe(201);

    // Data in every table the crawl reads: submissions (processed, some with Idempotency-Keys),
    // a draft, review decisions, comments, follow-ups, a webhook, audit entries sealed.
    const processing = new ProcessingService({
      pool: t.rt.pool,
      catalog: t.rt.catalog,
      logger: createLogger('silent'),
    });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await s.submitterApi.post(
        `/templates/${s.templateId}/submissions`,
        { data: householdPayload(i) },
        { 'idempotency-key': `crawl-${i}` },
      );
      expect(res.status).toBe(202);
      ids.push(res.body.data.id);
    }
    await processing.processBatch(ids);
    await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { village: 'draft' } },
      draft: true,
    });
    const reviewerApi = await new ApiClient(t.baseUrl).login(users.reviewer.email, users.reviewer.password);
    await reviewerApi.post(`/submissions/${ids[0]}/claim`, {});
    await reviewerApi.post(`/submissions/${ids[0]}/approve`, {});
    await reviewerApi.post(`/submissions/${ids[1]}/claim`, {});
    await reviewerApi.post(`/submissions/${ids[1]}/reject`, { reason: 'Please check the members' });
    await reviewerApi.post(`/submissions/${ids[2]}/comments`, { body: 'Looks fine' });
    await reviewerApi.post(`/submissions/${ids[2]}/follow-ups`, { title: 'Call back', dueOn: '2030-01-01' });
    const hook = await s.builderApi.post(`/grids/${s.gridId}/webhooks`, {
      url: 'https://hooks.example.test/gridbook',
      events: ['submission.processed'],
    });
    if (hook.status === 201 && hook.body.data.secret) webhookSecrets.push(hook.body.data.secret);
    const rotated = await adminApi.post('/auth/refresh', { refreshToken: adminApi.refreshToken });
    for (const api of [adminApi, s.builderApi, s.submitterApi, reviewerApi]) refreshTokens.push(api.refreshToken!);
    if (rotated.status === 200) refreshTokens.push(rotated.body.data.refreshToken);
    await sealAll(t.rt.pool, t.config.audit.key!);
  });

  afterAll(async () => {
    tally.publish();
    await t?.close();
  });

  /** Every secret the database holds, and every raw token issued in this test. */
  async function secrets(): Promise<{ name: string; value: string }[]> {
    const q = async (sql: string) => (await t.rt.pool.query<{ v: string }>(sql)).rows.map((r) => r.v).filter(Boolean);
    const list: { name: string; value: string }[] = [];
    for (const h of await q('SELECT password_hash AS v FROM users')) {
      list.push({ name: 'a password hash', value: h }, { name: 'the body of a password hash', value: h.slice(7) });
    }
    for (const v of await q('SELECT token_hash AS v FROM refresh_tokens'))
      list.push({ name: 'a refresh token hash', value: v });
    for (const v of await q('SELECT idempotency_hash AS v FROM submissions WHERE idempotency_hash IS NOT NULL'))
      list.push({ name: 'an idempotency hash', value: v });
    for (const v of await q(`SELECT secret AS v FROM webhooks`).catch(() => [] as string[]))
      list.push({ name: 'a webhook secret', value: v });
    for (const v of await q('SELECT value AS v FROM instance_secrets'))
      list.push({ name: 'an instance secret', value: v });
    for (const v of refreshTokens) list.push({ name: 'a refresh token', value: v });
    for (const v of webhookSecrets) list.push({ name: 'a webhook secret', value: v });
    list.push(
      { name: 'the JWT secret', value: t.rt.secrets.jwtSecret },
      { name: 'the session secret', value: t.rt.secrets.sessionSecret },
    );
    return list.filter((x) => x.value.length >= 16);
  }

  const SHAPES: [string, RegExp][] = [
    ['a bcrypt hash', /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/],
    ['a password_hash property', /["']password_hash["']\s*:/],
    ['a token_hash property', /["']token_hash["']\s*:/],
    ['an idempotency_hash property', /["']idempotency_hash["']\s*:/],
  ];

  it.each(['admin', 'builder', 'reviewer', 'submitter'])(
    'no body a %s can get, from the API or the admin panel, holds a secret',
    async (role) => {
      const findings = new Findings();
      const user = users[role]!;
      const known = await secrets();
      let bodies = 0;
      let serverErrors = 0;
      const inspect = (where: string, status: number, text: string) => {
        bodies++;
        tally.add('response bodies inspected');
        if (status >= 500) {
          serverErrors++;
          findings.add(`${role}: ${status}`, where);
        }
        for (const { name, value } of known)
          if (text.includes(value)) findings.add(`${role}: ${name} in a response`, where);
        for (const [name, shape] of SHAPES) if (shape.test(text)) findings.add(`${role}: ${name} in a response`, where);
      };

      // The API, from its own OpenAPI document: every GET route with the ids that exist.
      const api = await new ApiClient(t.baseUrl).login(user.email, user.password);
      refreshTokens.push(api.refreshToken!);
      const doc = await (await fetch(`${t.baseUrl}/api/v1/openapi.json`)).json();
      const idsOf = async (sql: string) => (await t.rt.pool.query<{ id: string }>(sql)).rows.map((r) => String(r.id));
      const candidates: Record<string, string[]> = {
        gridId: await idsOf('SELECT id FROM grids ORDER BY id'),
        templateId: await idsOf('SELECT id FROM templates ORDER BY id'),
        submissionId: await idsOf('SELECT id FROM submissions ORDER BY id LIMIT 8'),
        userId: await idsOf('SELECT id FROM users ORDER BY id'),
        fileId: await idsOf('SELECT id FROM files ORDER BY id LIMIT 4'),
        followUpId: await idsOf('SELECT id FROM follow_ups ORDER BY id'),
        webhookId: await idsOf('SELECT id FROM webhooks ORDER BY id').catch(() => []),
        exportId: await idsOf('SELECT id FROM exports ORDER BY id').catch(() => []),
        deliveryId: await idsOf('SELECT id FROM webhook_deliveries ORDER BY id LIMIT 4').catch(() => []),
      };
      const getPaths = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
        .filter(([, ops]) => 'get' in ops)
        .map(([p]) => p);
      expect(getPaths.length).toBeGreaterThan(10);
      for (const template of getPaths) {
        const params = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        let paths = [template];
        for (const param of params) {
          const values = (candidates[param] ?? []).length ? candidates[param]! : ['1'];
          paths = paths.flatMap((p) => values.map((v) => p.replace(`{${param}}`, v))).slice(0, 12);
        }
        for (const path of paths) {
          const res = await fetch(
            `${t.baseUrl}/api/v1${path}${/\/(submissions|templates|users|grids)$/.test(path) ? '?limit=200' : ''}`,
            {
              headers: { authorization: `Bearer ${api.token}` },
            },
          );
          inspect(`GET /api/v1${path}`, res.status, await res.text());
        }
      }

      // The admin panel: every resource AdminJS serves, and every action of it, as this user sees
      // it. Actions are called with GET, as a link would: they must show, never change anything.
      const panel = new AdminClient(t.baseUrl);
      expect((await panel.login(user.email, user.password)).status).toBe(302);
      const before = await snapshot(t.rt.pool);
      const get = async (path: string) => {
        const res = await panel.getJson(path);
        inspect(`GET ${path}`, res.status, res.text);
        return res.body;
      };
      for (const path of ['/admin', '/admin/api/dashboard', '/admin/api/pages/account', `/admin/pages/account`])
        await get(path);
      const resources = t.web.adminHost.admin.resources;
      expect(resources.map((r) => r.id())).toEqual(
        expect.arrayContaining(['users', 'grids', 'submissions', 'audit_log']),
      );
      // The "Signing secret" page shows a webhook's secret to whoever manages its grid: by design.
      const mayReadSecrets = role === 'admin' || role === 'builder';
      let actionsCalled = 0;
      for (const r of resources) {
        const resource = r.id();
        const actions = Object.values(r.decorate().actions);
        const is = {
          record: (a: (typeof actions)[number]) => a.isRecordType(),
          resource: (a: (typeof actions)[number]) => a.isResourceType(),
          bulk: (a: (typeof actions)[number]) => a.isBulkType(),
        };
        const named = (type: keyof typeof is) => actions.filter(is[type]).map((a) => a.name);
        await get(`/admin/resources/${resource}`);
        const list = await get(`/admin/api/resources/${resource}/actions/list?perPage=500`);
        await get(`/admin/api/resources/${resource}/actions/search/a`);
        // "new" is POST-only: a GET answers 500 (the AdminJS 5xx product bug in web-security.test.ts).
        for (const action of named('resource').filter((a) => a !== 'list' && a !== 'search' && a !== 'new')) {
          await get(`/admin/api/resources/${resource}/actions/${action}`);
          actionsCalled++;
        }
        const records = ((list?.records ?? []) as { id: string }[]).slice(0, 3);
        for (const record of records) {
          for (const action of named('record').filter((a) => a !== 'secret' || !mayReadSecrets)) {
            await get(`/admin/api/resources/${resource}/records/${record.id}/${action}`);
            actionsCalled++;
          }
          await get(`/admin/resources/${resource}/records/${record.id}/show`);
        }
        if (records.length) {
          for (const action of named('bulk')) {
            await get(
              `/admin/api/resources/${resource}/bulk/${action}?recordIds=${records.map((r) => r.id).join(',')}`,
            );
            actionsCalled++;
          }
        }
      }
      const changed = diffSnapshots(before, await snapshot(t.rt.pool));
      if (changed.length)
        findings.add(`${role}: the crawl (GET requests only) changed the database`, changed.join('; '));
      tally.add('admin actions called with GET', actionsCalled);
      tally.set(`bodies inspected as ${role}`, bodies);
      tally.add('5xx seen', serverErrors);
      tally.note(
        `${role}: ${getPaths.length} API GET routes and ${resources.length} admin resources (${actionsCalled} actions) ` +
          `crawled, ${known.length} secrets looked for`,
      );
      expect(bodies).toBeGreaterThan(40);
      expect(findings.list()).toEqual([]);
    },
  );
});
