import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { publishedSurvey, type Survey } from '../helpers/forms.js';

const TWO_SECTIONS = {
  sections: [
    {
      id: 's_site',
      key: 'site',
      label: 'Site',
      fields: [{ id: 'f_name', key: 'name', label: 'Site name', type: 'text' }],
    },
    {
      id: 's_count',
      key: 'count',
      label: 'Count',
      fields: [{ id: 'f_n', key: 'n', label: 'Birds counted', type: 'integer' }],
    },
  ],
};

/** A signed-in page of its own (its own session), collecting page errors. */
async function openAs(t: TestApp, browser: Browser, user: TestUser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // The panel's bundles are large: on a busy machine the first load takes a while.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, t.baseUrl, user);
  return { page, errors };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

describe('journeys: the review queue, the submitter home, the unsaved-changes guard', () => {
  let t: TestApp;
  let s: Survey;
  let reviewer: TestUser;
  let browser: Browser;
  const statusOf = async (id: string) =>
    (await t.rt.pool.query('SELECT review_status FROM submissions WHERE id = $1', [id])).rows[0]
      .review_status as string;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp();
    s = await publishedSurvey(t, TWO_SECTIONS);
    await s.builderApi.patch(`/templates/${s.templateId}`, { reviewMode: 'section' });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer', name: 'Rita Reviewer' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a reviewer works the queue with Claim next and the keyboard, and finds a resubmitted submission', async () => {
    const post = async (name: string, n: number) =>
      (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: { site: { name }, count: { n } } }))
        .body.data.id as string;
    // One rejected on its count, edited and sent back: in review, its "Count" section unclaimed.
    const resubmitted = await post('Marsh', 3);
    await t.rt.services.review.claimWhole(ctxFor(reviewer), resubmitted);
    await t.rt.services.review.approve(ctxFor(reviewer), resubmitted, { sectionId: 's_site' });
    await t.rt.services.review.reject(ctxFor(reviewer), resubmitted, { sectionId: 's_count', reason: 'Count again' });
    expect(
      (
        await s.submitterApi.patch(`/submissions/${resubmitted}`, {
          data: { site: { name: 'Marsh' }, count: { n: 4 } },
        })
      ).status,
    ).toBe(200);
    expect((await s.submitterApi.post(`/submissions/${resubmitted}/submit`)).body.data.reviewStatus).toBe('in_review');
    await t.rt.pool.query('UPDATE submissions SET review_overdue_at = now() WHERE id = $1', [resubmitted]);
    const second = await post('Lake', 10);
    const third = await post('Wood', 7);

    const { page, errors } = await openAs(t, browser, reviewer);
    await page.getByTestId('home-reviewer').waitFor();
    expect(await page.getByTestId('stat-queue-waiting-value').textContent()).toBe('3');
    expect(await page.getByTestId('home-submitter').count()).toBe(0);
    expect(await page.getByTestId('card-queue').count()).toBe(0);
    await shot(page, 'journey-reviewer-dashboard');

    // The queue is in the navigation; the resubmitted one is first (overdue), with its open section.
    await page.locator('nav a[href="/admin/pages/reviewQueue"], a[href="/admin/pages/reviewQueue"]').first().click();
    await page.getByTestId('review-queue').waitFor();
    const rows = page.getByTestId('queue-waiting-row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.first().getAttribute('data-id')).toBe(resubmitted);
    expect(await rows.first().textContent()).toContain('1 section to claim');
    await shot(page, 'journey-review-queue');

    // Claim next: the resubmitted one opens, its unclaimed section now mine.
    await page.getByTestId('claim-next').click();
    await page.waitForURL(`**/submissions/records/${resubmitted}/review`);
    await page.getByTestId('review-shortcuts').waitFor();
    expect(await page.getByTestId('review-shortcuts').textContent()).toContain('approve');
    await shot(page, 'journey-review-shortcuts');
    // A: approve (every open section).
    await page.keyboard.press('a');
    await expect.poll(() => statusOf(resubmitted)).toBe('approved');
    await page.locator('[data-testid="review-page"][data-status="approved"]').waitFor();

    // N: the next waiting one is claimed and opened.
    await page.keyboard.press('n');
    await page.waitForURL(`**/submissions/records/${second}/review`);
    await page.getByTestId('review-shortcuts').getByText('reject').waitFor();
    // R: the reason prompt; typing in it ("a", "n") fires no shortcut.
    await page.keyboard.press('r');
    await page.getByTestId('shortcut-reject-reason').waitFor();
    await page.keyboard.type('an undercount');
    expect(await statusOf(second)).toBe('in_review');
    await shot(page, 'journey-review-reject-prompt');
    await page.getByTestId('shortcut-reject-confirm').click();
    await expect.poll(() => statusOf(second)).toBe('rejected');
    await page.locator('[data-testid="review-page"][data-status="rejected"]').waitFor();
    expect(page.url()).toContain(`/records/${second}/review`);

    await page.keyboard.press('n');
    await page.waitForURL(`**/submissions/records/${third}/review`);
    await page.locator('[data-testid="review-page"][data-status="in_review"]').waitFor();
    await page.keyboard.press('n');
    // Nothing more waits: back to the queue, which shows what I hold.
    await page.waitForURL('**/admin/pages/reviewQueue');
    await page.getByTestId('queue-waiting-empty').waitFor();
    await expect.poll(() => page.getByTestId('claimed-count').textContent()).toBe('1');
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('a submitter starts from the dashboard: New submission, then saves a draft', async () => {
    const { page, errors } = await openAs(t, browser, s.submitter);
    await page.getByTestId('home-submitter').waitFor();
    expect(await page.getByTestId('home-reviewer').count()).toBe(0);
    expect(await page.getByTestId('card-queue').count()).toBe(0);
    expect(await page.locator('a[href="/admin/pages/reviewQueue"]').count()).toBe(0);
    // The rejection of the first test is theirs to fix.
    expect(await page.getByTestId('stat-my-rejected-value').textContent()).toBe('1');
    await shot(page, 'journey-submitter-dashboard');

    await page.getByTestId(`new-submission-${s.templateId}`).click();
    await page.waitForURL(`**/templates/records/${s.templateId}/fill`);
    await page.getByTestId('form-fill').waitFor();
    await page.getByTestId('input-site-name').fill('Dune');
    await page.getByTestId('fill-save').click();
    await page.waitForURL('**/submissions/records/*/show');
    const draft = (
      await t.rt.pool.query(`SELECT id, payload FROM submissions WHERE submitted_by = $1 AND review_status = 'draft'`, [
        s.submitter.id,
      ])
    ).rows;
    expect(draft.map((d) => d.payload.site.name)).toEqual(['Dune']);

    // Back home, the drafts card counts it and links to the filtered list.
    await page.goto(`${t.baseUrl}/admin`);
    await expect.poll(() => page.getByTestId('stat-my-drafts-value').textContent()).toBe('1');
    await page.getByTestId('stat-my-drafts').click();
    await page.waitForURL(/\/admin\/resources\/submissions\?.*filters\.review_status=draft/);
    await page.locator(`a[href*="/records/${draft[0].id}/"], [data-id="${draft[0].id}"]`).first().waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("the builder's unsaved-changes guard stops a sidebar click", async () => {
    const { page, errors } = await openAs(t, browser, s.builder);
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${s.templateId}/builder`);
    await page.getByTestId('builder').waitFor();
    await page.getByTestId('field-label-0-0').fill('Site name (as on the map)');
    await page.getByTestId('unsaved').waitFor();

    // A sidebar link always shown (resource groups start folded): "My account".
    const sidebarLink = page.locator('[data-css="sidebar"] a[href="/admin/pages/account"]').first();
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await sidebarLink.click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/unsaved changes/);
    // Still on the builder, the edit still there.
    expect(page.url()).toContain('/builder');
    expect(await page.getByTestId('field-label-0-0').inputValue()).toBe('Site name (as on the map)');
    await shot(page, 'journey-builder-unsaved');

    // Leaving on purpose: the click goes through.
    page.once('dialog', (dialog) => void dialog.accept());
    await sidebarLink.click();
    await page.waitForURL('**/admin/pages/account');
    // Nothing was saved behind the user's back.
    const definition = (await t.rt.pool.query('SELECT definition FROM templates WHERE id = $1', [s.templateId])).rows[0]
      .definition;
    expect(definition.sections[0].fields[0].label).toBe('Site name');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
