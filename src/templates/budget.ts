import type { Queryable } from '../db/pool.js';
import { ConflictError } from '../errors/app-error.js';
import type { Definition } from './definition.schema.js';
import { MAX_COLUMNS_PER_TABLE } from './definition.validate.js';
import { fieldColumns, rowBytes } from './field-types.js';
import { SYSTEM_COLUMNS, type Naming, type TableNaming } from './naming.js';

/**
 * The column budget of a template's tables. PostgreSQL allows 1,600 attributes a table
 * (MaxHeapAttributeNumber) and counts dropped ones: `ALTER TABLE ... DROP COLUMN` only marks the
 * pg_attribute row `attisdropped`, its number is never given again until the table is rewritten
 * (baserow#3424 is a table stuck at that limit). So a table's slots are its pg_attribute rows with
 * `attnum > 0`: live columns, retired ones (removed fields, kept with their data) and dropped ones
 * (purged, or left behind by a type change). Compaction (compaction.ts) gives the dropped ones back.
 *
 * The row size: a heap row must fit in a page (8,160 bytes of it for the row); values of variable
 * length move out of line (TOAST) and leave an 18-byte pointer, fixed-width ones cannot move. The
 * estimate is what a row with every column filled takes at least: the header, the null bitmap, the
 * fixed-width values and a pointer per variable-length value.
 */

export const COLUMN_LIMIT = MAX_COLUMNS_PER_TABLE;
/** The builder warns from this share of the slots. */
export const WARN_SHARE = 0.8;
/** Bytes of a heap page a single row may take (BLCKSZ 8192 less the page header and line pointer, rounded). */
export const ROW_BYTES_LIMIT = 8160;
/** Heap tuple header (23 bytes, aligned). */
const ROW_HEADER = 24;

export interface ColumnSlots {
  /** Columns in use: system columns, current fields, quarantine columns. */
  live: number;
  /** Columns of removed fields, kept with their data until a purge. */
  retired: number;
  /** Dropped columns PostgreSQL still counts (attisdropped): a compaction gives them back. */
  dropped: number;
  /** Columns the template's names do not know (for example a conversion's column in progress). */
  other: number;
  /** live + retired + dropped + other: PostgreSQL's count. */
  used: number;
  limit: number;
}

export interface TableBudget {
  table: string;
  /** `section` or `table` (a repeating table's child table). */
  kind: 'section' | 'table';
  /** The section key, or `section.table`, of the version the budget is about. */
  key: string;
  /** The table of a removed section (kept with its data). */
  retired: boolean;
  slots: ColumnSlots;
  /** Slots the plan adds (plans only). */
  added?: number;
  /** The least a row with every column filled takes, in bytes (variable-length values counted as TOAST pointers). */
  rowBytes: number;
  rowBytesLimit: number;
  /** `ok`, `warning` (80% of the slots or of the row size), `full` (over a limit: a publish is refused). */
  level: 'ok' | 'warning' | 'full';
  /** What to do, when not ok. */
  advice?: string;
}

/** One column of a table as the catalog has it. */
export interface CatalogColumn {
  name: string;
  dropped: boolean;
  /** pg_attribute.attlen: the width of a fixed-width type, -1 for variable length. */
  length: number;
}

/** The columns (pg_attribute rows, attnum > 0, dropped ones included) of tables of one schema. */
export async function catalogColumns(
  db: Queryable,
  schema: string,
  tables: string[],
): Promise<Map<string, CatalogColumn[]>> {
  const found = await db.query<{ table_name: string; name: string; dropped: boolean; length: number }>(
    `SELECT c.relname AS table_name, a.attname AS name, a.attisdropped AS dropped, a.attlen::int AS length
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
      WHERE n.nspname = $1 AND c.relname = ANY ($2) AND c.relkind = 'r'
      ORDER BY c.relname, a.attnum`,
    [schema, tables],
  );
  const byTable = new Map<string, CatalogColumn[]>();
  for (const r of found.rows) {
    if (!byTable.has(r.table_name)) byTable.set(r.table_name, []);
    byTable.get(r.table_name)!.push({ name: r.name, dropped: r.dropped, length: r.length });
  }
  return byTable;
}

/** Bytes a value takes in a row, from its pg_attribute length (variable length: a TOAST pointer). */
const bytesOf = (length: number) => (length > 0 ? length : 18);

interface TableEntry {
  naming: TableNaming;
  kind: 'section' | 'table';
  key: string;
  /** Column name -> PostgreSQL type of the columns the definition names (for columns not yet created). */
  types: Map<string, string>;
  system: string[];
}

/** The section and child tables of a naming, with their keys and the types of their columns (from the definition). */
function entries(naming: Naming, definition: Definition): TableEntry[] {
  const out: TableEntry[] = [];
  const typesOf = (table: TableNaming, fields: { id: string; type: string; resultType?: string }[]) => {
    const types = new Map<string, string>();
    for (const f of fields) {
      for (const c of fieldColumns(f as Parameters<typeof fieldColumns>[0])) {
        const column = table.columns[c.id];
        if (column) types.set(column.name, c.pgType);
      }
    }
    for (const name of Object.values(table.quarantine ?? {})) types.set(name, 'text');
    return types;
  };
  const sections = new Map(definition.sections.map((s) => [s.id, s]));
  const childKeys = new Map(
    definition.sections.flatMap((s) => (s.tables ?? []).map((t) => [t.id, { section: s, table: t }] as const)),
  );
  for (const [id, table] of Object.entries(naming.sections)) {
    const section = sections.get(id);
    out.push({
      naming: table,
      kind: 'section',
      key: section?.key ?? table.name,
      types: typesOf(table, section?.fields ?? []),
      system: [SYSTEM_COLUMNS.submissionId],
    });
  }
  for (const [id, table] of Object.entries(naming.tables)) {
    const found = childKeys.get(id);
    out.push({
      naming: table,
      kind: 'table',
      key: found ? `${found.section.key}.${found.table.key}` : table.name,
      types: typesOf(table, found?.table.columns ?? []),
      system: [SYSTEM_COLUMNS.rowId, SYSTEM_COLUMNS.submissionId, SYSTEM_COLUMNS.rowIndex],
    });
  }
  return out;
}

function judge(slots: ColumnSlots, bytes: number): Pick<TableBudget, 'level' | 'advice'> {
  const advice: string[] = [];
  let level: TableBudget['level'] = 'ok';
  if (slots.used > slots.limit || bytes > ROW_BYTES_LIMIT) level = 'full';
  else if (slots.used >= slots.limit * WARN_SHARE || bytes >= ROW_BYTES_LIMIT * WARN_SHARE) level = 'warning';
  if (level === 'ok') return { level };
  if (slots.dropped > 0)
    advice.push(
      `compact the table to reclaim its ${slots.dropped} dropped column slot${slots.dropped === 1 ? '' : 's'}`,
    );
  if (slots.retired > 0)
    advice.push(
      `purge the ${slots.retired} retired column${slots.retired === 1 ? '' : 's'} (their data is dropped), then compact`,
    );
  advice.push('or move fields to a new section (a table of its own)');
  return { level, advice: advice.join('; ') };
}

/**
 * The budget of every table of a naming: the columns the catalog has, plus (for a plan) those the
 * naming names but the table does not have yet, which the publish would add. Tables purged or not
 * yet created count from their system columns.
 */
export function tableBudgets(
  naming: Naming,
  definition: Definition,
  catalog: Map<string, CatalogColumn[]>,
): TableBudget[] {
  // A removed section's table that a purge dropped has no budget any more.
  const kept = entries(naming, definition).filter((e) => !e.naming.retired || catalog.has(e.naming.name));
  return kept.map((entry) => {
    const { naming: table } = entry;
    const physical = catalog.get(table.name) ?? [];
    // A removed section's table is retired whole: its field columns count as retired.
    const kept = Object.values(table.columns).filter((c) => !c.retired && !table.retired);
    const liveNames = new Set([
      ...entry.system,
      ...kept.map((c) => c.name),
      ...(table.retired ? [] : Object.values(table.quarantine ?? {})),
    ]);
    const retiredNames = new Set(
      Object.values(table.columns)
        .filter((c) => c.retired || table.retired)
        .map((c) => c.name),
    );
    const slots: ColumnSlots = { live: 0, retired: 0, dropped: 0, other: 0, used: 0, limit: COLUMN_LIMIT };
    let bytes = ROW_HEADER;
    const present = new Set<string>();
    for (const column of physical) {
      if (column.dropped) {
        slots.dropped++;
        continue;
      }
      present.add(column.name);
      bytes += bytesOf(column.length);
      if (liveNames.has(column.name)) slots.live++;
      else if (retiredNames.has(column.name)) slots.retired++;
      else slots.other++;
    }
    // Columns the naming has and the table not (yet): a plan's new columns, or a new table's.
    let added = 0;
    if (!table.retired) {
      for (const name of liveNames) {
        if (present.has(name)) continue;
        added++;
        slots.live++;
        const type = entry.system.includes(name)
          ? name === SYSTEM_COLUMNS.rowIndex
            ? 'integer'
            : 'bigint'
          : (entry.types.get(name) ?? 'text');
        bytes += type === 'integer' ? 4 : rowBytes(type);
      }
    }
    slots.used = slots.live + slots.retired + slots.dropped + slots.other;
    // The null bitmap: a bit per attribute, dropped ones included.
    bytes += Math.ceil(slots.used / 8);
    return {
      table: table.name,
      kind: entry.kind,
      key: entry.key,
      retired: table.retired === true,
      slots,
      ...(added ? { added } : {}),
      rowBytes: bytes,
      rowBytesLimit: ROW_BYTES_LIMIT,
      ...judge(slots, bytes),
    };
  });
}

/** The budgets of a naming's tables as they are now (or would be after a plan). */
export async function readBudgets(db: Queryable, naming: Naming, definition: Definition): Promise<TableBudget[]> {
  const names = [...Object.values(naming.sections), ...Object.values(naming.tables)].map((t) => t.name);
  return tableBudgets(naming, definition, await catalogColumns(db, naming.schema, names));
}

/** Refuses a publish that would take a table over 1,600 columns (or a row over a page), saying what to do. */
export class ColumnBudgetError extends ConflictError {
  constructor(readonly budgets: TableBudget[]) {
    const over = budgets.filter((b) => b.level === 'full');
    const first = over[0]!;
    const what =
      first.slots.used > first.slots.limit
        ? `would need ${first.slots.used} column slots of PostgreSQL's ${first.slots.limit} (${first.slots.live} live, ` +
          `${first.slots.retired} retired, ${first.slots.dropped} dropped but still counted)`
        : `would need rows of at least ${first.rowBytes} bytes, more than the ${first.rowBytesLimit} a page holds`;
    super(
      `Publish refused: table ${first.table} (${first.key}) ${what}: ${first.advice}`,
      over.map((b) => ({
        path: b.key,
        code: 'column_budget',
        message: `${b.table}: ${b.slots.used}/${b.slots.limit} column slots, ${b.rowBytes} bytes a row: ${b.advice}`,
      })),
    );
  }
}

export function assertWithinBudget(budgets: TableBudget[]): void {
  if (budgets.some((b) => b.level === 'full')) throw new ColumnBudgetError(budgets);
}
