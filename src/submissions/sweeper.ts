import type { Queue } from 'bullmq';
import type { Queryable } from '../db/pool.js';
import { SUBMISSION_JOB, submissionJobId } from '../jobs/queues.js';

/**
 * Re-queues submissions left pending: PostgreSQL is the source of truth, Redis only holds work.
 * A crash between commit and enqueue, a Redis flush or restart, or a job that used up its retries
 * on a transient fault all leave a submission at processing_status 0 with no live job; the
 * sweeper finds those older than `afterSeconds` and queues them again. A submission whose job is
 * still waiting or running is left alone (the job id is the submission's), so nothing is doubled.
 */
export async function sweepPendingSubmissions(db: Queryable, queue: Queue, afterSeconds: number, limit = 5000): Promise<{ checked: number; queued: number }> {
  const pending = await db.query<{ id: string }>(
    `SELECT id FROM submissions
      WHERE processing_status = 0 AND review_status <> 'draft' AND updated_at < now() - make_interval(secs => $1)
      ORDER BY updated_at, id LIMIT $2`,
    [afterSeconds, limit],
  );
  const ids = pending.rows.map((r) => r.id);
  if (ids.length === 0) return { checked: 0, queued: 0 };
  const states = await Promise.all(ids.map((id) => queue.getJobState(submissionJobId(id))));
  const requeue: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const state = states[i];
    if (state === 'unknown') requeue.push(ids[i]!);
    else if (state === 'failed' || state === 'completed') {
      // A finished job whose submission is still pending (a retry exhausted, a lost result): replace it.
      await (await queue.getJob(submissionJobId(ids[i]!)))?.remove();
      requeue.push(ids[i]!);
    }
  }
  for (let i = 0; i < requeue.length; i += 1000) {
    await queue.addBulk(
      requeue.slice(i, i + 1000).map((id) => ({ name: SUBMISSION_JOB, data: { submissionId: id }, opts: { jobId: submissionJobId(id) } })),
    );
  }
  return { checked: ids.length, queued: requeue.length };
}
