import { createHash } from 'node:crypto';
import { MAX_IDENTIFIER_BYTES } from '../db/identifiers.js';
import type { Definition, Field } from './definition.schema.js';
import { fieldColumns } from './field-types.js';

/**
 * The one module that derives SQL names for form data tables and columns from field keys.
 *
 * - Names are readable ASCII snake_case: `First Name` -> `first_name`, `Straße` -> `strasse`;
 *   keys with no Latin letters (`名前`) fall back to the field's stable id.
 * - Names never exceed 63 bytes (PostgreSQL's limit, beyond which it silently truncates): a long
 *   name keeps a readable prefix and ends with a hash of the whole key, so two long keys sharing a
 *   prefix stay distinct.
 * - PostgreSQL's system columns (`xmin`, `ctid`, ...) and our own columns are never produced.
 * - Collisions are resolved deterministically (`_2`, `_3`, ...) against every name the table has
 *   ever used, retired ones included.
 * - Names are derived once, when a field first appears, and stored with the version; later versions
 *   reuse them by stable id, so a renamed key keeps its column and nothing is derived twice.
 *
 * Names are always quoted when used (db/identifiers.ts); nothing here ever reaches SQL unquoted.
 */

export const FORMS_SCHEMA = 'forms';

/** Columns every section table and child table has; field columns never take these names. */
export const SYSTEM_COLUMNS = {
  submissionId: 'submission_id',
  rowId: 'id',
  rowIndex: 'row_index',
} as const;

/** PostgreSQL system columns: a user column with one of these names cannot be created. */
const PG_SYSTEM_COLUMNS = new Set(['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid', 'oid']);
const RESERVED_COLUMNS = new Set([...PG_SYSTEM_COLUMNS, ...Object.values(SYSTEM_COLUMNS)]);

const TRANSLITERATE: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

/** `First Name` -> `first_name`, `firstName` -> `first_name`, `Straße` -> `strasse`, `名前` -> ``. */
export function snakeCase(key: string): string {
  const ascii = key
    .normalize('NFKC')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[ßæœøđðłþı]/g, (c) => TRANSLITERATE[c] ?? c)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  return ascii
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_');
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Fits a name into `maxBytes`, keeping a readable prefix and a hash of the full source. */
export function fitName(name: string, source: string, maxBytes = MAX_IDENTIFIER_BYTES): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const suffix = `_${shortHash(source)}`;
  return `${name.slice(0, maxBytes - suffix.length).replace(/_+$/, '')}${suffix}`;
}

/** Makes `base` unique among `taken` by appending `_2`, `_3`, ... (within the byte limit). */
export function uniqueName(base: string, taken: Set<string>, source: string): string {
  let candidate = fitName(base, source);
  for (let n = 2; taken.has(candidate); n++) {
    const suffix = `_${n}`;
    candidate = `${fitName(base, source, MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;
  }
  return candidate;
}

/** The column name a field key would get, before collision checks. */
export function columnBase(key: string, fieldId: string): string {
  let base = snakeCase(key);
  if (base === '') base = fieldId.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (/^[0-9]/.test(base)) base = `c_${base}`;
  if (RESERVED_COLUMNS.has(base)) base = `${base}_`;
  return base;
}

export interface ColumnNaming {
  name: string;
  /** The field was removed: its column and data stay until an explicit purge. */
  retired?: boolean;
}

export interface TableNaming {
  name: string;
  retired?: boolean;
  /** Field id -> column; a geopoint's parts by `<field id>.<part>` (`f_ab12.lat`), see fieldColumns. */
  columns: Record<string, ColumnNaming>;
  /** Every column name this table has ever used (retired and purged included). */
  used: string[];
  /** Field id -> the text column keeping the values a type change could not convert (the quarantine choice). */
  quarantine?: Record<string, string>;
}

/**
 * The names an online type change (src/templates/conversions.service.ts) uses beside `column`: the
 * shadow column the new type is written to, the name the old column is retired under at the swap
 * (`<column>__v<N>`, N the version whose type it keeps), and the trigger (and its function) that
 * converts the rows written meanwhile. Column names are reserved in the table's `used`, so they are
 * never given again.
 */
export function conversionNames(
  table: TableNaming,
  column: string,
  fromVersion: number,
): { shadow: string; retired: string; trigger: string } {
  const used = new Set(table.used);
  const shadow = uniqueName(`${column}__converting`, used, `${table.name}.${column}:shadow:${fromVersion}`);
  used.add(shadow);
  const retired = uniqueName(`${column}__v${fromVersion}`, used, `${table.name}.${column}:retired:${fromVersion}`);
  used.add(retired);
  table.used = [...used];
  const trigger = fitName(`${table.name}__${column}__convert`, `${table.name}.${column}:convert:${fromVersion}`);
  return { shadow, retired, trigger };
}

/** The naming entry of a column retired by an online type change: not a field's id, so nothing writes to it. */
export const retiredConversionId = (fieldId: string, fromVersion: number) => `${fieldId}@v${fromVersion}`;

export interface ChildTableNaming extends TableNaming {
  sectionId: string;
}

/** Stored with each template version: the physical names of everything, by stable id. */
export interface Naming {
  schema: string;
  sections: Record<string, TableNaming>;
  tables: Record<string, ChildTableNaming>;
  /** Every table name this template has ever used. */
  usedTables: string[];
}

export function emptyNaming(): Naming {
  return { schema: FORMS_SCHEMA, sections: {}, tables: {}, usedTables: [] };
}

/**
 * The naming of a new version: previous names kept by id, new ids named, removed ids retired.
 * `templateId` prefixes every table (`f12_household`), which keeps names unique across templates
 * and distinct from every table outside the forms schema.
 */
export function deriveNaming(templateId: string, definition: Definition, previous: Naming | null): Naming {
  const prev = previous ?? emptyNaming();
  const next: Naming = { schema: prev.schema, sections: {}, tables: {}, usedTables: [...prev.usedTables] };
  const usedTables = new Set(prev.usedTables);
  const prefix = `f${templateId}`;

  const nameTable = (base: string, source: string) => {
    const name = uniqueName(`${prefix}_${base}`, usedTables, `${templateId}:${source}`);
    usedTables.add(name);
    next.usedTables.push(name);
    return name;
  };

  const nameColumns = (fields: Field[], prevTable: TableNaming | undefined): Pick<TableNaming, 'columns' | 'used'> => {
    const columns: Record<string, ColumnNaming> = {};
    const used = new Set(prevTable?.used ?? []);
    for (const field of fields) {
      // One column per field, one per part of a geopoint (`location_lat`, ...), none for a note.
      for (const column of fieldColumns(field)) {
        const existing = prevTable?.columns[column.id];
        if (existing) {
          columns[column.id] = { name: existing.name };
          continue;
        }
        const suffix = column.part ? `_${column.part.suffix}` : '';
        const name = uniqueName(`${columnBase(field.key, field.id)}${suffix}`, used, `${field.key}${suffix}`);
        used.add(name);
        columns[column.id] = { name };
      }
    }
    // Removed fields: the column stays, retired.
    for (const [id, col] of Object.entries(prevTable?.columns ?? {})) {
      if (!columns[id]) columns[id] = { name: col.name, retired: true };
    }
    return { columns, used: [...used] };
  };

  for (const section of definition.sections) {
    const prevSection = prev.sections[section.id];
    const tableName = prevSection?.name ?? nameTable(snakeCase(section.key) || section.id, section.key);
    next.sections[section.id] = { name: tableName, ...nameColumns(section.fields, prevSection) };
    for (const table of section.tables ?? []) {
      const prevTable = prev.tables[table.id];
      const childName =
        prevTable?.name ??
        nameTable(
          `${snakeCase(section.key) || section.id}__${snakeCase(table.key) || table.id}`,
          `${section.key}.${table.key}`,
        );
      next.tables[table.id] = { name: childName, sectionId: section.id, ...nameColumns(table.columns, prevTable) };
    }
  }
  for (const [id, t] of Object.entries(prev.sections)) {
    if (!next.sections[id]) next.sections[id] = { ...t, retired: true };
  }
  for (const [id, t] of Object.entries(prev.tables)) {
    if (!next.tables[id]) next.tables[id] = { ...t, retired: true };
  }
  return next;
}
