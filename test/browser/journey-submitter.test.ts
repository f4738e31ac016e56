import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openAs, SCREENSHOTS, shot } from '../helpers/browser.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { publishedSurvey, type Survey } from '../helpers/forms.js';
import { png } from '../helpers/upload.js';

const WELLS = {
  sections: [
    {
      id: 's_visit',
      key: 'visit',
      label: 'Visit',
      fields: [
        { id: 'f_note', key: 'note', label: 'What you saw', type: 'text', rules: { required: true } },
        { id: 'f_photo', key: 'photo', label: 'Photo of the well', type: 'file', rules: { accept: ['image/*'] } },
      ],
    },
  ],
};

/**
 * A submitter's journey: New submission from the dashboard, a photo attached before anything is
 * saved, submitted; rejected by the reviewer with a reason; the rejection seen on the dashboard and
 * on the answer page; edited and sent back; the reviewer finds it waiting in the queue.
 */
describe('journey: a submitter answers, is rejected, and resubmits', () => {
  let t: TestApp;
  let s: Survey;
  let reviewer: TestUser;
  let browser: Browser;
  const submissionOf = async (userId: string) =>
    (
      await t.rt.pool.query<{
        id: string;
        review_status: string;
        payload: { visit: { note: string; photo?: string[] } };
      }>('SELECT id, review_status, payload FROM submissions WHERE submitted_by = $1 ORDER BY id', [userId])
    ).rows;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp();
    s = await publishedSurvey(t, WELLS);
    reviewer = await createUser(t.rt.pool, { role: 'reviewer', name: 'Rita Reviewer' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('starts from the dashboard, attaches a photo before saving, submits, sees the rejection, resubmits', async () => {
    const photo = path.join(await mkdtemp(path.join(os.tmpdir(), 'journey-')), 'well-by-the-school.png');
    await writeFile(photo, png('journey photo'));
    const { page, errors } = await openAs(browser, t.baseUrl, s.submitter);

    // 1. Home: "New submission" for the form open to them.
    await page.getByTestId('home-submitter').waitFor();
    await shot(page, 'journey-submitter-1-dashboard');
    await page.getByTestId(`new-submission-${s.templateId}`).click();
    await page.waitForURL(`**/templates/records/${s.templateId}/fill`);
    await page.locator('[data-testid="form-fill"][data-mode="create"]').waitFor();

    // 2. A photo before anything is saved: uploaded at once, shown by its name.
    await page.getByTestId('input-visit-note').fill('The well by the school is dry');
    await page.getByTestId('input-visit-photo-upload').setInputFiles(photo);
    const name = page.getByTestId('input-visit-photo-file-name');
    await name.waitFor();
    expect(await name.textContent()).toBe(path.basename(photo));
    expect(await submissionOf(s.submitter.id)).toEqual([]);
    await shot(page, 'journey-submitter-2-photo-before-save');

    // 3. Submit: the new submission holds the photo.
    await page.getByTestId('fill-submit').click();
    await page.waitForURL('**/submissions/records/*/show');
    const [created] = await submissionOf(s.submitter.id);
    expect(created!.review_status).toBe('submitted');
    const held = (
      await t.rt.pool.query(
        `SELECT f.original_name, f.unreferenced_at FROM submission_files sf JOIN files f ON f.id = sf.file_id
          WHERE sf.submission_id = $1 AND sf.removed_at IS NULL`,
        [created!.id],
      )
    ).rows;
    expect(held).toEqual([{ original_name: path.basename(photo), unreferenced_at: null }]);
    expect(created!.payload.visit.photo).toHaveLength(1);
    await shot(page, 'journey-submitter-3-submitted');

    // 4. The reviewer rejects it, with a reason.
    await t.rt.services.review.claim(ctxFor(reviewer), created!.id);
    await t.rt.services.review.reject(ctxFor(reviewer), created!.id, { reason: 'The photo does not show the well' });

    // 5. Home again: the rejection needs their attention, and links to it.
    await page.goto(`${t.baseUrl}/admin`);
    await expect.poll(() => page.getByTestId('stat-my-rejected-value').textContent()).toBe('1');
    await shot(page, 'journey-submitter-4-rejected-on-dashboard');
    await page.getByTestId('stat-my-rejected').click();
    await page.waitForURL(/\/admin\/resources\/submissions\?.*filters\.review_status=rejected/);
    await page.locator(`a[href*="/records/${created!.id}/"]`).first().waitFor({ state: 'attached' });
    await shot(page, 'journey-submitter-4b-rejected-list');
    // The submission itself says it was rejected, and why.
    await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${created!.id}/show`);
    await page.getByText('The photo does not show the well').first().waitFor();

    // 6. The answer page says why, keeps the photo (by name), and takes the edit.
    await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${created!.id}/answer`);
    const reason = page.getByTestId('rejection-reason');
    await reason.waitFor();
    expect(await reason.textContent()).toContain('The photo does not show the well');
    expect(await page.getByTestId('input-visit-photo-file-name').textContent()).toBe(path.basename(photo));
    await page.getByTestId('input-visit-note').fill('The well by the school is dry; photo retaken from the road');
    await shot(page, 'journey-submitter-5-rejection-reason');
    await page.getByTestId('fill-submit').click();
    await expect.poll(async () => (await submissionOf(s.submitter.id))[0]!.review_status).toBe('submitted');
    await page.locator('[data-testid="fill-readonly"]').waitFor();
    expect((await submissionOf(s.submitter.id))[0]!.payload.visit.note).toBe(
      'The well by the school is dry; photo retaken from the road',
    );
    await shot(page, 'journey-submitter-6-resubmitted');
    expect(errors).toEqual([]);
    await page.close();

    // 7. The reviewer finds it waiting in the queue.
    const asReviewer = await openAs(browser, t.baseUrl, reviewer);
    await asReviewer.page.goto(`${t.baseUrl}/admin/pages/reviewQueue`);
    await asReviewer.page.getByTestId('review-queue').waitFor();
    await asReviewer.page.locator(`[data-testid="queue-waiting-row"][data-id="${created!.id}"]`).waitFor();
    await shot(asReviewer.page, 'journey-submitter-7-back-in-the-queue');
    expect(asReviewer.errors).toEqual([]);
    await asReviewer.page.close();
  }, 420_000);
});
