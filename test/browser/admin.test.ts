import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp } from '../helpers/app.js';
import { closeAll, openBrowserApp, SCREENSHOTS } from '../helpers/browser.js';
import { createGrid, createUser, type TestUser } from '../helpers/factories.js';

describe('the admin panel in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let admin: TestUser;
  beforeAll(async () => {
    ({ t, browser } = await openBrowserApp({ worker: true }));
    admin = await createUser(t.rt.pool, { role: 'admin', name: 'Ada Admin' });
    const builder = await createUser(t.rt.pool, { role: 'builder' });
    await createGrid(t.rt, builder, [], { slug: 'village-survey', title: 'Village survey' });
  });
  afterAll(() => closeAll(browser, t));

  it('signs in, shows the dashboard, users and grids, with no page errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${t.baseUrl}/admin`);
    await page.waitForURL(/\/admin\/login$/);
    await page.fill('input[name=email]', admin.email);
    await page.fill('input[name=password]', 'not the password');
    await page.click('form button');
    await page.getByText('Wrong email or password').waitFor();

    await page.fill('input[name=email]', admin.email);
    await page.fill('input[name=password]', admin.password);
    await page.click('form button');
    await page.waitForURL(`${t.baseUrl}/admin`);
    await page.getByTestId('dashboard').waitFor();
    await page.getByText('Welcome, Ada Admin').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard.png` });

    await page.goto(`${t.baseUrl}/admin/resources/users`);
    await page.getByText(admin.email).first().waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/users.png` });

    await page.goto(`${t.baseUrl}/admin/resources/grids`);
    await page.getByText('Village survey').first().waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/grids.png` });

    // Soft delete through the confirmation page (a POST), then find it under the deleted filter.
    const gridId = (await t.rt.pool.query(`SELECT id FROM grids WHERE slug = 'village-survey'`)).rows[0].id;
    await page.goto(`${t.baseUrl}/admin/resources/grids/records/${gridId}/softDelete`);
    await page.getByTestId('confirm-softDelete').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/grid-delete-confirm.png` });
    await page.getByTestId('confirm-submit').click();
    await page.waitForURL(/\/records\/\d+\/show$/);
    await expect
      .poll(
        async () => (await t.rt.pool.query('SELECT is_deleted FROM grids WHERE id = $1', [gridId])).rows[0].is_deleted,
      )
      .toBe(true);

    await page.goto(`${t.baseUrl}/admin/resources/grids/records/${gridId}/history`);
    await page.getByTestId('record-history').getByText('grid.soft_delete').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/grid-history.png` });

    expect(errors).toEqual([]);
    await page.close();
  });
});
