import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { FORMS } from '../rules/forms.js';

describe('the export action on templates', () => {
  let t: TestApp;
  let s: Survey;
  let admin: TestUser;
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    // Above three rows, exports run in the background: the panel then shows progress and a download.
    t = await setupApp({ worker: true, env: { EXPORT_ASYNC_THRESHOLD: '3' } });
    s = await publishedSurvey(t);
    admin = await createUser(t.rt.pool, { role: 'admin', name: 'Ada Admin' });
    for (let i = 0; i < 5; i++) {
      expect(
        (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i) })).status,
      ).toBe(202);
    }
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 5,
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('starts a background export, shows its progress, and downloads the file when done', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, admin);
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${s.templateId}/export`);
    await page.getByTestId('export-panel').getByText('5 processed submissions').waitFor();
    await page.getByTestId('export-start-csv').click();

    const row = page.locator('[data-testid^="export-"][data-status]').first();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('done');
    const link = page.locator('[data-testid^="export-file-"]').first();
    await link.waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/export-panel.png`, fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const csv = Buffer.concat(chunks).toString('utf8');
    expect(csv.split('\r\n')[0]).toContain('Village');
    expect(csv).toContain('Village 4');
    expect(csv.trim().split('\r\n')).toHaveLength(6);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("offers the form's languages for headers and option labels, and downloads in the one picked", async () => {
    const form = await publishedSurvey(t, structuredClone(FORMS.lang));
    const sent = await form.submitterApi.post(`/templates/${form.templateId}/submissions`, {
      data: { h: { adults: 2, children: 1, water: 'well' } },
    });
    expect(sent.status).toBe(202);
    await waitFor(
      () => statusCounts(t.rt.pool, form.templateId),
      (c) => c['1'] === 1,
    );
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    // A busy two-core machine: navigations of the admin panel can take half a minute.
    page.setDefaultTimeout(90_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, admin);
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${form.templateId}/export`);
    const picker = page.getByTestId('export-language');
    await picker.waitFor();
    // The form's languages, its default chosen; a form with one language has no picker (the first test's).
    expect(await picker.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual([
      'en',
      'sw',
      'fr',
    ]);
    expect(await picker.inputValue()).toBe('en');
    const csvLink = page.getByTestId('export-download-csv');
    expect(await csvLink.getAttribute('href')).not.toContain('lang=');
    await picker.selectOption('sw');
    await expect.poll(() => csvLink.getAttribute('href')).toContain('&lang=sw');
    await page.screenshot({ path: `${SCREENSHOTS}/export-language.png`, fullPage: true });
    const download = async () => {
      const [file] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
      const chunks: Buffer[] = [];
      for await (const chunk of await file.createReadStream()) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split('\r\n');
    };
    const sw = await download();
    expect(sw[0]).toContain('Watu wazima,Watoto,Jumla');
    expect(sw[1]).toContain('Kisima');
    // Back to the default: the link drops lang=, and the headers are English again.
    await picker.selectOption('en');
    await expect.poll(() => csvLink.getAttribute('href')).not.toContain('lang=');
    const en = await download();
    expect(en[0]).toContain('Adults,Children,Total');
    expect(en[1]).toContain('Well');
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('has no language picker for a form in one language', { timeout: 240_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(90_000);
    await signIn(page, t.baseUrl, admin);
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${s.templateId}/export`);
    await page.getByTestId('export-panel').getByText('5 processed submissions').waitFor();
    expect(await page.getByTestId('export-language').count()).toBe(0);
    await page.close();
  });

  it('is not offered to a submitter', async () => {
    const page = await browser.newPage();
    await signIn(page, t.baseUrl, s.submitter);
    const res = await page.request.get(`${t.baseUrl}/admin/api/resources/templates/records/${s.templateId}/export`);
    const body = await res.json();
    expect(body.rows).toBeUndefined();
    await page.close();
  });
});
