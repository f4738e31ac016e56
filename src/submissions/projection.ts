import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Queryable } from '../db/pool.js';
import { compileRules } from '../rules/index.js';
import type { Definition } from '../templates/definition.schema.js';
import type { TableLayout, TemplateLayout } from '../templates/catalog.js';
import { SYSTEM_COLUMNS } from '../templates/naming.js';
import { own } from '../templates/own.js';

/**
 * The typed projection of submissions: the rows a payload becomes in the template's tables.
 *
 * Keys are mapped to fields through the submission's own version (payloads use the keys of the
 * version they were made with), and fields to columns through the template's current layout (names
 * are bound to stable ids, so an old submission lands in the right columns after renames and
 * retypes). Fields hidden by `showIf` project as NULL, decided by the rules engine that judged the
 * answer at the API (src/rules: the same relevance everywhere). Writing replaces every row of the
 * submissions concerned, so running it twice gives the same rows.
 */

export type Payload = Record<string, unknown>;
type Row = Record<string, unknown>;

export interface ProjectedRows {
  /** Table name -> rows (section tables: one row per submission; child tables: one per table row). */
  byTable: Map<string, Row[]>;
}

/** JSON value as jsonb_to_recordset will read it into the column's type. */
function toColumnValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.length === 0 ? [] : (value as unknown[]).map((v) => (typeof v === 'object' ? JSON.stringify(v) : v));
  return value;
}

export function projectPayload(
  submissionId: string,
  payload: Payload,
  definition: Definition,
  layout: TemplateLayout,
  into: ProjectedRows = { byTable: new Map() },
): ProjectedRows {
  const push = (table: string, row: Row) => {
    const rows = into.byTable.get(table);
    if (rows) rows.push(row);
    else into.byTable.set(table, [row]);
  };
  const rules = compileRules(definition);
  for (const section of definition.sections) {
    const values = (own(payload, section.key) ?? {}) as Record<string, unknown>;
    const table = layout.sections.get(section.id);
    if (table) {
      const row: Row = { [SYSTEM_COLUMNS.submissionId]: submissionId };
      // The whole payload too: a showIf expression may read another section (`${h.total} > 8`).
      const shown = rules.shownFields(section.id, values, payload);
      for (const field of section.fields) {
        const column = table.naming.columns[field.id];
        if (!column || !table.types.has(column.name)) continue; // purged
        row[column.name] = shown.has(field.id) ? toColumnValue(own(values, field.key)) : null;
      }
      push(table.name, row);
    }
    for (const repeating of section.tables ?? []) {
      const child = layout.tables.get(repeating.id);
      if (!child) continue;
      const list = own(values, repeating.key);
      const rows = Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
      rows.forEach((item, index) => {
        const row: Row = { [SYSTEM_COLUMNS.submissionId]: submissionId, [SYSTEM_COLUMNS.rowIndex]: index };
        for (const column of repeating.columns) {
          const naming = child.naming.columns[column.id];
          if (!naming || !child.types.has(naming.name)) continue;
          row[naming.name] = toColumnValue(own(item, column.key));
        }
        push(child.name, row);
      });
    }
  }
  return into;
}

/** Every table of the layout: the rows of a submission may sit in any of them. */
export function layoutTables(layout: TemplateLayout): TableLayout[] {
  return [...layout.sections.values(), ...layout.tables.values()];
}

/**
 * Replaces the rows of `submissionIds` in the template's tables with `rows`: one DELETE per table,
 * then one INSERT per table fed by a single jsonb parameter (no parameter-count limit, one round
 * trip per table whatever the batch size).
 */
export async function writeProjection(
  tx: Queryable,
  layout: TemplateLayout,
  submissionIds: string[],
  rows: ProjectedRows,
): Promise<void> {
  const tables = layoutTables(layout);
  // Children first is not needed (they reference submissions, not their section row).
  for (const table of tables) {
    await tx.query(`DELETE FROM ${qualifiedName(layout.schema, table.name)} WHERE ${quoteIdent(SYSTEM_COLUMNS.submissionId)} = ANY ($1::bigint[])`, [
      submissionIds,
    ]);
  }
  for (const table of tables) {
    const tableRows = rows.byTable.get(table.name);
    if (!tableRows?.length) continue;
    const columns = [...new Set(tableRows.flatMap((r) => Object.keys(r)))].filter((c) => table.types.has(c));
    const list = columns.map(quoteIdent).join(', ');
    const record = columns.map((c) => `${quoteIdent(c)} ${table.types.get(c)}`).join(', ');
    await tx.query(
      `INSERT INTO ${qualifiedName(layout.schema, table.name)} (${list}) SELECT ${list} FROM jsonb_to_recordset($1::jsonb) AS x(${record})`,
      [JSON.stringify(tableRows)],
    );
  }
}
