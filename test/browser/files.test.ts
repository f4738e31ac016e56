import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createUser, ctxFor } from '../helpers/factories.js';
import { publishedSurvey } from '../helpers/forms.js';
import { png } from '../helpers/upload.js';

describe('files in the admin panel', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp({ worker: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('uploads a photo from the answer page and shows its thumbnail on the review page', async () => {
    const s = await publishedSurvey(t, {
      sections: [
        {
          id: 's_v',
          key: 'visit',
          label: 'Visit',
          fields: [
            { id: 'f_n', key: 'note', label: 'Note', type: 'text', rules: { required: true } },
            {
              id: 'f_p',
              key: 'photo',
              label: 'Photo of the well',
              type: 'file',
              rules: { accept: ['image/*'], required: true },
            },
          ],
        },
      ],
    });
    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    const draft = (
      await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
        draft: true,
        data: { visit: { note: 'Well by the school' } },
      })
    ).body.data.id;
    const photo = path.join(os.tmpdir(), `well-${Date.now()}.png`);
    await writeFile(photo, png('browser upload'));

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, s.submitter);
    await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${draft}/answer`);
    await page.getByTestId('form-fill').waitFor();
    await page.getByTestId('input-visit-photo-upload').setInputFiles(photo);
    await page.getByTestId('input-visit-photo-file').first().waitFor();
    await page.getByTestId('fill-submit').click();
    await expect
      .poll(
        async () =>
          (await t.rt.pool.query('SELECT review_status FROM submissions WHERE id = $1', [draft])).rows[0].review_status,
      )
      .toBe('submitted');
    const files = (
      await t.rt.pool.query(
        'SELECT f.original_name, f.detected_type FROM submission_files sf JOIN files f ON f.id = sf.file_id WHERE sf.submission_id = $1',
        [draft],
      )
    ).rows;
    expect(files).toEqual([{ original_name: path.basename(photo), detected_type: 'image/png' }]);

    const reviewerPage = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    reviewerPage.on('pageerror', (e) => errors.push(e.message));
    await signIn(reviewerPage, t.baseUrl, reviewer);
    await reviewerPage.goto(`${t.baseUrl}/admin/resources/submissions/records/${draft}/review`);
    const thumbnail = reviewerPage.getByTestId('file-thumbnail').first();
    await thumbnail.waitFor();
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    await reviewerPage.screenshot({ path: `${SCREENSHOTS}/review-with-file.png`, fullPage: true });
    expect(errors).toEqual([]);
  });
});
