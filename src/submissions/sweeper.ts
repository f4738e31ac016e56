import type { Queue } from 'bullmq';
import type { Queryable } from '../db/pool.js';
import { SUBMISSION_JOB, submissionJobId } from '../jobs/queues.js';
import { requeueLost } from '../jobs/requeue.js';

/**
 * Re-queues submissions left pending: PostgreSQL is the source of truth, Redis only holds work.
 * A crash between commit and enqueue, a Redis flush or restart, or a job that used up its retries
 * on a transient fault all leave a submission at processing_status 0 with no live job; the
 * sweeper finds those older than `afterSeconds` and queues them again. A submission whose job is
 * still waiting or running is left alone (the job id is the submission's), so nothing is doubled.
 */
export async function sweepPendingSubmissions(
  db: Queryable,
  queue: Queue,
  afterSeconds: number,
  limit = 5000,
): Promise<{ checked: number; queued: number }> {
  const pending = await db.query<{ id: string }>(
    `SELECT id FROM submissions
      WHERE processing_status = 0 AND review_status <> 'draft' AND updated_at < now() - make_interval(secs => $1)
      ORDER BY updated_at, id LIMIT $2`,
    [afterSeconds, limit],
  );
  const ids = pending.rows.map((r) => r.id);
  const queued = await requeueLost(queue, ids, (id) => ({
    name: SUBMISSION_JOB,
    data: { submissionId: id },
    opts: { jobId: submissionJobId(id) },
  }));
  return { checked: ids.length, queued: queued.length };
}
