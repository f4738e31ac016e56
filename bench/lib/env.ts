import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config/config.js';
import { quoteIdent } from '../../src/db/identifiers.js';
import { applyMigrations } from '../../src/db/migrations.js';
import { connectionConfig } from '../../src/db/pool.js';
import { defaultRuntimeRole, formsRoleFor, prepareRoles } from '../../src/db/roles.js';
import { createLogger } from '../../src/observability/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';

/** The PostgreSQL server benchmarks create their databases on (dropped afterwards). */
export const BENCH_SERVER_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function urlFor(name: string): string {
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Runs `sql` as the bench database's owner (its URL's login). VACUUM and ANALYZE need it: run by
 * the runtime role they skip the table with a warning, and the planner keeps no statistics.
 */
export async function asOwner(db: { url: string }, sql: string): Promise<void> {
  const c = new pg.Client(connectionConfig(db.url));
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
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
  // The runtime login the web and worker processes use (derived from the database's name), as setup creates it.
  const owner = new pg.Client(connectionConfig(url));
  await owner.connect();
  try {
    await prepareRoles(owner, { runtimeRole: defaultRuntimeRole(name) });
  } finally {
    await owner.end();
  }
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
  const drop = async () => {
    await admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      for (const role of [defaultRuntimeRole(name), formsRoleFor(name)])
        await c.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => {});
    });
    await dropRedisKeys(config.queuePrefix);
  };
  return { name, url, config, drop };
}

/** Removes the queues a bench left in Redis (jobs still waiting, job schedulers, events). */
async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function benchRuntime(db: BenchDb): Promise<Runtime> {
  return createRuntime(db.config, { logger: createLogger('silent'), poolSize: 10 });
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

/** A positive number from the environment (scenario sizes and durations), or the fallback. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return value;
}
