/**
 * Prebuilds the bundle of the admin panel's custom components into ADMIN_JS_TMP_DIR (see
 * src/config/admin-env.ts). `npm start` runs it when the components changed; production images run
 * it at build time and serve it with ADMIN_JS_SKIP_BUNDLE=true.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { prepareAdminJs } from '../config/admin-env.js';

// AdminJS bundles (and minifies) only in production mode, and reads the mode when it loads.
process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_SKIP_BUNDLE = 'false';
prepareAdminJs({ production: true });

const { default: AdminJS } = await import('adminjs');
const { componentLoader } = await import('../../admin/component-loader.js');
const { currentFingerprint, fingerprintFile } = await import('../../admin/bundle.js');

await mkdir(process.env.ADMIN_JS_TMP_DIR!, { recursive: true });
const admin = new AdminJS({ componentLoader });
await admin.initialize();
await writeFile(fingerprintFile(), `${await currentFingerprint()}\n`);
