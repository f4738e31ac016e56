import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createGrid, createUser, type TestUser } from '../helpers/factories.js';
import { waitFor } from '../helpers/forms.js';
import { multipart, png, rawRequest } from '../helpers/upload.js';

/** A signed-in page of its own (a new context: its own session cookie), collecting page errors. */
async function openAs(t: TestApp, browser: Browser, user: TestUser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // A busy two-core machine: navigations of the admin panel can take half a minute.
  page.setDefaultTimeout(90_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, t.baseUrl, user);
  return { page, errors };
}

async function shot(page: Page, name: string): Promise<void> {
  const height = await page.evaluate(() =>
    Math.max(...Array.from(document.querySelectorAll('body *')).map((e) => e.scrollHeight)),
  );
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height: Math.min(Math.max(height + 40, size.height), 4000) });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  await page.setViewportSize(size);
}

const FILE_NAME = '<i>well</i> & "pump".png';
// The server keeps a name's last path segment, without quotes: what a person reads is this.
const SHOWN_NAME = 'i> & pump.png';
const GRID = 'Wells of the North';
const SITE = 's_653d557c4755';
const REASON = 'The site name is not the one on the map';

/** Two sections reviewed one by one, a photo, and a repeating table. */
const definition = {
  sections: [
    {
      id: 's_653d557c4755',
      key: 'site',
      label: 'Site visit',
      fields: [
        { id: 'f_name', key: 'name', label: 'Site name', type: 'text', rules: { required: true } },
        { id: 'f_photo', key: 'photo', label: 'Photo', type: 'file', rules: { accept: ['image/*'] } },
      ],
      tables: [
        {
          id: 't_pumps',
          key: 'pumps',
          label: 'Pumps',
          maxRows: 10,
          columns: [{ id: 'f_pname', key: 'name', label: 'Pump', type: 'text', rules: { required: true } }],
        },
      ],
    },
    {
      id: 's_9f1c0de2aa31',
      key: 'water',
      label: 'Water quality',
      fields: [{ id: 'f_ph', key: 'ph', label: 'pH', type: 'decimal' }],
    },
  ],
};

describe('the panel reads like words, not like its storage', () => {
  let t: TestApp;
  let submitter: TestUser;
  let reviewer: TestUser;
  let admin: TestUser;
  let submitterApi: ApiClient;
  let browser: Browser;
  let templateId: string;
  let submitted: string;
  let draft: string;
  let fileId: string;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp({ worker: true });
    const builder = await createUser(t.rt.pool, { role: 'builder' });
    submitter = await createUser(t.rt.pool, { role: 'submitter', name: 'Sam Submitter' });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer', name: 'Rex Reviewer' });
    admin = await createUser(t.rt.pool, { role: 'admin', name: 'Ada Admin' });
    const grid = await createGrid(
      t.rt,
      builder,
      [
        { user: submitter, role: 'submitter' },
        { user: reviewer, role: 'reviewer' },
      ],
      { title: GRID },
    );
    const builderApi = await new ApiClient(t.baseUrl).login(builder.email, builder.password);
    const created = await builderApi.post(`/grids/${grid.id}/templates`, {
      slug: 'wells',
      title: 'Well visit',
      definition,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    templateId = created.body.data.id;
    expect((await builderApi.patch(`/templates/${templateId}`, { reviewMode: 'section' })).status).toBe(200);
    expect((await builderApi.post(`/templates/${templateId}/publish`)).status).toBe(201);
    submitterApi = await new ApiClient(t.baseUrl).login(submitter.email, submitter.password);

    // A submission with a photo and two pumps, sent; its first section rejected.
    submitted = (
      await submitterApi.post(`/templates/${templateId}/submissions`, {
        draft: true,
        data: { site: { name: 'North well', pumps: [{ name: 'Hand pump' }, { name: 'Solar pump' }] } },
      })
    ).body.data.id;
    const { body, contentType } = multipart([
      { name: 'field', value: 'site.photo' },
      { name: 'file', filename: 'x.png', filenameStar: FILE_NAME, contentType: 'image/png', data: png('polish') },
    ]);
    const up = await rawRequest(`${t.baseUrl}/api/v1/submissions/${submitted}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${submitterApi.token}` },
      body,
    });
    expect(up.status, up.body.toString()).toBe(201);
    fileId = up.json().data.files[0].id;
    expect((await submitterApi.post(`/submissions/${submitted}/submit`)).status).toBe(200);
    await waitFor(
      async () =>
        (await t.rt.pool.query('SELECT processing_status FROM submissions WHERE id = $1', [submitted])).rows[0]
          .processing_status,
      (v) => v === 1,
    );
    const reviewerApi = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);
    expect((await reviewerApi.post(`/submissions/${submitted}/claim`, { sectionId: SITE })).status).toBe(200);
    expect(
      (await reviewerApi.post(`/submissions/${submitted}/reject`, { sectionId: SITE, reason: REASON })).status,
    ).toBe(200);

    draft = (
      await submitterApi.post(`/templates/${templateId}/submissions`, {
        draft: true,
        data: { site: { name: 'South well' } },
      })
    ).body.data.id;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const text = (page: Page) => page.locator('body').innerText();

  it('lists uploads by their names, with a download link and a thumbnail, on the show page and the answer page', async () => {
    const a = await openAs(t, browser, admin);
    await a.page.goto(`${t.baseUrl}/admin/resources/submissions/records/${submitted}/show`);
    const files = a.page.getByTestId('payload-files-site-photo');
    await files.waitFor();
    const link = files.getByTestId('file-download');
    expect(await link.textContent()).toBe(SHOWN_NAME);
    expect(await link.getAttribute('href')).toBe(`/api/v1/files/${fileId}`);
    const thumbnail = files.getByTestId('file-thumbnail');
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    // Escaped: the name's markup is text, not an element.
    expect(await a.page.locator('[data-testid="submission-payload"] i').count()).toBe(0);
    expect(await text(a.page)).not.toMatch(/\b1 file\b|file #/);
    await shot(a.page, 'polish-show-files');

    const sub = await openAs(t, browser, submitter);
    await sub.page.goto(`${t.baseUrl}/admin/resources/submissions/records/${submitted}/answer`);
    const name = sub.page.getByTestId('input-site-photo-file-name');
    await name.waitFor();
    expect(await name.textContent()).toBe(SHOWN_NAME);
    expect(await name.getAttribute('href')).toBe(`/api/v1/files/${fileId}`);
    expect(await text(sub.page)).not.toMatch(/file #/);
    await shot(sub.page, 'polish-answer-files');
    expect([...a.errors, ...sub.errors]).toEqual([]);
    await a.page.close();
    await sub.page.close();
  }, 240_000);

  it('names the rejected section by its title wherever the reason is shown, never by its id', async () => {
    const a = await openAs(t, browser, admin);
    await a.page.goto(`${t.baseUrl}/admin/resources/submissions/records/${submitted}/review`);
    await a.page.getByTestId('review-page').waitFor();
    await a.page.getByTestId('history').getByText(`Site visit: ${REASON}`).first().waitFor();
    expect(await text(a.page)).not.toContain(SITE);
    await a.page.goto(`${t.baseUrl}/admin/resources/submissions/records/${submitted}/show`);
    await a.page.getByTestId('submission-payload').waitFor();
    expect(await text(a.page)).toContain(`Site visit: ${REASON}`);
    expect(await text(a.page)).not.toContain(SITE);
    const sub = await openAs(t, browser, submitter);
    await sub.page.goto(`${t.baseUrl}/admin/resources/submissions/records/${submitted}/answer`);
    expect(await sub.page.getByTestId('rejection-reason').textContent()).toContain(`Site visit: ${REASON}`);
    expect(await text(sub.page)).not.toContain(SITE);
    expect([...a.errors, ...sub.errors]).toEqual([]);
    await a.page.close();
    await sub.page.close();
  }, 240_000);

  it('says a draft is not sent (not "Pending") for its processing', async () => {
    const a = await openAs(t, browser, admin);
    await a.page.goto(`${t.baseUrl}/admin/resources/submissions/records/${draft}/show`);
    await a.page.getByTestId('submission-payload').waitFor();
    expect(await a.page.locator('[data-status]').first().textContent()).toBe('Not sent (draft)');
    expect(await text(a.page)).not.toMatch(/Pending/);
    expect(a.errors).toEqual([]);
    await a.page.close();
  }, 240_000);

  it('shows grids by their names (the menu, lists, the template) and titles each list by what it lists', async () => {
    const a = await openAs(t, browser, admin);
    // The menu group of the grid's form data: the grid's name as written, not title-cased.
    await a.page.getByText(`${GRID}: data`, { exact: true }).first().waitFor();
    for (const [url, title] of [
      ['/admin/resources/submissions', 'Submissions'],
      ['/admin/resources/templates', 'Templates'],
      ['/admin/resources/grids', 'Grids'],
    ] as const) {
      await a.page.goto(`${t.baseUrl}${url}`);
      await a.page.getByText(GRID).first().waitFor();
      const body = await text(a.page);
      expect(body).toContain(title);
      expect(body).not.toMatch(/^List$/m);
      expect(body).not.toMatch(/\bGrid \d+\b/);
    }
    await a.page.goto(`${t.baseUrl}/admin/resources/templates/records/${templateId}/show`);
    await a.page.getByText(GRID).first().waitFor();
    expect(await text(a.page)).not.toMatch(/\bGrid \d+\b/);

    expect(a.errors).toEqual([]);
    await a.page.close();
  }, 240_000);

  it("counts a repeating table's rows from 1 in its data list", async () => {
    const a = await openAs(t, browser, admin);
    const table = (
      await t.rt.pool.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'forms' AND table_name LIKE $1 AND table_type = 'BASE TABLE'`,
        [`%${templateId}%pumps%`],
      )
    ).rows[0]!.table_name;
    await a.page.goto(`${t.baseUrl}/admin/resources/${table}`);
    await a.page.getByText('Solar pump').waitFor();
    const rows = await a.page.getByTestId('row-number').allTextContents();
    expect(rows.sort()).toEqual(['1', '2']);
    expect(await text(a.page)).not.toMatch(/^List$/m);
    await shot(a.page, 'polish-table-rows');
    expect(a.errors).toEqual([]);
    await a.page.close();
  }, 240_000);

  it('gives a submitter their work, not the processing queue', async () => {
    const sub = await openAs(t, browser, submitter);
    await sub.page.getByTestId('home-submitter').waitFor();
    expect(await sub.page.getByTestId('card-queue').count()).toBe(0);
    expect(await sub.page.getByTestId('home-admin').count()).toBe(0);
    expect(await sub.page.getByTestId('stat-my-rejected-value').textContent()).toBe('1');
    expect(await sub.page.getByTestId('stat-my-drafts-value').textContent()).toBe('1');
    await shot(sub.page, 'polish-submitter-dashboard');
    expect(sub.errors).toEqual([]);
    await sub.page.close();
  }, 240_000);
});
