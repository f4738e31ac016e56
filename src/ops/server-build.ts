import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT, RUNNING_BUILD } from '../config/paths.js';

/**
 * The web and worker processes run from plain JavaScript in dist/, a file-for-file transpile of
 * src/ and admin/ (the admin components are not part of it: AdminJS bundles them for the browser,
 * see admin/bundle.ts). Running the TypeScript through tsx in production costs a loader thread,
 * about 170 MB of memory and a second of start-up (npm run bench -- boot). Tests and one-shot
 * commands still run the sources through tsx.
 */
export const SERVER_BUILD_DIR = path.join(PROJECT_ROOT, 'dist');
const FINGERPRINT_FILE = path.join(SERVER_BUILD_DIR, 'build.fingerprint');
const SOURCE_DIRS = ['src', 'admin'];
const NOT_SERVER_CODE = path.join(PROJECT_ROOT, 'admin', 'components');

async function serverSources(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of SOURCE_DIRS) {
    for (const entry of await readdir(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })) {
      const file = path.join(entry.parentPath, entry.name);
      if (entry.isFile() && file.endsWith('.ts') && !file.startsWith(NOT_SERVER_CODE + path.sep)) files.push(file);
    }
  }
  return files.sort();
}

/** A hash of every server source file (names and contents): the build is stale when it changes. */
export async function sourcesFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await serverSources())
    hash
      .update(path.relative(PROJECT_ROOT, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  return hash.digest('hex');
}

export async function isServerBuildFresh(): Promise<boolean> {
  try {
    return (await readFile(FINGERPRINT_FILE, 'utf8')).trim() === (await sourcesFingerprint());
  } catch {
    return false;
  }
}

/** Transpiles the server sources into dist/ (replacing what was there). */
export async function buildServer(): Promise<{ files: number; ms: number }> {
  const started = performance.now();
  const { build } = await import('esbuild');
  const files = await serverSources();
  const fingerprint = await sourcesFingerprint();
  await rm(SERVER_BUILD_DIR, { recursive: true, force: true });
  await mkdir(SERVER_BUILD_DIR, { recursive: true });
  await build({
    entryPoints: files,
    outdir: SERVER_BUILD_DIR,
    outbase: PROJECT_ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Linked maps: NODE_OPTIONS=--enable-source-maps gives stack traces in TypeScript lines.
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await writeFile(FINGERPRINT_FILE, `${fingerprint}\n`);
  return { files: files.length, ms: performance.now() - started };
}

/**
 * Why this process must not start, or null: it runs from dist/ and dist/ is older than the sources
 * beside it (a deploy that pulled new code without `npm run build`). A deployment that ships
 * dist/ without the sources is not checked.
 */
export async function staleBuildProblem(): Promise<string | null> {
  if (!RUNNING_BUILD || !existsSync(path.join(PROJECT_ROOT, 'src'))) return null;
  if (await isServerBuildFresh()) return null;
  return 'The server build in dist/ does not match the sources: run `npm run build` (npm start does it for you).';
}
