import { recordAudit } from '../audit/audit.service.js';
import { systemContext, type ServiceContext } from '../context.js';
import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Pool, PoolClient, Queryable } from '../db/pool.js';
import { isPgError } from '../db/pg-errors.js';
import { runSchemaDdl } from '../db/roles.js';
import { retryWhenLocked, withTransaction } from '../db/transaction.js';
import { ConflictError, NotFoundError } from '../errors/app-error.js';
import type { Logger } from '../observability/logger.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { createTemplateViews, dropTemplateViews } from './current-views.js';
import { FORMS_SCHEMA, type Naming } from './naming.js';
import { SCHEMA_CHANNEL } from './schema-listener.js';
import type { PlannedOnlineConversion } from './plan.js';
import { findTemplate, findVersion } from './templates.repository.js';

/**
 * Online type changes: what a publish starts on a big table (see PlannedOnlineConversion) and a
 * background job finishes.
 *
 * - The publish, in its short transaction, adds the shadow column and the trigger, and records a
 *   row in `schema_conversions`; then it enqueues the job (the maintenance sweeper enqueues again
 *   whatever is still `backfilling`, so a lost job or a dead worker only delays it).
 * - The job fills the shadow column in batches of `batchRows` rows by primary key, each batch its
 *   own transaction that also stores the last key done: killed at any point, it resumes after the
 *   last committed batch, and no row is converted twice by the backfill. Rows written meanwhile
 *   (new submissions, reprocessing) get the shadow value from the trigger, with the same expression.
 * - The swap: one short transaction with a `lock_timeout`, retried, that drops the trigger, renames
 *   the old column to its retired name and the shadow column to the live name, and recreates the
 *   template's views under current names. Until then everything reads the old column.
 * - Cancel drops the trigger and the shadow column (and a quarantine column this conversion added).
 *
 * The version published with the change is the current one from the publish on: answers are judged
 * against the new type, so each converts; they are stored in the old column (projection follows
 * the columns' actual types) and converted into the shadow column by the trigger.
 */

export interface ConversionSettings {
  /** Tables with at least this many rows convert online; smaller ones in one ALTER. */
  minRows: number;
  /** Rows per batch of the backfill. */
  batchRows: number;
  /** A pause between batches, leaving room to other writers. */
  pauseMs: number;
  /** The swap's `lock_timeout`, and how many times it is tried. */
  swapLockTimeoutMs: number;
  swapAttempts: number;
}

export const DEFAULT_CONVERSION_SETTINGS: ConversionSettings = {
  minRows: 10_000,
  batchRows: 5_000,
  pauseMs: 0,
  swapLockTimeoutMs: 500,
  swapAttempts: 20,
};

export type ConversionState = 'backfilling' | 'done' | 'cancelled' | 'failed';

interface ConversionRow {
  id: string;
  template_id: string;
  version: number;
  field: string;
  field_id: string;
  table_name: string;
  key_column: string;
  column_name: string;
  shadow_column: string;
  retired_column: string;
  quarantine_column: string | null;
  quarantine_added: boolean;
  trigger_name: string;
  from_type: string;
  target_type: string;
  on_failure: 'refuse' | 'null' | 'quarantine';
  set_sql: string;
  careful_set_sql: string | null;
  failing_sql: string | null;
  state: ConversionState;
  total_rows: string;
  rows_done: string;
  last_key: string | null;
  end_key: string | null;
  mapped_rows: string;
  unconverted_rows: string;
  late_unconverted_rows: string;
  batches: number;
  swap_attempts: number;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface ConversionView {
  id: string;
  templateId: string;
  version: number;
  field: string;
  table: string;
  column: string;
  fromType: string;
  targetType: string;
  onFailure: 'refuse' | 'null' | 'quarantine';
  quarantineColumn: string | null;
  state: ConversionState;
  totalRows: number;
  rowsDone: number;
  /** 0 to 1 (1 once done). */
  progress: number;
  batches: number;
  mappedRows: number;
  unconvertedRows: number;
  /** With `refuse`: rows written after the plan's checks whose value did not convert (kept in the retired column). */
  lateUnconvertedRows: number;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

function present(row: ConversionRow): ConversionView {
  const total = Number(row.total_rows);
  const done = Number(row.rows_done);
  return {
    id: row.id,
    templateId: row.template_id,
    version: row.version,
    field: row.field,
    table: row.table_name,
    column: row.column_name,
    fromType: row.from_type,
    targetType: row.target_type,
    onFailure: row.on_failure,
    quarantineColumn: row.quarantine_column,
    state: row.state,
    totalRows: total,
    rowsDone: done,
    progress: row.state === 'done' ? 1 : total > 0 ? Math.min(1, done / total) : 0,
    batches: row.batches,
    mappedRows: Number(row.mapped_rows),
    unconvertedRows: Number(row.unconverted_rows),
    lateUnconvertedRows: Number(row.late_unconverted_rows),
    error: row.error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at ? row.finished_at.toISOString() : null,
  };
}

/** Of the given tables, those with at least `minRows` rows (counted up to that, so the cost is bounded). */
export async function bigTables(
  db: Queryable,
  schema: string,
  tables: string[],
  minRows: number,
): Promise<Set<string>> {
  const big = new Set<string>();
  for (const table of tables) {
    const counted = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM ${qualifiedName(schema, table)} LIMIT $1) r`,
      [minRows],
    );
    if (Number(counted.rows[0]!.n) >= minRows) big.add(table);
  }
  return big;
}

/** Records the online conversions of a publish, in its transaction; returns their ids (to enqueue after commit). */
export async function recordConversions(
  tx: Queryable,
  input: {
    templateId: string;
    version: number;
    actorId: string | null;
    conversions: PlannedOnlineConversion[];
    counts: Map<string, { mappedRows: number; unconvertedRows: number }>;
  },
): Promise<string[]> {
  const ids: string[] = [];
  for (const c of input.conversions) {
    const counts = input.counts.get(c.field) ?? { mappedRows: 0, unconvertedRows: 0 };
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO schema_conversions (template_id, version, field, field_id, table_name, key_column, column_name, shadow_column, retired_column,
         quarantine_column, quarantine_added, trigger_name, from_type, target_type, on_failure, set_sql, careful_set_sql, failing_sql,
         mapped_rows, unconverted_rows, started_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`,
      [
        input.templateId,
        input.version,
        c.field,
        c.fieldId,
        c.table,
        c.keyColumn,
        c.column,
        c.shadow,
        c.retired,
        c.quarantineColumn ?? null,
        c.quarantineAdded,
        c.trigger,
        c.fromType,
        c.targetType,
        c.onFailure,
        c.setSql,
        c.carefulSetSql ?? null,
        c.failingSql ?? null,
        counts.mappedRows,
        counts.unconvertedRows,
        input.actorId,
      ],
    );
    ids.push(inserted.rows[0]!.id);
  }
  return ids;
}

/**
 * Whether a template has a conversion in progress, or one that failed and still has its column and
 * trigger (a publish waits for it to finish, or for a cancel).
 */
export async function runningConversion(
  db: Queryable,
  templateId: string,
): Promise<{ id: string; field: string; state: string } | null> {
  const found = await db.query<{ id: string; field: string; state: string }>(
    `SELECT id, field, state FROM schema_conversions WHERE template_id = $1 AND state IN ('backfilling', 'failed') ORDER BY id LIMIT 1`,
    [templateId],
  );
  return found.rows[0] ?? null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type RunOutcome = { state: ConversionState | 'missing'; batches: number };

export class ConversionService {
  private readonly settings: ConversionSettings;

  constructor(
    private readonly deps: {
      pool: Pool;
      settings?: Partial<ConversionSettings>;
      logger?: Logger;
      /** Queues the background job of a conversion (BullMQ; job id derived from the conversion's id). */
      enqueue?: (conversionId: string) => Promise<void>;
    },
  ) {
    this.settings = { ...DEFAULT_CONVERSION_SETTINGS, ...deps.settings };
  }

  get minRows(): number {
    return this.settings.minRows;
  }

  get swapLockTimeoutMs(): number {
    return this.settings.swapLockTimeoutMs;
  }

  /** Queues the jobs of conversions just recorded; a failure is left to the sweeper. */
  async enqueue(ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.deps
        .enqueue?.(id)
        .catch((err: unknown) =>
          this.deps.logger?.warn({ err, conversionId: id }, 'cannot queue a conversion; the sweeper will'),
        );
    }
  }

  /** Queues again every conversion still in progress (after a lost job, a flushed Redis); jobs are deduplicated by id. */
  async sweep(): Promise<number> {
    const found = await this.deps.pool.query<{ id: string }>(
      `SELECT id FROM schema_conversions WHERE state = 'backfilling' ORDER BY id`,
    );
    for (const row of found.rows) await this.deps.enqueue?.(row.id);
    return found.rows.length;
  }

  /** The conversions of a template, newest first, with their progress. */
  async list(ctx: ServiceContext, templateId: string): Promise<ConversionView[]> {
    await authorizeTemplate(this.deps.pool, ctx, templateId, 'publish');
    const rows = await this.deps.pool.query<ConversionRow>(
      `SELECT * FROM schema_conversions WHERE template_id = $1 ORDER BY id DESC LIMIT 100`,
      [templateId],
    );
    return rows.rows.map(present);
  }

  async get(id: string): Promise<ConversionView | null> {
    const rows = await this.deps.pool.query<ConversionRow>(`SELECT * FROM schema_conversions WHERE id = $1`, [id]);
    return rows.rows[0] ? present(rows.rows[0]) : null;
  }

  /**
   * The job: backfill batch after batch, then swap. Idempotent: a run after a crash (or a second
   * delivery) resumes from the last committed batch; a conversion no longer in progress is left alone.
   */
  async run(id: string): Promise<RunOutcome> {
    let batches = 0;
    for (;;) {
      const step = await this.batch(id);
      if (step.stop) return { state: step.state, batches };
      if (step.rows === 0) break;
      batches++;
      if (this.settings.pauseMs > 0) await sleep(this.settings.pauseMs);
    }
    return { state: await this.swap(id), batches };
  }

  /** One batch in its own transaction: the next `batchRows` keys after the last one done. */
  private async batch(
    id: string,
  ): Promise<{ stop: true; state: ConversionState | 'missing' } | { stop: false; rows: number }> {
    return withTransaction(
      this.deps.pool,
      async (tx) => {
        // The row lock orders a batch and a cancel (or a swap): one waits for the other.
        const found = await tx.query<ConversionRow>('SELECT * FROM schema_conversions WHERE id = $1 FOR UPDATE', [id]);
        const row = found.rows[0];
        if (!row) return { stop: true, state: 'missing' } as const;
        if (row.state !== 'backfilling') return { stop: true, state: row.state } as const;
        const table = qualifiedName(FORMS_SCHEMA, row.table_name);
        const key = quoteIdent(row.key_column);
        if (row.end_key === null) {
          // Where the backfill ends, and its size for the progress, once: the rows written from the
          // publish on come with the trigger's value (and the keys of new rows are greater).
          const total = await tx.query<{ n: string; end_key: string | null }>(
            `SELECT count(*) AS n, max(${key}) AS end_key FROM ${table}`,
          );
          row.end_key = total.rows[0]!.end_key ?? '0';
          await tx.query('UPDATE schema_conversions SET total_rows = $2, end_key = $3 WHERE id = $1', [
            id,
            total.rows[0]!.n,
            row.end_key,
          ]);
        }
        const run = (set: string, returning: string) =>
          tx.query<{ last: string | null; n: string; late: string }>(
            `WITH batch AS (SELECT ${key} AS batch_key FROM ${table} WHERE ($1::bigint IS NULL OR ${key} > $1) AND ${key} <= $3 ORDER BY ${key} LIMIT $2),
                  done AS (UPDATE ${table} SET ${set} FROM batch WHERE ${table}.${key} = batch.batch_key RETURNING ${returning} AS late)
             SELECT (SELECT max(batch_key) FROM batch) AS last, (SELECT count(*) FROM batch) AS n, (SELECT count(*) FROM done WHERE late) AS late`,
            [row.last_key, this.settings.batchRows, row.end_key],
          );
        let result;
        await tx.query('SAVEPOINT batch');
        try {
          result = await run(row.set_sql, 'false');
          await tx.query('RELEASE SAVEPOINT batch');
        } catch (error) {
          // `refuse`: every row passed the checks at publish; a value that fails here was written
          // after them. It is set to null in the new column, counted, and kept in the retired one.
          if (!row.careful_set_sql || !row.failing_sql || !isPgError(error) || !String(error.code).startsWith('22'))
            throw error;
          await tx.query('ROLLBACK TO SAVEPOINT batch');
          result = await run(row.careful_set_sql, `(${row.failing_sql})`);
        }
        const { last, n, late } = result.rows[0]!;
        const rows = Number(n);
        if (rows > 0) {
          await tx.query(
            `UPDATE schema_conversions SET last_key = $2, rows_done = rows_done + $3, late_unconverted_rows = late_unconverted_rows + $4,
                    batches = batches + 1, updated_at = now() WHERE id = $1`,
            [id, last, rows, late],
          );
        }
        return { stop: false, rows } as const;
      },
      { translateErrors: false },
    ).catch(async (error: unknown) => {
      // Transient failures (a lost connection) are thrown for BullMQ to retry; what the data refuses is recorded.
      if (isPgError(error) && /^(22|23|42)/.test(String(error.code))) {
        await this.fail(id, `${(error as Error).message}`);
        return { stop: true, state: 'failed' } as const;
      }
      throw error;
    });
  }

  private async fail(id: string, message: string): Promise<void> {
    await this.deps.pool.query(
      `UPDATE schema_conversions SET state = 'failed', error = $2, updated_at = now() WHERE id = $1 AND state = 'backfilling'`,
      [id, message],
    );
    this.deps.logger?.warn({ conversionId: id, error: message }, 'conversion failed');
  }

  /**
   * The swap, in one short transaction: the lock on the table is taken with a `lock_timeout`, so a
   * long reader delays the swap, not the writers queued behind it; tried again after a pause.
   */
  private async swap(id: string): Promise<ConversionState | 'missing'> {
    const swapOnce = (attempt: number) =>
      withTransaction(
        this.deps.pool,
        async (tx): Promise<ConversionState | 'missing'> => {
          await this.setLockTimeout(tx);
          const found = await tx.query<ConversionRow>('SELECT * FROM schema_conversions WHERE id = $1 FOR UPDATE', [
            id,
          ]);
          const row = found.rows[0];
          if (!row) return 'missing';
          if (row.state !== 'backfilling') return row.state;
          const table = qualifiedName(FORMS_SCHEMA, row.table_name);
          await this.endTrigger(tx, row, [
            `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(row.column_name)} TO ${quoteIdent(row.retired_column)}`,
            `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(row.shadow_column)} TO ${quoteIdent(row.column_name)}`,
          ]);
          const done = await tx.query<ConversionRow>(
            `UPDATE schema_conversions SET state = 'done', swap_attempts = $2, finished_at = now(), updated_at = now() WHERE id = $1 RETURNING *`,
            [id, attempt],
          );
          await this.audit(tx, systemContext(), 'template.conversion_finish', done.rows[0]!);
          await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, row.template_id]);
          return 'done';
        },
        { translateErrors: false },
      );
    try {
      return await retryWhenLocked(swapOnce, {
        attempts: this.settings.swapAttempts,
        onRetry: (attempt) =>
          this.deps.logger?.info({ conversionId: id, attempt }, 'swap waited too long for its lock; trying again'),
      });
    } catch (error) {
      // What the database refuses (a view it cannot create, a name taken) is recorded; lock waits and lost connections are tried again later.
      if (isPgError(error) && /^(22|23|42)/.test(String(error.code))) {
        await this.fail(id, `swap: ${(error as Error).message}`);
        return 'failed';
      }
      throw error;
    }
  }

  private async setLockTimeout(tx: PoolClient): Promise<void> {
    await tx.query(`SET LOCAL lock_timeout = ${Math.max(10, Math.round(this.settings.swapLockTimeoutMs))}`);
  }

  /**
   * Under the table's lock: drops the conversion's trigger and function, runs `ddl` on the table,
   * and makes the template's current-name views again over the columns as they then are.
   */
  private async endTrigger(tx: PoolClient, row: ConversionRow, ddl: string[]): Promise<void> {
    const table = qualifiedName(FORMS_SCHEMA, row.table_name);
    await tx.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const views = await dropTemplateViews(tx, row.template_id);
    await runSchemaDdl(tx, FORMS_SCHEMA, [
      `DROP TRIGGER IF EXISTS ${quoteIdent(row.trigger_name)} ON ${table}`,
      `DROP FUNCTION IF EXISTS ${qualifiedName(FORMS_SCHEMA, row.trigger_name)}()`,
      ...ddl,
    ]);
    if (views) await this.createViews(tx, row.template_id);
  }

  /** Stops a conversion in progress: its trigger and shadow column (and a quarantine column it added) are dropped. */
  async cancel(ctx: ServiceContext, templateId: string, conversionId: string): Promise<ConversionView> {
    if (!/^\d{1,18}$/.test(conversionId)) throw new NotFoundError('Conversion', conversionId);
    const cancelOnce = () =>
      withTransaction(
        this.deps.pool,
        async (tx) => {
          await authorizeTemplate(tx, ctx, templateId, 'publish');
          await this.setLockTimeout(tx);
          const found = await tx.query<ConversionRow>(
            'SELECT * FROM schema_conversions WHERE id = $1 AND template_id = $2 FOR UPDATE',
            [conversionId, templateId],
          );
          const row = found.rows[0];
          if (!row) throw new NotFoundError('Conversion', conversionId);
          if (row.state !== 'backfilling' && row.state !== 'failed') {
            throw new ConflictError(
              `Conversion ${conversionId} is ${row.state}: only one in progress (or failed) can be cancelled`,
            );
          }
          const table = qualifiedName(FORMS_SCHEMA, row.table_name);
          await this.endTrigger(tx, row, [
            `ALTER TABLE ${table} DROP COLUMN IF EXISTS ${quoteIdent(row.shadow_column)}` +
              (row.quarantine_added && row.quarantine_column
                ? `, DROP COLUMN IF EXISTS ${quoteIdent(row.quarantine_column)}`
                : ''),
          ]);
          const cancelled = await tx.query<ConversionRow>(
            `UPDATE schema_conversions SET state = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1 RETURNING *`,
            [conversionId],
          );
          await this.audit(tx, ctx, 'template.conversion_cancel', cancelled.rows[0]!);
          await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, row.template_id]);
          return present(cancelled.rows[0]!);
        },
        { translateErrors: false },
      );
    return retryWhenLocked(cancelOnce, { attempts: this.settings.swapAttempts });
  }

  /**
   * The template's views for its current version, over the columns as they are now: a quarantine
   * column a cancelled conversion dropped is left out.
   */
  private async createViews(tx: PoolClient, templateId: string): Promise<void> {
    const template = (await findTemplate(tx, templateId))!;
    const version = (await findVersion(tx, templateId, template.current_version!))!;
    const existing = await tx.query<{ table_name: string; column_name: string }>(
      `SELECT c.relname AS table_name, a.attname AS column_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped WHERE n.nspname = $1`,
      [version.naming.schema ?? FORMS_SCHEMA],
    );
    const has = new Set(existing.rows.map((r) => `${r.table_name}.${r.column_name}`));
    const strip = <T extends Naming['sections'][string]>(tables: Record<string, T>) =>
      Object.fromEntries(
        Object.entries(tables).map(([id, t]) => [
          id,
          {
            ...t,
            quarantine: Object.fromEntries(
              Object.entries(t.quarantine ?? {}).filter(([, column]) => has.has(`${t.name}.${column}`)),
            ),
          },
        ]),
      ) as Record<string, T>;
    const naming: Naming = {
      ...version.naming,
      sections: strip(version.naming.sections),
      tables: strip(version.naming.tables),
    };
    await createTemplateViews(tx, template, naming, version.definition);
  }

  private async audit(tx: PoolClient, ctx: ServiceContext, action: string, row: ConversionRow): Promise<void> {
    const grid = await tx.query<{ grid_id: string }>('SELECT grid_id FROM templates WHERE id = $1', [row.template_id]);
    const view = present(row);
    await recordAudit(tx, ctx, {
      action,
      entityType: 'template',
      entityId: row.template_id,
      gridId: grid.rows[0]?.grid_id ?? null,
      after: {
        conversion: view.id,
        version: view.version,
        field: view.field,
        from: view.fromType,
        to: view.targetType,
        onFailure: view.onFailure,
        state: view.state,
        rows: view.rowsDone,
        batches: view.batches,
        mappedRows: view.mappedRows,
        unconvertedRows: view.unconvertedRows,
        lateUnconvertedRows: view.lateUnconvertedRows,
        ...(row.state === 'done' ? { retiredColumn: row.retired_column } : {}),
      },
    });
  }
}
