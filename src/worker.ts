import { Worker, type Job, type WorkerOptions as QueueWorkerOptions } from 'bullmq';
import { sealAll } from './audit/audit-chain.js';
import { resolveAuditKeys, type AuditKeys } from './audit/audit-key.js';
import { Checkpointer } from './audit/checkpoints.js';
import { Batcher } from './jobs/batcher.js';
import { MAINTENANCE_JOBS, QUEUES } from './jobs/queues.js';
import { createRedis } from './jobs/redis.js';
import { withLogFields } from './observability/logger.js';
import type { Runtime } from './runtime.js';
import { ProcessingService, type Outcome } from './submissions/processing.service.js';
import { DEFAULT_STEPS, type ProcessingStep } from './submissions/steps.js';
import { sweepPendingSubmissions } from './submissions/sweeper.js';
import { WebhookDeliverer } from './webhooks/delivery.js';
import { sweepWebhookDeliveries, WebhookDispatcher } from './webhooks/dispatcher.js';

export interface WorkerProcess {
  processing: ProcessingService;
  webhooks: WebhookDispatcher;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Processing steps (src/submissions/steps.ts); the defaults otherwise. */
  steps?: ProcessingStep[];
}

/** The periodic jobs, by name: what each does. */
function maintenanceJobs(
  rt: Runtime,
  audit: { keys: AuditKeys; checkpointer: Checkpointer },
): Record<string, () => Promise<unknown>> {
  const { pool, config, logger } = rt;
  return {
    [MAINTENANCE_JOBS.auditSeal]: async () => {
      const sealed = await sealAll(pool, audit.keys);
      if (sealed > 0) logger.debug({ sealed }, 'audit entries sealed');
      // A signed checkpoint of the head in the file store, at most every AUDIT_CHECKPOINT_INTERVAL_MS.
      const checkpoint = await audit.checkpointer.afterSeal(sealed);
      return { sealed, checkpoint: checkpoint?.seq ?? null };
    },
    [MAINTENANCE_JOBS.sweepSubmissions]: async () => {
      const swept = await sweepPendingSubmissions(pool, rt.queues.submissions, config.worker.sweepAfterSeconds);
      if (swept.queued > 0) logger.info(swept, 'sweeper queued pending submissions');
      return swept;
    },
    [MAINTENANCE_JOBS.markOverdue]: async () => {
      const marked = await rt.services.followUps.markOverdue();
      if (marked.followUps || marked.submissions) logger.info(marked, 'overdue follow-ups and reviews flagged');
      return marked;
    },
    [MAINTENANCE_JOBS.filesCleanup]: async () => {
      const removed = await rt.services.files.cleanup();
      const exports = await rt.services.exports.cleanup();
      return {
        files: removed.files,
        blobs: removed.blobs.length,
        orphans: removed.orphans.length,
        staged: removed.staged,
        exports,
      };
    },
    [MAINTENANCE_JOBS.sweepWebhooks]: async () => {
      // A minute of grace past an attempt's due time before its job counts as lost.
      const swept = await sweepWebhookDeliveries(pool, rt.queues.webhooks, config.webhooks, 60);
      if (swept.queued > 0) logger.info(swept, 'sweeper queued webhook deliveries');
      return swept;
    },
    [MAINTENANCE_JOBS.purgeTemplateTrash]: async () => {
      const result = await rt.services.templateTrash.purgeExpired();
      if (result.purged.length) logger.info(result, 'templates purged from the trash');
      return result;
    },
    [MAINTENANCE_JOBS.sweepConversions]: async () => ({ queued: await rt.services.conversions.sweep() }),
    [MAINTENANCE_JOBS.pruneLoginFailures]: async () => {
      const result = await pool.query(
        `DELETE FROM login_ip_failures WHERE window_start < now() - make_interval(mins => $1)`,
        [config.login.ipWindowMinutes],
      );
      return { pruned: result.rowCount };
    },
  };
}

/**
 * The worker's composition root: BullMQ processors over the same services the API uses.
 * - submissions: jobs are collected into batches that share one transaction (see Batcher);
 * - maintenance: job schedulers for the audit sealer, the sweeper and housekeeping, so that
 *   however many worker processes run, each tick runs once.
 * Every log line of a job carries its job id. Shutdown waits for running jobs; jobs not started
 * stay queued for another worker.
 */
export async function startWorker(rt: Runtime, options: WorkerOptions = {}): Promise<WorkerProcess> {
  const { config, logger, pool } = rt;
  const connection = createRedis(config.redisUrl, 'worker');
  connection.on('error', (err) => logger.debug({ err }, 'worker redis connection error'));

  const processing = new ProcessingService({
    pool,
    catalog: rt.catalog,
    logger,
    steps: options.steps ?? DEFAULT_STEPS,
    metrics: rt.metrics,
  });
  const batcher = new Batcher<string, Outcome>((ids) => processing.processBatch(ids), {
    maxSize: config.worker.batchSize,
    maxWaitMs: config.worker.batchWaitMs,
    minSize: config.worker.batchMinSize,
    fillWaitMs: config.worker.batchFillWaitMs,
    maxInFlight: config.worker.batchesInFlight,
  });

  /**
   * A BullMQ worker on one of our queues: each job runs with its id in every log line; a failed
   * attempt is logged by `onFailed`, a worker error at debug level (Redis going away, retried).
   */
  const queueWorker = <Data>(
    queue: string,
    what: string,
    run: (job: Job<Data>) => Promise<unknown>,
    options: Omit<QueueWorkerOptions, 'connection' | 'prefix'>,
    onFailed: (job: Job<Data> | undefined, err: Error) => void,
  ) => {
    const worker = new Worker(queue, (job: Job<Data>) => withLogFields({ jobId: String(job.id) }, () => run(job)), {
      connection,
      prefix: config.queuePrefix,
      ...options,
    });
    worker.on('failed', onFailed);
    worker.on('error', (err) => logger.debug({ err }, `${what} worker error`));
    return worker;
  };

  const submissions = queueWorker<{ submissionId: string }>(
    QUEUES.submissions,
    'submissions',
    async (job) => {
      const outcome = await batcher.submit(String(job.data.submissionId));
      if (outcome.status === 'failed')
        logger.info({ submissionId: job.data.submissionId, reason: outcome.reason }, 'submission failed');
      return outcome;
    },
    {
      concurrency: config.worker.concurrency,
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.lockDurationMs,
    },
    (job, err) =>
      logger.warn(
        { jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
        'processing attempt failed; retrying with backoff',
      ),
  );

  const keys = await resolveAuditKeys(config, (m) => logger.warn(m));
  const checkpointer = new Checkpointer({
    pool,
    store: rt.store,
    keys,
    intervalMs: config.audit.checkpointIntervalMs,
    logger,
  });
  const jobs = maintenanceJobs(rt, { keys, checkpointer });
  const maintenance = queueWorker(
    QUEUES.maintenance,
    'maintenance',
    (job) => {
      const run = jobs[job.name];
      if (!run) throw new Error(`unknown maintenance job ${job.name}`);
      return run();
    },
    { concurrency: 1 },
    (job, err) => logger.warn({ jobId: job?.id, err }, 'maintenance job failed'),
  );

  const exportsWorker = queueWorker<{ exportId: string }>(
    QUEUES.exports,
    'exports',
    (job) => rt.services.exports.runJob(String(job.data.exportId)),
    { concurrency: 1, lockDuration: 5 * 60_000 },
    (job, err) => logger.warn({ jobId: job?.id, err: err.message }, 'export failed'),
  );

  // Compactions: one at a time per worker; the lock outlasts a batch (it is renewed while the job runs).
  const compactionsWorker = queueWorker<{ compactionId: string }>(
    QUEUES.compactions,
    'compactions',
    (job) => rt.services.compactions.run(String(job.data.compactionId)),
    { concurrency: 1, lockDuration: 5 * 60_000 },
    (job, err) => logger.warn({ jobId: job?.id, err: err.message }, 'compaction failed'),
  );
  // Online type changes: one job runs a conversion to its end (batches, then the swap). A worker that
  // dies leaves its job stalled: BullMQ hands it to another after the lock expires, and the
  // conversion resumes from its last committed batch.
  const conversionsWorker = queueWorker<{ conversionId: string }>(
    QUEUES.conversions,
    'conversions',
    async (job) => {
      const outcome = await rt.services.conversions.run(String(job.data.conversionId));
      logger.info({ conversionId: job.data.conversionId, ...outcome }, 'conversion job ended');
      return outcome;
    },
    {
      concurrency: 1,
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.lockDurationMs,
    },
    (job, err) => logger.warn({ jobId: job?.id, err: err.message }, 'conversion attempt failed; retrying'),
  );

  const deliverer = new WebhookDeliverer({ pool, settings: config.webhooks, logger, metrics: rt.metrics });
  const webhooksWorker = queueWorker<{ deliveryId: string }>(
    QUEUES.webhooks,
    'webhooks',
    (job) => deliverer.deliver(String(job.data.deliveryId)),
    { concurrency: config.webhooks.concurrency, lockDuration: config.webhooks.timeoutMs + 30_000 },
    (job, err) => logger.info({ jobId: job?.id, err: err.message }, 'webhook attempt failed'),
  );
  const dispatcher = new WebhookDispatcher({
    pool,
    queue: rt.queues.webhooks,
    databaseUrl: config.databaseUrl,
    settings: config.webhooks,
    logger,
  });
  dispatcher.start();

  const schedules: [string, number][] = [
    [MAINTENANCE_JOBS.auditSeal, config.audit.sealIntervalMs],
    [MAINTENANCE_JOBS.sweepSubmissions, config.worker.sweepIntervalMs],
    [MAINTENANCE_JOBS.markOverdue, config.review.overdueIntervalMs],
    [MAINTENANCE_JOBS.filesCleanup, config.files.cleanupIntervalMs],
    [MAINTENANCE_JOBS.sweepWebhooks, config.webhooks.sweepIntervalMs],
    [MAINTENANCE_JOBS.pruneLoginFailures, 60 * 60 * 1000],
    [MAINTENANCE_JOBS.purgeTemplateTrash, config.templates.trashPurgeIntervalMs],
    [MAINTENANCE_JOBS.sweepConversions, config.worker.sweepIntervalMs],
  ];
  const declareSchedules = async () => {
    for (const [name, every] of schedules) {
      await rt.queues.maintenance.upsertJobScheduler(
        name,
        { every },
        { name, opts: { removeOnComplete: true, removeOnFail: 50 } },
      );
    }
  };
  await declareSchedules();
  // Declared again now and then: job schedulers live in Redis and are lost if it is flushed.
  const refresh = setInterval(() => {
    declareSchedules().catch((err) => logger.debug({ err }, 'cannot declare job schedulers (Redis down?)'));
  }, config.worker.schedulerRefreshMs);
  refresh.unref();
  logger.info({ concurrency: config.worker.concurrency, batchSize: config.worker.batchSize }, 'worker started');

  return {
    processing,
    webhooks: dispatcher,
    close: async () => {
      clearInterval(refresh);
      await dispatcher.close();
      await Promise.all([
        submissions.close(),
        maintenance.close(),
        exportsWorker.close(),
        webhooksWorker.close(),
        compactionsWorker.close(),
        conversionsWorker.close(),
      ]);
      connection.disconnect();
    },
  };
}
