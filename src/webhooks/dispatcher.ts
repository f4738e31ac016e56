import type { Queue } from 'bullmq';
import { listen, type Listener } from '../db/listener.js';
import type { Pool } from '../db/pool.js';
import { requeueLost, type JobSpec } from '../jobs/requeue.js';
import type { Logger } from '../observability/logger.js';
import type { DeliverySettings } from './delivery.js';
import { WEBHOOK_CHANNEL } from './outbox.js';

export const DELIVERY_JOB = 'deliver';
export const deliveryJobId = (id: string) => `whd-${id}`;

export function deliveryJob(id: string, settings: Pick<DeliverySettings, 'attempts' | 'backoffMs'>): JobSpec {
  return {
    name: DELIVERY_JOB,
    data: { deliveryId: id },
    opts: {
      jobId: deliveryJobId(id),
      attempts: settings.attempts,
      backoff: { type: 'exponential', delay: settings.backoffMs },
    },
  };
}

/**
 * Moves deliveries from the outbox table to the queue. Each worker process listens for the
 * outbox's notification (sent when a transaction that wrote deliveries commits) and queues what
 * is not queued yet; two workers queueing the same delivery add one job (the job id is the
 * delivery's), and a job that finds its delivery settled does nothing. The sweeper (a periodic
 * maintenance job, once per tick across workers) re-queues open deliveries whose job is gone.
 */
export class WebhookDispatcher {
  private listener: Listener | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly deps: {
      pool: Pool;
      queue: Queue;
      databaseUrl: string;
      settings: DeliverySettings;
      logger: Logger;
    },
  ) {}

  start(): void {
    this.listener = listen(
      this.deps.databaseUrl,
      WEBHOOK_CHANNEL,
      { name: 'gridbook-webhook-dispatcher', onNotify: () => this.kick(), onReconnect: () => this.kick() },
      this.deps.logger,
    );
    this.kick();
  }

  /** Queues what is waiting; calls while a pass runs coalesce into one more pass. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.dispatch()
      .catch((err) => this.deps.logger.warn({ err }, 'could not queue webhook deliveries; the sweeper will'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits for the pass in progress (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async dispatch(): Promise<void> {
    for (;;) {
      const ids = (
        await this.deps.pool.query<{ id: string }>(
          `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND queued_at IS NULL ORDER BY id LIMIT 1000`,
        )
      ).rows.map((r) => r.id);
      if (ids.length === 0) return;
      await this.deps.queue.addBulk(ids.map((id) => deliveryJob(id, this.deps.settings)));
      await this.deps.pool.query('UPDATE webhook_deliveries SET queued_at = now() WHERE id = ANY ($1::bigint[])', [
        ids,
      ]);
      if (ids.length < 1000) return;
    }
  }

  async close(): Promise<void> {
    await this.listener?.close();
    await this.idle();
  }
}

/**
 * Re-queues open deliveries (pending or retrying) whose next attempt is more than `graceSeconds`
 * overdue and whose job is gone (a Redis flush, a crash between commit and queueing).
 */
export async function sweepWebhookDeliveries(
  pool: Pool,
  queue: Queue,
  settings: DeliverySettings,
  graceSeconds: number,
): Promise<{ checked: number; queued: number }> {
  const open = await pool.query<{ id: string }>(
    `SELECT id FROM webhook_deliveries
      WHERE status IN ('pending', 'retrying') AND next_attempt_at < now() - make_interval(secs => $1)
      ORDER BY next_attempt_at LIMIT 5000`,
    [graceSeconds],
  );
  const ids = open.rows.map((r) => r.id);
  const queued = await requeueLost(queue, ids, (id) => deliveryJob(id, settings));
  if (queued.length)
    await pool.query('UPDATE webhook_deliveries SET queued_at = now() WHERE id = ANY ($1::bigint[])', [queued]);
  return { checked: ids.length, queued: queued.length };
}
