import type { Queue } from 'bullmq';
import type { Pool } from '../../src/db/pool.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Runtime } from '../../src/runtime.js';
import { createEnqueuer } from '../../src/submissions/enqueue.js';
import type { Fixture } from './fixture.js';
import { widePayload } from './template.js';

/**
 * `count` pending submissions inserted with one SQL statement (as if the API had stored them while
 * no worker ran), with `variants` distinct payloads, then queued with the app's own enqueuer.
 */
export async function seedBacklog(rt: Runtime, fixture: Fixture, count: number, variants = 16): Promise<string[]> {
  const payloads = Array.from({ length: variants }, (_, i) => JSON.stringify(widePayload(fixture.definition, i + 1)));
  await rt.pool.query(
    `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status, review_status, submitted_at)
     SELECT $1, 1, $2, $3, (($4::text[])[1 + g % $5])::jsonb, 0, 'submitted', now() FROM generate_series(1, $6) g`,
    [fixture.templateId, fixture.gridId, fixture.submitter.id, payloads, variants, count],
  );
  // Statistics as autovacuum would have them on a table filled over time.
  await rt.pool.query('VACUUM ANALYZE submissions');
  const ids = (
    await rt.pool.query<{ id: string }>('SELECT id FROM submissions WHERE processing_status = 0 ORDER BY id')
  ).rows.map((r) => r.id);
  await createEnqueuer(rt.queues.submissions, createLogger('silent'))(ids);
  return ids;
}

export interface Processed {
  pending: number;
  processed: number;
  failed: number;
  /** performance.now() of the poll that found none pending. */
  doneMs: number;
  timedOut: boolean;
}

/**
 * Waits until no submission is pending (or `timeoutMs`). The queue's counts are polled every 250 ms
 * (cheap Redis calls); PostgreSQL is asked only once the queue looks empty, because a count over
 * the pending index while a backlog is being worked off costs the database real time.
 */
export async function waitForProcessing(pool: Pool, queue: Queue, timeoutMs: number): Promise<Processed> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const jobs = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    const queued = Object.values(jobs).reduce((a, b) => a + b, 0);
    const timedOut = performance.now() > deadline;
    if (queued === 0 || timedOut) {
      const { rows } = await pool.query<{ pending: string }>(
        `SELECT count(*) AS pending FROM submissions WHERE processing_status = 0 AND review_status <> 'draft'`,
      );
      const doneMs = performance.now();
      const pending = Number(rows[0]!.pending);
      if (pending === 0 || timedOut) {
        const s = await pool.query<{ processed: string; failed: string }>(
          `SELECT count(*) FILTER (WHERE processing_status = 1) AS processed, count(*) FILTER (WHERE processing_status = 2) AS failed FROM submissions`,
        );
        return {
          pending,
          processed: Number(s.rows[0]!.processed),
          failed: Number(s.rows[0]!.failed),
          doneMs,
          timedOut,
        };
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
