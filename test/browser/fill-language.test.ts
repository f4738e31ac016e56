import { copyFile, mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { publishedSurvey, type Survey } from '../helpers/forms.js';

/** A form in English (its default), Swahili and French: a required field, a yes/no, a location, a file, a table. */
const DEFINITION = {
  languages: ['en', 'sw', 'fr'],
  defaultLanguage: 'en',
  sections: [
    {
      id: 's_home',
      key: 'home',
      label: { en: 'Household', sw: 'Kaya', fr: 'Ménage' },
      fields: [
        {
          id: 'f_village',
          key: 'village',
          label: { en: 'Village', sw: 'Kijiji', fr: 'Village' },
          type: 'text',
          rules: { required: true },
        },
        {
          id: 'f_well',
          key: 'well',
          label: { en: 'Has a well', sw: 'Kuna kisima', fr: 'A un puits' },
          type: 'boolean',
        },
        { id: 'f_place', key: 'place', label: { en: 'Place', sw: 'Mahali', fr: 'Lieu' }, type: 'geopoint' },
        { id: 'f_photo', key: 'photo', label: { en: 'Photo', sw: 'Picha', fr: 'Photo' }, type: 'file' },
      ],
      tables: [
        {
          id: 't_people',
          key: 'people',
          label: { en: 'People', sw: 'Watu', fr: 'Personnes' },
          maxRows: 5,
          columns: [{ id: 'f_name', key: 'name', label: { en: 'Name', sw: 'Jina', fr: 'Nom' }, type: 'text' }],
        },
      ],
    },
  ],
};

/**
 * The fill page's own words follow its language switch (the same one that switches the form's
 * labels): buttons, the required marker and note, the inputs' prompts, the error summary and the
 * save notice, in Swahili and back in English; a language the page has no words for reads English.
 */
describe("the fill page's own words in the language picked", () => {
  let t: TestApp;
  let browser: Browser;
  let s: Survey;
  beforeAll(async () => {
    t = await setupApp();
    s = await publishedSurvey(t, DEFINITION);
    browser = await launchBrowser();
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ animations: 'disabled', path: `${SCREENSHOTS}/fill-language-${name}.png`, fullPage: true });

  it('switches to Swahili and back to English', { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, s.submitter);
    await page.goto(`${t.baseUrl}/admin/resources/templates/records/${s.templateId}/fill`);
    await page.getByTestId('form-fill').waitFor();
    const id = (testId: string) => page.getByTestId(testId);
    const text = async (testId: string) => (await id(testId).textContent())?.trim();
    const village = id('field-home-village');

    // English, the form's default.
    expect(await text('fill-save')).toBe('Save draft');
    expect(await text('fill-submit')).toBe('Submit');
    expect(await text('fill-required-note')).toBe(
      'Fields marked * are required to submit; a draft may be saved incomplete.',
    );
    expect(await village.getByTestId('required-marker').getAttribute('title')).toBe('required');
    expect(await text('input-home-people-add')).toBe('+ Add row');
    expect(await text('input-home-place-locate')).toBe('⌖ Use my location');
    expect(await id('fill-language').getAttribute('aria-label')).toBe('Language');

    // Swahili: the labels and the page's own words.
    await id('fill-language').selectOption('sw');
    await expect.poll(() => text('fill-submit')).toBe('Tuma');
    expect(await page.locator('[data-testid="form-fill"]').getAttribute('lang')).toBe('sw');
    expect(await text('fill-save')).toBe('Hifadhi rasimu');
    expect(await village.locator('label').textContent()).toBe('Kijiji*');
    expect(await village.getByTestId('required-marker').getAttribute('title')).toBe('lazima');
    expect(await text('fill-required-note')).toBe(
      'Maswali yenye alama * ni lazima yajibiwe kabla ya kutuma; rasimu inaweza kuhifadhiwa bila kukamilika.',
    );
    expect(await text('input-home-people-add')).toBe('+ Ongeza safu');
    expect(await text('input-home-place-locate')).toBe('⌖ Tumia mahali nilipo');
    expect(await id('field-home-well').textContent()).toContain('Ndiyo');
    // A new answer takes files before its first save: the upload prompt, in Swahili.
    expect(await id('input-home-photo').textContent()).toContain('Ongeza faili:');
    expect(await id('fill-language').getAttribute('aria-label')).toBe('Lugha');
    await id('input-home-people-add').click();
    expect(await id('input-home-people-remove-0').getAttribute('aria-label')).toBe('Ondoa safu ya 1');

    // Submitting without the required village: the summary and the message, in Swahili.
    await id('fill-submit').click();
    await id('fill-errors').waitFor();
    expect(await id('fill-errors').textContent()).toContain('Halijatumwa: tatizo 1 la kurekebisha');
    expect(await text('fill-error')).toBe('Kaya › Kijiji: Jibu hili linahitajika');
    await shot(page, 'sw');

    // Back to English: the same summary (its messages too) and buttons in English.
    await id('fill-language').selectOption('en');
    await expect.poll(() => text('fill-submit')).toBe('Submit');
    expect(await text('fill-save')).toBe('Save draft');
    expect(await id('fill-errors').textContent()).toContain('Not submitted: 1 problem to fix');
    expect(await text('fill-error')).toBe('Household › Village: This answer is required');
    expect(await text('error-home-village')).toBe('This answer is required');
    expect(await text('input-home-people-add')).toBe('+ Add row');
    expect(await village.getByTestId('required-marker').getAttribute('title')).toBe('required');
    await shot(page, 'en');

    // French, then a draft saved in Swahili: the server's notice is in Swahili too.
    await id('fill-language').selectOption('fr');
    await expect.poll(() => text('fill-submit')).toBe('Envoyer');
    expect(await text('fill-save')).toBe('Enregistrer le brouillon');
    await id('fill-language').selectOption('sw');
    await id('input-home-village').fill('Mji Mpya');
    await id('fill-save').click();
    await page.waitForURL(/\/admin\/resources\/submissions\/records\/\d+\/show/);
    const saved = (await t.rt.pool.query('SELECT id FROM submissions ORDER BY id DESC LIMIT 1')).rows[0] as {
      id: string;
    };
    await expect.poll(() => page.locator('body').textContent()).toContain(`Rasimu imehifadhiwa (#${saved.id})`);
    expect(errors).toEqual([]);
    await page.close();
    // The Swahili page illustrates docs/forms.md.
    if (process.env.UPDATE_DOC_IMAGES === '1')
      await copyFile(`${SCREENSHOTS}/fill-language-sw.png`, 'docs/images/fill-language-sw.png');
  });
});
