import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openAs, SCREENSHOTS, shot } from '../helpers/browser.js';
import { createUser, type TestUser } from '../helpers/factories.js';

/** Picks `text` in an AdminJS select (a role) or reference (a grid, a user) of the open form. */
async function choose(page: Page, property: string, text: string): Promise<void> {
  const input = page.getByTestId(`property-edit-${property}`).locator('input').first();
  await input.click();
  await input.fill(text);
  await page.locator('[id*="-option-"]', { hasText: text }).first().click();
}

/**
 * An admin's journey, all through the panel: a new grid (its slug follows the title), three people
 * (a builder, a reviewer, a submitter), and their membership of the grid with those roles.
 */
describe('journey: an admin sets up a grid and its people', () => {
  let t: TestApp;
  let admin: TestUser;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp();
    admin = await createUser(t.rt.pool, { role: 'admin', name: 'Ada Admin' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates a grid, a builder, a reviewer and a submitter, and makes them members', async () => {
    const { page, errors } = await openAs(browser, t.baseUrl, admin);
    await page.getByTestId('home-admin').waitFor();
    await shot(page, 'journey-admin-1-dashboard');

    // 1. A grid: the slug follows the title.
    await page.goto(`${t.baseUrl}/admin/resources/grids/actions/new`);
    const slug = page.getByTestId('slug-input');
    await slug.waitFor();
    await page.locator('input[name="title"]').fill('Wells of the North 2027');
    await expect.poll(() => slug.inputValue()).toBe('wells-of-the-north-2027');
    await shot(page, 'journey-admin-2-new-grid');
    await page.getByTestId('button-save').click();
    await expect
      .poll(
        async () =>
          (await t.rt.pool.query(`SELECT id FROM grids WHERE slug = 'wells-of-the-north-2027'`)).rows[0]?.id as
            string | undefined,
      )
      .toBeDefined();
    const gridId = (await t.rt.pool.query(`SELECT id FROM grids WHERE slug = 'wells-of-the-north-2027'`)).rows[0]
      .id as string;
    await page.waitForURL((url) => !url.pathname.endsWith('/actions/new'));

    // 2. Three people, each with their global role.
    const people = [
      { name: 'Bea Builder', email: 'bea.builder@example.test', role: 'builder' },
      { name: 'Rui Reviewer', email: 'rui.reviewer@example.test', role: 'reviewer' },
      { name: 'Sam Submitter', email: 'sam.submitter@example.test', role: 'submitter' },
    ];
    for (const [i, person] of people.entries()) {
      await page.goto(`${t.baseUrl}/admin/resources/users/actions/new`);
      await page.locator('input[name="email"]').fill(person.email);
      await page.locator('input[name="name"]').fill(person.name);
      await choose(page, 'role', person.role);
      await page.getByTestId('property-edit-password').locator('input').first().fill('a long enough password');
      if (i === 0) await shot(page, 'journey-admin-3-new-person');
      await page.getByTestId('button-save').click();
      await expect
        .poll(
          async () => (await t.rt.pool.query('SELECT role FROM users WHERE email = $1', [person.email])).rows[0]?.role,
        )
        .toBe(person.role);
      await page.waitForURL((url) => !url.pathname.endsWith('/actions/new'));
    }

    // 3. Each one a member of the grid, with the role they play in it.
    for (const [i, person] of people.entries()) {
      await page.goto(`${t.baseUrl}/admin/resources/grid_members/actions/new`);
      await choose(page, 'grid_id', 'Wells of the North 2027');
      await choose(page, 'user_id', person.email);
      await choose(page, 'role', person.role);
      if (i === 0) await shot(page, 'journey-admin-4-new-member');
      await page.getByTestId('button-save').click();
      await expect
        .poll(
          async () =>
            (
              await t.rt.pool.query(
                'SELECT m.role FROM grid_members m JOIN users u ON u.id = m.user_id WHERE m.grid_id = $1 AND u.email = $2',
                [gridId, person.email],
              )
            ).rows[0]?.role,
        )
        .toBe(person.role);
      await page.waitForURL((url) => !url.pathname.endsWith('/actions/new'));
    }

    // 4. The grid's members, as the list shows them.
    await page.goto(`${t.baseUrl}/admin/resources/grid_members?filters.grid_id=${gridId}`);
    for (const person of people) await page.getByText(person.email).first().waitFor();
    await shot(page, 'journey-admin-5-members');
    expect(errors).toEqual([]);
    await page.close();

    // The builder can now sign in and finds the grid on their home.
    const asBuilder = await openAs(browser, t.baseUrl, { email: people[0]!.email, password: 'a long enough password' });
    await asBuilder.page.getByTestId('home-builder').waitFor();
    expect(asBuilder.errors).toEqual([]);
    await asBuilder.page.close();
  }, 300_000);
});
