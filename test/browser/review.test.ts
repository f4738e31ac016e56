import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, waitFor, type Survey } from '../helpers/forms.js';

/** A signed-in page of its own (a new context: its own session cookie), collecting page errors. */
async function openAs(t: TestApp, browser: Browser, user: TestUser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, t.baseUrl, user);
  return { page, errors };
}

/**
 * A screenshot of the whole page: AdminJS's notices closed, the viewport as tall as the content
 * (AdminJS scrolls an inner box, which a full-page screenshot does not unroll).
 */
async function shot(page: Page, name: string): Promise<void> {
  const closers = page.locator('[data-testid="notice-wrapper"] button');
  while ((await closers.count()) > 0)
    await closers
      .first()
      .click({ timeout: 1000 })
      .catch(() => {});
  const height = await page.evaluate(() =>
    Math.max(...Array.from(document.querySelectorAll('body *')).map((e) => e.scrollHeight)),
  );
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height: Math.min(Math.max(height + 40, size.height), 4000) });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  await page.setViewportSize(size);
}

describe('the review page and the answer page in a browser', () => {
  let t: TestApp;
  let s: Survey;
  let reviewer: TestUser;
  let browser: Browser;

  const submission = async (id: string) =>
    (
      await t.rt.pool.query(
        `SELECT review_status, reviewer_id, review_reason, payload FROM submissions WHERE id = $1`,
        [id],
      )
    ).rows[0];

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t);
    reviewer = await createUser(t.rt.pool, { role: 'reviewer', name: 'Rex Reviewer' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('claims, comments, follows up and rejects; the submitter edits and resubmits; the reviewer approves', async () => {
    const created = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(1) });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.data.id as string;
    expect((await submission(id)).review_status).toBe('submitted');
    // Processed by the worker: the page then shows "Processed".
    await waitFor(
      async () =>
        (await t.rt.pool.query('SELECT processing_status FROM submissions WHERE id = $1', [id])).rows[0]
          .processing_status,
      (v) => v === 1,
    );
    const reviewUrl = `${t.baseUrl}/admin/resources/submissions/records/${id}/review`;

    // The reviewer opens the review page: the answer by sections, the status, the commands.
    const r = await openAs(t, browser, reviewer);
    const rid = (testId: string) => r.page.getByTestId(testId);
    await r.page.goto(reviewUrl);
    await rid('review-page').waitFor();
    expect(await rid('review-status').textContent()).toBe('Submitted');
    await rid('section-household').getByText('Village 1').waitFor();
    expect(await rid('processing-status').textContent()).toBe('Processed');
    expect(await rid('cmd-approve').count()).toBe(0);
    expect(await rid('edit-answer-link').count()).toBe(0);

    await rid('cmd-claim').click();
    await expect.poll(() => rid('review-status').textContent()).toBe('In review');
    expect(await submission(id)).toMatchObject({ review_status: 'in_review', reviewer_id: reviewer.id });
    expect(await rid('reviewer').textContent()).toBe('Rex Reviewer');

    // A comment and a follow-up for the submitter.
    await rid('comment-body').fill('The household size does not match the members listed.');
    await rid('comment-add').click();
    await rid('comments').getByText('The household size does not match the members listed.').waitFor();
    await expect.poll(() => rid('comment-body').inputValue()).toBe('');
    await rid('followup-new').click();
    await rid('followup-title').fill('Confirm the household size on the next visit');
    await rid('followup-details').fill('Count everyone who slept there last night.');
    await rid('followup-assignee').selectOption(s.submitter.id);
    await rid('followup-due').fill('2030-06-30');
    await rid('followup-create').click();
    await rid('followups').getByText('Confirm the household size on the next visit').waitFor();
    const followUp = (
      await t.rt.pool.query('SELECT id, assignee_id, due_on::text AS due FROM follow_ups WHERE submission_id = $1', [
        id,
      ])
    ).rows[0];
    expect(followUp).toMatchObject({ assignee_id: s.submitter.id, due: '2030-06-30' });

    // Reject: the reason is asked for first.
    await rid('cmd-reject').click();
    expect(await rid('cmd-reject-confirm').isDisabled()).toBe(true);
    await rid('reject-reason').fill(
      'Household size says 2 but 2 members are listed with a third mentioned in the notes: please check the size.',
    );
    await rid('cmd-reject-confirm').click();
    await expect.poll(() => rid('review-status').textContent()).toBe('Rejected');
    expect(await submission(id)).toMatchObject({
      review_status: 'rejected',
      review_reason: expect.stringMatching(/^Household size says 2/),
    });
    await rid('review-reason')
      .getByText(/Household size says 2/)
      .waitFor();
    expect(await rid('cmd-approve').count()).toBe(0);
    await shot(r.page, 'review-rejected');

    // The submitter sees the rejection on the review page, resolves the follow-up, and goes to the answer.
    const sub = await openAs(t, browser, s.submitter);
    const sid = (testId: string) => sub.page.getByTestId(testId);
    await sub.page.goto(reviewUrl);
    await sid('review-page').waitFor();
    expect(await sid('review-status').textContent()).toBe('Rejected');
    expect(await sid('cmd-claim').count()).toBe(0);
    await sid(`followup-resolve-${followUp.id}`).click();
    await sid('followup-resolution').fill('Size is 3: the grandmother was missing');
    await sid('followup-resolve-confirm').click();
    await sid('followups')
      .getByText(/Resolved .*Size is 3/)
      .waitFor();
    expect(
      (await t.rt.pool.query('SELECT resolution FROM follow_ups WHERE id = $1', [followUp.id])).rows[0].resolution,
    ).toBe('Size is 3: the grandmother was missing');
    await sid('edit-answer-link').click();
    await sub.page.waitForURL(`${t.baseUrl}/admin/resources/submissions/records/${id}/answer`);

    // The answer page: the reason, the current answer; edit, save, then save and submit.
    await sid('form-fill').waitFor();
    expect(await sid('rejection-reason').textContent()).toContain('Household size says 2');
    expect(await sid('input-household-village').inputValue()).toBe('Village 1');
    expect(await sid('input-household-size').inputValue()).toBe('2');
    expect(await sid('input-household-members-1-name').inputValue()).toBe('Bob 1');
    await sid('input-household-size').fill('3');
    await sid('input-household-members-add').click();
    await sid('input-household-members-2-name').fill('Gran 1');
    await sid('input-household-members-2-age').fill('81');
    await sid('fill-dirty').waitFor();
    await shot(sub.page, 'answer-edit-rejected');
    await sid('fill-save').click();
    await sid('fill-dirty').waitFor({ state: 'detached' });
    const saved = await submission(id);
    expect(saved.review_status).toBe('rejected');
    expect(saved.payload.household).toMatchObject({
      village: 'Village 1',
      size: 3,
      members: [{ name: 'Ann 1' }, { name: 'Bob 1' }, { name: 'Gran 1', age: 81 }],
    });
    await sid('fill-submit').click();
    await sid('fill-readonly').waitFor();
    expect(await sid('fill-status').textContent()).toBe('Submitted');
    expect((await submission(id)).review_status).toBe('submitted');
    await shot(sub.page, 'answer-resubmitted');

    // The reviewer claims it again and approves it.
    await r.page.reload();
    await rid('review-page').waitFor();
    expect(await rid('review-status').textContent()).toBe('Submitted');
    await rid('value-household-size').getByText('3').waitFor();
    await rid('cmd-claim').click();
    await expect.poll(() => rid('review-status').textContent()).toBe('In review');
    await rid('cmd-approve').click();
    await expect.poll(() => rid('review-status').textContent()).toBe('Approved');
    expect((await submission(id)).review_status).toBe('approved');
    expect(await rid('cmd-claim').count()).toBe(0);
    expect(await rid('cmd-reject').count()).toBe(0);
    const history = await rid('history')
      .getByTestId('history-entry')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(history).toEqual(
      expect.arrayContaining([
        'submission.approve',
        'submission.reject',
        'submission.update',
        'submission.comment',
        'follow_up.create',
        'follow_up.resolve',
      ]),
    );
    expect(history[0]).toBe('submission.approve');
    await shot(r.page, 'review-approved');

    expect(r.errors).toEqual([]);
    expect(sub.errors).toEqual([]);
    await r.page.close();
    await sub.page.close();
  });

  it('reviews section by section; the approved section is read-only while the submitter fixes the rejected one', async () => {
    const definition = {
      sections: [
        {
          id: 's_site',
          key: 'site',
          label: 'Site',
          fields: [{ id: 'f_name', key: 'name', label: 'Site name', type: 'text', rules: { required: true } }],
        },
        {
          id: 's_water',
          key: 'water',
          label: 'Water',
          fields: [
            { id: 'f_has_well', key: 'has_well', label: 'Has a well', type: 'boolean' },
            {
              id: 'f_depth',
              key: 'depth',
              label: 'Well depth (m)',
              type: 'decimal',
              showIf: { field: 'f_has_well', equals: true },
            },
            {
              id: 'f_tested',
              key: 'tested_at',
              label: 'Tested at',
              type: 'datetime',
              help: 'When the water was last tested',
            },
          ],
        },
      ],
    };
    const s2 = await publishedSurvey(t, definition);
    expect((await s2.builderApi.patch(`/templates/${s2.templateId}`, { reviewMode: 'section' })).status).toBe(200);
    await t.rt.services.grids.addMember(ctxFor(s2.builder), s2.gridId, { userId: reviewer.id, role: 'reviewer' });
    const created = await s2.submitterApi.post(`/templates/${s2.templateId}/submissions`, {
      data: { site: { name: 'North' }, water: { has_well: true, depth: 12.5 } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.data.id as string;
    const sectionStatuses = async () =>
      Object.fromEntries(
        (
          await t.rt.pool.query('SELECT section_id, status FROM submission_section_reviews WHERE submission_id = $1', [
            id,
          ])
        ).rows.map((x) => [x.section_id, x.status]),
      );

    const r = await openAs(t, browser, reviewer);
    const site = r.page.getByTestId('section-site');
    const water = r.page.getByTestId('section-water');
    await r.page.goto(`${t.baseUrl}/admin/resources/submissions/records/${id}/review`);
    await r.page.getByTestId('review-page').waitFor();
    expect(await r.page.getByTestId('section-status-site').textContent()).toBe('Submitted');
    await site.getByTestId('cmd-claim').click();
    await expect.poll(() => r.page.getByTestId('section-status-site').textContent()).toBe('In review');
    await site.getByTestId('cmd-approve').click();
    await expect.poll(() => r.page.getByTestId('section-status-site').textContent()).toBe('Approved');
    await water.getByTestId('cmd-claim').click();
    await water.getByTestId('cmd-reject').click();
    await water.getByTestId('reject-reason').fill('The depth cannot be right: wells here are deeper than 30 m');
    await water.getByTestId('cmd-reject-confirm').click();
    await expect.poll(() => r.page.getByTestId('section-status-water').textContent()).toBe('Rejected');
    expect(await r.page.getByTestId('review-status').textContent()).toBe('Rejected');
    expect(await r.page.getByTestId('review-reason').textContent()).toContain('Water: The depth cannot be right');
    expect(await sectionStatuses()).toEqual({ s_site: 'approved', s_water: 'rejected' });
    expect((await submission(id)).review_status).toBe('rejected');
    await shot(r.page, 'review-sections-rejected');

    // The submitter: the approved section is read-only; the condition hides the depth once the well is unticked.
    const sub = await openAs(t, browser, s2.submitter);
    const sid = (testId: string) => sub.page.getByTestId(testId);
    await sub.page.goto(`${t.baseUrl}/admin/resources/submissions/records/${id}/answer`);
    await sid('form-fill').waitFor();
    expect(await sid('rejection-reason').textContent()).toContain('Water: The depth cannot be right');
    expect(await sid('fill-section-site').getAttribute('data-locked')).toBe('true');
    expect(await sid('input-site-name').isDisabled()).toBe(true);
    expect(await sid('input-water-depth').inputValue()).toBe('12.5');
    await sid('input-water-has_well').uncheck();
    expect(await sid('input-water-depth').count()).toBe(0);
    await sid('input-water-tested_at').fill('2025-03-04T10:30');
    await shot(sub.page, 'answer-sections-rejected');
    await sid('fill-submit').click();
    await sid('fill-readonly').waitFor();
    const after = await submission(id);
    // One section approved, one waiting: the submission is in review (derived from its sections).
    expect(after.review_status).toBe('in_review');
    expect(await sid('fill-status').textContent()).toBe('In review');
    expect(after.payload.site).toEqual({ name: 'North' });
    expect(after.payload.water).toEqual({
      has_well: false,
      tested_at: expect.stringMatching(/^2025-03-0[345]T\d\d:30:00\.000Z$/),
    });
    expect(await sectionStatuses()).toEqual({ s_site: 'approved', s_water: 'submitted' });

    expect(r.errors).toEqual([]);
    expect(sub.errors).toEqual([]);
    await r.page.close();
    await sub.page.close();
  });

  it('fills a new submission for a published template: errors next to the inputs, then submitted', async () => {
    const { page, errors } = await openAs(t, browser, s.submitter);
    const id = (testId: string) => page.getByTestId(testId);
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${s.templateId}/fill`);
    await id('form-fill').waitFor();
    expect(await id('form-fill').getAttribute('data-mode')).toBe('create');

    // A missing village and a size out of range: both flagged in one pass, in the API's words,
    // before anything is sent (the fill page runs the API's rules engine).
    await id('input-household-size').fill('99');
    await id('fill-submit').click();
    await id('fill-errors').getByText('Household › Village').waitFor();
    expect(await id('error-household-village').textContent()).toBe('This answer is required');
    expect(await id('error-household-size').textContent()).toBe('Enter a whole number from 1 to 50');
    expect(await page.getByTestId('fill-error').count()).toBe(2);

    await id('input-household-village').fill('Village created in the browser');
    await id('input-household-water').selectOption('well');
    await id('input-household-members-add').click();
    await id('input-household-members-0-name').fill('Cleo');
    await id('input-household-members-0-age').fill('40');
    await id('fill-submit').click();
    await id('error-household-size').waitFor();
    await id('fill-errors').getByText('Household › Household size').waitFor();
    expect(await id('input-household-village').inputValue()).toBe('Village created in the browser');
    await shot(page, 'answer-create-errors');
    const before = Number(
      (await t.rt.pool.query('SELECT count(*) FROM submissions WHERE template_id = $1', [s.templateId])).rows[0].count,
    );

    await id('input-household-size').fill('4');
    await id('fill-submit').click();
    await page.waitForURL(/\/admin\/resources\/submissions\/records\/\d+\/show/);
    const created = (
      await t.rt.pool.query(
        `SELECT review_status, payload, jsonb_typeof(payload->'household'->'size') ` +
          `AS size_type FROM submissions WHERE template_id = $1 ORDER BY id DESC LIMIT 1`,
        [s.templateId],
      )
    ).rows[0];
    expect(
      Number(
        (await t.rt.pool.query('SELECT count(*) FROM submissions WHERE template_id = $1', [s.templateId])).rows[0]
          .count,
      ),
    ).toBe(before + 1);
    expect(created).toMatchObject({ review_status: 'submitted', size_type: 'number' });
    expect(created.payload).toEqual({
      household: {
        village: 'Village created in the browser',
        size: 4,
        water: 'well',
        members: [{ name: 'Cleo', age: 40 }],
      },
    });
    expect(errors).toEqual([]);
    await page.close();
  });
});
