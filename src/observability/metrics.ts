import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import { eventLoopDelayMetric } from './event-loop.js';

/**
 * Prometheus metrics of one process (its own registry: tests run several apps in one process).
 * Counters count what this process did; queue depths are read from Redis at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'gridbook_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly submissionsCreated = new Counter({
    name: 'gridbook_submissions_created_total',
    help: 'Submissions accepted by the API (drafts counted apart)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly submissionsProcessed = new Counter({
    name: 'gridbook_submissions_processed_total',
    help: 'Submissions projected into their typed tables',
    registers: [this.registry],
  });

  readonly submissionsFailed = new Counter({
    name: 'gridbook_submissions_failed_total',
    help: 'Submissions whose processing failed for good (a reason is recorded on each)',
    registers: [this.registry],
  });

  readonly processingDuration = new Histogram({
    name: 'gridbook_processing_batch_duration_seconds',
    help: 'Duration of one processing batch (one transaction)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly processingBatchSize = new Histogram({
    name: 'gridbook_processing_batch_size',
    help: 'Submissions per processing batch',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });

  readonly publishDuration = new Histogram({
    name: 'gridbook_publish_duration_seconds',
    help: 'Duration of template publishes (plan, checks, DDL, version), successful or refused',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly loginFailures = new Counter({
    name: 'gridbook_login_failures_total',
    help: 'Failed sign-ins by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'gridbook_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Event-loop delay, cumulative (see event-loop.ts); web and worker processes both export it. */
  readonly eventLoopDelay = eventLoopDelayMetric(this.registry);

  constructor(queues: Queue[] = []) {
    collectDefaultMetrics({ register: this.registry, prefix: 'gridbook_' });
    const registry = this.registry;
    new Gauge({
      name: 'gridbook_queue_jobs',
      help: 'Jobs in each queue by state (read from Redis when scraped)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        for (const queue of queues) {
          try {
            const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
            for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
          } catch {
            // Redis unreachable: the scrape still answers, without queue depths.
          }
        }
      },
    });
  }
}
