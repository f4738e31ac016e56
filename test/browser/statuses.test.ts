import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TONE_COLOURS } from '../../src/review/status-display.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { launchBrowser, SCREENSHOTS, signIn } from '../helpers/browser.js';

/** `#RRGGBB` as the `rgb(r, g, b)` a computed style reports. */
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

describe('statuses read and look the same everywhere in the panel', () => {
  let t: TestApp;
  let s: Survey;
  let admin: TestUser;
  let browser: Browser;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t);
    admin = await createUser(t.rt.pool, { role: 'admin' });
    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    const asReviewer = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);
    const post = async (i: number, draft = false) =>
      (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(i), draft })).body
        .data.id as string;
    ids.draft = await post(1, true);
    ids.submitted = await post(2);
    ids.rejected = await post(3);
    ids.approved = await post(4);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 3,
    );
    await asReviewer.post(`/submissions/${ids.rejected}/claim`);
    expect((await asReviewer.post(`/submissions/${ids.rejected}/reject`, { reason: 'Size is wrong' })).status).toBe(
      200,
    );
    await asReviewer.post(`/submissions/${ids.approved}/claim`);
    expect((await asReviewer.post(`/submissions/${ids.approved}/approve`)).status).toBe(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it(
    'colours each status from one mapping in the list, titles the page by what it lists, breaks no word',
    { timeout: 180_000 },
    async () => {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      page.setDefaultTimeout(60_000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, t.baseUrl, admin);
      await page.goto(`${t.baseUrl}/admin/resources/submissions`);
      await page.locator('.gb-status').first().waitFor();
      const cells = await page.locator('.gb-status').evaluateAll((els) =>
        els.map((el) => ({
          status: el.getAttribute('data-status'),
          tone: el.getAttribute('data-tone'),
          text: el.textContent,
          bg: getComputedStyle(el).backgroundColor,
        })),
      );
      const byText = (text: string) => cells.filter((c) => c.text === text);
      expect(byText('Rejected')[0]).toMatchObject({ status: 'rejected', tone: 'red', bg: rgb(TONE_COLOURS.red.bg) });
      expect(byText('Approved')[0]).toMatchObject({
        status: 'approved',
        tone: 'green',
        bg: rgb(TONE_COLOURS.green.bg),
      });
      expect(byText('In review')).toHaveLength(0);
      expect(byText('Submitted')[0]).toMatchObject({ tone: 'blue', bg: rgb(TONE_COLOURS.blue.bg) });
      expect(byText('Processed')[0]).toMatchObject({ tone: 'green' });
      // The draft: not "pending processing", and never the codes.
      expect(byText('Not sent (draft)')).toHaveLength(1);
      expect(byText('Processing pending')).toHaveLength(0);
      expect(cells.map((c) => c.text)).not.toContain('rejected');
      // Rejected and Processed no longer look alike.
      expect(rgb(TONE_COLOURS.red.bg)).not.toBe(rgb(TONE_COLOURS.green.bg));
      await page.screenshot({ path: `${SCREENSHOTS}/statuses-list.png`, fullPage: true });
      // The page is titled by what it lists, and no column breaks a word in two at 1440 px.
      expect(await page.locator('h2').first().textContent()).toMatch(/^Submissions/);
      // A line may break at a space or after a hyphen, never between two letters or digits.
      const broken = await page.locator('tbody td').evaluateAll((tds) => {
        const found: string[] = [];
        for (const td of tds) {
          const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
            const text = node.data;
            const whole = document.createRange();
            whole.selectNodeContents(node);
            if (new Set([...whole.getClientRects()].map((r) => Math.round(r.top))).size < 2) continue;
            let previousTop: number | null = null;
            for (let i = 0; i < text.length; i++) {
              const range = document.createRange();
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              const top = Math.round(range.getBoundingClientRect().top);
              if (previousTop !== null && top > previousTop && /\w/.test(text[i - 1]!) && /\w/.test(text[i]!))
                found.push(text);
              previousTop = top;
            }
          }
        }
        return found;
      });
      expect(broken).toEqual([]);
      expect(errors).toEqual([]);
    },
  );

  it('calls a draft unsent on its page, with the same badges', { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, t.baseUrl, admin);

    // The show page of the draft says so too.
    await page.goto(`${t.baseUrl}/admin/resources/submissions/records/${ids.draft}/show`);
    await page.locator('.gb-status', { hasText: 'Not sent (draft)' }).waitFor();
    expect(await page.locator('.gb-status', { hasText: 'Draft' }).first().getAttribute('data-tone')).toBe('grey');
    expect(errors).toEqual([]);
  });
});
