import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';

/** One map from queue to what it carries; every producer and worker takes names from here. */
export const QUEUES = {
  /** Periodic housekeeping: sealing the audit chain, sweeping pending submissions, pruning. */
  maintenance: 'maintenance',
  /** One job per submission to project into the typed tables (job id: submissionJobId(id)). */
  submissions: 'submissions',
  /** Background exports (job id: export-<id>). */
  exports: 'exports',
  /** Webhook deliveries, one job per delivery (job id: whd-<id>; attempts and backoff set per job). */
  webhooks: 'webhooks',
  /** Compactions of form data tables (job id: compact-<id>), src/templates/compaction.ts. */
  compactions: 'compactions',
  /** Online type changes, one job per conversion (job id: conversionJobId(id)). */
  conversions: 'conversions',
} as const;

/** The job id of an online type change: one job per conversion at a time. */
export const conversionJobId = (conversionId: string) => `conv-${conversionId}`;

export const SUBMISSION_JOB = 'process';

/**
 * The BullMQ job id of a submission: derived from its id, so a submission is queued at most once
 * at a time (BullMQ ignores an add whose id exists). BullMQ refuses integer custom ids, hence the
 * prefix.
 */
export const submissionJobId = (submissionId: string) => `sub-${submissionId}`;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const MAINTENANCE_JOBS = {
  auditSeal: 'audit-seal',
  pruneLoginFailures: 'prune-login-failures',
  sweepSubmissions: 'sweep-submissions',
  markOverdue: 'mark-overdue',
  filesCleanup: 'files-cleanup',
  sweepWebhooks: 'sweep-webhooks',
  purgeTemplateTrash: 'purge-template-trash',
  sweepConversions: 'sweep-conversions',
} as const;

export interface Queues {
  maintenance: Queue;
  submissions: Queue;
  exports: Queue;
  webhooks: Queue;
  compactions: Queue;
  conversions: Queue;
  all(): Queue[];
  close(): Promise<void>;
}

/** Retries per queue: `attempts` with exponential backoff from `delay` ms; what Redis keeps after. */
const retried = (attempts: number, delay: number, removeOnFail: number | boolean): DefaultJobOptions => ({
  attempts,
  backoff: { type: 'exponential', delay },
  removeOnComplete: true,
  removeOnFail,
});

/** Each queue's default job options, in one table. */
const JOB_OPTIONS: Record<keyof typeof QUEUES, DefaultJobOptions> = {
  maintenance: { removeOnComplete: true, removeOnFail: 100 },
  submissions: retried(8, 1000, 1000),
  exports: retried(3, 5000, 100),
  // PostgreSQL keeps each delivery's outcome; Redis keeps nothing once a job is done.
  webhooks: { removeOnComplete: true, removeOnFail: true },
  // A compaction resumes where it stopped: a few attempts, spaced (a swap waits for its lock).
  compactions: retried(5, 10_000, 100),
  // PostgreSQL keeps a conversion's progress; a failed attempt is retried (it resumes from its last batch).
  conversions: retried(10, 5000, true),
};

export function createQueues(
  connection: ConnectionOptions,
  prefix: string,
  onError: (error: Error) => void = () => {},
): Queues {
  const queue = (name: keyof typeof QUEUES) =>
    new Queue(QUEUES[name], { connection, prefix, defaultJobOptions: JOB_OPTIONS[name] });
  const maintenance = queue('maintenance');
  const submissions = queue('submissions');
  const exports = queue('exports');
  const webhooks = queue('webhooks');
  const compactions = queue('compactions');
  const conversions = queue('conversions');
  const all = () => [maintenance, submissions, exports, webhooks, compactions, conversions];
  // Connection errors while Redis is down are expected and retried; they must not crash the process.
  for (const q of all()) q.on('error', onError);
  return {
    maintenance,
    submissions,
    exports,
    webhooks,
    compactions,
    conversions,
    all,
    close: async () => {
      await Promise.all(all().map((q) => q.close()));
    },
  };
}
