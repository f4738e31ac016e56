import http from 'node:http';
import https from 'node:https';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { signatureHeader, SIGNATURE_HEADER } from './signature.js';
import { BlockedTargetError, guardedLookup, urlProblem } from './target.js';

export interface DeliverySettings {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Attempts per delivery, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled for each one after. */
  backoffMs: number;
}

/** The wait before attempt n + 1 after n attempts (BullMQ's exponential backoff, same formula). */
export function retryDelayMs(backoffMs: number, attemptsMade: number): number {
  return Math.round(2 ** (attemptsMade - 1) * backoffMs);
}

const USER_AGENT = 'Gridbook-Webhooks/1.0';
/** Kept of a response body, to show in the admin panel. */
const KEPT_BODY = 1000;
/** Read of a response body at most; the rest is not waited for. */
const MAX_READ = 64 * 1024;

interface DeliveryRow {
  id: string;
  event: string;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
  created_at: Date;
  redelivery_of: string | null;
  url: string;
  secret: string;
  active: boolean;
}

interface HttpResult {
  status: number;
  body: string;
}

export type DeliveryOutcome = 'succeeded' | 'retrying' | 'failed' | 'skipped';

/**
 * Sends one webhook delivery: a signed JSON POST, no redirects followed, a 2xx answer within the
 * timeout counts as delivered. Each attempt is recorded on the delivery row (status, response
 * code and the start of the body, duration, error). A failed attempt throws so BullMQ retries it
 * with backoff, until the last one, which marks the delivery failed.
 *
 * The body is `{ id, event, createdAt, data }`; `id` is the event's id, the same across manual
 * redeliveries (receivers can use it to ignore duplicates), while the Gridbook-Delivery header
 * names each delivery.
 */
export class WebhookDeliverer {
  constructor(private readonly deps: { pool: Pool; settings: DeliverySettings; logger: Logger; metrics?: Metrics }) {}

  /**
   * One attempt. The attempts are counted on the delivery row, not the job, so a delivery whose
   * job was lost and queued again keeps its count.
   */
  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const { pool, settings } = this.deps;
    const row = (
      await pool.query<DeliveryRow>(
        `SELECT d.id, d.event, d.payload, d.status, d.attempts, d.created_at, d.redelivery_of, w.url, w.secret, w.active
           FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1`,
        [deliveryId],
      )
    ).rows[0];
    // Deleted with its webhook, or already settled (a duplicate job after a re-queue): nothing to do.
    if (!row || row.status === 'succeeded' || row.status === 'failed') return 'skipped';
    if (!row.active) {
      await this.record(deliveryId, {
        status: 'failed',
        error: 'the webhook is disabled',
        durationMs: null,
        response: null,
      });
      return 'failed';
    }

    const body = JSON.stringify({
      id: row.redelivery_of ?? row.id,
      event: row.event,
      createdAt: row.created_at.toISOString(),
      data: row.payload,
    });
    const started = performance.now();
    let response: HttpResult | null = null;
    let error: Error | null = null;
    try {
      response = await this.post(row.url, body, {
        'Gridbook-Event': row.event,
        'Gridbook-Delivery': row.id,
        [SIGNATURE_HEADER]: signatureHeader(row.secret, body),
      });
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    const durationMs = Math.round(performance.now() - started);
    const ok = response !== null && response.status >= 200 && response.status < 300;
    if (ok) {
      await this.record(deliveryId, { status: 'succeeded', error: null, durationMs, response });
      this.deps.metrics?.webhookDeliveries.inc({ outcome: 'succeeded' });
      return 'succeeded';
    }
    const reason = error ? error.message : `the receiver answered ${response!.status}`;
    const attempt = row.attempts + 1;
    const final = error instanceof BlockedTargetError || attempt >= settings.attempts;
    if (final) {
      await this.record(deliveryId, { status: 'failed', error: reason, durationMs, response });
      this.deps.metrics?.webhookDeliveries.inc({ outcome: 'failed' });
      this.deps.logger.warn({ deliveryId, attempts: attempt, reason }, 'webhook delivery failed for good');
      return 'failed';
    }
    await this.record(deliveryId, {
      status: 'retrying',
      error: reason,
      durationMs,
      response,
      retryInMs: retryDelayMs(settings.backoffMs, attempt),
    });
    this.deps.metrics?.webhookDeliveries.inc({ outcome: 'retrying' });
    throw new Error(`webhook delivery ${deliveryId}: ${reason}; retrying`);
  }

  private async record(
    id: string,
    r: {
      status: 'succeeded' | 'retrying' | 'failed';
      error: string | null;
      durationMs: number | null;
      response: HttpResult | null;
      retryInMs?: number;
    },
  ): Promise<void> {
    await this.deps.pool.query(
      `UPDATE webhook_deliveries
          SET status = $2, attempts = attempts + CASE WHEN $4::int IS NULL THEN 0 ELSE 1 END,
              last_error = $3, duration_ms = $4, response_code = $5, response_body = $6,
              next_attempt_at = CASE WHEN $7::int IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $7::int / 1000.0) END,
              delivered_at = CASE WHEN $2 = 'succeeded' THEN now() ELSE delivered_at END
        WHERE id = $1`,
      [id, r.status, r.error, r.durationMs, r.response?.status ?? null, r.response?.body ?? null, r.retryInMs ?? null],
    );
  }

  private post(url: string, body: string, headers: Record<string, string>): Promise<HttpResult> {
    const { timeoutMs, allowPrivate } = this.deps.settings;
    const problem = urlProblem(url, allowPrivate);
    if (problem) return Promise.reject(new BlockedTargetError(`the URL ${problem}`));
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<HttpResult>((resolve, reject) => {
      const req = client.request(
        target,
        {
          method: 'POST',
          lookup: guardedLookup(allowPrivate) as never,
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'User-Agent': USER_AGENT,
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read <= MAX_READ) chunks.push(chunk);
            else res.destroy();
          });
          const done = () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, KEPT_BODY) });
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      req.on('error', (err) => {
        if (err.name === 'AbortError' || (err as NodeJS.ErrnoException).code === 'ABORT_ERR')
          reject(new Error(`no answer within ${timeoutMs} ms`));
        else reject(err);
      });
      req.end(body);
    });
  }
}
