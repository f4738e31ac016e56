import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { waitFor } from '../helpers/forms.js';
import { HOSTILE, hostileGrid, type HostileGrid } from '../helpers/hostile-words.js';

/**
 * A builder's labels and titles hold closing script tags, image tags with error handlers and line
 * separators. An admin opens every page those words reach: each reads as text, nothing of them
 * runs, no request leaves the page, and the browser reports no CSP violation.
 */
describe("builders' words in the admin panel, in a browser", () => {
  let t: TestApp;
  let browser: Browser;
  let admin: TestUser;
  let g: HostileGrid;
  let submissionId: string;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp({ worker: true });
    admin = await createUser(t.rt.pool, { role: 'admin', name: 'Ada Admin' });
    g = await hostileGrid(t, 'hostile1');
    const submitter = await new ApiClient(t.baseUrl).login(g.submitter.email, g.submitter.password);
    const created = await submitter.post(`/templates/${g.templateId}/submissions`, {
      data: {
        main: {
          weight: 4.5,
          photo_note: HOSTILE.image,
          lines: HOSTILE.separators,
          source: 'tap',
          rows: [{ item: HOSTILE.script }],
        },
      },
    });
    if (created.status !== 202) throw new Error(JSON.stringify(created.body));
    submissionId = created.body.data.id;
    await waitFor(
      async () =>
        (await t.rt.pool.query('SELECT processing_status FROM submissions WHERE id = $1', [submissionId])).rows[0]
          .processing_status,
      (s) => s === 1,
      30_000,
      'submission processed',
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('every page shows the words as text; nothing runs, nothing leaves, no CSP violation', async () => {
    const page: Page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const problems: string[] = [];
    const external: string[] = [];
    const apiWrites: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to (execute|load|apply)/i.test(m.text()))
        problems.push(`console: ${m.text()}`);
    });
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(t.baseUrl) && !url.startsWith('data:') && !url.startsWith('blob:')) external.push(url);
      if (url.includes('/api/v1/users')) apiWrites.push(`${r.method()} ${url}`);
    });
    const users = async () => Number((await t.rt.pool.query('SELECT count(*) AS n FROM users')).rows[0].n);
    const before = await users();

    await signIn(page, t.baseUrl, admin);
    const visits: { name: string; path: string; shows: string }[] = [
      { name: 'dashboard', path: '/admin', shows: 'Welcome, Ada Admin' },
      {
        name: 'data',
        path: `/admin/resources/f${g.templateId}_main`,
        shows: `${g.templateTitle}: Section hostile1 ${HOSTILE.script}`,
      },
      {
        name: 'builder',
        path: `/admin/resources/templates/records/${g.templateId}/builder`,
        shows: `${HOSTILE.script} hostile1-field`,
      },
      { name: 'review', path: `/admin/resources/submissions/records/${submissionId}/review`, shows: HOSTILE.image },
      { name: 'audit-log', path: '/admin/resources/audit_log', shows: 'Audit log' },
    ];
    for (const visit of visits) {
      await page.goto(`${t.baseUrl}${visit.path}`);
      // The words are on the page as text, or as the value of an input (the builder edits them).
      await page.waitForFunction(
        (text) =>
          document.body.innerText.includes(text) ||
          [...document.querySelectorAll('input, textarea')].some((e) => (e as HTMLInputElement).value === text),
        visit.shows,
        { timeout: 20_000 },
      );
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: `${SCREENSHOTS}/hostile-${visit.name}.png` });
      expect(
        await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
        visit.name,
      ).toBeUndefined();
      // No element made from the words: the only images are the panel's own.
      expect(await page.locator('img[src="x"]').count(), visit.name).toBe(0);
    }
    expect(problems).toEqual([]);
    expect(external).toEqual([]);
    expect(apiWrites).toEqual([]);
    expect(await users()).toBe(before);
    await page.close();
  });

  it('the sign-in page works under the policy and names no grid', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(`${t.baseUrl}/admin/login`);
    await page.locator('input[name=email]').waitFor();
    expect(await page.content()).not.toContain('hostile1');
    // Branding only, and ours.
    await page.getByText('The back-office of your grids').waitFor();
    expect(await page.locator('body').innerText()).not.toContain('AdminJS');
    await signIn(page, t.baseUrl, admin);
    expect(problems).toEqual([]);
    await page.close();
  });
});
