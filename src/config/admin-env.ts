/**
 * AdminJS reads two variables when its modules load, not when it is called, so the web entry points
 * call prepareAdminJs before they load the admin panel (with `await import`). The worker never loads
 * AdminJS at all (test/unit/worker-imports.test.ts).
 *
 * - ADMIN_JS_TMP_DIR: where the prebuilt bundle of our custom components lives. Not a dot folder:
 *   Express 5 refuses to serve files from dot folders (adminjs#1746).
 * - ADMIN_JS_SKIP_BUNDLE: in production, never bundle at start; `npm start` and the Dockerfile
 *   prebuild it (src/cli/admin-bundle.ts).
 *
 * Values already in the environment win.
 */
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';

export const ADMIN_BUNDLE_DIR = path.join(PROJECT_ROOT, 'build', 'adminjs');

export function prepareAdminJs(options: { production: boolean }): void {
  process.env.ADMIN_JS_TMP_DIR ??= ADMIN_BUNDLE_DIR;
  if (options.production) process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';
}
