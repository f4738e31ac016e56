import type { Queryable } from '../db/pool.js';
import type { WebhookEvent } from './webhooks.schema.js';

/** Notified (at commit) when deliveries were written: the workers' dispatcher queues them. */
export const WEBHOOK_CHANNEL = 'gridbook_webhook_deliveries';

export interface SubmissionEvent {
  submissionId: string;
  gridId: string;
  /** What the receivers get as `data`. */
  data: Record<string, unknown>;
}

/**
 * Writes one delivery per (event, webhook of the submission's grid listening to it), inside the
 * caller's transaction: the event and its deliveries commit together or not at all (the outbox
 * pattern), so a rolled-back change announces nothing and a committed one is never lost.
 * Returns how many deliveries were written.
 */
export async function recordWebhookEvents(
  tx: Queryable,
  event: WebhookEvent,
  items: SubmissionEvent[],
): Promise<number> {
  if (items.length === 0) return 0;
  const result = await tx.query(
    `INSERT INTO webhook_deliveries (webhook_id, grid_id, event, submission_id, payload)
     SELECT w.id, w.grid_id, $1, i.submission_id, i.data
       FROM jsonb_to_recordset($2::jsonb) AS i (submission_id bigint, grid_id bigint, data jsonb)
       JOIN webhooks w ON w.grid_id = i.grid_id AND w.active AND $1 = ANY (w.events)`,
    [event, JSON.stringify(items.map((i) => ({ submission_id: i.submissionId, grid_id: i.gridId, data: i.data })))],
  );
  const written = result.rowCount ?? 0;
  if (written > 0) await tx.query('SELECT pg_notify($1, $2)', [WEBHOOK_CHANNEL, event]);
  return written;
}

/** The `data` of a submission event: what happened to which submission. */
export function submissionEvent(
  s: { id: string; gridId: string; templateId: string; templateVersion: number },
  extra: Record<string, unknown> = {},
): SubmissionEvent {
  return {
    submissionId: s.id,
    gridId: s.gridId,
    data: {
      submission: {
        id: s.id,
        gridId: s.gridId,
        templateId: s.templateId,
        templateVersion: s.templateVersion,
        ...extra,
      },
    },
  };
}
