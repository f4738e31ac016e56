import { copyFile, mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { interfaceTextIn } from '../../src/rules/interface-text.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createGrid, createUser, ctxFor, type TestUser } from '../helpers/factories.js';

/**
 * The forms issue's journey, in Chromium, one person after another: a builder makes a household
 * form in the builder (a calculated total, a cross-field date constraint, a showIf expression
 * reading another section, a geopoint, a signature, English and Swahili with the Swahili typed in
 * the Translations tab) and publishes it; a submitter fills it in Swahili, sees the total follow
 * the typing and the date error in Swahili, and submits; the reviewer sees the signature and the
 * point. Screenshots of each step land in test-results/screenshots (the docs use some of them).
 */
describe('a household form, from the builder to the reviewer, in two languages', () => {
  let t: TestApp;
  let browser: Browser;
  let builder: TestUser;
  let submitter: TestUser;
  let reviewer: TestUser;
  let templateId: string;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp({ worker: true });
    builder = await createUser(t.rt.pool, { role: 'builder', name: 'Bea Builder' });
    submitter = await createUser(t.rt.pool, { role: 'submitter', name: 'Sam Submitter' });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer', name: 'Rex Reviewer' });
    const grid = await createGrid(
      t.rt,
      builder,
      [
        { user: submitter, role: 'submitter' },
        { user: reviewer, role: 'reviewer' },
      ],
      { slug: 'household-visits', title: 'Household visits' },
    );
    templateId = (
      await t.rt.services.templates.create(ctxFor(builder), grid.id, { slug: 'household', title: 'Household visit' })
    ).id;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const errors: string[] = [];
  async function open(user: TestUser): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // A busy two-core machine: the admin panel's first pages can take half a minute.
    page.setDefaultTimeout(90_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, user);
    return page;
  }
  const shot = (page: Page, name: string) =>
    page.screenshot({ animations: 'disabled', path: `${SCREENSHOTS}/journey-household-${name}.png`, fullPage: true });

  it('is built, published, filled in Swahili and reviewed', { timeout: 900_000 }, async () => {
    // ---- the builder
    const b = await open(builder);
    await b.goto(`${t.baseUrl}/admin/resources/templates/records/${templateId}/builder`);
    const id = (testId: string) => b.getByTestId(testId);
    await id('builder').waitFor();
    await id('section-label-0').fill('Household');
    await id('section-key-0').fill('household');
    const field = async (s: number, f: number, label: string, key: string, type: string) => {
      await id(`add-field-${s}`).click();
      await id(`field-label-${s}-${f}`).fill(label);
      await id(`field-key-${s}-${f}`).fill(key);
      await id(`field-type-${s}-${f}`).selectOption(type);
    };
    await field(0, 0, 'Adults', 'adults', 'integer');
    await field(0, 1, 'Children', 'children', 'integer');
    // The total: calculated by the server from the answer, shown read-only as the submitter types.
    await field(0, 2, 'People in the household', 'total', 'calculated');
    await id('field-details-0-2').click();
    await id('field-0-2-result-type').selectOption('integer');
    await id('field-0-2-expression').fill('${adults} + ${children}');
    await field(0, 3, 'Start of the stay', 'start', 'date');
    // The end: on or after the start (a constraint reading another field).
    await field(0, 4, 'End of the stay', 'end', 'date');
    await id('field-details-0-4').click();
    await id('field-0-4-constraint-add').click();
    await id('field-0-4-constraint-0-expression').fill('${end} >= ${start}');
    await id('field-0-4-constraint-0-message').fill('The end comes on or after the start');

    // A second section: the visit, with a point, a signature, and a question shown by the household's total.
    await id('add-section').click();
    await id('section-label-1').fill('Visit');
    await id('section-key-1').fill('visit');
    await field(1, 0, 'Location of the house', 'location', 'geopoint');
    await field(1, 1, 'Where do they all sleep?', 'sleeping', 'text');
    await id('field-details-1-1').click();
    await id('field-1-1-showif-expression').fill('${household.total} > 5');
    await field(1, 2, 'Signature of the head of household', 'signature', 'signature');
    await expect.poll(() => id('field-1-1-showif-expression-error').count()).toBe(0);
    await shot(b, '1-builder-editor');

    // Two languages, and the Swahili typed in the Translations tab.
    await id('tab-translations').click();
    await id('languages-input').fill('en, sw');
    await id('languages-apply').click();
    await id('translations-summary').waitFor();
    const SWAHILI: Record<string, string> = {
      'sections[0].label': 'Kaya',
      'sections[0].fields[0].label': 'Watu wazima',
      'sections[0].fields[1].label': 'Watoto',
      'sections[0].fields[2].label': 'Watu katika kaya',
      'sections[0].fields[3].label': 'Mwanzo wa kukaa',
      'sections[0].fields[4].label': 'Mwisho wa kukaa',
      'sections[0].fields[4].constraints[0].message': 'Mwisho ni siku ya mwanzo au baadaye',
      'sections[1].label': 'Ziara',
      'sections[1].fields[0].label': 'Mahali pa nyumba',
      'sections[1].fields[1].label': 'Wote wanalala wapi?',
      'sections[1].fields[2].label': 'Sahihi ya mkuu wa kaya',
    };
    for (const [path, text] of Object.entries(SWAHILI)) await id(`translation-${path}-sw`).fill(text);
    await expect.poll(() => id('translations-summary').textContent()).toContain('every text translated');
    await shot(b, '2-builder-translations');

    await id('save').click();
    await expect.poll(() => id('builder').getAttribute('data-dirty')).toBe('false');
    expect(await id('builder-errors').count()).toBe(0);
    await id('tab-editor').click();
    await id('plan').click();
    await id('plan-result').waitFor();
    expect(await id('plan-result').getAttribute('data-ok')).toBe('true');
    await expect.poll(() => id('publish').isEnabled()).toBe(true);
    b.once('dialog', (dialog) => void dialog.accept());
    await id('publish').click();
    await id('publish-result').waitFor();
    expect(await id('publish-result').getAttribute('data-ok')).toBe('true');
    await shot(b, '3-builder-published');
    const saved = (
      await t.rt.pool.query('SELECT definition FROM template_versions WHERE template_id = $1 AND version = 1', [
        templateId,
      ])
    ).rows[0].definition;
    expect([saved.languages, saved.defaultLanguage]).toEqual([['en', 'sw'], 'en']);
    expect(saved.sections[0].fields[4].constraints).toEqual([
      {
        expression: '${end} >= ${start}',
        message: { en: 'The end comes on or after the start', sw: 'Mwisho ni siku ya mwanzo au baadaye' },
      },
    ]);
    await b.close();

    // ---- the submitter, in Swahili
    const s = await open(submitter);
    await s.goto(`${t.baseUrl}/admin/resources/templates/records/${templateId}/fill`);
    const sid = (testId: string) => s.getByTestId(testId);
    await sid('form-fill').waitFor();
    await sid('fill-language').selectOption('sw');
    await expect.poll(() => sid('field-household-adults').innerText()).toContain('Watu wazima');
    // The total follows the typing, computed by the engine the server runs.
    await sid('input-household-adults').fill('2');
    await sid('input-household-children').fill('3');
    await expect.poll(() => sid('input-household-total').textContent()).toBe('5');
    expect(await sid('field-visit-sleeping').count()).toBe(0);
    await sid('input-household-children').fill('4');
    await expect.poll(() => sid('input-household-total').textContent()).toBe('6');
    // Over five people: the question of the other section shows.
    await sid('field-visit-sleeping').waitFor();
    await shot(s, '4-fill-total');
    // The end before the start: the builder's message, in Swahili, as it is typed.
    await sid('input-household-start').fill('2024-05-10');
    await sid('input-household-end').fill('2024-05-01');
    await expect.poll(() => sid('error-household-end').textContent()).toBe('Mwisho ni siku ya mwanzo au baadaye');
    await shot(s, '5-fill-date-error');
    await sid('input-household-end').fill('2024-05-12');
    await expect.poll(() => sid('error-household-end').count()).toBe(0);
    await sid('input-visit-sleeping').fill('Two rooms');
    // A signature is uploaded to its submission: save a draft first (the page becomes its answer page).
    expect(await sid('field-visit-signature').innerText()).toContain(interfaceTextIn('sw').signatureNeedsDraft);
    await sid('fill-save').click();
    await s.waitForURL(/\/admin\/resources\/submissions\/records\/\d+\/show/);
    const draftId = /records\/(\d+)\/show/.exec(s.url())![1];
    await s.goto(`${t.baseUrl}/admin/resources/submissions/records/${draftId}/answer`);
    await sid('form-fill').waitFor();
    await sid('fill-language').selectOption('sw');
    await expect.poll(() => sid('input-household-total').textContent()).toBe('6');
    await sid('input-visit-location-latitude').fill('-1.286389');
    await sid('input-visit-location-longitude').fill('36.817223');
    await sid('input-visit-location-accuracy').fill('8');
    const pad = sid('input-visit-signature-pad');
    // In the middle of the viewport: the page's sticky footer (save, submit) would take the strokes near the bottom.
    await pad.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const box = (await pad.boundingBox())!;
    await s.mouse.move(box.x + 30, box.y + box.height * 0.7);
    await s.mouse.down();
    for (let i = 1; i <= 24; i++)
      await s.mouse.move(box.x + 30 + i * 14, box.y + box.height * (0.7 - 0.4 * Math.sin(i / 3)), { steps: 2 });
    await s.mouse.up();
    await sid('input-visit-signature-save').click();
    const drawn = sid('input-visit-signature-image');
    await expect.poll(() => drawn.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(480);
    await shot(s, '6-fill-signed');
    await sid('fill-submit').click();
    const submitted = async () =>
      (await t.rt.pool.query('SELECT id, review_status, payload FROM submissions WHERE template_id = $1', [templateId]))
        .rows;
    await expect.poll(async () => (await submitted())[0]?.review_status, { timeout: 60_000 }).toBe('submitted');
    const [row] = await submitted();
    expect(row.payload.household).toEqual({ adults: 2, children: 4, total: 6, start: '2024-05-10', end: '2024-05-12' });
    expect(row.payload.visit).toMatchObject({
      location: { latitude: -1.286389, longitude: 36.817223, accuracy: 8 },
      sleeping: 'Two rooms',
    });
    expect(row.payload.visit.signature).toHaveLength(1);
    await s.close();

    // ---- the reviewer: the point, and the signature drawn
    const r = await open(reviewer);
    await r.goto(`${t.baseUrl}/admin/resources/submissions/records/${row.id}/review`);
    const point = r.getByTestId('value-visit-location');
    await point.waitFor();
    expect(await point.innerText()).toContain('-1.286389, 36.817223 (± 8 m)');
    const signature = r.getByTestId('value-visit-signature-signature');
    await signature.waitFor();
    await expect.poll(() => signature.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(480);
    expect(await r.getByTestId('value-household-total').innerText()).toContain('6');
    await shot(r, '7-review');
    // The review page in Swahili too.
    await r.getByTestId('review-language').selectOption('sw');
    await expect.poll(() => r.getByTestId('section-visit').innerText()).toContain('Sahihi ya mkuu wa kaya');
    await shot(r, '8-review-sw');
    await r.close();

    expect(errors).toEqual([]);
    // The best of them illustrate docs/forms.md.
    if (process.env.UPDATE_DOC_IMAGES === '1') {
      for (const name of ['2-builder-translations', '4-fill-total', '5-fill-date-error', '7-review']) {
        await copyFile(`${SCREENSHOTS}/journey-household-${name}.png`, `docs/images/journey-household-${name}.png`);
      }
    }
  });
});
