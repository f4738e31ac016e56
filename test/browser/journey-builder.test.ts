import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, openAs, SCREENSHOTS, shot } from '../helpers/browser.js';
import { publishedSurvey, type Survey } from '../helpers/forms.js';

const WELLS = {
  sections: [
    {
      id: 's_visit',
      key: 'visit',
      label: 'Visit',
      fields: [
        { id: 'f_village', key: 'village', label: 'Village', type: 'text' },
        { id: 'f_depth', key: 'depth', label: 'Depth of the well', type: 'decimal' },
      ],
    },
  ],
};

/**
 * A builder's journey: edits a published template in the builder, is stopped by the unsaved-changes
 * guard on a sidebar click (stays, nothing lost), saves, reads the publish plan, confirms, and sees
 * version 2 published.
 */
describe('journey: a builder edits, is stopped by the guard, and publishes', () => {
  let t: TestApp;
  let s: Survey;
  let browser: Browser;
  const template = async () =>
    (
      await t.rt.pool.query<{ current_version: number; definition: typeof WELLS }>(
        'SELECT current_version, definition FROM templates WHERE id = $1',
        [s.templateId],
      )
    ).rows[0]!;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp();
    s = await publishedSurvey(t, WELLS);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('edits, stays on the guard, saves, plans, publishes version 2', async () => {
    const { page, errors } = await openAs(browser, t.baseUrl, s.builder);
    const id = (testId: string) => page.getByTestId(testId);
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${s.templateId}/builder`);
    await id('builder').waitFor();
    await expect.poll(() => id('current-version').textContent()).toBe('published v1');
    await shot(page, 'journey-builder-1-opened');

    // 1. Edits: a label, and a new field. The builder says they are unsaved.
    await id('field-label-0-1').fill('Depth of the well (m)');
    await id('unsaved').waitFor();
    await id('add-field-0').click();
    await id('field-label-0-2').fill('People served');
    expect(await id('field-key-0-2').inputValue()).toBe('people_served');
    await id('field-type-0-2').selectOption('integer');

    // 2. The sidebar with unsaved edits: asked, stays, nothing lost.
    const sidebarLink = page.locator('[data-css="sidebar"] a[href="/admin/pages/account"]').first();
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await sidebarLink.click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/unsaved changes/);
    expect(page.url()).toContain('/builder');
    expect(await id('field-label-0-1').inputValue()).toBe('Depth of the well (m)');
    expect(await id('field-label-0-2').inputValue()).toBe('People served');
    await shot(page, 'journey-builder-2-guard-stays');

    // 3. Saved: the plan can be made from it.
    await id('save').click();
    await expect.poll(() => id('builder').getAttribute('data-dirty')).toBe('false');
    expect((await template()).definition.sections[0]!.fields[1]!.label).toBe('Depth of the well (m)');
    expect(await id('publish').isDisabled()).toBe(true);

    // 4. The publish plan, then the confirmation naming the version.
    await id('plan').click();
    await id('plan-result').waitFor();
    expect(await id('plan-result').getAttribute('data-ok')).toBe('true');
    expect(await id('plan-statements').textContent()).toContain('people_served');
    await expect.poll(() => id('publish').isEnabled()).toBe(true);
    await shot(page, 'journey-builder-3-publish-plan');
    const confirmed: string[] = [];
    page.once('dialog', (dialog) => {
      confirmed.push(dialog.message());
      void dialog.accept();
    });
    await id('publish').click();
    await id('publish-result').waitFor();
    expect(confirmed[0]).toMatch(/^Publish version 2 of "Household survey"\?/);
    expect(await id('publish-result').getAttribute('data-ok')).toBe('true');
    expect(await id('publish-result').textContent()).toContain('Published version 2');
    await expect.poll(() => id('current-version').textContent()).toBe('published v2');
    await shot(page, 'journey-builder-4-published');
    expect((await template()).current_version).toBe(2);
    const columns = await t.rt.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'forms' AND table_name = $1`,
      [`f${s.templateId}_visit`],
    );
    expect(columns.rows.map((r) => r.column_name)).toContain('people_served');

    // 5. The versions: both, the new one by this builder.
    await id('tab-versions').click();
    await id('version-2').waitFor();
    expect(await id('version-1').count()).toBe(1);
    expect(await id('version-by-2').textContent()).toBe(s.builder.name);
    await shot(page, 'journey-builder-5-versions');
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
