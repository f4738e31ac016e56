import type { JobsOptions, Queue } from 'bullmq';

export interface JobSpec {
  name: string;
  data: Record<string, unknown>;
  opts: JobsOptions & { jobId: string };
}

/**
 * Queues again the work PostgreSQL says is still open but Redis has no live job for (lost in a
 * flush or a crash between commit and queueing, or a job that finished without its result being
 * recorded). A job still waiting, delayed or running is left alone, so nothing runs twice at once.
 * Returns the ids queued again.
 */
export async function requeueLost(queue: Queue, ids: string[], spec: (id: string) => JobSpec): Promise<string[]> {
  if (ids.length === 0) return [];
  const specs = ids.map(spec);
  const states = await Promise.all(specs.map((s) => queue.getJobState(s.opts.jobId)));
  const lost: JobSpec[] = [];
  for (let i = 0; i < specs.length; i++) {
    const state = states[i];
    if (state === 'unknown') lost.push(specs[i]!);
    else if (state === 'failed' || state === 'completed') {
      await (await queue.getJob(specs[i]!.opts.jobId))?.remove();
      lost.push(specs[i]!);
    }
  }
  for (let i = 0; i < lost.length; i += 1000) await queue.addBulk(lost.slice(i, i + 1000));
  const queued = new Set(lost.map((s) => s.opts.jobId));
  return ids.filter((_id, i) => queued.has(specs[i]!.opts.jobId));
}
