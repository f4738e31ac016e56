import { recordAuditBatch } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool, PoolClient } from '../db/pool.js';
import { isPgError } from '../db/pg-errors.js';
import { withTransaction } from '../db/transaction.js';
import { ServiceUnavailableError, ValidationError } from '../errors/app-error.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { TemplateCatalog, TemplateLayout, VersionInfo } from '../templates/catalog.js';
import { columnLabel, columnOwner } from '../templates/field-types.js';
import { recordWebhookEvents, submissionEvent } from '../webhooks/outbox.js';
import {
  deleteProjection,
  insertProjectedRows,
  projectableInDatabase,
  projectInDatabase,
  projectPayload,
  type Payload,
  type ProjectedRows,
} from './projection.js';
import { runSteps, stepApplies, type ProcessingStep } from './steps.js';

/**
 * The worker's side of the submission flow: lock, and in ONE transaction replace the submission's
 * rows in the form tables, set processing_status = 1 and write the audit entry.
 *
 * A 202 is a promise: an answer is judged once, at the API, against its version (unique values
 * included: they are reserved there). The worker projects what was accepted and never judges it
 * again, so it never fails a submission for a validation reason. It fails one only for what
 * storage itself refuses (a value a column, or a constraint added to a form table, refuses), or
 * for a processing step that declares the answer unprocessable, and then with a reason a person
 * can act on.
 *
 * Work comes in batches (many jobs, one transaction, one INSERT per table). A batch whose
 * transaction fails on a row is retried one submission at a time, so the culprit is marked failed
 * with its reason and the others land. Failures that retrying cannot fix are recorded on the
 * submission (status 2); anything else (a lost connection, a deadlock) is thrown, and BullMQ
 * retries it with backoff.
 */

export type Outcome =
  { status: 'processed' } | { status: 'failed'; reason: string } | { status: 'skipped'; reason: string };

interface SubmissionRow {
  id: string;
  template_id: string;
  template_version: number;
  processing_status: number;
  review_status: string;
}

/** PostgreSQL errors about the data itself: retrying the same data cannot fix them. */
const PERMANENT_PG_CLASSES = ['22', '23'];
/** PostgreSQL's own errors, untranslated: their class tells a permanent failure from a retryable one. */
const RAW_ERRORS = { translateErrors: false } as const;

export class PermanentFailure extends Error {}

/**
 * What storage refused, for the person who reads the failed submission: which field (when
 * PostgreSQL names a column or a constraint of a form table), what it said, and what to do.
 * Duplicates of `unique` fields never get here: they are refused at the API.
 */
function describePgError(
  error: { code?: string; detail?: string; message?: string; column?: string; constraint?: string; table?: string },
  layout: TemplateLayout,
  version: VersionInfo,
): string {
  let field: string | null = null;
  for (const [sectionId, table] of layout.sections) {
    if (error.table && error.table !== table.name) continue;
    for (const [columnId, col] of Object.entries(table.naming.columns)) {
      if (col.name === error.column || (error.constraint && error.constraint.includes(col.name))) {
        // Labels in the form's default language (the rules hold the definition localized).
        const section = version.rules.definition.sections.find((s) => s.id === sectionId);
        const { fieldId, part } = columnOwner(columnId);
        const f = section?.fields.find((x) => x.id === fieldId);
        if (section && f)
          field = `${columnLabel(f.label, part)} (${section.key}.${f.key}${part ? `.${part.key}` : ''})`;
      }
    }
  }
  const said = [error.message, error.detail].filter(Boolean).join(': ');
  const where =
    field ??
    (error.constraint ? `constraint ${error.constraint}` : error.table ? `table ${error.table}` : 'a form table');
  return (
    `The database refused to store this answer in ${where}: ${said}. ` +
    'The answer itself was accepted and is kept: change what refuses it (a constraint or column added to the form table, ' +
    'or the template) and retry processing.'
  );
}

export class ProcessingService {
  constructor(
    private readonly deps: {
      pool: Pool;
      catalog: TemplateCatalog;
      logger: Logger;
      steps?: ProcessingStep[];
      metrics?: Metrics;
    },
  ) {}

  /** Processes a batch; returns an outcome per submission id. Throws only for transient failures. */
  async processBatch(ids: string[]): Promise<Map<string, Outcome>> {
    const started = performance.now();
    const outcomes = await this.processUnique([...new Set(ids)]);
    const metrics = this.deps.metrics;
    if (metrics) {
      metrics.processingDuration.observe((performance.now() - started) / 1000);
      metrics.processingBatchSize.observe(outcomes.size);
      for (const outcome of outcomes.values()) {
        if (outcome.status === 'processed') metrics.submissionsProcessed.inc();
        else if (outcome.status === 'failed') metrics.submissionsFailed.inc();
      }
    }
    return outcomes;
  }

  private async processUnique(unique: string[]): Promise<Map<string, Outcome>> {
    try {
      return await this.inTransaction(unique);
    } catch (error) {
      if (!(error instanceof PermanentFailure) || unique.length === 1) throw error;
      // One of them broke the batch: isolate it.
      const outcomes = new Map<string, Outcome>();
      for (const id of unique) {
        for (const [k, v] of await this.processUnique([id])) outcomes.set(k, v);
      }
      return outcomes;
    }
  }

  private async inTransaction(ids: string[]): Promise<Map<string, Outcome>> {
    try {
      return await withTransaction(this.deps.pool, (tx) => this.process(tx, ids), RAW_ERRORS);
    } catch (error) {
      if (error instanceof PermanentFailure) {
        if (ids.length === 1) return this.markFailed(ids[0]!, error.message);
        throw error;
      }
      if (isPgError(error) && error.code && !PERMANENT_PG_CLASSES.includes(error.code.slice(0, 2))) {
        throw new ServiceUnavailableError(`processing failed, will retry: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  private async process(tx: PoolClient, ids: string[]): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    // Locks the rows: a concurrent run of the same job (at-least-once delivery) waits, then skips.
    const result = await tx.query<SubmissionRow>(
      `SELECT id, template_id, template_version, processing_status, review_status
         FROM submissions WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    const found = new Set(result.rows.map((r) => r.id));
    for (const id of ids)
      if (!found.has(id)) outcomes.set(id, { status: 'skipped', reason: 'no such submission (deleted?)' });

    const byTemplate = new Map<string, SubmissionRow[]>();
    for (const row of result.rows) {
      if (row.processing_status !== 0) {
        outcomes.set(row.id, {
          status: 'skipped',
          reason: `already ${row.processing_status === 1 ? 'processed' : 'failed'}`,
        });
        continue;
      }
      if (row.review_status === 'draft') {
        outcomes.set(row.id, { status: 'skipped', reason: 'drafts are not processed' });
        continue;
      }
      const list = byTemplate.get(row.template_id) ?? [];
      list.push(row);
      byTemplate.set(row.template_id, list);
    }

    const processed: { id: string; templateId: string; gridId: string; version: number }[] = [];
    const failed: { id: string; reason: string; gridId: string; templateId: string; version: number }[] = [];
    for (const [templateId, rows] of byTemplate) {
      const layout = await this.deps.catalog.layout(templateId);
      // Where each submission's rows are built: by PostgreSQL from the stored payload (one
      // INSERT ... SELECT per table and version), or in Node when its version has conditions or a
      // processing step applies (see projectableInDatabase).
      const inDatabase = new Map<VersionInfo, string[]>();
      const inNode: SubmissionRow[] = [];
      for (const row of rows) {
        const version = await this.deps.catalog.version(templateId, row.template_version);
        const steps = (this.deps.steps ?? []).some((step) =>
          stepApplies(step, { templateId, definition: version.definition }),
        );
        if (!projectableInDatabase(version.definition, steps)) {
          inNode.push(row);
          continue;
        }
        const list = inDatabase.get(version) ?? [];
        list.push(row.id);
        inDatabase.set(version, list);
        processed.push({ id: row.id, templateId, gridId: version.gridId, version: row.template_version });
      }
      const projected: ProjectedRows = { byTable: new Map() };
      const ok = [...inDatabase.values()].flat();
      const payloads = await this.payloadsOf(
        tx,
        inNode.map((r) => r.id),
      );
      for (const row of inNode) {
        const version = await this.deps.catalog.version(templateId, row.template_version);
        try {
          // No validation here: the API judged this answer when it accepted it.
          const payload = await runSteps(this.deps.steps ?? [], {
            submissionId: row.id,
            templateId,
            payload: payloads.get(row.id) ?? {},
            definition: version.definition,
          });
          projectPayload(row.id, payload, version.definition, layout, projected);
          ok.push(row.id);
          processed.push({ id: row.id, templateId, gridId: version.gridId, version: row.template_version });
        } catch (error) {
          if (!(error instanceof ValidationError || error instanceof PermanentFailure)) throw error;
          const reason =
            error instanceof ValidationError ? `A processing step refused it: ${error.message}` : error.message;
          failed.push({ id: row.id, reason, gridId: version.gridId, templateId, version: row.template_version });
        }
      }
      if (ok.length === 0) continue;
      try {
        await deleteProjection(tx, layout, ok);
        await insertProjectedRows(tx, layout, projected);
        for (const [version, versionIds] of inDatabase)
          await projectInDatabase(tx, layout, version.definition, versionIds);
      } catch (error) {
        if (isPgError(error) && error.code && PERMANENT_PG_CLASSES.includes(error.code.slice(0, 2))) {
          const version = await this.deps.catalog.version(templateId, rows[0]!.template_version);
          throw new PermanentFailure(describePgError(error, layout, version));
        }
        throw error;
      }
    }

    if (processed.length) {
      await tx.query(
        `UPDATE submissions SET processing_status = 1, processing_error = NULL, processed_at = now(),
                processing_attempts = processing_attempts + 1 WHERE id = ANY ($1::bigint[])`,
        [processed.map((p) => p.id)],
      );
    }
    for (const f of failed) {
      await tx.query(
        `UPDATE submissions SET processing_status = 2, processing_error = $2, processing_attempts = processing_attempts + 1 WHERE id = $1`,
        [f.id, f.reason],
      );
    }
    await announce(tx, processed, failed);
    await recordAuditBatch(tx, WORKER_CONTEXT, [
      ...processed.map((p) => ({
        action: 'submission.processed',
        entityType: 'submission',
        entityId: p.id,
        gridId: p.gridId,
        after: { processingStatus: 1, version: p.version },
      })),
      ...failed.map((f) => ({
        action: 'submission.processing_failed',
        entityType: 'submission',
        entityId: f.id,
        gridId: f.gridId,
        after: { processingStatus: 2, error: f.reason },
      })),
    ]);
    for (const p of processed) outcomes.set(p.id, { status: 'processed' });
    for (const f of failed) outcomes.set(f.id, { status: 'failed', reason: f.reason });
    return outcomes;
  }

  /** The stored payloads of submissions whose rows are built in Node (already locked by the caller). */
  private async payloadsOf(tx: PoolClient, ids: string[]): Promise<Map<string, Payload>> {
    if (ids.length === 0) return new Map();
    const result = await tx.query<{ id: string; payload: Payload }>(
      'SELECT id, payload FROM submissions WHERE id = ANY ($1::bigint[])',
      [ids],
    );
    return new Map(result.rows.map((r) => [r.id, r.payload]));
  }

  /** Records a permanent failure on its own (the projection transaction was rolled back). */
  private markFailed(id: string, reason: string): Promise<Map<string, Outcome>> {
    return withTransaction(
      this.deps.pool,
      async (client) => {
        const row = await client.query<{
          grid_id: string;
          template_id: string;
          template_version: number;
          processing_status: number;
        }>(
          'SELECT grid_id, template_id, template_version, processing_status FROM submissions WHERE id = $1 FOR UPDATE',
          [id],
        );
        if (row.rows[0]?.processing_status === 0) {
          const { grid_id: gridId, template_id: templateId, template_version: version } = row.rows[0];
          await announce(client, [], [{ id, gridId, templateId, version, reason }]);
          await client.query(
            'UPDATE submissions SET processing_status = 2, processing_error = $2, processing_attempts = processing_attempts + 1 WHERE id = $1',
            [id, reason],
          );
          await recordAuditBatch(client, WORKER_CONTEXT, [
            {
              action: 'submission.processing_failed',
              entityType: 'submission',
              entityId: id,
              gridId,
              after: { processingStatus: 2, error: reason },
            },
          ]);
        }
        return new Map<string, Outcome>([[id, { status: 'failed', reason }]]);
      },
      RAW_ERRORS,
    );
  }
}

/** Webhook deliveries for the outcomes, in the same transaction (see webhooks/outbox.ts). */
async function announce(
  tx: PoolClient,
  processed: { id: string; gridId: string; templateId: string; version: number }[],
  failed: { id: string; gridId: string; templateId: string; version: number; reason: string }[],
): Promise<void> {
  const event = (
    s: { id: string; gridId: string; templateId: string; version: number },
    extra: Record<string, unknown>,
  ) => submissionEvent({ id: s.id, gridId: s.gridId, templateId: s.templateId, templateVersion: s.version }, extra);
  await recordWebhookEvents(
    tx,
    'submission.processed',
    processed.map((p) => event(p, { processingStatus: 'processed' })),
  );
  await recordWebhookEvents(
    tx,
    'submission.failed',
    failed.map((f) => event(f, { processingStatus: 'failed', error: f.reason })),
  );
}

/** The worker acts as the system; its audit entries name no user. */
const WORKER_CONTEXT: ServiceContext = { actor: null, requestId: null, ip: null };
