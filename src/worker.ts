import { Worker, type Job } from 'bullmq';
import { sealAll } from './audit/audit-chain.js';
import { MAINTENANCE_JOBS, QUEUES } from './jobs/queues.js';
import { createRedis } from './jobs/redis.js';
import type { Runtime } from './runtime.js';

export interface WorkerProcess {
  close(): Promise<void>;
}

/**
 * The worker's composition root: BullMQ processors over the same services the API uses. Periodic
 * jobs are job schedulers, so however many worker processes run, each tick runs once.
 */
export async function startWorker(rt: Runtime): Promise<WorkerProcess> {
  const { config, logger, pool } = rt;
  const connection = createRedis(config.redisUrl, 'worker');
  connection.on('error', (err) => logger.debug({ err }, 'worker redis connection error'));

  const maintenance = new Worker(
    QUEUES.maintenance,
    async (job: Job) => {
      switch (job.name) {
        case MAINTENANCE_JOBS.auditSeal: {
          const sealed = await sealAll(pool);
          if (sealed > 0) logger.debug({ jobId: job.id, sealed }, 'audit entries sealed');
          return { sealed };
        }
        case MAINTENANCE_JOBS.pruneLoginFailures: {
          const result = await pool.query(
            `DELETE FROM login_ip_failures WHERE window_start < now() - make_interval(mins => $1)`,
            [config.login.ipWindowMinutes],
          );
          return { pruned: result.rowCount };
        }
        default:
          throw new Error(`unknown maintenance job ${job.name}`);
      }
    },
    { connection, prefix: config.queuePrefix, concurrency: 1 },
  );
  maintenance.on('failed', (job, err) => logger.warn({ jobId: job?.id, err }, 'maintenance job failed'));
  maintenance.on('error', (err) => logger.debug({ err }, 'maintenance worker error'));

  await rt.queues.maintenance.upsertJobScheduler(
    MAINTENANCE_JOBS.auditSeal,
    { every: config.audit.sealIntervalMs },
    { name: MAINTENANCE_JOBS.auditSeal, opts: { removeOnComplete: true, removeOnFail: 50 } },
  );
  await rt.queues.maintenance.upsertJobScheduler(
    MAINTENANCE_JOBS.pruneLoginFailures,
    { every: 60 * 60 * 1000 },
    { name: MAINTENANCE_JOBS.pruneLoginFailures, opts: { removeOnComplete: true, removeOnFail: 50 } },
  );
  logger.info('worker started');

  return {
    close: async () => {
      // Waits for the running job; the next ones stay queued for another worker.
      await maintenance.close();
      connection.disconnect();
    },
  };
}
