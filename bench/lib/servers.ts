import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildServer, isServerBuildFresh, SERVER_BUILD_DIR } from '../../src/ops/server-build.js';
import type { BenchDb } from './env.js';
import { childEnv } from './fixture.js';
import { freePort, ROOT, spawnNode, stopAll, waitForHttp, waitForOutput, type Child } from './procs.js';

export interface Server {
  child: Child;
  base: string;
  /** Milliseconds from spawn to the first 200 on its readiness URL. */
  readyMs: number;
}

export interface Entry {
  script: string;
  tsx: boolean;
  /** Flags for node itself (before the script). */
  nodeArgs?: string[];
}

let built: Promise<unknown> | undefined;
/**
 * A process as production runs it: the command of `npm run web` or `npm run worker` in
 * package.json (node, its flags, the build in dist/), the build made once per bench run if stale.
 */
export async function productEntry(name: 'web' | 'worker'): Promise<Entry> {
  built ??= isServerBuildFresh().then((fresh) => (fresh ? undefined : buildServer()));
  await built;
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [node, ...args] = pkg.scripts[name]!.split(/\s+/);
  const script = args.pop()!;
  if (node !== 'node' || !script.startsWith('dist/'))
    throw new Error(`npm run ${name} is not "node [flags] dist/...": ${pkg.scripts[name]}`);
  return { script: path.join(SERVER_BUILD_DIR, path.relative('dist', script)), tsx: false, nodeArgs: args };
}

/**
 * The real web process on a free port, ready when /readyz answers 200: the production build unless
 * `entry` says otherwise (the boot scenario also starts the sources under tsx, for comparison).
 */
export async function startWeb(
  db: BenchDb,
  name = 'web',
  extra: Record<string, string> = {},
  entry?: Entry,
): Promise<Server> {
  const { script, tsx, nodeArgs } = entry ?? (await productEntry('web'));
  const port = await freePort();
  const started = performance.now();
  // BENCH_WEB_NODE_OPTIONS: V8 flags for the web process only (what-ifs such as --max-old-space-size).
  const nodeOptions: Record<string, string> = process.env.BENCH_WEB_NODE_OPTIONS
    ? { NODE_OPTIONS: process.env.BENCH_WEB_NODE_OPTIONS }
    : {};
  const env = childEnv(db, { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...nodeOptions, ...extra });
  const child = spawnNode(name, script, env, { tsx, nodeArgs });
  try {
    await waitForHttp(child, `http://127.0.0.1:${port}/readyz`);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { child, base: `http://127.0.0.1:${port}`, readyMs: performance.now() - started };
}

/** The reference server (bench/reference/server.ts) on the same database, in its own tables. */
export async function startReference(db: BenchDb, name = 'reference'): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  const child = spawnNode(name, 'bench/reference/server.ts', { DATABASE_URL: db.url, PORT: String(port) });
  try {
    await waitForHttp(child, `http://127.0.0.1:${port}/`);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { child, base: `http://127.0.0.1:${port}`, readyMs: performance.now() - started };
}

export type WorkerChild = Child & { metricsUrl: string };

/**
 * `count` worker processes (`src/cli/worker.ts`) with the default settings, resolved once each has
 * started (LOG_LEVEL=info for its "worker started" line; a worker logs nothing per job at info).
 * Each serves /metrics on its own port (METRICS_PORT), read by batchStats(). They run the
 * production build, as `npm run worker` does.
 */
export async function startWorkers(
  db: BenchDb,
  count: number,
  extra: Record<string, string> = {},
): Promise<WorkerChild[]> {
  const children: WorkerChild[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const env = childEnv(db, { LOG_LEVEL: 'info', METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', ...extra });
    const { script, tsx, nodeArgs } = await productEntry('worker');
    const child = spawnNode(`worker${i + 1}`, script, env, { tsx, nodeArgs });
    children.push(Object.assign(child, { metricsUrl: `http://127.0.0.1:${port}/metrics` }));
  }
  try {
    await Promise.all(children.map((c) => waitForOutput(c, /worker started/)));
  } catch (error) {
    await stopAll(children);
    throw error;
  }
  return children;
}

/** Batches the workers ran, from their Prometheus metrics: how many, their mean size and transaction time. */
export async function batchStats(
  workers: WorkerChild[],
): Promise<{ batches: number; meanSize: number; meanMs: number }> {
  let batches = 0;
  let submissions = 0;
  let seconds = 0;
  for (const w of workers) {
    const text = await fetch(w.metricsUrl).then(
      (r) => r.text(),
      () => '',
    );
    const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
    batches += value('gridbook_processing_batch_size_count');
    submissions += value('gridbook_processing_batch_size_sum');
    seconds += value('gridbook_processing_batch_duration_seconds_sum');
  }
  return { batches, meanSize: submissions / Math.max(1, batches), meanMs: (seconds / Math.max(1, batches)) * 1000 };
}
