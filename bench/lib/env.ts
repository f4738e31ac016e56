import '../../src/config/admin-env.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config/config.js';
import { quoteIdent } from '../../src/db/identifiers.js';
import { applyMigrations } from '../../src/db/migrations.js';
import { connectionConfig } from '../../src/db/pool.js';
import { createLogger } from '../../src/observability/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';

/** The PostgreSQL server benchmarks create their databases on (dropped afterwards). */
export const BENCH_SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function urlFor(name: string): string {
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(connectionConfig(BENCH_SERVER_URL));
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

export interface BenchDb {
  name: string;
  url: string;
  config: Config;
  drop(): Promise<void>;
}

/** A fresh, migrated database with its own Redis prefix. */
export async function benchDatabase(label: string, env: Record<string, string> = {}): Promise<BenchDb> {
  const name = `gridbook_bench_${label}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const url = urlFor(name);
  await applyMigrations(url);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    REDIS_URL: BENCH_REDIS_URL,
    QUEUE_PREFIX: `gbbench:${randomBytes(3).toString('hex')}`,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'silent',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ...env,
  });
  return { name, url, config, drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => undefined) };
}

export async function benchRuntime(db: BenchDb): Promise<Runtime> {
  return createRuntime(db.config, { logger: createLogger('silent'), poolSize: 10 });
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}
