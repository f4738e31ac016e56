/**
 * AdminJS reads these variables when its modules load, so every entry point imports this module
 * before anything that imports adminjs (ES modules evaluate imports in order).
 *
 * - ADMIN_JS_TMP_DIR: where the prebuilt bundle of our custom components lives. Not a dot folder:
 *   Express 5 refuses to serve files from dot folders (adminjs#1746).
 * - ADMIN_JS_SKIP_BUNDLE: in production, never bundle at start; `npm start` and the Dockerfile
 *   prebuild it (src/cli/admin-bundle.ts).
 */
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';

export { PROJECT_ROOT };

process.env.ADMIN_JS_TMP_DIR ??= path.join(PROJECT_ROOT, 'build', 'adminjs');
if (process.env.NODE_ENV === 'production') process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';
