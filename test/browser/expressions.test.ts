import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp } from '../helpers/app.js';
import { closeAll, openBrowserApp, openPage, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { publishedSurvey, type Survey } from '../helpers/forms.js';
import { FORMS } from '../rules/forms.js';

/**
 * Expressions in the admin panel, in Chromium: the fill page shows calculated values live and
 * read-only, starts with defaults, shows the builder's constraint messages as the submitter types,
 * and what it submits is stored with the server's computed values; the builder shows the checker's
 * message under an expression as it is typed.
 */
describe('expressions in the admin panel', () => {
  let t: TestApp;
  let browser: Browser;
  let s: Survey;
  beforeAll(async () => {
    ({ t, browser } = await openBrowserApp({ worker: true }));
    s = await publishedSurvey(t, structuredClone(FORMS.expr));
  });
  afterAll(() => closeAll(browser, t));

  it('fills a form: calculated values live, defaults, constraint messages, then submits', async () => {
    const draft = (
      await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { draft: true, data: { h: { adults: 1 } } })
    ).body.data.id;
    const { page, errors } = await openPage(browser, t.baseUrl, s.submitter, {
      viewport: { width: 1400, height: 1000 },
    });
    await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${draft}/answer`);
    await page.getByTestId('form-fill').waitFor();
    const id = (testId: string) => page.getByTestId(testId);

    // The draft was stored with its default (children 0) and its calculation (total 1).
    await expect.poll(() => id('input-h-total').textContent()).toBe('1');
    expect(await id('input-h-children').inputValue()).toBe('0');
    expect(await id('input-h-town').inputValue()).toBe('Springfield');
    await id('input-h-children').fill('3');
    await expect.poll(() => id('input-h-total').textContent()).toBe('4');
    await expect.poll(() => id('input-h-size').textContent()).toBe('small');
    await id('input-h-adults').fill('2');
    await expect.poll(() => id('input-h-total').textContent()).toBe('5');
    await expect.poll(() => id('input-h-big').textContent()).toBe('Yes');

    // A constraint's message shows as the dates are typed, and goes when they agree.
    await id('input-h-start').fill('2024-05-02');
    await id('input-h-end').fill('2024-05-01');
    await expect.poll(() => id('error-h-end').textContent()).toBe('The end comes on or after the start');
    await id('input-h-end').fill('2024-05-04');
    await expect.poll(() => id('error-h-end').count()).toBe(0);
    await expect.poll(() => id('input-h-nights').textContent()).toBe('2');

    await id('input-h-phone').fill('555 0100');
    await id('fill-submit').click();
    await expect
      .poll(
        async () =>
          (await t.rt.pool.query('SELECT review_status FROM submissions WHERE id = $1', [draft])).rows[0].review_status,
      )
      .toBe('submitted');
    const payload = (await t.rt.pool.query('SELECT payload FROM submissions WHERE id = $1', [draft])).rows[0].payload;
    expect(payload.h).toMatchObject({
      adults: 2,
      children: 3,
      total: 5,
      big: true,
      size: 'large',
      nights: 2,
      due: '2024-05-09',
      town: 'Springfield',
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows the checker's message under an expression in the builder as it is typed", async () => {
    const { page, errors } = await openPage(browser, t.baseUrl, s.builder, { viewport: { width: 1400, height: 1000 } });
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${s.templateId}/builder`);
    const id = (testId: string) => page.getByTestId(testId);
    await id('builder').waitFor();
    await id('field-details-0-2').click();
    await expect.poll(() => id('field-0-2-expression').inputValue()).toBe('${adults} + ${children}');
    expect(await id('field-0-2-expression-error').count()).toBe(0);
    await id('field-0-2-expression').fill("'a' + ${adultz}");
    await expect.poll(() => id('field-0-2-expression-error').first().textContent()).toMatch(/adultz/);
    await id('field-0-2-expression').fill('${adults} * 2');
    await expect.poll(() => id('field-0-2-expression-error').count()).toBe(0);
    // A section's constraint, and a table's, with the same checker.
    expect(await id('section-0-constraint-0-expression').inputValue()).toBe(
      'coalesce(${adults}, 0) + coalesce(${children}, 0) <= 12',
    );
    await id('section-0-constraint-0-expression').fill('${nobody} <= 12');
    await expect.poll(() => id('section-0-constraint-0-expression-error').first().textContent()).toMatch(/nobody/);
    await id('table-0-0-constraint-0-expression').fill('sum(${items.name}) <= 1000');
    await expect.poll(() => id('table-0-0-constraint-0-expression-error').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
  it('suggests the keys an expression can reference after ${, and completes the one picked', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // A busy two-core machine: navigations of the admin panel can take half a minute.
    page.setDefaultTimeout(90_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, s.builder);
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${s.templateId}/builder`);
    const id = (testId: string) => page.getByTestId(testId);
    await id('builder').waitFor();
    await id('field-details-0-2').click();
    const input = id('field-0-2-expression');
    await input.fill('');
    await input.pressSequentially('${ad');
    const suggestions = id('field-0-2-expression-suggestion');
    await expect.poll(() => suggestions.first().getAttribute('data-ref')).toBe('adults');
    expect(await suggestions.first().textContent()).toContain('${adults}');
    expect(await suggestions.first().textContent()).toContain('Adults');
    // The field's own key is not offered (a calculation cannot read itself), nor a key without "ad".
    expect(await suggestions.evaluateAll((els) => els.map((e) => e.getAttribute('data-ref')))).not.toContain('total');
    await page.screenshot({ path: `${SCREENSHOTS}/expression-autocomplete.png` });
    await page.keyboard.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('${adults}');
    await expect.poll(() => id('field-0-2-expression-suggestions').count()).toBe(0);
    // Typing on after the completed reference, then picking with the mouse.
    await input.pressSequentially(' + ${chi');
    await expect.poll(() => suggestions.first().getAttribute('data-ref')).toBe('children');
    await suggestions.first().click();
    await expect.poll(() => input.inputValue()).toBe('${adults} + ${children}');
    await expect.poll(() => id('field-0-2-expression-error').count()).toBe(0);
    // Escape closes the list and keeps what is typed.
    await input.pressSequentially(' + ${');
    await expect.poll(() => suggestions.count()).toBeGreaterThan(3);
    await page.keyboard.press('Escape');
    await expect.poll(() => id('field-0-2-expression-suggestions').count()).toBe(0);
    expect(await input.inputValue()).toBe('${adults} + ${children} + ${');
    // In another section, a field of the household is offered by its section: ${h.total}.
    await id('field-details-1-5').click();
    const crowd = id('field-1-5-showif-expression');
    await crowd.fill('');
    await crowd.pressSequentially('${h.to');
    await expect
      .poll(() => id('field-1-5-showif-expression-suggestion').first().getAttribute('data-ref'))
      .toBe('h.total');
    await page.keyboard.press('Tab');
    await expect.poll(() => crowd.inputValue()).toBe('${h.total}');
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
