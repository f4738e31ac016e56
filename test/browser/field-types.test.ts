import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp } from '../helpers/app.js';
import { closeAll, openBrowserApp, SCREENSHOTS, signIn } from '../helpers/browser.js';
import { createUser, ctxFor } from '../helpers/factories.js';
import { publishedSurvey } from '../helpers/forms.js';

/**
 * A location typed by hand, a signature drawn on the canvas, a note read: submitted from the
 * answer page, then seen by the reviewer (the point with its map link, the signature image served
 * by our files route). Neither page loads anything from another origin.
 */
describe('geopoint, signature and note in the admin panel', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    ({ t, browser } = await openBrowserApp({ worker: true }));
  });
  afterAll(() => closeAll(browser, t));

  const NOTE = 'Stand at the door of the house. <b>Not bold</b>: this text is shown as it is written.';

  it(
    'fills a point by hand and draws a signature; the reviewer sees the point and the signature',
    { timeout: 240_000 },
    async () => {
      const s = await publishedSurvey(t, {
        sections: [
          {
            id: 's_v',
            key: 'visit',
            label: 'Visit',
            fields: [
              { id: 'f_note', key: 'intro', label: NOTE, type: 'note' },
              { id: 'f_loc', key: 'loc', label: 'Location of the house', type: 'geopoint', rules: { required: true } },
              {
                id: 'f_sig',
                key: 'sig',
                label: 'Signature of the head of household',
                type: 'signature',
                rules: { required: true },
              },
            ],
          },
        ],
      });
      const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
      await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
      const draft = (
        await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { draft: true, data: { visit: {} } })
      ).body.data.id as string;

      const foreign: string[] = [];
      const errors: string[] = [];
      const watch = (page: Page) => {
        // The first admin page of a run waits for the panel's bundle on a busy machine.
        page.setDefaultNavigationTimeout(90_000);
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('request', (r) => {
          if (!r.url().startsWith(t.baseUrl) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
            foreign.push(r.url());
        });
      };

      const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
      watch(page);
      await signIn(page, t.baseUrl, s.submitter);
      await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${draft}/answer`);
      await page.getByTestId('form-fill').waitFor();
      // The note is text, escaped: its markup is shown, not applied.
      expect(await page.getByTestId('field-visit-intro').innerText()).toContain('<b>Not bold</b>');
      expect(await page.getByTestId('field-visit-intro').locator('b').count()).toBe(0);

      await page.getByTestId('input-visit-loc-latitude').fill('-1.286389');
      await page.getByTestId('input-visit-loc-longitude').fill('36.817223');
      await page.getByTestId('input-visit-loc-accuracy').fill('8');
      await expect.poll(() => page.getByTestId('input-visit-loc-locate').isVisible()).toBe(true);

      const pad = page.getByTestId('input-visit-sig-pad');
      const box = (await pad.boundingBox())!;
      await page.mouse.move(box.x + 30, box.y + box.height * 0.7);
      await page.mouse.down();
      for (let i = 1; i <= 24; i++)
        await page.mouse.move(box.x + 30 + i * 14, box.y + box.height * (0.7 - 0.4 * Math.sin(i / 3)), { steps: 2 });
      await page.mouse.up();
      await page.getByTestId('input-visit-sig-save').click();
      const saved = page.getByTestId('input-visit-sig-image');
      await saved.waitFor();
      await expect.poll(() => saved.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(480);
      await page.screenshot({ path: `${SCREENSHOTS}/fill-geopoint-signature.png`, fullPage: true });

      await page.getByTestId('fill-submit').click();
      await expect
        .poll(
          async () =>
            (await t.rt.pool.query('SELECT review_status FROM submissions WHERE id = $1', [draft])).rows[0]
              .review_status,
        )
        .toBe('submitted');
      const stored = (await t.rt.pool.query('SELECT payload FROM submissions WHERE id = $1', [draft])).rows[0].payload;
      expect(stored.visit.loc).toEqual({ latitude: -1.286389, longitude: 36.817223, accuracy: 8 });
      const file = (await t.rt.pool.query('SELECT f.detected_type FROM files f WHERE f.id = $1', [stored.visit.sig[0]]))
        .rows[0];
      expect(file).toEqual({ detected_type: 'image/png' });

      const reviewerPage = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
      watch(reviewerPage);
      await signIn(reviewerPage, t.baseUrl, reviewer);
      await reviewerPage.goto(`${t.baseUrl}/admin/resources/submissions/records/${draft}/review`);
      const point = reviewerPage.getByTestId('value-visit-loc');
      await point.waitFor();
      expect(await point.innerText()).toContain('-1.286389, 36.817223 (± 8 m)');
      expect(await reviewerPage.getByTestId('value-visit-loc-map').getAttribute('href')).toBe(
        'https://www.openstreetmap.org/?mlat=-1.286389&mlon=36.817223#map=17/-1.286389/36.817223',
      );
      const signature = reviewerPage.getByTestId('value-visit-sig-signature');
      await signature.waitFor();
      await expect
        .poll(() => signature.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
        .toBe(480);
      expect(await reviewerPage.getByTestId('section-visit').innerText()).not.toContain('Stand at the door');
      await reviewerPage.screenshot({ path: `${SCREENSHOTS}/review-geopoint-signature.png`, fullPage: true });

      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    },
  );
});
