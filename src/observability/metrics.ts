import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import { eventLoopDelayMetric } from './event-loop.js';

/**
 * Prometheus metrics of one process (its own registry: tests run several apps in one process).
 * Counters count what this process did; queue depths are read from Redis at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();

  /** A counter in this process's registry. */
  private counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  /** A histogram in this process's registry, with its buckets. */
  private histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ) {
    return new Histogram<L>({ name, help, buckets, labelNames, registers: [this.registry] });
  }

  readonly httpDuration = this.histogram(
    'gridbook_http_request_duration_seconds',
    'HTTP request duration by route and status',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ['method', 'route', 'status'],
  );

  readonly submissionsCreated = this.counter(
    'gridbook_submissions_created_total',
    'Submissions accepted by the API (drafts counted apart)',
    ['kind'],
  );

  readonly submissionsProcessed = this.counter(
    'gridbook_submissions_processed_total',
    'Submissions projected into their typed tables',
  );

  readonly submissionsFailed = this.counter(
    'gridbook_submissions_failed_total',
    'Submissions whose processing failed for good (a reason is recorded on each)',
  );

  readonly processingDuration = this.histogram(
    'gridbook_processing_batch_duration_seconds',
    'Duration of one processing batch (one transaction)',
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );

  readonly processingBatchSize = this.histogram(
    'gridbook_processing_batch_size',
    'Submissions per processing batch',
    [1, 2, 5, 10, 20, 50, 100, 200, 500],
  );

  readonly publishDuration = this.histogram(
    'gridbook_publish_duration_seconds',
    'Duration of template publishes (plan, checks, DDL, version), successful or refused',
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ['outcome'],
  );

  readonly loginFailures = this.counter('gridbook_login_failures_total', 'Failed sign-ins by reason', ['reason']);

  readonly webhookDeliveries = this.counter(
    'gridbook_webhook_delivery_attempts_total',
    'Webhook delivery attempts by outcome (succeeded, retrying, failed)',
    ['outcome'],
  );

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
