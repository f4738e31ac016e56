import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createWebApp, type WebApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startWorker, type WorkerProcess } from '../../src/worker.js';
import type { BlobStore } from '../../src/files/storage.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TEST_REDIS_URL } from './test-env.js';

export interface TestContext {
  db: TestDatabase;
  config: Config;
  rt: Runtime;
  close(): Promise<void>;
}

/** Configuration for tests: fast bcrypt, quiet logs, this file's database and Redis prefix. */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    STORAGE_DIR: path.join(os.tmpdir(), `gridbook-test-${randomBytes(5).toString('hex')}`),
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `gbtest:${randomBytes(4).toString('hex')}`,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'silent',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    JWT_SECRET: randomBytes(32).toString('hex'),
    AUDIT_KEY: randomBytes(32).toString('hex'),
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    ...env,
  });
}

/** Deletes every Redis key under a prefix (BullMQ keys of one test file). */
export async function clearRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * A runtime on a fresh database (no HTTP server), or on `shared`'s database (a second node: it
 * does not drop the database when it closes).
 */
export async function setupRuntime(
  env: Record<string, string> = {},
  shared?: TestContext,
  options: { store?: (config: Config) => BlobStore; logger?: Logger } = {},
): Promise<TestContext> {
  const db = shared ? { ...shared.db, drop: async () => {} } : await createTestDatabase();
  const config = testConfig(db.runtimeUrl, {
    // The app logs in as the runtime role, as in production; the owner's login is for setup only.
    DATABASE_OWNER_URL: db.url,
    ...(shared
      ? {
          QUEUE_PREFIX: shared.config.queuePrefix,
          SESSION_SECRET: shared.rt.secrets.sessionSecret,
          JWT_SECRET: shared.rt.secrets.jwtSecret,
          STORAGE_DIR: shared.config.storageDir,
          AUDIT_KEY: shared.config.audit.key!,
        }
      : {}),
    ...env,
  });
  const rt = await createRuntime(config, {
    logger: options.logger ?? createLogger('silent'),
    poolSize: 10,
    store: options.store?.(config),
  });
  return {
    db,
    config,
    rt,
    close: async () => {
      await rt.close();
      if (!shared) {
        await clearRedisPrefix(config.redisUrl, config.queuePrefix);
        await rm(config.storageDir, { recursive: true, force: true });
      }
      await db.drop();
    },
  };
}

export interface TestApp extends TestContext {
  web: WebApp;
  baseUrl: string;
  server: http.Server;
  worker: WorkerProcess | null;
}

/** The web app on a random port, on a fresh database (or another app's: a second node); optionally the worker too. */
export async function setupApp(
  options: {
    env?: Record<string, string>;
    worker?: boolean;
    sharing?: TestContext;
    store?: (config: Config) => BlobStore;
    logger?: Logger;
  } = {},
): Promise<TestApp> {
  const ctx = await setupRuntime(options.env, options.sharing, { store: options.store, logger: options.logger });
  const web = await createWebApp(ctx.rt);
  const server = http.createServer(web.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const worker = options.worker ? await startWorker(ctx.rt) : null;
  return {
    ...ctx,
    web,
    server,
    worker,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await worker?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await web.close();
      await ctx.close();
    },
  };
}
