import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { closeAll, openBrowserApp, openPage, SCREENSHOTS } from '../helpers/browser.js';

describe('the dashboard and submissions in a browser', () => {
  let t: TestApp;
  let s: Survey;
  let admin: TestUser;
  let browser: Browser;
  beforeAll(async () => {
    ({ t, browser } = await openBrowserApp({ worker: true }));
    s = await publishedSurvey(t);
    admin = await createUser(t.rt.pool, { role: 'admin', name: 'Ada Admin' });
  });
  afterAll(() => closeAll(browser, t));

  it('shows the counts after submissions are posted, the answer by sections, and the failure reason', async () => {
    for (let i = 0; i < 12; i++) {
      expect(
        (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i) })).status,
      ).toBe(202);
    }
    // One answer that storage refuses (a constraint added to the form table) fails in the worker.
    await t.rt.pool.query(
      `ALTER TABLE ${s.sectionTable} ADD CONSTRAINT no_refused_villages CHECK (village <> 'Refusedville')`,
    );
    const refused = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { household: { ...householdPayload(12).household, village: 'Refusedville' } },
    });
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 12 && c['2'] === 1,
    );

    const { page, errors } = await openPage(browser, t.baseUrl, admin, { viewport: { width: 1400, height: 1000 } });
    await page.getByTestId('dashboard').waitFor();
    await expect.poll(() => page.getByTestId('stat-processed-value').textContent()).toBe('12');
    expect(await page.getByTestId('stat-failed-value').textContent()).toBe('1');
    expect(await page.getByTestId('stat-review-submitted-value').textContent()).toBe('13');
    expect(await page.getByTestId('queue-waiting').textContent()).toBe('0');
    await page.getByTestId('per-day-chart').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-submissions.png`, fullPage: true });

    // A processed submission: its answer by sections, with labels.
    const first = (await t.rt.pool.query(`SELECT id FROM submissions WHERE processing_status = 1 ORDER BY id LIMIT 1`))
      .rows[0].id;
    await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${first}/show`);
    await page.getByTestId('submission-payload').getByText('Household size').waitFor();
    await page.getByTestId('submission-payload').getByText('Village 0').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/submission-show.png`, fullPage: true });

    // The failed one shows its reason and offers a retry (a POST behind a confirmation).
    await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${refused.body.data.id}/show`);
    await page.getByText('The database refused to store this answer in Village (household.village)').first().waitFor();
    await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${refused.body.data.id}/retry`);
    await page.getByTestId('confirm-retry').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/submission-retry.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
