import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';

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
      expect((await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i) })).status).toBe(202);
    }
    await waitFor(() => statusCounts(t.rt.pool, s.templateId), (c) => c['1'] === 5);
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

  it('is not offered to a submitter', async () => {
    const page = await browser.newPage();
    await signIn(page, t.baseUrl, s.submitter);
    const res = await page.request.get(`${t.baseUrl}/admin/api/resources/templates/records/${s.templateId}/export`);
    const body = await res.json();
    expect(body.rows).toBeUndefined();
    await page.close();
  });
});
