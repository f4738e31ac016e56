import { recordAudit } from '../audit/audit.service.js';
import { SYSTEM_CONTEXT, type ServiceContext } from '../context.js';
import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Pool, PoolClient, Queryable } from '../db/pool.js';
import { runSchemaDdl } from '../db/roles.js';
import { DEADLOCK_DETECTED, LOCK_NOT_AVAILABLE, retryWhenLocked, withTransaction } from '../db/transaction.js';
import { ConflictError, NotFoundError } from '../errors/app-error.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { createCurrentViews, dropTemplateViews } from './current-views.js';
import { fitName, SYSTEM_COLUMNS, type Naming } from './naming.js';
import { SCHEMA_CHANNEL } from './publish.service.js';
import { findTemplate, findVersion } from './templates.repository.js';

/**
 * Compaction: a form data table rewritten online to give back the slots of its dropped columns
 * (PostgreSQL counts them against its 1,600 until the table is rewritten; budget.ts). A job of the
 * worker, in steps, each resumable after a crash:
 *
 * 1. prepare (one short transaction): a new table `LIKE` the old one (live and retired columns
 *    only, defaults, identity, CHECK and NOT NULL constraints; no indexes yet), a log table, and a
 *    trigger on the old table that logs the submission of every row written from then on;
 * 2. copy in batches by primary key, each batch its own transaction (progress in table_compactions);
 *    the old table's indexes made again on the new one;
 * 3. catch up, without a lock: the logged submissions' rows replaced in the new table, until few are left;
 * 4. swap (one short transaction, ACCESS EXCLUSIVE on the old table, lock_timeout bounded): the
 *    last logged rows, the views under current names dropped, the old table dropped, the new one
 *    renamed, its indexes given the old names and bound to the old constraints, foreign keys added
 *    NOT VALID (validated after the commit, without blocking writers), grants and views made again.
 *
 * A publish or a purge that changes the table meanwhile makes the swap refuse (the columns differ):
 * the new table is dropped and the old one stays as it was; nothing is lost.
 */

export const COMPACTION_BATCH = 5000;
/** Catch-up rounds stop when fewer logged submissions than this are left: the swap takes the rest under its lock. */
const SWAP_THRESHOLD = 500;
const SWAP_LOCK_TIMEOUT_MS = 5000;
const SWAP_ATTEMPTS = 5;
/** lock_not_available (lock_timeout), deadlock_detected: the swap rolled back whole and may run again. */
const RETRYABLE = [LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED];

export type CompactionStatus = 'queued' | 'copying' | 'swapping' | 'done' | 'failed';

export interface CompactionView {
  id: string;
  templateId: string;
  table: string;
  status: CompactionStatus;
  rowsTotal: number | null;
  rowsCopied: number;
  slotsBefore: number | null;
  slotsAfter: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface CompactionRow {
  id: string;
  template_id: string;
  table_name: string;
  status: CompactionStatus;
  rows_total: string | null;
  rows_copied: string;
  slots_before: number | null;
  slots_after: number | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toView = (r: CompactionRow): CompactionView => ({
  id: r.id,
  templateId: r.template_id,
  table: r.table_name,
  status: r.status,
  rowsTotal: r.rows_total === null ? null : Number(r.rows_total),
  rowsCopied: Number(r.rows_copied),
  slotsBefore: r.slots_before,
  slotsAfter: r.slots_after,
  error: r.error,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

/** The helper objects of a compaction, named by the naming module's rules (fitted to 63 bytes). */
function helperNames(table: string) {
  return {
    next: fitName(`${table}__compact`, `${table}:compact`),
    log: fitName(`${table}__compact_log`, `${table}:compact_log`),
    fn: fitName(`${table}__compact_fn`, `${table}:compact_fn`),
    trigger: fitName(`${table}__compact_trg`, `${table}:compact_trg`),
  };
}

/** The slots a table uses: pg_attribute rows with attnum > 0, dropped ones included. */
export async function slotsOf(db: Queryable, schema: string, table: string): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0`,
    [schema, table],
  );
  return r.rows[0]!.n;
}

/** Live (not dropped) columns, in order. */
async function liveColumns(db: Queryable, schema: string, table: string): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, table],
  );
  return r.rows.map((x) => x.name);
}

export class CompactionService {
  constructor(
    private readonly deps: { pool: Pool; enqueue: (compactionId: string) => Promise<void>; batchSize?: number },
  ) {}

  /** Starts a compaction of one of the template's tables (its builders); 202 with its progress. */
  async start(ctx: ServiceContext, templateId: string, table: string): Promise<CompactionView> {
    const row = await withTransaction(this.deps.pool, async (tx) => {
      const template = await authorizeTemplate(tx, ctx, templateId, 'publish', { forUpdate: true });
      const naming = await this.namingOf(tx, templateId, template.current_version);
      const known = [...Object.values(naming.sections), ...Object.values(naming.tables)].find((t) => t.name === table);
      if (!known) throw new NotFoundError(`Table of template ${templateId}`, table);
      if ((await liveColumns(tx, naming.schema, table)).length === 0)
        throw new NotFoundError(`Table of template ${templateId}`, table);
      const active = await tx.query(
        'SELECT 1 FROM table_compactions WHERE table_name = $1 AND status IN ($2, $3, $4)',
        [table, 'queued', 'copying', 'swapping'],
      );
      if (active.rowCount) throw new ConflictError(`A compaction of ${table} is already under way`);
      const inserted = await tx.query<CompactionRow>(
        `INSERT INTO table_compactions (template_id, table_name, requested_by, slots_before) VALUES ($1, $2, $3, $4) RETURNING *`,
        [templateId, table, ctx.actor!.id, await slotsOf(tx, naming.schema, table)],
      );
      await recordAudit(tx, ctx, {
        action: 'template.compact',
        entityType: 'template',
        entityId: templateId,
        gridId: template.grid_id,
        after: { table, compactionId: inserted.rows[0]!.id },
      });
      return inserted.rows[0]!;
    });
    await this.deps.enqueue(row.id);
    return toView(row);
  }

  /** The template's compactions, newest first (progress of the running one included). */
  async list(ctx: ServiceContext, templateId: string): Promise<CompactionView[]> {
    await authorizeTemplate(this.deps.pool, ctx, templateId, 'publish');
    const r = await this.deps.pool.query<CompactionRow>(
      'SELECT * FROM table_compactions WHERE template_id = $1 ORDER BY id DESC LIMIT 50',
      [templateId],
    );
    return r.rows.map(toView);
  }

  async get(ctx: ServiceContext, templateId: string, id: string): Promise<CompactionView> {
    await authorizeTemplate(this.deps.pool, ctx, templateId, 'publish');
    const r = /^\d{1,18}$/.test(id)
      ? await this.deps.pool.query<CompactionRow>(
          'SELECT * FROM table_compactions WHERE template_id = $1 AND id = $2',
          [templateId, id],
        )
      : { rows: [] };
    if (!r.rows[0]) throw new NotFoundError('Compaction', id);
    return toView(r.rows[0]);
  }

  /** The worker's job: runs (or resumes) a compaction to its end. Idempotent: a finished one is left alone. */
  async run(id: string): Promise<CompactionView> {
    const found = await this.deps.pool.query<CompactionRow>('SELECT * FROM table_compactions WHERE id = $1', [id]);
    const job = found.rows[0];
    if (!job || job.status === 'done' || job.status === 'failed')
      return job ? toView(job) : Promise.reject(new NotFoundError('Compaction', id));
    const template = await findTemplate(this.deps.pool, job.template_id);
    try {
      if (!template) throw new ConflictError('The template is no longer there (deleted)');
      const naming = await this.namingOf(this.deps.pool, template.id, template.current_version);
      const schema = naming.schema;
      const names = helperNames(job.table_name);
      await this.prepare(schema, job, names);
      const key = await this.copy(schema, job, names);
      await this.buildIndexes(schema, job.table_name, names.next);
      // A swap that waited too long for its locks (or lost a deadlock) changed nothing: catch up and try again.
      await retryWhenLocked(
        async () => {
          await this.catchUp(schema, job.table_name, names, key, SWAP_THRESHOLD);
          await this.swap(schema, job, names, key, template.id);
        },
        { attempts: SWAP_ATTEMPTS, codes: RETRYABLE, pauseMs: (attempt) => 200 * attempt },
      );
    } catch (error) {
      // The swap could not get its locks: BullMQ tries again later, from where it stopped.
      if (RETRYABLE.includes((error as { code?: string }).code ?? '')) throw error;
      await this.abandon(job, error as Error).catch(() => undefined);
      throw error;
    }
    return this.view(id);
  }

  private async view(id: string): Promise<CompactionView> {
    return toView(
      (await this.deps.pool.query<CompactionRow>('SELECT * FROM table_compactions WHERE id = $1', [id])).rows[0]!,
    );
  }

  private async namingOf(db: Queryable, templateId: string, version: number | null): Promise<Naming> {
    if (!version) throw new ConflictError('This template has never been published: it has no tables');
    return (await findVersion(db, templateId, version))!.naming;
  }

  /** Step 1: the new table, the log and its trigger (skipped when a crashed run made them already). */
  private async prepare(schema: string, job: CompactionRow, names: ReturnType<typeof helperNames>): Promise<void> {
    await withTransaction(this.deps.pool, async (tx) => {
      const exists = await tx.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [
        schema,
        names.next,
      ]);
      const total = await tx.query<{ n: string }>(
        `SELECT reltuples::bigint AS n FROM pg_class WHERE oid = $1::regclass`,
        [qualifiedName(schema, job.table_name)],
      );
      await tx.query(
        `UPDATE table_compactions SET status = 'copying', started_at = coalesce(started_at, now()), rows_total = greatest($2::bigint, 0) WHERE id = $1`,
        [job.id, total.rows[0]?.n ?? 0],
      );
      if (exists.rowCount) return;
      const old = qualifiedName(schema, job.table_name);
      const log = qualifiedName(schema, names.log);
      const sid = quoteIdent(SYSTEM_COLUMNS.submissionId);
      await runSchemaDdl(tx, schema, [
        // Only the live (not dropped) columns: attribute numbers start again from 1.
        `CREATE TABLE ${qualifiedName(schema, names.next)} (LIKE ${old} INCLUDING DEFAULTS INCLUDING IDENTITY ` +
          `INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)`,
        `CREATE TABLE ${log} (${sid} bigint NOT NULL)`,
        `CREATE FUNCTION ${qualifiedName(schema, names.fn)}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP <> 'INSERT' THEN INSERT INTO ${log} VALUES (OLD.${sid}); END IF;
  IF TG_OP <> 'DELETE' THEN INSERT INTO ${log} VALUES (NEW.${sid}); END IF;
  RETURN NULL;
END $fn$`,
        `CREATE TRIGGER ${quoteIdent(names.trigger)} AFTER INSERT OR UPDATE OR DELETE ON ${old} FOR EACH ROW EXECUTE ` +
          `FUNCTION ${qualifiedName(schema, names.fn)}()`,
      ]);
    });
  }

  /** The column that orders the copy: the primary key (submission_id, or a repeating table's id). */
  private async keyOf(schema: string, table: string): Promise<string> {
    const r = await this.deps.pool.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = $1::regclass AND i.indisprimary`,
      [qualifiedName(schema, table)],
    );
    return r.rows[0]?.name ?? SYSTEM_COLUMNS.submissionId;
  }

  /** Step 2: batches by primary key, each in its own transaction; resumes after the last key copied. */
  private async copy(schema: string, job: CompactionRow, names: ReturnType<typeof helperNames>): Promise<string> {
    const key = await this.keyOf(schema, job.table_name);
    const columns = (await liveColumns(this.deps.pool, schema, names.next)).map(quoteIdent).join(', ');
    const k = quoteIdent(key);
    const from = qualifiedName(schema, job.table_name);
    const into = qualifiedName(schema, names.next);
    const batch = this.deps.batchSize ?? COMPACTION_BATCH;
    // Where a crashed run stopped (read once: the new table has no index until the copy is done).
    const resumed = await this.deps.pool.query<{ k: string | null; n: string }>(
      `SELECT max(${k})::text AS k, count(*) AS n FROM ${into}`,
    );
    let last = resumed.rows[0]!.k;
    let total = Number(resumed.rows[0]!.n);
    for (;;) {
      const copied = await withTransaction(this.deps.pool, async (tx) => {
        const result = await tx.query<{ k: string }>(
          `WITH copied AS (
             INSERT INTO ${into} (${columns}) OVERRIDING SYSTEM VALUE
             SELECT ${columns} FROM ${from} WHERE $1::bigint IS NULL OR ${k} > $1::bigint ORDER BY ${k} LIMIT ${batch}
             RETURNING ${k})
           SELECT max(${k})::text AS k, count(*)::int AS n FROM copied`,
          [last],
        );
        const row = result.rows[0] as unknown as { k: string | null; n: number };
        await tx.query(`UPDATE table_compactions SET rows_copied = $2 WHERE id = $1`, [job.id, total + row.n]);
        return row;
      });
      total += copied.n;
      if (copied.k !== null) last = copied.k;
      if (copied.n < batch) return key;
    }
  }

  /** The old table's indexes made on the new one under temporary names (renamed at the swap). */
  private async buildIndexes(schema: string, table: string, next: string): Promise<void> {
    const existing = new Set((await this.indexesOf(this.deps.pool, schema, next)).map((i) => i.name));
    for (const index of await this.indexesOf(this.deps.pool, schema, table)) {
      const temp = fitName(`${index.name}__c`, `${index.name}:compact`);
      if (existing.has(temp)) continue;
      // pg_get_indexdef: `CREATE [UNIQUE] INDEX name ON schema.table USING method (...)`: what follows USING names no table.
      const using = index.def.slice(index.def.indexOf(' USING '));
      await this.deps.pool.query(
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(temp)} ON ${qualifiedName(schema, next)}${using}`,
      );
    }
  }

  private async indexesOf(db: Queryable, schema: string, table: string) {
    const r = await db.query<{ name: string; def: string; unique: boolean; constraint_type: string | null }>(
      `SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisunique AS unique, con.contype::text AS constraint_type
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u')
        WHERE i.indrelid = $1::regclass ORDER BY ic.relname`,
      [qualifiedName(schema, table)],
    );
    return r.rows;
  }

  /** Step 3: the rows of logged submissions replaced in the new table, in rounds, until fewer than `until` are left. */
  private async catchUp(
    schema: string,
    table: string,
    names: ReturnType<typeof helperNames>,
    _key: string,
    until: number,
    tx?: PoolClient,
  ): Promise<void> {
    const columns = (await liveColumns(tx ?? this.deps.pool, schema, names.next)).map(quoteIdent).join(', ');
    const sid = quoteIdent(SYSTEM_COLUMNS.submissionId);
    const round = async (db: Queryable) => {
      const taken = await db.query<{ id: string }>(
        `WITH taken AS (DELETE FROM ${qualifiedName(schema, names.log)} RETURNING ${sid}) SELECT DISTINCT ${sid}::text AS id FROM taken`,
      );
      const ids = taken.rows.map((r) => r.id);
      if (ids.length === 0) return 0;
      await db.query(`DELETE FROM ${qualifiedName(schema, names.next)} WHERE ${sid} = ANY ($1::bigint[])`, [ids]);
      await db.query(
        `INSERT INTO ${qualifiedName(schema, names.next)} (${columns}) OVERRIDING SYSTEM VALUE
         SELECT ${columns} FROM ${qualifiedName(schema, table)} WHERE ${sid} = ANY ($1::bigint[])`,
        [ids],
      );
      return ids.length;
    };
    if (tx) {
      await round(tx);
      return;
    }
    for (;;) {
      const done = await withTransaction(this.deps.pool, round);
      if (done < until) return;
    }
  }

  /** Step 4: the swap, in one short transaction. */
  private async swap(
    schema: string,
    job: CompactionRow,
    names: ReturnType<typeof helperNames>,
    key: string,
    templateId: string,
  ): Promise<void> {
    const old = qualifiedName(schema, job.table_name);
    const fks = await this.deps.pool.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
      [old],
    );
    await withTransaction(this.deps.pool, async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = ${SWAP_LOCK_TIMEOUT_MS}`);
      await tx.query(`UPDATE table_compactions SET status = 'swapping' WHERE id = $1`, [job.id]);
      // Dropping the old table's foreign key and adding the new one's lock submissions too. Writers
      // lock submissions first (processing: FOR UPDATE, then the form tables, then UPDATE): taking
      // it first, in a mode their FOR UPDATE holds off, keeps the order and so avoids a deadlock.
      await tx.query(`LOCK TABLE ${qualifiedName('public', 'submissions')} IN EXCLUSIVE MODE`);
      await tx.query(`LOCK TABLE ${old} IN ACCESS EXCLUSIVE MODE`);
      const [was, is] = [await liveColumns(tx, schema, job.table_name), await liveColumns(tx, schema, names.next)];
      if (JSON.stringify(was) !== JSON.stringify(is)) {
        throw new ConflictError(
          `The columns of ${job.table_name} changed during the compaction (a publish or a purge): compact it again`,
        );
      }
      await this.catchUp(schema, job.table_name, names, key, 0, tx);
      const indexes = await this.indexesOf(tx, schema, job.table_name);
      const acl = await tx.query<{ grantee: string | null; privilege: string }>(
        `SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee, a.privilege_type AS privilege
           FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = $1::regclass AND a.grantee <> c.relowner`,
        [old],
      );
      const views = await dropTemplateViews(tx, templateId);
      const next = qualifiedName(schema, names.next);
      const ddl = [
        `DROP TABLE ${old}`,
        `DROP FUNCTION IF EXISTS ${qualifiedName(schema, names.fn)}()`,
        `DROP TABLE ${qualifiedName(schema, names.log)}`,
        `ALTER TABLE ${next} RENAME TO ${quoteIdent(job.table_name)}`,
      ];
      for (const index of indexes) {
        const temp = quoteIdent(fitName(`${index.name}__c`, `${index.name}:compact`));
        if (index.constraint_type === 'p')
          ddl.push(`ALTER TABLE ${old} ADD CONSTRAINT ${quoteIdent(index.name)} PRIMARY KEY USING INDEX ${temp}`);
        else if (index.constraint_type === 'u')
          ddl.push(`ALTER TABLE ${old} ADD CONSTRAINT ${quoteIdent(index.name)} UNIQUE USING INDEX ${temp}`);
        else
          ddl.push(
            `ALTER INDEX ${qualifiedName(schema, fitName(`${index.name}__c`, `${index.name}:compact`))} RENAME TO ${quoteIdent(index.name)}`,
          );
      }
      // Checked after the commit (VALIDATE takes no lock that stops writers).
      for (const fk of fks.rows)
        ddl.push(`ALTER TABLE ${old} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.def} NOT VALID`);
      const PRIVILEGES = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']);
      for (const g of acl.rows) {
        if (!PRIVILEGES.has(g.privilege)) continue;
        ddl.push(`GRANT ${g.privilege} ON ${old} TO ${g.grantee === null ? 'PUBLIC' : quoteIdent(g.grantee)}`);
      }
      await runSchemaDdl(tx, schema, ddl);
      // A repeating table's identity goes on from the highest id copied.
      if (key === SYSTEM_COLUMNS.rowId) {
        await tx.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), greatest((SELECT max(${quoteIdent(key)}) FROM ${old}), 1))`,
          [old, key],
        );
      }
      if (views) await createCurrentViews(tx, templateId);
      await tx.query(
        `UPDATE table_compactions SET status = 'done', finished_at = now(), slots_after = $2, rows_copied = (SELECT count(*) FROM ${old}) WHERE id = $1`,
        [job.id, await slotsOf(tx, schema, job.table_name)],
      );
      await recordAudit(tx, SYSTEM_CONTEXT, {
        action: 'template.compacted',
        entityType: 'template',
        entityId: templateId,
        after: {
          table: job.table_name,
          compactionId: job.id,
          slotsBefore: job.slots_before,
          slotsAfter: await slotsOf(tx, schema, job.table_name),
        },
      });
      await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, templateId]);
    });
    for (const fk of fks.rows)
      await this.deps.pool.query(`ALTER TABLE ${old} VALIDATE CONSTRAINT ${quoteIdent(fk.name)}`);
  }

  /** A compaction that cannot finish: its helpers dropped (the old table untouched), the reason recorded. */
  private async abandon(job: CompactionRow, error: Error): Promise<void> {
    const template = await findTemplate(this.deps.pool, job.template_id, { includeDeleted: true });
    const schema = template?.current_version
      ? (await this.namingOf(this.deps.pool, template.id, template.current_version)).schema
      : 'forms';
    const names = helperNames(job.table_name);
    await withTransaction(this.deps.pool, async (tx) => {
      const old = await tx.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [
        schema,
        job.table_name,
      ]);
      await runSchemaDdl(tx, schema, [
        ...(old.rowCount
          ? [`DROP TRIGGER IF EXISTS ${quoteIdent(names.trigger)} ON ${qualifiedName(schema, job.table_name)}`]
          : []),
        `DROP FUNCTION IF EXISTS ${qualifiedName(schema, names.fn)}()`,
        `DROP TABLE IF EXISTS ${qualifiedName(schema, names.log)}`,
        `DROP TABLE IF EXISTS ${qualifiedName(schema, names.next)}`,
      ]);
      await tx.query(`UPDATE table_compactions SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [
        job.id,
        error.message.slice(0, 2000),
      ]);
    });
  }
}
