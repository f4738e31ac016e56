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
