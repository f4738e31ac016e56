import { Type } from '@sinclair/typebox';
import { recordAudit } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool } from '../db/pool.js';
import { runSchemaDdl } from '../db/roles.js';
import { withTransaction } from '../db/transaction.js';
import { ConflictError, type ErrorDetail } from '../errors/app-error.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { localize } from '../rules/language.js';
import { reconcileReservations } from '../submissions/unique-values.js';
import { compileValidator } from '../validation/validate.js';
import { assertWithinBudget, readBudgets } from './budget.js';
import { createTemplateViews, dropTemplateViews } from './current-views.js';
import type { Definition, Field } from './definition.schema.js';
import { fieldColumns, pgTypeOf } from './field-types.js';
import { compileJsonSchema } from './json-schema.js';
import { deriveNaming, type Naming } from './naming.js';
import { planPublish, type Plan } from './plan.js';
import { applyPurges, runChecks, SCHEMA_CHANNEL } from './publish.service.js';
import { findVersion, purgedObjects, type VersionRow } from './templates.repository.js';

/**
 * Unpublish: back to the previous version's form where the change is reversible. Versions are
 * append-only (their rows are immutable, and later versions name columns earlier ones never had), so
 * going back is a new version whose definition is the previous one's: the columns of fields the
 * latest version removed come back with their data (they were retired, never dropped), the fields it
 * added are retired with theirs. Refused, with the reason, when going back would lose or rewrite
 * data: a type change converted the values in place, or a purge dropped a column the previous
 * version needs. One transaction under the template's row lock, as a publish.
 */

export const UnpublishInput = Type.Object(
  {
    /** The version the caller saw: refused if another publish came first. */
    expectedVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
const validateInput = compileValidator(UnpublishInput);

export interface UnpublishResult {
  /** The new version, whose definition is `restores`'. */
  version: number;
  /** The version whose form is back. */
  restores: number;
  /** The version that was unpublished. */
  unpublished: number;
  changes: string[];
  statements: string[];
}

interface Located {
  field: Field;
  path: string;
}

function locate(definition: Definition): Map<string, Located> {
  const found = new Map<string, Located>();
  for (const s of definition.sections) {
    for (const f of s.fields) found.set(f.id, { field: f, path: `${s.key}.${f.key}` });
    for (const t of s.tables ?? [])
      for (const c of t.columns) found.set(c.id, { field: c, path: `${s.key}.${t.key}.${c.key}` });
  }
  return found;
}

/** Tables and columns the previous version used, by id, as `id -> table` and `column id -> table.column`. */
function physicalNames(naming: Naming, definition: Definition): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of definition.sections) {
    const table = naming.sections[s.id];
    if (table) {
      names.set(s.id, table.name);
      for (const f of s.fields)
        for (const c of fieldColumns(f))
          if (table.columns[c.id]) names.set(c.id, `${table.name}.${table.columns[c.id]!.name}`);
    }
    for (const t of s.tables ?? []) {
      const child = naming.tables[t.id];
      if (!child) continue;
      names.set(t.id, child.name);
      for (const f of t.columns)
        for (const c of fieldColumns(f))
          if (child.columns[c.id]) names.set(c.id, `${child.name}.${child.columns[c.id]!.name}`);
    }
  }
  return names;
}

/** Why going from `latest` back to `target` is not reversible (empty: it is). */
export function irreversible(latest: VersionRow, target: VersionRow, restored: Naming): ErrorDetail[] {
  const reasons: ErrorDetail[] = [];
  const before = locate(target.definition);
  const now = locate(latest.definition);
  for (const [id, was] of before) {
    const is = now.get(id);
    if (!is) continue;
    const single = fieldColumns(was.field).length === 1 && fieldColumns(is.field).length === 1;
    if (single && pgTypeOf(was.field) !== pgTypeOf(is.field)) {
      reasons.push({
        path: is.path,
        code: 'type_converted',
        message:
          `version ${latest.version} converted ${is.path} from ${was.field.type} to ${is.field.type} in place: ` +
          `going back would convert the values again, which may not give them back`,
      });
    }
  }
  // A column or table the previous version needs that a purge has dropped: its data is gone.
  const wanted = physicalNames(target.naming, target.definition);
  const got = physicalNames(restored, target.definition);
  for (const [id, name] of wanted) {
    if (got.get(id) === name) continue;
    const path = before.get(id)?.path ?? target.definition.sections.find((s) => s.id === id)?.key ?? id;
    reasons.push({ path, code: 'purged', message: `${name} was dropped by a purge: its data cannot come back` });
  }
  return reasons;
}

/** What the restored version changes, for people: the fields that come back, and those retired. */
function describe(latest: Definition, target: Definition, plan: Plan): string[] {
  const before = locate(latest);
  const after = locate(target);
  const back = [...after]
    .filter(([id]) => !before.has(id))
    .map(([, l]) => `restore ${l.path} (its column comes back with its data)`);
  const sections = target.sections
    .filter((s) => !latest.sections.some((l) => l.id === s.id))
    .map((s) => `restore section ${s.key} (its table comes back with its data)`);
  return [...sections, ...back, ...plan.changes];
}

export class UnpublishService {
  constructor(private readonly deps: { pool: Pool; lockTimeoutMs?: number }) {}

  async unpublish(ctx: ServiceContext, id: string, raw: unknown = {}): Promise<UnpublishResult> {
    const input = validateInput(raw ?? {});
    return withTransaction(this.deps.pool, async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = ${Math.max(100, this.deps.lockTimeoutMs ?? 10_000)}`);
      const template = await authorizeTemplate(tx, ctx, id, 'publish', { forUpdate: true });
      const current = template.current_version;
      if (!current) throw new ConflictError('This template has never been published: there is nothing to unpublish');
      if (input.expectedVersion !== undefined && input.expectedVersion !== current) {
        throw new ConflictError(
          `Template ${id} is at version ${current}, not ${input.expectedVersion}: someone published meanwhile`,
        );
      }
      if (current < 2)
        throw new ConflictError('Version 1 is the first version: there is no previous version to go back to');
      const latest = (await findVersion(tx, id, current))!;
      const target = (await findVersion(tx, id, current - 1))!;
      if (JSON.stringify(template.definition) !== JSON.stringify(latest.definition)) {
        throw new ConflictError(
          `The working definition has changes not published in version ${current}: ` +
            `publish or undo them before unpublishing (unpublishing replaces the working definition)`,
        );
      }
      const previous = {
        version: current,
        definition: latest.definition,
        naming: applyPurges(latest.naming, await purgedObjects(tx, id)),
      };
      const naming = deriveNaming(id, target.definition, previous.naming);
      const reasons = irreversible(latest, target, naming);
      if (reasons.length) {
        throw new ConflictError(
          `Version ${current} cannot be unpublished: ${reasons[0]!.message}${reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : ''}`,
          reasons,
        );
      }
      const plan = planPublish(target.definition, naming, previous);
      // Going back may tighten a rule the latest version loosened: existing rows must pass it.
      const failing = (await runChecks(tx, plan.checks, id)).filter((c) => c.failing > 0);
      if (failing.length) {
        throw new ConflictError(
          `Version ${current} cannot be unpublished: ${failing[0]!.failing} existing row(s) ` +
            `of ${failing[0]!.field} fail "${failing[0]!.description}" of version ${target.version}`,
          failing.map((c) => ({
            path: c.field,
            code: c.rule,
            message: `${c.failing} existing row(s) fail "${c.description}" (for example submissions ${c.examples.join(', ')})`,
          })),
        );
      }
      assertWithinBudget(await readBudgets(tx, naming, target.definition));
      const statements = plan.statements.map((s) => s.sql);
      const views = await dropTemplateViews(tx, id);
      await runSchemaDdl(tx, naming.schema, statements);
      if (views) await createTemplateViews(tx, template, naming, target.definition);
      await reconcileReservations(tx, id, latest.definition, target.definition);
      const version = current + 1;
      const jsonSchema = compileJsonSchema(localize(target.definition), {
        templateId: id,
        version,
        title: template.title,
      });
      await tx.query(
        `INSERT INTO template_versions (template_id, version, definition, json_schema, naming, ddl, checks, published_by)
         VALUES ($1, $2, $3, $4, $5, $6, '[]', $7)`,
        [
          id,
          version,
          JSON.stringify(target.definition),
          JSON.stringify(jsonSchema),
          JSON.stringify(naming),
          statements,
          ctx.actor!.id,
        ],
      );
      await tx.query(
        `UPDATE templates SET current_version = $2, definition = $3, status = 'published', updated_at = now() WHERE id = $1`,
        [id, version, JSON.stringify(target.definition)],
      );
      const changes = describe(latest.definition, target.definition, plan);
      await recordAudit(tx, ctx, {
        action: 'template.unpublish',
        entityType: 'template',
        entityId: id,
        gridId: template.grid_id,
        before: { version: current },
        after: { version, restores: target.version, changes, statements: statements.length },
      });
      await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, id]);
      return { version, restores: target.version, unpublished: current, changes, statements };
    });
  }
}
