import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/webhooks/signature.js';
import { sweepWebhookDeliveries } from '../../src/webhooks/dispatcher.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, waitFor, type Survey } from '../helpers/forms.js';
import { startReceiver } from '../helpers/receiver.js';

describe('webhooks', () => {
  let t: TestApp;
  let s: Survey;
  let manager: TestUser;
  let reviewer: TestUser;
  let outsider: TestUser;
  let asManager: ApiClient;
  let asReviewer: ApiClient;
  let asOutsider: ApiClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let n = 0;
  /** Per path: answer these statuses in turn, then 200. */
  const script = new Map<string, number[]>();

  beforeAll(async () => {
    t = await setupApp({
      worker: true,
      env: {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_ATTEMPTS: '3',
        WEBHOOK_BACKOFF_MS: '100',
        WEBHOOK_TIMEOUT_MS: '2000',
      },
    });
    s = await publishedSurvey(t);
    manager = await createUser(t.rt.pool, { role: 'builder' });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    outsider = await createUser(t.rt.pool, { role: 'builder' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: manager.id, role: 'manager' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    asManager = await new ApiClient(t.baseUrl).login(manager.email, manager.password);
    asReviewer = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);
    asOutsider = await new ApiClient(t.baseUrl).login(outsider.email, outsider.password);
    receiver = await startReceiver((_n, r) => script.get(r.path)?.shift() ?? 200);
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  const submit = async () => {
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: householdPayload(50_000 + n++),
    });
    expect(res.status).toBe(202);
    return res.body.data.id as string;
  };
  const register = async (path: string, events: string[]) => {
    const res = await asManager.post(`/grids/${s.gridId}/webhooks`, { url: receiver.url(path), events });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; secret: string };
  };
  const deliveries = (webhookId: string) =>
    t.rt.pool
      .query(`SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id`, [webhookId])
      .then((r) => r.rows);
  const at = (path: string) => receiver.received.filter((r) => r.path === path);

  it('delivers a signed, timestamped POST when a submission is processed, and lists it with its response code', async () => {
    const hook = await register('/processed', ['submission.processed']);
    expect(hook.secret).toMatch(/^whsec_/);
    const id = await submit();
    await waitFor(
      async () => at('/processed').length,
      (k) => k === 1,
      20_000,
      'the delivery',
    );

    const got = at('/processed')[0]!;
    expect(got.headers['gridbook-event']).toBe('submission.processed');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.json).toMatchObject({
      event: 'submission.processed',
      data: { submission: { id, gridId: s.gridId, templateId: s.templateId, processingStatus: 'processed' } },
    });
    expect(verifySignature(hook.secret, got.headers['gridbook-signature'] as string, got.body)).toEqual({
      ok: true,
      timestamp: expect.any(Number),
    });
    // A changed body, another secret, or an old timestamp do not verify.
    expect(
      verifySignature(
        hook.secret,
        got.headers['gridbook-signature'] as string,
        got.body.replace('"processingStatus":"processed"', '"processingStatus":"failed"'),
      ).ok,
    ).toBe(false);
    expect(verifySignature('whsec_other', got.headers['gridbook-signature'] as string, got.body).ok).toBe(false);
    expect(
      verifySignature(hook.secret, got.headers['gridbook-signature'] as string, got.body, {
        now: Math.floor(Date.now() / 1000) + 3600,
      }),
    ).toEqual({
      ok: false,
      reason: expect.stringMatching(/replay/),
    });

    const listed = await waitFor(
      async () => (await asManager.get(`/webhooks/${hook.id}/deliveries`)).body.data,
      (d) => d[0]?.status === 'succeeded',
    );
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      event: 'submission.processed',
      submissionId: id,
      status: 'succeeded',
      attempts: 1,
      responseCode: 200,
    });
    // The secret never shows in the audit log.
    const audit = await t.rt.pool.query(
      `SELECT after::text AS a FROM audit_log WHERE action = 'webhook.create' AND entity_id = $1`,
      [hook.id],
    );
    expect(audit.rows[0].a).not.toContain(hook.secret);
  });

  it('retries with backoff until the receiver answers 2xx, and gives up after the last attempt', async () => {
    script.set('/flaky', [500, 503]);
    script.set('/down', [500, 500, 500, 500]);
    const flaky = await register('/flaky', ['submission.processed']);
    const down = await register('/down', ['submission.processed']);
    await submit();
    const [ok] = await waitFor(
      () => deliveries(flaky.id),
      (d) => d[0]?.status === 'succeeded',
      20_000,
      'the flaky delivery',
    );
    expect(ok).toMatchObject({ attempts: 3, response_code: 200, last_error: null });
    expect(at('/flaky')).toHaveLength(3);
    // Every attempt is signed afresh, with the same event id in the body.
    expect(new Set(at('/flaky').map((r) => r.json.id)).size).toBe(1);

    const [failed] = await waitFor(
      () => deliveries(down.id),
      (d) => d[0]?.status === 'failed',
      20_000,
      'the failing delivery',
    );
    expect(failed).toMatchObject({
      attempts: 3,
      response_code: 500,
      last_error: 'the receiver answered 500',
      response_body: 'nope 500',
    });
    expect(at('/down')).toHaveLength(3);

    // A settled delivery can be sent again: a new delivery, the same event id.
    const again = await asManager.post(`/webhook-deliveries/${failed.id}/redeliver`);
    expect(again.status).toBe(202);
    await waitFor(
      () => deliveries(down.id),
      (d) => d.length === 2 && d[1].status === 'succeeded',
    );
    expect(at('/down')[3]!.json.id).toBe(at('/down')[0]!.json.id);
    expect(at('/down')[3]!.headers['gridbook-delivery']).toBe(again.body.data.id);
    await asManager.patch(`/webhooks/${flaky.id}`, { active: false });
    await asManager.patch(`/webhooks/${down.id}`, { active: false });
  });

  it('announces approvals and rejections (with the reason), and processing failures', async () => {
    const hook = await register('/review', ['submission.approved', 'submission.rejected', 'submission.failed']);
    const a = await submit();
    const b = await submit();
    for (const id of [a, b]) expect((await asReviewer.post(`/submissions/${id}/claim`)).status).toBe(200);
    expect((await asReviewer.post(`/submissions/${a}/approve`)).status).toBe(200);
    expect((await asReviewer.post(`/submissions/${b}/reject`, { reason: 'Village is misspelt' })).status).toBe(200);
    // Storage refuses one (a constraint added to the form table): processing fails.
    await t.rt.pool.query(
      `ALTER TABLE ${s.sectionTable} ADD CONSTRAINT no_refused_villages CHECK (village <> 'Refusedville')`,
    );
    const dup = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { ...householdPayload(50_001).household, village: 'Refusedville' } },
    });
    expect(dup.status).toBe(202);
    await waitFor(
      async () => at('/review').length,
      (k) => k === 3,
      20_000,
      'three deliveries',
    );
    const byEvent = Object.fromEntries(at('/review').map((r) => [r.json.event, r.json.data.submission]));
    expect(byEvent['submission.approved']).toMatchObject({ id: a, reviewStatus: 'approved', reviewerId: reviewer.id });
    expect(byEvent['submission.rejected']).toMatchObject({
      id: b,
      reviewStatus: 'rejected',
      reason: 'Village is misspelt',
    });
    expect(byEvent['submission.failed']).toMatchObject({
      id: dup.body.data.id,
      processingStatus: 'failed',
      error: expect.stringMatching(/refused to store this answer in Village/),
    });
    await t.rt.pool.query(`ALTER TABLE ${s.sectionTable} DROP CONSTRAINT no_refused_villages`);
    // Nothing for the events it did not subscribe to (processed).
    expect(at('/review').some((r) => r.json.event === 'submission.processed')).toBe(false);
    await asManager.delete(`/webhooks/${hook.id}`);
  });

  it('queues again a delivery whose job was lost (PostgreSQL is the truth)', async () => {
    const hook = await register('/lost', ['submission.processed']);
    // A delivery as if written, marked queued, then its job vanished (a Redis flush).
    const [row] = (
      await t.rt.pool.query(
        `INSERT INTO webhook_deliveries (webhook_id, grid_id, event, payload, queued_at, next_attempt_at)
         VALUES ($1, $2, 'submission.processed', '{"lost": true}', now() - interval '10 minutes', now() - interval '10 minutes') RETURNING id`,
        [hook.id, s.gridId],
      )
    ).rows;
    const swept = await sweepWebhookDeliveries(t.rt.pool, t.rt.queues.webhooks, t.config.webhooks, 60);
    expect(swept.queued).toBeGreaterThanOrEqual(1);
    await waitFor(
      async () => at('/lost').length,
      (k) => k === 1,
    );
    expect(at('/lost')[0]!.json).toMatchObject({ id: row.id, data: { lost: true } });
    // Swept again: it is settled, nothing is sent twice.
    await sweepWebhookDeliveries(t.rt.pool, t.rt.queues.webhooks, t.config.webhooks, 60);
    await t.worker!.webhooks.idle();
    await new Promise((r) => setTimeout(r, 300));
    expect(at('/lost')).toHaveLength(1);
    await asManager.delete(`/webhooks/${hook.id}`);
  });

  it('sends nothing to a disabled webhook; a ping checks an enabled one', async () => {
    const hook = await register('/quiet', ['submission.processed']);
    expect((await asManager.patch(`/webhooks/${hook.id}`, { active: false })).body.data.active).toBe(false);
    const id = await submit();
    await waitFor(
      () =>
        t.rt.pool
          .query('SELECT processing_status FROM submissions WHERE id = $1', [id])
          .then((r) => r.rows[0].processing_status),
      (st) => st === 1,
    );
    expect(await deliveries(hook.id)).toEqual([]);
    expect((await asManager.post(`/webhooks/${hook.id}/ping`)).status).toBe(409);

    await asManager.patch(`/webhooks/${hook.id}`, { active: true });
    const ping = await asManager.post(`/webhooks/${hook.id}/ping`);
    expect(ping.status).toBe(202);
    await waitFor(
      async () => at('/quiet').length,
      (k) => k === 1,
    );
    expect(at('/quiet')[0]!.json).toMatchObject({ event: 'ping', data: { webhook: { id: hook.id } } });
    await asManager.delete(`/webhooks/${hook.id}`);
  });

  it("refuses bad input and changes nothing; only the grid's managers manage webhooks", async () => {
    const count = async () => Number((await t.rt.pool.query('SELECT count(*) AS c FROM webhooks')).rows[0].c);
    const before = await count();
    for (const body of [
      { url: 'ftp://example.com/x', events: ['submission.processed'] },
      { url: 'not a url at all', events: ['submission.processed'] },
      { url: 'https://user:pw@example.com/x', events: ['submission.processed'] },
      { url: 'https://example.com/x', events: [] },
      { url: 'https://example.com/x', events: ['submission.deleted'] },
    ]) {
      const res = await asManager.post(`/grids/${s.gridId}/webhooks`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.success).toBe(false);
    }
    expect(await count()).toBe(before);

    const hook = await register('/perm', ['submission.processed']);
    expect(
      (await asReviewer.post(`/grids/${s.gridId}/webhooks`, { url: receiver.url(), events: ['submission.processed'] }))
        .status,
    ).toBe(403);
    expect((await asReviewer.get(`/webhooks/${hook.id}/deliveries`)).status).toBe(403);
    expect((await asReviewer.patch(`/webhooks/${hook.id}`, { active: false })).status).toBe(403);
    expect((await asOutsider.get(`/grids/${s.gridId}/webhooks`)).status).toBe(404);
    expect((await asOutsider.get(`/webhooks/${hook.id}`)).status).toBe(404);
    expect((await asOutsider.post(`/webhooks/${hook.id}/rotate-secret`)).status).toBe(404);

    const rotated = await asManager.post(`/webhooks/${hook.id}/rotate-secret`);
    expect(rotated.body.data.secret).toMatch(/^whsec_/);
    expect(rotated.body.data.secret).not.toBe(hook.secret);
    expect((await asManager.delete(`/webhooks/${hook.id}`)).status).toBe(200);
    expect((await asManager.get(`/webhooks/${hook.id}`)).status).toBe(404);
    const actions = (
      await t.rt.pool.query(
        `SELECT action FROM audit_log WHERE entity_type = 'webhook' AND entity_id = $1 ORDER BY id`,
        [hook.id],
      )
    ).rows.map((r) => r.action);
    expect(actions).toEqual(['webhook.create', 'webhook.rotate_secret', 'webhook.delete']);
  });
});
