import { Queue, type ConnectionOptions } from 'bullmq';

/** One map from queue to what it carries; every producer and worker takes names from here. */
export const QUEUES = {
  /** Periodic housekeeping: sealing the audit chain, pruning throttling rows. */
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const MAINTENANCE_JOBS = {
  auditSeal: 'audit-seal',
  pruneLoginFailures: 'prune-login-failures',
} as const;

export interface Queues {
  maintenance: Queue;
  all(): Queue[];
  close(): Promise<void>;
}

export function createQueues(
  connection: ConnectionOptions,
  prefix: string,
  onError: (error: Error) => void = () => {},
): Queues {
  const maintenance = new Queue(QUEUES.maintenance, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: 100 },
  });
  const all = () => [maintenance];
  // Connection errors while Redis is down are expected and retried; they must not crash the process.
  for (const queue of all()) queue.on('error', onError);
  return {
    maintenance,
    all,
    close: async () => {
      await Promise.all(all().map((q) => q.close()));
    },
  };
}
