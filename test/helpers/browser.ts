import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { setupApp, type TestApp } from './app.js';
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

export interface BrowserApp {
  t: TestApp;
  browser: Browser;
}

/**
 * What a browser test file starts with: the screenshots folder, the app (`setupApp`'s options) and
 * Chromium. Close both with `closeAll(browser, t)`.
 */
export async function openBrowserApp(options: Parameters<typeof setupApp>[0] = {}): Promise<BrowserApp> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const t = await setupApp(options);
  try {
    return { t, browser: await launchBrowser() };
  } catch (e) {
    await t.close();
    throw e;
  }
}

/** Closes each in turn, passing over what a failed setup never made. */
export async function closeAll(...things: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  for (const thing of things) await thing?.close();
}

/**
 * A new page (`options`, a viewport for one) that collects its page errors, signed in as `user`
 * when one is given.
 */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  user: Pick<TestUser, 'email' | 'password'> | null,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage(options);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (user) await signIn(page, baseUrl, user);
  return { page, errors };
}

/** A signed-in page of its own (its own session), collecting page errors; generous waits for a busy machine. */
export async function openAs(
  browser: Browser,
  baseUrl: string,
  user: Pick<TestUser, 'email' | 'password'>,
): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, baseUrl, null, { viewport: { width: 1440, height: 1000 } });
  // The panel's bundles are large: on a busy machine the first load takes a while.
  opened.page.setDefaultTimeout(60_000);
  await signIn(opened.page, baseUrl, user);
  return opened;
}

/** A full-page screenshot under test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}
