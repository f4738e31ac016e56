import { recordAudit } from '../audit/audit.service.js';
import { localize, type LanguageProblem } from '../rules/language.js';
import type { ServiceContext } from '../context.js';
import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Pool, PoolClient, Queryable } from '../db/pool.js';
import { runSchemaDdl } from '../db/roles.js';
import { retryWhenLocked, withTransaction } from '../db/transaction.js';
import { AppError, ConflictError } from '../errors/app-error.js';
import { compileValidator } from '../validation/validate.js';
import type { Metrics } from '../observability/metrics.js';
import type { Definition } from './definition.schema.js';
import { translationWarnings, validateDefinition } from './definition.validate.js';
import { compileJsonSchema } from './json-schema.js';
import { createTemplateViews, CURRENT_SCHEMA, dropViewStatements, hasCurrentSchema } from './current-views.js';
import { deriveNaming, type Naming } from './naming.js';
import { planPublish, type ConversionChoices, type Plan, type PlannedCheck, type PlannedStatement } from './plan.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { countFields } from './templates.service.js';
import { findVersion, purgedObjects, retiredIds, type TemplateRow } from './templates.repository.js';
import { PlanInput, PublishInput } from './templates.schema.js';
import { reconcileReservations } from '../submissions/unique-values.js';
import { decodeCursor, encodeCursor, failingPage, failingRows, type FailingRow } from './plan-report.js';
import { csvLine } from '../exports/csv.js';
import { assertWithinBudget, readBudgets, type TableBudget } from './budget.js';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SCHEMA_CHANNEL } from './schema-listener.js';
import { bigTables, recordConversions, runningConversion, type ConversionService } from './conversions.service.js';

const validatePublishInput = compileValidator(PublishInput);
const validatePlanInput = compileValidator(PlanInput);

export { SCHEMA_CHANNEL };
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
  /** Where every failing row is listed with its value (present when some fail). */
  reportUrl?: string;
  /** The failing rows are set to null or quarantined by the builder's choice: no refusal. */
  resolution?: 'null' | 'quarantine';
  /** For the map check: the given values that do not convert. */
  values?: (string | null)[];
}

/** A check refuses the publish when rows fail it and no choice resolves them. */
const refuses = (c: CheckResult) => c.failing > 0 && !c.resolution;

/** What a type change made with a choice did (or would do) to the existing values. */
export interface ConversionSummary {
  field: string;
  onFailure: 'refuse' | 'null' | 'quarantine';
  quarantineColumn?: string;
  /** Rows whose value the map replaced. */
  mappedRows: number;
  /** Rows whose value did not convert: set to null or quarantined (with `refuse`, the publish is refused). */
  unconvertedRows: number;
}

export interface PlanView {
  templateId: string;
  fromVersion: number | null;
  toVersion: number;
  ok: boolean;
  changes: string[];
  statements: PlannedStatement[];
  checks: CheckResult[];
  /** The type changes made with a conversion choice, with their counts. */
  conversions: ConversionSummary[];
  fields: number;
  /** Missing translations (a form in several languages): publishing goes ahead, the default language's text is shown. */
  warnings: LanguageProblem[];
  /** Each table's column slots and row size once published (src/templates/budget.ts); one over a limit refuses the publish. */
  budget: TableBudget[];
}

/** Which check of the plan a conversion report is about. */
export interface FailuresQuery {
  field: string;
  rule: string;
  cursor?: string;
  limit?: number;
}

/** A row of the conversion report: `row` counts from 1 as in exports, null for a section's field. */
export interface FailureView {
  submissionId: string;
  row: number | null;
  value: string | null;
}

export interface FailuresPage {
  field: string;
  rule: string;
  description: string;
  table: string;
  rows: FailureView[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

const reportUrl = (templateId: string, check: { field: string; rule: string }) =>
  `/api/v1/templates/${templateId}/plan/failures?${new URLSearchParams({ field: check.field, rule: check.rule }).toString()}`;
const present = (row: FailingRow): FailureView => ({
  submissionId: row.submissionId,
  row: row.row === null ? null : row.row + 1,
  value: row.value,
});
const REPORT_PAGE = { default: 100, max: 1000 };

export interface PublishResult {
  version: number;
  plan: PlanView;
  durationMs: number;
  /** Type changes converting in the background (GET /templates/:id/conversions follows them). */
  conversions: { id: string; field: string }[];
}

/** What the checks of an online publish found, run before its transaction (see publishInTransaction). */
interface Prechecked {
  /** The tables converting online. */
  big: Set<string>;
  view: PlanView;
  version: number | null;
  definition: string;
}

export class PublishRefusedError extends AppError {
  constructor(readonly plan: PlanView) {
    const failed = plan.checks.filter(refuses);
    const first = failed[0]!;
    super(
      'CONFLICT',
      409,
      `Publish refused: ${first.failing} existing row${first.failing === 1 ? '' : 's'} of ${first.field} ` +
        `fail${first.failing === 1 ? 's' : ''} "${first.description}"` +
        (failed.length > 1 ? ` (and ${failed.length - 1} more failing check${failed.length > 2 ? 's' : ''})` : ''),
      failed.map((c) => ({
        path: c.field,
        code: c.rule,
        message:
          `${c.failing} existing row${c.failing === 1 ? '' : 's'} fail "${c.description}"` +
          (c.examples.length
            ? ` (for example submissions ${c.examples.join(', ')})`
            : c.rule === 'map'
              ? `: ${c.values?.join(', ')}`
              : ''),
      })),
    );
  }
}

/** The naming of the latest version, with purged columns and tables removed (their names stay used). */
export function applyPurges(naming: Naming, purged: { tables: Set<string>; columns: Set<string> }): Naming {
  const strip = <T extends { name: string; columns: Record<string, { name: string }> }>(tables: Record<string, T>) =>
    Object.fromEntries(
      Object.entries(tables)
        .filter(([, t]) => !purged.tables.has(t.name))
        .map(([id, t]) => [
          id,
          {
            ...t,
            columns: Object.fromEntries(
              Object.entries(t.columns).filter(([, c]) => !purged.columns.has(`${t.name}.${c.name}`)),
            ),
          },
        ]),
    ) as Record<string, T>;
  return { ...naming, sections: strip(naming.sections), tables: strip(naming.tables) };
}

async function runCheck(
  db: Queryable,
  check: PlannedCheck,
  templateId: string,
): Promise<{ failing: number; examples: string[] }> {
  if (check.sql) {
    const count = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${check.sql}) failing`, check.params ?? []);
    const failing = Number(count.rows[0]!.n);
    if (failing === 0) return { failing, examples: [] };
    return { failing, examples: await exampleIds(db, check, templateId) };
  }
  // The unique rule and JavaScript semantics: the report's own pages, counted.
  let failing = 0;
  const examples = new Set<string>();
  for await (const page of failingRows(db, check, templateId)) {
    failing += page.length;
    for (const row of page) if (examples.size < EXAMPLES) examples.add(row.submissionId);
  }
  return { failing, examples: [...examples] };
}

/** The submissions of the first failing rows (a submission with several failing rows counts once). */
async function exampleIds(db: Queryable, check: PlannedCheck, templateId: string): Promise<string[]> {
  const examples = new Set<string>();
  for await (const page of failingRows(db, check, templateId, EXAMPLES)) {
    for (const row of page) examples.add(row.submissionId);
    if (examples.size >= EXAMPLES) break;
  }
  return [...examples].slice(0, EXAMPLES);
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
    if (check.resolution) Object.assign(base, { resolution: check.resolution });
    if (check.rule === 'map') {
      // About the builder's own map, not stored rows: the values that do not convert are the example.
      const rows = await failingPage(db, check, templateId, null, EXAMPLES);
      results.push({
        ...base,
        failing: rows.length,
        examples: [],
        ...(rows.length ? { values: rows.map((r) => r.value) } : {}),
      });
      continue;
    }
    const { failing, examples } = await runCheck(db, check, templateId);
    if (failing > 0 && !check.resolution) failed.add(`${check.field}:${check.rule}`);
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
  constructor(
    private readonly deps: { pool: Pool; lockTimeoutMs?: number; metrics?: Metrics; conversions?: ConversionService },
  ) {}

  private async prepare(
    db: Queryable,
    template: TemplateRow,
    choices: ConversionChoices = {},
    online?: ReadonlySet<string>,
  ): Promise<{ plan: Plan; definition: Definition; previous: Definition | null }> {
    const retired = await retiredIds(db, template.id);
    const definition = validateDefinition(template.definition, retired);
    const latest = template.current_version ? await findVersion(db, template.id, template.current_version) : null;
    if (latest && JSON.stringify(latest.definition) === JSON.stringify(definition)) {
      throw new ConflictError(`Nothing to publish: the working definition is the same as version ${latest.version}`);
    }
    const previous = latest
      ? {
          version: latest.version,
          definition: latest.definition,
          naming: applyPurges(latest.naming, await purgedObjects(db, template.id)),
        }
      : null;
    const naming = deriveNaming(template.id, definition, previous?.naming ?? null);
    return {
      plan: planPublish(definition, naming, previous, choices, { online }),
      definition,
      previous: latest?.definition ?? null,
    };
  }

  /** Runs the plan's checks and counts what its conversion choices do: the plan as the API shows it. */
  private async view(
    db: Queryable,
    template: TemplateRow,
    plan: Plan,
    definition: Definition,
    known?: { tables: ReadonlySet<string>; view: PlanView },
  ): Promise<PlanView> {
    // The checks of tables converting online ran before the publish's transaction (`known`).
    const ran = await runChecks(
      db,
      known ? plan.checks.filter((c) => !known.tables.has(c.table)) : plan.checks,
      template.id,
    );
    const before = known ? known.view.checks.filter((c) => known.tables.has(c.table)) : [];
    const checks = plan.checks.map((c) => (known?.tables.has(c.table) ? before.shift()! : ran.shift()!));
    const onlineFields = new Set(plan.online.map((c) => c.field));
    const conversions: ConversionSummary[] = [];
    for (const conversion of plan.conversions) {
      const counted =
        known && onlineFields.has(conversion.field)
          ? known.view.conversions.find((c) => c.field === conversion.field)
          : undefined;
      if (counted) {
        conversions.push(counted);
        continue;
      }
      const mapped = conversion.mappedSql
        ? await db.query<{ n: string }>(conversion.mappedSql, conversion.params)
        : null;
      conversions.push({
        field: conversion.field,
        onFailure: conversion.onFailure,
        ...(conversion.quarantineColumn ? { quarantineColumn: conversion.quarantineColumn } : {}),
        mappedRows: mapped ? Number(mapped.rows[0]!.n) : 0,
        unconvertedRows: checks.find((c) => c.field === conversion.field && c.rule === 'type')?.failing ?? 0,
      });
    }
    const budget = await readBudgets(db, plan.naming, definition);
    return {
      templateId: template.id,
      fromVersion: plan.fromVersion,
      toVersion: plan.toVersion,
      ok: !checks.some(refuses) && !budget.some((b) => b.level === 'full'),
      changes: plan.changes,
      statements: plan.statements,
      checks: checks.map((c) =>
        c.failing > 0 && c.rule !== 'map' ? { ...c, reportUrl: reportUrl(template.id, c) } : c,
      ),
      conversions,
      fields: countFields(definition),
      warnings: translationWarnings(definition),
      budget,
    };
  }

  /** The dry run: what publishing would do and whether existing rows pass its checks. Changes nothing. */
  async plan(ctx: ServiceContext, id: string, raw: unknown = {}): Promise<PlanView> {
    const input = validatePlanInput(raw ?? {});
    return this.inSnapshot(async (client) => {
      const template = await authorizeTemplate(client, ctx, id, 'publish');
      const { plan, definition } = await this.prepare(client, template, input.conversions);
      return this.view(client, template, plan, definition);
    });
  }

  /** One page of the conversion report: the existing rows one check of the plan finds failing, with their values. */
  async failures(ctx: ServiceContext, id: string, query: FailuresQuery): Promise<FailuresPage> {
    const cursor = decodeCursor(query.cursor);
    const limit = Math.min(Math.max(1, query.limit ?? REPORT_PAGE.default), REPORT_PAGE.max);
    return this.inSnapshot(async (client) => {
      const { check, templateId } = await this.findCheck(client, ctx, id, query);
      const found = await failingPage(client, check, templateId, cursor, limit + 1);
      const rows = found.slice(0, limit);
      const more = found.length > limit;
      return {
        field: check.field,
        rule: check.rule,
        description: check.description,
        table: check.table,
        rows: rows.map(present),
        nextCursor: more ? encodeCursor(rows[rows.length - 1]!) : null,
      };
    });
  }

  /**
   * The whole conversion report of one check as CSV, read in one snapshot and written with
   * backpressure. `open` is called once the check is found (so a refusal can still be a JSON error)
   * and returns where to write.
   */
  async failuresCsv(
    ctx: ServiceContext,
    id: string,
    query: FailuresQuery,
    open: (fileName: string) => Writable,
  ): Promise<void> {
    await this.inSnapshot(async (client) => {
      const { check, templateId } = await this.findCheck(client, ctx, id, query);
      const kinds = ['number', 'number', 'text'] as const;
      async function* lines(): AsyncGenerator<string> {
        yield csvLine(['submission_id', 'row', 'value'], ['text', 'text', 'text']);
        for await (const page of failingRows(client, check, templateId)) {
          yield page
            .map((r) => present(r))
            .map((r) => csvLine([r.submissionId, r.row, r.value], [...kinds]))
            .join('');
        }
      }
      const fileName = `template-${templateId}-${check.field}-${check.rule}-failures.csv`.replace(/[^\w.-]+/g, '_');
      await pipeline(Readable.from(lines()), open(fileName));
    });
  }

  private async findCheck(
    client: PoolClient,
    ctx: ServiceContext,
    id: string,
    query: FailuresQuery,
  ): Promise<{ check: PlannedCheck; templateId: string }> {
    const template = await authorizeTemplate(client, ctx, id, 'publish');
    const { plan } = await this.prepare(client, template);
    const check = plan.checks.find((c) => c.field === query.field && c.rule === query.rule);
    if (!check) {
      const known = plan.checks.map((c) => `${c.field}:${c.rule}`);
      throw new AppError(
        'NOT_FOUND',
        404,
        `The plan of template ${id} has no check "${query.rule}" on ${query.field}` +
          (known.length ? ` (its checks: ${known.join(', ')})` : ' (it has no checks)'),
      );
    }
    return { check, templateId: template.id };
  }

  /** Reads in one consistent snapshot that changes nothing (plans and their reports). */
  private async inSnapshot<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.deps.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return await work(client);
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
      this.deps.metrics?.publishDuration.observe(
        { outcome: error instanceof PublishRefusedError ? 'refused' : 'failed' },
        (Date.now() - started) / 1000,
      );
      throw error;
    }
  }

  /**
   * A type change on a table of at least CONVERSION_ONLINE_MIN_ROWS rows converts online
   * (src/templates/conversions.service.ts). Its checks read the whole table, so they run first, in
   * a snapshot of their own and without locks; the publish's transaction then holds its locks only
   * for the DDL (a new column, a trigger), taking the table's lock with a short `lock_timeout`,
   * tried again a few times. Rows written between the checks and the trigger are converted by the
   * job with the same expression (with `refuse`, one that does not convert is counted, left null
   * in the new column and kept in the retired one).
   */
  private async publishInTransaction(
    ctx: ServiceContext,
    id: string,
    raw: unknown,
    started: number,
  ): Promise<PublishResult> {
    const input = validatePublishInput(raw ?? {});
    const prechecked = await this.precheck(ctx, id, input.conversions);
    return retryWhenLocked(
      async () => {
        const result = await this.publishOnce(ctx, id, input, started, prechecked);
        await this.deps.conversions?.enqueue(result.conversions.map((c) => c.id));
        return result;
      },
      { attempts: prechecked ? 5 : 1 },
    );
  }

  /** The checks of an online publish (see publishInTransaction); null when no table converts online. */
  private async precheck(
    ctx: ServiceContext,
    id: string,
    choices: ConversionChoices | undefined,
  ): Promise<Prechecked | null> {
    const conversions = this.deps.conversions;
    if (!conversions) return null;
    return this.inSnapshot(async (client) => {
      const template = await authorizeTemplate(client, ctx, id, 'publish');
      const first = await this.prepare(client, template, choices);
      if (first.plan.rewrites.length === 0) return null;
      const big = await bigTables(client, first.plan.naming.schema, first.plan.rewrites, conversions.minRows);
      if (big.size === 0) return null;
      const { plan, definition } = await this.prepare(client, template, choices, big);
      const view = await this.view(client, template, plan, definition);
      if (!view.ok) throw new PublishRefusedError(view);
      return { big, view, version: template.current_version, definition: JSON.stringify(template.definition) };
    });
  }

  private async publishOnce(
    ctx: ServiceContext,
    id: string,
    input: { expectedVersion?: number | null; conversions?: ConversionChoices },
    started: number,
    prechecked: Prechecked | null,
  ): Promise<PublishResult> {
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
      const running = await runningConversion(tx, id);
      if (running) {
        throw new ConflictError(
          running.state === 'failed'
            ? `The background conversion of ${running.field} failed (conversion ${running.id}): cancel it before publishing again`
            : `A type change of ${running.field} is still converting in the background (conversion ${running.id}): publish once it is done, or cancel it`,
        );
      }
      if (
        prechecked &&
        (prechecked.version !== template.current_version ||
          prechecked.definition !== JSON.stringify(template.definition))
      ) {
        throw new ConflictError(`Template ${id} changed while its checks ran: publish again`);
      }
      const { plan, definition, previous } = await this.prepare(tx, template, input.conversions, prechecked?.big);
      const onlineTables = new Set(plan.online.map((c) => c.table));
      await this.lockTables(tx, plan, onlineTables);
      const view = await this.view(
        tx,
        template,
        plan,
        definition,
        prechecked ? { tables: onlineTables, view: prechecked.view } : undefined,
      );
      assertWithinBudget(view.budget);
      if (!view.ok) throw new PublishRefusedError(view);
      // The DDL of an online change waits this long at most for the table's lock (then the publish is tried again).
      if (plan.online.length)
        await tx.query(`SET LOCAL lock_timeout = ${Math.max(10, this.deps.conversions!.swapLockTimeoutMs)}`);

      // As the role owning the form data schema, so the runtime login owns nothing (src/db/roles.ts).
      // The views under current names read the tables: out of the way of the DDL, then made again.
      const views = await hasCurrentSchema(tx);
      if (views) await runSchemaDdl(tx, CURRENT_SCHEMA, await dropViewStatements(tx, id));
      await runSchemaDdl(
        tx,
        plan.naming.schema,
        plan.statements.map((statement) => statement.sql),
      );
      if (views) await createTemplateViews(tx, template, plan.naming, definition);
      // The row lock taken above also holds off new submissions of this template (their foreign
      // key locks the row FOR KEY SHARE), so no answer slips in between the check and this.
      await reconcileReservations(tx, id, previous, definition);
      const jsonSchema = compileJsonSchema(localize(definition), {
        templateId: id,
        version: plan.toVersion,
        title: template.title,
      });
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
          JSON.stringify(view.checks),
          ctx.actor!.id,
        ],
      );
      const conversionIds = plan.online.length
        ? await recordConversions(tx, {
            templateId: id,
            version: plan.toVersion,
            actorId: ctx.actor?.id ?? null,
            conversions: plan.online,
            counts: new Map(view.conversions.map((c) => [c.field, c])),
          })
        : [];
      const online = plan.online.map((c, i) => ({ id: conversionIds[i]!, field: c.field }));
      await tx.query(
        `UPDATE templates SET current_version = $2, status = 'published', updated_at = now() WHERE id = $1`,
        [id, plan.toVersion],
      );
      await recordAudit(tx, ctx, {
        action: 'template.publish',
        entityType: 'template',
        entityId: id,
        gridId: template.grid_id,
        before: { version: template.current_version },
        after: {
          version: plan.toVersion,
          changes: plan.changes,
          statements: plan.statements.length,
          ...(view.conversions.length ? { conversions: view.conversions } : {}),
          ...(online.length ? { online } : {}),
        },
      });
      for (const c of online) {
        await recordAudit(tx, ctx, {
          action: 'template.conversion_start',
          entityType: 'template',
          entityId: id,
          gridId: template.grid_id,
          after: (({ table, column, shadow, fromType, targetType, onFailure }) => ({
            conversion: c.id,
            version: plan.toVersion,
            field: c.field,
            table,
            column,
            shadow,
            from: fromType,
            to: targetType,
            onFailure,
          }))(plan.online.find((o) => o.field === c.field)!),
        });
      }
      // Delivered at commit, to every node (this one included), which then rebuild their admin panel.
      await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, id]);
      return { version: plan.toVersion, plan: view, durationMs: Date.now() - started, conversions: online };
    });
  }

  /**
   * Drops the columns (and tables) of removed fields (and sections), which publishing keeps.
   * Explicit, confirmed by the caller, audited with the exact DDL; the names stay used for ever.
   */
  async purgeRetired(
    ctx: ServiceContext,
    id: string,
  ): Promise<{ dropped: { table: string; column?: string }[]; ddl: string[] }> {
    return withTransaction(this.deps.pool, async (tx) => {
      const template = await authorizeTemplate(tx, ctx, id, 'purge', { forUpdate: true });
      if (!template.current_version)
        throw new ConflictError('This template has never been published: nothing to purge');
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

  /** Holds writers off the tables under check, so no row slips in between the check and the DDL. */
  private async lockTables(tx: PoolClient, plan: Plan, except: ReadonlySet<string>): Promise<void> {
    const tables = [...new Set(plan.checks.map((c) => c.table))].filter((t) => !except.has(t)).sort();
    for (const table of tables) {
      await tx.query(`LOCK TABLE ${qualifiedName(plan.naming.schema, table)} IN SHARE ROW EXCLUSIVE MODE`);
    }
  }
}
