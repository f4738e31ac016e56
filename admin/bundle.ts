import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { PROJECT_ROOT, RUNNING_BUILD } from '../src/config/paths.js';
import { componentsFingerprint } from './component-loader.js';

/**
 * The custom components are bundled ahead of time, in a child process (bundling sets NODE_ENV and
 * takes a few hundred MB that the server should not keep), and only when their sources changed.
 */
const bundleDir = () => process.env.ADMIN_JS_TMP_DIR!;
export const bundleFile = () => path.join(bundleDir(), 'bundle.js');
export const fingerprintFile = () => path.join(bundleDir(), 'bundle.fingerprint');

/** The installed AdminJS version (its package.json is not in its exports map: found by walking up). */
async function adminjsVersion(): Promise<string> {
  let dir = path.dirname(createRequire(import.meta.url).resolve('adminjs'));
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (pkg.name === 'adminjs') return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the adminjs package');
    dir = parent;
  }
}

/** The bundler's entry point, run the way this process runs: from the JavaScript build, or from its sources through tsx. */
const bundlerCommand = () =>
  RUNNING_BUILD
    ? [path.join(PROJECT_ROOT, 'dist/src/cli/admin-bundle.js')]
    : ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli/admin-bundle.ts')];

export async function currentFingerprint(): Promise<string> {
  return componentsFingerprint(await adminjsVersion());
}

export async function isBundleFresh(): Promise<boolean> {
  try {
    const [stored] = await Promise.all([readFile(fingerprintFile(), 'utf8'), readFile(bundleFile(), 'utf8')]);
    return stored.trim() === (await currentFingerprint());
  } catch {
    return false;
  }
}

/**
 * Builds the component bundle when missing or stale. Returns true if it built one.
 *
 * Several processes may start at once on a fresh clone (two test runs, `npm start` beside a test
 * run): they take turns under a lock on the bundle's folder (proper-lockfile: a lock directory
 * beside it, refreshed while held and taken over once stale, so a killed bundler does not block the
 * next start). Whoever waited finds the bundle fresh and does not build it again.
 */
export async function ensureAdminBundle(log: (message: string) => void = () => {}): Promise<boolean> {
  if (await isBundleFresh()) return false;
  await mkdir(bundleDir(), { recursive: true });
  const release = await lockfile.lock(bundleDir(), {
    lockfilePath: `${bundleDir()}.lock`,
    stale: 30_000,
    // Bundling takes up to a minute or two on a busy machine: wait for it, checking every second.
    retries: { retries: 300, minTimeout: 1000, maxTimeout: 1000, factor: 1 },
    onCompromised: (error) => log(`The admin bundle's lock was lost: ${error.message}`),
  });
  try {
    if (await isBundleFresh()) return false;
    log('Bundling admin components (once, after they change)...');
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, bundlerCommand(), {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, ADMIN_JS_TMP_DIR: bundleDir() },
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`admin bundling failed (exit code ${code})`)),
      );
    });
    log(`Admin components bundled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } finally {
    await release();
  }
}
