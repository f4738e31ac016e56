import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Queryable } from '../db/pool.js';
import { compileRules } from '../rules/index.js';
import type { Definition, Field } from '../templates/definition.schema.js';
import type { TableLayout, TemplateLayout } from '../templates/catalog.js';
import { columnValue, fieldColumns } from '../templates/field-types.js';
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
  if (Array.isArray(value))
    return value.length === 0 ? [] : (value as unknown[]).map((v) => (typeof v === 'object' ? JSON.stringify(v) : v));
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
        // One column per field, one per part of a geopoint, none for a note.
        for (const c of fieldColumns(field)) {
          const column = table.naming.columns[c.id];
          if (!column || !table.types.has(column.name)) continue; // purged
          row[column.name] = shown.has(field.id) ? toColumnValue(columnValue(c, own(values, field.key))) : null;
        }
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
          for (const c of fieldColumns(column)) {
            const naming = child.naming.columns[c.id];
            if (!naming || !child.types.has(naming.name)) continue;
            row[naming.name] = toColumnValue(columnValue(c, own(item, column.key)));
          }
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

/** Deletes the rows of `submissionIds` from every table of the layout (before they are written again). */
export async function deleteProjection(tx: Queryable, layout: TemplateLayout, submissionIds: string[]): Promise<void> {
  for (const table of layoutTables(layout)) {
    await tx.query(
      `DELETE FROM ${qualifiedName(layout.schema, table.name)} WHERE ${quoteIdent(SYSTEM_COLUMNS.submissionId)} = ANY ($1::bigint[])`,
      [submissionIds],
    );
  }
}

/** Inserts rows built in Node (projectPayload): one INSERT per table fed by a single jsonb parameter. */
export async function insertProjectedRows(tx: Queryable, layout: TemplateLayout, rows: ProjectedRows): Promise<void> {
  for (const table of layoutTables(layout)) {
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
  await deleteProjection(tx, layout, submissionIds);
  await insertProjectedRows(tx, layout, rows);
}

/**
 * Whether PostgreSQL can build a version's rows from the stored payloads by itself: when no field
 * is shown on a condition (relevance is decided by the rules engine, in Node) and no processing
 * step applies (steps run in Node). Otherwise the rows are built by projectPayload.
 */
export function projectableInDatabase(definition: Definition, stepsApply: boolean): boolean {
  return !stepsApply && !definition.sections.some((s) => s.fields.some((f) => f.showIf !== undefined));
}

/**
 * The typed rows of `submissionIds` (all of `definition`'s version) built by PostgreSQL from their
 * stored payloads, one INSERT ... SELECT per table: the payloads never leave the database. The
 * same rows as projectPayload builds for a version without conditions: keys are read through the
 * version (its key -> the field's column in the current layout, by stable id), a section that is
 * not an object reads as empty, a repeating table's rows are its array's objects numbered from 0,
 * and values are converted to the column types by jsonb_to_record as the Node path's
 * jsonb_to_recordset converts them. The payload's keys are renamed to column names first (keys
 * may be any letters and longer than an identifier; column names come from the naming module).
 * Call deleteProjection first.
 */
export async function projectInDatabase(
  tx: Queryable,
  layout: TemplateLayout,
  definition: Definition,
  submissionIds: string[],
): Promise<void> {
  const sid = quoteIdent(SYSTEM_COLUMNS.submissionId);
  for (const section of definition.sections) {
    const table = layout.sections.get(section.id);
    if (table) {
      const map = columnMap(section.fields, table);
      await insertFromPayloads(tx, layout, table, map, {
        head: [sid],
        headValues: ['s.id'],
        from: `CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(s.payload -> $2::text) = 'object' THEN s.payload -> $2::text ELSE '{}'::jsonb END AS v) item`,
        params: [submissionIds, section.key],
      });
    }
    for (const repeating of section.tables ?? []) {
      const child = layout.tables.get(repeating.id);
      if (!child) continue;
      const map = columnMap(repeating.columns, child);
      await insertFromPayloads(tx, layout, child, map, {
        head: [sid, quoteIdent(SYSTEM_COLUMNS.rowIndex)],
        headValues: ['s.id', 'e.n - 1'],
        from: `CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(s.payload -> $2::text) = 'object' THEN s.payload -> $2::text -> $3::text END AS list) l
               CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(l.list) = 'array' THEN l.list ELSE '[]'::jsonb END) WITH ORDINALITY AS e(v, n)
               CROSS JOIN LATERAL (SELECT e.v) item`,
        params: [submissionIds, section.key, repeating.key],
      });
    }
  }
}

/** One column read from an answer: the field's key, the part of its value (a geopoint's `latitude`) if any, and the column. */
type ColumnSource = { key: string; part: string | null; col: string };

/** The version's keys of `fields` -> their columns in `table` (purged columns left out; a geopoint's parts one each, a note none). */
function columnMap(fields: Field[], table: TableLayout): ColumnSource[] {
  const map: ColumnSource[] = [];
  for (const field of fields) {
    for (const c of fieldColumns(field)) {
      const column = table.naming.columns[c.id];
      if (column && table.types.has(column.name))
        map.push({ key: field.key, part: c.part?.key ?? null, col: column.name });
    }
  }
  return map;
}

async function insertFromPayloads(
  tx: Queryable,
  layout: TemplateLayout,
  table: TableLayout,
  map: ColumnSource[],
  source: { head: string[]; headValues: string[]; from: string; params: unknown[] },
): Promise<void> {
  const columns = map.map((m) => quoteIdent(m.col));
  const mapParam = `$${source.params.length + 1}`;
  const typed = map.length
    ? `CROSS JOIN LATERAL jsonb_to_record((SELECT jsonb_object_agg(m.col, CASE WHEN m.part IS NULL THEN item.v -> ` +
      `m.key ELSE item.v -> m.key -> m.part END) FROM jsonb_to_recordset(${mapParam}::jsonb) AS m(key text, part ` +
      `text, col text)))
         AS x(${map.map((m) => `${quoteIdent(m.col)} ${table.types.get(m.col)}`).join(', ')})`
    : '';
  await tx.query(
    `INSERT INTO ${qualifiedName(layout.schema, table.name)} (${[...source.head, ...columns].join(', ')})
     SELECT ${[...source.headValues, ...columns.map((c) => `x.${c}`)].join(', ')}
       FROM submissions s ${source.from} ${typed}
      WHERE s.id = ANY ($1::bigint[])`,
    map.length ? [...source.params, JSON.stringify(map)] : source.params,
  );
}
