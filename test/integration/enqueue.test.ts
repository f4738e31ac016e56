import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SUBMISSION_JOB, submissionJobId } from '../../src/jobs/queues.js';
import { createLogger } from '../../src/observability/logger.js';
import { createEnqueuer } from '../../src/submissions/enqueue.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Requests that finish together queue their submissions together: one addBulk, a job each. (Redis
 * down while queueing: test/faults/submissions-under-faults.test.ts.)
 */
describe('queueing submissions for processing', () => {
  let queue: Queue;
  beforeAll(() => {
    queue = new Queue('submissions', {
      connection: { url: REDIS_URL },
      prefix: `gbtest:enqueue:${randomBytes(4).toString('hex')}`,
    });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('sends what is queued in one turn of the event loop as one addBulk, one job per submission', async () => {
    const addBulk = vi.spyOn(queue, 'addBulk');
    const add = vi.spyOn(queue, 'add');
    const enqueue = createEnqueuer(queue, createLogger('silent'));
    await Promise.all([enqueue(['11']), enqueue(['12']), enqueue(['13', '14'])]);
    expect(addBulk).toHaveBeenCalledTimes(1);
    expect(add).not.toHaveBeenCalled();
    for (const id of ['11', '12', '13', '14']) {
      const job = await queue.getJob(submissionJobId(id));
      expect(job?.name, id).toBe(SUBMISSION_JOB);
      expect(job?.data).toEqual({ submissionId: id });
    }
    // A later turn is a new send; a lone submission goes by add.
    await enqueue(['15']);
    expect(add).toHaveBeenCalledTimes(1);
    expect((await queue.getJob(submissionJobId('15')))?.data).toEqual({ submissionId: '15' });
    // Queued again (a retry while its job waits): the job id keeps it single.
    await Promise.all([enqueue(['11']), enqueue(['16'])]);
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'active')).toBe(6);
  });
});
