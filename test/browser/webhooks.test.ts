import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, waitFor, type Survey } from '../helpers/forms.js';
import { startReceiver } from '../helpers/receiver.js';

describe('webhooks in the admin panel', () => {
  let t: TestApp;
  let s: Survey;
  let manager: TestUser;
  let reviewer: TestUser;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp({
      worker: true,
      env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ATTEMPTS: '2', WEBHOOK_BACKOFF_MS: '100' },
    });
    s = await publishedSurvey(t);
    manager = await createUser(t.rt.pool, { role: 'builder', name: 'Mia Manager' });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: manager.id, role: 'manager' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    receiver = await startReceiver((n) => (n === 1 ? 500 : 200));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await t?.close();
  });

  const newPage = async (user: TestUser): Promise<{ page: Page; errors: string[] }> => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, user);
    return { page, errors };
  };

  it('a manager registers a webhook in the form, copies its secret, and sees deliveries with their status and response code', async () => {
    const { page, errors } = await newPage(manager);
    await page.goto(`${t.baseUrl}/admin/resources/webhooks/actions/new`);
    // The grid (a reference: type to search, pick), the URL, one event.
    await page.locator('[data-testid="property-edit-grid_id"] input').first().fill('Grid');
    await page
      .locator('[data-testid="property-edit-grid_id"]')
      .getByText(/Grid grid-/)
      .first()
      .click();
    await page.fill('input[name=url]', receiver.url('/from-admin'));
    await page.locator('[data-testid="property-edit-events"] button').first().click();
    await page.locator('[data-testid="property-edit-events"] input').first().fill('submission.processed');
    await page.keyboard.press('Enter');
    await page.screenshot({ path: `${SCREENSHOTS}/webhook-new.png`, fullPage: true });
    await page.getByTestId('button-save').click();
    await page.waitForURL(/\/admin\/resources\/webhooks(\/records\/\d+\/show)?$/);

    const hook = await waitFor(
      () => t.rt.pool.query('SELECT id, secret, events, grid_id FROM webhooks').then((r) => r.rows),
      (rows) => rows.length === 1,
    );
    expect(hook[0]).toMatchObject({ events: ['submission.processed'], grid_id: s.gridId });
    const id = hook[0].id as string;

    // The list never carries the secret; the secret page shows it.
    await page.goto(`${t.baseUrl}/admin/resources/webhooks`);
    await page.getByText(receiver.url('/from-admin')).first().waitFor();
    expect(await page.content()).not.toContain(hook[0].secret);
    await page.goto(`${t.baseUrl}/admin/resources/webhooks/records/${id}/secret`);
    expect(await page.getByTestId('webhook-secret-value').textContent()).toBe(hook[0].secret);
    await page.screenshot({ path: `${SCREENSHOTS}/webhook-secret.png`, fullPage: true });

    // A submission is processed: the first attempt gets a 500, the retry a 200.
    await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(1) });
    await waitFor(
      () =>
        t.rt.pool
          .query('SELECT status FROM webhook_deliveries WHERE webhook_id = $1', [id])
          .then((r) => r.rows[0]?.status),
      (status) => status === 'succeeded',
    );
    await page.goto(`${t.baseUrl}/admin/resources/webhooks/records/${id}/show`);
    await page.getByTestId('action-deliveries').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/webhook-show.png`, fullPage: true });
    await page.getByTestId('action-deliveries').click();
    await page.waitForURL(/webhook_deliveries\?filters\.webhook_id=/);
    const row = page.locator('[data-testid^="property-list-status"]').first();
    await row.getByText('succeeded').waitFor();
    await page.locator('[data-testid^="property-list-response_code"]').first().getByText('200').waitFor();
    await page.locator('[data-testid^="property-list-attempts"]').first().getByText('2').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/webhook-deliveries.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is not offered to a reviewer of the grid', async () => {
    const { page } = await newPage(reviewer);
    const list = await page.request.get(`${t.baseUrl}/admin/api/resources/webhooks/actions/list`);
    const body = await list.json();
    expect(body.records ?? []).toEqual([]);
    const id = (await t.rt.pool.query('SELECT id FROM webhooks LIMIT 1')).rows[0].id;
    const secret = await page.request.get(`${t.baseUrl}/admin/api/resources/webhooks/records/${id}/secret`);
    expect(JSON.stringify(await secret.json())).not.toMatch(/whsec_/);
    await page.close();
  });
});
