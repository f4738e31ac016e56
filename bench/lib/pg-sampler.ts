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
      console.log(`    [pg sampler: ${label}] ${samples} samples, ${(total / Math.max(1, samples)).toFixed(1)} statements active on average; top (wait event, statement):`);
      for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
        console.log(`      ${((n / Math.max(1, total)) * 100).toFixed(1).padStart(5)}%  ${key}`);
      }
    },
  };
}
