import pg from 'pg';
import { connectionConfig } from '../../src/db/pool.js';

/**
 * A poor man's profiler for PostgreSQL (pg_stat_statements is not preloaded on the bench server):
 * every 20 ms, which statements of the database under test are running and what they wait on.
 * The share of samples a statement shows up in is the share of backend time it holds. Enabled by
 * BENCH_PG_SAMPLE=1; `stop()` prints the top statements.
 */
export async function pgSampler(url: string, database: string, label: string): Promise<{ stop(): Promise<void> }> {
  if (process.env.BENCH_PG_SAMPLE !== '1') return { stop: async () => {} };
  const client = new pg.Client(connectionConfig(url));
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ q: string; wait: string | null }>(
        `SELECT regexp_replace(left(query, 90), '\\s+', ' ', 'g') AS q, wait_event_type || ':' || wait_event AS wait
           FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
        [database],
      );
      samples++;
      for (const r of rows) {
        const key = `${r.wait ?? 'CPU'}  ${r.q}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end();
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      console.log(
        `    [pg sampler: ${label}] ${samples} samples, ${(total / Math.max(1, samples)).toFixed(1)} statements active ` +
          `on average; top (wait event, statement):`,
      );
      for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
        console.log(`      ${((n / Math.max(1, total)) * 100).toFixed(1).padStart(5)}%  ${key}`);
      }
    },
  };
}

export interface LockWaits {
  /** The longest any statement (DDL aside) waited for a lock, in ms, and what it was. */
  maxMs: number;
  statement: string | null;
  /** Distinct waits seen. */
  waits: number;
}

/**
 * Lock waits in the database under test, sampled every 20 ms from `pg_locks.waitstart` (PostgreSQL
 * 14+: when the backend began waiting) joined to `pg_stat_activity`: the longest wait any statement
 * saw, the DDL that causes waits (ALTER, LOCK, CREATE, DROP) left out. A wait shorter than the
 * sampling interval may be missed; a longer one is measured to within it.
 */
export async function lockWaitSampler(url: string, database: string): Promise<{ stop(): Promise<LockWaits> }> {
  const client = new pg.Client(connectionConfig(url));
  await client.connect();
  const waits = new Map<string, { ms: number; statement: string }>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ key: string; ms: number; q: string }>(
        `SELECT l.pid || ':' || l.waitstart AS key, extract(epoch FROM clock_timestamp() - l.waitstart) * 1000 AS ms,
                regexp_replace(left(a.query, 90), '\\s+', ' ', 'g') AS q
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE NOT l.granted AND l.waitstart IS NOT NULL AND a.datname = $1
            AND a.query !~* '^\\s*(ALTER|LOCK|CREATE|DROP)\\M'`,
        [database],
      );
      for (const r of rows) {
        const seen = waits.get(r.key);
        if (!seen || seen.ms < r.ms) waits.set(r.key, { ms: Number(r.ms), statement: r.q });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end();
      let worst: { ms: number; statement: string } | null = null;
      for (const w of waits.values()) if (!worst || w.ms > worst.ms) worst = w;
      return { maxMs: worst?.ms ?? 0, statement: worst?.statement ?? null, waits: waits.size };
    },
  };
}
