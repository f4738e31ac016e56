import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Queryable } from '../db/pool.js';
import { runSchemaDdl } from '../db/roles.js';
import type { Definition, Field } from './definition.schema.js';
import { fieldColumns } from './field-types.js';
import { fitName, snakeCase, SYSTEM_COLUMNS, type Naming, type TableNaming } from './naming.js';
import { findTemplate, findVersion } from './templates.repository.js';

/**
 * Current names for people who query the tables with SQL (BI tools, psql): the schema
 * `forms_current` holds one view per section and repeating table of every published template,
 * named after the grid, the template and the section (`field_ops__household__members`), whose
 * columns carry the current keys. The tables themselves keep the names their columns got when each
 * field first appeared (a renamed key keeps its column, so nothing is rewritten on a rename); the
 * views follow the renames. They are dropped and created again by every publish, in its
 * transaction (a type change could not run while a view reads the column).
 */
export const CURRENT_SCHEMA = 'forms_current';

/** The comment that marks a view as one of a template's: how a publish finds its views again. */
const marker = (templateId: string) => `gridbook template ${templateId}`;

export interface CurrentView {
  name: string;
  /** The table it reads (in the forms schema). */
  table: string;
  /** View column -> table column, in order. */
  columns: [string, string][];
}

function viewName(parts: string[], taken: Set<string>): string {
  const base = parts.map((p) => snakeCase(p) || 'x').join('__');
  let name = fitName(base, parts.join('\u0000'));
  for (let n = 2; taken.has(name); n++) name = fitName(`${base}_${n}`, `${parts.join('\u0000')}:${n}`);
  taken.add(name);
  return name;
}

/** Field keys as column names, after the system columns; a key equal to a system column gets `_field`. */
function viewColumns(system: string[], fields: Field[], table: TableNaming): [string, string][] {
  const columns: [string, string][] = system.map((c) => [c, c]);
  const taken = new Set(system);
  for (const field of fields) {
    // A geopoint has a column per part (`location_lat`, ...), a note none.
    for (const c of fieldColumns(field)) {
      const column = table.columns[c.id];
      if (!column || column.retired) continue;
      const key = c.part ? `${field.key}_${c.part.suffix}` : field.key;
      let name = fitName(key, key);
      if (taken.has(name)) name = fitName(`${key}_field`, key);
      taken.add(name);
      columns.push([name, column.name]);
    }
    // The values a type change could not convert, kept beside the field (conversion choice "quarantine").
    const kept = table.quarantine?.[field.id];
    if (kept) {
      const name = fitName(`${field.key}__unconverted`, `${field.key}:unconverted`);
      if (!taken.has(name)) {
        taken.add(name);
        columns.push([name, kept]);
      }
    }
  }
  return columns;
}

/** The views of one version of a template: one per section and repeating table. */
export function currentViews(
  naming: Naming,
  definition: Definition,
  names: { grid: string; template: string },
): CurrentView[] {
  const taken = new Set<string>();
  const views: CurrentView[] = [];
  for (const section of definition.sections) {
    const table = naming.sections[section.id];
    if (!table) continue;
    // Calculated fields have columns; notes have none and are skipped.
    views.push({
      name: viewName([names.grid, names.template, section.key], taken),
      table: table.name,
      columns: viewColumns([SYSTEM_COLUMNS.submissionId], section.fields, table),
    });
    for (const child of section.tables ?? []) {
      const childTable = naming.tables[child.id];
      if (!childTable) continue;
      views.push({
        name: viewName([names.grid, names.template, section.key, child.key], taken),
        table: childTable.name,
        columns: viewColumns(
          [SYSTEM_COLUMNS.rowId, SYSTEM_COLUMNS.submissionId, SYSTEM_COLUMNS.rowIndex],
          child.columns,
          childTable,
        ),
      });
    }
  }
  return views;
}

/** DDL creating the views (as the forms role, through runSchemaDdl), each marked with its template. */
export function createViewStatements(schema: string, views: CurrentView[], templateId: string): string[] {
  return views.flatMap((view) => {
    const name = qualifiedName(CURRENT_SCHEMA, view.name);
    const select = view.columns.map(([as, column]) => `${quoteIdent(column)} AS ${quoteIdent(as)}`).join(', ');
    return [
      `CREATE VIEW ${name} AS SELECT ${select} FROM ${qualifiedName(schema, view.table)}`,
      // The marker is built from a bigint id: a literal with nothing to escape, yet quoted as one.
      `COMMENT ON VIEW ${name} IS '${marker(templateId).replace(/'/g, "''")}'`,
    ];
  });
}

/** DDL dropping the views a template has now (found by their comment, whatever their names). */
export async function dropViewStatements(db: Queryable, templateId: string): Promise<string[]> {
  const found = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'v' AND obj_description(c.oid, 'pg_class') = $2
      ORDER BY 1`,
    [CURRENT_SCHEMA, marker(templateId)],
  );
  return found.rows.map((r) => `DROP VIEW IF EXISTS ${qualifiedName(CURRENT_SCHEMA, r.name)}`);
}

/** Whether the schema exists (databases migrated before it have none until they migrate). */
export async function hasCurrentSchema(db: Queryable): Promise<boolean> {
  const found = await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [CURRENT_SCHEMA]);
  return (found.rowCount ?? 0) > 0;
}

/**
 * Creates a template's views for `naming` and `definition` (as the forms role), once its old ones
 * are dropped (dropViewStatements): at publish, and at the swap of an online type change.
 */
export async function createTemplateViews(
  db: Queryable,
  template: { id: string; grid_id: string; slug: string },
  naming: Naming,
  definition: Definition,
): Promise<void> {
  const grid = await db.query<{ slug: string }>('SELECT slug FROM grids WHERE id = $1', [template.grid_id]);
  const views = currentViews(naming, definition, { grid: grid.rows[0]!.slug, template: template.slug });
  await runSchemaDdl(db, CURRENT_SCHEMA, createViewStatements(naming.schema, views, template.id));
}

/** Drops a template's views (false, doing nothing, where the schema does not exist yet). */
export async function dropTemplateViews(db: Queryable, templateId: string): Promise<boolean> {
  if (!(await hasCurrentSchema(db))) return false;
  await runSchemaDdl(db, CURRENT_SCHEMA, await dropViewStatements(db, templateId));
  return true;
}

/** Creates a template's views for its current version (after dropTemplateViews, in the same transaction). */
export async function createCurrentViews(db: Queryable, templateId: string): Promise<void> {
  const template = (await findTemplate(db, templateId))!;
  const version = (await findVersion(db, templateId, template.current_version!))!;
  await createTemplateViews(db, template, version.naming, version.definition);
}
