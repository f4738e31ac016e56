import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { householdDefinition, householdPayload, publishedSurvey, type Survey } from '../helpers/forms.js';

describe('list search and saved views in the panel', () => {
  let t: TestApp;
  let s: Survey;
  let admin: TestUser;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp();
    const definition = householdDefinition();
    (definition.sections[0]!.fields[0] as Record<string, unknown>).searchable = true;
    s = await publishedSurvey(t, definition);
    admin = await createUser(t.rt.pool, { role: 'admin' });
    for (const village of ['Kijiji Alpha', 'Mto Beta', 'Alpha Ridge']) {
      const base = householdPayload(1);
      const sent = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
        data: { household: { ...base.household, village } },
      });
      expect(sent.status).toBe(202);
      ids[village] = sent.body.data.id as string;
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('searches, saves the list as a default view, and opens the list with it', { timeout: 240_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, admin);
    const listUrl = `${t.baseUrl}/admin/resources/submissions`;
    const rows = page.locator('table tbody tr');
    const shownIds = async () => (await rows.locator('td:nth-child(2)').allTextContents()).map((x) => x.trim()).sort();

    // Each list's search box says what that list's search matches.
    const searchBox = page.getByTestId('list-search');
    await page.goto(`${t.baseUrl}/admin/resources/users`);
    await rows.first().waitFor();
    expect(await searchBox.getAttribute('placeholder')).toBe('Search by id, email or name');

    await page.goto(listUrl);
    await rows.nth(2).waitFor();
    expect(await rows.count()).toBe(3);
    expect(await searchBox.getAttribute('placeholder')).toBe(
      'Search by id, submitter email or name, or searchable answers',
    );

    // Search: the words of a searchable answer, as a prefix, in any case.
    await page.getByTestId('list-search').fill('ALPH');
    await page.getByTestId('list-search').press('Enter');
    await page.waitForURL(/filters\.%24search=ALPH|filters\.\$search=ALPH/);
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    expect(await shownIds()).toEqual([ids['Kijiji Alpha'], ids['Alpha Ridge']].sort());
    await page.screenshot({ path: `${SCREENSHOTS}/search-results.png`, fullPage: true });

    // Columns: drop one; the table follows and the choice is in the URL.
    const headers = page.locator('table thead tr > *');
    const before = await headers.count();
    await page.getByTestId('columns-toggle').click();
    await page.getByTestId('column-review_overdue_at').uncheck();
    await expect.poll(() => headers.count(), { timeout: 30_000 }).toBe(before - 1);
    await page.getByTestId('columns-toggle').click();
    expect(decodeURIComponent(page.url())).toContain('filters.$columns=');

    // Save it as a view that opens the list by default.
    await page.getByTestId('view-save-open').click();
    await page.getByTestId('view-name').fill('Alpha villages');
    await page.getByTestId('view-default').check();
    await page.getByTestId('view-submit').click();
    await expect
      .poll(() => page.getByTestId('views-menu').locator('option:checked').textContent(), { timeout: 30_000 })
      .toBe('Alpha villages (default)');
    await page.screenshot({ path: `${SCREENSHOTS}/saved-view.png`, fullPage: true });

    // Away and back, with no query: the default view is applied.
    await page.goto(`${t.baseUrl}/admin`);
    await page.goto(listUrl);
    await page.waitForURL(/filters\.%24search=ALPH|filters\.\$search=ALPH/);
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    expect(await shownIds()).toEqual([ids['Kijiji Alpha'], ids['Alpha Ridge']].sort());
    expect(await headers.count()).toBe(before - 1);
    expect(await page.getByTestId('list-search').inputValue()).toBe('ALPH');
    expect(await page.getByTestId('views-menu').locator('option:checked').textContent()).toBe(
      'Alpha villages (default)',
    );
    await page.screenshot({ path: `${SCREENSHOTS}/default-view-applied.png`, fullPage: true });

    // "All records" shows the whole list again, in the same visit.
    await page.getByTestId('views-menu').selectOption('');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });
});
