import type { Queue } from 'bullmq';
import type { Logger } from '../observability/logger.js';
import { SUBMISSION_JOB, submissionJobId } from '../jobs/queues.js';

export type Enqueue = (submissionIds: string[]) => Promise<void>;

/**
 * Queues submissions for processing, after their transaction committed. Redis holds work, not
 * data: if it is unreachable the submissions stay pending in PostgreSQL and the sweeper queues
 * them later, so a failure here is logged and swallowed, never turned into a failed request.
 *
 * Submissions queued in the same turn of the event loop (requests that arrive together under
 * load) go to Redis together: one addBulk, one round trip, instead of one add each. Every caller
 * still waits until its submissions are queued (or the attempt failed and was logged). One job
 * per submission, its id the submission's, as before: the sweeper's and the worker's guarantees
 * are unchanged.
 */
export function createEnqueuer(queue: Queue, logger: Logger): Enqueue {
  const send = async (ids: string[]): Promise<void> => {
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      try {
        const jobs = chunk.map((id) => ({
          name: SUBMISSION_JOB,
          data: { submissionId: id },
          opts: { jobId: submissionJobId(id) },
        }));
        // One job goes without addBulk's transaction around it.
        if (jobs.length === 1) await queue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
        else await queue.addBulk(jobs);
      } catch (err) {
        logger.warn({ err, count: chunk.length }, 'could not queue submissions; the sweeper will queue them');
      }
    }
  };
  let gathering: { ids: string[]; sent: Promise<void> } | null = null;
  return (ids) => {
    if (!gathering) {
      const next = { ids: [] as string[], sent: Promise.resolve() };
      next.sent = new Promise<void>((resolve) =>
        setImmediate(() => {
          gathering = null;
          void send(next.ids).then(resolve);
        }),
      );
      gathering = next;
    }
    gathering.ids.push(...ids);
    return gathering.sent;
  };
}
