import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp } from '../helpers/app.js';
import { closeAll, openBrowserApp, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/api-client.js';

/** Runs "Try it out" on `GET /me` and returns the status cell and the response body Swagger UI shows. */
async function tryGetMe(page: Page): Promise<{ status: string; body: string }> {
  const op = page.locator('#operations-auth-getMe');
  await op.locator('.opblock-summary').click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  await op.getByRole('button', { name: 'Execute' }).click();
  const status = op.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  return {
    status: (await status.innerText()).trim(),
    body: await op.locator('.live-responses-table .microlight').first().innerText(),
  };
}

describe('the interactive API docs', () => {
  let t: TestApp;
  let browser: Browser;
  let admin: TestUser;
  beforeAll(async () => {
    ({ t, browser } = await openBrowserApp());
    admin = await createUser(t.rt.pool, { role: 'admin', name: 'Ada Admin' });
  });
  afterAll(() => closeAll(browser, t));

  it(
    'lists the operations, tries a GET with the panel session, and leads back to the panel',
    { timeout: 240_000 },
    async () => {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('request', (r) => {
        if (!r.url().startsWith(t.baseUrl) && !/^(data|blob):/.test(r.url())) problems.push(`other origin: ${r.url()}`);
      });
      await signIn(page, t.baseUrl, admin);
      await page.goto(`${t.baseUrl}/api/docs`);
      await page.locator('#operations-auth-getMe').waitFor();
      // Operations of every tag are listed, from the document the routes generate.
      expect(await page.locator('.opblock').count()).toBeGreaterThan(30);
      await page.locator('#operations-templates-postTemplatesTemplateIdPublish').waitFor();

      const me = await tryGetMe(page);
      expect(me.status).toBe('200');
      expect(me.body).toContain(admin.email);
      await page.screenshot({ path: `${SCREENSHOTS}/api-docs.png` });

      await page.getByTestId('back-to-panel').click();
      await page.waitForURL(`${t.baseUrl}/admin`);
      expect(problems).toEqual([]);
      await page.close();
    },
  );

  it('tries a request with a pasted token (Authorize), without any session', { timeout: 240_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const api = await new ApiClient(t.baseUrl).login(admin.email, admin.password);
    await page.goto(`${t.baseUrl}/api/docs`);
    await page.locator('#operations-auth-getMe').waitFor();

    const anonymous = await tryGetMe(page);
    expect(anonymous.status).toBe('401');

    await page.locator('.auth-wrapper .authorize').click();
    await page.locator('.modal-ux input').fill(api.token!);
    await page.locator('.modal-ux .auth-btn-wrapper .authorize').click();
    await page.locator('.modal-ux .btn-done').click();
    await page.locator('#operations-auth-getMe .execute').click();
    const status = page.locator('#operations-auth-getMe .live-responses-table .response .response-col_status').first();
    await expect.poll(async () => (await status.innerText()).trim()).toBe('200');
    expect(
      await page.locator('#operations-auth-getMe .live-responses-table .microlight').first().innerText(),
    ).toContain(admin.email);
    await page.close();
  });
});
