import { recordAudit } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Pool, PoolClient, Queryable } from '../db/pool.js';
import { runSchemaDdl } from '../db/roles.js';
import { withTransaction } from '../db/transaction.js';
import { AppError, ConflictError } from '../errors/app-error.js';
import { compileValidator } from '../validation/validate.js';
import type { Metrics } from '../observability/metrics.js';
import type { Definition } from './definition.schema.js';
import { validateDefinition } from './definition.validate.js';
import { compileJsonSchema } from './json-schema.js';
import { createViewStatements, CURRENT_SCHEMA, currentViews, dropViewStatements, hasCurrentSchema } from './current-views.js';
import { deriveNaming, SYSTEM_COLUMNS, type Naming } from './naming.js';
import { planPublish, type Plan, type PlannedCheck, type PlannedStatement } from './plan.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { countFields } from './templates.service.js';
import { findVersion, purgedObjects, retiredIds, type TemplateRow } from './templates.repository.js';
import { PublishInput } from './templates.schema.js';
import { reconcileReservations, repeatedValues } from '../submissions/unique-values.js';

const validatePublishInput = compileValidator(PublishInput);

/** Channel on which a publish announces new or changed form data tables (every node listens). */
export const SCHEMA_CHANNEL = 'gridbook_schema_changed';
/** How many failing rows a check reports by id. */
const EXAMPLES = 20;

export interface CheckResult {
  field: string;
  rule: string;
  description: string;
  table: string;
  /** Existing rows breaking the rule (0: the check passed). */
  failing: number;
  /** Submission ids of up to 20 of them. */
  examples: string[];
  /** Not run because the value does not convert to the new type in the first place. */
  skipped?: boolean;
}

export interface PlanView {
  templateId: string;
  fromVersion: number | null;
  toVersion: number;
  ok: boolean;
  changes: string[];
  statements: PlannedStatement[];
  checks: CheckResult[];
  fields: number;
}

export interface PublishResult {
  version: number;
  plan: PlanView;
  durationMs: number;
}

export class PublishRefusedError extends AppError {
  constructor(readonly plan: PlanView) {
    const failed = plan.checks.filter((c) => c.failing > 0);
    const first = failed[0]!;
    super(
      'CONFLICT',
      409,
      `Publish refused: ${first.failing} existing row${first.failing === 1 ? '' : 's'} of ${first.field} fail${first.failing === 1 ? 's' : ''} "${first.description}"` +
        (failed.length > 1 ? ` (and ${failed.length - 1} more failing check${failed.length > 2 ? 's' : ''})` : ''),
      failed.map((c) => ({
        path: c.field,
        code: c.rule,
        message: `${c.failing} existing row${c.failing === 1 ? '' : 's'} fail "${c.description}" (for example submissions ${c.examples.join(', ')})`,
      })),
    );
  }
}

/** The naming of the latest version, with purged columns and tables removed (their names stay used). */
function applyPurges(naming: Naming, purged: { tables: Set<string>; columns: Set<string> }): Naming {
  const strip = <T extends { name: string; columns: Record<string, { name: string }> }>(tables: Record<string, T>) =>
    Object.fromEntries(
      Object.entries(tables)
        .filter(([, t]) => !purged.tables.has(t.name))
        .map(([id, t]) => [
          id,
          { ...t, columns: Object.fromEntries(Object.entries(t.columns).filter(([, c]) => !purged.columns.has(`${t.name}.${c.name}`))) },
        ]),
    ) as Record<string, T>;
  return { ...naming, sections: strip(naming.sections), tables: strip(naming.tables) };
}

async function runCheck(db: Queryable, check: PlannedCheck, templateId: string): Promise<{ failing: number; examples: string[] }> {
  if (check.unique) {
    // Over the submitted answers themselves (pending ones too), compared as reservations compare values.
    const ids = await repeatedValues(db, templateId, check.unique.field);
    return { failing: ids.length, examples: ids.slice(0, EXAMPLES) };
  }
  if (check.sql) {
    const count = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${check.sql}) failing`, check.params ?? []);
    const failing = Number(count.rows[0]!.n);
    if (failing === 0) return { failing, examples: [] };
    const examples = await db.query<{ id: string }>(`${check.sql} ORDER BY 1 LIMIT ${EXAMPLES}`, check.params ?? []);
    return { failing, examples: examples.rows.map((r) => String(r.id)) };
  }
  // JavaScript semantics: scan the column in keyset batches.
  const { column, failing: fails } = check.js!;
  const table = qualifiedName('forms', check.table);
  const sid = quoteIdent(SYSTEM_COLUMNS.submissionId);
  let failing = 0;
  const examples: string[] = [];
  let last = '0';
  for (;;) {
    const batch = await db.query<{ id: string; v: string }>(
      `SELECT ${sid} AS id, ${quoteIdent(column)}::text AS v FROM ${table}
        WHERE ${sid} > $1 AND ${quoteIdent(column)} IS NOT NULL ORDER BY ${sid} LIMIT 5000`,
      [last],
    );
    for (const row of batch.rows) {
      if (fails(row.v)) {
        failing++;
        if (examples.length < EXAMPLES) examples.push(row.id);
      }
    }
    if (batch.rows.length < 5000) break;
    last = batch.rows[batch.rows.length - 1]!.id;
  }
  return { failing, examples };
}

/** Runs the plan's checks; a rule check is skipped when its value failed to convert. */
export async function runChecks(db: Queryable, checks: PlannedCheck[], templateId: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const failed = new Set<string>();
  for (const check of checks) {
    const base = { field: check.field, rule: check.rule, description: check.description, table: check.table };
    if (check.after && failed.has(check.after)) {
      results.push({ ...base, failing: 0, examples: [], skipped: true });
      continue;
    }
    const { failing, examples } = await runCheck(db, check, templateId);
    if (failing > 0) failed.add(`${check.field}:${check.rule}`);
    results.push({ ...base, failing, examples });
  }
  return results;
}

/**
 * Publishing: plan (dry run) and publish, both computed by planPublish. A publish runs in ONE
 * transaction under a lock on the template row: it re-plans against the tables as they are, runs
 * the checks, runs the DDL, writes the version (definition, JSON Schema, names, DDL) and the audit
 * entry, and announces the change. Any failure rolls all of it back: no half-created table.
 */
export class PublishService {
  constructor(private readonly deps: { pool: Pool; lockTimeoutMs?: number; metrics?: Metrics }) {}

  private async prepare(db: Queryable, template: TemplateRow): Promise<{ plan: Plan; definition: Definition; previous: Definition | null }> {
    const retired = await retiredIds(db, template.id);
    const definition = validateDefinition(template.definition, retired);
    const latest = template.current_version ? await findVersion(db, template.id, template.current_version) : null;
    if (latest && JSON.stringify(latest.definition) === JSON.stringify(definition)) {
      throw new ConflictError(`Nothing to publish: the working definition is the same as version ${latest.version}`);
    }
    const previous = latest
      ? { version: latest.version, definition: latest.definition, naming: applyPurges(latest.naming, await purgedObjects(db, template.id)) }
      : null;
    const naming = deriveNaming(template.id, definition, previous?.naming ?? null);
    return { plan: planPublish(definition, naming, previous), definition, previous: latest?.definition ?? null };
  }

  private view(template: TemplateRow, plan: Plan, definition: Definition, checks: CheckResult[]): PlanView {
    return {
      templateId: template.id,
      fromVersion: plan.fromVersion,
      toVersion: plan.toVersion,
      ok: checks.every((c) => c.failing === 0),
      changes: plan.changes,
      statements: plan.statements,
      checks,
      fields: countFields(definition),
    };
  }

  /** The dry run: what publishing would do and whether existing rows pass its checks. Changes nothing. */
  async plan(ctx: ServiceContext, id: string): Promise<PlanView> {
    const client = await this.deps.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const template = await authorizeTemplate(client, ctx, id, 'publish');
      const { plan, definition } = await this.prepare(client, template);
      const checks = await runChecks(client, plan.checks, template.id);
      return this.view(template, plan, definition, checks);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      client.release();
    }
  }

  async publish(ctx: ServiceContext, id: string, raw: unknown = {}): Promise<PublishResult> {
    const started = Date.now();
    try {
      const result = await this.publishInTransaction(ctx, id, raw, started);
      this.deps.metrics?.publishDuration.observe({ outcome: 'published' }, (Date.now() - started) / 1000);
      return result;
    } catch (error) {
      this.deps.metrics?.publishDuration.observe({ outcome: error instanceof PublishRefusedError ? 'refused' : 'failed' }, (Date.now() - started) / 1000);
      throw error;
    }
  }

  private async publishInTransaction(ctx: ServiceContext, id: string, raw: unknown, started: number): Promise<PublishResult> {
    const input = validatePublishInput(raw ?? {});
    return withTransaction(this.deps.pool, async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = ${Math.max(100, this.deps.lockTimeoutMs ?? 10_000)}`);
      // The row lock serializes publishes of one template: the second waits, then plans against
      // the version the first created.
      const template = await authorizeTemplate(tx, ctx, id, 'publish', { forUpdate: true });
      const current = template.current_version ?? 0;
      if (input.expectedVersion !== undefined && input.expectedVersion !== null && input.expectedVersion !== current) {
        throw new ConflictError(
          `Template ${id} is at version ${current}, not ${input.expectedVersion}: someone published meanwhile; plan again`,
        );
      }
      const { plan, definition, previous } = await this.prepare(tx, template);
      await this.lockTables(tx, plan);
      const checks = await runChecks(tx, plan.checks, id);
      const view = this.view(template, plan, definition, checks);
      if (!view.ok) throw new PublishRefusedError(view);

      // As the role owning the form data schema, so the runtime login owns nothing (src/db/roles.ts).
      // The views under current names read the tables: out of the way of the DDL, then made again.
      const views = await hasCurrentSchema(tx);
      if (views) await runSchemaDdl(tx, CURRENT_SCHEMA, await dropViewStatements(tx, id));
      await runSchemaDdl(tx, plan.naming.schema, plan.statements.map((statement) => statement.sql));
      if (views) await this.createViews(tx, template, plan.naming, definition);
      // The row lock taken above also holds off new submissions of this template (their foreign
      // key locks the row FOR KEY SHARE), so no answer slips in between the check and this.
      await reconcileReservations(tx, id, previous, definition);
      const jsonSchema = compileJsonSchema(definition, { templateId: id, version: plan.toVersion, title: template.title });
      await tx.query(
        `INSERT INTO template_versions (template_id, version, definition, json_schema, naming, ddl, checks, published_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          plan.toVersion,
          JSON.stringify(definition),
          JSON.stringify(jsonSchema),
          JSON.stringify(plan.naming),
          plan.statements.map((s) => s.sql),
          JSON.stringify(checks),
          ctx.actor!.id,
        ],
      );
      await tx.query(`UPDATE templates SET current_version = $2, status = 'published', updated_at = now() WHERE id = $1`, [
        id,
        plan.toVersion,
      ]);
      await recordAudit(tx, ctx, {
        action: 'template.publish',
        entityType: 'template',
        entityId: id,
        gridId: template.grid_id,
        before: { version: template.current_version },
        after: { version: plan.toVersion, changes: plan.changes, statements: plan.statements.length },
      });
      // Delivered at commit, to every node (this one included), which then rebuild their admin panel.
      await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, id]);
      return { version: plan.toVersion, plan: view, durationMs: Date.now() - started };
    });
  }

  /**
   * Drops the columns (and tables) of removed fields (and sections), which publishing keeps.
   * Explicit, confirmed by the caller, audited with the exact DDL; the names stay used for ever.
   */
  async purgeRetired(ctx: ServiceContext, id: string): Promise<{ dropped: { table: string; column?: string }[]; ddl: string[] }> {
    return withTransaction(this.deps.pool, async (tx) => {
      const template = await authorizeTemplate(tx, ctx, id, 'purge', { forUpdate: true });
      if (!template.current_version) throw new ConflictError('This template has never been published: nothing to purge');
      const latest = (await findVersion(tx, id, template.current_version))!;
      const naming = applyPurges(latest.naming, await purgedObjects(tx, id));
      const dropped: { table: string; column?: string }[] = [];
      const ddl: string[] = [];
      const all = [...Object.values(naming.sections), ...Object.values(naming.tables)];
      // Child tables first: they may reference nothing but submissions, but keep the order tidy.
      for (const table of [...all].sort((a, b) => Number('sectionId' in b) - Number('sectionId' in a))) {
        if (table.retired) {
          ddl.push(`DROP TABLE IF EXISTS ${qualifiedName(naming.schema, table.name)}`);
          dropped.push({ table: table.name });
          continue;
        }
        const retiredColumns = Object.values(table.columns).filter((c) => c.retired);
        if (retiredColumns.length === 0) continue;
        ddl.push(
          `ALTER TABLE ${qualifiedName(naming.schema, table.name)} ${retiredColumns.map((c) => `DROP COLUMN IF EXISTS ${quoteIdent(c.name)}`).join(', ')}`,
        );
        dropped.push(...retiredColumns.map((c) => ({ table: table.name, column: c.name })));
      }
      if (ddl.length === 0) throw new ConflictError('There are no retired columns to purge');
      for (const statement of ddl) await tx.query(statement);
      await tx.query('INSERT INTO template_purges (template_id, ddl, columns, purged_by) VALUES ($1, $2, $3, $4)', [
        id,
        ddl,
        JSON.stringify(dropped),
        ctx.actor!.id,
      ]);
      await recordAudit(tx, ctx, {
        action: 'template.purge_retired',
        entityType: 'template',
        entityId: id,
        gridId: template.grid_id,
        after: { dropped, ddl },
      });
      await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, id]);
      return { dropped, ddl };
    });
  }

  /** The template's views under current names (src/templates/current-views.ts), for this version. */
  private async createViews(tx: PoolClient, template: TemplateRow, naming: Naming, definition: Definition): Promise<void> {
    const grid = await tx.query<{ slug: string }>('SELECT slug FROM grids WHERE id = $1', [template.grid_id]);
    const views = currentViews(naming, definition, { grid: grid.rows[0]!.slug, template: template.slug });
    await runSchemaDdl(tx, CURRENT_SCHEMA, createViewStatements(naming.schema, views, template.id));
  }

  /** Holds writers off the tables under check, so no row slips in between the check and the DDL. */
  private async lockTables(tx: PoolClient, plan: Plan): Promise<void> {
    const tables = [...new Set(plan.checks.map((c) => c.table))].sort();
    for (const table of tables) {
      await tx.query(`LOCK TABLE ${qualifiedName(plan.naming.schema, table)} IN SHARE ROW EXCLUSIVE MODE`);
    }
  }
}
