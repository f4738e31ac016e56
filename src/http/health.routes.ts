import { Router } from 'express';
import type { Redis } from 'ioredis';
import { pendingMigrations } from '../db/migrations.js';
import type { Pool } from '../db/pool.js';

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

export async function checkReadiness(pool: Pool, redis: Redis): Promise<ReadinessCheck[]> {
  const postgres = withTimeout(pool.query('SELECT 1'), 2000, 'PostgreSQL').then(
    (): ReadinessCheck => ({ name: 'postgres', ok: true }),
    (e: Error): ReadinessCheck => ({ name: 'postgres', ok: false, detail: e.message }),
  );
  const redisCheck = withTimeout(redis.ping(), 2000, 'Redis').then(
    (): ReadinessCheck => ({ name: 'redis', ok: true }),
    (e: Error): ReadinessCheck => ({ name: 'redis', ok: false, detail: e.message }),
  );
  const migrations = withTimeout(pendingMigrations(pool), 2000, 'PostgreSQL').then(
    (pending): ReadinessCheck =>
      pending.length
        ? { name: 'migrations', ok: false, detail: `pending: ${pending.join(', ')}` }
        : { name: 'migrations', ok: true },
    (e: Error): ReadinessCheck => ({ name: 'migrations', ok: false, detail: e.message }),
  );
  return Promise.all([postgres, redisCheck, migrations]);
}

/** /healthz: the process is alive. /readyz: it can serve (PostgreSQL, Redis, migrations), and says what is not. */
export function healthRoutes(deps: { pool: Pool; redis: Redis; isDraining: () => boolean }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ success: true, data: { status: 'ok' } });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await checkReadiness(deps.pool, deps.redis);
    if (deps.isDraining()) checks.push({ name: 'shutdown', ok: false, detail: 'shutting down' });
    const ok = checks.every((c) => c.ok);
    res.status(ok ? 200 : 503).json(
      ok
        ? { success: true, data: { status: 'ready', checks } }
        : {
            success: false,
            error: {
              code: 'SERVICE_UNAVAILABLE',
              message: `Not ready: ${checks
                .filter((c) => !c.ok)
                .map((c) => `${c.name} (${c.detail})`)
                .join('; ')}`,
              details: checks.filter((c) => !c.ok).map((c) => ({ path: c.name, message: c.detail ?? 'failed' })),
            },
          },
    );
  });
  return router;
}
