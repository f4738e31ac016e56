import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestUser } from './factories.js';

export const SCREENSHOTS = 'test-results/screenshots';

/** Debian's Chromium, headless, without the background traffic a closed network refuses. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Signs in through the login form and waits for the dashboard's URL. */
export async function signIn(page: Page, baseUrl: string, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  await page.goto(`${baseUrl}/admin/login`);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('form button');
  await page.waitForURL(`${baseUrl}/admin`);
}

/** A signed-in page of its own (its own session), collecting page errors; generous waits for a busy machine. */
export async function openAs(
  browser: Browser,
  baseUrl: string,
  user: Pick<TestUser, 'email' | 'password'>,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // The panel's bundles are large: on a busy machine the first load takes a while.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, baseUrl, user);
  return { page, errors };
}

/** A full-page screenshot under test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}
