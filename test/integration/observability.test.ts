import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor } from '../helpers/forms.js';

/** A logger writing JSON lines into memory, configured like the real one (mixin fields, redaction). */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { lines, raw, stream };
}

describe('logs, metrics and the queue board', () => {
  let t: TestApp;
  const log = memoryLogger();
  beforeAll(async () => {
    // The real logger (mixin with request and job ids, redaction), writing into memory.
    t = await setupApp({ worker: true, logger: createLogger('debug', 'gridbook', { destination: log.stream }) });
  });
  afterAll(() => t.close());

  it('puts the request id on every line of a request, accepted from X-Request-Id when sane, and returns it', async () => {
    const api = new ApiClient(t.baseUrl);
    const res = await api.request(
      'POST',
      '/auth/token',
      { email: 'nobody@example.test', password: 'hunter2hunter2' },
      { 'x-request-id': 'trace-42' },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    const mine = log.lines.filter((l) => l.requestId === 'trace-42');
    expect(mine.length).toBeGreaterThanOrEqual(1);
    const access = mine.find((l) => (l.req as { url?: string } | undefined)?.url === '/api/v1/auth/token');
    expect(access).toMatchObject({ res: { status: 401 } });
    // No secret ever reaches a line.
    expect(log.raw.join('\n')).not.toContain('hunter2hunter2');
  });

  it('puts the job id on worker lines, and never logs tokens or cookies', async () => {
    const s = await publishedSurvey(t);
    // One answer that storage refuses (a constraint added to the form table) fails in the worker.
    await t.rt.pool.query(`ALTER TABLE ${s.sectionTable} ADD CONSTRAINT no_village_2 CHECK (village <> 'Village 2')`);
    await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(1) });
    await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(2) });
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 1 && c['2'] === 1,
    );
    await waitFor(
      async () => log.lines.filter((l) => l.msg === 'submission failed'),
      (found) => found.length === 1,
    );
    const failed = log.lines.find((l) => l.msg === 'submission failed')!;
    expect(failed.jobId).toMatch(/^sub-\d+$/);
    const all = log.raw.join('\n');
    expect(all).not.toContain(s.submitterApi.token!);
    expect(all).not.toMatch(/gridbook\.sid=/);
  });

  it('serves Prometheus metrics after a few requests and jobs, protected', async () => {
    await new ApiClient(t.baseUrl).post('/auth/token', { email: 'ghost@example.test', password: 'nope nope nope' });
    const res = await fetch(`${t.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /gridbook_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/templates\/:templateId\/submissions",status="202"\} 2/,
    );
    expect(text).toMatch(/gridbook_submissions_created_total\{kind="submitted"\} 2/);
    expect(text).toMatch(/gridbook_submissions_processed_total 1/);
    expect(text).toMatch(/gridbook_submissions_failed_total 1/);
    expect(text).toMatch(/gridbook_processing_batch_duration_seconds_count [1-9]/);
    expect(text).toMatch(/gridbook_queue_jobs\{queue="submissions",state="waiting"\} 0/);
    expect(text).toMatch(/gridbook_publish_duration_seconds_count\{outcome="published"\} 1/);
    expect(text).toMatch(/gridbook_login_failures_total\{reason="unknown_email"\} [1-9]/);
    expect(text).toMatch(/gridbook_process_resident_memory_bytes/);
    expect(text).toMatch(/gridbook_event_loop_delay_seconds_count [1-9]/);
  });

  it('shows the queue board to admins only', async () => {
    const admin = await createUser(t.rt.pool, { role: 'admin' });
    const builder = await createUser(t.rt.pool, { role: 'builder' });
    const asAdmin = new AdminClient(t.baseUrl);
    await asAdmin.login(admin.email, admin.password);
    const board = await asAdmin.get('/admin/queues');
    expect(board.status).toBe(200);
    const html = await board.text();
    expect(html).toContain('Gridbook queues');
    // Nothing from another origin (Bull Board's template links Google Fonts), our favicon, a way back.
    expect(html).not.toMatch(/<(link|script|img)[^>]+(href|src)="https?:/);
    expect(html).toContain('href="/admin/assets/fonts/roboto.css"');
    expect(html).toContain('href="/admin/assets/gridbook/favicon.svg"');
    expect(html).toMatch(/<a href="\/admin" data-testid="back-to-panel"/);
    const api = await asAdmin.getJson('/admin/queues/api/queues?activeQueue=submissions&page=1&jobsPerPage=10');
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.body)).toContain('submissions');
    const asBuilder = new AdminClient(t.baseUrl);
    await asBuilder.login(builder.email, builder.password);
    const refused = await asBuilder.get('/admin/queues');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    const refusal = await refused.text();
    expect(refusal).toContain('The queue board is for administrators');
    expect(refusal).toContain('href="/admin"');
    expect((await asBuilder.get('/admin/queues/api/queues')).status).toBe(403);
    const anonymous = await fetch(`${t.baseUrl}/admin/queues`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
  });
});

describe('metrics with a token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp({ env: { METRICS_TOKEN: 'scrape-me-please-0123456789' } });
  });
  afterAll(() => t.close());

  it('needs the bearer token', async () => {
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${t.baseUrl}/metrics`, {
      headers: { authorization: 'Bearer scrape-me-please-0123456789' },
    });
    expect(ok.status).toBe(200);
  });
});

describe("Gridbook's logo and favicon", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are served by this host, to anyone, and linked from the sign-in page', async () => {
    for (const [path, type] of [
      ['/admin/assets/gridbook/logo.svg', /^image\/svg\+xml/],
      ['/admin/assets/gridbook/favicon.svg', /^image\/svg\+xml/],
      ['/admin/assets/gridbook/favicon.png', /^image\/png/],
      ['/favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)/],
    ] as const) {
      const res = await fetch(`${t.baseUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
      expect((await res.arrayBuffer()).byteLength, path).toBeGreaterThan(100);
    }
    const login = await (await fetch(`${t.baseUrl}/admin/login`)).text();
    expect(login).toContain('<link rel="icon" type="image/svg+xml" href="/admin/assets/gridbook/favicon.svg">');
    expect(login).toContain('"logo":"/admin/assets/gridbook/logo.svg"');
    expect(login).toContain('Welcome to Gridbook');
    expect(login).not.toMatch(/(href|src)="https?:/);
  });
});
